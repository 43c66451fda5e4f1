/**
 * Optimizers for the trainer: Adam (with optional L2 weight decay added to the gradient, as torch.optim.Adam
 * does), AdamW (decoupled weight decay, Loshchilov & Hutter) and SGD with momentum. The learning rate can be
 * changed between steps (schedules) and the whole state saved and restored (checkpoints).
 *
 * The update rules are defined here once. Adam's runs as one kernel where @depthblocks/backend registered one
 * (wasm SIMD: one pass over each variable instead of about ten elementwise kernels), else as tf ops.
 */
import { BackendKernels, DepthblocksError, hasKernel, parseWithSchema, tf, type AdamUpdateAttrs } from '@depthblocks/core';
import { optimizerOptionsSchema, type OptimizerName, type OptimizerOptions } from './optimizer-options';

export type { OptimizerName, OptimizerOptions } from './optimizer-options';

/** One named array of optimizer state (first/second moments, step count). */
export interface NamedState {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** The trainer's optimizer: apply gradients, change the learning rate, save and restore state. */
export interface TrainOptimizer {
  readonly name: OptimizerName;
  readonly options: Required<OptimizerOptions>;
  lr: number;
  /** Applies gradients to the variables they name (plus weight decay). */
  apply(grads: Record<string, tf.Tensor>, variables: tf.Variable[]): void;
  getState(): Promise<NamedState[]>;
  setState(state: NamedState[]): Promise<void>;
  dispose(): void;
}

/** Whether weight decay applies to a variable: kernels yes; biases and batch-norm parameters no. */
export function decays(v: tf.Variable): boolean {
  return v.rank > 1;
}

/** A variable's optimizer state: first moment (Adam, SGD momentum), second moment (Adam only), steps taken. */
type Slot = { m: tf.Variable; v?: tf.Variable; step: number };

/**
 * The Adam / AdamW update of step `step`, as the hyper-parameters of core's `adamUpdate` kernel contract
 * (`AdamUpdateAttrs`): bias corrections folded into the learning rate and the second moment, Adam's weight decay
 * as an L2 term added to the gradient (torch.optim.Adam), AdamW's as a shrink of the weights (decoupled).
 */
function adamStep(name: 'adam' | 'adamw', o: Required<OptimizerOptions>, lr: number, decay: number, step: number): AdamUpdateAttrs {
  return {
    beta1: o.beta1,
    beta2: o.beta2,
    lrCorrected: lr / (1 - o.beta1 ** step),
    invCorrection2: 1 / (1 - o.beta2 ** step),
    epsilon: o.epsilon,
    l2: name === 'adam' ? decay : 0,
    shrink: name === 'adamw' ? 1 - lr * decay : 1,
  };
}

/**
 * One Adam / AdamW step of a variable: the `adamUpdate` kernel where the backend has it (@depthblocks/backend
 * registers a wasm SIMD one), else the same formula in tf ops:
 * g' = g + l2 * w; m' = b1 m + (1 - b1) g'; v' = b2 v + (1 - b2) g'^2; w' = w * shrink - lrc * m' / (sqrt(v' * ic2) + eps).
 */
function adamUpdate(w: tf.Variable, g: tf.Tensor, s: Slot, p: AdamUpdateAttrs): void {
  tf.tidy(() => {
    let next: tf.Tensor, m: tf.Tensor, v: tf.Tensor;
    if (w.dtype === 'float32' && g.dtype === 'float32' && hasKernel(BackendKernels.adamUpdate)) {
      const inputs = { w, g, m: s.m, v: s.v! } as unknown as tf.NamedTensorMap;
      [next, m, v] = tf.engine().runKernel(BackendKernels.adamUpdate, inputs, p as unknown as tf.NamedAttrMap) as tf.Tensor[];
    } else {
      const gl = p.l2 ? tf.add(g, tf.mul(w, p.l2)) : g;
      m = tf.add(tf.mul(s.m, p.beta1), tf.mul(gl, 1 - p.beta1));
      v = tf.add(tf.mul(s.v!, p.beta2), tf.mul(tf.square(gl), 1 - p.beta2));
      const step = tf.div(tf.mul(m, p.lrCorrected), tf.add(tf.sqrt(tf.mul(v, p.invCorrection2)), p.epsilon));
      next = tf.sub(p.shrink === 1 ? w : tf.mul(w, p.shrink), step);
    }
    // new tensors are assigned, never written in place: the wasm backend caches packed convolution weights per tensor
    s.m.assign(m);
    s.v!.assign(v);
    w.assign(next);
  });
}

/** One SGD step with momentum: m' = momentum * m + g; w' = w - lr * m'. */
function sgdUpdate(w: tf.Variable, g: tf.Tensor, s: Slot, momentum: number, lr: number): void {
  tf.tidy(() => {
    s.m.assign(tf.add(tf.mul(s.m, momentum), g));
    w.assign(tf.sub(w, tf.mul(s.m, lr)));
  });
}

/**
 * Creates an optimizer.
 *
 * @example
 * const opt = createOptimizer({ name: 'adamw', lr: 1e-3, weightDecay: 0.02 });
 */
export function createOptimizer(options: OptimizerOptions = {}): TrainOptimizer {
  options = parseWithSchema(optimizerOptionsSchema, options, 'Optimizer options');
  const name = options.name ?? 'adam';
  const o: Required<OptimizerOptions> = {
    name,
    lr: options.lr ?? 1e-4,
    beta1: options.beta1 ?? 0.9,
    beta2: options.beta2 ?? 0.999,
    epsilon: options.epsilon ?? (name === 'sgd' ? 0 : 1e-7),
    weightDecay: options.weightDecay ?? (name === 'adamw' ? 0.01 : 0),
    momentum: options.momentum ?? 0.9,
  };
  // State per variable name (not per position, as tfjs' optimizers do), so that the set of trained variables
  // can change (encoder frozen, then unfrozen) and a variable's moments stay its own.
  const slots = new Map<string, Slot>();
  let lr = o.lr;
  const slotFor = (k: string, like: tf.Tensor): Slot => {
    let s = slots.get(k);
    if (!s) {
      const zeros = (): tf.Variable => tf.tidy(() => tf.variable(tf.zerosLike(like), false));
      s = { m: zeros(), v: name === 'sgd' ? undefined : zeros(), step: 0 };
      slots.set(k, s);
    }
    return s;
  };
  return {
    name,
    options: o,
    get lr() {
      return lr;
    },
    set lr(v: number) {
      if (!(v > 0) || !Number.isFinite(v))
        throw new DepthblocksError('INVALID_ARGUMENT', `Learning rate must be a positive number, got ${v}`);
      lr = v;
    },
    apply(grads, variables) {
      const byName = new Map(variables.map((v) => [v.name, v]));
      for (const [k, g0] of Object.entries(grads)) {
        const w = byName.get(k);
        if (!w) throw new DepthblocksError('INVALID_ARGUMENT', `Gradient for unknown variable '${k}'`);
        const s = slotFor(k, w);
        s.step += 1;
        const decay = decays(w) ? o.weightDecay : 0;
        if (name === 'sgd') sgdUpdate(w, g0, s, o.momentum, lr);
        else adamUpdate(w, g0, s, adamStep(name, o, lr, decay, s.step));
      }
    },
    async getState() {
      const out: NamedState[] = [];
      const read = async (t: tf.Tensor): Promise<Float32Array> => Float32Array.from(await t.data());
      for (const [k, s] of slots) {
        out.push({ name: `${k}/m`, shape: s.m.shape.slice(), data: await read(s.m) });
        if (s.v) out.push({ name: `${k}/v`, shape: s.v.shape.slice(), data: await read(s.v) });
        out.push({ name: `${k}/step`, shape: [], data: Float32Array.of(s.step) });
      }
      return out;
    },
    async setState(state) {
      for (const s of slots.values()) tf.dispose([s.m, ...(s.v ? [s.v] : [])]);
      slots.clear();
      const byName = new Map(state.map((s) => [s.name, s]));
      const variable = (s: NamedState): tf.Variable => tf.tidy(() => tf.variable(tf.tensor(s.data, s.shape), false));
      for (const [key, m] of byName) {
        if (!key.endsWith('/m')) continue;
        const k = key.slice(0, -2);
        const v = byName.get(`${k}/v`);
        const step = byName.get(`${k}/step`);
        if (name !== 'sgd' && !v) throw new DepthblocksError('WEIGHTS_MISMATCH', `Optimizer state for '${k}' has no second moment`);
        slots.set(k, { m: variable(m), v: v ? variable(v) : undefined, step: step ? step.data[0] : 0 });
      }
    },
    dispose() {
      for (const s of slots.values()) tf.dispose([s.m, ...(s.v ? [s.v] : [])]);
      slots.clear();
    },
  };
}
