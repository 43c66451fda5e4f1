/**
 * Page script (bundled by harness.ts): setupBackend from the portable entry point, then the checks a training
 * page needs. Query: ?backend=wasm|cpu|auto. Reports window.__result, or window.__error.
 */
import { BackendKernels, tf } from '@depthblocks/core';
import { setupBackend, skippedPatches, type BackendRequest } from '../../src/index';
import { rand, smallConvNet } from '../fixtures/small-net';

/** Gradients of a small conv net (conv, batch norm in training, dilated depthwise conv, bilinear up-sampling). */
function gradients(): Float32Array[] {
  return tf.tidy(() => {
    const x = tf.tensor4d(rand(2 * 12 * 12 * 3, 1), [2, 12, 12, 3]);
    const w1 = tf.tensor4d(rand(3 * 3 * 3 * 8, 2), [3, 3, 3, 8]);
    const w2 = tf.tensor4d(rand(3 * 3 * 8 * 1, 3), [3, 3, 8, 1]);
    const f = (a: tf.Tensor, b: tf.Tensor): tf.Scalar => {
      let h = tf.conv2d(x, a as tf.Tensor4D, 2, 'same');
      const { mean, variance } = tf.moments(h, [0, 1, 2]);
      h = tf.relu(tf.batchNorm(h, mean, variance, tf.zeros([8]), tf.ones([8]))); // (tfjs cannot differentiate it without scale)
      h = tf.depthwiseConv2d(h, b as tf.Tensor4D, 1, 'same', 'NHWC', 2);
      h = tf.image.resizeBilinear(h as tf.Tensor4D, [12, 12], false, true);
      return tf.sum(tf.mul(h, tf.linspace(-1, 1, h.size).reshape(h.shape)));
    };
    return tf
      .grads(f)([w1, w2])
      .map((g) => g.dataSync() as Float32Array);
  });
}

function maxRelErr(a: Float32Array, b: Float32Array): number {
  let scale = 1e-6;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]));
    m = Math.max(m, Math.abs(a[i] - b[i]));
  }
  return m / scale;
}

/** The backend's Adam kernel against the same update in tf ops (the SIMD module must work in the page). */
function adamKernelError(): number | null {
  if (!tf.getKernel(BackendKernels.adamUpdate, tf.getBackend())) return null;
  return tf.tidy(() => {
    const w = tf.tensor1d(rand(1003, 4));
    const g = tf.tensor1d(rand(1003, 5));
    const m = tf.tensor1d(rand(1003, 6));
    const v = tf.abs(tf.tensor1d(rand(1003, 7)));
    const p = { beta1: 0.9, beta2: 0.999, lrCorrected: 0.01, invCorrection2: 2, epsilon: 1e-7, l2: 0.01, shrink: 0.999 };
    const [next] = tf.engine().runKernel(BackendKernels.adamUpdate, { w, g, m, v }, p as any) as tf.Tensor[];
    const gl = tf.add(g, tf.mul(w, p.l2));
    const m2 = tf.add(tf.mul(m, p.beta1), tf.mul(gl, 1 - p.beta1));
    const v2 = tf.add(tf.mul(v, p.beta2), tf.mul(tf.square(gl), 1 - p.beta2));
    const ref = tf.sub(tf.mul(w, p.shrink), tf.div(tf.mul(m2, p.lrCorrected), tf.add(tf.sqrt(tf.mul(v2, p.invCorrection2)), p.epsilon)));
    return maxRelErr(next.dataSync() as Float32Array, ref.dataSync() as Float32Array);
  });
}

/** Three Adam steps of the small tfjs-layers net (BatchNormalization patched, dilated depthwise conv). */
function train(): { losses: number[]; leaked: number } {
  const net = smallConvNet();
  const losses = [net.step()];
  const before = tf.memory().numTensors;
  losses.push(net.step(), net.step());
  const leaked = tf.memory().numTensors - before;
  net.dispose();
  return { losses, leaked };
}

async function main(): Promise<void> {
  const q = new URLSearchParams(location.search);
  const backend = (q.get('backend') ?? 'wasm') as BackendRequest;
  const t0 = performance.now();
  const info = await setupBackend({ backend, wasmPaths: '/wasm/' });
  const setupMs = performance.now() - t0;
  const adamErr = adamKernelError();
  const trained = train();
  const grads = gradients();
  const used = tf.getBackend();
  await setupBackend({ backend: 'cpu' });
  const cpuGrads = gradients();
  const gradErr = Math.max(...grads.map((g, i) => maxRelErr(g, cpuGrads[i])));
  const skipped = skippedPatches();
  (window as any).__result = { info, used, setupMs, adamErr, ...trained, gradErr, skipped, isolated: crossOriginIsolated };
}

main().catch((e) => {
  (window as any).__error = String(e?.stack ?? e);
});
