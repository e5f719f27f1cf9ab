import * as http2 from 'node:http2';
import { errorMessage } from '../lib/error-message.js';

// Unary gRPC over Node's own HTTP/2, which is all a composition function serves: one request
// message in, one answer out. It replaces @grpc/grpc-js on the serving side, whose per-call
// machinery (interceptors, metadata, status and stream bookkeeping) showed in the tail: with
// the same codec, a no-op function answering a 3-environment network's request took 1.8-2.1 ms
// at p50 and 5.0-6.9 ms at p99 under grpc-js, and 1.7-1.8 and 4.1-4.5 ms here (Go caller,
// alternating runs on one machine). What gRPC asks of a server, per its HTTP/2 protocol spec:
//   - a request is HEADERS (POST, content-type application/grpc[+proto]) and DATA holding
//     length-prefixed messages: a flag byte (1 = compressed) and a 4-byte big-endian length;
//   - an answer is HEADERS, the framed message, then trailers with grpc-status and, on error,
//     a percent-encoded grpc-message; an error alone may go as one trailers-only HEADERS frame.

/** gRPC status codes this server answers with. */
export const Status = {
  OK: 0,
  INVALID_ARGUMENT: 3,
  RESOURCE_EXHAUSTED: 8,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
} as const;

/** Thrown by a method to answer with a status other than INTERNAL. */
export class GrpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** A unary method: the request message's bytes in, the answer's bytes out. */
export type UnaryHandler = (request: Buffer) => Promise<Buffer>;

export interface UnaryServerOptions {
  /** Requests over this many bytes are refused with RESOURCE_EXHAUSTED, before they are buffered. */
  readonly maxMessageBytes: number;
  /** HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS: calls in flight per connection. */
  readonly maxConcurrentCalls: number;
  /** PEM key, certificate and client CA for mutual TLS; plaintext (h2c) without. */
  readonly tls?: { readonly key: Buffer; readonly cert: Buffer; readonly ca: Buffer };
}

const PREFIX_BYTES = 5;
/**
 * HTTP/2 receive windows, per call and per connection. At HTTP/2's default of 64 KiB, the client
 * stops every 64 KiB of a request until this process has read it and said so, and on a busy
 * machine each of those round trips can wait for a scheduler slice. With room for whole
 * requests, a 3-environment network's p99 went from 8.2-9.6 to 6.4-7.2 ms and a
 * 100-environment one's p50 from 104 to 89 ms (Go caller, same machine). Requests are read as
 * they arrive either way, so a larger window holds no more memory.
 */
const CALL_WINDOW_BYTES = 4 * 1024 * 1024;
const CONNECTION_WINDOW_BYTES = 16 * 1024 * 1024;
const GRPC_CONTENT_TYPE = 'application/grpc+proto';

