import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { load } from 'js-yaml';
import { READER_TOKEN_LAYER, TRUST_LAYER, trustHealthChecks } from '../clusters/cluster-secrets';
import { remoteKubeconfigTemplate } from '../constructs/remote-secret';
import { MeshFacts, parseTopology } from '../topology';
import { validateManifests } from './support/crd-schema';
import { findSecretMaterial } from './support/secret-scan';
import { Manifest, ROOT, synthFile, synthText, Synthesized } from './support/synth';
import { editTopology as edited, expectOnlyProblem, expectProblem, problemsOf } from './support/topology-edits';

const FLEET_TEXT = readFileSync(path.join(ROOT, 'examples', 'global-fleet.yaml'), 'utf8');
const DOCS_TEXT = readFileSync(path.join(ROOT, 'examples', 'docs-multi-primary.yaml'), 'utf8');

/** The kinds meshfleet emits for trust and credentials. */
const TRUST_KINDS = new Set(['Certificate', 'ExternalSecret', 'PushSecret', 'Secret']);
const mine = (s: Synthesized, prefix = '') => s.manifests(prefix).filter((m) => TRUST_KINDS.has(m.kind));
const names = (ms: readonly Manifest[]) => ms.map((m) => `${m.kind}/${m.metadata.name}`).sort();

// The two examples, plus a fixture per remaining provider combination.
const DOCS = synthFile('examples/docs-multi-primary.yaml');
const FLEET = synthFile('examples/global-fleet.yaml');
const EXISTING = synthText(edited(FLEET_TEXT, (d) => {
  d.trust = { provider: 'existing' };
  d.credentials = { provider: 'existing' };
}));
const CERT_MANAGER_FLEET = synthText(edited(FLEET_TEXT, (d) => {
  d.trust = {
    provider: 'cert-manager',
    certManager: { issuer: { name: 'mesh-root', kind: 'AWSPCAClusterIssuer', group: 'awspca.cert-manager.io' }, duration: '2160h', renewBefore: '360h' },
  };
  d.credentials.externalSecrets.push = false;
  d.credentials.externalSecrets.refreshInterval = '15m';
}));
const ALL = { docs: DOCS, fleet: FLEET, existing: EXISTING, certManagerFleet: CERT_MANAGER_FLEET };

describe('trust: cert-manager (docs example)', () => {
  test('each primary gets an intermediate CA Certificate writing cacerts', () => {
    for (const cluster of ['cluster1', 'cluster2']) {
      const cert = DOCS.get(`${cluster}/platform/`, 'Certificate', 'istio-intermediate', 'istio-system');
      expect(cert.spec).toEqual({
        isCA: true,
        commonName: cluster,
        subject: { organizations: ['mesh1'], organizationalUnits: ['istio intermediate CA'] },
        secretName: 'cacerts',
        duration: '8760h',
        renewBefore: '720h',
        privateKey: { algorithm: 'ECDSA', size: 256, encoding: 'PKCS8', rotationPolicy: 'Always' },
        usages: ['cert sign', 'crl sign', 'digital signature'],
        issuerRef: { name: 'mesh-root', kind: 'ClusterIssuer', group: 'cert-manager.io' },
      });
    }
    expect(DOCS.files('cluster1/platform/')).toContain('cluster1/platform/certificate.istio-system.istio-intermediate.yaml');
  });

  test('an external issuer and custom lifetimes pass through', () => {
    const cert = CERT_MANAGER_FLEET.get('east/platform/', 'Certificate', 'istio-intermediate');
    expect(cert.spec.issuerRef).toEqual({ name: 'mesh-root', kind: 'AWSPCAClusterIssuer', group: 'awspca.cert-manager.io' });
    expect(cert.spec).toMatchObject({ duration: '2160h', renewBefore: '360h', commonName: 'east', subject: { organizations: ['fleet'] } });
  });

  test('remotes get no cacerts: their workloads are served by the primary istiod', () => {
    for (const remote of ['west-edge', 'eu-edge']) {
      expect(CERT_MANAGER_FLEET.ofKind(`${remote}/`, 'Certificate')).toEqual([]);
      expect(FLEET.ofKind(`${remote}/`, 'ExternalSecret')).toEqual([]);
    }
    expect(CERT_MANAGER_FLEET.ofKind('', 'Certificate')).toHaveLength(3);
  });
});

