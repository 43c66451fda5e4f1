import { parseWithSchema, z } from '@depthblocks/core';
import { resolveConfig, DepthModelConfig, DepthModelSpec } from './config';
import { createDepthModel, DepthModel } from './create-model';
import { getPreset, presetOptionsSchema, registerPreset, type PresetOptions } from './preset-registry';
import type { OptimizerOptions } from './train/optimizer-options';

/**
 * The training recipe a preset carries in `config.metadata.training`, for the trainer. Loss weights
 * use @depthblocks/losses' term names (l1, grad, ssim, mse, perceptual, ranking). `null` = the source
 * does not state it (see `notes`).
 */
export interface TrainingRecipe {
  /** The trainer's optimizer options; `lr: null` = the source does not state it. */
  optimizer: Omit<OptimizerOptions, 'lr'> & { lr: number | null };
  batchSize: number | null;
  epochs: number | null;
  loss: Record<string, number>;
  augmentation: { hflip?: number; channelSwap?: number };
  /** [height, width] the model is trained at (null = not stated). */
  inputSize: [number, number] | null;
  /** Ground-truth size the loss compares at, when it differs from the input (DenseDepth: half). */
  targetSize?: [number, number];
  freezeEncoderEpochs?: number;
  /** Test-time augmentation used for the reported numbers. */
  tta: 'flip' | null;
  dataset: string;
  /** Later stages (e.g. fine-tuning on DIW with the ranking loss). */
  stages?: Record<string, unknown>[];
  notes: string[];
}

function preset(
  id: string,
  base: Omit<DepthModelSpec, 'metadata' | 'name' | 'encoder' | 'decoder'> & {
    encoder: { name: string; options?: Record<string, unknown> };
    decoder: { name: string; options?: Record<string, unknown> };
    paper: string;
    training: TrainingRecipe;
    reported?: Record<string, unknown>;
  },
  options: PresetOptions,
): DepthModelConfig {
  const o = parseWithSchema(presetOptionsSchema, options, `Preset ${id} options`);
  const enc = base.encoder as { name: string; options?: Record<string, unknown> };
  const dec = base.decoder as { name: string; options?: Record<string, unknown> };
  return resolveConfig({
    name: o.name ?? id,
    encoder: { name: enc.name, options: { ...enc.options, ...o.encoderOptions } },
    decoder: { name: dec.name, options: { ...dec.options, ...o.decoderOptions } },
    head: base.head,
    inputSize: o.inputSize !== undefined ? o.inputSize : base.inputSize,
    depth: base.depth,
    metadata: JSON.parse(
      JSON.stringify({ preset: id, paper: base.paper, training: base.training, ...(base.reported ? { reported: base.reported } : {}) }),
    ),
  });
}

const DENSEDEPTH_PAPER = 'Alhashim & Wonka 2018, High Quality Monocular Depth Estimation via Transfer Learning (arXiv:1812.11941)';
const densedepthTraining = (dataset: 'nyu' | 'kitti', code: 'published' | 'tf2'): TrainingRecipe => ({
  optimizer: { name: 'adam', lr: 1e-4, beta1: 0.9, beta2: 0.999 },
  batchSize: 8,
  epochs: null,
  loss: { ssim: 1, grad: 1, l1: 0.1 },
  augmentation: { hflip: 0.5, channelSwap: 0.25 },
  inputSize: dataset === 'kitti' ? [384, 1248] : [480, 640],
  targetSize: dataset === 'kitti' ? [192, 624] : [240, 320],
  tta: 'flip',
  dataset,
  notes: [
    code === 'published'
      ? "Architecture of DenseDepth's January 2019 code (the published nyu.h5 / kitti.h5): align-corners up-sampling, LeakyReLU after upN_convB only."
      : "Architecture of DenseDepth's code since 2020 under TF2: half-pixel up-sampling, LeakyReLU after both up-block convolutions.",
    ...(dataset === 'kitti'
      ? [
          'KITTI (paper section 4.1): inputs up-sampled to 384x1248, output 192x624 up-sampled to the image; depth up to 80 m. ' +
            "The repository has no KITTI code: the 0.8 m minimum keeps the output in [1, 100] like NYU's 10..1000 cm clip and loss.py's maxDepthVal 100.",
        ]
      : []),
    'RGB / 255 into the encoder, no mean/std (encoder preprocessing none).',
    'Channel-swap probability 0.25 as in the project brief; the original code uses 0.5.',
    dataset === 'kitti'
      ? 'Loss on y = 80 / clip(depth_m, 0.8, 80); SSIM max_val 100 (see @depthblocks/losses).'
      : 'Loss on y = 1000 / clip(depth_cm, 10, 1000); SSIM max_val 100 (see @depthblocks/losses).',
    "Test: prediction up-sampled x2 to the image with skimage's resize as DenseDepth's scale_up (predict's outputSize 'input'), flip TTA.",
  ],
});

