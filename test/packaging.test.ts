import { API_FOLDERS } from '../scripts/synth.js';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { parse, parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFIGURATION_PACKAGE, FUNCTION_PACKAGE } from '../apis/package.js';
import { RunFunctionResponse, type RunFunctionRequest } from '@crossplane-org/function-sdk-typescript';
import { runFunction } from '../functions/k8tre/handler.js';
import { FunctionClient } from '../scripts/bench/grpc-client.js';
import { FunctionProcess, type FunctionCommand } from '../scripts/lib/function-process.js';
import { reconcileInProcess, type Reconciled } from '../scripts/lib/in-process.js';
import { loadExample } from './support/function.js';
import { ENTRYPOINT, FUNCTION_PORT, NONROOT, RUNTIME_ENV } from '../scripts/lib/function-image.js';
import { ROOT } from '../scripts/lib/paths.js';
import { RenderSession } from '../scripts/lib/render-engine.js';
import { packageTag } from '../scripts/lib/version.js';
import { buildPackages, type BuiltPackages } from '../scripts/package.js';
import { expectValid } from './support/render.js';
import { issueCertificates } from './support/certs.js';
import { extractRootfs, unpackImage, unpackPackage, type UnpackedPackage } from './support/xpkg.js';

// `npm run package`, then both packages unpacked and read the way Crossplane reads them, and
// the function started from the runtime image's own root filesystem.

let built: BuiltPackages;
let configuration: UnpackedPackage;
let fn: UnpackedPackage;
beforeAll(async () => {
  built = await buildPackages();
  configuration = unpackPackage(built.configurationPackage);
  fn = unpackPackage(built.functionPackage);
}, 300_000);

const documents = (file: string) => parseAllDocuments(readFileSync(join(ROOT, file), 'utf8')).map((d) => d.toJS() as Record<string, unknown>);

describe('the Configuration package', () => {
  it('is named for the project version', () => {
    expect(built.configurationPackage).toMatch(new RegExp(`configuration-k8tre-azure-${packageTag()}\\.xpkg$`));
    expect(CONFIGURATION_PACKAGE).toMatch(/\/configuration-k8tre-azure$/);
  });

  it('carries crossplane.yaml, pinning the function at the same version', () => {
    const [meta] = configuration.objects as [{ kind: string; spec: { dependsOn: { kind?: string; package: string; version: string }[] } }];
    expect(meta.kind).toBe('Configuration');
    expect(meta).toEqual(parse(readFileSync(join(ROOT, 'crossplane.yaml'), 'utf8')));
    expect(meta.spec.dependsOn.find((d) => d.package === FUNCTION_PACKAGE)?.version).toBe(packageTag());
  });

  it('carries every XRD and Composition of package/, unchanged', () => {
    const expected = API_FOLDERS.flatMap((api) => [...documents(`package/apis/${api}/definition.yaml`), ...documents(`package/apis/${api}/composition.yaml`)]);
    // The builder round-trips objects through Crossplane's Go types, which adds an empty status.
    const carried = configuration.objects.slice(1).map(({ status: _status, ...object }) => object);
    expect(carried).toHaveLength(expected.length);
    expect(new Set(carried.map((o) => o.kind))).toEqual(new Set(['CompositeResourceDefinition', 'Composition']));
    for (const object of expected) expect(carried).toContainEqual(object);
  });

  it('carries the example XRs', () => {
    const names = configuration.examples.map((e) => `${String(e.kind)}/${String((e.metadata as { name: string }).name)}`);
    expect(names).toEqual(expect.arrayContaining(['XK8treNetwork/k8tre', 'XK8treCluster/dev', 'XK8treCluster/mgmt']));
  });

  it('has no runtime image', () => {
    expect(configuration.runtimeLayers).toEqual([]);
  });
});

describe('the Function package', () => {
  it('carries its metadata', () => {
    const [meta] = fn.objects as [{ apiVersion: string; kind: string; metadata: { name: string } }];
    expect(meta).toMatchObject({ apiVersion: 'meta.pkg.crossplane.io/v1beta1', kind: 'Function', metadata: { name: 'function-k8tre-azure' } });
    expect(built.functionPackage).toMatch(new RegExp(`function-k8tre-azure-${packageTag()}\\.xpkg$`));
  });

  it('embeds the runtime image: non-root, its entrypoint and memory settings, the gRPC port', () => {
    const { config } = fn.config;
    expect(config.User).toBe(NONROOT);
    expect(config.Entrypoint).toEqual([...ENTRYPOINT]);
    expect(config.Env).toEqual(expect.arrayContaining(Object.entries(RUNTIME_ENV).map(([name, value]) => `${name}=${value}`)));
    expect(Object.keys(config.ExposedPorts ?? {})).toEqual([FUNCTION_PORT]);
    expect(config.Labels?.['org.opencontainers.image.version']).toBe(packageTag().slice(1));
  });

  it('embeds exactly the image npm run package wrote, layer for layer', () => {
    const image = unpackImage(built.image);
    expect(fn.runtimeLayers.map((l) => l.diffId)).toEqual(image.layers.map((l) => l.diffId));
  });
});

