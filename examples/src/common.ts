/** Flags shared by the examples: synthetic data by default, real data with a path. */
import { parseArgs } from 'util';
import type { DataSpec } from '@depthblocks/datasets';

export interface ExampleArgs {
  values: Record<string, string | boolean | undefined>;
  /** [height, width] for synthetic data and training. */
  size: [number, number];
  /** Training steps per run (synthetic default: a few, to show that it runs). */
  steps?: number;
  threads?: number;
  out?: string;
}

export function exampleArgs(
  extra: Record<string, { type: 'string' | 'boolean' }> = {},
  defaults: { size?: string; steps?: number } = {},
): ExampleArgs {
  const { values } = parseArgs({
    options: {
      size: { type: 'string' },
      steps: { type: 'string' },
      threads: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean' },
      ...extra,
    },
    allowPositionals: false,
  });
  const [w, h] = String(values.size ?? defaults.size ?? '64x48')
    .split('x')
    .map(Number);
  return {
    values,
    size: [h, w],
    steps: values.steps ? Number(values.steps) : defaults.steps,
    threads: values.threads ? Number(values.threads) : undefined,
    out: values.out as string | undefined,
  };
}

/** Synthetic train/test specs at a size. */
export function syntheticData(size: [number, number], train = 64, test = 16): { train: DataSpec; test: DataSpec } {
  return {
    train: { type: 'synthetic', count: train, width: size[1], height: size[0], seed: 1 },
    test: { type: 'synthetic', count: test, width: size[1], height: size[0], seed: 2 },
  };
}

/** Train/test specs of NYU's labeled .mat (the official 795/654 split). */
export function nyuLabeledData(path: string): { train: DataSpec; test: DataSpec } {
  return { train: { type: 'nyu-labeled', path, split: 'train' }, test: { type: 'nyu-labeled', path, split: 'test' } };
}

/** Train/test specs of DenseDepth's nyu_data.zip. */
export function nyuZipData(path: string): { train: DataSpec; test: DataSpec } {
  return { train: { type: 'nyu-zip', path, split: 'train' }, test: { type: 'nyu-zip', path, split: 'test' } };
}
