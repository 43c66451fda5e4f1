/**
 * Optimizers for the trainer: Adam (with optional L2 weight decay added to the gradient, as torch.optim.Adam
 * does), AdamW (decoupled weight decay, Loshchilov & Hutter) and SGD with momentum. The learning rate can be
 * changed between steps (schedules) and the whole state saved and restored (checkpoints).
 */
import { DepthblocksError, parseWithSchema, simdAdamUpdate, tensorStorage, tf } from '@depthblocks/core';
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

/**
 * The same update as the tf-op path, in one pass over the storage (wasm and cpu backends), instead of ~10
 * elementwise kernels that each read and write whole arrays. Returns false where the storage is
 * not directly accessible (native backend, shared data): the caller then uses tf ops.
 */
function fusedUpdate(
  name: OptimizerName,
  o: Required<OptimizerOptions>,
  lr: number,
  w: tf.Variable,
  g: tf.Tensor,
  s: { m: tf.Variable; v?: tf.Variable; step: number },
): boolean {
  // Moments are updated in place. The weights are written to a new tensor and assigned: the wasm backend
  // caches convolution operators with packed weights per weight tensor, so weights must never change in place.
  if (!tensorStorage(s.m, true) || (s.v && !tensorStorage(s.v, true)) || !tensorStorage(g) || !tensorStorage(w)) return false;
  const next = tf.zerosLike(w); // allocate before taking views: allocation may move the wasm heap
  const nv = tensorStorage(next, true);
  const wv = tensorStorage(w);
  const mv = tensorStorage(s.m, true);
  const vv = s.v ? tensorStorage(s.v, true) : null;
  const gv = tensorStorage(g);
  if (!nv || !wv || !mv || !gv || (name !== 'sgd' && !vv)) {
    next.dispose();
    return false;
  }
  const n = wv.length;
  const decay = decays(w) ? o.weightDecay : 0;
  if (name === 'sgd') {
    const mom = o.momentum;
    for (let i = 0; i < n; i++) {
      const m = mom * mv[i] + gv[i];
      mv[i] = m;
      nv[i] = wv[i] - lr * m;
    }
  } else {
    const { beta1: b1, beta2: b2, epsilon: eps } = o;
    const c1 = 1 - b1 ** s.step;
    const c2 = 1 - b2 ** s.step;
    const l2 = name === 'adam' ? decay : 0;
    const shrink = name === 'adamw' ? 1 - lr * decay : 1;
    // wasm SIMD where available (42.6M weights of DenseDepth-169: about 300 ms per step in JS, 30 ms in SIMD)
    const step = { beta1: b1, beta2: b2, lrCorrected: lr / c1, invCorrection2: 1 / c2, epsilon: eps, l2, shrink };
    if (!simdAdamUpdate(w, g, s.m, s.v!, next, step)) {
      const v2 = vv!;
      for (let i = 0; i < n; i++) {
        const wi = wv[i];
        const gi = gv[i] + l2 * wi;
        const m = b1 * mv[i] + (1 - b1) * gi;
        const v = b2 * v2[i] + (1 - b2) * gi * gi;
        mv[i] = m;
        v2[i] = v;
        nv[i] = wi * shrink - (lr * (m / c1)) / (Math.sqrt(v / c2) + eps);
      }
    }
  }
  w.assign(next);
  next.dispose();
  return true;
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
  const slots = new Map<string, { m: tf.Variable; v?: tf.Variable; step: number }>();
  let lr = o.lr;
  const slotFor = (k: string, like: tf.Tensor): { m: tf.Variable; v?: tf.Variable; step: number } => {
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
        if (!fusedUpdate(name, o, lr, w, g0, s)) {
          tf.tidy(() => {
            const g = name === 'adam' && o.weightDecay > 0 && decays(w) ? tf.add(g0, tf.mul(w, o.weightDecay)) : g0;
            if (name === 'sgd') {
              s.m.assign(tf.add(tf.mul(s.m, o.momentum), g));
              w.assign(tf.sub(w, tf.mul(s.m, lr)));
              return;
            }
            s.m.assign(tf.add(tf.mul(s.m, o.beta1), tf.mul(g, 1 - o.beta1)));
            s.v!.assign(tf.add(tf.mul(s.v!, o.beta2), tf.mul(tf.square(g), 1 - o.beta2)));
            const c1 = 1 - o.beta1 ** s.step;
            const c2 = 1 - o.beta2 ** s.step;
            const update = tf.div(tf.div(s.m, c1), tf.add(tf.sqrt(tf.div(s.v!, c2)), o.epsilon));
            let next = tf.sub(w, tf.mul(update, lr));
            if (name === 'adamw' && o.weightDecay > 0 && decays(w)) next = tf.sub(next, tf.mul(w, lr * o.weightDecay));
            w.assign(next);
          });
        }
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