/** Options of the DenseDepth presets: every preset's overrides plus which of DenseDepth's code versions and datasets. */
export const denseDepthPresetOptionsSchema = presetOptionsSchema.extend({
  /**
   * 'published' (default): the January 2019 code that trained the published nyu.h5 and kitti.h5 (Keras 2.2.4,
   * TF 1.13): align-corners bilinear up-sampling, LeakyReLU after each up-block's second convolution only.
   * 'tf2': the repository's code since September 2020 run under TensorFlow 2: half-pixel up-sampling
   * (`tf.image.resize`) and LeakyReLU after both convolutions (added in March 2019).
   */
  code: z.enum(['published', 'tf2']).optional(),
  /** 'nyu' (default): 480x640 input, depth 0.1..10 m. 'kitti': 384x1248 input, depth 0.8..80 m (kitti.h5). */
  dataset: z.enum(['nyu', 'kitti']).optional(),
});

/** Options of the DenseDepth presets (see the README's table of which variant matches which weight file). */
export type DenseDepthPresetOptions = z.input<typeof denseDepthPresetOptionsSchema>;

/**
 * DenseDepth with DenseNet-169, the published model: full-width decoder (F = 1664), RGB / 255 into the encoder
 * (no mean/std), output at half the input size in DenseDepth's inverse-depth normalisation (metres =
 * clip(10 / y, 0.1, 10) for NYU), and by default the published weights' architecture (`code: 'published'`:
 * align-corners up-sampling, no activation between upN_convA and upN_convB). 42,657,689 trainable parameters.
 *
 * @example
 * const dm = buildPreset(denseDepth169());
 * await loadModelWeights(dm, 'nyu.h5'); // DenseDepth's published NYU weights
 * const kitti = buildPreset(denseDepth169({ dataset: 'kitti' })); // for kitti.h5
 */
export function denseDepth169(o: DenseDepthPresetOptions = {}): DepthModelConfig {
  return denseDepthPreset(o.dataset === 'kitti' ? 'densedepth169_kitti' : 'densedepth169', 'densenet169', o, {
    nyu: { d1: 0.846, d2: 0.974, d3: 0.994, absRel: 0.123, rmse: 0.465, log10: 0.053 },
  });
}
registerPreset('densedepth169', denseDepth169, {
  description: "DenseDepth with DenseNet-169 as published (nyu.h5's architecture), full-width decoder, 480x640 -> 240x320",
  paper: DENSEDEPTH_PAPER,
});

/**
 * DenseDepth with DenseNet-169 for KITTI (the published kitti.h5): `denseDepth169({ dataset: 'kitti' })`.
 *
 * @example
 * const dm = buildPreset(denseDepth169Kitti());
 * await loadModelWeights(dm, 'kitti.h5');
 */
export function denseDepth169Kitti(o: DenseDepthPresetOptions = {}): DepthModelConfig {
  return denseDepth169({ ...o, dataset: 'kitti' });
}
registerPreset('densedepth169_kitti', denseDepth169Kitti, {
  description: "DenseDepth with DenseNet-169 as published for KITTI (kitti.h5's settings), 384x1248 -> 192x624, up to 80 m",
  paper: DENSEDEPTH_PAPER,
});

