// Test helper: publishes a tree (JSON file of [path, content] pairs) into a directory in a
// child process, so a test can SIGKILL it at a publish step (MESHFLEET_TEST_KILL_AT=<n>)
// without paying the CLI's synthesis start-up at every step. Usage: publish-child.js TREE OUT
'use strict';
const path = require('node:path');
const fs = require('node:fs');
require('ts-node').register({ swc: true, project: path.join(__dirname, '..', '..', 'tsconfig.json') });
const { publishTree } = require('../../src/publish');
const { PublishError } = require('../../src/publish-target');

const [treeFile, out] = process.argv.slice(2);
const killAt = Number(process.env.MESHFLEET_TEST_KILL_AT);
try {
  const result = publishTree(new Map(JSON.parse(fs.readFileSync(treeFile, 'utf8'))), {
    out,
    log: (m) => process.stderr.write(`${m}\n`),
    onStep: (step) => {
      if (step === killAt) process.kill(process.pid, 'SIGKILL');
    },
  });
  process.stdout.write(`${JSON.stringify(result)}\n`);
} catch (e) {
  if (!(e instanceof PublishError)) throw e;
  process.stderr.write(`${e.message}\n`);
  process.exitCode = 1;
}
