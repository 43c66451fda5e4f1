/** Progress when stderr is not a terminal: plain lines, the first and the last step, then one per 10 s. */
import { Progress } from '../../src/train/progress';

const rec = (step: number) => ({ step, epoch: 0, loss: 0.5, terms: {}, lr: 1e-3, samplesPerSecond: 2 });

test('not a TTY: throttled plain lines (first, every 10 s, last); a TTY redraws one line; false prints nothing', () => {
  const out: string[] = [];
  let t = 0;
  const p = new Progress(undefined, 10, 1, { tty: false, write: (s) => void out.push(s), now: () => t });
  for (let step = 1; step <= 10; step++) {
    t = step * 3000; // a step every 3 s
    p.step(rec(step), t / 1000, step);
  }
  const steps = out.map((l) => Number(/step (\d+)\//.exec(l)![1]));
  expect(steps).toEqual([1, 5, 9, 10]); // 3 s, then >= 10 s later (15 s, 27 s), and the last one
  expect(out.every((l) => l.endsWith('\n') && !l.includes('\r'))).toBe(true);
  const tty: string[] = [];
  const q = new Progress(undefined, 3, 1, { tty: true, write: (s) => void tty.push(s), now: () => 0 });
  [1, 2, 3].forEach((s) => q.step(rec(s), 1, s));
  expect(tty.filter((l) => l.startsWith('\r'))).toHaveLength(3);
  const none: string[] = [];
  new Progress(false, 3, 1, { tty: false, write: (s) => void none.push(s) }).step(rec(1), 1, 1);
  expect(none).toEqual([]);
});