describe('trust: external-secrets (global fleet)', () => {
  test('each primary builds cacerts with Istio key names from its own store key', () => {
    for (const cluster of ['east', 'eu', 'west']) {
      const es = FLEET.get(`${cluster}/platform/`, 'ExternalSecret', 'cacerts', 'istio-system');
      expect(es.apiVersion).toBe('external-secrets.io/v1');
      expect(es.spec).toEqual({
        refreshInterval: '1h',
        secretStoreRef: { name: 'vault-pki', kind: 'ClusterSecretStore' },
        target: { name: 'cacerts', creationPolicy: 'Orphan' },
        data: ['ca-cert.pem', 'ca-key.pem', 'root-cert.pem', 'cert-chain.pem'].map((key) => ({
          secretKey: key,
          remoteRef: { key: `pki/istio/${cluster}`, property: key },
        })),
      });
    }
  });
});

describe('trust: existing', () => {
  test('generates nothing for cacerts or remote secrets, and lists them as prerequisites', () => {
    expect(EXISTING.ofKind('', 'Certificate')).toEqual([]);
    expect(EXISTING.ofKind('', 'ExternalSecret')).toEqual([]);
    expect(EXISTING.ofKind('', 'PushSecret')).toEqual([]);
    const doc = EXISTING.tree.get('east/SECRETS.md')!;
    expect(doc).toContain('kubectl --context=<east-context> create secret generic cacerts -n istio-system \\');
    expect(doc).toContain('  --from-file=ca-key.pem=east/ca-key.pem \\');
    expect(doc).toContain('  --from-file=cert-chain.pem=east/cert-chain.pem\n');
    expect(doc).toContain(
      'istioctl create-remote-secret --context=<west-edge-context> --name=west-edge --namespace=istio-system --server=https://west-edge.k8s.example.com:6443 \\\n' +
        '  | kubectl --context=<east-context> apply -f -',
    );
    expect(doc).toContain('| `cacerts` | istiod, as its plugin CA');
    expect(doc).toContain('**prerequisite**');
  });

  test('still declares the reader token Secret, which istioctl reuses', () => {
    expect(names(mine(EXISTING, 'eu-edge/'))).toEqual(['Secret/istio-reader-service-account-istio-remote-secret-token']);
  });
});

describe('remote secrets', () => {
  test('each primary reads every other cluster, remotes of other primaries included', () => {
    const remoteSecrets = (c: string) => FLEET.ofKind(`${c}/`, 'ExternalSecret').map((m) => m.metadata.name).filter((n) => n !== 'cacerts').sort();
    expect(remoteSecrets('east')).toEqual(['istio-remote-secret-eu', 'istio-remote-secret-eu-edge', 'istio-remote-secret-west', 'istio-remote-secret-west-edge']);
    expect(remoteSecrets('west')).toEqual(['istio-remote-secret-east', 'istio-remote-secret-eu', 'istio-remote-secret-eu-edge', 'istio-remote-secret-west-edge']);
    expect(remoteSecrets('west-edge')).toEqual([]);
    expect(DOCS.ofKind('cluster1/', 'ExternalSecret').map((m) => m.metadata.name)).toEqual(['istio-remote-secret-cluster2']);
  });

  test('the ExternalSecret renders the istioctl remote secret shape', () => {
    const es = DOCS.get('cluster1/platform/', 'ExternalSecret', 'istio-remote-secret-cluster2', 'istio-system');
    expect(es.spec).toEqual({
      refreshInterval: '1h',
      secretStoreRef: { name: 'mesh-secrets', kind: 'ClusterSecretStore' },
      target: {
        name: 'istio-remote-secret-cluster2',
        creationPolicy: 'Owner',
        template: {
          engineVersion: 'v2',
          type: 'Opaque',
          metadata: { labels: { 'istio/multiCluster': 'true' }, annotations: { 'networking.istio.io/cluster': 'cluster2' } },
          data: { cluster2: remoteKubeconfigTemplate('cluster2', 'https://cluster2.example.com:6443') },
        },
      },
      data: [
        { secretKey: 'token', remoteRef: { key: 'meshfleet/cluster2/reader', property: 'token' } },
        { secretKey: 'caCrt', remoteRef: { key: 'meshfleet/cluster2/reader', property: 'ca.crt' } },
      ],
    });
  });

  test('the kubeconfig template, once ESO fills it, is the kubeconfig istioctl writes', () => {
    const es = FLEET.get('east/platform/', 'ExternalSecret', 'istio-remote-secret-west-edge');
    const template: string = es.spec.target.template.data['west-edge'];
    expect(Object.keys(es.spec.target.template.data)).toEqual(['west-edge']);
    // What ESO's engine v2 does with these two expressions (sprig b64enc).
    const rendered = template
      .replace('{{ .caCrt | b64enc }}', Buffer.from('API SERVER CA').toString('base64'))
      .replace('{{ .token }}', 'reader-token-value');
    expect(rendered).not.toContain('{{');
    expect(load(rendered)).toEqual({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'west-edge', cluster: { server: 'https://west-edge.k8s.example.com:6443', 'certificate-authority-data': Buffer.from('API SERVER CA').toString('base64') } }],
      contexts: [{ name: 'west-edge', context: { cluster: 'west-edge', user: 'west-edge' } }],
      'current-context': 'west-edge',
      users: [{ name: 'west-edge', user: { token: 'reader-token-value' } }],
    });
  });

  test('existing credentials generate no remote secrets', () => {
    expect(EXISTING.ofKind('east/', 'ExternalSecret')).toEqual([]);
  });
});

