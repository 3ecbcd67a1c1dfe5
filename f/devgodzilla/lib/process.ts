// Child processes for agents, git helpers and project commands: execa with argument arrays
// (never a shell), an explicit minimal environment, a wall-clock timeout and an idle-output
// watchdog that kill the WHOLE process group, and output streamed line by line to the job log,
// capped and redacted.

import { execa } from "execa";
import { Redactor } from "./redact.ts";
import { DevGodzillaError } from "./errors.ts";

export type StreamName = "stdout" | "stderr";

export interface RunProcessOptions {
  /** Executable name (looked up on the child's PATH) or absolute path. */
  file: string;
  args: readonly string[];
  cwd: string;
  /**
   * Variables for the child ON TOP OF a minimal base env (PATH, HOME, LANG, TMPDIR…). The parent's
   * env is never passed whole: it may hold other jobs' secrets. `undefined` removes a base variable.
   */
  env?: Record<string, string | undefined>;
  /** Wall-clock limit; on expiry the process group gets SIGTERM, then SIGKILL. 0/undefined = none. */
  timeoutMs?: number;
  /** Kill the group when neither stdout nor stderr produced a byte for this long. 0/undefined = none. */
  idleTimeoutMs?: number;
  /** Cap per stream on captured AND logged output (head and tail are kept). Default 8 MiB. */
  maxOutputBytes?: number;
  /** Applied to every logged line and to the captured output. */
  redactor?: Redactor;
  /** Called with each (redacted) line as it arrives. */
  onLine?: (line: string, stream: StreamName) => void;
  /** Written to stdin, then stdin is closed. Without it stdin is /dev/null (agents wait on open pipes). */
  input?: string;
  /** Log each line to the job log (console). Default true. */
  log?: boolean;
  /** Cap on what is written to the job log (all streams together). Default 1 MiB. */
  maxLogBytes?: number;
  /** Prefix for logged lines, e.g. "[qwen] ". */
  logPrefix?: string;
  /** Time between SIGTERM and SIGKILL. Default 2000 ms. */
  killGraceMs?: number;
  /** Stops the process group (SIGTERM, then SIGKILL) when aborted, e.g. on a fatal line. */
  signal?: AbortSignal;
}

export interface ProcessResult {
  /** null when the process was killed by a signal. */
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  idleKilled: boolean;
  /** Stopped through `signal`. */
  aborted: boolean;
  durationMs: number;
  /** True when either stream exceeded maxOutputBytes (the middle was dropped). */
  truncated: boolean;
  /** PID of the process (= its process group id). */
  pid: number | undefined;
}

/** The executable could not be started (not found, not executable). */
export class ProcessSpawnError extends DevGodzillaError {
  readonly file: string;
  readonly code: string | undefined;
  constructor(file: string, code: string | undefined, message: string) {
    super(`cannot start ${file}: ${message}`, {
      hint: code === "ENOENT" ? "install it or put it on PATH" : undefined,
    });
    this.file = file;
    this.code = code;
  }
}

const BASE_ENV_NAMES = ["PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR", "TERM"];

/** The minimal environment every child starts from (values from this process). */
export function baseEnv(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of BASE_ENV_NAMES) {
    const v = process.env[name];
    if (v !== undefined) out[name] = v;
  }
  if (!out.PATH) out.PATH = "/usr/local/bin:/usr/bin:/bin";
  return out;
}

export function buildChildEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = baseEnv();
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

// On Windmill a canceled job's process gets SIGTERM (handled below). A host running many jobs in one
// process (the local runner) instead says which signal stops the current job.
let jobSignal: () => AbortSignal | undefined = () => undefined;
export function setJobSignalSource(source: () => AbortSignal | undefined): void {
  jobSignal = source;
}

// Process groups still running; killed if this worker process exits so no agent outlives its job.
const liveGroups = new Set<number>();
let exitHookInstalled = false;
/**
 * Registers a detached child's process group: it is killed if this worker exits or is cancelled.
 * Pair with untrackGroup once the group is gone (runProcess and the git gateway both do).
 */
