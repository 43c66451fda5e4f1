/**
 * Removes every build output: each workspace's dist/ and its tsconfig.tsbuildinfo (tsc -b trusts the build info,
 * so removing dist/ alone would make the next build skip the package), its test summary, and turbo's local cache.
 * `release` runs this first so that nothing stale is published.
 */
const fs = require('fs');
const path = require('path');

/** The workspace folders of the monorepo at `root` (globs of the form `dir/*` or plain folders). */
function workspaceDirs(root) {
  const { workspaces } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  return workspaces.flatMap((w) => {
    if (!w.endsWith('/*')) return [w];
    const parent = path.join(root, w.slice(0, -2));
    return fs.existsSync(parent) ? fs.readdirSync(parent).map((d) => path.join(w.slice(0, -2), d)) : [];
  });
}

/** Cleans the monorepo at `root`; returns the workspace folders it cleaned. */
function clean(root) {
  const dirs = workspaceDirs(root);
  for (const d of dirs) {
    for (const out of ['dist', 'tsconfig.tsbuildinfo', 'test-summary.json', '.turbo']) {
      fs.rmSync(path.join(root, d, out), { recursive: true, force: true });
    }
  }
  fs.rmSync(path.join(root, '.turbo'), { recursive: true, force: true });
  return dirs;
}

module.exports = { clean };

if (require.main === module) console.log(`cleaned ${clean(path.resolve(__dirname, '..')).length} workspaces`);
