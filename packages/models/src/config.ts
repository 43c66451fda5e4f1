/**
 * The model config and its schemas. A spec (what {@link createDepthModel} takes: part names or objects plus
 * the head, input size and depth normalisation) resolves to a config: plain JSON with every default filled in,
 * including each part's resolved options, from which {@link buildFromConfig} rebuilds the same model. Both
 * are checked against one zod schema each before anything is built; part options are checked against the
 * schema their part registered.
 */
import {
  DepthblocksError,
  configIssues,
  depthNormalizationSchema,
  parseWithSchema,
  registeredName,
  z,
  type Registry,
} from '@depthblocks/core';
import { encoderRegistry, getEncoder, type Encoder, type EncoderName } from '@depthblocks/encoders';
import { decoderRegistry, getDecoder, type Decoder, type DecoderName } from '@depthblocks/decoders';

const positiveInt = z.number().int().positive();
/** A plain-JSON object (finite numbers, strings, booleans, null, arrays, objects), typed loosely for TypeScript callers. */
const jsonObject = z.record(z.string(), z.json()) as unknown as z.ZodType<Record<string, unknown>, Record<string, unknown>>;
const modelName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, 'must be an identifier (letters, digits, _ . -)');

/** Activation of the model's output layer. */
export const outputActivationSchema = z.enum(['linear', 'relu', 'sigmoid', 'softplus']);

/** The head after the decoder: output activation and output size. */
export const headConfigSchema = z.strictObject({
  /** Default 'linear'. */
  activation: outputActivationSchema.default('linear'),
  /**
   * 'decoder' (default): the decoder's own output stride (DenseDepth: half the input size);
   * 'input': bilinearly resized (half-pixel centres) to the input's size.
   */
  outputSize: z.enum(['decoder', 'input']).default('decoder'),
});

/** A name typed for editors' completion (the registered built-in names) that accepts any string. */
const typedName = <N extends string>() => z.string() as unknown as z.ZodType<N | (string & {}), N | (string & {})>;

/**
 * A part given by name or as `{ name, options }`: the name must be registered in `registry`, and the options
 * must pass the schema it registered (checked when the config is checked, so parts registered later count).
 */
function partRef<N extends string>(registry: Registry<unknown, { options?: z.ZodType }>) {
  return z.union([typedName<N>(), z.strictObject({ name: typedName<N>(), options: jsonObject.optional() })]).superRefine((r, ctx) => {
    const name = typeof r === 'string' ? r : r.name;
    const at = typeof r === 'string' ? [] : ['name'];
    for (const i of configIssues(registeredName(registry), name))
      ctx.addIssue({ code: 'custom', path: at, message: i.message, input: name });
    if (!registry.has(name)) return;
    const schema = registry.get(name).spec.options;
    const options = typeof r === 'string' ? {} : (r.options ?? {});
    if (schema)
      for (const i of configIssues(schema, options, ['options']))
        ctx.addIssue({ code: 'custom', path: i.path, message: i.message, input: options });
  });
}

/** A resolved part: `{ name, options }` with options required (as a config stores it), checked like {@link partRef}. */
function resolvedPart(registry: Registry<unknown, { options?: z.ZodType }>) {
  return z.strictObject({ name: z.string(), options: jsonObject }).superRefine((r, ctx) => {
    for (const i of configIssues(partRef(registry), r)) ctx.addIssue({ code: 'custom', path: i.path, message: i.message, input: r });
  });
}

/** The schema of what {@link createDepthModel} takes (parts by name; objects are checked as `{ name, options }`). */
export const depthModelSpecSchema = z.strictObject({
  /** A model name (layers model name; default 'depth_model'). */
  name: modelName.optional(),
  /** A registered encoder name ('densenet169', 'resnet34', ..., 'unet_scratch') or name + options. */
  encoder: partRef<EncoderName>(encoderRegistry),
  /** A registered decoder name ('densedepth', 'unet', 'unetplusplus', 'lraspp', 'bridge') or name + options. */
  decoder: partRef<DecoderName>(decoderRegistry),
  head: headConfigSchema.partial().optional(),
  /** Input [height, width]; null (default) = any size. Channels come from the encoder's inChannels (3). */
  inputSize: z.tuple([positiveInt, positiveInt]).nullable().optional(),
  /** How the model's output maps to metres (default { kind: 'none' }). */
  depth: depthNormalizationSchema.optional(),
  /** Free-form JSON: training hyper-parameters of presets, provenance, notes. */
  metadata: jsonObject.optional(),
});

/**
 * The schema of a resolved config, as stored in a saved model.json's `userDefinedMetadata.depthblocks` and
 * taken by {@link buildFromConfig}.
 */
export const depthModelConfigSchema = z.strictObject({
  format: z.literal('depthblocks-model'),
  version: z.literal(1),
  name: modelName,
  encoder: resolvedPart(encoderRegistry),
  decoder: resolvedPart(decoderRegistry),
  head: headConfigSchema,
  input: z.strictObject({ height: positiveInt.nullable(), width: positiveInt.nullable(), channels: positiveInt }),
  depth: depthNormalizationSchema,
  metadata: jsonObject,
});

export type OutputActivation = z.infer<typeof outputActivationSchema>;
export type HeadConfig = z.input<typeof headConfigSchema>;
type SpecInput = z.input<typeof depthModelSpecSchema>;

/**
 * What {@link createDepthModel} takes: parts by registered name, as `{ name, options }`, or as encoder /
 * decoder objects (`resnet34({ outputStride: 16 })`), whose options are kept.
 */
