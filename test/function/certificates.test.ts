import { describe, expect, it } from 'vitest';
import { certificateDefaults, expiryWarnings } from '../../functions/k8tre/network/certificates.js';
import { parseNetworkSpec } from '../../functions/k8tre/network/spec.js';
import { keys as spokeKeys } from '../../functions/k8tre/spoke/naming.js';
import { keys as monitoringKeys } from '../../functions/k8tre/cluster-monitoring/compose-cluster-monitoring.js';
import { asObserved, type Manifest } from '../../scripts/lib/reconcile.js';
import { toKubernetesYaml } from '../../scripts/lib/yaml.js';
import { expectValid } from '../support/render.js';
import { desired, fatalMessage, loadExample, run, settle, spokeOf, withField, type Json } from '../support/function.js';

// How each exposed environment's certificate gets into the gateway's Key Vault
// (network/certificates.ts): put there by someone (Manual), pushed by cert-manager on the
// management cluster (CertManager), or issued and renewed by Key Vault (KeyVault). The gateway
// reads each by its versionless secret ID, and never names a certificate that does not exist.

const observe = (manifest: Json) => asObserved(manifest as Manifest) as Json;
const forProvider = (m: Json | undefined) => (m?.spec as { forProvider: Json }).forProvider;
const reference = loadExample('examples/network/k8tre.yaml');
const VAULT = 'https://kv-k8tre-certs.vault.azure.net/secrets';
const keyVaultIssued = (keyVault: Json = { issuerName: 'DigiCert' }) =>
  withField(withField(reference, 'spec.gateway.certificates.issuance', 'KeyVault'), 'spec.gateway.certificates.keyVault', keyVault);

interface SslCertificate {
  name: string;
  keyVaultSecretId: string;
}
const sslCertificates = (gateway: Json | undefined) => (forProvider(gateway) as { sslCertificate: SslCertificate[] }).sslCertificate;
const condition = (rsp: ReturnType<typeof run>, type: string) => rsp.conditions.find((c) => c.type === type);
const environmentStatus = (xr: Json, name: string) =>
  (xr.status as { environments: { name: string; certificate?: Json }[] }).environments.find((e) => e.name === name);

describe('certificates someone puts in the vault (issuance Manual, the default)', () => {
  const settled = settle(reference, observe);

  it('serves each exposed environment the versionless secret of its name at once, composing no certificate', () => {
    expect(sslCertificates(settled.tree['gateway'])).toEqual([
      { name: 'ssl-cert-dev', keyVaultSecretId: `${VAULT}/tls-dev-pfx` },
      { name: 'ssl-cert-prd', keyVaultSecretId: `${VAULT}/tls-prd-pfx` },
      { name: 'ssl-cert-stg', keyVaultSecretId: `${VAULT}/tls-stg-pfx` },
    ]);
    expect(Object.keys(settled.tree).filter((name) => name.includes('/certificate-'))).toEqual([]);
  });

  it('reports the secret each environment is served with, and none for the internal management environment', () => {
    expect(environmentStatus(settled.xr, 'dev')?.certificate).toEqual({ name: 'tls-dev-pfx', secretId: `${VAULT}/tls-dev-pfx` });
    expect(environmentStatus(settled.xr, 'mgmt')?.certificate).toBeUndefined();
  });
});