/**
 * DenseDepth with DenseNet-201 (the paper's encoder ablation: slower, small gain). F = 1920. No weights were
 * published; `code` and `dataset` as for denseDepth169.
 *
 * @example
 * const { model } = buildPreset(denseDepth201({ inputSize: [240, 320] }));
 */
export function denseDepth201(o: DenseDepthPresetOptions = {}): DepthModelConfig {
  return denseDepthPreset('densedepth201', 'densenet201', o);
}
registerPreset('densedepth201', denseDepth201, {
  description: "DenseDepth with DenseNet-201 (the paper's encoder ablation)",
  paper: DENSEDEPTH_PAPER,
});

/** DenseDepth on a DenseNet: DenseDepth taps, no preprocessing, full-width decoder, half-size linear output. */
function denseDepthPreset(
  id: string,
  encoder: string,
  options: DenseDepthPresetOptions,
  reported?: Record<string, unknown>,
): DepthModelConfig {
  const { code = 'published', dataset = 'nyu', ...o } = parseWithSchema(denseDepthPresetOptionsSchema, options, `Preset ${id} options`);
  const upsampling =
    code === 'published' ? { alignCorners: true, halfPixelCenters: false } : { alignCorners: false, halfPixelCenters: true };
  const kitti = dataset === 'kitti';
  return preset(
    id,
    {
      encoder: { name: encoder, options: { taps: 'densedepth', preprocessing: 'none' } },
      decoder: { name: 'densedepth', options: { width: 'full', ...upsampling, leakyAfterConvA: code === 'tf2' } },
      head: { activation: 'linear', outputSize: 'decoder' },
      inputSize: kitti ? [384, 1248] : [480, 640],
      depth: kitti ? { kind: 'densedepth', minDepth: 0.8, maxDepth: 80 } : { kind: 'densedepth', minDepth: 0.1, maxDepth: 10 },
      paper: DENSEDEPTH_PAPER,
      training: densedepthTraining(dataset, code),
      reported: kitti ? undefined : reported,
    },
    o,
  );
}

const CS231N_PAPER = 'CS231N project brief: U-Net from scratch vs ResNet-34 transfer U-Net (NYU Depth v2)';
const cs231nTraining = (): TrainingRecipe => ({
  optimizer: { name: 'adam', lr: null },
  batchSize: null,
  epochs: null,
  loss: { ssim: 1, grad: 1, l1: 0.1 },
  augmentation: {},
  inputSize: [240, 320],
  tta: null,
  dataset: 'nyu',
  notes: ['Same DenseDepth loss; 320x240 inputs. Learning rate, batch size, epochs and augmentation are not stated in the brief.'],
});

/**
 * The CS231N brief's U-Net trained from scratch: 4 down blocks (two conv3x3 + LeakyReLU + BN, 2x2
 * max-pool), a conv3x3 + LeakyReLU bottleneck, 4 up blocks (upsample, concat, conv3x3 + LeakyReLU +
 * BN, twice), a conv3x3 to depth at full resolution. Reported d1 0.558.
 *
 * @example
 * const { model } = buildPreset(unetScratch());
 */
export function unetScratch(o: PresetOptions = {}): DepthModelConfig {
  return preset(
    'unet_scratch',
    {
      encoder: { name: 'unet_scratch', options: { baseFilters: 64 } },
      decoder: {
        name: 'unet',
        options: { channels: [512, 256, 128, 64], activation: 'leaky_relu', order: 'conv-act-norm', interpolation: 'nearest' },
      },
      head: { activation: 'linear', outputSize: 'decoder' },
      inputSize: [240, 320],
      depth: { kind: 'densedepth', minDepth: 0.1, maxDepth: 10 },
      paper: CS231N_PAPER,
      training: cs231nTraining(),
      reported: { nyu: { d1: 0.558 } },
    },
    o,
  );
}
registerPreset('unet_scratch', unetScratch, { description: 'CS231N U-Net trained from scratch (reported d1 0.558)', paper: CS231N_PAPER });

