import { EXTERNAL_NAME } from '../../functions/k8tre/lib/manifest.js';
import { asObserved } from '../../scripts/lib/reconcile.js';
import { KubeError, sleep, type Json, type Kube, type KubeObject, type WatchPhase } from './kube.js';

// What a provider does to a managed resource, without a cloud, write for write as
// crossplane-runtime v2.3.3's managed reconciler makes them (pkg/reconciler/managed/reconciler.go),
// since each write is a watch event Crossplane's circuit breaker charges the XR for: it takes
// ownership with a finalizer, marks the create pending and then requested (two annotation
// updates), reports Synced and Creating, and once Azure has had time to make the resource
// (AZURE_SECONDS) reports its ID, as Upjet's async callback does, then Ready with every atProvider
// field the function reads. It writes connection secrets, and on delete removes what it made
// before releasing the finalizer, so that deletion order matters as it does in Azure. It fails
// chosen resources with an Azure-like error on request.
// provider-kubernetes Objects for the management cluster are applied to this API server (the
// management cluster is where Crossplane runs); other Objects and Helm Releases are recorded.

/** How long a provider waits before trying again what the API server refused. */
const RETRY_MS = 2_000;
/** The finalizer every Crossplane provider sets on its managed resources. */
export const PROVIDER_FINALIZER = 'finalizer.managedresource.crossplane.io';
/** The label Crossplane puts on everything it composes, naming the XR. */
export const COMPOSITE_LABEL = 'crossplane.io/composite';

export interface ManagedKind {
  readonly apiVersion: string;
  readonly kind: string;
  /** Managed resources have spec.forProvider; the provider leaves other kinds alone. */
  readonly managed: boolean;
}

export interface Failure {
  readonly matches: (mr: KubeObject) => boolean;
  readonly message: string;
}

/** The annotations crossplane-runtime writes around a create (pkg/meta: SetExternalCreatePending, SetExternalCreateSucceeded). */
const CREATE_PENDING = 'crossplane.io/external-create-pending';
const CREATE_SUCCEEDED = 'crossplane.io/external-create-succeeded';

/**
 * How long Azure takes to make a resource of each kind, in seconds: shorter than Azure takes
 * (an AKS cluster or an Application Gateway takes minutes), so that a converge here is at least
 * as dense in events as one on Azure, where the same events spread over longer. Kinds not named
 * take DEFAULT_AZURE_SECONDS; in-cluster objects are applied by provider-kubernetes at once.
 */
const AZURE_SECONDS: Readonly<Record<string, number>> = {
  KubernetesCluster: 60,
  ApplicationGateway: 45,
  KubernetesClusterNodePool: 30,
  PrivateEndpoint: 15,
  Vault: 10,
  Account: 10,
  PrivateDNSZoneVirtualNetworkLink: 10,
  VirtualNetworkPeering: 5,
  Release: 5,
  Object: 0,
};
const DEFAULT_AZURE_SECONDS = 3;

/**
 * How far the provider has got with a resource: nothing yet, its create marked pending, then
 * requested of Azure, Synced and Creating, its ID reported, Ready.
 */
type Stage = 'new' | 'pending' | 'requested' | 'synced' | 'identified' | 'ready';

interface Tracked {
  busy: boolean;
  again: boolean;
  latest: KubeObject;
  /** Held here, not read back from status: a CRD may prune fields it does not model. */
  stage: Stage;
  /** The generation last reported Ready; a new one is a change to reconcile. */
  reportedGeneration?: number;
  /** When Azure will have made the resource (ms since the epoch), once it was asked to. */
  madeAt?: number;
  /** Whether it took over what Azure already had, rather than creating it. */
  adopted?: boolean;
}

export class StandInProvider {
  private readonly tracked = new Map<string, Tracked>();
  private readonly stops: (() => void)[] = [];
  private failures: Failure[] = [];
  private stopped = false;
  /** When each managed resource's finalizer was released, by "<kind>/<namespace>/<name>". */
  readonly released = new Map<string, number>();
  /** What exists "in Azure": created once reported with an ID, gone once deleted with Delete allowed. */
  readonly azure = new Map<string, string>();
  /** Resources whose deletion left them in Azure (no Delete in their management policies, or deletionPolicy Orphan). */
  readonly orphaned = new Set<string>();
  /** What provider-kubernetes and provider-helm would have applied, by "<kind>/<namespace>/<name>". */
  readonly applied = new Map<string, Json>();