describe('certificates Key Vault issues (issuance KeyVault)', () => {
  const settled = settle(keyVaultIssued(), observe);

  it("composes one per exposed environment in its spoke, for the environment's domain and its wildcard, renewed by Key Vault", () => {
    const certificate = spokeOf(settled.tree, 'dev')[spokeKeys.certificate('tls-dev-pfx')];
    expect(forProvider(certificate)).toEqual({
      name: 'tls-dev-pfx',
      keyVaultId: reference.spec && (reference.spec as { gateway: { certificates: { keyVaultId: string } } }).gateway.certificates.keyVaultId,
      certificatePolicy: {
        issuerParameters: { name: 'DigiCert' },
        keyProperties: { keyType: 'RSA', keySize: 2048, exportable: true, reuseKey: false },
        secretProperties: { contentType: 'application/x-pkcs12' },
        lifetimeAction: [{ action: { actionType: 'AutoRenew' }, trigger: { daysBeforeExpiry: certificateDefaults.renewDaysBeforeExpiry } }],
        x509CertificateProperties: {
          subject: 'CN=dev.karectl.org',
          subjectAlternativeNames: { dnsNames: ['dev.karectl.org', '*.dev.karectl.org'] },
          keyUsage: ['digitalSignature', 'keyEncipherment'],
          extendedKeyUsage: ['1.3.6.1.5.5.7.3.1'],
          validityInMonths: certificateDefaults.validityInMonths,
        },
      },
      tags: expect.objectContaining({ 'k8tre-environment': 'dev' }),
    });
    // The internal management environment is not served, so it needs none.
    expect(spokeOf(settled.tree, 'mgmt')[spokeKeys.certificate('tls-mgmt-pfx')]).toBeUndefined();
  });

  it('never lets Crossplane delete one: a live listener may serve it, and a deleted certificate holds its name while soft-deleted', () => {
    const policies = (spokeOf(settled.tree, 'dev')[spokeKeys.certificate('tls-dev-pfx')]?.spec as { managementPolicies: string[] }).managementPolicies;
    expect(policies).toEqual(['Observe', 'Create', 'Update', 'LateInitialize']);
  });

  it('serves each environment the secret Key Vault reports for its certificate, once issued', () => {
    expect(sslCertificates(settled.tree['gateway'])).toContainEqual({ name: 'ssl-cert-dev', keyVaultSecretId: `${VAULT}/tls-dev-pfx` });
    expect(environmentStatus(settled.xr, 'dev')?.certificate).toEqual({
      name: 'tls-dev-pfx',
      secretId: `${VAULT}/tls-dev-pfx`,
      expires: '2099-01-01T00:00:00Z',
    });
  });

  it('creates no gateway before any certificate exists, since Azure refuses a listener whose secret it cannot read', () => {
    // Everything the gateway needs is in place, except the certificates.
    const withoutCertificates = Object.fromEntries(
      Object.entries(settled.observed).flatMap(([key, manifest]) => {
        if (key === 'gateway') return [];
        if (!key.startsWith('spokes-')) return [[key, manifest]];
        const status = manifest.status as { spokes: Json[] };
        return [
          [
            key,
            { ...manifest, status: { ...status, spokes: status.spokes.map(({ certificateSecretId: _id, certificateExpires: _expires, ...rest }) => rest) } },
          ],
        ];
      }),
    );
    const rsp = run(keyVaultIssued(), withoutCertificates);
    expect(fatalMessage(rsp)).toBeUndefined();
    expect(rsp.desired?.resources['gateway']).toBeUndefined();
    expect(condition(rsp, 'GatewayComposed')?.message).toMatch(/Key Vault certificates of dev, prd, stg to be issued/);
  });

  it('adds a new environment to a live gateway only once its certificate is issued, and says so without naming it', () => {
    const withNew = withField(keyVaultIssued(), 'spec.environments', [...(reference.spec as { environments: Json[] }).environments, { name: 'new' }]);
    const rsp = run(withNew, settled.observed);
    expect(fatalMessage(rsp)).toBeUndefined();
    expect(sslCertificates(desired(rsp, 'gateway')).map((c) => c.name)).toEqual(['ssl-cert-dev', 'ssl-cert-prd', 'ssl-cert-stg']);
    // The message stays the same while certificates arrive: each change costs the XR a watch event.
    expect(condition(rsp, 'GatewayComposed')?.message).toBe(
      'Waiting for the Key Vault certificates of the exposed environments to be issued, before their listeners',
    );
    const after = settle(withNew, observe);
    expect(sslCertificates(after.tree['gateway']).map((c) => c.name)).toContain('ssl-cert-new');
  });

  const renamed = (keyVault: Json = { issuerName: 'DigiCert' }) =>
    withField(
      keyVaultIssued(keyVault),
      'spec.environments',
      (reference.spec as { environments: Json[] }).environments.map((e) => (e.name === 'dev' ? { ...e, certificateSecretName: 'tls-dev-2027' } : e)),
    );

  it('keeps the certificate a live listener serves while a renamed one is issued, as a new certificate beside it', () => {
    const rsp = run(renamed(), settled.observed);
    expect(fatalMessage(rsp)).toBeUndefined();
    expect(sslCertificates(desired(rsp, 'gateway'))).toContainEqual({ name: 'ssl-cert-dev', keyVaultSecretId: `${VAULT}/tls-dev-pfx` });
    const after = settle(renamed(), observe);
    expect(sslCertificates(after.tree['gateway'])).toContainEqual({ name: 'ssl-cert-dev', keyVaultSecretId: `${VAULT}/tls-dev-2027` });
    // Its own composed resource: the provider never replaces a certificate in place.
    expect(spokeOf(after.tree, 'dev')[spokeKeys.certificate('tls-dev-2027')]).toBeDefined();
  });

  it.each([
    { why: 'a new issuer', keyVault: { issuerName: 'GlobalSign' }, field: 'keyVault.issuerName' },
    { why: 'a new validity', keyVault: { issuerName: 'DigiCert', validityInMonths: 3 }, field: 'keyVault.validityInMonths' },
  ])('refuses $why for live certificates, which the provider would not replace', ({ keyVault, field }) => {
    const refused = run(keyVaultIssued(keyVault), settled.observed);
    expect(fatalMessage(refused)).toMatch(new RegExp(`^invalid input: spec\\.gateway\\.certificates\\.${field.replace('.', '\\.')}: .*certificateSecretNames`));
    // The renewal is the one part of the policy Key Vault changes in place.
    expect(fatalMessage(run(keyVaultIssued({ issuerName: 'DigiCert', renewDaysBeforeExpiry: 20 }), settled.observed))).toBeUndefined();
  });

  it.each([
    { why: 'Key Vault renews it by the day the policy says', keyVault: { issuerName: 'Self', renewDaysBeforeExpiry: 10 }, days: 10 },
    {
      why: 'a one-month certificate cannot renew 30 days ahead: the default is cut to the 27 a month allows',
      keyVault: { issuerName: 'Self', validityInMonths: 1 },
      days: 27,
    },
  ])('$why', ({ keyVault, days }) => {
    const spec = parseNetworkSpec({ name: 'k8tre', namespace: 'k8tre' }, keyVaultIssued(keyVault).spec);
    expect(spec.gateway.certificates).toMatchObject({ issuance: 'KeyVault', renewDaysBeforeExpiry: days });
  });
});