export function trackGroup(pid: number): void {
  liveGroups.add(pid);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once("exit", () => {
      for (const g of liveGroups) killGroup(g, "SIGKILL");
    });
    // A cancelled job gets SIGTERM/SIGINT: detached groups would outlive us, so stop them first,
    // then let the signal do what it would have done. Only where nobody else handles the signal.
    for (const sig of ["SIGTERM", "SIGINT", "SIGHUP"] as const) {
      if (process.listenerCount(sig) > 0) continue;
      const onSignal = () => {
        for (const g of liveGroups) killGroup(g, "SIGKILL");
        process.removeListener(sig, onSignal);
        // Someone added a handler since: the signal is theirs to act on. Else: default action.
        if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
      };
      process.on(sig, onSignal);
    }
  }
}

export function untrackGroup(pid: number): void {
  liveGroups.delete(pid);
}

/** Whether a process with this pid exists on this host (EPERM: it exists, owned by someone else). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Sends a signal to a whole process group; false when the group no longer exists. */
export function killGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Keeps the first and last half of the cap of a stream, counting bytes. */
class CappedBuffer {
  private head: string[] = [];
  private headBytes = 0;
  private tail: string[] = [];
  private tailBytes = 0;
  private headFull = false;
  dropped = 0;
  constructor(private readonly cap: number) {}
  push(line: string): void {
    const n = Buffer.byteLength(line) + 1;
    if (!this.headFull && this.headBytes + n <= this.cap / 2) {
      this.head.push(line);
      this.headBytes += n;
      return;
    }
    this.headFull = true;
    this.tail.push(line);
    this.tailBytes += n;
    while (this.tailBytes > this.cap / 2 && this.tail.length > 0) {
      const d = this.tail.shift()!;
      const dn = Buffer.byteLength(d) + 1;
      this.tailBytes -= dn;
      this.dropped += dn;
    }
  }
  toString(): string {
    const mid = this.dropped > 0 ? [`[… ${this.dropped} bytes of output dropped …]`] : [];
    return [...this.head, ...mid, ...this.tail].join("\n");
  }
}

/** Splits a byte stream into lines; the last partial line is flushed at the end. */
class LineSplitter {
  private rest = "";
  constructor(private readonly emit: (line: string) => void) {}
  write(chunk: Buffer | string): void {
    const text = this.rest + chunk.toString();
    const parts = text.split("\n");
    this.rest = parts.pop() ?? "";
    for (const p of parts) this.emit(p.endsWith("\r") ? p.slice(0, -1) : p);
    // A single line longer than 1 MiB is emitted in pieces so memory stays bounded.
    if (this.rest.length > 1 << 20) {
      this.emit(this.rest);
      this.rest = "";
    }
  }
  end(): void {
    if (this.rest.length > 0) this.emit(this.rest);
    this.rest = "";
  }
}

/** Where a process's output goes: redacted lines into capped buffers, the log (capped) and `onLine`. */
function outputSink(opts: RunProcessOptions, redactor: Redactor, cap: number) {
  const log = opts.log ?? true;
  const logCap = opts.maxLogBytes ?? Math.min(cap, 1024 * 1024);
  const prefix = opts.logPrefix ?? "";
  let loggedBytes = 0;
  let logCapNoted = false;
  const buffers: Record<StreamName, CappedBuffer> = { stdout: new CappedBuffer(cap), stderr: new CappedBuffer(cap) };

  const onLine = (stream: StreamName) => (raw: string) => {
    const line = redactor.redact(raw);
    buffers[stream].push(line);
    if (log) {
      loggedBytes += Buffer.byteLength(line) + 1;
      if (loggedBytes <= logCap) console.log(`${prefix}${stream === "stderr" ? "[stderr] " : ""}${line}`);
      else if (!logCapNoted) {
        logCapNoted = true;
        console.log(`${prefix}[log output capped at ${logCap} bytes; the rest is not shown]`);
      }
    }
    try {
      opts.onLine?.(line, stream);
    } catch {
      // a consumer's bug must not break the process handling
    }
  };
  const splitters: Record<StreamName, LineSplitter> = {
    stdout: new LineSplitter(onLine("stdout")),
    stderr: new LineSplitter(onLine("stderr")),
  };
  return { buffers, splitters };
}

/**
 * Runs a process to completion. Never throws for a non-zero exit or a kill (see the result);
 * throws ProcessSpawnError when the executable cannot be started.
 */
