/**
 * The dataset-reader registry: the `type` of a data spec (`{ "type": "nyu-labeled", "path": ... }`, as run
 * configs name data) -> the reader that opens it. Each reader registers itself next to its implementation;
 * a reader written elsewhere registers the same way and can then be named in the CLI's run configs.
 */
import { configIssues, createRegistry, parseWithSchema, registeredName, z } from '@depthblocks/core';
import type { Dataset, OnError } from './dataset';

/** What a reader's opener gets besides the spec's options. */
export interface DatasetContext {
  /** What to do with a sample that cannot be read: 'throw' (default) or 'skip'. */
  onError: OnError;
  /** Where a reader's warnings go (readers that warn pass it on). */
  onWarning?: (message: string) => void;
}

/** What {@link registerDataset} records besides the opener. */
export interface DatasetRegistration {
  description: string;
  /** The schema of the spec's options (every key but `type`; use `z.strictObject`). */
  options: z.ZodType;
}

type DatasetOpener = (options: never, context: DatasetContext) => Dataset | Promise<Dataset>;

/** The registry itself. */
export const datasetRegistry = createRegistry<DatasetOpener, DatasetRegistration>('dataset type');

/**
 * Registers a dataset reader under a data-spec type.
 *
 * @example
 * registerDataset('my-scans', (o: { folder: string }) => myScans(o.folder), {
 *   description: 'RGB-D scans from our rig',
 *   options: z.strictObject({ folder: z.string() }),
 * });
 * // run config: "data": { "train": { "type": "my-scans", "folder": "scans/train" } }
 */
export function registerDataset<O>(
  type: string,
  open: (options: O, context: DatasetContext) => Dataset | Promise<Dataset>,
  spec: DatasetRegistration,
  options: { replace?: boolean } = {},
): void {
  datasetRegistry.register(type, open as DatasetOpener, spec, options);
}

/**
 * The schema of a data spec: a registered `type` plus that reader's options, checked when the spec is
 * checked (so readers registered later count); unknown types and keys get a "did you mean".
 */
export const dataSpecSchema = z.looseObject({ type: registeredName(datasetRegistry) }).superRefine((spec, ctx) => {
  const { type, ...options } = spec;
  if (!datasetRegistry.has(type)) return;
  for (const i of configIssues(datasetRegistry.get(type).spec.options, options)) {
    ctx.addIssue({ code: 'custom', path: i.path, message: i.message, input: options });
  }
});

/** A data spec: `{ type, ...options }`, e.g. `{ type: 'synthetic', count: 64, width: 64, height: 48 }`. */
export type DataSpec = { type: string } & Record<string, unknown>;

/**
 * Opens the dataset a data spec describes (checked first: INVALID_CONFIG / NOT_FOUND name what is wrong).
 *
 * @example
 * const ds = await openDataset({ type: 'synthetic', count: 100, width: 64, height: 48, seed: 1 });
 */
export async function openDataset(spec: DataSpec, context: Partial<DatasetContext> = {}): Promise<Dataset> {
  parseWithSchema(dataSpecSchema, spec, 'Data spec');
  const { type, ...options } = spec;
  const entry = datasetRegistry.get(type);
  const parsed = parseWithSchema(entry.spec.options, options, `Data spec '${type}'`);
  return (entry.factory as (o: unknown, c: DatasetContext) => Dataset | Promise<Dataset>)(parsed, {
    ...context,
    onError: context.onError ?? 'throw',
  });
}

/** Whether a reader is registered for a data-spec type. */
export function hasDataset(type: string): boolean {
  return datasetRegistry.has(type);
}

/**
 * The registered readers.
 *
 * @example
 * listDatasets().map((d) => d.name); // ['nyu-labeled', 'nyu-zip', 'nyu-bts', 'kitti', 'folders', 'diw', 'synthetic']
 */
export function listDatasets(): { name: string; description: string }[] {
  return datasetRegistry.list().map(({ name, spec }) => ({ name, description: spec.description }));
}
