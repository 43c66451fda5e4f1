/**
 * @depthblocks/decoders: DenseDepth, U-Net, U-Net++, LR-ASPP and bridge decoders that take any
 * encoder's feature maps, a name registry open to decoders of other packages (registerDecoder), plus the
 * `Resize2D` layer (registered for tfjs serialisation).
 */
export type { Decoder, DecoderName, DecoderOptionsByName, DecoderOutput, DecoderRegistration, DecoderSpec } from './types';
export {
  bridgeDecoderOptionsSchema,
  denseDepthDecoderOptionsSchema,
  lrasppDecoderOptionsSchema,
  unetDecoderOptionsSchema,
  upsampleOptionsSchema,
} from './options';
export type {
  BlockActivation,
  BlockNorm,
  BridgeDecoderOptions,
  DenseDepthDecoderOptions,
  LrasppDecoderOptions,
  UnetDecoderOptions,
  UnetPlusPlusDecoderOptions,
  UpsampleOptions,
} from './options';
export { Resize2D, resize2d, interpolationMatrix } from './layers/resize';
export type { Resize2DArgs, ResizeInterpolation } from './layers/resize';
export { denseDepthDecoder } from './densedepth';
export { unetDecoder } from './unet';
export { unetPlusPlusDecoder } from './unetplusplus';
export { lrasppDecoder } from './lraspp';
export { bridgeDecoder } from './bridge';
export { checkDecoderOptions, decoderRegistry, getDecoder, hasDecoder, listDecoders, registerDecoder } from './registry';