/**
 * The CS231N brief's transfer model: ResNet-34 encoder with an smp-style U-Net decoder
 * (256, 128, 64, 32, 16). Reported d1 0.661.
 *
 * @example
 * const { model } = buildPreset(unetResnet34());
 */
export function unetResnet34(o: PresetOptions = {}): DepthModelConfig {
  return preset(
    'unet_resnet34',
    {
      encoder: { name: 'resnet34', options: {} },
      decoder: { name: 'unet', options: { channels: [256, 128, 64, 32, 16] } },
      head: { activation: 'linear', outputSize: 'decoder' },
      inputSize: [240, 320],
      depth: { kind: 'densedepth', minDepth: 0.1, maxDepth: 10 },
      paper: CS231N_PAPER,
      training: cs231nTraining(),
      reported: { nyu: { d1: 0.661 } },
    },
    o,
  );
}
registerPreset('unet_resnet34', unetResnet34, {
  description: 'CS231N transfer model: ResNet-34 + U-Net decoder (reported d1 0.661)',
  paper: CS231N_PAPER,
});

const MAASTRICHT_PAPER = 'Maastricht brief: U-Net++ (ResNeXt-50) and LR-ASPP (MobileNetV3-Large) on NYU, fine-tuned on Depth in the Wild';
const maastrichtTraining = (freeze?: number): TrainingRecipe => ({
  optimizer: { name: 'adam', lr: 1e-3, weightDecay: 0.02 },
  batchSize: null,
  epochs: freeze ? 8 : null,
  loss: { mse: 1 },
  augmentation: {},
  inputSize: [200, 200],
  ...(freeze ? { freezeEncoderEpochs: freeze } : {}),
  tta: null,
  dataset: 'nyu',
  stages: [{ dataset: 'diw', loss: { ranking: 1 }, metric: 'ordinal accuracy on the DIW test pairs' }],
  notes: [
    'Depth and predictions normalised to [0, 1] (depth / 10 m); the sigmoid output keeps predictions there (the brief does not name the activation).',
    "Adam, weight decay 0.02, as torch.optim.Adam applies it (an L2 term added to the gradient: the trainer's adam + weightDecay), not decoupled AdamW.",
    ...(freeze ? ['Brief: "encoder frozen for the first 2 epochs, then all layers trained (8 epochs)".'] : []),
    'Batch size not stated.',
  ],
});

/**
 * U-Net++ with a ResNeXt-50 32x4d encoder (Maastricht brief; about 48 M parameters), 200x200 inputs,
 * sigmoid output in [0, 1] depth. Reported NYU MSE 0.032, DIW accuracy 65.32%.
 *
 * @example
 * const { model } = buildPreset(unetPlusPlusResnext50());
 */
export function unetPlusPlusResnext50(o: PresetOptions = {}): DepthModelConfig {
  return preset(
    'unetplusplus_resnext50',
    {
      encoder: { name: 'resnext50_32x4d', options: {} },
      decoder: { name: 'unetplusplus', options: { channels: [256, 128, 64, 32, 16] } },
      head: { activation: 'sigmoid', outputSize: 'decoder' },
      inputSize: [200, 200],
      depth: { kind: 'unit', maxDepth: 10 },
      paper: MAASTRICHT_PAPER,
      training: maastrichtTraining(2),
      reported: { nyu: { mse: 0.032 }, diw: { ordinalAccuracy: 0.6532 } },
    },
    o,
  );
}
registerPreset('unetplusplus_resnext50', unetPlusPlusResnext50, {
  description: 'U-Net++ with ResNeXt-50 32x4d, 200x200, sigmoid [0, 1] depth (Maastricht)',
  paper: MAASTRICHT_PAPER,
});

