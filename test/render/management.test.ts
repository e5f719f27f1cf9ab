import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { asObserved, lastRound, reconcileUntilSettled, treeComposed, type Manifest, type Round } from '../../scripts/lib/reconcile.js';
import { fatalMessage, loadExample, runWithRequired, settle, withField, type Json } from '../support/function.js';
import { expectValid, forProvider, observedAt, settleNetwork, usages, useRenderSession } from '../support/render.js';

// The management role through the real CLI: the same cluster plus ArgoCD, its Entra
// application and the identity it reaches workload clusters with.

const session = useRenderSession();
const work = mkdtempSync(join(tmpdir(), 'k8tre-mgmt-'));
const last = lastRound;

interface ArgoValues {
  global: { domain: string };
  configs: { cm: Record<string, string | boolean>; rbac: Record<string, string>; params: Record<string, unknown> };
  server: Json;
  controller: Json;
  repoServer: { extraContainers: Json[]; volumes: Json[] };
  extraObjects: { kind: string; metadata: { name: string }; data?: Record<string, string>; spec?: Json }[];
}

describe('XK8treCluster with role Management', () => {
  let rounds: Round[];
  beforeAll(async () => {
    await settleNetwork(session(), 'examples/network/k8tre.yaml', work, 'network');
    rounds = await reconcileUntilSettled(session(), 'examples/cluster/mgmt.yaml', {
      extraArgs: ['--required-resources', join(work, 'network.yaml')],
      maxRounds: 10,
    });
  });
  const values = () =>
    (last(rounds).composed.get('release-argocd')!.spec as { forProvider: { values: ArgoValues; chart: Json; namespace: string } }).forProvider;

  it('validates every reconcile', async () => {
    for (const round of rounds) await expectValid(round.stream);
  });

  it('creates ArgoCD’s Entra application for its real URL, with groups claims and no secret', () => {
    const app = forProvider(last(rounds).composed.get('argocd-entra-application'));
    expect(app).toMatchObject({
      displayName: 'k8tre-argocd-k8tre-mgmt',
      signInAudience: 'AzureADMyOrg',
      groupMembershipClaims: ['All', 'ApplicationGroup', 'SecurityGroup'],
      optionalClaims: { idToken: [{ name: 'groups' }], accessToken: [{ name: 'groups' }], saml2Token: [{ name: 'groups' }] },
      requiredResourceAccess: [
        { resourceAppId: '00000003-0000-0000-c000-000000000000', resourceAccess: [{ id: 'e1fe6dd8-ba31-4d61-89e7-88639da4683d', type: 'Scope' }] },
      ],
      api: { requestedAccessTokenVersion: 2 },
      web: { redirectUris: ['https://argocd.mgmt.karectl.org/auth/callback'], logoutUrl: 'https://argocd.mgmt.karectl.org/auth/logout' },
    });
    expect(JSON.stringify(app)).not.toMatch(/password|secret|localhost/i);
    expect(forProvider(last(rounds).composed.get('argocd-entra-service-principal'))).toEqual({ clientIdRef: { name: 'mgmt-argocd-entra-application' } });
  });

  it('federates the ArgoCD server with the application, and the controller with its own identity', () => {
    const { composed } = last(rounds);
    const issuer = observedAt(composed.get('aks'), 'oidcIssuerUrl');
    expect(forProvider(composed.get('argocd-entra-federation'))).toMatchObject({
      issuer,
      subject: 'system:serviceaccount:argocd:argocd-server',
      audiences: ['api://AzureADTokenExchange'],
    });
    expect(forProvider(treeComposed(last(rounds)).get('identities-0/argocd/federation-fic-argocd'))).toMatchObject({
      issuer,
      subject: 'system:serviceaccount:argocd:argocd-application-controller',
    });
  });

  it("keeps the cluster and the providers' access until ArgoCD is uninstalled", () => {
    expect(usages(last(rounds)).filter((u) => u.endsWith('Release/mgmt-release-argocd'))).toEqual([
      'KubernetesCluster/mgmt-aks used by Release/mgmt-release-argocd',
      'RoleAssignment/mgmt-role-crossplane-cluster-admin used by Release/mgmt-release-argocd',
      'Secret/mgmt-incluster-identity used by Release/mgmt-release-argocd',
    ]);
  });

  it('installs ArgoCD only after Cilium', () => {
    const firstWith = (key: string) => rounds.findIndex((r) => r.composed.has(key));
    expect(firstWith('release-argocd')).toBeGreaterThan(firstWith('release-cilium'));
    expect(values().chart).toEqual({ name: 'argo-cd', repository: 'https://argoproj.github.io/argo-helm', version: '8.6.1' });
    expect(values().namespace).toBe('argocd');
  });

  it('configures Entra sign-in with workload identity, read-only by default, admins by group', () => {
    const { configs, server, controller, global } = values().values;
    const { composed } = last(rounds);
    expect(global.domain).toBe('argocd.mgmt.karectl.org');
    const oidc = parse(String(configs.cm['oidc.config'])) as { clientID: string };
    expect(oidc).toEqual({
      name: 'Azure',
      issuer: 'https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0',
      clientID: observedAt(composed.get('argocd-entra-application'), 'clientId'),
      azure: { useWorkloadIdentity: true },
      requestedIDTokenClaims: { groups: { essential: true } },
      requestedScopes: ['openid', 'profile', 'email'],
    });
    expect(configs.cm).toMatchObject({
      url: 'https://argocd.mgmt.karectl.org',
      'admin.enabled': false,
      'kustomize.buildOptions': '--enable-helm --load-restrictor LoadRestrictionsNone',
    });
    expect(configs.rbac['policy.default']).toBe('role:readonly');
    expect(configs.rbac['policy.csv']).toContain('g, 11111111-1111-1111-1111-111111111111, role:org-admin');
    expect(server).toMatchObject({
      podLabels: { 'azure.workload.identity/use': 'true' },
      serviceAccount: { annotations: { 'azure.workload.identity/client-id': oidc.clientID } },
    });
    expect(controller).toMatchObject({
      serviceAccount: {
        annotations: { 'azure.workload.identity/client-id': observedAt(treeComposed(last(rounds)).get('identities-0/argocd/identity'), 'clientId') },
      },
    });
    expect(JSON.stringify(values().values)).not.toMatch(/clientSecret|adminPassword/);
  });

  it('ships the CMP sidecar with the ConfigMap it mounts, and an HTTPRoute instead of port-forward', () => {
    const { repoServer, extraObjects } = values().values;
    const sidecar = repoServer.extraContainers[0] as { name: string; image: string; volumeMounts: { name: string; subPath?: string }[]; securityContext: Json };
    expect(sidecar).toMatchObject({ name: 'cmp-kustomize-envsubst', image: 'quay.io/argoproj/argocd:v3.1.8' });
    expect(sidecar.securityContext).toMatchObject({
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
    const mounted = sidecar.volumeMounts.find((m) => m.subPath === 'plugin.yaml')!.name;
    const volume = repoServer.volumes.find((v) => v.name === mounted) as { configMap: { name: string } };
    const configMap = extraObjects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === volume.configMap.name);
    expect(configMap?.data?.['plugin.yaml']).toBeDefined();
    const route = extraObjects.find((o) => o.kind === 'HTTPRoute');
    expect(route?.spec).toMatchObject({ hostnames: ['argocd.mgmt.karectl.org'], rules: [{ backendRefs: [{ name: 'argocd-server', port: 80 }] }] });
  });

  it('runs a CMP plugin that substitutes ENVIRONMENT and DOMAIN the way K8TRE’s manifests expect', () => {
    const configMap = values().values.extraObjects.find((o) => o.kind === 'ConfigMap')!;
    const plugin = parse(configMap.data?.['plugin.yaml'] ?? '') as {
      metadata: { name: string };
      spec: { version: string; generate: { command: string[]; args: string[] } };
    };
    expect(`${plugin.metadata.name}-${plugin.spec.version}`).toBe('kustomize-with-envsubst-v1.0');
    const manifests = [
      'host: ${DOMAIN}',
      'env: ${ENVIRONMENT}',
      'url: https://jupyter.ENVIRONMENT.example.org',
      'zone: gw.DOMAIN',
      'ENVIRONMENT',
      'DOMAIN',
      'keep: ENVIRONMENTS and $HOME',
    ].join('\n');
    writeFileSync(join(work, 'manifests.yaml'), `${manifests}\n`);
    const script = plugin.spec.generate.args[0]!.replace(/^kustomize build [^|]*\|/, `cat ${join(work, 'manifests.yaml')} |`);
    const [shell, flag] = plugin.spec.generate.command;
    const output = execFileSync(shell!, [flag!, script], {
      env: { PATH: process.env.PATH, ARGOCD_ENV_ENVIRONMENT: 'dev', ARGOCD_ENV_DOMAIN: 'dev.karectl.org' },
      encoding: 'utf8',
    });
    expect(output.trim().split('\n')).toEqual([
      'host: dev.karectl.org',
      'env: dev',
      'url: https://jupyter.dev.example.org',
      'zone: gw.dev.karectl.org',
      'dev',
      'dev.karectl.org',
      'keep: ENVIRONMENTS and $HOME',
    ]);
  });

  it('reports ArgoCD’s URL and client ID in status', () => {
    const status = last(rounds).xr.status as {
      argocd: { url: string; applicationClientId: string };
      identities: { workloads: { name: string; clientId: string }[] };
    };
    expect(status.argocd.url).toBe('https://argocd.mgmt.karectl.org');
    expect(status.argocd.applicationClientId).toMatch(/^00000000-0000-4000-8000-/);
    expect(status.identities.workloads.find((w) => w.name === 'argocd')?.clientId).toBeDefined();
  });
});

describe('role mistakes', () => {
  it('refuses argocdServer on a workload cluster, naming the field', () => {
    const observe = (manifest: Json) => asObserved(manifest as Manifest) as Json;
    const network = settle(loadExample('examples/network/k8tre.yaml'), observe).xr;
    const xr = withField(loadExample('examples/cluster/dev.yaml'), 'spec.argocdServer', { chartVersion: '8.6.1' });
    expect(fatalMessage(runWithRequired(xr, { network: [network] }))).toContain('spec.argocdServer:');
  });
});