  private constructor(
    private readonly kube: Kube,
    private readonly managementProviderConfigs: ReadonlySet<string>,
    /** Who provider-kubernetes is in the management cluster: the GitOps install's provider-incluster, or the provider itself. */
    private readonly inCluster: Kube,
  ) {}

  /**
   * Watches every kind given. `managementProviderConfigs` names the provider-kubernetes
   * ClusterProviderConfigs that reach the management cluster, i.e. this API server;
   * `inCluster` is the client provider-kubernetes writes there with (its service account's
   * RBAC applies), the provider's own if none.
   */
  static async start(kube: Kube, kinds: readonly ManagedKind[], managementProviderConfigs: readonly string[], inCluster = kube): Promise<StandInProvider> {
    const provider = new StandInProvider(kube, new Set(managementProviderConfigs), inCluster);
    for (const kind of kinds.filter((k) => k.managed)) {
      provider.stops.push(await kube.watch(kind.apiVersion, kind.kind, (phase, object) => provider.observe(phase, object)));
    }
    return provider;
  }

  /** From now on, resources that match fail with the message, as Azure would refuse them. */
  fail(failure: Failure): void {
    this.failures.push(failure);
    this.revisitAll();
  }

  /** Clears every failure; failed resources then converge. */
  heal(): void {
    this.failures = [];
    this.revisitAll();
  }

  stop(): void {
    this.stopped = true;
    for (const stop of this.stops) stop();
  }

  private revisitAll(): void {
    for (const [key, tracked] of this.tracked) this.schedule(key, tracked.latest);
  }

  private observe(phase: WatchPhase, object: KubeObject): void {
    const key = keyOf(object);
    if (phase === 'DELETED') {
      this.tracked.delete(key);
      return;
    }
    this.schedule(key, object);
  }

  /** One reconcile at a time per resource; events during one queue exactly one more. */
  private schedule(key: string, object: KubeObject): void {
    const tracked: Tracked = this.tracked.get(key) ?? { busy: false, again: false, latest: object, stage: 'new' };
    tracked.latest = object;
    this.tracked.set(key, tracked);
    if (tracked.busy) {
      tracked.again = true;
      return;
    }
    tracked.busy = true;
    void (async () => {
      do {
        tracked.again = false;
        // Providers answer after a moment, not within the same event.
        await sleep(50 + Math.random() * 150);
        if (this.stopped) break;
        try {
          await this.reconcile(tracked);
        } catch (error) {
          // A conflict or a vanished object: the next event brings the fresh state. Anything
          // else (a refusal, the API server busy) brings no event: try again, as providers do.
          if (!(error instanceof KubeError && (error.code === 409 || error.code === 404))) {
            process.stderr.write(`[stand-in] ${key}: ${String(error)}\n`);
            this.retryLater(key);
          }
        }
      } while (tracked.again && !this.stopped);
      tracked.busy = false;
    })();
  }

  private retryLater(key: string): void {
    this.revisitAfter(key, RETRY_MS);
  }

  private revisitAfter(key: string, ms: number): void {
    setTimeout(() => {
      const tracked = this.tracked.get(key);
      if (tracked && !this.stopped) this.schedule(key, tracked.latest);
    }, ms).unref();
  }

