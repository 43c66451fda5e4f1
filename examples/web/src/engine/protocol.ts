/**
 * The messages between the page and the engine worker (types only: the page imports no model code).
 *
 * The page sends `{ id, type, args }`; the worker answers `{ id, ok: true, result }` or `{ id, ok: false, error }`,
 * and sends events `{ event, data }` (training progress) at any time.
 */

/** What the backend selector offers ('auto' tries webgpu, webgl, wasm, cpu in that order). */
export type BackendChoice = 'auto' | 'webgpu' | 'webgl' | 'wasm' | 'cpu';

/**
 * What runs the model: 'tfjs' (TensorFlow.js on the chosen backend, default) or 'onnx' (the model exported to ONNX
 * and run by onnxruntime-web: WebGPU where an adapter is given, else wasm; 'onnx-wasm' forces wasm).
 */
export type RuntimeChoice = 'tfjs' | 'onnx' | 'onnx-wasm';

/** 8-bit RGB pixels, row-major, 3 bytes a pixel. */
export interface RgbImage {
  rgb: Uint8Array;
  width: number;
  height: number;
}

/** What setupBackend chose, and why (its BackendInfo, the fields the page shows). */
export interface EngineInfo {
  backend: string;
  threads: number;
  simd: boolean;
  reason: string;
  crossOriginIsolated: boolean;
  tfjsVersion: string;
}

/** The model the engine holds now. */
export interface ModelSummary {
  /** The config's name (a preset's name, or the name given at training). */
  name: string;
  /** Where it came from: 'model.json + weights.bin', 'Keras .h5 nyu.h5 -> densedepth169', ... */
  source: string;
  params: number;
  encoder: string;
  decoder: string;
  /** Fixed input size [height, width], or null when the model takes any size. */
  inputSize: [number, number] | null;
  /** Messages worth showing (e.g. what a weight loader reported). */
  notes: string[];
}

export interface PresetInfo {
  name: string;
  description: string;
}

/** A depth map ready to show and to download. */
export interface Prediction {
  /** The photo as the model saw it (decoded by the engine), 8-bit RGB. */
  rgb: Uint8Array;
  /** Depth in metres at the photo's size. */
  depth: Float32Array;
  width: number;
  height: number;
  /** The size the model ran at, [height, width]. */
  workingSize: [number, number];
  /** The colourised depth, RGBA (ImageData layout). */
  colour: Uint8ClampedArray;
  /** Colour bar: the colour map's 256 RGB entries, the metres at its ends, and round tick values in between. */
  legend: { colormap: string; lut: Uint8Array; min: number; max: number; ticks: number[] };
  /** The point cloud (binary PLY), with the intrinsics used to back-project. */
  ply: Uint8Array;
  intrinsics: { fx: number; fy: number; cx: number; cy: number };
  /** Milliseconds the prediction took (model and flip TTA, not the colouring), and the backend it ran on. */
  ms: number;
  backend: string;
  /**
   * What ran the model: 'tfjs', or for ONNX e.g. 'ONNX Runtime Web 1.30.0 (wasm, 2 threads; no WebGPU adapter)'
   * (TensorFlow.js on `backend` still resizes the photo and the depth).
   */
  runtime: string;
}

/** The in-page training run (the quickstart's recipe, at a size and length that suit a page). */
export interface TrainSettings {
  /** 'quickstart': the quickstart's ResNet-18 U-Net; 'tiny': a small U-Net from scratch (seconds a step less). */
  model: 'quickstart' | 'tiny';
  width: number;
  height: number;
  batchSize: number;
  /** Optimisation steps. */
  steps: number;
  lr: number;
  /** 'adam' (the quickstart's, default) or plain 'sgd' (its update is the gradient times lr: the tests compare it). */
  optimizer?: 'adam' | 'sgd';
  trainScenes: number;
  testScenes: number;
  seed: number;
  /** Default true: the metrics table (baseline, before and after training); false trains only (the tests compare steps). */
  evaluate?: boolean;
}

/** One training step, as the live chart and the counters show it. */
export interface TrainProgress {
  step: number;
  steps: number;
  epoch: number;
  loss: number;
  terms: Record<string, number>;
  samplesPerSecond: number;
  /** Seconds spent training (pauses not counted). */
  seconds: number;
  paused: boolean;
}

/** The end of a training run: the metrics table as the quickstart prints it. */
export interface TrainSummary {
  steps: number;
  seconds: number;
  samplesPerSecond: number;
  /** Markdown, exactly as the quickstart writes metrics.md's table. */
  table: string;
  /** The rows behind it: constant baseline, before training, after training, after training + flip TTA. */
  rows: Record<string, Record<string, number>>;
  protocol: string;
  testScenes: number;
  stopped: boolean;
  model: ModelSummary;
}

/** A file the page offers as a download. */
export interface FileBytes {
  name: string;
  bytes: Uint8Array;
}

/** Every request: its arguments and its result. */
export interface Requests {
  setup: { args: { backend: BackendChoice; threads?: number }; result: EngineInfo };
  presets: { args: Record<string, never>; result: PresetInfo[] };
  loadModelFiles: { args: { files: File[] }; result: ModelSummary };
  /** A whole-model Keras .h5 (DenseDepth's nyu.h5) into a preset; `inputSize` [height, width] fixes the size (default: any). */
  loadKerasH5: { args: { file: File; preset: string; inputSize?: [number, number] }; result: ModelSummary };
  /** A preset, with ImageNet encoder weights (or any weight file that fits it) when given; `inputSize` as above. */
  loadPreset: { args: { preset: string; encoderWeights?: File; inputSize?: [number, number] }; result: ModelSummary };
  /** A photo file (decoded by the engine: JPEG / WebP by the browser, PNG by depthblocks) or pixels (a webcam frame). */
  predict: { args: { photo?: File; image?: RgbImage; flipTTA: boolean; runtime?: RuntimeChoice }; result: Prediction };
  train: { args: TrainSettings; result: TrainSummary };
  pause: { args: Record<string, never>; result: void };
  resume: { args: Record<string, never>; result: void };
  stop: { args: Record<string, never>; result: void };
  saveModel: { args: Record<string, never>; result: FileBytes[] };
  depthPng: { args: Record<string, never>; result: FileBytes };
}

export type RequestType = keyof Requests;

export interface RequestMessage<K extends RequestType = RequestType> {
  id: number;
  type: K;
  args: Requests[K]['args'];
}

export type ResponseMessage =
  { id: number; ok: true; result: unknown } | { id: number; ok: false; error: { code?: string; message: string } };

/** Events the worker sends without being asked. */
export interface Events {
  progress: TrainProgress;
  /** The live loss chart (SVG text), at most a few times a second. */
  chart: { svg: string };
  /** Training stopped at a pause, after `step` steps (no step runs until resumed). */
  paused: { step: number };
}

export type EventMessage<K extends keyof Events = keyof Events> = { event: K; data: Events[K] };
