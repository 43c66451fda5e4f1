/**
 * The named evaluation protocols: which pixels count (crop, depth caps), what happens to the
 * prediction (bilinear resize to the ground truth, median scaling, clamping) and how images are
 * averaged (whole set stacked, or per image).
 */
import { DepthblocksError } from '@depthblocks/core';
import { protocolRegistry, registerProtocol, type OrdinalProtocol, type Protocol, type AnyProtocolOptions } from './registry';
import { resizeBilinear } from './resize';
import { skimageResize } from './skimage-resize';

export type ProtocolName = 'nyu-densedepth' | 'nyu-eigen' | 'kitti-eigen-garg' | 'diw';
export type DepthProtocolName = Exclude<ProtocolName, 'diw'>;

/** Half-open pixel ranges [top, bottom) x [left, right). */
export interface CropBox {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/** Options that change a protocol. */
export interface ProtocolOptions {
  /**
   * How a crop defined at the native resolution applies at another size: 'scale' (default) scales its
   * edges proportionally (rounded); 'strict' throws unless the ground truth has the native size.
   * KITTI's Garg crop is defined by fractions and always scales (as monodepth2 does).
   */
  cropMode?: 'scale' | 'strict';
  /** KITTI: per-image median scaling p *= median(y) / median(p) over the evaluated pixels. Default false. */
  medianScaling?: boolean;
}

/** A depth evaluation protocol, fully specified. */
export interface DepthProtocol {
  kind: 'depth';
  /** Its registry name (the built-in ones are {@link DepthProtocolName}s). */
  name: DepthProtocolName | (string & {});
  /** 'whole-set': metrics over all pixels of all images stacked; 'per-image': mean of per-image metrics. */
  averaging: 'whole-set' | 'per-image';
  /**
   * Ground truth is valid where minDepth < y < maxDepth (exclusive; compared in float32 like numpy does
   * for float32 depth arrays, so a float32 1e-3 is out); no caps when undefined (y > 0).
   */
  minDepth?: number;
  maxDepth?: number;
  /** Clamp the prediction to [minDepth, maxDepth] (NaN -> minDepth, +Inf -> maxDepth). */
  clampPrediction: boolean;
  medianScaling: boolean;
  /**
   * How a prediction of another size is resized to the ground truth: 'bilinear' (default: half-pixel centres,
   * edges clamped: OpenCV / tf.image.resize, monodepth2 and BTS) or 'skimage' (skimage's resize with mirrored
   * edges and anti-aliasing, DenseDepth's scale_up; see skimageResize).
   */
  resize?: 'bilinear' | 'skimage';
  /** The crop for a ground-truth size. */
  crop(height: number, width: number): CropBox;
  /** A one-line description for reports. */
  description: string;
}

function scaledCrop(
  name: string,
  native: { height: number; width: number },
  box: CropBox,
  mode: 'scale' | 'strict',
): (h: number, w: number) => CropBox {
  return (h, w) => {
    if (h === native.height && w === native.width) return { ...box };
    if (mode === 'strict') {
      throw new DepthblocksError(
        'INVALID_ARGUMENT',
        `${name}: the crop is defined for ${native.height}x${native.width} ground truth, got ${h}x${w}; evaluate at the native size ` +
          "(resize the prediction, not the ground truth) or pass cropMode: 'scale'",
      );
    }
    return {
      top: Math.round((box.top * h) / native.height),
      bottom: Math.round((box.bottom * h) / native.height),
      left: Math.round((box.left * w) / native.width),
      right: Math.round((box.right * w) / native.width),
    };
  };
}

/** Checks the crop mode shared by the depth protocols. */
function cropModeOf(options: ProtocolOptions): 'scale' | 'strict' {
  const mode = options.cropMode ?? 'scale';
  if (mode !== 'scale' && mode !== 'strict') {
    throw new DepthblocksError('INVALID_ARGUMENT', `getProtocol: cropMode must be 'scale' or 'strict', got ${String(mode)}`);
  }
  return mode;
}

/** Registers an NYU protocol: its crop is defined at 480x640 (scaled to other sizes unless cropMode 'strict'). */
function registerNyu(
  name: string,
  box: CropBox,
  rules: Pick<DepthProtocol, 'averaging' | 'minDepth' | 'maxDepth' | 'clampPrediction' | 'resize' | 'description'>,
): void {
  registerProtocol(
    name,
    (o = {}) => ({
      kind: 'depth',
      name,
      ...rules,
      medianScaling: o.medianScaling ?? false,
      crop: scaledCrop(name, { height: 480, width: 640 }, box, cropModeOf(o)),
    }),
    { kind: 'depth', description: rules.description },
  );
}

registerNyu(
  'nyu-densedepth',
  { top: 20, bottom: 460, left: 24, right: 616 },
  {
    averaging: 'whole-set',
    clampPrediction: false,
    resize: 'skimage',
    description: 'NYU Depth v2, DenseDepth protocol: skimage up-scaling, crop rows 20..459 cols 24..615, no caps, whole set',
  },
);
registerNyu(
  'nyu-eigen',
  { top: 45, bottom: 471, left: 41, right: 601 },
  {
    averaging: 'per-image',
    minDepth: 1e-3,
    maxDepth: 10,
    clampPrediction: true,
    description: 'NYU Depth v2, Eigen crop [45:471, 41:601], 1e-3 < y < 10, per image',
  },
);

registerProtocol(
  'kitti-eigen-garg',
  (o = {}) => {
    cropModeOf(o);
    return {
      kind: 'depth',
      name: 'kitti-eigen-garg',
      averaging: 'per-image',
      minDepth: 1e-3,
      maxDepth: 80,
      clampPrediction: true,
      medianScaling: o.medianScaling ?? false,
      crop: (h, w) => ({
        top: Math.trunc(0.40810811 * h),
        bottom: Math.trunc(0.99189189 * h),
        left: Math.trunc(0.03594771 * w),
        right: Math.trunc(0.96405229 * w),
      }),
      description: `KITTI Eigen split, Garg crop, 1e-3 < y < 80${o.medianScaling ? ', median scaling' : ''}, per image`,
    };
  },
  { kind: 'depth', description: 'KITTI Eigen split (monodepth2): Garg crop, 1e-3 < y < 80, optional median scaling, per image' },
);

/**
 * A protocol by registry name (see {@link listProtocols}).
 * - `nyu-densedepth`: DenseDepth's evaluate.py / utils.py: dense (filled) NYU gt, predictions up-scaled with
 *   skimage's resize (its scale_up), crop rows 20..459 / cols 24..615 inclusive at 480x640, no caps, metrics over
 *   the whole test set stacked. abs rel divides by the ground truth; DenseDepth's own code passes its arguments
 *   swapped and divides by the prediction: that number is reported too, as `asPublished.absRel`.
 * - `nyu-eigen`: raw gt, crop [45:471, 41:601] at 480x640, valid 1e-3 < y < 10, prediction clamped to
 *   [1e-3, 10] (BTS), per-image metrics averaged.
 * - `kitti-eigen-garg`: valid 1e-3 < y < 80, Garg crop rows trunc(0.40810811 H)..trunc(0.99189189 H),
 *   cols trunc(0.03594771 W)..trunc(0.96405229 W) (half-open, as monodepth2), optional median scaling,
 *   prediction clamped to [1e-3, 80], per-image averaging.
 * - `diw`: ordinal (WHDR/WKDR on point pairs); see OrdinalAccumulator.
 *
 * @example
 * const p = getProtocol('kitti-eigen-garg', { medianScaling: true });
 * p.crop(375, 1242); // { top: 153, bottom: 371, left: 44, right: 1197 }
 */
export function getProtocol(name: DepthProtocolName, options?: ProtocolOptions): DepthProtocol;
export function getProtocol(name: 'diw', options?: AnyProtocolOptions): OrdinalProtocol;
export function getProtocol(name: string, options?: AnyProtocolOptions): Protocol;
export function getProtocol(name: string, options: AnyProtocolOptions = {}): Protocol {
  return protocolRegistry.get(name).factory(options);
}

/** A registered depth protocol, or an error that says the name is ordinal or unknown. */
export function getDepthProtocol(name: string, options: ProtocolOptions = {}): DepthProtocol {
  const p = getProtocol(name, options);
  if (p.kind !== 'depth') {
    throw new DepthblocksError(
      'INVALID_ARGUMENT',
      `'${name}' is an ordinal protocol (point pairs): use OrdinalAccumulator or createAccumulator('${name}')`,
    );
  }
  return p;
}

/** One ground-truth / prediction pair as an evaluation consumes it (row-major, metres, 0 = invalid). */
export interface EvalImage {
  gt: ArrayLike<number>;
  width: number;
  height: number;
  pred: ArrayLike<number>;
  /** Size of the prediction when it differs from the ground truth (it is resized first, as the protocol's `resize` says). */
  predWidth?: number;
  predHeight?: number;
  /** Optional extra validity mask at the gt size (1 valid). */
  mask?: ArrayLike<number>;
}

const { min: minOf, max: maxOf } = Math; // module aliases for the hot loops
const isNaNNumber = Number.isNaN;

/** numpy's median (mean of the two middle values for an even count). */
export function median(values: ArrayLike<number>): number {
  const a = Float64Array.from(values).sort();
  const n = a.length;
  if (n === 0) return NaN;
  return n % 2 === 1 ? a[(n - 1) / 2] : (a[n / 2 - 1] + a[n / 2]) / 2;
}

/**
 * Applies a protocol to one image: resizes the prediction to the ground truth, keeps the pixels inside
 * the crop whose ground truth is valid under the caps (and the mask), median-scales and clamps the
 * prediction as the protocol says. Returns the evaluated gt and prediction values (float64) and the scale.
 *
 * @example
 * const { gt, pred } = applyProtocol(getProtocol('nyu-eigen'), { gt, width: 640, height: 480, pred });
 */
export function applyProtocol(
  protocol: DepthProtocol,
  image: EvalImage,
): { gt: Float64Array; pred: Float64Array; scale: number; crop: CropBox } {
  const { width, height } = image;
  if (image.gt.length !== width * height) {
    throw new DepthblocksError(
      'SHAPE_MISMATCH',
      `${protocol.name}: ground truth has ${image.gt.length} values, expected ${height}x${width} = ${width * height}`,
    );
  }
  const pw = image.predWidth ?? width;
  const ph = image.predHeight ?? height;
  if (image.pred.length !== pw * ph) {
    throw new DepthblocksError(
      'SHAPE_MISMATCH',
      `${protocol.name}: prediction has ${image.pred.length} values, expected ${ph}x${pw} = ${pw * ph}; pass predWidth/predHeight when it has another size than the ground truth`,
    );
  }
  if (image.mask && image.mask.length !== width * height) {
    throw new DepthblocksError('SHAPE_MISMATCH', `${protocol.name}: mask has ${image.mask.length} values, expected ${width * height}`);
  }
  const pred =
    pw === width && ph === height
      ? image.pred
      : protocol.resize === 'skimage'
        ? skimageResize(image.pred, ph, pw, height, width, { antiAliasing: true })
        : resizeBilinear(image.pred, ph, pw, height, width);
  const crop = protocol.crop(height, width);
  // caps in float32, as numpy compares a float32 depth array with a Python float (and stores clamps)
  const lo = Math.fround(protocol.minDepth ?? 0);
  const hi = Math.fround(protocol.maxDepth ?? Infinity);
  const top = Math.max(0, crop.top);
  const bottom = Math.min(height, crop.bottom);
  const left = Math.max(0, crop.left);
  const right = Math.min(width, crop.right);
  const src = image.gt;
  const mask = image.mask;
  const isValid = (i: number): boolean => {
    const g = src[i];
    return g > lo && g < hi && (mask === undefined || mask[i] > 0);
  };
  let n = 0;
  for (let y = top; y < bottom; y++) for (let i = y * width + left, end = y * width + right; i < end; i++) if (isValid(i)) n++;
  const gt = new Float64Array(n);
  const p = new Float64Array(n);
  let k = 0;
  for (let y = top; y < bottom; y++) {
    for (let i = y * width + left, end = y * width + right; i < end; i++) {
      if (isValid(i)) {
        gt[k] = src[i];
        p[k++] = pred[i];
      }
    }
  }
  let scale = 1;
  if (protocol.medianScaling && p.length > 0) {
    scale = median(gt) / median(p);
    for (let k = 0; k < p.length; k++) p[k] *= scale;
  }
  if (protocol.clampPrediction) {
    const cmin = lo;
    const cmax = hi;
    for (let k = 0; k < p.length; k++) {
      const v = p[k];
      p[k] = isNaNNumber(v) ? cmin : minOf(maxOf(v, cmin), cmax);
    }
  }
  return { gt, pred: p, scale, crop };
}