  private async reconcile(tracked: Tracked): Promise<void> {
    const mr = tracked.latest;
    const finalizers = mr.metadata.finalizers ?? [];
    if (mr.metadata.deletionTimestamp) {
      if (finalizers.includes(PROVIDER_FINALIZER)) await this.delete(mr, finalizers);
      return;
    }
    if (!finalizers.includes(PROVIDER_FINALIZER)) {
      await this.kube.mergePatch(mr, { metadata: { finalizers: [...finalizers, PROVIDER_FINALIZER], resourceVersion: mr.metadata.resourceVersion } });
      return;
    }

    const failure = this.failures.find((f) => f.matches(mr));
    const synced = ((mr.status ?? {}) as { conditions?: { type: string; reason?: string }[] }).conditions?.find((c) => c.type === 'Synced');
    if (failure) {
      // Azure's refusal leaves what exists as it is: Ready stays what it was.
      const ready = tracked.stage === 'ready' ? conditionOf('Ready', 'True', 'Available') : conditionOf('Ready', 'False', 'Creating');
      if (synced?.reason !== 'ReconcileError') await this.report(mr, {}, [conditionOf('Synced', 'False', 'ReconcileError', failure.message), ready]);
      return;
    }
    const observed = asObserved(mr).status as { atProvider: Json };
    const generation = mr.metadata.generation ?? 0;
    const recovering = synced?.reason === 'ReconcileError';
    const annotations = mr.metadata.annotations ?? {};
    const annotate = (name: string) =>
      this.kube.mergePatch(mr, { metadata: { annotations: { [name]: new Date().toISOString() }, resourceVersion: mr.metadata.resourceVersion } });
    if (tracked.stage === 'new') {
      // A resource that exists in Azure already (a new object adopting it by its external name)
      // is observed, not created. One told a name Azure has not got is created under that name,
      // as crossplane-runtime does after its observation finds nothing.
      tracked.adopted = annotations[EXTERNAL_NAME] !== undefined && this.existsInAzure(String(observed.atProvider.id));
      if (tracked.adopted) tracked.stage = 'requested';
      else {
        // 1. Before creating, crossplane-runtime marks the create pending (an update that fails on a stale version).
        await annotate(CREATE_PENDING);
        tracked.stage = 'pending';
        return;
      }
    }
    if (tracked.stage === 'pending') {
      // 2. Azure accepted the request (Upjet's async create returns at once): the create is marked requested.
      await annotate(CREATE_SUCCEEDED);
      tracked.stage = 'requested';
    } else if (tracked.stage === 'requested') {
      // 3. Synced, and Creating until Azure is done.
      await this.report(mr, {}, [conditionOf('Synced', 'True', 'ReconcileSuccess'), conditionOf('Ready', 'False', 'Creating')]);
      tracked.stage = 'synced';
      tracked.madeAt = Date.now() + (tracked.adopted ? 0 : (AZURE_SECONDS[mr.kind] ?? DEFAULT_AZURE_SECONDS) * 1000);
    } else if (tracked.stage === 'synced') {
      const waitMs = (tracked.madeAt ?? 0) - Date.now();
      if (waitMs > 0) {
        this.revisitAfter(keyOf(mr), waitMs);
        return;
      }
      // 4. Azure made it and returned its ID. Upjet names a resource whose name Azure chose (an
      // association) by that ID.
      this.azure.set(keyOf(mr), String(observed.atProvider.id));
      if (mr.apiVersion.includes('.upbound.io/') && !annotations[EXTERNAL_NAME]) {
        await this.kube.mergePatch(mr, {
          metadata: { annotations: { [EXTERNAL_NAME]: String(observed.atProvider.id) }, resourceVersion: mr.metadata.resourceVersion },
        });
        return;
      }
      await this.report(mr, { id: observed.atProvider.id }, [conditionOf('Synced', 'True', 'ReconcileSuccess'), conditionOf('Ready', 'False', 'Creating')]);
      tracked.stage = 'identified';
    } else if (tracked.stage === 'identified' || tracked.reportedGeneration !== generation || recovering) {
      // 5. Created (or updated): everything Azure reports, and what the provider applied in-cluster.
      try {
        await this.applyInCluster(mr);
      } catch (error) {
        // The API server refused what provider-kubernetes applies: it says so, as the provider does.
        if (!(error instanceof KubeError) || error.code === 409) throw error;
        if (synced?.reason !== 'ReconcileError')
          await this.report(mr, {}, [
            conditionOf('Synced', 'False', 'ReconcileError', `cannot apply object: ${error.message}`),
            conditionOf('Ready', 'False', 'Creating'),
          ]);
        this.retryLater(keyOf(mr));
        return;
      }
      await this.writeConnectionSecret(mr);
      await this.report(mr, observed.atProvider, [conditionOf('Synced', 'True', 'ReconcileSuccess'), conditionOf('Ready', 'True', 'Available')]);
      tracked.stage = 'ready';
      tracked.reportedGeneration = generation;
    }
  }

  /** Whether Azure has a resource with this ID: one another managed resource created, and none deleted. */
  private existsInAzure(id: string): boolean {
    for (const existing of this.azure.values()) if (existing === id) return true;
    return false;
  }

  private async report(mr: KubeObject, atProvider: Json, conditions: Json[]): Promise<void> {
    await this.kube.patchStatus(mr, { atProvider, conditions });
  }

