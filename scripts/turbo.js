/**
 * Runs turbo offline and quietly: no telemetry, no update check, local cache only. Every root script that uses
 * turbo goes through here: `node scripts/turbo.js run build`.
 */
const { spawnSync } = require('child_process');
const path = require('path');

const root = path.resolve(__dirname, '..');

/** The environment turbo runs in. */
function turboEnv(extra = {}) {
  return { ...process.env, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1', TURBO_NO_UPDATE_NOTIFIER: '1', ...extra };
}

/** Runs `turbo <args>` (local cache only); returns spawnSync's result. */
function turbo(args, options = {}) {
  const bin = require.resolve('turbo/bin/turbo', { paths: [root] });
  const withCache = args[0] === 'run' && !args.some((a) => a.startsWith('--cache')) ? [...args, '--cache=local:rw'] : args;
  return spawnSync(process.execPath, [bin, ...withCache], { cwd: root, stdio: 'inherit', env: turboEnv(), ...options });
}

module.exports = { turbo, turboEnv };

if (require.main === module) {
  const r = turbo(process.argv.slice(2));
  process.exit(r.status ?? 1);
}
