/** Multithreaded wasm in a child process: it starts, computes correctly, and the process exits by itself. */
import { spawnSync } from 'child_process';
import * as os from 'os';
import * as path from 'path';

const root = path.resolve(__dirname, '../../..');
const child = path.join(__dirname, 'fixtures/threads-child.ts');

function run(threads: number): { status: number | null; out: Record<string, any>; stderr: string } {
  const r = spawnSync(process.execPath, ['-r', path.join(root, 'scripts/ts-hook.js'), child, String(threads)], {
    cwd: root,
    encoding: 'utf8',
    timeout: 90_000, // a process kept alive by its worker threads would hit this and fail the test
    env: { ...process.env, DEPTHBLOCKS_BACKEND: '', DEPTHBLOCKS_THREADS: '' },
  });
  const line = r.stdout.trim().split('\n').pop() ?? '{}';
  return { status: r.status, out: line.startsWith('{') ? JSON.parse(line) : {}, stderr: r.stderr };
}

test('threaded wasm (2 threads) computes correctly and the process exits cleanly', () => {
  const r = run(2);
  expect(r.stderr).not.toMatch(/Error/);
  expect(r.status).toBe(0);
  expect(r.out.backend).toBe('wasm');
  expect(r.out.info.name).toBe('wasm');
  expect(r.out.info.simd).toBe(true);
  // where the threaded build starts it reports its threads; else it says why it fell back
  if (r.out.info.threads === 2) expect(r.out.info.reason).toMatch(/threaded SIMD wasm with 2 threads/);
  else expect(r.out.info.reason).toMatch(/fell back to 1 thread/);
  expect(os.cpus().length < 2 || r.out.info.threads === 2).toBe(true);
  expect(r.out.maxErr).toBeLessThan(1e-4);
  expect(Number.isFinite(r.out.loss)).toBe(true);
});

test('one thread uses the single-threaded build and says so', () => {
  const r = run(1);
  expect(r.status).toBe(0);
  expect(r.out.info.threads).toBe(1);
  expect(r.out.info.reason).toMatch(/1 thread/);
  expect(r.out.maxErr).toBeLessThan(1e-4);
});
