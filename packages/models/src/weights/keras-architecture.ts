/**
 * What a Keras full-model file's `model_config` says about the architecture that its weights alone cannot:
 * DenseDepth's up-blocks apply LeakyReLU after `convB` only in the January 2019 code that trained the published
 * nyu.h5 / kitti.h5, after both convolutions since March 2019. Both have the same weights, so a mismatch would
 * load without complaint and give wrong depth.
 */
import type { DepthModelConfig } from '../config';

interface KerasLayerConfig {
  name?: string;
  class_name?: string;
  inbound_nodes?: unknown;
}

/** The layer names a Keras 2 layer config's inbound nodes refer to. */
function inboundNames(nodes: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) {
      if (typeof v[0] === 'string' && typeof v[1] === 'number') out.push(v[0]);
      else v.forEach(walk);
    }
  };
  walk(nodes);
  return out;
}

/**
 * Differences between a Keras `model_config` and a DepthModel's config that change the output (empty when none
 * is known). Only DenseDepth's up-block activation is checked.
 *
 * @example
 * kerasArchitectureMismatches(file.modelConfig, denseDepth169()); // [] for the published nyu.h5
 */
export function kerasArchitectureMismatches(modelConfig: unknown, config: DepthModelConfig): string[] {
  if (config.decoder.name !== 'densedepth') return [];
  const layers = ((modelConfig as { config?: { layers?: KerasLayerConfig[] } })?.config?.layers ?? []) as KerasLayerConfig[];
  if (!Array.isArray(layers) || !layers.some((l) => /^up\d+_convA$/.test(l.name ?? ''))) return [];
  const fileActivatesConvA = layers.some(
    (l) =>
      (l.class_name === 'LeakyReLU' || l.class_name === 'Activation') && inboundNames(l.inbound_nodes).some((n) => /^up\d+_convA$/.test(n)),
  );
  const modelActivatesConvA = (config.decoder.options.leakyAfterConvA ?? true) !== false;
  if (fileActivatesConvA === modelActivatesConvA) return [];
  return [
    fileActivatesConvA
      ? "the file's model applies LeakyReLU after each upN_convA (DenseDepth's code since March 2019); this model does not: " +
        "build it with decoderOptions: { leakyAfterConvA: true } (denseDepth169({ code: 'tf2' }) does)"
      : "the file's model has no activation between upN_convA and upN_convB (DenseDepth's January 2019 code, the published " +
        'nyu.h5 / kitti.h5); this model applies LeakyReLU there: build it with decoderOptions: { leakyAfterConvA: false } ' +
        '(the default of denseDepth169())',
  ];
}
