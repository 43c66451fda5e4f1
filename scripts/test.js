/**
 * `npm test`: every workspace's build (type-check) and tests through turbo, each package cached on its own
 * inputs, so a second run with nothing changed replays from the cache and a change re-tests only that package
 * and what depends on it. Ends with ONE line adding up every package's tests, cached ones included (CI reads
 * it): `Tests: N passed, N failed, N skipped`. Arguments go to turbo (e.g. `npm test -- --filter=@depthblocks/metrics`).
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const { turbo } = require('./turbo');

const root = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const SUMMARY = 'test-summary.json';

// The test tasks this run will have (turbo's plan, without running anything).
const dry = turbo(['run', 'test', '--dry=json', ...args], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 64 << 20 });
if (dry.status !== 0) {
  console.log('Tests: 0 passed, 1 failed, 0 skipped');
  process.exit(dry.status ?? 1);
}
const tasks = JSON.parse(dry.stdout).tasks.filter((t) => t.task === 'test' && t.command !== '<NONEXISTENT>');
for (const t of tasks) fs.rmSync(path.join(root, t.directory, SUMMARY), { force: true });

// One package's tests per core at a time, each jest with one worker (scripts/jest-package.js): the suite's
// heavy wasm tests stay within the machine, as one jest with a worker per core did.
const concurrency = args.some((a) => a.startsWith('--concurrency')) ? [] : [`--concurrency=${Math.max(1, os.cpus().length)}`];
const run = turbo(['run', 'test', '--continue=dependencies-successful', '--log-order=grouped', ...concurrency, ...args]);

const total = { passed: 0, failed: 0, skipped: 0 };
const missing = [];
for (const t of tasks) {
  const file = path.join(root, t.directory, SUMMARY);
  if (!fs.existsSync(file)) {
    missing.push(t.package);
    total.failed++;
    continue;
  }
  const counts = JSON.parse(fs.readFileSync(file, 'utf8'));
  for (const k of Object.keys(total)) total[k] += counts[k];
}
if (missing.length)
  console.log(`No test results from ${missing.join(', ')} (its build or its test run failed; see above); each counts as 1 failed.`);
console.log(`Tests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exit(run.status === 0 && total.failed === 0 ? 0 : 1);
