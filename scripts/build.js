// The package build: compiles the TypeScript into lib/ (tsconfig.build.json), copies the
// data files the compiled code loads at run time (the check's schema bundles), which tsc does
// not emit, and precompiles the check's validators (scripts/build-validators.js). `npm run
// build`, `prepare` and scripts/cdk8s-app.js all build through here.
'use strict';
const { execFileSync } = require('node:child_process');
const { cpSync } = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
/** Data files the compiled code requires, relative to the repository root (and to lib/). */
const ASSETS = ['src/check/schemas'];

execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
for (const asset of ASSETS) cpSync(path.join(root, asset), path.join(root, 'lib', asset), { recursive: true });
execFileSync(process.execPath, [path.join(__dirname, 'build-validators.js')], { stdio: 'inherit' });
