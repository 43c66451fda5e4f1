import { tf, DepthblocksError, exactResizeBilinearGrad } from '@depthblocks/core';

/** How the source coordinate of an output pixel is computed (see {@link interpolationMatrix}). */
export type ResizeInterpolation = 'bilinear' | 'nearest';

/**
 * Options of {@link Resize2D}. Exactly one of three target modes applies:
 * - called on `[x, reference]`: x is resized to reference's height and width (size and scale ignored);
 * - `size: [h, w]`: a fixed output size;
 * - `scale: s` or `[sh, sw]`: output = round(input * scale) (x2 up-sampling: `scale: 2`).
 *
 * Sampling semantics (the same names as `tf.image.resize_bilinear` / `torch.nn.functional.interpolate`):
 * - `halfPixelCenters: true` (default): TF2 `tf.image.resize` = PyTorch `align_corners=False`;
 * - `alignCorners: true`: TF1 `align_corners=True` = PyTorch `align_corners=True`;
 * - both false: TF1's legacy default (src = dst * in / out).
 */
export interface Resize2DArgs {
  size?: [number, number];
  scale?: number | [number, number];
  interpolation?: ResizeInterpolation;
  alignCorners?: boolean;
  halfPixelCenters?: boolean;
  name?: string;
  trainable?: boolean;
}

/**
 * The `[outSize, inSize]` matrix M such that `M @ v` resizes the 1-D signal v (length inSize) to
 * outSize samples, with TensorFlow's `resize_bilinear` / `resize_nearest_neighbor` semantics.
 * Rows sum to 1. Exported for tests and for anyone who needs the weights themselves.
 *
 * @example
 * // 2 -> 4 samples, TF2 / PyTorch align_corners=False:
 * interpolationMatrix(2, 4, 'bilinear', { alignCorners: false, halfPixelCenters: true });
 * // rows: [1, 0], [0.75, 0.25], [0.25, 0.75], [0, 1]
 */
export function interpolationMatrix(
  inSize: number,
  outSize: number,
  interpolation: ResizeInterpolation,
  opts: { alignCorners: boolean; halfPixelCenters: boolean },
): Float32Array {
  const m = new Float32Array(outSize * inSize);
  const scale = opts.alignCorners && outSize > 1 ? (inSize - 1) / (outSize - 1) : opts.alignCorners ? 0 : inSize / outSize;
  for (let o = 0; o < outSize; o++) {
    if (interpolation === 'nearest') {
      // TF resize_nearest_neighbor: align corners rounds, half-pixel floors the shifted centre.
      const src = opts.halfPixelCenters ? (o + 0.5) * scale : o * scale;
      let i = opts.alignCorners ? Math.round(src) : Math.floor(src);
      i = Math.max(0, Math.min(inSize - 1, i));
      m[o * inSize + i] = 1;
      continue;
    }
    const src = opts.halfPixelCenters ? (o + 0.5) * scale - 0.5 : o * scale;
    const fl = Math.floor(src);
    const lerp = src - fl;
    const lo = Math.max(0, Math.min(inSize - 1, fl));
    const hi = Math.max(0, Math.min(inSize - 1, fl + 1));
    m[o * inSize + lo] += 1 - lerp;
    m[o * inSize + hi] += lerp;
  }
  return m;
}

/**
 * Resizes an NHWC tensor with explicit sampling semantics. Bilinear resizing uses tf.image.resizeBilinear
 * where its gradient is exact (TensorFlow's native kernel; cpu, wasm and webgl with the kernels depthblocks
 * registers): 1.4 s of DenseDepth-169's 12 s training step at 240x320 went to the matrix products otherwise.
 * Nearest up-sampling by whole factors repeats pixels (tiles). Otherwise (a backend without an exact
 * ResizeBilinearGrad, e.g. webgpu, or webgl without the backend's patch; other nearest resizes) it is two matrix
 * products with the interpolation matrices of {@link interpolationMatrix} (one per axis), exact everywhere.
 *
 * @example
 * const y = resize2d(tf.ones([1, 5, 7, 3]), [10, 14], { halfPixelCenters: true });
 */
