import * as grpc from '@grpc/grpc-js';
import {
  DEFAULT_TLS_SERVER_CERTS_DIR,
  FunctionRunner,
  FunctionRunnerServiceService,
  helpText,
  parseArgs,
  RunFunctionResponse,
  Severity,
  Target,
  type FunctionHandler,
  type RunFunctionRequest,
} from '@crossplane-org/function-sdk-typescript';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { installFastResourceCodec } from './lib/resource-codec.js';

// The gRPC server, ours rather than the SDK's serve() for three reasons: the SDK accepts TLS
// clients without a certificate (Crossplane always presents one, so we require it); it keeps
// running when the address cannot be bound (we exit, so Kubernetes restarts us); and it uses
// gRPC's 4 MiB default message limit, which a large network XR's observed state can exceed.
// It also swaps in a faster codec for the resources in each message (lib/resource-codec.ts),
// and refuses, with a message, an answer too large for Crossplane to read.
// The flags are the SDK's own.

/** What the server takes: a network at the XRD's limit with every resource observed is about 6 MB. */
export const MAX_MESSAGE_BYTES = 32 * 1024 * 1024;
/** What Crossplane reads from a function: gRPC's default client limit, which it does not raise. */
export const CROSSPLANE_MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
/**
 * Calls in flight per connection. Composing is synchronous, so more at once only hold more
 * requests and responses in memory; clients queue the rest (Crossplane reconciles ten XRs at a time by default).
 */
export const MAX_CONCURRENT_CALLS = 16;
/** How long in-flight calls get to finish on SIGTERM before the server is stopped anyway. */
const SHUTDOWN_GRACE_MS = 10_000;

export interface ServerOptions {
  readonly address: string;
  readonly insecure: boolean;
  readonly tlsServerCertsDir: string;
}

/** Mutual TLS with the certificates Crossplane mounts (tls.crt, tls.key, ca.crt). */
export function serverCredentials(options: ServerOptions): grpc.ServerCredentials {
  if (options.insecure) return grpc.ServerCredentials.createInsecure();
  const read = (file: string) => readFileSync(join(options.tlsServerCertsDir, file));
  return grpc.ServerCredentials.createSsl(read('ca.crt'), [{ private_key: read('tls.key'), cert_chain: read('tls.crt') }], true);
}

export function newServer(handler: FunctionHandler, logger: Logger): grpc.Server {
  installFastResourceCodec();
  const server = new grpc.Server({
    'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
    'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
    'grpc.max_concurrent_streams': MAX_CONCURRENT_CALLS,
  });
  const runner = new FunctionRunner(handler, logger);
  server.addService(
    { runFunction: { ...FunctionRunnerServiceService.runFunction, responseSerialize: serializeResponse } },
    {
      runFunction: (call: grpc.ServerUnaryCall<RunFunctionRequest, RunFunctionResponse>, callback: grpc.sendUnaryData<RunFunctionResponse>) => {
        runner.RunFunction(call.request, logger).then(
          (response) => callback(null, response),
          (error: unknown) => callback({ code: grpc.status.INTERNAL, details: error instanceof Error ? error.message : String(error) }),
        );
      },
    },
  );
  return server;
}

/**
 * An answer Crossplane could not read would fail the XR with a bare RESOURCE_EXHAUSTED. In its
 * place goes a Fatal that says why. It carries no desired state: Crossplane applies nothing from
 * a Fatal result, and the held resources would not fit either.
 */
export function serializeResponse(rsp: RunFunctionResponse): Buffer {
  const bytes = Buffer.from(RunFunctionResponse.encode(rsp).finish());
  if (bytes.length <= CROSSPLANE_MAX_RESPONSE_BYTES) return bytes;
  const size = (bytes.length / 1024 / 1024).toFixed(1);
  const refused = RunFunctionResponse.fromPartial({
    meta: rsp.meta,
    results: [
      {
        severity: Severity.SEVERITY_FATAL,
        reason: 'InvalidInput',
        target: Target.TARGET_COMPOSITE,
        message: `invalid input: the composed state is ${size} MiB, over the 4 MiB Crossplane reads from a function: compose fewer resources in one XR (for an XK8treNetwork, fewer spec.environments)`,
      },
    ],
  });
  return Buffer.from(RunFunctionResponse.encode(refused).finish());
}

export function bind(server: grpc.Server, options: ServerOptions): Promise<number> {
  return new Promise((resolve, reject) =>
    server.bindAsync(options.address, serverCredentials(options), (error, port) => (error ? reject(error) : resolve(port))),
  );
}

/** The process entry: flags, logger, bind (or exit 1), and a graceful stop on SIGTERM/SIGINT. */
export function serveFromCommandLine(handler: FunctionHandler, name: string, argv: readonly string[] = process.argv.slice(2)): void {
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs([...argv]);
  } catch (error) {
    process.stderr.write(`${name}: ${error instanceof Error ? error.message : String(error)}\nTry '${name} --help' for the available flags.\n`);
    process.exit(2);
  }
  if (args.help) {
    process.stdout.write(`${helpText(name)}\n`);
    process.exit(0);
  }
  const options: ServerOptions = {
    address: args.address,
    insecure: args.insecure ?? false,
    tlsServerCertsDir: args.tlsServerCertsDir ?? DEFAULT_TLS_SERVER_CERTS_DIR,
  };
  const logger = pino({ level: args.debug ? 'debug' : 'info', formatters: { level: (label) => ({ severity: label.toUpperCase() }) } });
  const server = newServer(handler, logger);
  bind(server, options).then(
    () => logger.info(`listening on ${options.address}${options.insecure ? ' without TLS' : ' with mutual TLS'}`),
    (error: unknown) => {
      logger.error(`cannot listen on ${options.address}: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
  const stop = (signal: string) => {
    logger.info(`received ${signal}, finishing in-flight calls`);
    const force = setTimeout(() => {
      logger.warn('in-flight calls did not finish in time; stopping');
      server.forceShutdown();
      process.exit(0);
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    server.tryShutdown(() => {
      logger.info('stopped');
      process.exit(0);
    });
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}
