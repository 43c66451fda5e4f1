/** The tasks a child process (one.ts) runs and the shape of what it returns. */
export type Size = [number, number];

export interface StepOpts {
  warmup?: number;
  reps?: number;
  /** Skip when one step takes (or is estimated to take) longer than this many seconds. */
  capS?: number;
}

export type Task =
  | { kind: 'matmul'; n: number }
  | { kind: 'infer'; preset: string; size: Size; batch: number; opts?: StepOpts }
  | { kind: 'train'; preset: string; size: Size; batch: number; opts?: StepOpts }
  | { kind: 'leak'; preset: string; size: Size; batch: number; steps: number }
  | { kind: 'profile'; preset: string; size: Size; batch: number; top?: number }
  | { kind: 'loop'; preset: string; size: Size; batch: number; steps: number }
  | { kind: 'data'; size: Size; batch: number; samples: number; files: boolean }
  | { kind: 'kernels'; reps: number }
  /** depthblocks' ONNX export of a preset in ONNX Runtime (graph: also report the op counts before/after ORT's optimisations). */
  | { kind: 'onnx'; preset: string; size: Size; batch: number; graph?: boolean; opts?: StepOpts }
  /** The PyTorch DenseDepth-169 (bench/torch) through torch.onnx.export, in ONNX Runtime. */
  | { kind: 'onnx-torch'; size: Size; opts?: StepOpts };

/** Loose record of numbers and notes measured by one task. */
export interface TaskResult {
  medianMs?: number;
  timesMs?: number[];
  warmupMs?: number[];
  skipped?: string;
  error?: string;
  wallMs?: number;
  flops?: number;
  gflops?: number;
  [key: string]: unknown;
}

export interface ChildResult {
  backend: string;
  threadsRequested: number;
  info?: { name: string; package: string; threads: number; simd: boolean; reason: string };
  error?: string;
  results: { task: Task; result: TaskResult }[];
}