describe('what the three ways compose', () => {
  it('validates against the XRDs and the pinned provider CRDs: the XR with its issuance, the spokes told a certificate, the certificates, the rule group', async () => {
    const keyVault = settle(keyVaultIssued(), observe);
    const certManager = settle(withField(reference, 'spec.gateway.certificates.issuance', 'CertManager'), observe);
    const mgmt = settle(loadExample('examples/cluster/mgmt.yaml'), observe, { network: [certManager.xr] });
    const documents = [keyVault.xr, certManager.xr, ...Object.values(keyVault.tree), ...Object.values(mgmt.tree)];
    expect(documents.filter((d) => d.kind === 'Certificate')).toHaveLength(3);
    // As composed: the simulated providers' status is not the providers' own.
    const asComposed = documents.map(({ status, ...manifest }) => (String(manifest.kind).startsWith('XK8tre') ? { ...manifest, status } : manifest));
    await expectValid(asComposed.map((d) => toKubernetesYaml(d)).join('---\n'));
  }, 60_000);
});

describe('expiry warnings from what Key Vault reports', () => {
  const spec = parseNetworkSpec({ name: 'k8tre', namespace: 'k8tre' }, keyVaultIssued().spec);
  const now = Date.parse('2027-01-01T00:00:00Z');
  const reported = (expires: string) => new Map([['dev', { certificateExpires: expires }]]);

  it.each([
    { why: 'a certificate well ahead of its renewal is fine', expires: '2027-03-01T00:00:00Z', warned: undefined },
    { why: 'one within 14 days has missed its renewal', expires: '2027-01-10T00:00:00Z', warned: /tls-dev-pfx expires at 2027-01-10.*DigiCert/ },
    { why: 'one past its expiry is said to have expired', expires: '2026-12-30T00:00:00Z', warned: /tls-dev-pfx expired at/ },
  ])('$why', ({ expires, warned }) => {
    const warnings = expiryWarnings(spec, reported(expires), now);
    if (warned) expect(warnings).toEqual([expect.stringMatching(warned)]);
    else expect(warnings).toEqual([]);
  });

  it('are not given for certificates the network does not issue: it sees no expiry for them', () => {
    const manual = parseNetworkSpec({ name: 'k8tre', namespace: 'k8tre' }, reference.spec);
    expect(expiryWarnings(manual, reported('2026-12-30T00:00:00Z'), now)).toEqual([]);
  });
});

