import {
  DEFAULT_TLS_SERVER_CERTS_DIR,
  FunctionRunner,
  FunctionRunnerServiceService,
  helpText,
  parseArgs,
  RunFunctionRequest,
  RunFunctionResponse,
  Severity,
  Target,
  type FunctionHandler,
} from '@crossplane-org/function-sdk-typescript';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { installFastResourceCodec } from './transport/resource-codec.js';
import { GrpcError, Status, UnaryServer, type UnaryServerOptions } from './transport/unary-server.js';
import { errorMessage } from './lib/error-message.js';

// The function's server, ours rather than the SDK's serve(): the SDK accepts TLS clients
// without a certificate (Crossplane always presents one, so we require it); it keeps running
// when the address cannot be bound (we exit, so Kubernetes restarts us); it uses gRPC's 4 MiB
// default message limit, which a large network XR's observed state can exceed; and its
// grpc-js server added to every call's tail (transport/unary-server.ts says by how much).
// It also swaps in a faster codec for the resources in each message (transport/resource-codec.ts),
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

/** Mutual TLS with the certificates Crossplane mounts (tls.crt, tls.key, ca.crt); none when insecure. */
export function serverTls(options: ServerOptions): UnaryServerOptions['tls'] {
  if (options.insecure) return undefined;
  const read = (file: string) => readFileSync(join(options.tlsServerCertsDir, file));
  return { key: read('tls.key'), cert: read('tls.crt'), ca: read('ca.crt') };
}

/** host:port as the SDK's --address takes it: `0.0.0.0:9443`, `[::]:9443`, `:9443`. */
export function parseAddress(address: string): { host: string | undefined; port: number } {
  const colon = address.lastIndexOf(':');
  const digits = address.slice(colon + 1);
  const port = Number(digits);
  if (colon < 0 || !/^\d{1,5}$/.test(digits) || port > 65535) throw new Error(`--address must be host:port, not ${JSON.stringify(address)}`);
  const host = address.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  return { host: host === '' ? undefined : host, port };
}

export function newServer(handler: FunctionHandler, logger: Logger, tls?: UnaryServerOptions['tls']): UnaryServer {
  installFastResourceCodec();
  const runner = new FunctionRunner(handler, logger);
  const runFunction = async (bytes: Buffer) => {
    let request: RunFunctionRequest;
    try {
      request = RunFunctionRequest.decode(bytes);
    } catch (error) {
      throw new GrpcError(Status.INVALID_ARGUMENT, `cannot parse the RunFunctionRequest: ${errorMessage(error)}`);
    }
    return serializeResponse(await runner.RunFunction(request, logger));
  };
  return new UnaryServer(new Map([[FunctionRunnerServiceService.runFunction.path, runFunction]]), {
    maxMessageBytes: MAX_MESSAGE_BYTES,
    maxConcurrentCalls: MAX_CONCURRENT_CALLS,
    tls,
  });
}

/**
 * An answer Crossplane could not read would fail the XR with a bare RESOURCE_EXHAUSTED. In its
 * place goes a Fatal that says why. It carries no desired state: Crossplane applies nothing from
 * a Fatal result, and the held resources would not fit either.
 */
export function serializeResponse(rsp: RunFunctionResponse): Buffer {
  // Taken while in use: an encoding that throws leaves it half written, and it is not kept.
  const kept = responseWriter;
  responseWriter = undefined;
  const writer = RunFunctionResponse.encode(rsp, kept);
  const bytes = asBuffer(writer.finish());
  if (bytes.length <= CROSSPLANE_MAX_RESPONSE_BYTES) {
    responseWriter = writer;
    return bytes;
  }
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
  return asBuffer(RunFunctionResponse.encode(refused).finish());
}

/**
 * One writer for every answer. A new one starts at 128 bytes and doubles its buffer up to the
 * answer's size, a zeroed allocation and a copy each time: for a large network, more bytes than
 * the answer itself, on every call. Kept, its buffer stays at the power of two it grew to, which
 * the largest answer sent (at most 4 MiB) and the room it reserves for a string (three bytes a
 * character) bound to 16 MiB; `finish` hands out a copy and starts over. An answer too large to
 * send is not kept.
 */
let responseWriter: ReturnType<typeof RunFunctionResponse.encode> | undefined;

/** The encoder's bytes as a Buffer, without copying them. */
const asBuffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** The process entry: flags, logger, bind (or exit 1), and a graceful stop on SIGTERM/SIGINT. */
export function serveFromCommandLine(handler: FunctionHandler, name: string, argv: readonly string[] = process.argv.slice(2)): void {
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs([...argv]);
  } catch (error) {
    process.stderr.write(`${name}: ${errorMessage(error)}\nTry '${name} --help' for the available flags.\n`);
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
  const cannotListen: (error: unknown) => never = (error) => {
    logger.error(`cannot listen on ${options.address}: ${errorMessage(error)}`);
    process.exit(1);
  };
  let server: UnaryServer;
  let address: ReturnType<typeof parseAddress>;
  try {
    address = parseAddress(options.address);
    server = newServer(handler, logger, serverTls(options));
  } catch (error) {
    cannotListen(error);
  }
  server
    .listen(address.host, address.port)
    .then(() => logger.info(`listening on ${options.address}${options.insecure ? ' without TLS' : ' with mutual TLS'}`), cannotListen);
  const stop = (signal: string) => {
    logger.info(`received ${signal}, finishing in-flight calls`);
    void server.close(SHUTDOWN_GRACE_MS).then(() => {
      logger.info('stopped');
      process.exit(0);
    });
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}
