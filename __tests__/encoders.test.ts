/**
 * Every value that lands inside another format goes through that format's encoder: the
 * remote-secret kubeconfig (YAML inside an ESO Go template), SECRETS.md (Markdown, shell),
 * and the topology refuses the payloads where they have no legitimate use.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { load } from 'js-yaml';
import { markdownCode, shellWord } from '../clusters/markdown';
import { remoteKubeconfigTemplate } from '../constructs/remote-secret';
import { goTemplateLiteral } from '../constructs/template-text';
import { ROOT, synthText } from './support/synth';
import { editTopology, expectOnlyProblem, MINIMAL_TOPOLOGY } from './support/topology-edits';

/** Payloads that break out of a naively pasted value: line break, quotes, template action, Markdown. */
const PAYLOADS = [
  'https://x.example.com\n    insecure-skip-tls-verify: true',
  'https://x.example.com" insecure: \'true',
  'https://x.example.com/{{ .token }}',
  'a}}{{ .caCrt }}{{',
  'a | b ` c `` d\n| e |',
];

/**
 * A minimal model of what ESO's engine v2 does with the kubeconfig template: it knows the
 * two expressions meshfleet writes and the raw-string action printing "{{"; any other
 * action is an error (so a payload that reached the engine as an action fails the test).
 */
function executeTemplate(template: string, values: { caCrt: string; token: string }): string {
  return template.replace(/\{\{(.*?)\}\}/g, (_, action: string) => {
    if (action === '`{{`') return '{{';
    if (action === ' .caCrt | b64enc ') return Buffer.from(values.caCrt).toString('base64');
    if (action === ' .token ') return values.token;
    throw new Error(`template action reached the engine: {{${action}}}`);
  });
}

describe('Go template text (ESO engine v2)', () => {
  test.each([
    ['plain', 'plain'],
    ['{{ .token }}', '{{`{{`}} .token }}'],
    ['}}{{{{', '}}{{`{{`}}{{`{{`}}'],
  ])('writes %j as literal text', (text, literal) => {
    expect(goTemplateLiteral(text)).toBe(literal);
  });
});

describe('the remote-secret kubeconfig', () => {
  test.each(PAYLOADS)('keeps server %j one value, and the cluster name too', (payload) => {
    const rendered = executeTemplate(remoteKubeconfigTemplate(payload, payload), { caCrt: 'CA', token: 'TOKEN' });
    const kubeconfig = load(rendered) as any;
    expect(kubeconfig).toEqual({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: payload, cluster: { server: payload, 'certificate-authority-data': 'Q0E=' } }],
      contexts: [{ name: payload, context: { cluster: payload, user: payload } }],
      'current-context': payload,
      users: [{ name: payload, user: { token: 'TOKEN' } }],
    });
  });

  test('a value naming the placeholders does not become an expression', () => {
    const sneaky = 'MESHFLEET-TEMPLATE-0-TOKEN';
    const kubeconfig = load(executeTemplate(remoteKubeconfigTemplate('c', `https://x/${sneaky}`), { caCrt: 'CA', token: 'TOKEN' })) as any;
    expect(kubeconfig.clusters[0].cluster.server).toBe(`https://x/${sneaky}`);
    expect(kubeconfig.users[0].user.token).toBe('TOKEN');
  });
});

describe('Markdown and shell in SECRETS.md', () => {
  test.each([
    ['a|b', { inTable: true }, '`a\\|b`'],
    ['a`b', {}, '``a`b``'],
    ['`a', {}, '`` `a ``'],
    ['a\nb', { inTable: true }, '`a\\nb`'],
    ['**bold** [x](y)', {}, '`**bold** [x](y)`'],
  ])('writes %j as one code span', (text, options, expected) => {
    expect(markdownCode(text, options)).toBe(expected);
  });

  test.each([
    ['https://a.example.com:6443', 'https://a.example.com:6443'],
    ['https://a; rm -rf ~', `'https://a; rm -rf ~'`],
    ["it's", `'it'\\''s'`],
  ])('writes %j as one shell word', (text, expected) => {
    expect(shellWord(text)).toBe(expected);
  });

  test('a store key with Markdown in it stays inside its table cell', () => {
    const fleet = readFileSync(path.join(ROOT, 'examples', 'global-fleet.yaml'), 'utf8');
    const text = editTopology(fleet, (d) => {
      d.credentials.externalSecrets.key = 'kv/{cluster}|`x`|**y**';
    });
    const doc = synthText(text).tree.get('eu/SECRETS.md')!;
    const row = doc.split('\n').find((l) => l.startsWith('| ClusterSecretStore') && l.includes('eu-edge'))!;
    // Five cells: the separators are the row's own, not the key's.
    expect(row.replace(/\\\|/g, '').split('|')).toHaveLength(7);
    expect(row).toContain('| ``kv/eu-edge\\|`x`\\|**y**`` |');
  });
});

describe('the topology refuses payloads where they have no use', () => {
  const edited = (edit: (doc: any) => void) => editTopology(MINIMAL_TOPOLOGY, edit);

  test.each(PAYLOADS.slice(0, 3))('fails if an apiServer is %j', (payload) => {
    expectOnlyProblem(edited((d) => (d.clusters[0].apiServer = payload)), 'clusters[0].apiServer', /^must be a plain https:\/\/ URL: https:\/\/host\[:port\]\[\/path\], without /);
  });

  test('fails if a secret-store key holds a line break', () => {
    expectOnlyProblem(
      edited((d) => {
        d.trust = { provider: 'external-secrets', externalSecrets: { store: { name: 'vault' }, key: 'a/{cluster}\n| injected |' } };
      }),
      'trust.externalSecrets.key',
      'must not contain line breaks or control characters: it is a secret-store path such as "meshfleet/{cluster}/cacerts" (got "a/{cluster}\\n| injected |")',
    );
  });

  test('fails if a cert-manager issuer name is not an object name', () => {
    expectOnlyProblem(
      edited((d) => {
        d.trust = { provider: 'cert-manager', certManager: { issuer: { name: 'root `ca` | x' } } };
      }),
      'trust.certManager.issuer.name',
      'must be a Kubernetes object name: lowercase letters, digits, "-" and ".", at most 253 characters (got "root `ca` | x")',
    );
  });
});