describe('bad certificate settings', () => {
  it.each([
    {
      why: 'keyVault settings without issuance KeyVault would be ignored',
      certificates: { issuance: 'CertManager', keyVault: { issuerName: 'Self' } },
      field: 'spec.gateway.certificates.keyVault',
    },
    { why: 'KeyVault issuance needs an issuer', certificates: { issuance: 'KeyVault' }, field: 'spec.gateway.certificates.keyVault' },
    {
      why: 'an Unknown issuer leaves every certificate pending a manual merge',
      certificates: { issuance: 'KeyVault', keyVault: { issuerName: 'Unknown' } },
      field: 'spec.gateway.certificates.keyVault.issuerName',
    },
    {
      why: 'Key Vault refuses a renewal more than 27 days per month of validity ahead',
      certificates: { issuance: 'KeyVault', keyVault: { issuerName: 'Self', validityInMonths: 2, renewDaysBeforeExpiry: 60 } },
      field: 'spec.gateway.certificates.keyVault.renewDaysBeforeExpiry',
    },
    { why: 'an issuance this package does not know', certificates: { issuance: 'ACME' }, field: 'spec.gateway.certificates.issuance' },
  ])('$why', ({ certificates, field }) => {
    const keyVaultId = (reference.spec as { gateway: { certificates: { keyVaultId: string } } }).gateway.certificates.keyVaultId;
    const rsp = run(withField(reference, 'spec.gateway.certificates', { keyVaultId, ...certificates }));
    expect(fatalMessage(rsp)).toMatch(new RegExp(`^invalid input: ${field.replace(/\./g, '\\.')}:`));
  });
});

describe("cert-manager's push into the vault (issuance CertManager)", () => {
  const network = (issuance: string) => settle(withField(reference, 'spec.gateway.certificates.issuance', issuance), observe).xr;
  const identitiesOf = (cluster: string, issuance: string) => {
    const group = settle(loadExample(`examples/cluster/${cluster}.yaml`), observe, { network: [network(issuance)] }).tree['identities-0'] ?? {};
    return (group.spec as { identities: { spec: { identity: string; roles: Json[]; federations: Json[] } }[] }).identities.map((entry) => entry.spec);
  };

  it("gives the management cluster a push identity with Key Vault Certificates Officer on the gateway's vault, for an External Secrets PushSecret", () => {
    const push = identitiesOf('mgmt', 'CertManager').find((identity) => identity.identity === 'certpush');
    const keyVaultId = (reference.spec as { gateway: { certificates: { keyVaultId: string } } }).gateway.certificates.keyVaultId;
    expect(push?.federations).toEqual([expect.objectContaining({ subject: 'system:serviceaccount:cert-manager:certificate-push' })]);
    expect(push?.roles).toEqual([expect.objectContaining({ role: 'Key Vault Certificates Officer', scope: keyVaultId })]);
  });

  it("keeps cert-manager's own DNS Zone Contributor on the public zone, for its DNS-01 answers", () => {
    const certManager = identitiesOf('mgmt', 'CertManager').find((identity) => identity.identity === 'certmanager');
    expect(certManager?.roles).toEqual([expect.objectContaining({ role: 'DNS Zone Contributor', scope: expect.stringMatching(/\/dnszones\/karectl\.org$/i) })]);
  });

  it.each([
    { why: 'a workload cluster pushes nothing: the management cluster issues for every environment', cluster: 'dev', issuance: 'CertManager' },
    { why: 'with Manual issuance nobody in the package pushes', cluster: 'mgmt', issuance: 'Manual' },
  ])('$why', ({ cluster, issuance }) => {
    expect(identitiesOf(cluster, issuance).map((identity) => identity.identity)).not.toContain('certpush');
  });

  it("alerts the network's action group when a certificate it issues nears expiry without renewal, or cannot be issued", () => {
    const tree = settle(loadExample('examples/cluster/mgmt.yaml'), observe, { network: [network('CertManager')] }).tree;
    const rules = forProvider(tree[`monitoring/${monitoringKeys.certificateRules}`]) as { rule: { alert: string; expression: string; action: Json[] }[] };
    expect(rules.rule.map((rule) => rule.alert)).toEqual(['CertificateExpiresSoon', 'CertificateNotReady']);
    expect(rules.rule[0]?.expression).toContain('certmanager_certificate_expiration_timestamp_seconds');
    expect(rules.rule[0]?.action).toEqual([{ actionGroupId: expect.stringMatching(/MonitorActionGroup\/k8tre-monitoring-action-group$/) }]);
    // A cluster that issues nothing for the gateway has no such rules.
    const dev = settle(loadExample('examples/cluster/dev.yaml'), observe, { network: [network('CertManager')] }).tree;
    expect(dev[`monitoring/${monitoringKeys.certificateRules}`]).toBeUndefined();
  });

  it("refuses a user's identity named like the push identity", () => {
    const mgmt = loadExample('examples/cluster/mgmt.yaml');
    const rsp = run(
      withField(mgmt, 'spec.workloadIdentities', [
        { name: 'certpush', namespace: 'x', serviceAccount: 'x', roles: [{ role: 'Reader', scopeResource: 'ResourceGroup' }] },
      ]),
    );
    expect(fatalMessage(rsp)).toMatch(/^invalid input: spec\.workloadIdentities\[0\]\.name: .*reserved/);
  });
});
