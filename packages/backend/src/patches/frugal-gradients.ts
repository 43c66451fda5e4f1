/**
 * Patch `frugalGradients`: backprop that frees memory as it goes.
 *
 * tfjs' engine (4.22, `Engine.gradients`) keeps, until the whole backward pass ends, every tensor saved for
 * backprop and the gradient of every intermediate tensor. For DenseDepth-169 that held twice the activations
 * at the end of backprop and did not fit the 4 GB wasm heap at 240x320. This replacement walks the same
 * filtered tape in the same order with the same gradient functions, and:
 * - frees each node's saved tensors once its gradient has run;
 * - frees the gradient of a tensor once the node that produced it has consumed it (in reverse tape order
 *   nothing later needs it);
 * - frees the temporaries a gradient function makes besides the gradients it returns.
 * It only frees tensors created during this call's backward pass (never the caller's `dy` or anything from
 * outside), and only gradients that no other entry still refers to. Higher-order gradients (a gradient taken
 * while another is being recorded) use tfjs' own implementation. The results are identical to tfjs' (same
 * kernels in the same order); a test compares them.
 */
import { tf } from '@depthblocks/core';
import type { Patch } from '../patch';

type Node = {
  id: number;
  kernelName: string;
  inputs: Record<string, tf.Tensor>;
  outputs: tf.Tensor[];
  saved?: tf.Tensor[];
  gradient?: (dys: (tf.Tensor | null)[]) => Record<string, () => tf.Tensor>;
};

/** The nodes on a path from one of xs to y, with inputs pruned to those that depend on xs (as tfjs' tape.ts). */
function filterTape(tape: Node[], xs: tf.Tensor[], y: tf.Tensor): Node[] {
  const fromX = new Set<number>(xs.map((x) => x.id));
  const nodesFromX = new Set<number>();
  for (const node of tape) {
    for (const name in node.inputs) {
      if (fromX.has(node.inputs[name].id)) {
        for (const o of node.outputs) fromX.add(o.id);
        nodesFromX.add(node.id);
        break;
      }
    }
  }
  const leadToY = new Set<number>([y.id]);
  const nodesToY = new Set<number>();
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i];
    if (node.outputs.some((o) => leadToY.has(o.id))) {
      for (const name in node.inputs) leadToY.add(node.inputs[name].id);
      nodesToY.add(node.id);
    }
  }
  const filtered: Node[] = [];
  for (const node of tape) {
    if (!nodesFromX.has(node.id) || !nodesToY.has(node.id)) continue;
    const inputs: Record<string, tf.Tensor> = {};
    for (const name in node.inputs) if (fromX.has(node.inputs[name].id)) inputs[name] = node.inputs[name];
    filtered.push({ ...node, inputs, outputs: node.outputs });
  }
  return filtered;
}

/** The id the next tensor will get (tensor ids only grow; the counter is static on tfjs' Engine class). */
function nextTensorId(): number {
  const counter = (tf.engine().constructor as any).nextTensorId;
  if (typeof counter === 'number') return counter;
  const t = tf.scalar(0);
  const id = t.id;
  t.dispose();
  return id;
}

