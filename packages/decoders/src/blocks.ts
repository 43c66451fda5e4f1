import { tf, DepthblocksError, FeatureMap } from '@depthblocks/core';
import { Resize2D } from './layers/resize';
import type { UpsampleOptions } from './options';
import type { Decoder, DecoderOutput } from './types';

/**
 * Checks an encoder's feature maps and returns them ordered shallow -> deep (increasing stride).
 * Throws a DepthblocksError naming the decoder when there are too few maps or they disagree with
 * their tensors.
 */
export function orderFeatures(features: FeatureMap[], decoder: string, minCount: number): FeatureMap[] {
  if (!Array.isArray(features) || features.length < minCount) {
    throw new DepthblocksError(
      'INVALID_ARGUMENT',
      `${decoder} decoder needs at least ${minCount} feature maps (strides 2..32), got ${Array.isArray(features) ? features.length : typeof features}; pass encoder.build(input)'s result`,
    );
  }
  for (const f of features) {
    const shape = f.tensor.shape;
    if (shape.length !== 4) {
      throw new DepthblocksError(
        'INVALID_RANK',
        `${decoder} decoder: feature '${f.name}' must be rank 4 (NHWC), got shape [${shape.join(', ')}]`,
      );
    }
    if (shape[3] != null && shape[3] !== f.channels) {
      throw new DepthblocksError(
        'SHAPE_MISMATCH',
        `${decoder} decoder: feature '${f.name}' says ${f.channels} channels but its tensor has ${shape[3]} (shape [${shape.join(', ')}])`,
      );
    }
    if (!(Number.isInteger(f.stride) && f.stride >= 1)) {
      throw new DepthblocksError('INVALID_ARGUMENT', `${decoder} decoder: feature '${f.name}' has invalid stride ${f.stride}`);
    }
  }
  const sorted = [...features].sort((a, b) => a.stride - b.stride);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].stride === sorted[i - 1].stride && sorted[i].tensor === sorted[i - 1].tensor) {
      throw new DepthblocksError('INVALID_ARGUMENT', `${decoder} decoder: feature '${sorted[i].name}' is listed twice`);
    }
  }
  return sorted;
}

/**
 * Collects the layers a decoder creates, names them, and gives convolutions seeded initialisers
 * when a seed is set (same seed -> same initial weights).
 */
export class LayerBuilder {
  readonly layers: tf.layers.Layer[] = [];
  private count = 0;

  constructor(
    private readonly seed: number | undefined,
    private readonly upsample: Required<UpsampleOptions>,
  ) {}

  add<L extends tf.layers.Layer>(layer: L): L {
    this.layers.push(layer);
    return layer;
  }

  /**
   * Keras' default glorot_uniform. (tfjs' Conv2D default is glorotNormal, whose truncated normal is
   * ~60x slower to sample: ~0.85 s per million weights on wasm.)
   */
  private kernelInit(): ReturnType<typeof tf.initializers.glorotUniform> {
    if (this.seed === undefined) return tf.initializers.glorotUniform({});
    return tf.initializers.glorotUniform({ seed: this.seed + 7919 * this.count++ });
  }

  /** 'same'-padded convolution. */
  conv(name: string, filters: number, kernelSize: number, useBias = true): tf.layers.Layer {
    return this.add(tf.layers.conv2d({ name, filters, kernelSize, padding: 'same', useBias, kernelInitializer: this.kernelInit() }));
  }

  /** Batch norm with PyTorch's defaults (epsilon 1e-5, momentum 0.1 = Keras 0.9). */
  bn(name: string): tf.layers.Layer {
    return this.add(tf.layers.batchNormalization({ name, epsilon: 1e-5, momentum: 0.9 }));
  }

  act(name: string, activation: 'relu' | 'sigmoid' | 'linear'): tf.layers.Layer {
    return this.add(tf.layers.activation({ name, activation }));
  }

  leaky(name: string, alpha = 0.2): tf.layers.Layer {
    return this.add(tf.layers.leakyReLU({ name, alpha }));
  }

  concat(name: string): tf.layers.Layer {
    return this.add(tf.layers.concatenate({ name, axis: -1 }));
  }

  /** Resize x to ref's spatial size, or by `scale` when ref is absent. */
  resize(name: string, x: tf.SymbolicTensor, ref: tf.SymbolicTensor | null, scale = 2): tf.SymbolicTensor {
    const layer = this.add(new Resize2D({ name, ...this.upsample, ...(ref ? {} : { scale }) }));
    return layer.apply(ref ? [x, ref] : x) as tf.SymbolicTensor;
  }
}

/** Fills in upsampling defaults (options already checked by the decoder's schema). */
export function upsampleDefaults(o: UpsampleOptions | undefined, defaults: Required<UpsampleOptions>): Required<UpsampleOptions> {
  const interpolation = o?.interpolation ?? defaults.interpolation;
  const alignCorners = o?.alignCorners ?? (o?.halfPixelCenters ? false : defaults.alignCorners);
  const halfPixelCenters = o?.halfPixelCenters ?? (o?.alignCorners ? false : defaults.halfPixelCenters);
  return { interpolation, alignCorners, halfPixelCenters };
}

/** Applies layers in sequence. */
export function chain(x: tf.SymbolicTensor, ...layers: tf.layers.Layer[]): tf.SymbolicTensor {
  let t = x;
  for (const l of layers) t = l.apply(t) as tf.SymbolicTensor;
  return t;
}

/**
 * The shape every decoder factory shares: resolved options (recorded in model configs), one LayerBuilder
 * whose layers the decoder exposes, and a build() that may run once (layers cannot be applied twice).
 */
export function makeDecoder(spec: {
  name: string;
  /** For error messages, e.g. 'U-Net decoder'. */
  label: string;
  outputStride: number;
  options: Record<string, unknown>;
  seed?: number;
  upsample: Required<UpsampleOptions>;
  build: (b: LayerBuilder, features: FeatureMap[], input?: tf.SymbolicTensor) => DecoderOutput;
}): Decoder {
  const b = new LayerBuilder(spec.seed, spec.upsample);
  let built = false;
  return {
    name: spec.name,
    outputStride: spec.outputStride,
    options: { ...spec.options, ...spec.upsample, ...(spec.seed !== undefined ? { seed: spec.seed } : {}) },
    layers: b.layers,
    build(features: FeatureMap[], input?: tf.SymbolicTensor): DecoderOutput {
      if (built) throw new DepthblocksError('INVALID_ARGUMENT', `${spec.label}: build() may be called once; make a new decoder`);
      built = true;
      return spec.build(b, features, input);
    },
  };
}
