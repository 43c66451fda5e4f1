/**
 * Smoke test of the runnable examples on tiny synthetic runs: each starts, trains, evaluates and writes its
 * outputs. (Their full-size runs are for people, not CI.)
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const root = path.resolve(__dirname, '../..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'depthblocks-examples-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function run(example: string, args: string[]): { status: number | null; out: string } {
  const r = spawnSync(
    process.execPath,
    ['-r', path.join(root, 'scripts/ts-hook.js'), path.join(root, 'examples/src', `${example}.ts`), ...args],
    {
      cwd: root,
      encoding: 'utf8',
      // a guard against a hang, not a speed check: DenseDepth-169 examples took over 5 minutes on a loaded 2-core box
      timeout: 1_200_000,
      env: { ...process.env, DEPTHBLOCKS_BACKEND: 'wasm' },
    },
  );
  return { status: r.status, out: `${r.stdout}\n${r.stderr}` };
}

test('quickstart: baseline, before and after rows, pictures, plot and model', () => {
  const out = path.join(dir, 'quickstart');
  const r = run('quickstart', ['--minutes', '0.05', '--train', '16', '--test', '4', '--size', '32x24', '--threads', '1', '--out', out]);
  expect(r.out).toMatch(/\| constant [0-9.]+ m \|/);
  expect(r.status).toBe(0);
  expect(r.out).toMatch(/\| before training \|/);
  expect(r.out).toMatch(/\| after training \|/);
  for (const f of [
    'metrics.md',
    'metrics.json',
    'loss.png',
    'loss.svg',
    'log.jsonl',
    'model/model.json',
    'predictions/test_0_compare.png',
    'predictions/test_0_depth.png',
  ]) {
    expect(fs.existsSync(path.join(out, f))).toBe(true);
  }
});

test('KITTI Eigen evaluation example: trains a tiny model and merges two shards', () => {
  const r = run('kitti-eigen-eval', ['--steps', '1', '--size', '32x24', '--threads', '1', '--out', path.join(dir, 'kitti')]);
  expect(r.status).toBe(0);
  expect(r.out).toMatch(/2 shards merged/);
  expect(fs.existsSync(path.join(dir, 'kitti', 'shard-1-of-2.json'))).toBe(true);
});

test('Maastricht two-stage example: NYU stage then the DIW ranking stage with WHDR', () => {
  const r = run('maastricht-two-stage', ['--steps', '1', '--size', '32x32', '--threads', '1', '--out', path.join(dir, 'maastricht')]);
  expect(r.status).toBe(0);
  expect(r.out).toMatch(/stage 2 \(DIW ranking loss, 1 steps\): WHDR [0-9.]+ -> [0-9.]+/);
});

test.each([
  ['loss-ablation', ['L1+grad', 'L1+SSIM', 'L1+grad+SSIM', 'all four']],
  ['densedepth-ablation', ['DenseNet-169 (paper)', 'DenseNet-201', 'half decoder', 'no colour augmentation']],
])('%s example writes its comparison table and plots', (example, variants) => {
  const out = path.join(dir, example);
  const r = run(example, ['--steps', '1', '--size', '32x32', '--threads', '1', '--out', out]);
  expect(r.status).toBe(0);
  const md = fs.readFileSync(path.join(out, 'ablation.md'), 'utf8');
  for (const v of variants) expect(md).toContain(`| ${v} |`);
  for (const f of ['ablation.json', 'metrics.png', 'loss.png']) expect(fs.existsSync(path.join(out, f))).toBe(true);
});
