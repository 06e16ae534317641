#!/usr/bin/env node
// Regenerates imports/*.ts from the pinned CRDs listed in cdk8s.yaml.
//
// Each `imports:` entry is `module:=URL` with a version-pinned upstream URL. When
// ../shared/upstream (or $MESHFLEET_UPSTREAM) holds the same file, it is imported
// from there so the step works offline; otherwise cdk8s fetches the URL.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { load } = require('js-yaml');

const root = path.resolve(__dirname, '..');
const upstream = process.env.MESHFLEET_UPSTREAM ?? path.join(root, '..', 'shared', 'upstream');
const config = load(fs.readFileSync(path.join(root, 'cdk8s.yaml'), 'utf8'));

// URL prefix → folder of ../shared/upstream (see its README for the mapping).
const mirrors = [
  [/istio\/istio\/([\d.]+)\/manifests\/charts\/base\/files\//, (v) => `istio-${v}/`],
  [/fluxcd\/[a-z-]+\/v[\d.]+\/config\/crd\/bases\//, () => 'flux-2.x/'],
  [/argoproj\/argo-cd\/v([\d.]+)\/manifests\/crds\//, (v) => `argo-cd-${v}/`],
  [/cert-manager\/cert-manager\/v([\d.]+)\/deploy\/crds\//, (v) => `cert-manager-${v}/`],
  [/external-secrets\/external-secrets\/v([\d.]+)\/config\/crds\/bases\//, (v) => `external-secrets-${v}/`],
];

function localCopy(url) {
  for (const [pattern, folder] of mirrors) {
    const m = url.match(pattern);
    if (m) {
      const file = path.join(upstream, folder(m[1]), path.basename(url));
      if (fs.existsSync(file)) return file;
    }
  }
  return undefined;
}

fs.rmSync(path.join(root, 'imports'), { recursive: true, force: true });
for (const entry of config.imports) {
  const [name, url] = entry.split(':=');
  const source = localCopy(url) ?? url;
  console.log(`${name} <- ${source}`);
  execFileSync('npx', ['cdk8s', 'import', '--no-check-upgrade', '--no-save', '--language', 'typescript', `${name}:=${source}`], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}
