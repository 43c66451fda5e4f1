/**
 * What `npm run bench` measures: one list of tasks per backend configuration (each run in its own child
 * process), the PyTorch reference runs, and the time caps. `--quick` is the reduced smoke set.
 */
import type { Task } from './types';

export interface ChildPlan {
  id: string;
  label: string;
  backend: 'wasm' | 'cpu' | 'tensorflow';
  threads: number;
  tasks: Task[];
  /** Per-step cap in seconds (a step slower than this is skipped, and said so). */
  capS: number;
  warmup: number;
  reps: number;
}

export interface TorchPlan {
  id: string;
  threads: number;
  infer: string[];
  train: string[];
  /** Inference of bench/torch/presets.py models, NAME:HxW:B. */
  other?: string[];
  warmup: number;
  reps: number;
  capS: number;
}

export interface Plan {
  quick: boolean;
  /** Wall-clock cap of the whole run in seconds. */
  totalCapS: number;
  children: ChildPlan[];
  torch: TorchPlan[];
}

export const DD = 'densedepth169';

export function makePlan(quick: boolean, cores: number): Plan {
  if (quick) {
    // The smoke set: the same code paths at 64x64 (DenseDepth-169) and 96x96 (LR-ASPP), 1 warm-up + 2 timed steps.
    const small: [number, number] = [64, 64];
    return {
      quick,
      totalCapS: 170,
      children: [
        {
          id: 'onnx-n',
          label: `ONNX Runtime ${cores} threads`,
          backend: 'wasm',
          threads: cores,
          capS: 30,
          warmup: 1,
          reps: 2,
          tasks: [
            { kind: 'infer', preset: DD, size: small, batch: 1 },
            { kind: 'onnx', preset: DD, size: small, batch: 1, graph: true },
            { kind: 'onnx-torch', size: small },
            { kind: 'infer', preset: 'lraspp_mobilenetv3', size: [96, 96], batch: 1 },
            { kind: 'onnx', preset: 'lraspp_mobilenetv3', size: [96, 96], batch: 1 },
          ],
        },
        {
          id: 'wasm-n',
          label: `wasm ${cores} threads`,
          backend: 'wasm',
          threads: cores,
          capS: 30,
          warmup: 1,
          reps: 2,
          tasks: [
            { kind: 'matmul', n: 1024 },
            { kind: 'data', size: [240, 320], batch: 2, samples: 6, files: true },
            { kind: 'infer', preset: DD, size: small, batch: 1 },
            { kind: 'train', preset: DD, size: small, batch: 2 },
            { kind: 'profile', preset: DD, size: small, batch: 2, top: 10 },
            { kind: 'infer', preset: 'lraspp_mobilenetv3', size: [96, 96], batch: 1 },
            { kind: 'train', preset: 'lraspp_mobilenetv3', size: [96, 96], batch: 2 },
            { kind: 'leak', preset: 'lraspp_mobilenetv3', size: [96, 96], batch: 2, steps: 5 },
          ],
        },
        {
          id: 'cpu',
          label: 'cpu (tfjs-backend-cpu)',
          backend: 'cpu',
          threads: 1,
          capS: 10,
          warmup: 1,
          reps: 2,
          tasks: [{ kind: 'matmul', n: 512 }],
        },
        {
          id: 'tfjs-node',
          label: '@tensorflow/tfjs-node',
          backend: 'tensorflow',
          threads: cores,
          capS: 30,
          warmup: 1,
          reps: 2,
          tasks: [
            { kind: 'matmul', n: 1024 },
            { kind: 'infer', preset: DD, size: small, batch: 1 },
            { kind: 'train', preset: DD, size: small, batch: 2 },
          ],
        },
        {
          id: 'wasm-1',
          label: 'wasm 1 thread',
          backend: 'wasm',
          threads: 1,
          capS: 30,
          warmup: 1,
          reps: 2,
          tasks: [
            { kind: 'matmul', n: 1024 },
            { kind: 'infer', preset: DD, size: small, batch: 1 },
          ],
        },
      ],
      torch: [
        { id: 'torch-n', threads: cores, infer: ['64x64:1'], train: ['64x64:2'], warmup: 1, reps: 2, capS: 30 },
        {
          id: 'torch-onnx',
          threads: cores,
          infer: ['64x64:1'],
          train: [],
          other: ['lraspp_mobilenetv3:96x96:1'],
          warmup: 1,
          reps: 2,
          capS: 30,
        },
      ],
    };
  }
  // DenseDepth-169 at the paper's training size (240x320, batch 2) is the headline; its profile says where the
  // step's time goes. (Before the frugal backprop and the one-kernel batch norm it did not fit the 4 GB wasm heap.)
  const ddFull: Task[] = [
    { kind: 'matmul', n: 1024 },
    { kind: 'data', size: [240, 320], batch: 2, samples: 24, files: true },
    { kind: 'infer', preset: DD, size: [120, 160], batch: 1 },
    { kind: 'infer', preset: DD, size: [240, 320], batch: 1 },
    { kind: 'infer', preset: DD, size: [480, 640], batch: 1 },
    { kind: 'train', preset: DD, size: [120, 160], batch: 2 },
    { kind: 'train', preset: DD, size: [240, 320], batch: 2 },
    { kind: 'loop', preset: DD, size: [120, 160], batch: 2, steps: 3 },
    { kind: 'profile', preset: DD, size: [240, 320], batch: 2, top: 30 },
    { kind: 'kernels', reps: 3 },
    { kind: 'infer', preset: 'unet_resnet34', size: [240, 320], batch: 1 },
    { kind: 'train', preset: 'unet_resnet34', size: [240, 320], batch: 2 },
    { kind: 'infer', preset: 'lraspp_mobilenetv3', size: [200, 200], batch: 1 },
    { kind: 'train', preset: 'lraspp_mobilenetv3', size: [200, 200], batch: 2 },
    { kind: 'loop', preset: 'lraspp_mobilenetv3', size: [200, 200], batch: 2, steps: 4 },
    { kind: 'leak', preset: 'lraspp_mobilenetv3', size: [96, 96], batch: 2, steps: 50 },
  ];
  const ddCore: Task[] = [
    { kind: 'matmul', n: 1024 },
    { kind: 'infer', preset: DD, size: [120, 160], batch: 1 },
    { kind: 'infer', preset: DD, size: [480, 640], batch: 1 },
    { kind: 'train', preset: DD, size: [120, 160], batch: 2 },
    { kind: 'train', preset: DD, size: [240, 320], batch: 2 },
  ];
  const cpuTasks: Task[] = [
    { kind: 'matmul', n: 1024 },
    // A small probe first: its GFLOP/s predicts the larger steps, which are skipped if over the cap.
    { kind: 'infer', preset: DD, size: [120, 160], batch: 1 },
    { kind: 'infer', preset: DD, size: [480, 640], batch: 1 },
    { kind: 'train', preset: DD, size: [240, 320], batch: 2 },
  ];
  // ONNX Runtime next to tfjs wasm in one child (same process, same threads), PyTorch right after (torch-onnx).
  const onnxTasks: Task[] = [
    { kind: 'infer', preset: DD, size: [480, 640], batch: 1 },
    { kind: 'onnx', preset: DD, size: [480, 640], batch: 1, graph: true },
    { kind: 'onnx-torch', size: [480, 640] },
    { kind: 'infer', preset: DD, size: [240, 320], batch: 1 },
    { kind: 'onnx', preset: DD, size: [240, 320], batch: 1 },
    { kind: 'infer', preset: 'unet_resnet34', size: [240, 320], batch: 1 },
    { kind: 'onnx', preset: 'unet_resnet34', size: [240, 320], batch: 1 },
    { kind: 'infer', preset: 'lraspp_mobilenetv3', size: [200, 200], batch: 1 },
    { kind: 'onnx', preset: 'lraspp_mobilenetv3', size: [200, 200], batch: 1 },
  ];
  return {
    quick,
    totalCapS: 62 * 60,
    children: [
      {
        id: 'onnx-n',
        label: `ONNX Runtime ${cores} threads`,
        backend: 'wasm',
        threads: cores,
        capS: 120,
        warmup: 2,
        reps: 5,
        tasks: onnxTasks,
      },
      { id: 'wasm-n', label: `wasm ${cores} threads`, backend: 'wasm', threads: cores, capS: 120, warmup: 2, reps: 5, tasks: ddFull },
      { id: 'cpu', label: 'cpu (tfjs-backend-cpu)', backend: 'cpu', threads: 1, capS: 60, warmup: 2, reps: 5, tasks: cpuTasks },
      {
        id: 'tfjs-node',
        label: '@tensorflow/tfjs-node',
        backend: 'tensorflow',
        threads: cores,
        capS: 150,
        warmup: 2,
        reps: 5,
        tasks: ddFull.filter((t) => t.kind !== 'data' && t.kind !== 'loop' && t.kind !== 'profile'),
      },
      { id: 'wasm-1', label: 'wasm 1 thread', backend: 'wasm', threads: 1, capS: 300, warmup: 2, reps: 5, tasks: ddCore },
    ],
    torch: [
      {
        id: 'torch-onnx',
        threads: cores,
        infer: ['240x320:1', '480x640:1'],
        train: [],
        other: ['unet_resnet34:240x320:1', 'lraspp_mobilenetv3:200x200:1'],
        warmup: 2,
        reps: 5,
        capS: 150,
      },
      {
        id: 'torch-n',
        threads: cores,
        infer: ['120x160:1', '240x320:1', '480x640:1'],
        train: ['120x160:2', '240x320:2'],
        warmup: 2,
        reps: 5,
        capS: 150,
      },
      { id: 'torch-1', threads: 1, infer: ['120x160:1', '480x640:1'], train: ['120x160:2', '240x320:2'], warmup: 2, reps: 5, capS: 300 },
    ],
  };
}
