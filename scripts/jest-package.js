/**
 * One workspace's tests (its `test` script, which turbo runs and caches): jest with the root config on the
 * tests under the current folder, with the flags the suite needs (ESM-only packages load through dynamic import).
 * The summary reporter writes the counts to `test-summary.json` here, which turbo keeps with the cached result
 * and scripts/test.js adds up. Extra arguments go to jest.
 */
const { spawnSync } = require('child_process');
const path = require('path');

const root = path.resolve(__dirname, '..');
const dir = process.cwd();
const rel = path.relative(root, dir).split(path.sep).join('/');
// workspaces inside this one (examples/web in examples) run their own tests
const nested = (require(path.join(root, 'package.json')).workspaces ?? [])
  .filter((w) => !w.includes('*') && w.startsWith(`${rel}/`))
  .map((w) => `/${w}/`);
const jest = path.join(path.dirname(require.resolve('jest/package.json', { paths: [root] })), 'bin/jest.js');
const r = spawnSync(
  process.execPath,
  [
    '--experimental-vm-modules',
    '--no-warnings=ExperimentalWarning',
    jest,
    '--config',
    path.join(root, 'jest.config.js'),
    '--passWithNoTests',
    '--maxWorkers=1', // scripts/test.js runs one package per core
    `${rel}/`,
    ...(nested.length ? ['--testPathIgnorePatterns', '/node_modules/', '/dist/', ...nested] : []),
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit', env: { ...process.env, DEPTHBLOCKS_TEST_SUMMARY: path.join(dir, 'test-summary.json') } },
);
process.exit(r.status ?? 1);
