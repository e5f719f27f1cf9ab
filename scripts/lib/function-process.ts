import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { FUNCTION_ENTRY } from './paths.js';

/** How to start the function: by default the compiled entry point with this Node. */
export interface FunctionCommand {
  readonly program: string;
  readonly args: readonly string[];
}

const COMPILED: FunctionCommand = { program: process.execPath, args: [FUNCTION_ENTRY] };

/**
 * The composition function, started locally on a free loopback port for the Development
 * runtime (or any command, such as the image's own Node in its root filesystem). Readiness
 * is a successful TCP connection: a live process is not yet a listening one.
 */
export class FunctionProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly target: string,
    private readonly log: () => string,
  ) {}

  static async start(extraArgs: readonly string[] = ['--insecure'], command: FunctionCommand = COMPILED): Promise<FunctionProcess> {
    if (command === COMPILED && !existsSync(FUNCTION_ENTRY)) throw new Error(`${FUNCTION_ENTRY} is missing: run \`npm run build\` first`);
    const port = await freePort();
    const target = `127.0.0.1:${port}`;
    const child = spawn(command.program, [...command.args, `--address=${target}`, ...extraArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const fn = new FunctionProcess(child, target, () => output);
    try {
      await fn.waitUntilListening(port);
    } catch (error) {
      fn.stop();
      throw error;
    }
    return fn;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Sends a signal and resolves with how the process ended. */
  async kill(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    const ended = this.exited();
    this.child.kill(signal);
    return ended;
  }

  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve({ code: this.child.exitCode, signal: this.child.signalCode });
    return new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  /** What the function has logged so far. */
  output(): string {
    return this.log();
  }

  stop(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
  }

  private async waitUntilListening(port: number): Promise<void> {
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`the function exited with code ${this.child.exitCode}:\n${this.log()}`);
      if (await accepts(port)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`the function did not listen on ${this.target} within 15s:\n${this.log()}`);
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Whether something accepts TCP connections on the loopback port. */
export function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A process's resident memory in MB, from /proc (Linux). */
export function residentMemoryMb(pid: number): number {
  const kb = Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  return kb / 1024;
}