/** grpc-message is percent-encoded: everything outside printable ASCII, and '%' itself. */
export function encodeGrpcMessage(message: string): string {
  let out = '';
  for (const byte of Buffer.from(message, 'utf8')) {
    out += byte >= 0x20 && byte <= 0x7e && byte !== 0x25 ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export class UnaryServer {
  private readonly server: http2.Http2Server | http2.Http2SecureServer;
  private readonly sessions = new Set<http2.ServerHttp2Session>();
  private closing = false;

  constructor(
    private readonly methods: ReadonlyMap<string, UnaryHandler>,
    private readonly options: UnaryServerOptions,
  ) {
    const settings: http2.Settings = { maxConcurrentStreams: options.maxConcurrentCalls, initialWindowSize: CALL_WINDOW_BYTES };
    // nghttp2's per-connection allowance for queued frames: a few answers near Crossplane's
    // 4 MiB limit must fit while a slow client reads them (Node's default is 10 MB).
    const common = { settings, maxSessionMemory: 128 };
    this.server = options.tls
      ? http2.createSecureServer({
          key: options.tls.key,
          cert: options.tls.cert,
          ca: options.tls.ca,
          requestCert: true,
          rejectUnauthorized: true,
          minVersion: 'TLSv1.2',
          allowHTTP1: false,
          ...common,
        })
      : http2.createServer(common);
    this.server.on('session', (session: http2.ServerHttp2Session) => {
      if (this.closing) {
        session.close();
        return;
      }
      this.sessions.add(session);
      session.setLocalWindowSize(CONNECTION_WINDOW_BYTES);
      session.on('close', () => this.sessions.delete(session));
      // A client that breaks the connection is its own problem; it must not end the process.
      session.on('error', () => session.destroy());
    });
    this.server.on('stream', (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => this.serve(stream, headers));
  }

  /** Listens on host:port (port 0 picks one); resolves to the port. */
  listen(host: string | undefined, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const failed = (error: Error) => reject(error);
      this.server.once('error', failed);
      this.server.listen(port, host, () => {
        this.server.off('error', failed);
        const address = this.server.address();
        resolve(typeof address === 'object' && address ? address.port : port);
      });
    });
  }

  /**
   * Stops taking connections and sends every client GOAWAY; calls in flight finish and are
   * answered. Resolves when every connection has closed, or after `graceMs`, closing the rest.
   */
  close(graceMs: number): Promise<void> {
    this.closing = true;
    return new Promise((resolve) => {
      const force = setTimeout(() => {
        for (const session of this.sessions) session.destroy();
      }, graceMs);
      force.unref();
      this.server.close(() => {
        clearTimeout(force);
        resolve();
      });
      for (const session of this.sessions) session.close();
    });
  }

  private serve(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders): void {
    // A reset from the client (it hung up, or its deadline passed) surfaces here; the call's
    // answer is then simply not sent.
    stream.on('error', () => undefined);
    const contentType = headers['content-type'] ?? '';
    if (headers[':method'] !== 'POST' || !contentType.startsWith('application/grpc')) {
      stream.respond({ ':status': 415 }, { endStream: true });
      return;
    }
    const handler = this.methods.get(headers[':path'] ?? '');
    if (!handler) {
      this.fail(stream, new GrpcError(Status.UNIMPLEMENTED, `unknown method ${headers[':path'] ?? ''}`));
      return;
    }
    this.receive(stream).then(
      (request) => (request === undefined ? undefined : this.answer(stream, handler, request)),
      (error: unknown) => this.fail(stream, error),
    );
  }

  /** The one request message; undefined when the stream went away first. */
  private receive(stream: http2.ServerHttp2Stream): Promise<Buffer | undefined> {
    const limit = this.options.maxMessageBytes;
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let received = 0;
      let expected = -1;
      const refuse = (error: GrpcError) => {
        stream.removeAllListeners('data');
        stream.removeAllListeners('end');
        // Stop reading: the client's window fills and it stops sending the rest.
        stream.pause();
        reject(error);
      };
      stream.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        received += chunk.length;
        if (expected < 0 && received >= PREFIX_BYTES) {
          const prefix = chunks.length === 1 ? chunk : Buffer.concat(chunks);
          if (prefix[0] !== 0) return refuse(new GrpcError(Status.UNIMPLEMENTED, 'compressed messages are not supported; send with identity encoding'));
          expected = prefix.readUInt32BE(1);
          if (expected > limit) return refuse(new GrpcError(Status.RESOURCE_EXHAUSTED, `request of ${expected} bytes is over the limit of ${limit}`));
        }
        if (expected >= 0 && received > PREFIX_BYTES + expected) refuse(new GrpcError(Status.UNIMPLEMENTED, 'more than one request message in a unary call'));
      });
      stream.on('end', () => {
        if (expected < 0 || received < PREFIX_BYTES + expected) return reject(new GrpcError(Status.INTERNAL, 'incomplete request message'));
        const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, received);
        resolve(body.subarray(PREFIX_BYTES));
      });
      stream.on('close', () => resolve(undefined));
    });
  }

  private async answer(stream: http2.ServerHttp2Stream, handler: UnaryHandler, request: Buffer): Promise<void> {
    let response: Buffer;
    const started = performance.now();
    try {
      response = await handler(request);
    } catch (error) {
      this.fail(stream, error);
      return;
    }
    // The method's own time, as W3C Server-Timing writes it: what the call cost this process,
    // apart from the wire and the caller (npm run bench reports it beside the latency).
    const serverTiming = `run;dur=${(performance.now() - started).toFixed(3)}`;
    if (stream.destroyed || stream.closed) return;
    const prefix = Buffer.allocUnsafe(PREFIX_BYTES);
    prefix[0] = 0;
    prefix.writeUInt32BE(response.length, 1);
    stream.respond({ ':status': 200, 'content-type': GRPC_CONTENT_TYPE }, { waitForTrailers: true });
    stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': String(Status.OK), 'server-timing': serverTiming }));
    // Corked, the prefix and the message go to HTTP/2 as one write, so DATA frames are filled from
    // both rather than the prefix going in a frame of its own: a 100-environment network's answer
    // (520 KB) then took 7.3-7.4 ms at p50 end to end, against 8.0-8.7 (Go caller, same process
    // serving fixed bytes, four rounds in turn). `end` uncorks.
    stream.cork();
    stream.write(prefix);
    stream.end(response);
  }

  /** A trailers-only answer: the status (INTERNAL unless a GrpcError says) in the one and only HEADERS frame. */
  private fail(stream: http2.ServerHttp2Stream, error: unknown): void {
    if (stream.destroyed || stream.closed || stream.headersSent) return;
    const code = error instanceof GrpcError ? error.code : Status.INTERNAL;
    stream.respond(
      { ':status': 200, 'content-type': GRPC_CONTENT_TYPE, 'grpc-status': String(code), 'grpc-message': encodeGrpcMessage(errorMessage(error)) },
      { endStream: true },
    );
    // Whatever the client still sends is not wanted; NO_ERROR tells it the answer is complete.
    if (!stream.readableEnded) stream.close(http2.constants.NGHTTP2_NO_ERROR);
  }
}
