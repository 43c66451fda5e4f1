/**
 * Config checking with zod schemas: every config of depthblocks (model, part options, loss weights, run
 * configs) has one zod schema, and these helpers turn zod's issues into one `DepthblocksError('INVALID_CONFIG')`
 * whose message names each wrong field by its path, the value found, what was expected, and for an unknown
 * key or name the nearest valid one.
 */
import { z } from 'zod';
import { DepthblocksError } from './errors';
import { didYouMean } from './did-you-mean';
import type { Registry } from './registry';

/** One problem in a config: where (`['train', 'optimizer', 'lr']`) and what. */
export interface ConfigIssue {
  path: (string | number)[];
  message: string;
}

/**
 * A path as one writes it in JavaScript: `train.optimizer.lr`, `train.inputSize[0]`, `(root)` for the whole.
 *
 * @example
 * formatConfigPath(['train', 'inputSize', 0]); // 'train.inputSize[0]'
 */
export function formatConfigPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path
    .map((p, i) => {
      if (typeof p === 'number') return `[${p}]`;
      const s = String(p);
      if (/^[A-Za-z_$][\w$]*$/.test(s)) return i === 0 ? s : `.${s}`;
      return `[${JSON.stringify(s)}]`;
    })
    .join('');
}

/** A value for a message: its type and, for short values, the value (`string "1e-4"`, `number 0`, `an array`). */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return `an array ${short(v)}`;
  if (typeof v === 'number' && !Number.isFinite(v)) return `number ${v}`;
  if (typeof v === 'object') return `an object ${short(v)}`;
  if (typeof v === 'function') return 'a function';
  return `${typeof v} ${short(v)}`;
}

