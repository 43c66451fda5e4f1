/**
 * The encoder registry: names -> factories. Each encoder registers itself next to its implementation
 * (densenet.ts, resnet.ts, mobilenetv3.ts); an encoder written elsewhere registers the same way, and then
 * works with getEncoder, createDepthModel, saved model configs, the trainer and the CLI.
 */
import { createRegistry, parseWithSchema, z } from '@depthblocks/core';
import type { Encoder, EncoderName, EncoderOptionsByName, EncoderRegistration, EncoderSpec } from './types';

type AnyEncoderFactory = (options?: never) => Encoder<object>;

/** The registry itself (for tools that need an entry's schema: `encoderRegistry.get(name).spec.options`). */
export const encoderRegistry = createRegistry<AnyEncoderFactory, EncoderRegistration>('encoder');

/** Any plain-JSON options object: the schema of an encoder registered without one. */
const jsonOptions = z.record(z.string(), z.json());

/**
 * Registers an encoder under `name`. The factory must return an encoder whose `name` is `name` and whose
 * `options` are its resolved options (plain JSON), so that `factory(encoder.options)` makes it again.
 *
 * @example
 * registerEncoder('tiny_cnn', (o: TinyCnnOptions = {}) => new TinyCnn(o), {
 *   description: 'A two-stage CNN for tests',
 *   options: z.strictObject({ width: z.number().int().positive().optional() }),
 * });
 */
export function registerEncoder<O>(
  name: string,
  factory: (options?: O) => Encoder<object>,
  spec: EncoderRegistration,
  options: { replace?: boolean } = {},
): void {
  encoderRegistry.register(name, factory as AnyEncoderFactory, spec, options);
}

/**
 * Checks encoder options against the schema registered with `name` (after looking the name up), without making
 * anything. Throws NOT_FOUND (unknown name, with a "did you mean") or INVALID_CONFIG (each wrong option by path).
 *
 * @example
 * checkEncoderOptions('resnet34', { outputStrid: 16 }); // INVALID_CONFIG: unknown key "outputStrid" (did you mean "outputStride"?)
 */
export function checkEncoderOptions(name: string, options: unknown, where = `${name} options`, path: (string | number)[] = []): void {
  const schema = encoderRegistry.get(name).spec.options ?? jsonOptions;
  parseWithSchema(schema, options ?? {}, where, path);
}

/**
 * Creates an encoder by registry name (see {@link listEncoders}); the options are checked first.
 *
 * @example
 * const enc = getEncoder('resnet34', { outputStride: 16 });
 * const features = enc.build(tf.input({ shape: [240, 320, 3] }));
 */
export function getEncoder<N extends EncoderName | (string & {})>(
  name: N,
  options?: N extends EncoderName ? EncoderOptionsByName[N] : Record<string, unknown>,
): Encoder {
  const entry = encoderRegistry.get(name);
  checkEncoderOptions(name, options ?? {});
  return (entry.factory as (o: unknown) => Encoder)(options ?? {});
}

/** Whether an encoder is registered under `name`. */
export function hasEncoder(name: string): boolean {
  return encoderRegistry.has(name);
}

/**
 * The registered encoders: name, description, feature channels, strides and preprocessing (from an encoder
 * made with default options), parameter counts and known weight files (copies; mutating them changes nothing).
 *
 * @example
 * listEncoders().map((s) => `${s.name}: ${s.params?.total}`);
 */
export function listEncoders(): EncoderSpec[] {
  return encoderRegistry.list().map(({ name, factory, spec }) => {
    const enc = (factory as () => Encoder<object>)();
    const { options: _schema, ...rest } = spec;
    return structuredClone({
      ...rest,
      name,
      channels: [...enc.channels],
      strides: [...enc.strides],
      preprocessing: enc.preprocessing,
      weights: spec.weights ?? {},
    });
  });
}