  private async delete(mr: KubeObject, finalizers: string[]): Promise<void> {
    const key = keyOf(mr);
    if (deletesExternal(mr)) {
      // Azure takes a moment to delete; an order the Usages did not enforce would show.
      await sleep(200);
      const applied = this.appliedObject(mr);
      if (applied) await this.inCluster.delete(applied);
      this.azure.delete(key);
    } else this.orphaned.add(key);
    this.applied.delete(key);
    await this.kube.mergePatch(mr, {
      metadata: { finalizers: finalizers.filter((f) => f !== PROVIDER_FINALIZER), resourceVersion: mr.metadata.resourceVersion },
    });
    this.released.set(keyOf(mr), Date.now());
  }

  /** The in-cluster object an Object manages, when it is for the management cluster (here). */
  private appliedObject(mr: KubeObject): KubeObject | undefined {
    if (mr.kind !== 'Object') return undefined;
    const spec = mr.spec as { providerConfigRef?: { kind?: string; name?: string }; forProvider?: { manifest?: KubeObject } } | undefined;
    const ref = spec?.providerConfigRef;
    const manifest = spec?.forProvider?.manifest;
    if (!manifest || ref?.kind !== 'ClusterProviderConfig' || !this.managementProviderConfigs.has(ref.name ?? '')) return undefined;
    return manifest;
  }

  private async applyInCluster(mr: KubeObject): Promise<void> {
    const spec = mr.spec as { forProvider?: Json } | undefined;
    if (mr.kind !== 'Object' && mr.kind !== 'Release') return;
    this.applied.set(keyOf(mr), structuredClone(spec?.forProvider ?? {}));
    const target = this.appliedObject(mr);
    const policies = (mr.spec as { managementPolicies?: string[] }).managementPolicies ?? ['*'];
    // Observe-only Objects read what exists; they never write.
    if (target && (policies.includes('*') || policies.includes('Create') || policies.includes('Update')))
      await this.inCluster.apply(target, 'provider-kubernetes');
  }

  /** The AKS connection secret: an Entra (kubelogin) kubeconfig, since local accounts are off. */
  private async writeConnectionSecret(mr: KubeObject): Promise<void> {
    const ref = (mr.spec as { writeConnectionSecretToRef?: { name: string; namespace?: string } } | undefined)?.writeConnectionSecretToRef;
    if (!ref || mr.kind !== 'KubernetesCluster') return;
    const server = `https://${mr.metadata.name}.privatelink.simulated.invalid:443`;
    const kubeconfig = [
      'apiVersion: v1',
      'kind: Config',
      `clusters: [{ name: ${mr.metadata.name}, cluster: { server: "${server}" } }]`,
      `users: [{ name: ${mr.metadata.name}, user: { exec: { apiVersion: client.authentication.k8s.io/v1beta1, command: kubelogin, args: [get-token] } } }]`,
      `contexts: [{ name: ${mr.metadata.name}, context: { cluster: ${mr.metadata.name}, user: ${mr.metadata.name} } }]`,
      `current-context: ${mr.metadata.name}`,
    ].join('\n');
    await this.kube.apply(
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: {
          name: ref.name,
          namespace: ref.namespace ?? mr.metadata.namespace,
          // Providers own what they publish: it goes with the managed resource.
          ownerReferences: [{ apiVersion: mr.apiVersion, kind: mr.kind, name: mr.metadata.name, uid: mr.metadata.uid ?? '', controller: true }],
        },
        type: 'connection.crossplane.io/v1alpha1',
        data: { kubeconfig: Buffer.from(kubeconfig).toString('base64') },
      },
      'stand-in-provider',
    );
  }
}

/**
 * Whether deleting the managed resource deletes what it manages: not with deletionPolicy
 * Orphan, nor when its management policies leave out Delete (how K8TRE retains data stores).
 */
export function deletesExternal(mr: KubeObject): boolean {
  const spec = (mr.spec ?? {}) as { deletionPolicy?: string; managementPolicies?: string[] };
  const policies = spec.managementPolicies ?? ['*'];
  return spec.deletionPolicy !== 'Orphan' && (policies.includes('*') || policies.includes('Delete'));
}

export function keyOf(object: Pick<KubeObject, 'kind' | 'metadata'>): string {
  return `${object.kind}/${object.metadata.namespace ?? ''}/${object.metadata.name}`;
}

function conditionOf(type: string, status: string, reason: string, message?: string): Json {
  return { type, status, reason, lastTransitionTime: new Date().toISOString(), ...(message !== undefined && { message }) };
}