/**
 * LR-ASPP with MobileNetV3-Large at output stride 16 (torchvision's layout, 21 classes mapped to 1
 * by a 1x1 conv, as the Maastricht brief does; about 3.2 M parameters), upsampled to the 200x200
 * input, sigmoid output. Reported NYU MSE 0.058, DIW accuracy 58.4%.
 *
 * @example
 * const { model } = buildPreset(lrasppMobilenetV3());
 */
export function lrasppMobilenetV3(o: PresetOptions = {}): DepthModelConfig {
  return preset(
    'lraspp_mobilenetv3',
    {
      encoder: { name: 'mobilenetv3_large', options: { outputStride: 16 } },
      decoder: { name: 'lraspp', options: { interChannels: 128, classes: 21, outChannels: 1 } },
      head: { activation: 'sigmoid', outputSize: 'input' },
      inputSize: [200, 200],
      depth: { kind: 'unit', maxDepth: 10 },
      paper: MAASTRICHT_PAPER,
      training: maastrichtTraining(),
      reported: { nyu: { mse: 0.058 }, diw: { ordinalAccuracy: 0.584 } },
    },
    o,
  );
}
registerPreset('lraspp_mobilenetv3', lrasppMobilenetV3, {
  description: 'LR-ASPP with MobileNetV3-Large (output stride 16), 200x200 (Maastricht)',
  paper: MAASTRICHT_PAPER,
});

/**
 * The perceptual-alignment model (Ashok): DenseNet-121 encoder (DenseDepth taps), bridge decoder with
 * F = 768 (see the README for how the ~15 M parameters were matched), last block at the input size,
 * sigmoid output in [0, 1] depth. Loss 0.1 L1 + grad + SSIM + 0.5 perceptual. Reported d1 0.852.
 *
 * @example
 * const { model } = buildPreset(bridgeDensenet121({ inputSize: [240, 320] }));
 */
export function bridgeDensenet121(o: PresetOptions = {}): DepthModelConfig {
  return preset(
    'bridge_densenet121',
    {
      encoder: { name: 'densenet121', options: { taps: 'densedepth' } },
      decoder: { name: 'bridge', options: { width: 768 } },
      head: { activation: 'sigmoid', outputSize: 'decoder' },
      inputSize: null,
      depth: { kind: 'unit', maxDepth: 10 },
      paper: 'Ashok, perceptual alignment for monocular depth (DenseNet-121 bridge decoder)',
      training: {
        optimizer: { name: 'adam', lr: 3e-4 },
        batchSize: 8,
        epochs: null,
        loss: { l1: 0.1, grad: 1, ssim: 1, perceptual: 0.5 },
        augmentation: { hflip: 0.5, channelSwap: 0.5 },
        inputSize: null,
        tta: 'flip',
        dataset: 'nyu',
        notes: [
          'Perceptual term: ImageNet ResNet-50 up to conv2_block1_out, frozen.',
          "Augmentation probabilities and input size are not stated; 0.5 follows DenseDepth's code.",
          'Public code ends in a sigmoid, so depth is normalised to [0, 1].',
        ],
      },
      reported: { nyu: { d1: 0.852 }, ablation: { l1_grad: 0.823, l1_ssim: 0.818, l1_grad_ssim: 0.846, all: 0.852 } },
    },
    o,
  );
}
registerPreset('bridge_densenet121', bridgeDensenet121, {
  description: 'Perceptual-alignment model: DenseNet-121 + bridge decoder (Ashok)',
  paper: 'Ashok, perceptual alignment for monocular depth (DenseNet-121 bridge decoder)',
});

/**
 * Builds a preset: a preset config (or its name) -> { model, config, encoder, decoder }.
 *
 * @example
 * const { model } = buildPreset('densedepth169');
 */
export function buildPreset(preset: DepthModelConfig | string, o: PresetOptions = {}): DepthModel {
  return createDepthModel(typeof preset === 'string' ? getPreset(preset, o) : preset);
}