export type DepthModelSpec = Omit<SpecInput, 'encoder' | 'decoder'> & {
  encoder: SpecInput['encoder'] | Encoder<object>;
  decoder: SpecInput['decoder'] | Decoder;
};

/** The plain-JSON description from which {@link buildFromConfig} rebuilds the same model: every default filled in. */
export type DepthModelConfig = z.output<typeof depthModelConfigSchema>;

/** Whether a spec's part is an object made by a factory (rather than a name or `{ name, options }`). */
function isPart(p: unknown): p is Encoder<object> | Decoder {
  return typeof p === 'object' && p !== null && typeof (p as { build?: unknown }).build === 'function';
}

/** Drops undefined entries so that the config survives JSON.stringify/parse unchanged. */
function clean<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** A part object as the schema checks it: its registry name and resolved options. */
function asRef(p: unknown): unknown {
  return isPart(p) ? { name: p.name, options: clean(p.options) } : p;
}

/**
 * Checks a spec or a config and makes its parts (nothing is built: no layers yet): the resolved config with
 * every default filled in (each part's `options` are the part's own resolved options), plus the parts.
 * Throws `DepthblocksError('INVALID_CONFIG')` naming every wrong field (with "did you mean" for unknown keys
 * and names) before making anything.
 */
export function resolveParts(spec: DepthModelSpec | DepthModelConfig): {
  config: DepthModelConfig;
  encoder: Encoder<object>;
  decoder: Decoder;
} {
  const s = spec as Partial<DepthModelSpec & DepthModelConfig> | null;
  const isConfig = typeof s === 'object' && s !== null && 'format' in s;
  if (isConfig && s.format === 'depthblocks-model' && s.version !== 1) {
    throw new DepthblocksError(
      'UNSUPPORTED',
      `Model config version ${JSON.stringify(s.version)} is not supported by this @depthblocks/models (expects 1); upgrade the package`,
    );
  }
  const asChecked = typeof s === 'object' && s !== null ? { ...s, encoder: asRef(s.encoder), decoder: asRef(s.decoder) } : s;
  if (isConfig) {
    const c = parseWithSchema(depthModelConfigSchema, asChecked, 'Model config');
    const encoder = getEncoder(c.encoder.name, c.encoder.options);
    const decoder = getDecoder(c.decoder.name, c.decoder.options);
    return {
      config: finish(c.name, encoder, decoder, c.head, [c.input.height, c.input.width], c.depth, c.metadata, c.input.channels),
      encoder,
      decoder,
    };
  }
  const c = parseWithSchema(depthModelSpecSchema, asChecked, 'Model config');
  const part = <P>(given: unknown, make: (name: string, options: Record<string, unknown>) => P): P => {
    if (isPart(given)) return given as P;
    const r = given as string | { name: string; options?: Record<string, unknown> };
    return typeof r === 'string' ? make(r, {}) : make(r.name, r.options ?? {});
  };
  const encoder = part<Encoder<object>>(s!.encoder, getEncoder);
  const decoder = part<Decoder>(s!.decoder, getDecoder);
  const head = headConfigSchema.parse(c.head ?? {});
  const size = c.inputSize ?? [null, null];
  return {
    config: finish(c.name ?? 'depth_model', encoder, decoder, head, size, c.depth ?? { kind: 'none' }, c.metadata ?? {}),
    encoder,
    decoder,
  };
}

function finish(
  name: string,
  encoder: Encoder<object>,
  decoder: Decoder,
  head: DepthModelConfig['head'],
  [height, width]: (number | null)[],
  depth: DepthModelConfig['depth'],
  metadata: DepthModelConfig['metadata'],
  channels?: number,
): DepthModelConfig {
  const inChannels = (encoder.options as { inChannels?: number }).inChannels ?? 3;
  if (channels !== undefined && channels !== inChannels) {
    throw new DepthblocksError(
      'INVALID_CONFIG',
      `Model config: input.channels: must equal encoder.options.inChannels (${inChannels}), got number ${channels}`,
    );
  }
  return clean({
    format: 'depthblocks-model' as const,
    version: 1 as const,
    name,
    encoder: { name: encoder.name, options: { ...encoder.options } },
    decoder: { name: decoder.name, options: { ...decoder.options } },
    head,
    input: { height, width, channels: inChannels },
    depth,
    metadata,
  });
}

/**
 * Checks a spec (or a config), fills in every default and returns the config: plain JSON.
 *
 * @example
 * const config = resolveConfig({ encoder: 'resnet34', decoder: 'unet' });
 * config.decoder.options.channels; // [256, 128, 64, 32, 16]
 */
export function resolveConfig(spec: DepthModelSpec | DepthModelConfig): DepthModelConfig {
  return resolveParts(spec).config;
}

/**
 * Checks that `json` is a depthblocks model config (as written by {@link resolveConfig} or found in a
 * saved model.json) and returns it with defaults filled in.
 *
 * @example
 * const config = parseConfig(JSON.parse(fs.readFileSync('model-config.json', 'utf8')));
 */
export function parseConfig(json: unknown): DepthModelConfig {
  const j = json as { format?: unknown } | null;
  if (typeof j !== 'object' || j === null || Array.isArray(j) || !('format' in j)) {
    throw new DepthblocksError(
      'INVALID_CONFIG',
      `Model config: format: expected "depthblocks-model" (a config written by resolveConfig or saved in model.json), got ${JSON.stringify(j)?.slice(0, 80)}`,
    );
  }
  return resolveConfig(json as DepthModelConfig);
}
