import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { StopWaiting } from './kube.js';

// Every process the end-to-end run starts, with its log in out/e2e/<name>.log and its peak
// memory. stopAll() ends them all, whatever happened: the run must leave nothing behind.

export interface StartOptions {
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
}

export class Component {
  private ended: Promise<void>;
  private failedToStart = false;
  private peakKiB = 0;
  private sampler: NodeJS.Timeout;

  constructor(
    readonly name: string,
    readonly logFile: string,
    private readonly child: ChildProcess,
    private readonly log: WriteStream,
  ) {
    // A program that cannot start emits 'error' and never 'exit'.
    this.ended = new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.once('error', () => {
        // Also emitted when a signal cannot be sent; only a child without a pid never started.
        if (child.pid === undefined) {
          this.failedToStart = true;
          resolve();
        }
      });
    });
    // The kernel keeps the high-water mark (VmHWM) while the process lives; sampling it now
    // and then, and once more before stopping, gives the peak without racing the exit.
    this.sampler = setInterval(() => this.samplePeak(), 2_000);
    this.sampler.unref();
  }

  get running(): boolean {
    return !this.failedToStart && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Throws, ending any wait, if the process has exited: naming it, how it ended and its log. */
  assertRunning(): void {
    if (!this.running) throw new StopWaiting(`${this.name} exited (${this.exitDescription}); see ${this.logFile}`);
  }

  get exitDescription(): string {
    if (this.failedToStart) return 'could not start';
    return this.child.signalCode ? `signal ${this.child.signalCode}` : `code ${this.child.exitCode}`;
  }

  /** Peak resident memory in MiB, as the kernel recorded it. */
  get peakMiB(): number {
    this.samplePeak();
    return Math.round(this.peakKiB / 1024);
  }

  /** SIGTERM, then SIGKILL if it is still running after the grace period. */
  async stop(graceMs = 5_000): Promise<void> {
    this.samplePeak();
    clearInterval(this.sampler);
    if (this.running) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      await this.ended;
      clearTimeout(timer);
    }
    await new Promise<void>((resolve) => this.log.end(() => resolve()));
  }

  /** SIGKILL with no grace: a crash, for the restart scenario. */
  async kill(): Promise<void> {
    this.samplePeak();
    clearInterval(this.sampler);
    this.child.kill('SIGKILL');
    await this.ended;
  }

  private samplePeak(): void {
    if (!this.child.pid || !this.running) return;
    try {
      const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.child.pid}/status`, 'utf8'));
      if (match) this.peakKiB = Math.max(this.peakKiB, Number(match[1]));
    } catch {
      // Gone between the check and the read.
    }
  }
}

export class Processes {
  private readonly components: Component[] = [];
  /** Peaks of components that were replaced (restarted), by name. */
  private readonly retiredPeaks = new Map<string, number>();

  constructor(private readonly logDir: string) {}

  start(name: string, program: string, args: readonly string[], options: StartOptions = {}): Component {
    const logFile = join(this.logDir, `${name}.log`);
    const log = createWriteStream(logFile, { flags: 'a' });
    const child = spawn(program, args, {
      cwd: options.cwd,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    child.once('error', (error) => log.write(`[e2e] could not start ${program}: ${error.message}\n`));
    const component = new Component(name, logFile, child, log);
    const previous = this.components.findIndex((c) => c.name === name);
    if (previous >= 0) {
      const [old] = this.components.splice(previous, 1);
      if (old) this.retiredPeaks.set(name, Math.max(this.retiredPeaks.get(name) ?? 0, old.peakMiB));
    }
    this.components.push(component);
    return component;
  }

  /** The first component no longer running (crash() and a restart replace it): where to look first. */
  firstDead(): Component | undefined {
    return this.components.find((c) => !c.running);
  }

  peaksMiB(): Record<string, number> {
    const peaks: Record<string, number> = Object.fromEntries(this.retiredPeaks);
    for (const c of this.components) peaks[c.name] = Math.max(peaks[c.name] ?? 0, c.peakMiB);
    return peaks;
  }

  /** Stops everything, last started first (Crossplane before the API server before etcd). */
  async stopAll(): Promise<void> {
    for (const component of [...this.components].reverse()) await component.stop();
  }
}