function short(v: unknown): string {
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** Keys of an object schema (for "did you mean"), from zod's definition. */
function shapeKeys(schema: unknown): string[] {
  const def = (schema as { _zod?: { def?: { shape?: Record<string, unknown> } } } | undefined)?._zod?.def;
  return def?.shape ? Object.keys(def.shape) : [];
}

const quote = (v: unknown): string => (typeof v === 'string' ? `"${v}"` : String(v));

/** zod's issue (as handed to an error map) -> our sentence, or undefined to keep zod's. */
function issueMessage(iss: z.core.$ZodRawIssue): string | undefined {
  const input = iss.input;
  switch (iss.code) {
    case 'unrecognized_keys': {
      const known = shapeKeys(iss.inst);
      return iss.keys
        .map((k) => {
          const hint = didYouMean(k, known);
          return `unknown key "${k}"${hint || (known.length ? `; valid keys: ${known.join(', ')}` : '')}`;
        })
        .join('; ');
    }
    case 'invalid_type':
      if (input === undefined) return `is required (expected ${iss.expected})`;
      if (iss.expected === 'int') return `expected an integer, got ${describeValue(input)}`;
      return `expected ${iss.expected}, got ${describeValue(input)}`;
    case 'invalid_value': {
      const values = iss.values.map((v) => quote(v));
      const hint = typeof input === 'string' ? didYouMean(input, iss.values.map(String)) : '';
      return `expected ${values.length === 1 ? values[0] : `one of ${values.join(', ')}`}, got ${describeValue(input)}${hint}`;
    }
    case 'too_small':
    case 'too_big': {
      const bound = iss.code === 'too_small' ? iss.minimum : iss.maximum;
      const op = iss.code === 'too_small' ? (iss.inclusive ? '>=' : '>') : iss.inclusive ? '<=' : '<';
      if (iss.origin === 'number' || iss.origin === 'int' || iss.origin === 'bigint')
        return `must be ${op} ${String(bound)}, got ${describeValue(input)}`;
      const unit = iss.origin === 'string' ? 'characters' : 'items';
      const exact = (iss as { exact?: boolean }).exact;
      return `must have ${exact ? 'exactly' : iss.code === 'too_small' ? 'at least' : 'at most'} ${String(bound)} ${unit}, got ${describeValue(input)}`;
    }
    case 'not_multiple_of':
      return `must be a multiple of ${String(iss.divisor)}, got ${describeValue(input)}`;
    case 'invalid_union': {
      // the branches whose type matched (no type error at their root) say what is wrong inside; else list the types
      const errors = (iss as { errors?: z.core.$ZodIssue[][] }).errors ?? [];
      const typeErrors = errors.map((b) => b.find((i) => i.path.length === 0 && i.code === 'invalid_type'));
      const matched = errors.filter((_, k) => !typeErrors[k]);
      if (matched.length === 1 && matched[0].length) {
        return matched[0].map((i) => (i.path.length ? `${formatConfigPath(i.path)}: ${i.message}` : i.message)).join('; ');
      }
      const expected = [...new Set(typeErrors.filter((i) => i).map((i) => (i as { expected: string }).expected))];
      return `expected ${expected.length ? expected.join(' or ') : 'one of the allowed forms'}, got ${describeValue(input)}`;
    }
    case 'custom':
      return iss.message;
    default:
      return undefined;
  }
}

/**
 * The problems of `value` under `schema`, each with its path (after `prefix`) and a message; empty when it is valid.
 *
 * @example
 * configIssues(z.strictObject({ lr: z.number() }), { lr: '1e-4' }, ['train', 'optimizer']);
 * // [{ path: ['train', 'optimizer', 'lr'], message: 'expected number, got string "1e-4"' }]
 */
export function configIssues(schema: z.ZodType, value: unknown, prefix: (string | number)[] = []): ConfigIssue[] {
  return check(schema, value, prefix).issues;
}

function check<S extends z.ZodType>(schema: S, value: unknown, prefix: (string | number)[]): { data?: z.output<S>; issues: ConfigIssue[] } {
  const r = schema.safeParse(value, { error: issueMessage });
  if (r.success) return { data: r.data as z.output<S>, issues: [] };
  return { issues: r.error.issues.map((i) => ({ path: [...prefix, ...(i.path as (string | number)[])], message: i.message })) };
}

/**
 * Throws one `DepthblocksError('INVALID_CONFIG')` for `issues` (does nothing when there are none):
 * `what: path: message` (no path for the whole value), one line per issue; `details.issues` holds them.
 *
 * @example
 * throwConfigIssues('Run config runs/a.json', [{ path: ['train', 'epoch'], message: 'unknown key' }]);
 */
export function throwConfigIssues(what: string, issues: ConfigIssue[]): void {
  if (issues.length === 0) return;
  const lines = issues.map((i) => (i.path.length ? `${formatConfigPath(i.path)}: ${i.message}` : i.message));
  const message =
    lines.length === 1 ? `${what}: ${lines[0]}` : `${what} has ${lines.length} problems:\n${lines.map((l) => `  - ${l}`).join('\n')}`;
  throw new DepthblocksError('INVALID_CONFIG', message, { issues });
}

/**
 * Checks `value` against `schema` and returns zod's output (defaults filled in), or throws
 * `DepthblocksError('INVALID_CONFIG')` naming every problem (see {@link throwConfigIssues}).
 *
 * @example
 * const lr = parseWithSchema(z.strictObject({ lr: z.number().positive() }), { lr: 1e-4 }, 'optimizer options').lr;
 */
export function parseWithSchema<S extends z.ZodType>(
  schema: S,
  value: unknown,
  what: string,
  prefix: (string | number)[] = [],
): z.output<S> {
  const { data, issues } = check(schema, value, prefix);
  throwConfigIssues(what, issues);
  return data as z.output<S>;
}

/** "unknown encoder "x" (did you mean "y"?)", or with the list of registered names when none is close. */
function unknownName(registry: Registry<unknown, unknown>, name: string): string {
  const names = registry.names();
  return `unknown ${registry.kind} "${name}"${didYouMean(name, names) || `; registered ${registry.kind}s: ${names.join(', ') || '(none)'}`}`;
}

/**
 * A string schema that accepts the names registered in `registry` at the time of checking (so parts registered
 * later count); an unknown name is an issue with a "did you mean".
 *
 * @example
 * const presetName = registeredName(presetRegistry); // 'densedepth169' ok, 'densedepth196' -> did you mean
 */
export function registeredName(registry: Registry<unknown, unknown>): z.ZodType<string, string> {
  return z.string().superRefine((name, ctx) => {
    if (!registry.has(name)) ctx.addIssue({ code: 'custom', message: unknownName(registry, name), input: name });
  });
}

/**
 * An object schema whose keys must be names registered in `registry` (checked at parse time) and whose values
 * follow `value`; an unknown key is an issue at that key with a "did you mean".
 *
 * @example
 * const lossWeights = registeredKeys(lossRegistry, z.number().nonnegative()); // { l1: 0.1, ssim: 1 }
 */
export function registeredKeys<V extends z.ZodType>(
  registry: Registry<unknown, unknown>,
  value: V,
): z.ZodType<Record<string, z.output<V>>, Record<string, z.input<V>>> {
  const schema = z.record(z.string(), value).superRefine((record, ctx) => {
    for (const k of Object.keys(record)) {
      if (!registry.has(k)) ctx.addIssue({ code: 'custom', message: unknownName(registry, k), path: [k], input: record[k] });
    }
  });
  return schema as unknown as z.ZodType<Record<string, z.output<V>>, Record<string, z.input<V>>>;
}

/** zod's definition of a schema (the fields this module reads). */
interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  in?: z.ZodType;
  options?: z.ZodType[];
  getter?: () => z.ZodType;
}
const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** The schema inside optional / nullable / default / lazy / pipe wrappers. */
function unwrap(schema: z.ZodType): z.ZodType {
  for (let d = defOf(schema); ; d = defOf(schema)) {
    if (d.innerType && ['optional', 'nullable', 'default', 'prefault', 'nonoptional', 'readonly', 'catch'].includes(d.type))
      schema = d.innerType;
    else if (d.type === 'lazy' && d.getter) schema = d.getter();
    else if (d.type === 'pipe' && d.in) schema = d.in;
    else return schema;
  }
}

/**
 * The schema of the value at `path` inside an object schema (through optional/default wrappers and unions
 * of objects), or undefined when the path leads nowhere. Used to parse a command-line flag with the type of
 * the config field it sets.
 *
 * @example
 * schemaAt(runConfigSchema, ['train', 'optimizer', 'lr']); // z.number().positive().optional()
 */
export function schemaAt(schema: z.ZodType, path: readonly string[]): z.ZodType | undefined {
  if (path.length === 0) return schema;
  const d = defOf(unwrap(schema));
  if (d.type === 'object' && d.shape) {
    const next = d.shape[path[0]];
    return next ? schemaAt(next, path.slice(1)) : undefined;
  }
  if (d.type === 'union' && d.options) {
    for (const o of d.options) {
      const found = schemaAt(o, path);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * Whether a schema takes numbers (a number, or a union / literal list with a number in it): a command-line
 * flag for it is parsed as a number.
 */
export function acceptsNumber(schema: z.ZodType): boolean {
  const inner = unwrap(schema);
  const d = defOf(inner) as Def & { values?: unknown[] };
  if (d.type === 'number' || d.type === 'int') return true;
  if (d.type === 'literal') return (d.values ?? []).some((v) => typeof v === 'number');
  if (d.type === 'union' && d.options) return d.options.some(acceptsNumber);
  return false;
}