describe("the function, started from the runtime image's root filesystem", () => {
  let rootfs: string;
  let start: (args: readonly string[]) => Promise<FunctionProcess>;
  const running: FunctionProcess[] = [];
  beforeAll(() => {
    rootfs = extractRootfs(fn, fn.runtimeLayers);
    start = async (args) => {
      const started = await FunctionProcess.start(args, commandFor(rootfs, fn.config.config.User ?? '', fn.config.config.Entrypoint ?? []));
      running.push(started);
      return started;
    };
  });
  afterAll(() => running.forEach((p) => p.stop()));

  it('runs a bundle of ASCII text only', () => {
    // One character past Latin-1, even in a comment esbuild keeps, and V8 holds the whole source
    // as a two-byte string: 5 MB more heap for as long as the function runs.
    const source = readFileSync(join(rootfs, ENTRYPOINT.at(-1)!), 'latin1');
    expect(/[\u0080-\uffff]/.exec(source)?.index).toBeUndefined();
  });

  it('carries the Gateway API CRDs packed, not as source text', () => {
    // Should the bundler's plugin stop matching generated/gateway-api (a moved folder, a renamed
    // file), the CRDs go back in as 1.7 MB of object literals, parsed and built on every start.
    expect(readFileSync(join(rootfs, ENTRYPOINT.at(-1)!), 'latin1')).not.toContain('openAPIV3Schema');
  });

  it('serves RunFunction: the example network renders through it and validates', async () => {
    const session = await RenderSession.start(await start(['--insecure']));
    const result = await session.render('examples/network/k8tre.yaml');
    expect(result.ok, result.stderr).toBe(true);
    await expectValid(result.stdout);
  });

  it('answers every reconcile of the example platform as the function does in-process, its children’s too', async () => {
    // The bundle carries the models as their GVKs, the Gateway API CRDs packed and a stub for grpc-js
    // (scripts/bundle-function.mjs): anything it dropped or changed that composing needs would show
    // here as a different answer.
    const started = await start(['--insecure']);
    const client = new FunctionClient(started.target);
    const requests = (reconciled: Reconciled): RunFunctionRequest[] => [...reconciled.requests, ...[...reconciled.children.values()].flatMap(requests)];
    const network = reconcileInProcess(loadExample('examples/network/k8tre.yaml'));
    const clusters = ['mgmt', 'dev', 'stg', 'prd'].map((env) => reconcileInProcess(loadExample(`examples/cluster/${env}.yaml`), { network: [network.xr] }));
    const all = [network, ...clusters].flatMap(requests);
    try {
      for (const request of all) {
        const answered = RunFunctionResponse.toJSON(await client.run(request));
        expect(answered).toEqual(RunFunctionResponse.toJSON(runFunction(request)));
      }
    } finally {
      client.close();
    }
    expect(all.length).toBeGreaterThan(100);
  });

  it('serves mTLS with the certificates where Crossplane mounts them (/tls/server), by default', async () => {
    const certs = issueCertificates(join(rootfs, 'tls', 'server'));
    const started = await start([]);
    const [host, port] = started.target.split(':') as [string, string];
    const authorized = await new Promise<boolean>((resolve, reject) => {
      const socket = connect(
        { host, port: Number(port), ca: certs.ca, cert: certs.clientCert, key: certs.clientKey, servername: 'localhost', ALPNProtocols: ['h2'] },
        () => {
          resolve(socket.authorized && socket.alpnProtocol === 'h2');
          socket.destroy();
        },
      );
      socket.once('error', reject);
    });
    expect(authorized).toBe(true);
  });
});

/**
 * The image's entrypoint run inside its own root filesystem, as its user, where the machine
 * allows chroot (root here, and in CI). Elsewhere the image's own dynamic loader runs its Node
 * with its libraries, which tests the same files without changing root; the log says which.
 */
function commandFor(rootfs: string, user: string, entrypoint: readonly string[]): FunctionCommand {
  const probe = spawnSync('chroot', [`--userspec=${user}`, rootfs, ...entrypoint.slice(0, 1), '-e', '0']);
  if (probe.status === 0) return { program: 'chroot', args: [`--userspec=${user}`, rootfs, ...entrypoint] };
  process.stderr.write(`chroot is not permitted here (${probe.stderr.toString().trim()}); running the image's Node through its own loader instead\n`);
  const libraries = ['lib/x86_64-linux-gnu', 'usr/lib/x86_64-linux-gnu'].map((dir) => join(rootfs, dir)).join(':');
  return {
    program: join(rootfs, 'lib64', 'ld-linux-x86-64.so.2'),
    args: [
      '--library-path',
      libraries,
      ...entrypoint.map((part) => (part.startsWith('/') ? join(rootfs, part) : part)),
      `--tls-server-certs-dir=${join(rootfs, 'tls', 'server')}`,
    ],
  };
}