export async function runProcess(opts: RunProcessOptions): Promise<ProcessResult> {
  const started = Date.now();
  const redactor = opts.redactor ?? new Redactor();
  const cap = opts.maxOutputBytes ?? 8 * 1024 * 1024;
  const grace = opts.killGraceMs ?? 2000;

  const child = execa(opts.file, [...opts.args], {
    cwd: opts.cwd,
    env: buildChildEnv(opts.env),
    extendEnv: false,
    // Its own process group (setsid), so a kill reaches every grandchild.
    detached: true,
    stdin: opts.input === undefined ? "ignore" : "pipe",
    stdout: "pipe",
    stderr: "pipe",
    buffer: false,
    reject: false,
    stripFinalNewline: false,
    windowsHide: true,
  });
  const pid = child.pid;

  let timedOut = false;
  let idleKilled = false;
  let lastOutput = Date.now();
  const { buffers, splitters } = outputSink(opts, redactor, cap);
  const drained: Promise<void>[] = [];
  for (const stream of ["stdout", "stderr"] as const) {
    const s = child[stream];
    if (!s) continue;
    s.on("data", (chunk: Buffer) => {
      lastOutput = Date.now();
      splitters[stream].write(chunk);
    });
    // execa may settle before the last chunks are read; the result waits for both pipes to close.
    drained.push(
      new Promise<void>((resolve) => {
        s.once("close", () => resolve());
        s.once("error", () => resolve());
      }),
    );
  }
  if (opts.input !== undefined && child.stdin) {
    child.stdin.on("error", () => {}); // the child may exit without reading its input
    child.stdin.end(opts.input);
  }

  let terminating = false;
  let killTimer: NodeJS.Timeout | undefined;
  const terminate = () => {
    if (pid === undefined || terminating) return;
    terminating = true;
    killGroup(pid, "SIGTERM");
    killTimer = setTimeout(() => killGroup(pid, "SIGKILL"), grace);
  };

  if (pid !== undefined) trackGroup(pid);
  let aborted = false;
  const onAbort = () => {
    aborted = true;
    terminate();
  };
  const signals = [opts.signal, jobSignal()].filter((x): x is AbortSignal => !!x);
  const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
  if (signal?.aborted) onAbort();
  else signal?.addEventListener("abort", onAbort, { once: true });
  const wallTimer =
    opts.timeoutMs && opts.timeoutMs > 0
      ? setTimeout(() => {
          timedOut = true;
          terminate();
        }, opts.timeoutMs)
      : undefined;
  const idleCheck =
    opts.idleTimeoutMs && opts.idleTimeoutMs > 0
      ? setInterval(
          () => {
            if (Date.now() - lastOutput >= opts.idleTimeoutMs!) {
              idleKilled = true;
              terminate();
            }
          },
          Math.min(1000, Math.max(50, Math.floor(opts.idleTimeoutMs / 4))),
        )
      : undefined;

  // When the leader exits, whatever it left in its group (background servers, a grandchild
  // holding the output pipe open) is stopped too: nothing outlives the step.
  child.once("exit", () => {
    if (pid === undefined) return;
    if (groupAlive(pid)) {
      killGroup(pid, "SIGTERM");
      setTimeout(() => killGroup(pid, "SIGKILL"), grace).unref();
    }
  });

  const result = await child;
  await Promise.all(drained);
  if (wallTimer) clearTimeout(wallTimer);
  if (idleCheck) clearInterval(idleCheck);
  if (killTimer) clearTimeout(killTimer);
  signal?.removeEventListener("abort", onAbort);
  splitters.stdout.end();
  splitters.stderr.end();
  // Make sure nothing of the group survives (SIGKILL is safe: the leader is gone).
  if (pid !== undefined) {
    if (groupAlive(pid)) killGroup(pid, "SIGKILL");
    untrackGroup(pid);
  }

  const errCode = (result as { code?: string }).code;
  if (pid === undefined || (result.exitCode === undefined && !result.signal && errCode)) {
    const cause = (result as { cause?: unknown }).cause;
    const message = cause instanceof Error ? cause.message : String(result.message ?? "spawn failed");
    throw new ProcessSpawnError(opts.file, errCode, redactor.redact(message));
  }

  return {
    exitCode: result.exitCode ?? null,
    signal: result.signal ?? null,
    stdout: buffers.stdout.toString(),
    stderr: buffers.stderr.toString(),
    timedOut,
    idleKilled,
    aborted,
    durationMs: Date.now() - started,
    truncated: buffers.stdout.dropped > 0 || buffers.stderr.dropped > 0,
    pid,
  };
}
