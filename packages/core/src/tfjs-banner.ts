/**
 * tfjs' cpu backend prints "Hi, looks like you are running TensorFlow.js in Node.js. To speed things up
 * dramatically, install our node backend ..." the first time it stores a tensor. depthblocks uses the cpu
 * backend as a helper for a few kernels under wasm, and `setupBackend()` already says which backend runs and
 * why, so the banner is noise (and wrong: tfjs-node cannot be installed everywhere).
 */
import { tf } from './tf';

/**
 * Turns the banner off: the cpu backend's first-use flag, on the registered instance and on every instance the
 * engine creates later (tfjs re-creates backends, e.g. when it picks the best one before setBackend); nothing
 * else changes. Call it after importing tfjs, e.g. at the start of a command line program. Idempotent. Returns
 * whether the cpu backend is registered.
 *
 * @example
 * silenceTfjsNodeBanner();
 * await tf.setBackend('cpu'); // no banner
 */
export function silenceTfjsNodeBanner(): boolean {
  type Silenced = { firstUse?: boolean };
  const entry = tf.engine().registryFactory.cpu as { factory: () => unknown; silenced?: boolean } | undefined;
  if (!entry) return false;
  if (!entry.silenced) {
    const make = entry.factory;
    entry.factory = () => {
      const b = make() as Silenced;
      if (b && typeof b === 'object') b.firstUse = false;
      return b;
    };
    entry.silenced = true;
  }
  const current = (tf.engine().registry as Record<string, unknown>).cpu as Silenced | undefined;
  if (current) current.firstUse = false;
  return true;
}
