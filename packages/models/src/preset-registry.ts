/**
 * The preset registry: preset names -> functions that return a preset's model config. Each preset registers
 * itself next to its definition (presets.ts); a preset defined elsewhere registers the same way and can then be
 * named by `getPreset`, `buildPreset` and the CLI (`--preset`, a run config's `"model": "<name>"`).
 */
import { createRegistry, registeredName, z } from '@depthblocks/core';
import type { DepthModelConfig } from './config';

const positiveInt = z.number().int().positive();
const jsonObject = z.record(z.string(), z.json());

/** Overrides every preset accepts (strict: a typo'd key is an error with a "did you mean"). */
export const presetOptionsSchema = z.strictObject({
  /** Input [height, width] (default: the paper's), or null for any size. */
  inputSize: z.tuple([positiveInt, positiveInt]).nullable().optional(),
  /** Extra / replaced encoder options (e.g. { preprocessing: 'imagenet' }); checked against the encoder's schema. */
  encoderOptions: jsonObject.optional(),
  /** Extra / replaced decoder options (e.g. { width: 'half' } for DenseDepth's half-feature ablation). */
  decoderOptions: jsonObject.optional(),
  /** Model name (default: the preset's). */
  name: z.string().optional(),
});

/** Overrides every preset function accepts. */
export type PresetOptions = z.input<typeof presetOptionsSchema>;

/** What {@link registerPreset} records besides the function. */
export interface PresetRegistration {
  description: string;
  /** Where the model comes from. */
  paper?: string;
}

type PresetFactory = (options?: PresetOptions) => DepthModelConfig;

/** The registry itself. */
export const presetRegistry = createRegistry<PresetFactory, PresetRegistration>('preset');

/** The schema of a preset name: a registered one ("did you mean" otherwise). */
export const presetNameSchema = registeredName(presetRegistry);

/**
 * Registers a preset under `name`.
 *
 * @example
 * registerPreset('unet_resnet18_small', (o) => resolveConfig({ encoder: 'resnet18', decoder: { name: 'unet', options: { channels: [64, 32, 16, 8, 4] } }, ...o }), {
 *   description: 'A small U-Net for quick runs',
 * });
 */
export function registerPreset(name: string, factory: PresetFactory, spec: PresetRegistration, options: { replace?: boolean } = {}): void {
  presetRegistry.register(name, factory, spec, options);
}

/**
 * A preset's config by name ('densedepth169', 'unet_resnet34', ...), for CLIs and config files.
 *
 * @example
 * const config = getPreset('lraspp_mobilenetv3', { inputSize: [224, 224] });
 */
export function getPreset(name: string, options: PresetOptions = {}): DepthModelConfig {
  return presetRegistry.get(name).factory(options);
}

/** Whether a preset is registered under `name`. */
export function hasPreset(name: string): boolean {
  return presetRegistry.has(name);
}

/**
 * The registered presets.
 *
 * @example
 * listPresets().map((p) => p.name); // ['densedepth169', 'densedepth201', 'unet_scratch', ...]
 */
export function listPresets(): (PresetRegistration & { name: string })[] {
  return presetRegistry.list().map(({ name, spec }) => ({ ...spec, name }));
}
