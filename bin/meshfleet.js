#!/usr/bin/env node
// The meshfleet CLI: `meshfleet synth|validate|check [--topology FILE] [--out DIR]`.
'use strict';
require('ts-node').register({ swc: true, project: require('node:path').join(__dirname, '..', 'tsconfig.json') });
process.exitCode = require('../src/cli').run(process.argv.slice(2));