export function resize2d(
  x: tf.Tensor4D,
  size: [number, number],
  opts: { interpolation?: ResizeInterpolation; alignCorners?: boolean; halfPixelCenters?: boolean } = {},
): tf.Tensor4D {
  const interpolation = opts.interpolation ?? 'bilinear';
  const alignCorners = opts.alignCorners ?? false;
  const halfPixelCenters = opts.halfPixelCenters ?? !alignCorners;
  checkSemantics(alignCorners, halfPixelCenters);
  const [n, h, w, c] = x.shape;
  const [ho, wo] = size;
  if (!(Number.isInteger(ho) && Number.isInteger(wo) && ho > 0 && wo > 0)) {
    throw new DepthblocksError('INVALID_ARGUMENT', `resize2d: target size must be two positive integers, got [${size.join(', ')}]`);
  }
  if (ho === h && wo === w) {
    // Every supported mode maps a same-size resize to the identity.
    return x.clone();
  }
  if (interpolation === 'bilinear' && exactResizeBilinearGrad()) {
    return tf.image.resizeBilinear(x, [ho, wo], alignCorners, halfPixelCenters);
  }
  if (interpolation === 'nearest' && !alignCorners && ho % h === 0 && wo % w === 0) {
    // Up-sampling by whole factors: both nearest conventions pick source floor(o / factor), i.e. each pixel
    // repeated. Done as concatenations of copies on the last axis (its gradient: a split and adds), instead of
    // dense interpolation matrices (4.4 s of U-Net ResNet-34's 7.6 s training step at 240x320, batch 2) or
    // tf.tile (0.95 s: the wasm Tile kernel is generic).
    const fh = ho / h;
    const fw = wo / w;
    return tf.tidy(() => {
      let t: tf.Tensor = x;
      if (fw > 1) t = tf.reshape(tf.concat(new Array<tf.Tensor>(fw).fill(tf.reshape(t, [n * h * w, c])), 1), [n, h, wo, c]);
      if (fh > 1) t = tf.reshape(tf.concat(new Array<tf.Tensor>(fh).fill(tf.reshape(t, [n * h, wo * c])), 1), [n, ho, wo, c]);
      return t as tf.Tensor4D;
    });
  }
  return tf.tidy(() => {
    const sem = { alignCorners, halfPixelCenters };
    // Height: [H, N*W*C] <- rows of x
    let t: tf.Tensor = x;
    if (ho !== h) {
      const mh = tf.tensor2d(interpolationMatrix(h, ho, interpolation, sem), [ho, h]);
      const rows = tf.reshape(tf.transpose(t, [1, 0, 2, 3]), [h, n * w * c]);
      t = tf.transpose(tf.reshape(tf.matMul(mh, rows), [ho, n, w, c]), [1, 0, 2, 3]);
    }
    if (wo !== w) {
      const mw = tf.tensor2d(interpolationMatrix(w, wo, interpolation, sem), [wo, w]);
      const cols = tf.reshape(tf.transpose(t, [2, 0, 1, 3]), [w, n * ho * c]);
      t = tf.transpose(tf.reshape(tf.matMul(mw, cols), [wo, n, ho, c]), [1, 2, 0, 3]);
    }
    return t as tf.Tensor4D;
  });
}

function checkSemantics(alignCorners: boolean, halfPixelCenters: boolean): void {
  if (alignCorners && halfPixelCenters) {
    throw new DepthblocksError(
      'INVALID_ARGUMENT',
      'Resize: alignCorners and halfPixelCenters cannot both be true (TensorFlow forbids it); ' +
        'use halfPixelCenters for TF2/PyTorch align_corners=False, alignCorners for align_corners=True',
    );
  }
}

type Shape = (number | null)[];

