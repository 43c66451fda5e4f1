/**
 * @depthblocks/encoders: DenseNet-121/169/201, ResNet-18/34/50/101, ResNeXt-50 32x4d and
 * MobileNetV3-Large encoders with Keras layer names, a name registry open to encoders of other packages
 * (registerEncoder), and weight loading from Keras .h5 and torchvision/timm safetensors files (bytes or
 * http(s) URLs here; Node's entry, node.ts, adds paths). Importing this module registers its custom layers with
 * tf.serialization, so models containing them save and load in the tfjs format.
 */
export type {
  Encoder,
  EncoderName,
  EncoderOptionsByName,
  EncoderRegistration,
  EncoderSpec,
  LoadReport,
  ResolvedEncoderOptions,
} from './types';
export { encoderOptionsSchema, denseNetOptionsSchema, resNetOptionsSchema, preprocessingSchema } from './options';
export type { CommonEncoderOptions, DenseNetOptions, DenseNetTaps, EncoderOptions, Preprocessing, ResNetOptions } from './options';
export { checkEncoderOptions, encoderRegistry, getEncoder, hasEncoder, listEncoders, registerEncoder } from './registry';
export { loadWeights, loadWeightBytes, adaptStemKernel } from './weights';
export type { LoadWeightsOptions } from './weights';
export { EncoderBase, resolveEncoderOptions } from './base';
export type { ConvSpec, ResolvedOptions } from './base';
export { densenet121, densenet169, densenet201, DenseNetEncoder, DENSENET_BLOCKS, DENSENET_TAPS } from './densenet';
export { resnet18, resnet34, resnet50, resnet101, resnext50_32x4d, ResNetEncoder, RESNET_CONFIGS } from './resnet';
export { mobilenetv3_large, MobileNetV3Encoder, MOBILENETV3_LARGE_BLOCKS } from './mobilenetv3';
export { densenetTorchPath, DENSENET_KERAS_ALIASES } from './keymaps/densenet';
export { resnetTorchPath, kerasLegacyResnetName } from './keymaps/resnet';
export { mobilenetv3TorchPath } from './keymaps/mobilenetv3';
export * from './layers';
