/** Building the pieces of a run from its config: model, batcher, loss, evaluation. */
import { DepthblocksError, targetRange, tf, type DepthNormalization } from '@depthblocks/core';
import {
  Batcher,
  compose,
  randomChannelPermutation,
  randomHorizontalFlip,
  resize,
  type Dataset,
  type Transform,
} from '@depthblocks/datasets';
import { getEncoder, loadWeights } from '@depthblocks/encoders';
import { combineLosses, featuresAt, kerasResnet50Preprocess, PERCEPTUAL_DEFAULT_LAYER, type LossWeights } from '@depthblocks/losses';
import {
  buildPreset,
  createDepthModel,
  depthToTarget,
  getPreset,
  loadDepthModel,
  loadModelWeights,
  type DepthModel,
  type DepthModelSpec,
  type TrainLoss,
} from '@depthblocks/models';
import type { RunConfig } from './run-config';

/**
 * The model a (checked) run config names: a saved model folder, a preset, or a spec; then `weights`, if given,
 * loaded into it. With `train.inputSize`, a preset with a fixed input size is rebuilt at that size, and a saved
 * model with another fixed size is an error up front.
 */
export async function buildModel(cfg: RunConfig): Promise<DepthModel> {
  const dm = await buildModelArchitecture(cfg);
  if (cfg.weights) await loadModelWeights(dm, cfg.weights);
  return dm;
}

async function buildModelArchitecture(cfg: RunConfig): Promise<DepthModel> {
  const size = cfg.train?.inputSize;
  if (cfg.modelDir) {
    const dm = await loadDepthModel(cfg.modelDir);
    const { height, width } = dm.config.input;
    if (size && height && width && (height !== size[0] || width !== size[1])) {
      throw new DepthblocksError(
        'SHAPE_MISMATCH',
        `The model in ${cfg.modelDir} takes ${width}x${height} images (width x height), but the run asks for ${size[1]}x${size[0]} ` +
          `(train.inputSize / --size). Leave the size out, or use --size ${width}x${height}.`,
      );
    }
    return dm;
  }
  if (cfg.model === undefined)
    throw new DepthblocksError('INVALID_ARGUMENT', 'The config needs "model" (a preset name or { encoder, decoder }) or "modelDir"');
  if (typeof cfg.model === 'string') {
    const options = { ...(cfg.presetOptions ?? {}) };
    // a preset's fixed input size follows the run's size (the decoders handle any size)
    if (size && options.inputSize === undefined && getPreset(cfg.model, options).input.height) options.inputSize = size;
    return buildPreset(cfg.model, options);
  }
  return createDepthModel(cfg.model as DepthModelSpec);
}

/** The per-sample transform: resize to the input size, then the augmentations. */
export function buildTransform(cfg: RunConfig, inputSize?: [number, number]): Transform | undefined {
  const t: Transform[] = [];
  if (inputSize) t.push(resize({ height: inputSize[0], width: inputSize[1] }));
  const aug = cfg.train?.augmentation ?? {};
  if (aug.hflip) t.push(randomHorizontalFlip(aug.hflip));
  if (aug.channelSwap) t.push(randomChannelPermutation(aug.channelSwap));
  return t.length ? compose(...t) : undefined;
}

export function buildBatcher(cfg: RunConfig, ds: Dataset, inputSize?: [number, number]): Batcher {
  return new Batcher(ds, {
    batchSize: cfg.train?.batchSize ?? 8,
    seed: cfg.seed ?? 0,
    transform: buildTransform(cfg, inputSize),
    shuffle: true,
    prefetch: 2,
    onError: cfg.onError === 'skip' ? 'skip' : 'throw',
  });
}

/** The frozen ResNet-50 (cut at conv2_block1_out) of the perceptual loss, with Keras weights if given. */
export async function perceptualFeatures(weightsFile?: string): Promise<{ features: (x: tf.Tensor4D) => tf.Tensor4D; warning?: string }> {
  const enc = getEncoder('resnet50', { preprocessing: 'none' });
  const input = tf.input({ shape: [null, null, 3] as unknown as number[] });
  enc.build(input);
  const cut = enc.layers.find((l) => l.name === PERCEPTUAL_DEFAULT_LAYER);
  if (!cut) throw new DepthblocksError('NOT_FOUND', `ResNet-50 has no layer ${PERCEPTUAL_DEFAULT_LAYER}`);
  const model = tf.model({ inputs: input, outputs: cut.output as tf.SymbolicTensor });
  let warning: string | undefined;
  if (weightsFile) await loadWeights(enc, weightsFile, { strict: false });
  else warning = 'perceptual loss: no ResNet-50 weights given (train.perceptualWeights), its features are random';
  const f = featuresAt(model, PERCEPTUAL_DEFAULT_LAYER);
  return { features: (x) => f(kerasResnet50Preprocess(x)), warning };
}

/** The loss of a run: the named terms on the model's training target (metres -> target inside). */
export async function buildLoss(cfg: RunConfig, norm: DepthNormalization): Promise<{ loss: TrainLoss; warnings: string[] }> {
  const weights: LossWeights = cfg.train?.loss ?? { l1: 0.1, grad: 1, ssim: 1 };
  const [lo, hi] = targetRange(norm);
  const warnings: string[] = [];
  let perceptual;
  if ((weights.perceptual ?? 0) > 0) {
    const p = await perceptualFeatures(cfg.train?.perceptualWeights);
    if (p.warning) warnings.push(p.warning);
    perceptual = { features: p.features, depthRange: [lo, hi] as [number, number] };
  }
  const combined = combineLosses(weights, { ssim: { maxVal: hi - lo }, msSsim: { maxVal: hi - lo }, perceptual });
  const loss: TrainLoss = (t, p, m, ctx) => {
    const target = depthToTarget(t, norm) as tf.Tensor4D;
    const out = combined(target, p, m, ctx);
    target.dispose();
    return out;
  };
  return { loss, warnings };
}

/**
 * The [height, width] a run trains at: train.inputSize, else the model's fixed input, else undefined (as stored).
 * `dm` may be an OnnxModel (its config is null when it was exported from a bare tf.LayersModel).
 */
export function runInputSize(cfg: RunConfig, dm: { config: DepthModel['config'] | null }): [number, number] | undefined {
  if (cfg.train?.inputSize) return cfg.train.inputSize;
  const { height, width } = dm.config?.input ?? {};
  return height && width ? [height, width] : undefined;
}
