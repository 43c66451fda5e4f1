/** configs/*.json: one per preset, each a valid run config that carries the preset's published recipe. */
import * as fs from 'fs';
import * as path from 'path';
import { getPreset, listPresets, type TrainingRecipe } from '@depthblocks/models';
import { COMMANDS, helpText } from '../src/bin';
import { readAblationConfig, readRunConfig } from '../src';

const dir = path.resolve(__dirname, '../../../configs');

test('there is one config per preset', () => {
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json') && !f.startsWith('ablation-'))
    .map((f) => f.replace(/\.json$/, ''));
  expect(files.sort()).toEqual(
    listPresets()
      .map((p) => p.name)
      .sort(),
  );
});

test.each(listPresets().map((p) => p.name))('configs/%s.json agrees with the preset recipe', (name) => {
  const cfg = readRunConfig(path.join(dir, `${name}.json`));
  const t = getPreset(name).metadata.training as TrainingRecipe;
  expect(cfg.model).toBe(name);
  expect(cfg.train?.loss).toEqual(t.loss);
  expect(cfg.train?.augmentation).toEqual(t.augmentation);
  expect(cfg.train?.optimizer?.name).toBe(t.optimizer.name);
  if (t.optimizer.lr !== null) expect(cfg.train?.optimizer?.lr).toBe(t.optimizer.lr);
  if (t.optimizer.weightDecay) expect(cfg.train?.optimizer?.weightDecay).toBe(t.optimizer.weightDecay);
  if (t.batchSize !== null) expect(cfg.train?.batchSize).toBe(t.batchSize);
  if (t.epochs !== null) expect(cfg.train?.epochs).toBe(t.epochs);
  if (t.inputSize) expect(cfg.train?.inputSize).toEqual(t.inputSize);
  expect(cfg.train?.freezeEncoderEpochs).toBe(t.freezeEncoderEpochs);
  expect(cfg.eval?.flipTTA).toBe(t.tta === 'flip');
});

test('the ablation configs that help texts and READMEs name exist and are valid', () => {
  const named = new Set<string>();
  const texts = [...COMMANDS.map((c) => helpText(c)), helpText('main')];
  for (const f of ['README.md', 'packages/cli/README.md', 'examples/README.md'])
    texts.push(fs.readFileSync(path.resolve(dir, '..', f), 'utf8'));
  for (const t of texts) for (const m of t.matchAll(/configs\/([\w-]+\.json)/g)) named.add(m[1]);
  expect([...named].filter((n) => n.startsWith('ablation-')).sort()).toEqual(['ablation-encoder.json', 'ablation-loss.json']);
  for (const n of named) expect(fs.existsSync(path.join(dir, n))).toBe(true);
  for (const n of fs.readdirSync(dir).filter((f) => f.startsWith('ablation-'))) {
    const a = readAblationConfig(path.join(dir, n));
    expect(a.variants.length).toBeGreaterThanOrEqual(2);
  }
});
