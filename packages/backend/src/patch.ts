/**
 * A patch: one named change to TensorFlow.js that install() applies and uninstall() undoes.
 *
 * Patches change tfjs only through a {@link ChangeSet}, which records each change (so `BackendInfo.patches`
 * is what was really registered or replaced, not a hand-written list) and how to undo it exactly (the
 * stock kernel, gradient or method object goes back in its place).
 */
import { tf } from '@depthblocks/core';

/** The names of the patches (see the README's "Patches" table). */
export type PatchName =
  | 'wasmKernels'
  | 'resizeBilinearGrad'
  | 'dilatedConvGradients'
  | 'fusedConv'
  | 'gatherScatterGradients'
  | 'fusedBatchNormGradient'
  | 'batchNormKernels'
  | 'layersBatchNorm'
  | 'activationGradients'
  | 'frugalGradients'
  | 'simdAdam';

/** The TensorFlow.js packages whose internals a patch relies on (their versions are checked). */
export type TfjsPackage = 'tfjs-core' | 'tfjs-layers' | 'tfjs-backend-cpu' | 'tfjs-backend-wasm' | 'tfjs-backend-webgl';

/** One change a patch made. */
export interface PatchChange {
  patch: PatchName;
  kind: 'kernel' | 'gradient' | 'method';
  /** Kernel or gradient name, or the patched method (`Engine.gradients`, `tf.fused.conv2d`, ...). */
  target: string;
  /** For kernels: the backend it is registered for. */
  backend?: string;
  /** True when it replaced tfjs' own; false when tfjs had none. */
  replaced: boolean;
}

/** How a change reads in `BackendInfo.patches`, e.g. `wasm kernel:Conv2DBackpropFilter`, `gradient:Conv2D`. */
export function changeLabel(c: PatchChange): string {
  if (c.kind === 'kernel') return `${c.backend} kernel:${c.target}`;
  if (c.kind === 'gradient') return `gradient:${c.target}`;
  return `method:${c.target}`;
}

type KernelConfig = Parameters<typeof tf.registerKernel>[0];
type GradConfig = Parameters<typeof tf.registerGradient>[0];

/** tfjs warns "Overriding the gradient for ..." / "already registered": expected here. */
function quiet<T>(fn: () => T): T {
  const warn = console.warn;
  console.warn = () => undefined;
  try {
    return fn();
  } finally {
    console.warn = warn;
  }
}

/** Records the changes one patch makes and undoes them in reverse order. */
export class ChangeSet {
  readonly changes: PatchChange[] = [];
  /** Why the patch could not be applied here (it then makes no change), or null. */
  skipped: string | null = null;
  private readonly undos: (() => void)[] = [];

  constructor(readonly patch: PatchName) {}

  /** Marks the patch as not applicable in this environment, saying why. */
  skip(reason: string): void {
    this.skipped = reason;
  }

  /** Registers a kernel, replacing tfjs' own for that backend if there is one. */
  kernel(config: KernelConfig): void {
    const { kernelName, backendName } = config;
    const stock = tf.getKernel(kernelName, backendName);
    if (stock) tf.unregisterKernel(kernelName, backendName);
    tf.registerKernel(config);
    this.changes.push({ patch: this.patch, kind: 'kernel', target: kernelName, backend: backendName, replaced: stock != null });
    this.undos.push(() => {
      tf.unregisterKernel(kernelName, backendName);
      if (stock) tf.registerKernel(stock);
    });
  }

  /** Registers a gradient, replacing tfjs' own if there is one. */
  gradient(config: GradConfig): void {
    const { kernelName } = config;
    const stock = tf.getGradient(kernelName);
    quiet(() => tf.registerGradient(config));
    this.changes.push({ patch: this.patch, kind: 'gradient', target: kernelName, replaced: stock != null });
    this.undos.push(() => {
      if (stock) quiet(() => tf.registerGradient(stock));
      else tf.unregisterGradient(kernelName);
    });
  }

  /**
   * Whether `obj[key]` can be replaced: assigns the value it has (a no-op where it can). ES module namespaces,
   * such as tfjs' `fused` in bundles and browsers, refuse (this module is strict code, so the refusal throws).
   */
  static writable(obj: object, key: PropertyKey): boolean {
    const o = obj as Record<PropertyKey, unknown>;
    const value = o[key];
    try {
      o[key] = value;
      return o[key] === value;
    } catch {
      return false;
    }
  }

  /** Replaces `obj[key]` (a method or a function-valued property); `target` names it in the record. */
  method<O extends object, K extends keyof O>(obj: O, key: K, replacement: O[K], target: string): void {
    const original = obj[key];
    const own = Object.prototype.hasOwnProperty.call(obj, key);
    obj[key] = replacement;
    this.changes.push({ patch: this.patch, kind: 'method', target, replaced: true });
    this.undos.push(() => {
      if (own) obj[key] = original;
      else delete obj[key];
    });
  }

  /** Undoes every change, last first. */
  undo(): void {
    for (let i = this.undos.length - 1; i >= 0; i--) this.undos[i]();
    this.undos.length = 0;
    this.changes.length = 0;
  }
}

/** A patch: its name, the tfjs packages it relies on, and how to apply it. */
export interface Patch {
  name: PatchName;
  tfjs: TfjsPackage[];
  /** Makes the changes through `c`. `ctx.simd`: whether the wasm SIMD module compiled (see simd-kernels.ts). */
  apply(c: ChangeSet, ctx: { simd: boolean }): void;
}