describe('reader token', () => {
  test('every cluster a primary reads declares the token Secret without data, in its own layer after the base chart', () => {
    for (const cluster of ['east', 'eu', 'eu-edge', 'west', 'west-edge']) {
      const secret = FLEET.get(`${cluster}/${READER_TOKEN_LAYER}/`, 'Secret', 'istio-reader-service-account-istio-remote-secret-token', 'istio-system');
      expect(secret).toEqual({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: {
          name: 'istio-reader-service-account-istio-remote-secret-token',
          namespace: 'istio-system',
          annotations: { 'kubernetes.io/service-account.name': 'istio-reader-service-account' },
        },
        type: 'kubernetes.io/service-account-token',
      });
    }
    expect(READER_TOKEN_LAYER).toBe('reader');
    expect(TRUST_LAYER).toBe('platform');
  });

  test('a sole primary is read by nobody and gets no token Secret', () => {
    const single = synthText(edited(FLEET_TEXT, (d) => {
      d.clusters = d.clusters.filter((c: any) => c.name === 'west' || c.name === 'west-edge');
      d.services = [];
      delete d.delivery; // its management cluster is gone
    }));
    expect(single.ofKind('west/', 'Secret')).toEqual([]);
    expect(single.ofKind('west-edge/', 'Secret')).toHaveLength(1);
    expect(single.ofKind('west/', 'ExternalSecret').map((m) => m.metadata.name).sort()).toEqual(['cacerts', 'istio-remote-secret-west-edge']);
  });

  test('a PushSecret publishes token and ca.crt to the cluster\'s own key', () => {
    const push = FLEET.get('west-edge/reader/', 'PushSecret', 'istio-reader-token', 'istio-system');
    expect(push.apiVersion).toBe('external-secrets.io/v1alpha1');
    expect(push.spec).toEqual({
      refreshInterval: '1h',
      updatePolicy: 'Replace',
      deletionPolicy: 'None',
      secretStoreRefs: [{ name: 'vault-kv', kind: 'ClusterSecretStore' }],
      selector: { secret: { name: 'istio-reader-service-account-istio-remote-secret-token' } },
      data: [
        { match: { secretKey: 'token', remoteRef: { remoteKey: 'kv/meshfleet/west-edge/istio-reader', property: 'token' } } },
        { match: { secretKey: 'ca.crt', remoteRef: { remoteKey: 'kv/meshfleet/west-edge/istio-reader', property: 'ca.crt' } } },
      ],
    });
  });

  test('push: false leaves the store to something else', () => {
    expect(CERT_MANAGER_FLEET.ofKind('', 'PushSecret')).toEqual([]);
    expect(CERT_MANAGER_FLEET.get('east/platform/', 'ExternalSecret', 'istio-remote-secret-eu').spec.refreshInterval).toBe('15m');
    expect(CERT_MANAGER_FLEET.tree.get('eu/SECRETS.md')).toContain("you, from this cluster's `istio-reader-service-account-istio-remote-secret-token`");
  });
});

