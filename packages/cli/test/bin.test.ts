/**
 * The installed command: `npm install` links node_modules/.bin/depthblocks on a fresh clone, before anything is
 * built (the bin entry is a committed file that loads the built CLI), so `npx depthblocks` never falls through
 * to the public registry.
 *
 * A real fresh clone + `npm install` of the whole workspace takes minutes on a loaded 2-core machine, so the
 * link is checked on a copy of just the manifests npm reads to link bins (root package.json with the
 * workspace, packages/cli/package.json without dependencies, and the cli's committed files): `npm install
 * --offline` there runs in seconds and links exactly as a fresh clone would. The real link is checked too.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const root = path.resolve(__dirname, '../../..');
const cli = path.join(root, 'packages/cli');

test('npm install links bin/depthblocks in a fresh workspace where nothing is built', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'depthblocks-bin-'));
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(cli, 'package.json'), 'utf8'));
    fs.mkdirSync(path.join(tmp, 'packages/cli'), { recursive: true });
    fs.writeFileSync(path.join(tmp, 'package.json'), JSON.stringify({ name: 'ws', private: true, workspaces: ['packages/*'] }));
    const { dependencies: _d, peerDependencies: _p, ...bare } = manifest;
    fs.writeFileSync(path.join(tmp, 'packages/cli/package.json'), JSON.stringify(bare));
    // what git has: the committed files of the package (dist/ is not committed)
    const tracked = spawnSync('git', ['ls-files', 'packages/cli'], { cwd: root, encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
    for (const f of tracked.filter((f) => !f.endsWith('package.json'))) {
      fs.mkdirSync(path.dirname(path.join(tmp, f)), { recursive: true });
      fs.copyFileSync(path.join(root, f), path.join(tmp, f));
    }
    const r = spawnSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: tmp, encoding: 'utf8' });
    expect(r.status).toBe(0);
    const link = path.join(tmp, 'node_modules/.bin/depthblocks');
    expect(fs.existsSync(link)).toBe(true);
    // not built there: the entry says so clearly instead of failing with a stack trace
    const run = spawnSync(process.execPath, [link, '--help'], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/the CLI is not built yet .*\n.*npm run build/);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test('this checkout: node_modules/.bin/depthblocks exists and answers --help and --version', () => {
  const link = path.join(root, 'node_modules/.bin/depthblocks');
  expect(fs.existsSync(link)).toBe(true);
  expect(fs.realpathSync(link)).toBe(path.join(cli, 'bin/depthblocks.js'));
  const built = fs.existsSync(path.join(cli, 'dist/bin.js'));
  const help = spawnSync(process.execPath, [link, '--help'], { encoding: 'utf8' });
  if (!built) {
    // `npm run test:fast` without a build: the clear message (npm test builds first)
    expect(help.stderr).toMatch(/not built yet/);
    return;
  }
  expect(help.status).toBe(0);
  expect(help.stdout).toMatch(/Usage: depthblocks <command>/);
  const v = spawnSync(process.execPath, [link, '--version'], { encoding: 'utf8' });
  expect(v.stdout.trim()).toBe(`depthblocks ${JSON.parse(fs.readFileSync(path.join(cli, 'package.json'), 'utf8')).version}`);
  // a usage error exits 2, a runtime error 1; both are one line, no stack trace
  const usage = spawnSync(process.execPath, [link, 'train', '--bogus'], { encoding: 'utf8' });
  expect(usage.status).toBe(2);
  expect(usage.stderr).toMatch(/^usage error: Unknown option '--bogus'/);
  const runtime = spawnSync(process.execPath, [link, 'ablate', '--config', path.join(os.tmpdir(), 'no-such-ablation.json')], {
    encoding: 'utf8',
  });
  expect(runtime.status).toBe(1);
  expect(runtime.stderr.trim()).toMatch(/^error \[FILE_NOT_FOUND\]: Ablation config not found: .*no-such-ablation\.json/);
  expect(runtime.stderr).not.toMatch(/\n\s+at /);
  expect(help.stderr + usage.stderr + runtime.stderr).not.toMatch(/looks like you are running TensorFlow\.js/);
});
