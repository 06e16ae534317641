// The app `npx cdk8s synth` runs (cdk8s.yaml): the compiled main.js, rebuilt first when a
// TypeScript source (or a build script) is newer than the last build, so an edit is never synthesized stale.
// `npm install` builds lib/ once (prepare); after that a synth costs no compilation.
'use strict';
const { execFileSync } = require('node:child_process');
const { readdirSync, statSync, utimesSync } = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const stamp = path.join(root, 'lib', '.tsbuildinfo');
const sources = ['index.ts', 'main.ts', 'tsconfig.json', 'tsconfig.build.json', 'package.json', 'src', 'topology', 'clusters', 'constructs', 'plan', 'imports', 'scripts/build.js', 'scripts/build-validators.js'];

function newest(file) {
  const stat = statSync(file, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(file).map((entry) => newest(path.join(file, entry))));
}

const built = statSync(stamp, { throwIfNoEntry: false })?.mtimeMs ?? -1;
if (Math.max(...sources.map((s) => newest(path.join(root, s)))) > built) {
  process.stderr.write('meshfleet: sources changed since the last build; running `npm run build`\n');
  execFileSync(process.execPath, [path.join(__dirname, 'build.js')], { stdio: 'inherit' });
  const now = new Date();
  utimesSync(stamp, now, now); // tsc leaves an unchanged build info alone
}
require('../lib/main.js');
