/**
 * The build and test cache: in a copy of the repository's files, turbo's plan (`--dry=json`, nothing runs) before and
 * after a change to metrics' sources. Exactly the tasks of metrics and of what depends on it get new hashes (so only
 * they re-run); every other package's tests keep theirs (so they replay from the cache).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { root, sh } from './helpers';

const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'depthblocks-turbo-'));
afterAll(() => fs.rmSync(copy, { recursive: true, force: true }));

/** Test task id -> hash, for the tasks that exist (a workspace with a `test` script). */
function testHashes(): Map<string, string> {
  const turbo = path.join(copy, 'scripts/turbo.js');
  const plan = JSON.parse(
    sh(process.execPath, [turbo, 'run', 'test', '--dry=json'], { cwd: copy, env: { ...process.env, TURBO_CACHE_DIR: copy } }),
  );
  return new Map(
    (plan.tasks as { taskId: string; task: string; hash: string; command: string }[])
      .filter((t) => t.task === 'test' && t.command !== '<NONEXISTENT>')
      .map((t) => [t.taskId, t.hash]),
  );
}

test('a change to metrics re-tests metrics and its dependents only', () => {
  const files = sh('git', ['ls-files', '-co', '--exclude-standard'], { cwd: root }).split('\n').filter(Boolean);
  for (const f of files) {
    if (!fs.existsSync(path.join(root, f))) continue; // deleted in the working tree
    fs.mkdirSync(path.dirname(path.join(copy, f)), { recursive: true });
    fs.copyFileSync(path.join(root, f), path.join(copy, f));
  }
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(copy, 'node_modules'));
  sh('git', ['init', '-q'], { cwd: copy });
  sh('git', ['add', '-A'], { cwd: copy });
  const before = testHashes();
  fs.appendFileSync(path.join(copy, 'packages/metrics/src/report.ts'), '\n// a change\n');
  const after = testHashes();
  const changed = [...before.keys()].filter((k) => before.get(k) !== after.get(k)).sort();
  expect(changed).toEqual([
    '@depthblocks-test/custom-blocks#test',
    '@depthblocks/cli#test',
    '@depthblocks/examples#test',
    '@depthblocks/metrics#test',
    '@depthblocks/models#test',
    '@depthblocks/packaging-tests#test',
    '@depthblocks/web#test', // the web app (examples/web) uses metrics
  ]);
  expect(before.size).toBeGreaterThanOrEqual(10);
}, 120_000);
