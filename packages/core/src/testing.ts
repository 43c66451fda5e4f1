import { tf } from './tf';

/**
 * Runs `fn` and returns its result together with how many tensors it left behind.
 * Use in tests: `expect((await trackTensors(step)).leaked).toBe(0)`.
 *
 * @example
 * const { leaked } = await trackTensors(() => model.predict(x).dispose());
 */
export async function trackTensors<T>(fn: () => T | Promise<T>): Promise<{ result: T; leaked: number }> {
  const before = tf.memory().numTensors;
  const result = await fn();
  const after = tf.memory().numTensors;
  return { result, leaked: after - before };
}

/**
 * Throws if `fn` leaves tensors behind; the error names `what` and the count.
 * Tensors `fn` returns count as leaked unless it disposes them, so return plain values.
 *
 * @example
 * await assertNoLeak(() => { model.predict(x).dispose(); }, 'predict');
 */
export async function assertNoLeak<T>(fn: () => T | Promise<T>, what = 'function'): Promise<T> {
  const { result, leaked } = await trackTensors(fn);
  if (leaked !== 0) throw new Error(`${what} leaked ${leaked} tensor(s)`);
  return result;
}
