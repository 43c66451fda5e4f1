/** tfjs' "Hi, looks like you are running TensorFlow.js in Node.js" banner is silenced by silenceTfjsNodeBanner. */
import { silenceTfjsNodeBanner, tf } from '../src';

const BANNER = /looks like you are running TensorFlow\.js in Node\.js/;

function warnings(fn: () => void): string[] {
  const seen: string[] = [];
  const spy = jest.spyOn(console, 'warn').mockImplementation((...a) => void seen.push(a.join(' ')));
  try {
    fn();
  } finally {
    spy.mockRestore();
  }
  return seen;
}

test('a fresh cpu backend prints the banner on first use; after silenceTfjsNodeBanner the registered one does not', async () => {
  const Cpu = (tf.findBackend('cpu') as object).constructor as new () => { write(v: Float32Array, s: number[], d: string): object };
  // the mechanism (so that this test can fail): a new, unsilenced instance prints it
  expect(warnings(() => new Cpu().write(new Float32Array([1]), [1], 'float32')).some((w) => BANNER.test(w))).toBe(true);
  // jest.setup.js already silenced the registered backend; silencing again is harmless
  expect(silenceTfjsNodeBanner()).toBe(true);
  // a cpu backend the engine creates later (tfjs re-creates backends when it picks one) is silenced too
  const fresh = (tf.engine().registryFactory.cpu.factory as () => { write(v: Float32Array, s: number[], d: string): object })();
  expect(warnings(() => fresh.write(new Float32Array([1]), [1], 'float32')).filter((w) => BANNER.test(w))).toEqual([]);
  const prev = tf.getBackend();
  await tf.setBackend('cpu');
  try {
    const seen = warnings(() => tf.tensor([1, 2, 3]).dispose());
    expect(seen.filter((w) => BANNER.test(w))).toEqual([]);
  } finally {
    if (prev) await tf.setBackend(prev);
  }
});
