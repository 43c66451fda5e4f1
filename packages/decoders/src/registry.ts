/**
 * The decoder registry: names -> factories. Each decoder registers itself next to its implementation
 * (densedepth.ts, unet.ts, ...); a decoder written elsewhere registers the same way, and then works with
 * getDecoder, createDepthModel, saved model configs, the trainer and the CLI.
 */
import { createRegistry, parseWithSchema, z } from '@depthblocks/core';
import type { Decoder, DecoderName, DecoderOptionsByName, DecoderRegistration, DecoderSpec } from './types';

type AnyDecoderFactory = (options?: never) => Decoder;

/** The registry itself (for tools that need an entry's schema: `decoderRegistry.get(name).spec.options`). */
export const decoderRegistry = createRegistry<AnyDecoderFactory, DecoderRegistration>('decoder');

const jsonOptions = z.record(z.string(), z.json());

/**
 * Registers a decoder under `name`. The factory must return a decoder whose `name` is `name` and whose
 * `options` are its resolved options (plain JSON), so that `factory(decoder.options)` makes it again.
 *
 * @example
 * registerDecoder('one_conv', (o: { seed?: number } = {}) => oneConvDecoder(o), {
 *   description: 'A 1x1 conv on the deepest map', outputStride: 32, tinyOptions: {},
 *   options: z.strictObject({ seed: z.number().int().optional() }),
 * });
 */
export function registerDecoder<O>(
  name: string,
  factory: (options?: O) => Decoder,
  spec: DecoderRegistration,
  options: { replace?: boolean } = {},
): void {
  decoderRegistry.register(name, factory as AnyDecoderFactory, spec, options);
}

/**
 * Checks decoder options against the schema registered with `name`, without making anything. Throws NOT_FOUND
 * (unknown name, with a "did you mean") or INVALID_CONFIG (each wrong option by path).
 *
 * @example
 * checkDecoderOptions('unet', { chanels: [8] }); // INVALID_CONFIG: unknown key "chanels" (did you mean "channels"?)
 */
export function checkDecoderOptions(
  name: string,
  options: unknown,
  where = `${name} decoder options`,
  path: (string | number)[] = [],
): void {
  const schema = decoderRegistry.get(name).spec.options ?? jsonOptions;
  parseWithSchema(schema, options ?? {}, where, path);
}

/**
 * Makes a decoder by registry name, so that a model is `{ encoder: 'densenet169', decoder: 'unet' }`.
 *
 * @example
 * const dec = getDecoder('unet', { channels: [128, 64, 32, 16, 8] });
 * const out = dec.build(encoderFeatures, input);
 */
export function getDecoder<N extends DecoderName | (string & {})>(
  name: N,
  options?: N extends DecoderName ? DecoderOptionsByName[N] : Record<string, unknown>,
): Decoder {
  const entry = decoderRegistry.get(name);
  checkDecoderOptions(name, options ?? {});
  return (entry.factory as (o: unknown) => Decoder)(options ?? {});
}

/** Whether a decoder is registered under `name`. */
export function hasDecoder(name: string): boolean {
  return decoderRegistry.has(name);
}

/**
 * The registered decoders (copies).
 *
 * @example
 * listDecoders().map((d) => d.name); // ['densedepth', 'unet', 'unetplusplus', 'lraspp', 'bridge']
 */
export function listDecoders(): DecoderSpec[] {
  return decoderRegistry.list().map(({ name, spec }) => {
    const { options: _schema, ...rest } = spec;
    return structuredClone({ ...rest, name });
  });
}
