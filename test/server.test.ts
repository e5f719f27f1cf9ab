import * as grpc from '@grpc/grpc-js';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_MESSAGE_BYTES } from '../functions/k8tre/server.js';
import { buildCaller, runCaller } from '../scripts/bench/caller.js';
import { encodeRequest, FunctionClient } from '../scripts/bench/grpc-client.js';
import { networkScenarios } from '../scripts/bench/scenarios.js';
import { FunctionProcess, residentMemoryMb } from '../scripts/lib/function-process.js';
import { FUNCTION_ENTRY } from '../scripts/lib/paths.js';
import { issueCertificates, type TestCertificates } from './support/certs.js';

// The gRPC server under abuse: many calls at once, bytes that are not a request, a message
// over the limit, clients that give up mid-call, clients without a certificate, SIGTERM with a
// call in flight, an address it cannot bind. After each, it must still answer, with its
// memory bounded.

const [small, large] = networkScenarios([3, 100]);
const smallRequest = encodeRequest(small!.request);
const largeRequest = encodeRequest(large!.request);

const errorOf = async (promise: Promise<unknown>) => {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return error as grpc.ServiceError;
  }
};
const statusOf = async (promise: Promise<unknown>) => (await errorOf(promise))?.code ?? grpc.status.OK;

describe('the function server, plaintext', () => {
  let fn: FunctionProcess;
  let client: FunctionClient;
  beforeAll(async () => {
    fn = await FunctionProcess.start(['--insecure']);
    client = new FunctionClient(fn.target);
  });
  afterAll(() => {
    client.close();
    fn.stop();
  });

  const stillAnswers = async () => expect((await client.run(small!.request)).results).toEqual([]);

  it('answers 500 calls in flight at once, all of them, with memory bounded', async () => {
    const responses = await Promise.all(Array.from({ length: 500 }, () => client.call(smallRequest)));
    expect(responses).toHaveLength(500);
    expect(new Set(responses.map((r) => r.length)).size).toBe(1);
    // Unbounded, this was 525 MB: every request and response held at once.
    expect(residentMemoryMb(fn.pid!)).toBeLessThan(300);
    await stillAnswers();
  });

  it('refuses bytes that are not a RunFunctionRequest, saying so, and carries on', async () => {
    for (const garbage of [Buffer.from('not protobuf at all'), Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]), Buffer.alloc(1024, 0xff)]) {
      const error = await errorOf(client.call(garbage));
      expect(error?.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(error?.details).toMatch(/^cannot parse the RunFunctionRequest: /);
    }
    await stillAnswers();
  });

  it('answers a method it does not serve with UNIMPLEMENTED, naming it', async () => {
    const path = '/k8tre.v1.Unknown/100%Done';
    const other = new FunctionClient(fn.target, grpc.credentials.createInsecure(), {}, path);
    try {
      const error = await errorOf(other.call(smallRequest));
      expect([error?.code, error?.details]).toEqual([grpc.status.UNIMPLEMENTED, `unknown method ${path}`]);
    } finally {
      other.close();
    }
    await stillAnswers();
  });

  it('refuses compressed messages with UNIMPLEMENTED (Crossplane sends none), and carries on', async () => {
    const gzip = new FunctionClient(fn.target, grpc.credentials.createInsecure(), { 'grpc.default_compression_algorithm': 2 });
    try {
      const error = await errorOf(gzip.call(smallRequest));
      expect(error?.code).toBe(grpc.status.UNIMPLEMENTED);
      expect(error?.details).toContain('compressed messages are not supported');
    } finally {
      gzip.close();
    }
    await stillAnswers();
  });

  it('answers grpc-go, the gRPC Crossplane calls functions with, saying what each call cost it (the benchmark’s caller, built from the Go module proxy)', () => {
    const caller = buildCaller();
    const run = runCaller(caller, fn.target, smallRequest, { minSamples: 5, maxSamples: 5, budgetMs: 0, warmupCalls: 1, warmupMs: 0 });
    expect(run.latenciesMs).toHaveLength(5);
    expect(run.callsPerS).toBeGreaterThan(0);
    // Its own time on each call, from the server-timing trailer: some, and within the call's.
    expect(run.serverMs).toHaveLength(5);
    run.serverMs.forEach((own, i) => {
      expect(own).toBeGreaterThan(0);
      expect(own).toBeLessThan(run.latenciesMs[i]!);
    });
    // Asked for no calls in flight (the bench's turns but one), it times the sequential calls and reports no throughput.
    const sequentialOnly = runCaller(caller, fn.target, smallRequest, {
      minSamples: 3,
      maxSamples: 3,
      budgetMs: 0,
      warmupCalls: 1,
      warmupMs: 0,
      inFlight: 0,
    });
    expect(sequentialOnly.latenciesMs).toHaveLength(3);
    expect(sequentialOnly.serverMs).toHaveLength(3);
    expect(sequentialOnly.throughputCalls).toBe(0);
    expect(sequentialOnly.callsPerS).toBeUndefined();
    // Asked for a number of calls in flight, it makes that many, within the bounds that keep the figure meaningful and short.
    const asked = (throughputCalls: number) =>
      runCaller(caller, fn.target, smallRequest, { minSamples: 1, maxSamples: 1, budgetMs: 0, warmupCalls: 1, warmupMs: 0, throughputCalls }).throughputCalls;
    expect(asked(24)).toBe(24);
    expect(asked(3)).toBe(16);
    expect(asked(5000)).toBe(400);
  }, 300_000);

  it('reads the resident memory of the process it calls while it times the calls, in MB (what the bench compares with the no-op)', () => {
    const run = runCaller(buildCaller(), fn.target, smallRequest, {
      minSamples: 20,
      maxSamples: 20,
      budgetMs: 0,
      warmupCalls: 1,
      warmupMs: 0,
      rssOfPid: fn.pid,
    });
    const now = residentMemoryMb(fn.pid!);
    expect(run.rssMb.length).toBeGreaterThan(0);
    // The same process read the same way moments apart: in MB, not kB or pages, and not the caller's own.
    for (const mb of run.rssMb) {
      expect(mb / now).toBeGreaterThan(0.5);
      expect(mb / now).toBeLessThan(2);
    }
    // Without a process to watch there is nothing to report.
    expect(runCaller(buildCaller(), fn.target, smallRequest, { minSamples: 1, maxSamples: 1, budgetMs: 0, warmupCalls: 1, warmupMs: 0 }).rssMb).toEqual([]);
  }, 300_000);

  it('refuses a message over the limit with RESOURCE_EXHAUSTED, and carries on', async () => {
    const oversized = Buffer.alloc(MAX_MESSAGE_BYTES + 1024);
    const big = new FunctionClient(fn.target);
    try {
      expect(await statusOf(big.call(oversized))).toBe(grpc.status.RESOURCE_EXHAUSTED);
    } finally {
      big.close();
    }
    await stillAnswers();
  });

  it('survives clients that hang up mid-call, without growing', async () => {
    for (let i = 0; i < 20; i++) {
      const quitter = new FunctionClient(fn.target);
      const call = quitter.call(largeRequest);
      await new Promise((r) => setTimeout(r, 5 + (i % 5) * 10));
      quitter.close();
      await statusOf(call);
    }
    await stillAnswers();
    const settled = residentMemoryMb(fn.pid!);
    for (let i = 0; i < 10; i++) {
      const quitter = new FunctionClient(fn.target);
      const call = quitter.call(largeRequest);
      await new Promise((r) => setTimeout(r, 20));
      quitter.close();
      await statusOf(call);
    }
    await stillAnswers();
    expect(residentMemoryMb(fn.pid!)).toBeLessThan(Math.max(settled * 1.5, 600));
  });
});

