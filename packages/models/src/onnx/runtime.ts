/**
 * An exported model in an ONNX Runtime session: tfjs tensors in and out, metadata-aware (layout, fixed sizes,
 * output units). Works with onnxruntime-node (default in Node) and onnxruntime-web (pass `ort`).
 */
import { tf, DepthblocksError, checkRank } from '@depthblocks/core';
import type { DepthModelConfig } from '../config';
import type { DepthNormalization } from '@depthblocks/core';
import type { OnnxExport } from './export';
import { readOnnxMetadata, type OnnxMetadata } from './metadata';
import { defaultOrt, type OrtModule, type OrtSession } from './ort';

/** Options of {@link loadOnnxModel}. */
export interface LoadOnnxOptions {
  /** The ONNX Runtime module (default: onnxruntime-node in Node; in browsers pass onnxruntime-web). */
  ort?: OrtModule;
  /** Threads of one operator (ORT intraOpNumThreads); default: ORT's (the physical cores). */
  threads?: number;
  /** ORT execution providers, e.g. ['webgpu', 'wasm'] with onnxruntime-web (default: ORT's, the CPU). */
  executionProviders?: unknown[];
  /**
   * Where the .onnx file is (Node): ONNX Runtime then loads it from there and finds external data next to it.
   * Set by loadOnnxFile.
   */
  path?: string;
  /** More ORT session options, passed through. */
  sessionOptions?: Record<string, unknown>;
}

/**
 * A depthblocks model exported to ONNX, running in ONNX Runtime. Make one with {@link loadOnnxModel} (bytes or
 * an exportOnnx result) or `loadOnnxFile` (Node); pass it to `predict` and `evaluate`.
 */
export class OnnxModel {
  private released = false;

  private constructor(
    private readonly ort: OrtModule,
    private readonly session: OrtSession,
    /** What the file says about itself (exportOnnx's metadata_props). */
    readonly metadata: OnnxMetadata,
  ) {}

  /** @internal use loadOnnxModel */
  static async create(bytes: Uint8Array, externalData: OnnxExport['externalData'], options: LoadOnnxOptions): Promise<OnnxModel> {
    const metadata = readOnnxMetadata(bytes);
    if (!metadata) {
      throw new DepthblocksError(
        'UNSUPPORTED',
        'This ONNX model has no depthblocks metadata (metadata_props depthblocks.*): it was not written by exportOnnx. ' +
          'Run foreign ONNX models with onnxruntime directly, or export the depthblocks model with exportOnnx / depthblocks export',
      );
    }
    if (options.threads !== undefined && !(Number.isInteger(options.threads) && options.threads > 0)) {
      throw new DepthblocksError('INVALID_ARGUMENT', `loadOnnxModel: threads must be a positive integer, got ${options.threads}`);
    }
    const ort = options.ort ?? defaultOrt();
    const sessionOptions: Record<string, unknown> = {
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
      ...(options.threads ? { intraOpNumThreads: options.threads, interOpNumThreads: 1 } : {}),
      ...(options.executionProviders ? { executionProviders: options.executionProviders } : {}),
      ...(externalData ? { externalData: [{ path: externalData.location, data: externalData.data }] } : {}),
      ...options.sessionOptions,
    };
    let session: OrtSession;
    try {
      session = await ort.InferenceSession.create(options.path ?? bytes, sessionOptions);
    } catch (e) {
      throw new DepthblocksError(
        'CORRUPT_FILE',
        `ONNX Runtime could not load the model${options.path ? ` ${options.path}` : ''}: ${(e as Error).message}`,
      );
    }
    return new OnnxModel(ort, session, metadata);
  }

  /** The depthblocks config recorded at export (null for a bare tf.LayersModel's export). */
  get config(): DepthModelConfig | null {
    return this.metadata.config;
  }

  /** The model's depth normalisation (already undone inside the graph when `metadata.output.units` is 'metres'). */
  get depth(): DepthNormalization {
    return this.metadata.output.depth;
  }

  /**
   * One forward pass: `x` [N, H, W, C] (NHWC, RGB in [0, 1]) -> the graph's output as [N, H', W', C'] (metres, or
   * the raw output for `output: 'raw'` exports). The caller disposes the result.
   *
   * @example
   * const y = await onnx.run(tf.zeros([1, 200, 200, 3]));
   */
  async run(x: tf.Tensor4D): Promise<tf.Tensor4D> {
    if (this.released) throw new DepthblocksError('INVALID_ARGUMENT', 'OnnxModel.run: the session was released');
    checkRank(x.shape, 4, 'OnnxModel.run: x');
    const { input, output } = this.metadata;
    const [, h, w, c] = x.shape;
    if (c !== input.channels) {
      throw new DepthblocksError('SHAPE_MISMATCH', `ONNX model takes ${input.channels} channels, got ${c} (shape [${x.shape.join(', ')}])`);
    }
    if (input.fixedSize && (input.fixedSize[0] !== h || input.fixedSize[1] !== w)) {
      throw new DepthblocksError(
        'SHAPE_MISMATCH',
        `ONNX model takes ${input.fixedSize[0]}x${input.fixedSize[1]} images only (exported with a fixed size), got ${h}x${w}; resize the RGB first`,
      );
    }
    const nchwIn = input.layout === 'NCHW';
    const feed = nchwIn ? tf.transpose(x, [0, 3, 1, 2]) : x;
    const data = (await feed.data()) as Float32Array;
    if (feed !== x) feed.dispose();
    const tensor = new this.ort.Tensor('float32', data, feed.shape);
    const result = await this.session.run({ [input.name]: tensor });
    tensor.dispose?.();
    const out = result[output.name];
    const dims = out.dims as number[];
    const y = tf.tensor4d(out.data as Float32Array, dims as [number, number, number, number]);
    for (const t of Object.values(result)) t.dispose?.();
    if (output.layout !== 'NCHW') return y;
    const nhwc = tf.transpose(y, [0, 2, 3, 1]) as tf.Tensor4D;
    y.dispose();
    return nhwc;
  }

  /** Frees the ONNX Runtime session. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.session.release();
  }
}

/**
 * Opens an exported model in ONNX Runtime: an exportOnnx result, or the bytes of a .onnx file.
 *
 * @example
 * const onnx = await loadOnnxModel(await exportOnnx(dm), { threads: 2 });
 * const metres = await predict(onnx, rgb, { flipTTA: true });
 * await onnx.release();
 */
export async function loadOnnxModel(source: OnnxExport | Uint8Array, options: LoadOnnxOptions = {}): Promise<OnnxModel> {
  if (source instanceof Uint8Array) return OnnxModel.create(source, undefined, options);
  if (source && source.model instanceof Uint8Array) return OnnxModel.create(source.model, source.externalData, options);
  throw new DepthblocksError('INVALID_ARGUMENT', 'loadOnnxModel: pass the result of exportOnnx or the bytes of a .onnx file');
}
