/**
 * Evaluation of any model on any dataset under a named protocol, streaming (one image at a time), with
 * flip TTA, predictions resized to the ground truth's size by the protocol, and sharding: `shard: [i, N]`
 * evaluates every N-th sample from i, and `mergeEvaluations` combines the shards' saved states exactly.
 */
import { DepthblocksError, tf, type Dataset, type Sample } from '@depthblocks/core';
import {
  DepthAccumulator,
  OrdinalAccumulator,
  createAccumulator,
  type DepthAccumulatorState,
  type DepthProtocolName,
  type EvaluationResult,
  type OrdinalAccumulatorState,
  type OrdinalEvaluationResult,
  type ProtocolOptions,
} from '@depthblocks/metrics';
import type { DepthModel } from './create-model';
import type { ExportOnnxOptions } from './onnx/export';
import type { LoadOnnxOptions, OnnxModel } from './onnx/runtime';
import { openPredictor, type InferenceRuntime } from './runtime-choice';
import { workingSize } from './working-size';

/** A registered evaluation protocol (@depthblocks/metrics' listProtocols: the NYU and KITTI ones, 'diw', or your own). */
export type EvalProtocol = DepthProtocolName | 'diw' | (string & {});

export interface EvaluateOptions {
  protocol: EvalProtocol;
  protocolOptions?: ProtocolOptions & { tau?: number };
  flipTTA?: boolean;
  /** Resize the RGB to this size before the model (e.g. 200x200 for the Maastricht models); default: as stored. */
  inputSize?: { width: number; height: number };
  /**
   * Without inputSize: images larger than this on their long side are scaled down to a working resolution
   * (see workingSize) before the model; predictions are resized to the ground truth by the protocol anyway.
   */
  maxSize?: number;
  /** A sample that cannot be read: 'throw' (default) or 'skip' it and list it in `skipped`. */
  onError?: 'throw' | 'skip';
  /** [index, count]: evaluate samples i with i % count === index. */
  shard?: [number, number];
  /** Evaluate at most this many samples (after sharding). */
  limit?: number;
  /** Called after each image with its own metrics (null when it had no valid pixel). */
  onImage?: (index: number, sample: Sample, metrics: Record<string, number> | null) => void;
  /** 'tfjs' (default) or 'onnx': the forward passes in ONNX Runtime (an OnnxModel always uses it). */
  runtime?: InferenceRuntime;
  /** ONNX Runtime settings of runtime 'onnx' (threads, ORT module, export options). */
  onnx?: LoadOnnxOptions & { export?: ExportOnnxOptions };
}

export interface EvaluationOutput {
  protocol: EvalProtocol;
  result: EvaluationResult | OrdinalEvaluationResult;
  /** The accumulator's state: save it as JSON and merge shards with mergeEvaluations. */
  state: DepthAccumulatorState | OrdinalAccumulatorState;
  shard?: [number, number];
  samples: number;
  /** Samples skipped with onError 'skip': index and the error's message. */
  skipped: { index: number; id?: string; message: string }[];
}

/** Parses a shard given as "i/N" (0-based i). */
export function parseShard(text: string): [number, number] {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const i = m ? Number(m[1]) : NaN;
  const n = m ? Number(m[2]) : NaN;
  if (!m || !(n >= 1) || !(i >= 0 && i < n))
    throw new DepthblocksError('INVALID_ARGUMENT', `A shard is "i/N" with 0 <= i < N, e.g. "0/4"; got "${text}"`);
  return [i, n];
}

/** 8-bit RGB (a Sample, or any H*W*3 image) as [1,H,W,3] in [0,1], optionally resized (bilinear, half-pixel centres). */
export function sampleToInput(s: Pick<Sample, 'rgb' | 'width' | 'height'>, size?: { width: number; height: number }): tf.Tensor4D {
  return tf.tidy(() => {
    const x = tf.div(tf.tensor4d(s.rgb, [1, s.height, s.width, 3], 'int32').toFloat(), 255) as tf.Tensor4D;
    return size && (size.width !== s.width || size.height !== s.height)
      ? tf.image.resizeBilinear(x, [size.height, size.width], false, true)
      : x;
  });
}

/**
 * Evaluates a model on a dataset.
 *
 * @example
 * const out = await evaluate(model, nyuLabeled({ file, split: 'test' }), { protocol: 'nyu-eigen', flipTTA: true });
 * console.log(toMarkdownTable([{ name: 'mine', metrics: out.result.metrics }]));
 */
