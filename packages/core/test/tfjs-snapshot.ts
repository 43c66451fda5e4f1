/**
 * A snapshot of everything in TensorFlow.js that a library could change when it is imported, and the differences
 * between two snapshots, as readable lines. Used by the import test here and by @depthblocks/backend's install
 * test. Objects are compared by identity: a kernel config, gradient config or method replaced by an equal-looking
 * copy still counts as changed.
 */
type Tf = typeof import('@tensorflow/tfjs');

export interface TfjsSnapshot {
  entries: Map<string, unknown>;
}

/** Own function-valued (or any-valued, with `all`) properties of an object, as `prefix.name` entries. */
function own(out: Map<string, unknown>, prefix: string, obj: object | null | undefined, all = false): void {
  if (!obj) return;
  for (const key of Object.getOwnPropertyNames(obj)) {
    const d = Object.getOwnPropertyDescriptor(obj, key)!;
    const value = 'value' in d ? d.value : (d.get ?? d.set);
    if (all || typeof value === 'function') out.set(`${prefix}.${key}`, value);
  }
}

/**
 * Takes the snapshot: the kernel and gradient registries (every entry, by identity), the engine's methods (own and
 * prototype) and registered backends, tf.fused, the function exports of tfjs-core and tfjs-layers, Tensor and
 * Variable methods, tfjs' environment flags, and every class registered for (de)serialisation with its prototype's
 * methods (tfjs-layers' BatchNormalization.prototype.call among them).
 */
export function snapshotTfjs(tf: Tf): TfjsSnapshot {
  const entries = new Map<string, unknown>();
  const globals: Map<string, unknown> | undefined = (globalThis as any)._tfGlobals;
  if (!globals) throw new Error('tfjs keeps its registries in globalThis._tfGlobals (tfjs 4.x); not found');
  for (const [key, config] of globals.get('kernelRegistry') as Map<string, unknown>) entries.set(`kernel ${key}`, config);
  for (const [key, config] of globals.get('gradRegistry') as Map<string, unknown>) entries.set(`gradient ${key}`, config);
  const engine = tf.engine() as any;
  own(entries, 'engine', engine);
  own(entries, 'Engine.prototype', Object.getPrototypeOf(engine));
  for (const [name, reg] of Object.entries(engine.registryFactory as Record<string, { factory: unknown }>)) {
    entries.set(`backend factory ${name}`, reg.factory);
  }
  own(entries, 'tf.fused', tf.fused);
  own(entries, 'tfjs-core', require('@tensorflow/tfjs-core'));
  own(entries, 'tfjs-layers', require('@tensorflow/tfjs-layers'));
  own(entries, 'Tensor.prototype', tf.Tensor.prototype);
  own(entries, 'Variable.prototype', tf.Variable.prototype);
  own(entries, 'env.flags', tf.env().flags, true);
  const classes = tf.serialization.SerializationMap.getMap().classNameMap as Record<string, [{ prototype: object }, unknown]>;
  for (const [name, [cls]] of Object.entries(classes)) {
    entries.set(`class ${name}`, cls);
    own(entries, `class ${name}.prototype`, cls.prototype);
  }
  own(entries, 'class Layer.prototype', tf.layers.Layer.prototype);
  return { entries };
}

/** The differences from `a` to `b`: `added x`, `removed x`, `changed x`. */
export function diffTfjs(a: TfjsSnapshot, b: TfjsSnapshot): string[] {
  const out: string[] = [];
  for (const [k, v] of b.entries) {
    if (!a.entries.has(k)) out.push(`added ${k}`);
    else if (a.entries.get(k) !== v) out.push(`changed ${k}`);
  }
  for (const k of a.entries.keys()) if (!b.entries.has(k)) out.push(`removed ${k}`);
  return out.sort();
}
