/**
 * Matching a weight file's tensors to a model's variables by key, with one report and one error for every
 * loader (an encoder's pretrained weights, a whole model's weight file): what was loaded, what the file lacks
 * (missing), what the model lacks (unexpected), what has another shape (mis-shaped). Strict loads change
 * nothing unless everything matches.
 */
import { DepthblocksError } from '../errors';
import { tf } from '../tf';
import type { WeightTensor } from './types';

/** A variable to fill, under the key a file's tensor must have (e.g. `conv1/conv/kernel`). */
export interface WeightTarget {
  key: string;
  variable: tf.LayerVariable;
}

/** A file tensor under its key, already in the variable's layout (e.g. HWIO). */
export interface WeightSource extends WeightTensor {
  /** The tensor's name in the file. */
  source: string;
  /** Its shape as stored (before a layout conversion such as OIHW -> HWIO). */
  fileShape: number[];
}

/** What a load did. After a strict load, `missing`, `unexpected` and `misShaped` are empty. */
export interface WeightMatchReport {
  /** Number of variables assigned. */
  loaded: number;
  /** Keys of variables the file did not provide. */
  missing: string[];
  /** File tensors (their names in the file) that matched no variable. */
  unexpected: string[];
  /** Present on both sides with different shapes: `expected` (variable), `got` (file tensor in the variable's layout), `fileShape` (as stored). */
  misShaped: { name: string; source: string; expected: number[]; got: number[]; fileShape: number[] }[];
  /** Keys of variables whose tensor `adapt` changed (e.g. a stem kernel for another channel count). */
  adapted: string[];
  /** File tensors skipped on purpose (classifier heads, BN `num_batches_tracked`, optimizer state, ...). */
  ignored: string[];
}

/** Options of {@link loadIntoVariables}. */
export interface LoadIntoVariablesOptions {
  /** Default true: any missing, unexpected or mis-shaped tensor throws WEIGHTS_MISMATCH and nothing is assigned. */
  strict?: boolean;
  /** The file, for messages ('nyu.h5', a URL, 'buffer'). */
  where: string;
  /** What is loaded, for messages: 'the encoder', 'the model'. */
  what: string;
  /** The last line of the mismatch message: what to check or do. */
  advice?: string;
  /** File tensors already known to match nothing (in addition to the sources no target consumed). */
  unexpected?: string[];
  /** File tensors skipped on purpose. */
  ignored?: string[];
  /** Shapes of file tensors by name, to show with unexpected ones. */
  fileShapes?: Map<string, number[]>;
  /** May replace a source before the shape check (return null to keep it), e.g. to adapt a stem kernel. */
  adapt?: (target: WeightTarget, source: WeightSource) => WeightTensor | null;
}

const fmt = (s: readonly number[]): string => `[${s.join(', ')}]`;

function mismatchMessage(o: LoadIntoVariablesOptions, report: WeightMatchReport, targets: Map<string, WeightTarget>): string {
  const list = <T>(items: T[], show: (x: T) => string): string => {
    const head = items.slice(0, 20).map((x) => `    ${show(x)}`);
    if (items.length > 20) head.push(`    ... and ${items.length - 20} more (see error.details)`);
    return head.join('\n');
  };
  const parts = [`Weights in ${o.where} do not match ${o.what}:`];
  if (report.missing.length) {
    parts.push(
      `  missing from the file (${report.missing.length}):`,
      list(report.missing, (k) => `${k} ${fmt(targets.get(k)!.variable.shape as number[])}`),
    );
  }
  if (report.unexpected.length) {
    parts.push(
      `  unexpected in the file (${report.unexpected.length}):`,
      list(report.unexpected, (k) => (o.fileShapes?.has(k) ? `${k} ${fmt(o.fileShapes.get(k)!)}` : k)),
    );
  }
  if (report.misShaped.length) {
    parts.push(
      `  mis-shaped (${report.misShaped.length}):`,
      list(
        report.misShaped,
        (m) =>
          `${m.name} expects ${fmt(m.expected)}, got ${fmt(m.got)} from '${m.source}'` +
          (fmt(m.fileShape) !== fmt(m.got) ? ` (stored as ${fmt(m.fileShape)})` : ''),
      ),
    );
  }
  parts.push(o.advice ?? 'Check that the file belongs to this architecture, or pass { strict: false } to load what matches.');
  return parts.join('\n');
}

/**
 * Assigns `sources` to `targets` by key. Strict (default): throws `DepthblocksError('WEIGHTS_MISMATCH')`
 * listing missing, unexpected and mis-shaped tensors with their shapes (the lists in `error.details`) and
 * assigns nothing; `strict: false` assigns what matches and reports the rest.
 *
 * @example
 * const report = loadIntoVariables(
 *   model.weights.map((v) => ({ key: v.originalName, variable: v })),
 *   new Map([['conv3/kernel', { source: 'conv3/kernel:0', shape: [3, 3, 104, 1], fileShape: [3, 3, 104, 1], data }]]),
 *   { where: 'w.h5', what: 'the model', strict: false },
 * );
 */
export function loadIntoVariables(
  targets: WeightTarget[],
  sources: Map<string, WeightSource>,
  options: LoadIntoVariablesOptions,
): WeightMatchReport {
  const byKey = new Map(targets.map((t) => [t.key, t]));
  const report: WeightMatchReport = {
    loaded: 0,
    missing: [],
    unexpected: [...(options.unexpected ?? [])],
    misShaped: [],
    adapted: [],
    ignored: [...(options.ignored ?? [])],
  };
  for (const [key, s] of sources) if (!byKey.has(key)) report.unexpected.push(s.source);
  const assign: [WeightTarget, WeightTensor][] = [];
  for (const t of targets) {
    const src = sources.get(t.key);
    if (!src) {
      report.missing.push(t.key);
      continue;
    }
    let s: WeightTensor = src;
    const adapted = options.adapt?.(t, src);
    if (adapted) {
      s = adapted;
      report.adapted.push(t.key);
    }
    const expected = t.variable.shape as number[];
    if (s.shape.length !== expected.length || s.shape.some((d, i) => d !== expected[i])) {
      report.misShaped.push({ name: t.key, source: src.source, expected: [...expected], got: [...s.shape], fileShape: [...src.fileShape] });
      continue;
    }
    assign.push([t, s]);
  }
  if ((options.strict ?? true) && (report.missing.length || report.unexpected.length || report.misShaped.length)) {
    throw new DepthblocksError('WEIGHTS_MISMATCH', mismatchMessage(options, report, byKey), {
      missing: report.missing,
      unexpected: report.unexpected,
      misShaped: report.misShaped,
    });
  }
  for (const [t, s] of assign) {
    tf.tidy(() => {
      t.variable.write(tf.tensor(s.data, s.shape, 'float32'));
    });
  }
  report.loaded = assign.length;
  return report;
}
