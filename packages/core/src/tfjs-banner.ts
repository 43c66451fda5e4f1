/**
 * tfjs' cpu backend prints "Hi, looks like you are running TensorFlow.js in Node.js. To speed things up
 * dramatically, install our node backend ..." the first time it stores a tensor. depthblocks uses the cpu
 * backend as a helper for a few kernels under wasm, and `setupBackend()` already says which backend runs and
 * why, so the banner is noise (and wrong: tfjs-node cannot be installed everywhere).
 */
import { tf } from './tf';

/**
 * Turns the banner off (the cpu backend's first-use flag; nothing else changes). Call it after importing
 * tfjs, e.g. at the start of a command line program. Returns whether the cpu backend was found.
 *
 * @example
 * silenceTfjsNodeBanner();
 * await tf.setBackend('cpu'); // no banner
 */
export function silenceTfjsNodeBanner(): boolean {
  if (!tf.engine().registryFactory.cpu) return false;
  const cpu = tf.findBackend('cpu') as unknown as { firstUse?: boolean } | null;
  if (!cpu) return false;
  cpu.firstUse = false;
  return true;
}
