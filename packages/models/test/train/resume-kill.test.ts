/**
 * Resume after a real interruption: a training process is killed (SIGKILL) mid-run, a new process resumes from
 * the last checkpoint, and the final weights equal those of an uninterrupted run with the same seed.
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readCheckpoint } from '../../src/node';

const root = path.resolve(__dirname, '../../../..');
const child = path.join(__dirname, '../fixtures/train-child.ts');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'depthblocks-kill-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const args = (...a: string[]): string[] => ['-r', path.join(root, 'scripts/ts-hook.js'), child, ...a];

test('killed mid-run and resumed in a new process = uninterrupted run (within 1e-5)', async () => {
  const straight = spawnSync(process.execPath, args(path.join(dir, 'a.safetensors'), path.join(dir, 'a.json'), '9', '-1', 'fresh'), {
    cwd: root,
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(straight.status).toBe(0);

  const ckpt = path.join(dir, 'b.safetensors');
  // the child blocks after step 4 (its checkpoint holds step 3: onStep runs before the step's checkpoint); the
  // kill comes when it says so, so the test does not depend on how fast the machine is
  const p = spawn(process.execPath, args(ckpt, path.join(dir, 'b.json'), '9', '4', 'fresh'), {
    cwd: root,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    p.stdout!.on('data', (d) => {
      out += d;
      if (/step 4\n/.test(out)) {
        p.kill('SIGKILL');
        resolve();
      }
    });
    p.on('exit', () => reject(new Error(`the child exited before step 4: ${out}`)));
  });
  const killedAt = readCheckpoint(ckpt).state.step;
  await new Promise((r) => p.on('exit', r));
  expect(fs.existsSync(path.join(dir, 'b.json'))).toBe(false); // it really died before finishing
  expect(killedAt).toBe(3);

  const resumed = spawnSync(process.execPath, args(ckpt, path.join(dir, 'b.json'), '9', '-1', 'resume'), {
    cwd: root,
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(resumed.status).toBe(0);
  expect(resumed.stdout.split('\n')[0]).not.toBe('step 1'); // it continued, it did not start over
  const a: number[][] = JSON.parse(fs.readFileSync(path.join(dir, 'a.json'), 'utf8'));
  const b: number[][] = JSON.parse(fs.readFileSync(path.join(dir, 'b.json'), 'utf8'));
  expect(b.length).toBe(a.length);
  let maxDiff = 0;
  a.forEach((w, i) => w.forEach((v, j) => (maxDiff = Math.max(maxDiff, Math.abs(v - b[i][j])))));
  expect(maxDiff).toBeLessThan(1e-5);
});