export async function evaluate(
  model: DepthModel | tf.LayersModel | OnnxModel,
  dataset: Dataset,
  options: EvaluateOptions,
): Promise<EvaluationOutput> {
  const acc = createAccumulator(options.protocol, options.protocolOptions ?? {});
  const [si, sn] = options.shard ?? [0, 1];
  if (!(sn >= 1 && si >= 0 && si < sn))
    throw new DepthblocksError('INVALID_ARGUMENT', `shard must be [i, N] with 0 <= i < N, got [${si}, ${sn}]`);
  let done = 0;
  const skipped: EvaluationOutput['skipped'] = [];
  const predictor = await openPredictor(model, options.runtime, options.onnx);
  try {
    for (let i = si; i < dataset.length; i += sn) {
      if (options.limit !== undefined && done >= options.limit) break;
      let s: Sample;
      try {
        s = await dataset.get(i);
      } catch (e) {
        if (options.onError !== 'skip' || !(e instanceof DepthblocksError) || e.code === 'INVALID_ARGUMENT') throw e;
        skipped.push({ index: i, id: dataset.ids?.[i], message: e.message });
        continue;
      }
      let size = options.inputSize;
      const config = model instanceof tf.LayersModel ? null : model.config;
      if (!size && options.maxSize !== undefined && Math.max(s.width, s.height) > options.maxSize && config) {
        const [h, w] = workingSize(config, s, { maxSize: options.maxSize });
        size = { height: h, width: w };
      }
      const x = sampleToInput(s, size);
      const pred = await predictor.predict(x, { flipTTA: options.flipTTA }).finally(() => x.dispose());
      const [, ph, pw] = pred.shape;
      const values = (await pred.data()) as Float32Array;
      pred.dispose();
      let m: Record<string, number> | null;
      if (acc instanceof OrdinalAccumulator) {
        if (!s.pairs) throw new DepthblocksError('INVALID_DATA', `Protocol 'diw' needs point pairs, but sample ${s.id} has none`);
        m = { ...acc.add(values, ph, pw, s.pairs, { pairsSize: { width: s.width, height: s.height } }) } as unknown as Record<
          string,
          number
        >;
      } else {
        m = acc.add({ gt: s.depth, width: s.width, height: s.height, pred: values, predWidth: pw, predHeight: ph }) as unknown as Record<
          string,
          number
        > | null;
      }
      options.onImage?.(i, s, m);
      done++;
    }
  } finally {
    await predictor.release();
  }
  return { protocol: options.protocol, result: acc.result(), state: acc.toJSON(), shard: options.shard, samples: done, skipped };
}

/** Merges shard states (from evaluate().state or their JSON) into one result, exactly. */
export function mergeEvaluations(
  states: (DepthAccumulatorState | OrdinalAccumulatorState | string)[],
): EvaluationResult | OrdinalEvaluationResult {
  if (states.length === 0) throw new DepthblocksError('INVALID_ARGUMENT', 'mergeEvaluations: no shard states given');
  const parsed = states.map((s) => (typeof s === 'string' ? JSON.parse(s) : s)) as (DepthAccumulatorState | OrdinalAccumulatorState)[];
  if (parsed[0].kind === 'depth') {
    const acc = DepthAccumulator.fromJSON(parsed[0] as DepthAccumulatorState);
    for (const s of parsed.slice(1)) acc.merge(DepthAccumulator.fromJSON(s as DepthAccumulatorState));
    return acc.result();
  }
  const acc = OrdinalAccumulator.fromJSON(parsed[0] as OrdinalAccumulatorState);
  for (const s of parsed.slice(1)) acc.merge(OrdinalAccumulator.fromJSON(s as OrdinalAccumulatorState));
  return acc.result();
}

/** The best constant-depth predictor for a set of samples (their valid depths' median), as a baseline. */
export function constantBaseline(samples: Sample[]): number {
  const all: number[] = [];
  for (const s of samples) for (const d of s.depth) if (d > 0 && Number.isFinite(d)) all.push(d);
  if (all.length === 0) throw new DepthblocksError('INVALID_DATA', 'constantBaseline: no valid depth in the samples');
  all.sort((a, b) => a - b);
  const n = all.length;
  return n % 2 ? all[(n - 1) / 2] : (all[n / 2 - 1] + all[n / 2]) / 2;
}