/**
 * Resize layer (registered as `Resize2D` so that models containing it save and load in the tfjs
 * format). Called on one tensor it resizes to `size` or by `scale`; called on `[x, reference]` it
 * resizes x to reference's spatial size, which is how decoders handle inputs whose size is not a
 * multiple of 32.
 *
 * @example
 * const up = new Resize2D({ name: 'up1_upsampling2d', halfPixelCenters: true }).apply([x, skip]);
 * const x2 = new Resize2D({ scale: 2 }).apply(x);
 */
export class Resize2D extends tf.layers.Layer {
  static className = 'Resize2D';
  readonly size?: [number, number];
  readonly scale?: [number, number];
  readonly interpolation: ResizeInterpolation;
  readonly alignCorners: boolean;
  readonly halfPixelCenters: boolean;

  constructor(args: Resize2DArgs = {}) {
    super({ name: args.name, trainable: args.trainable });
    this.interpolation = args.interpolation ?? 'bilinear';
    if (this.interpolation !== 'bilinear' && this.interpolation !== 'nearest') {
      throw new DepthblocksError(
        'INVALID_ARGUMENT',
        `Resize2D: interpolation must be 'bilinear' or 'nearest', got '${String(args.interpolation)}'`,
      );
    }
    this.alignCorners = args.alignCorners ?? false;
    this.halfPixelCenters = args.halfPixelCenters ?? !this.alignCorners;
    checkSemantics(this.alignCorners, this.halfPixelCenters);
    if (args.size !== undefined) {
      const ok = Array.isArray(args.size) && args.size.length === 2 && args.size.every((v) => Number.isInteger(v) && v > 0);
      if (!ok) {
        throw new DepthblocksError(
          'INVALID_ARGUMENT',
          `Resize2D: size must be [height, width] positive integers, got ${JSON.stringify(args.size)}`,
        );
      }
      this.size = [args.size[0], args.size[1]];
    }
    if (args.scale !== undefined) {
      const s: [number, number] = Array.isArray(args.scale) ? [args.scale[0], args.scale[1]] : [args.scale, args.scale];
      if (!s.every((v) => Number.isFinite(v) && v > 0)) {
        throw new DepthblocksError('INVALID_ARGUMENT', `Resize2D: scale must be positive, got ${JSON.stringify(args.scale)}`);
      }
      this.scale = s;
    }
  }

  private targetSize(inShape: Shape, refShape: Shape | null): [number | null, number | null] {
    if (refShape) return [refShape[1], refShape[2]];
    if (this.size) return this.size;
    if (this.scale) {
      const h = inShape[1] == null ? null : Math.round(inShape[1] * this.scale[0]);
      const w = inShape[2] == null ? null : Math.round(inShape[2] * this.scale[1]);
      return [h, w];
    }
    throw new DepthblocksError(
      'INVALID_ARGUMENT',
      `Resize2D '${this.name}': called on one tensor without size or scale; pass [x, reference] or set size/scale`,
    );
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shapes = (Array.isArray(inputShape[0]) ? inputShape : [inputShape]) as Shape[];
    const x = shapes[0];
    if (x.length !== 4) {
      throw new DepthblocksError('INVALID_RANK', `Resize2D '${this.name}': input must be rank 4 (NHWC), got shape [${x.join(', ')}]`);
    }
    const [h, w] = this.targetSize(x, shapes.length > 1 ? shapes[1] : null);
    return [x[0], h, w, x[3]];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const list = Array.isArray(inputs) ? inputs : [inputs];
    const x = list[0] as tf.Tensor4D;
    const [h, w] = this.targetSize(x.shape, list.length > 1 ? list[1].shape : null);
    return resize2d(x, [h as number, w as number], {
      interpolation: this.interpolation,
      alignCorners: this.alignCorners,
      halfPixelCenters: this.halfPixelCenters,
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = {
      interpolation: this.interpolation,
      alignCorners: this.alignCorners,
      halfPixelCenters: this.halfPixelCenters,
    };
    if (this.size) config.size = [...this.size];
    if (this.scale) config.scale = [...this.scale];
    return { ...super.getConfig(), ...config };
  }
}
tf.serialization.registerClass(Resize2D);
