/**
 * Perceptual loss: L1 distance between a frozen encoder's features of the true and the predicted depth
 * (Ashok: ImageNet ResNet-50 up to `conv2_block1_out`).
 */
import { DepthblocksError, checkRank, tf } from '@depthblocks/core';
import { abs0, checkPair, resolveMask, stopGradient } from './mask';
import { registerLoss } from './registry';

/** A feature extractor: a function from an image batch [N,H,W,3] to a feature map [N,h,w,C]. */
export type FeatureExtractor = (x: tf.Tensor4D) => tf.Tensor4D;

/** Options of the perceptual loss. */
export interface PerceptualOptions {
  /**
   * The frozen feature extractor: a function, or a tf.LayersModel (frozen here: `trainable = false`).
   * For the published loss pass ResNet-50 cut at `conv2_block1_out`, e.g. built with
   * `@depthblocks/encoders`' resnet50 and {@link featuresAt}.
   */
  features: FeatureExtractor | tf.LayersModel;
  /**
   * Depth range mapped linearly onto [0, 1] before `preprocess` (values outside are clipped).
   * Default [0, 10] (metres, NYU). Use [1, 100] for DenseDepth's 1000/depth_cm.
   */
  depthRange?: [number, number];
  /**
   * Maps the 3-channel [0, 1] image to the extractor's input range. Default: identity. For Keras
   * ResNet-50 weights use {@link kerasResnet50Preprocess} (x * 255, BGR, ImageNet means subtracted).
   */
  preprocess?: (rgb01: tf.Tensor4D) => tf.Tensor4D;
}

/** The default layer of the perceptual loss: ResNet-50's first residual block output. */
export const PERCEPTUAL_DEFAULT_LAYER = 'conv2_block1_out';

/**
 * Keras ResNet-50 ("caffe") preprocessing of a [0, 1] RGB batch: x * 255, RGB -> BGR, minus the
 * ImageNet means [103.939, 116.779, 123.68].
 *
 * @example
 * perceptual(yTrue, yPred, mask, { features, preprocess: kerasResnet50Preprocess });
 */
export function kerasResnet50Preprocess(rgb01: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const bgr = tf.reverse(tf.mul(rgb01, 255), 3);
    return tf.sub(bgr, tf.tensor1d([103.939, 116.779, 123.68])) as tf.Tensor4D;
  });
}

/**
 * A feature extractor that runs `model` up to the layer `layerName` (default `conv2_block1_out`). The
 * model is frozen (`trainable = false`).
 *
 * @example
 * const phi = featuresAt(resnet50Model, 'conv2_block1_out');
 * const f = phi(tf.zeros([1, 224, 224, 3])); // [1, 56, 56, 256]
 */
export function featuresAt(model: tf.LayersModel, layerName: string = PERCEPTUAL_DEFAULT_LAYER): FeatureExtractor {
  let layer: tf.layers.Layer;
  try {
    layer = model.getLayer(layerName);
  } catch {
    const names = model.layers.map((l) => l.name);
    throw new DepthblocksError(
      'NOT_FOUND',
      `featuresAt: model "${model.name}" has no layer "${layerName}" (it has ${names.length} layers, e.g. ${names.slice(-5).join(', ')}); ` +
        'pass the name of a layer of this model',
    );
  }
  const sub = tf.model({ inputs: model.inputs, outputs: layer.output as tf.SymbolicTensor });
  model.trainable = false;
  sub.trainable = false;
  return (x) => sub.apply(x) as tf.Tensor4D;
}

function extractor(f: FeatureExtractor | tf.LayersModel): FeatureExtractor {
  if (f instanceof tf.LayersModel) {
    f.trainable = false;
    return (x) => f.apply(x) as tf.Tensor4D;
  }
  if (typeof f !== 'function') {
    throw new DepthblocksError(
      'INVALID_ARGUMENT',
      'perceptual: options.features must be a tf.LayersModel or a function (x: tf.Tensor4D) => tf.Tensor4D; ' +
        `got ${f === undefined ? 'nothing' : typeof f}. Pass e.g. featuresAt(resnet50Model, 'conv2_block1_out')`,
    );
  }
  return f;
}

/**
 * Perceptual loss `mean |phi(x(y)) - phi(x(y^))|` with phi a frozen feature extractor and x(d) the
 * depth scaled to [0, 1] over `depthRange`, replicated to 3 channels and `preprocess`ed.
 * With a mask, invalid pixels of the target are filled with the (gradient-stopped) prediction, so they
 * add no difference; an all-invalid mask therefore gives 0 with a zero gradient.
 *
 * @example
 * const loss = perceptual(yTrue, yPred, mask, { features: featuresAt(resnet50, 'conv2_block1_out'),
 *   preprocess: kerasResnet50Preprocess, depthRange: [0, 10] });
 */
export function perceptual(yTrue: tf.Tensor4D, yPred: tf.Tensor4D, mask: tf.Tensor4D | undefined, options: PerceptualOptions): tf.Scalar {
  checkPair(yTrue, yPred, 'perceptual');
  if (yTrue.shape[3] !== 1) {
    throw new DepthblocksError(
      'INVALID_ARGUMENT',
      `perceptual: depth maps must have 1 channel, got ${yTrue.shape[3]} (shape [${yTrue.shape.join(', ')}])`,
    );
  }
  if (options === undefined || options.features === undefined) {
    throw new DepthblocksError(
      'INVALID_ARGUMENT',
      'perceptual: options.features is required: a frozen feature extractor (tf.LayersModel or function), ' +
        "e.g. featuresAt(resnet50Model, 'conv2_block1_out') with @depthblocks/encoders' resnet50",
    );
  }
  const phi = extractor(options.features);
  const [lo, hi] = options.depthRange ?? [0, 10];
  if (!(hi > lo)) {
    throw new DepthblocksError('INVALID_ARGUMENT', `perceptual: depthRange must be [lo, hi] with hi > lo, got [${lo}, ${hi}]`);
  }
  const pre = options.preprocess ?? ((x: tf.Tensor4D) => x);
  return tf.tidy(() => {
    const m = resolveMask(yTrue, mask, 'perceptual');
    const target = tf.where(tf.greater(m, 0), yTrue, stopGradient(yPred)) as tf.Tensor4D;
    const toInput = (d: tf.Tensor4D): tf.Tensor4D => {
      const unit = tf.clipByValue(tf.div(tf.sub(d, lo), hi - lo), 0, 1) as tf.Tensor4D;
      return pre(tf.tile(unit, [1, 1, 1, 3]) as tf.Tensor4D);
    };
    const fTrue = phi(toInput(target));
    const fPred = phi(toInput(yPred));
    checkRank(fTrue.shape, [2, 3, 4], 'perceptual: features output');
    return tf.mean(abs0(tf.sub(stopGradient(fTrue), fPred))) as tf.Scalar;
  });
}

declare module './registry' {
  interface LossTermOptionsByName {
    perceptual: PerceptualOptions;
  }
}

registerLoss(
  'perceptual',
  (o?: PerceptualOptions) => {
    if (o === undefined || o.features === undefined) {
      throw new DepthblocksError(
        'INVALID_ARGUMENT',
        'combineLosses: the perceptual term needs options.perceptual.features (a frozen feature extractor, ' +
          "e.g. featuresAt(resnet50Model, 'conv2_block1_out')); or set its weight to 0",
      );
    }
    return (t, p, m) => perceptual(t, p, m, o);
  },
  { description: 'Mean |phi(y) - phi(y^)| of a frozen feature extractor (ResNet-50 to conv2_block1_out)' },
);
