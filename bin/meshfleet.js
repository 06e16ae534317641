#!/usr/bin/env node
// The meshfleet CLI (`meshfleet --help`). Runs the compiled code in lib/ (built by
// `npm run build`, which `npm install` and `npm pack` run); nothing compiles at run time.
'use strict';
let cli;
try {
  cli = require('../lib/src/cli');
} catch (e) {
  if (e && e.code === 'MODULE_NOT_FOUND' && String(e.message).includes('lib/src/cli')) {
    process.stderr.write('meshfleet: the compiled code (lib/) is missing; run `npm run build` in the meshfleet checkout\n');
    process.exit(70);
  }
  throw e;
}
process.exitCode = cli.run(process.argv.slice(2));