/** The frugal replacement of `engine.gradients`; `original` is tfjs' own (bound), used for higher-order gradients. */
function frugalGradientsFor(engine: any, original: (...a: any[]) => any) {
  return function frugalGradients(
    f: () => tf.Tensor,
    xs: tf.Tensor[],
    dy?: tf.Tensor,
    allowNoGradients = false,
  ): { value: tf.Tensor; grads: tf.Tensor[] } {
    if (engine.state.gradientDepth > 0) return original(f, xs, dy, allowNoGradients);
    tf.util.assert(xs.length > 0, () => 'gradients() received an empty list of xs.');
    if (dy != null && dy.dtype !== 'float32') throw new Error(`dy must have 'float32' dtype, but has '${dy.dtype}'`);
    const y: tf.Tensor = engine.scopedRun(
      () => engine.startTape(),
      () => engine.endTape(),
      () => engine.tidy('forward', f),
    );
    tf.util.assert(y instanceof tf.Tensor, () => 'The result y returned by f() must be a tensor.');
    const tape: Node[] = engine.state.activeTape;
    const filtered = filterTape(tape, xs, y);
    if (!allowNoGradients && filtered.length === 0 && xs.length > 0) {
      throw new Error(
        'Cannot compute gradient of y=f(x) with respect to x. Make sure that the f you passed encloses all operations that lead from x to y.',
      );
    }
    return engine.tidy('backward', () => {
      const firstId = nextTensorId(); // tensors from here on belong to this backward pass
      const keepIds = new Set<number>(xs.map((x) => x.id));
      const grad = new Map<number, tf.Tensor>(); // tensor id -> accumulated gradient
      const refs = new Map<tf.Tensor, number>(); // gradient tensor -> entries of `grad` that hold it
      const hold = (id: number, g: tf.Tensor): void => {
        grad.set(id, g);
        refs.set(g, (refs.get(g) ?? 0) + 1);
      };
      const unhold = (g: tf.Tensor): void => {
        const n = (refs.get(g) ?? 1) - 1;
        if (n > 0) refs.set(g, n);
        else {
          refs.delete(g);
          if (g.id >= firstId) g.dispose();
        }
      };
      hold(y.id, dy ?? tf.ones(y.shape));
      for (let i = filtered.length - 1; i >= 0; i--) {
        const node = filtered[i];
        if (node.gradient == null) throw new Error(`Cannot compute gradient: gradient function not found for ${node.kernelName}.`);
        const dys = node.outputs.map((o) => grad.get(o.id) ?? null);
        const names = Object.keys(node.inputs);
        const nodeStart = nextTensorId();
        const dxs = engine.tidy(() => {
          const fns = node.gradient!(dys);
          const out: Record<string, tf.Tensor> = {};
          for (const name of names) {
            if (!(name in fns)) {
              throw new Error(`Cannot backprop through input ${name}. Available gradients found: ${Object.keys(fns)}.`);
            }
            out[name] = fns[name]();
          }
          return out;
        }) as Record<string, tf.Tensor>;
        for (const name of names) {
          const dx = dxs[name];
          const x = node.inputs[name];
          if (dx.dtype !== 'float32') {
            throw new Error(
              `Error in gradient for op ${node.kernelName}. The gradient of input ${name} must have 'float32' dtype, but has '${dx.dtype}'`,
            );
          }
          if (!tf.util.arraysEqual(dx.shape, x.shape)) {
            throw new Error(
              `Error in gradient for op ${node.kernelName}. The gradient of input '${name}' has shape '${dx.shape}', which does not match the shape of the input '${x.shape}'`,
            );
          }
          const cur = grad.get(x.id);
          if (cur == null) {
            hold(x.id, dx);
          } else {
            const sum = tf.add(cur, dx);
            grad.delete(x.id);
            unhold(cur);
            if (!refs.has(dx) && dx.id >= nodeStart) dx.dispose();
            hold(x.id, sum);
          }
        }
        // The outputs' gradients are complete and consumed; so are this node's saved tensors.
        for (const o of node.outputs) {
          const g = grad.get(o.id);
          if (g == null || keepIds.has(o.id)) continue;
          grad.delete(o.id);
          unhold(g);
        }
        for (const t of node.saved ?? []) if (!refs.has(t)) t.dispose();
      }
      const grads = xs.map((x) => grad.get(x.id) as tf.Tensor);
      for (const node of tape) for (const t of node.saved ?? []) t.dispose();
      engine.state.activeTape = null;
      return { value: y, grads };
    });
  };
}

/** The patch: `tf.engine().gradients` (used by tf.grad(s), tf.variableGrads and the optimizers). */
export const frugalGradients: Patch = {
  name: 'frugalGradients',
  tfjs: ['tfjs-core'],
  apply(c) {
    const engine = tf.engine() as any;
    const original = engine.gradients.bind(engine);
    c.method(engine, 'gradients', frugalGradientsFor(engine, original), 'Engine.gradients');
  },
};