describe('trustHealthChecks', () => {
  const facts = (s: Synthesized) => new MeshFacts(s.topology);
  test('names the object that produces cacerts, per provider', () => {
    const f = facts(DOCS);
    expect(trustHealthChecks(f, f.cluster('cluster1'))).toEqual([
      { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', name: 'istio-intermediate', namespace: 'istio-system', generated: true },
    ]);
    const g = facts(FLEET);
    expect(trustHealthChecks(g, g.cluster('east'))).toEqual([
      { apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', name: 'cacerts', namespace: 'istio-system', generated: true },
    ]);
    const e = facts(EXISTING);
    expect(trustHealthChecks(e, e.cluster('east'))).toEqual([
      { apiVersion: 'v1', kind: 'Secret', name: 'cacerts', namespace: 'istio-system', generated: false },
    ]);
  });

  test('is empty for remotes, and every generated check exists in the trust layer', () => {
    const g = facts(FLEET);
    expect(trustHealthChecks(g, g.cluster('eu-edge'))).toEqual([]);
    for (const c of g.topology.clusters) {
      for (const ref of trustHealthChecks(g, c).filter((r) => r.generated)) {
        expect(FLEET.get(`${c.name}/${TRUST_LAYER}/`, ref.kind, ref.name, ref.namespace).apiVersion).toBe(ref.apiVersion);
      }
    }
  });
});

describe('SECRETS.md', () => {
  test('every cluster of every fixture has one', () => {
    for (const s of Object.values(ALL)) {
      for (const c of s.topology.clusters) expect(s.tree.get(`${c.name}/SECRETS.md`)).toMatch(new RegExp(`^# Secrets of cluster \`${c.name}\`\n`));
    }
  });

  test('lists the secrets, exact store keys, order and rotation of a primary', () => {
    const doc = FLEET.tree.get('east/SECRETS.md')!;
    expect(doc).toContain('| `cacerts` | istiod, as its plugin CA: this cluster\'s intermediate under the shared root | `ExternalSecret cacerts` from ClusterSecretStore `vault-pki`, key `pki/istio/east` | `platform/externalsecret.istio-system.cacerts.yaml` |');
    expect(doc).toContain('| `istio-remote-secret-eu-edge` | istiod, to read cluster `eu-edge`\'s API server (endpoints, services) | `ExternalSecret istio-remote-secret-eu-edge` from ClusterSecretStore `vault-kv`, key `kv/meshfleet/eu-edge/istio-reader` |');
    expect(doc).toContain('| ClusterSecretStore `vault-pki` | `pki/istio/east` | `ca-cert.pem`, `ca-key.pem`, `root-cert.pem`, `cert-chain.pem` | this cluster (`ExternalSecret cacerts`) |');
    expect(doc).toContain('| ClusterSecretStore `vault-kv` | `kv/meshfleet/east/istio-reader` | `token`, `ca.crt` | `eu`, `west` | this cluster (`PushSecret istio-reader-token`, `reader/pushsecret.istio-system.istio-reader-token.yaml`) |');
    expect(doc).toContain('| ClusterSecretStore `vault-kv` | `kv/meshfleet/west-edge/istio-reader` | `token`, `ca.crt` | this cluster (remote secret for `west-edge`) | cluster `west-edge` (`PushSecret istio-reader-token`) |');
    expect(doc).toContain('## Order');
    expect(doc).toContain('`cacerts` must exist before istiod starts');
    expect(doc).toContain('waits for `ExternalSecret cacerts` to be Ready');
    for (const issue of [57853, 53961, 30946, 30947, 50420, 58047, 60920]) expect(doc).toContain(`https://github.com/istio/istio/issues/${issue}`);
  });

  test('explains why a remote has no cacerts', () => {
    const doc = FLEET.tree.get('west-edge/SECRETS.md')!;
    expect(doc).toContain('No `cacerts` here: a remote runs no istiod CA.');
    expect(doc).toContain('primaries `east`, `eu`, `west`, which read this cluster');
    expect(doc).not.toContain('## Prerequisites');
  });
});

describe('no secret material in Git', () => {
  test.each(Object.entries(ALL))('no file of %s holds a key, certificate, token or credential', (_, s) => {
    expect(s.tree.size).toBeGreaterThan(10);
    expect(findSecretMaterial(s.tree)).toEqual([]);
  });

  test('the scanner catches planted secrets of every kind', () => {
    const jwt = 'eyJhbGciOiJSUzI1NiIsImtpZCI6IiJ9.eyJpc3MiOiJrdWJlcm5ldGVzIn0.c2ln';
    const planted: Array<[string, string]> = [
      ['-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEI\n-----END EC PRIVATE KEY-----', 'PEM block (private key or certificate)'],
      ['ca.crt: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t', 'base64-encoded PEM block'],
      [`bearer: ${jwt}`, 'JWT-like token'],
      ['users:\n- name: x\n  user:\n    token: abc123', 'kubeconfig token'],
      ['    client-key-data: QUJD', 'kubeconfig client key'],
      ['    client-certificate-data: QUJD', 'kubeconfig client certificate'],
      ['    certificate-authority-data: QUJD', 'kubeconfig CA data'],
      ['  password: hunter2', 'password'],
      ['apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {ca-key.pem: x}', 'Secret with stringData'],
      ['apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {token: eA==}', 'Secret with data'],
    ];
    for (const [text, what] of planted) {
      const tree = new Map([...DOCS.tree, ['cluster1/platform/planted.yaml', text]]);
      expect(findSecretMaterial(tree).map((f) => f.what)).toContain(what);
    }
    // And inside a real manifest: a token value where the template expression was.
    const file = 'cluster1/platform/externalsecret.istio-system.istio-remote-secret-cluster2.yaml';
    const tampered = new Map(DOCS.tree).set(file, DOCS.tree.get(file)!.replace('{{ .token }}', jwt));
    expect(findSecretMaterial(tampered).map((f) => [f.file, f.what])).toEqual([
      [file, 'JWT-like token'],
      [file, 'kubeconfig token'],
    ]);
  });

  test('template references and key names are not findings', () => {
    const tree = new Map([['x.yaml', 'token: {{ .token }}\ncertificate-authority-data: {{ .caCrt | b64enc }}\nsecretKey: token\nproperty: ca-key.pem\n']]);
    expect(findSecretMaterial(tree)).toEqual([]);
  });
});

describe('validation against the pinned CRDs', () => {
  test.each(Object.entries(ALL))('every trust and credentials object of %s is valid', (_, s) => {
    const objects = mine(s);
    expect(objects.length).toBeGreaterThan(0);
    expect(validateManifests(objects)).toEqual([]);
  });
});

describe('determinism', () => {
  test('cluster order in the file does not change the output', () => {
    const reversed = synthText(edited(FLEET_TEXT, (d) => d.clusters.reverse()));
    for (const [file, content] of FLEET.tree) {
      if (file.endsWith('SECRETS.md') || /\/(externalsecret|certificate|pushsecret|secret)\./.test(file)) {
        expect(reversed.tree.get(file)).toBe(content);
      }
    }
  });
});

describe('trust and credentials rules', () => {
  test('fails if trust.provider is cert-manager without certManager', () => {
    const p = expectProblem(edited(DOCS_TEXT, (d) => delete d.trust.certManager), 'trust.certManager',
      'is required when provider is cert-manager: add certManager.issuer naming the root ClusterIssuer (or Issuer) that signs every primary\'s intermediate CA');
    expect(p.position?.line).toBeGreaterThan(0);
  });

  test('fails if trust.provider is external-secrets without externalSecrets', () => {
    expectProblem(edited(DOCS_TEXT, (d) => (d.trust = { provider: 'external-secrets' })), 'trust.externalSecrets',
      /^is required when provider is external-secrets: add externalSecrets.store naming the ClusterSecretStore/);
  });

  test('fails if credentials.provider is external-secrets without externalSecrets', () => {
    expectProblem(edited(DOCS_TEXT, (d) => delete d.credentials.externalSecrets), 'credentials.externalSecrets',
      /^is required when provider is external-secrets: add externalSecrets.store .* reader token$/);
  });

  test('fails if certManager.issuer is missing', () => {
    expectProblem(edited(DOCS_TEXT, (d) => delete d.trust.certManager.issuer), 'trust.certManager.issuer', 'is required: add "issuer" to trust.certManager');
  });

  test('fails if a provider block is written but another provider is in effect', () => {
    expectProblem(edited(DOCS_TEXT, (d) => delete d.trust.provider), 'trust.certManager',
      'is only read with provider cert-manager (provider defaults to existing): set trust.provider: cert-manager, or remove certManager');
    expectProblem(edited(DOCS_TEXT, (d) => (d.credentials.provider = 'existing')), 'credentials.externalSecrets',
      'is only read with provider external-secrets (provider is existing): set credentials.provider: external-secrets, or remove externalSecrets');
  });

  test('fails if the CA key template has no {cluster} while several primaries use it', () => {
    expectProblem(edited(FLEET_TEXT, (d) => (d.trust.externalSecrets.key = 'pki/istio')), 'trust.externalSecrets.key',
      'must contain {cluster}: 3 primaries (east, west, eu) would share the one key "pki/istio", so every primary would sign with the same intermediate CA key; e.g. "pki/istio/{cluster}"');
  });

  test('accepts a CA key without {cluster} when one primary uses it', () => {
    const text = edited(FLEET_TEXT, (d) => {
      d.clusters = d.clusters.filter((c: any) => c.name === 'west' || c.name === 'west-edge');
      d.services = [];
      delete d.delivery; // its management cluster is gone
      d.trust.externalSecrets.key = 'pki/istio';
    });
    expect(() => parseTopology(text, 'mesh.yaml')).not.toThrow();
  });

  test('fails if the reader key template has no {cluster}', () => {
    expectProblem(edited(DOCS_TEXT, (d) => (d.credentials.externalSecrets.key = 'meshfleet/reader')), 'credentials.externalSecrets.key',
      /^must contain \{cluster\}: 2 clusters read by a primary \(cluster1, cluster2\) would share the one key "meshfleet\/reader", so each cluster's reader token would overwrite the others'/);
  });

  test('fails if a key template has an unknown placeholder', () => {
    expectProblem(edited(DOCS_TEXT, (d) => (d.credentials.externalSecrets.key = 'meshfleet/{cluster}/{name}')), 'credentials.externalSecrets.key',
      'unknown placeholder "{name}": only {cluster} is replaced (by the cluster name)');
  });

  test('fails if a cluster a primary reads has no apiServer', () => {
    const text = edited(FLEET_TEXT, (d) => {
      delete d.clusters.find((c: any) => c.name === 'eu-edge').apiServer;
      delete d.delivery; // Argo CD would need apiServer too
    });
    expectProblem(text, 'clusters[4].apiServer',
      'is required: primaries east, west, eu read cluster "eu-edge" through istio-remote-secret-eu-edge (credentials.provider external-secrets): ' +
        'add apiServer with the URL they reach its Kubernetes API at, e.g. https://eu-edge.example.com:6443');
  });

  test('does not require apiServer with existing credentials, or for a cluster nobody reads', () => {
    const existing = edited(DOCS_TEXT, (d) => {
      d.credentials = { provider: 'existing' };
      delete d.delivery;
      for (const c of d.clusters) delete c.apiServer;
    });
    expect(() => parseTopology(existing, 'mesh.yaml')).not.toThrow();
    const sole = edited(DOCS_TEXT, (d) => {
      d.clusters = [d.clusters[0]];
      d.services[0].runsIn = ['cluster1'];
      delete d.services[0].failover;
      delete d.delivery;
      delete d.clusters[0].apiServer;
    });
    expect(() => parseTopology(sole, 'mesh.yaml')).not.toThrow();
  });

  test('fails if renewBefore is not shorter than duration', () => {
    expectProblem(edited(DOCS_TEXT, (d) => Object.assign(d.trust.certManager, { duration: '720h', renewBefore: '720h' })), 'trust.certManager.renewBefore',
      'must be shorter than duration (720h): cert-manager refuses a certificate that is due for renewal when issued (got "720h")');
  });

  test('fails if duration or renewBefore is below cert-manager\'s minimum', () => {
    expectProblem(edited(DOCS_TEXT, (d) => Object.assign(d.trust.certManager, { duration: '30m', renewBefore: '10m' })), 'trust.certManager.duration',
      'must be at least 1h: cert-manager refuses shorter certificates (got "30m")');
    expectProblem(edited(DOCS_TEXT, (d) => (d.trust.certManager.renewBefore = '1m')), 'trust.certManager.renewBefore',
      'must be at least 5m: cert-manager refuses a shorter renewBefore (got "1m")');
  });

  test('fails if a cert-manager.io issuer is neither ClusterIssuer nor Issuer', () => {
    expectProblem(edited(DOCS_TEXT, (d) => (d.trust.certManager.issuer.kind = 'AWSPCAClusterIssuer')), 'trust.certManager.issuer.kind',
      'must be ClusterIssuer or Issuer for group cert-manager.io (got "AWSPCAClusterIssuer"): for an external issuer, also set its group');
    expectProblem(edited(DOCS_TEXT, (d) => Object.assign(d.trust.certManager.issuer, { kind: 'Issuer', group: 'Not A Group' })), 'trust.certManager.issuer.group',
      'must be an API group such as cert-manager.io or awspca.cert-manager.io (got "Not A Group")');
  });

  test('fails if the reader tokens and CA bundles share one store key', () => {
    const text = edited(FLEET_TEXT, (d) => {
      d.credentials.externalSecrets.store = d.trust.externalSecrets.store;
      d.credentials.externalSecrets.key = d.trust.externalSecrets.key;
    });
    expectProblem(text, 'credentials.externalSecrets.key',
      'must differ from trust.externalSecrets.key (both "pki/istio/{cluster}" in ClusterSecretStore vault-pki): the reader tokens and the CA private keys belong under separate keys with separate access policies');
  });

  test('an issuer name is a Kubernetes object name: DNS subdomain, at most 253 characters', () => {
    const named = (name: string) => edited(DOCS_TEXT, (d) => (d.trust.certManager.issuer.name = name));
    expect(() => parseTopology(named('a'.repeat(253)), 'mesh.yaml')).not.toThrow();
    expectProblem(named('a'.repeat(254)), 'trust.certManager.issuer.name', /^must be a Kubernetes object name: lowercase letters, digits, "-" and ".", at most 253 characters \(got "a+\.\.\.\)$/);
    expectProblem(named('Mesh_Root'), 'trust.certManager.issuer.name',
      'must be a Kubernetes object name: lowercase letters, digits, "-" and ".", at most 253 characters (got "Mesh_Root")');
  });

  test('a cert-manager.io Issuer is accepted; an external issuer\'s kind must still look like a kind', () => {
    expect(() => parseTopology(edited(DOCS_TEXT, (d) => (d.trust.certManager.issuer.kind = 'Issuer')), 'mesh.yaml')).not.toThrow();
    expectProblem(edited(DOCS_TEXT, (d) => Object.assign(d.trust.certManager.issuer, { kind: 'awspcaIssuer', group: 'awspca.cert-manager.io' })), 'trust.certManager.issuer.kind',
      'must be a Kubernetes kind such as ClusterIssuer or AWSPCAClusterIssuer (got "awspcaIssuer")');
  });

  test('accepts exactly cert-manager\'s minimums: duration 1h, renewBefore 5m', () => {
    expect(() => parseTopology(edited(DOCS_TEXT, (d) => Object.assign(d.trust.certManager, { duration: '1h', renewBefore: '5m' })), 'mesh.yaml')).not.toThrow();
  });

  test('fails if a key template is blank or holds a line break', () => {
    expectProblem(edited(DOCS_TEXT, (d) => (d.credentials.externalSecrets.key = '  ')), 'credentials.externalSecrets.key',
      'must not be empty: name the secret-store key, with {cluster} where the cluster name goes');
    expectProblem(edited(DOCS_TEXT, (d) => (d.credentials.externalSecrets.key = 'meshfleet/{cluster}\nreader')), 'credentials.externalSecrets.key',
      /^must not contain line breaks or control characters: it is a secret-store path such as "meshfleet\/\{cluster\}\/cacerts"/);
  });

  test('names the one primary that reads a cluster without apiServer in the singular', () => {
    const text = edited(DOCS_TEXT, (d) => {
      delete d.clusters[0].apiServer;
      delete d.delivery;
    });
    expectProblem(text, 'clusters[0].apiServer',
      'is required: primary cluster2 reads cluster "cluster1" through istio-remote-secret-cluster1 (credentials.provider external-secrets): ' +
        'add apiServer with the URL they reach its Kubernetes API at, e.g. https://cluster1.example.com:6443');
  });

  test('past three primaries, messages name the first three and count the rest; the example key drops trailing slashes', () => {
    const text = edited(FLEET_TEXT, (d) => {
      const east = d.clusters.find((c: any) => c.name === 'east');
      for (const name of ['north', 'south']) d.clusters.push({ ...east, name, apiServer: `https://${name}.example.com:6443` });
      delete d.clusters.find((c: any) => c.name === 'eu-edge').apiServer;
      delete d.delivery;
      d.trust.externalSecrets.key = 'pki/istio//';
    });
    expectProblem(text, 'trust.externalSecrets.key',
      'must contain {cluster}: 5 primaries (east, west, eu …) would share the one key "pki/istio//", so every primary would sign with the same intermediate CA key; e.g. "pki/istio/{cluster}"');
    expectProblem(text, 'clusters[4].apiServer', /^is required: primaries east, west, eu and 2 more read cluster "eu-edge" through/);
  });

  test('reader tokens and CA bundles may share a key template in another store, or a store under other keys', () => {
    const sameKey = edited(FLEET_TEXT, (d) => (d.credentials.externalSecrets.key = d.trust.externalSecrets.key));
    expect(() => parseTopology(sameKey, 'mesh.yaml')).not.toThrow();
    const sameStoreName = edited(FLEET_TEXT, (d) => {
      d.credentials.externalSecrets.store = { name: d.trust.externalSecrets.store.name, kind: 'SecretStore' };
      d.credentials.externalSecrets.key = d.trust.externalSecrets.key;
    });
    expect(() => parseTopology(sameStoreName, 'mesh.yaml')).not.toThrow();
    const sameStore = edited(FLEET_TEXT, (d) => (d.credentials.externalSecrets.store = d.trust.externalSecrets.store));
    expect(() => parseTopology(sameStore, 'mesh.yaml')).not.toThrow();
  });

  test('a provider block that is not in effect is not checked further: its one problem is that it is not read', () => {
    const notRead = 'is only read with provider cert-manager (provider is existing): set trust.provider: cert-manager, or remove certManager';
    expectOnlyProblem(edited(DOCS_TEXT, (d) => Object.assign(d.trust, { provider: 'existing' }, { certManager: { issuer: { name: 'Mesh_Root' } } })), 'trust.certManager', notRead);
    const esNotRead = 'is only read with provider external-secrets (provider is existing): set trust.provider: external-secrets, or remove externalSecrets';
    expectOnlyProblem(edited(FLEET_TEXT, (d) => Object.assign(d.trust, { provider: 'existing' }).externalSecrets.key = 'pki/istio'), 'trust.externalSecrets', esNotRead);
    expectOnlyProblem(edited(FLEET_TEXT, (d) => {
      d.trust.provider = 'existing';
      d.credentials.externalSecrets.store = d.trust.externalSecrets.store;
      d.credentials.externalSecrets.key = d.trust.externalSecrets.key;
    }), 'trust.externalSecrets', esNotRead);
  });

  test('an empty provider block (certManager: null) counts as not written', () => {
    expect(() => parseTopology(edited(DOCS_TEXT, (d) => (d.trust = { provider: 'existing', certManager: null })), 'mesh.yaml')).not.toThrow();
  });

  test('a duplicated cluster name is its own problem; the key check counts that cluster once', () => {
    const text = edited(FLEET_TEXT, (d) => {
      d.clusters.push({ ...d.clusters.find((c: any) => c.name === 'east') });
      d.trust.externalSecrets.key = 'pki/istio';
    });
    expectProblem(text, 'trust.externalSecrets.key', /^must contain \{cluster\}: 3 primaries \(east, west, eu\) would share the one key "pki\/istio"/);
  });

  test('reports each unknown placeholder once, in sorted order', () => {
    const problems = problemsOf(edited(DOCS_TEXT, (d) => (d.credentials.externalSecrets.key = 'meshfleet/{zone}/{cluster}/{name}/{zone}')))
      .filter((p) => p.path === 'credentials.externalSecrets.key').map((p) => p.message);
    expect(problems).toEqual([
      'unknown placeholder "{name}": only {cluster} is replaced (by the cluster name)',
      'unknown placeholder "{zone}": only {cluster} is replaced (by the cluster name)',
    ]);
  });

  test('fails if push is not a boolean', () => {
    expectProblem(edited(DOCS_TEXT, (d) => (d.credentials.externalSecrets.push = 'yes')), 'credentials.externalSecrets.push', 'must be true or false (got "yes")');
  });
});