describe('the function server, with the certificates Crossplane mounts', () => {
  let certs: TestCertificates;
  let dir: string;
  let fn: FunctionProcess;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'k8tre-tls-'));
    certs = issueCertificates(dir);
    fn = await FunctionProcess.start([`--tls-server-certs-dir=${dir}`]);
  });
  afterAll(() => fn.stop());

  const client = (credentials: grpc.ChannelCredentials) => new FunctionClient(fn.target, credentials);

  it('answers a client with a certificate from its CA', async () => {
    const ok = client(grpc.credentials.createSsl(certs.ca, certs.clientKey, certs.clientCert));
    try {
      expect((await ok.run(small!.request)).results).toEqual([]);
    } finally {
      ok.close();
    }
  });

  it('refuses a client without a certificate', async () => {
    const anonymous = client(grpc.credentials.createSsl(certs.ca));
    try {
      expect(await statusOf(anonymous.call(smallRequest, 5_000))).toBe(grpc.status.UNAVAILABLE);
    } finally {
      anonymous.close();
    }
  });

  it('refuses a client whose certificate another CA issued', async () => {
    const stranger = issueCertificates(mkdtempSync(join(tmpdir(), 'k8tre-tls-other-')));
    const impostor = client(grpc.credentials.createSsl(certs.ca, stranger.clientKey, stranger.clientCert));
    try {
      expect(await statusOf(impostor.call(smallRequest, 5_000))).toBe(grpc.status.UNAVAILABLE);
    } finally {
      impostor.close();
    }
  });

  it('refuses a plaintext client', async () => {
    const plain = client(grpc.credentials.createInsecure());
    try {
      expect(await statusOf(plain.call(smallRequest, 5_000))).toBe(grpc.status.UNAVAILABLE);
    } finally {
      plain.close();
    }
  });
});

describe('the function process', () => {
  it('finishes the call in flight on SIGTERM, then exits 0', async () => {
    const fn = await FunctionProcess.start(['--insecure']);
    const client = new FunctionClient(fn.target);
    try {
      const inFlight = client.call(largeRequest);
      await new Promise((r) => setTimeout(r, 30));
      const ended = fn.kill('SIGTERM');
      expect((await inFlight).length).toBeGreaterThan(0);
      expect(await ended).toEqual({ code: 0, signal: null });
    } finally {
      client.close();
    }
  });

  it('exits 1, saying why, when it cannot listen', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      const child = spawn(process.execPath, [FUNCTION_ENTRY, '--insecure', `--address=127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
      let log = '';
      child.stdout.on('data', (chunk: Buffer) => (log += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code).toBe(1);
      expect(log).toContain(`cannot listen on 127.0.0.1:${port}`);
    } finally {
      blocker.close();
    }
  });
});
