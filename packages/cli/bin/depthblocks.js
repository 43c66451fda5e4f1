#!/usr/bin/env node
// The `depthblocks` command. This file is committed (not built) so that `npm install` can link it into
// node_modules/.bin before anything is compiled; it loads the compiled CLI from ../dist.
'use strict';
const path = require('path');

const built = path.join(__dirname, '..', 'dist', 'bin.js');
let cli;
try {
  cli = require(built);
} catch (e) {
  if (e && e.code === 'MODULE_NOT_FOUND' && String(e.message).includes(built)) {
    console.error(
      'depthblocks: the CLI is not built yet (' + built + ' is missing).\n' +
        'In the depthblocks repository run `npm run build` (or `npm start`, which builds first), then try again.',
    );
    process.exit(1);
  }
  throw e;
}
cli.runCli(process.argv.slice(2));
