/**
 * A workspace's build (its `build` script, which turbo runs and caches): `tsc -b` in the current folder, with
 * dist/ kept exactly in step with src/:
 * - anything in dist/ that is not the output of a source file (outputs of a renamed or deleted source, an old
 *   build info) is removed, so it is never published;
 * - the build info lives beside tsconfig.json, outside dist/ so that it is never published; tsc trusts it, so when
 *   dist/ has been deleted by hand the stale build info is dropped first and the package really rebuilds.
 */
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const dir = process.cwd();
const dist = path.join(dir, 'dist');
// outputs mirror the sources under compilerOptions.rootDir (src/ in every package)
const rootDir = path.join(dir, JSON.parse(fs.readFileSync(path.join(dir, 'tsconfig.json'), 'utf8')).compilerOptions?.rootDir ?? 'src');

/** Files under `d`, relative to it. */
function filesUnder(d) {
  return fs
    .readdirSync(d, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesUnder(path.join(d, e.name)).map((f) => path.join(e.name, f)) : [e.name]));
}

if (!fs.existsSync(dist)) fs.rmSync(path.join(dir, 'tsconfig.tsbuildinfo'), { force: true });
else {
  for (const f of filesUnder(dist)) {
    const base = f.replace(/(\.d\.ts|\.js)(\.map)?$/, '');
    const fromSource = base !== f && ['.ts', '.tsx'].some((ext) => fs.existsSync(path.join(rootDir, base + ext)));
    if (!fromSource) fs.rmSync(path.join(dist, f));
  }
}
const tsc = path.join(path.dirname(require.resolve('typescript/package.json', { paths: [root] })), 'bin/tsc');
const r = spawnSync(process.execPath, [tsc, '-b', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 1);
