// Sandbox for agent and install processes: bubblewrap with argument arrays, two phases.
//
//   setup   — network on (the project's install command fetches packages), but no unix socket
//             can be created (seccomp): the host's abstract sockets stay out of reach.
//   execute — no network except the allow-listed model endpoints.
// Both phases see the same allow-list of the host (./view.ts): the worktree and the task's temp dir
// (writable), the system's programs, the agent's own installation and the toolchains the project
// needs (read-only) — nothing else: not the worker's HOME, not /run, /var or /tmp, not the runner's
// state or resources file wherever they live. HOME inside is a fresh folder in the temp dir that
// holds only what the agent's adapter wrote there. Process and memory limits (./limits.ts) bound
// both phases.
//
// Why not @anthropic-ai/sandbox-runtime (evaluated 2026-11, v0.0.83, with bwrap 0.8 + socat here):
//  * it runs under Node 20 despite `engines: >=22.12`, but also needs ripgrep, keeps a process-wide
//    singleton proxy, and its API returns a SHELL STRING to run (`wrapWithSandbox(cmd: string)`),
//    against our "argument arrays, never a shell" rule;
//  * its network allow-list works only for clients that honour HTTP(S)_PROXY. It sets
//    NO_PROXY=localhost,127.0.0.1 inside, so a client calling a model server on the HOST's loopback
//    (`http://127.0.0.1:PORT/v1`) dials the sandbox's own empty loopback: measured ECONNREFUSED
//    for curl and for Node 20 `fetch` (which ignores proxy variables altogether), while only an
//    explicit `curl -x $HTTP_PROXY` got through. Agents built on Node 20 would never reach a model.
// So we build the bwrap arguments ourselves and give the sandbox TRANSPARENT TCP bridges instead of
// a proxy: for each allowed endpoint a listener inside the sandbox's private network namespace, on
// the same address and port the agent already uses (loopback) or on a private loopback alias that a
// bind-mounted /etc/hosts maps the host name to (remote hosts), forwards over a unix socket to a
// forwarder in THIS process that connects only to that one endpoint. Any client works unchanged
// (TLS and SNI pass through untouched), nothing else is reachable. The bridges are Node `net`
// code (no socat process to leak); socat is therefore not needed at run time.

import { spawnSync } from "node:child_process";
import { mkdtemp, rm, writeFile, mkdir } from "node:fs/promises";
import { existsSync } from "node:fs";
import net from "node:net";
import { homedir, tmpdir } from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { DevGodzillaError, InputError } from "../errors.ts";
import { buildView, real, toolchainsFor } from "./view.ts";
import { applyLimits, DEFAULT_LIMITS, noUnixSocketsFilter, type AppliedLimits, type SandboxLimits } from "./limits.ts";

export { DEFAULT_LIMITS, type SandboxLimits } from "./limits.ts";
export { toolchainsFor, ETC_ALLOWED } from "./view.ts";

export type SandboxPhase = "setup" | "execute";
/** What to do when bubblewrap is missing or cannot create namespaces here. */
export type SandboxPolicy = "refuse" | "allow_unsandboxed";

export interface SandboxCommand {
  file: string;
  args: readonly string[];
  /** Extra env for the child (as runProcess takes it: on top of its minimal base env). */
  env?: Record<string, string | undefined>;
  cwd: string;
}

export interface SandboxOptions {
  phase: SandboxPhase;
  /** The task's worktree: writable inside the sandbox. */
  worktree: string;
  /** The task's temp dir (HOME, caches, TMPDIR): writable inside the sandbox. */
  tmpDir: string;
  /**
   * Endpoints reachable in the execute phase: "host:port" or URLs ("http://127.0.0.1:8080/v1",
   * "https://api.openai.com"). Ignored in setup (network is on).
   */
  allowHosts?: readonly string[];
  /** Default "refuse". */
  policy?: SandboxPolicy;
  /**
   * The agent's own installation: executables or scripts whose install folder (the top-most
   * node_modules they sit in, else their folder) is visible read-only. Default (execute phase): the
   * command's file and absolute arguments outside the worker's HOME; none in setup.
   */
  programs?: readonly string[];
  /**
   * Languages of the project (the onboarding profile's): their toolchains installed under HOME
   * (rustup, pyenv, nvm…) become visible read-only. The command's program adds its own.
   */
  languages?: readonly string[];
  /**
   * Paths visible read-only: inside the writable areas (e.g. context files, .git) they stay
   * read-only; outside them they are added to the view (e.g. a local dependency).
   */
  readOnly?: readonly string[];
  /**
   * Paths inside the visible areas replaced by an empty file or folder. Default: the local
   * runner's resources file and state folder, and DEVGODZILLA_SANDBOX_HIDE (":"-separated).
   */
  hide?: readonly string[];
  /** Process and memory limits; default DEFAULT_LIMITS. */
  limits?: Partial<SandboxLimits>;
  /** bwrap executable; default "bwrap" on PATH. */
  bwrapPath?: string;
}

export interface WrappedCommand {
  file: string;
  args: string[];
  env: Record<string, string | undefined>;
  cwd: string;
  sandboxed: boolean;
  /** Set when the command runs unsandboxed (policy allow_unsandboxed); carry it into the result. */
  warning?: string;
  /** How the process and memory limits are enforced (for the result). */
  limits?: string;
  /** What stopped the sandbox when a limit did (the whole sandbox is killed then); null otherwise. */
  limitExceeded(): string | null;
  /** Stops the network bridges and the limit watcher, removes sockets and cgroups. Call after the process ended. */
  dispose(): Promise<void>;
}

/** bwrap is missing or unusable and the policy is "refuse". */
export class SandboxUnavailableError extends DevGodzillaError {
  readonly reason: string;
  constructor(reason: string) {
    super(`sandbox unavailable: ${reason}`, {
      hint: "install bubblewrap (apt-get install bubblewrap) and allow unprivileged user namespaces, or set the sandbox policy to allow_unsandboxed",
    });
    this.reason = reason;
  }
}

/** A limit of the sandbox (processes, memory) was reached: the whole sandbox was stopped. */
export class SandboxLimitError extends DevGodzillaError {
  constructor(what: string, phase: SandboxPhase, cause?: unknown) {
    super(`the ${phase === "setup" ? "install step's" : "agent's"} sandbox was stopped: ${what}`, {
      hint: "if the task really needs more, raise sandbox.max_processes / sandbox.max_memory_mb in the agents resource",
      cause,
    });
  }
}

/** The first limit any of these sandboxes hit, as a SandboxLimitError (null when none did). */
export function limitError(wrapped: readonly WrappedCommand[], phase: SandboxPhase, cause?: unknown): SandboxLimitError | null {
  const hit = wrapped.map((w) => w.limitExceeded()).find((x): x is string => !!x);
  return hit ? new SandboxLimitError(hit, phase, cause) : null;
}

export interface AllowedEndpoint {
  host: string;
  port: number;
  loopback: boolean;
}

/**
 * Hidden even where they fall inside a visible area (the allow-list keeps them out otherwise):
 * the local runner's resources file and state folder, and DEVGODZILLA_SANDBOX_HIDE.
 */
export function defaultHiddenPaths(): string[] {
  return [
    process.env.DEVGODZILLA_RESOURCES_FILE,
    path.resolve("resources", "local.yaml"),
    process.env.DEVGODZILLA_STATE_DIR,
    path.resolve(".devgodzilla"),
    ...(process.env.DEVGODZILLA_SANDBOX_HIDE ?? "").split(":"),
  ].filter((p): p is string => !!p && path.isAbsolute(p));
}

/**
 * Registers paths no sandbox of this process may show, whatever visible area they fall in: the
 * local runner hands over the resources file and state folder it actually uses (`--resources
 * <path>`, `--state-dir`, a relative or /proc/self/cwd/… spelling — all resolved when hidden).
 */
export function hideFromSandboxes(...paths: (string | undefined)[]): void {
  const known = (process.env.DEVGODZILLA_SANDBOX_HIDE ?? "").split(":").filter(Boolean);
  const added = paths
    .filter((p): p is string => !!p)
    .map((p) => path.resolve(p))
    .filter((p) => !known.includes(p));
  process.env.DEVGODZILLA_SANDBOX_HIDE = [...known, ...added].join(":");
}

// ---------------------------------------------------------------------------------------------

const probeCache = new Map<string, { ok: true } | { ok: false; reason: string }>();

/** Checks once per bwrap path that it exists AND can create the namespaces we use. */
export function probeBwrap(bwrapPath = "bwrap"): { ok: true } | { ok: false; reason: string } {
  const cached = probeCache.get(bwrapPath);
  if (cached) return cached;
  const r = spawnSync(bwrapPath, ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--unshare-all", "--die-with-parent", "--", "true"], {
    encoding: "utf8",
    timeout: 10_000,
  });
  let res: { ok: true } | { ok: false; reason: string };
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    res = { ok: false, reason: code === "ENOENT" ? `${bwrapPath} not found on PATH` : `${bwrapPath}: ${r.error.message}` };
  } else if (r.status !== 0) {
    res = { ok: false, reason: `${bwrapPath} cannot create namespaces here: ${(r.stderr || "").trim() || `exit ${r.status}`}` };
  } else res = { ok: true };
  probeCache.set(bwrapPath, res);
  return res;
}

/** Parses "host:port", "[::1]:port" or a URL (default ports 80/443) into an endpoint. */
export function parseEndpoint(entry: string): AllowedEndpoint {
  let host: string;
  let port: number;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(entry)) {
    let u: URL;
    try {
      u = new URL(entry);
    } catch {
      throw new InputError("allowHosts", `not a URL or host:port: ${JSON.stringify(entry)}`);
    }
    host = u.hostname.replace(/^\[|\]$/g, "");
    port = u.port ? Number(u.port) : u.protocol === "https:" ? 443 : 80;
  } else {
    const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(entry);
    if (!m) throw new InputError("allowHosts", `expected host:port or a URL, got ${JSON.stringify(entry)}`);
    host = m[1];
    port = Number(m[2]);
  }
  if (!host || !/^[A-Za-z0-9.:_-]+$/.test(host)) throw new InputError("allowHosts", `bad host in ${JSON.stringify(entry)}`);
  if (!(port > 0 && port < 65536)) throw new InputError("allowHosts", `bad port in ${JSON.stringify(entry)}`);
  const loopback = host === "localhost" || /^127\./.test(host) || host === "::1";
  return { host, port, loopback };
}

interface Bridge {
  /** Where the sandboxed client connects (inside the sandbox's own network namespace). */
  listenHost: string;
  port: number;
  socket: string;
}

/** The launcher runs INSIDE the sandbox: opens the bridge listeners, then runs the real command. */
const LAUNCHER = `import net from "node:net";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
const cfg = JSON.parse(readFileSync(process.argv[2], "utf8"));
const cmd = process.argv.slice(3);
const servers = [];
for (const b of cfg.bridges) {
  await new Promise((resolve, reject) => {
    const s = net.createServer((c) => {
      const u = net.connect(b.socket);
      c.pipe(u); u.pipe(c);
      c.on("error", () => u.destroy()); u.on("error", () => c.destroy());
    });
    s.once("error", reject);
    s.listen({ host: b.listenHost, port: b.port, exclusive: true }, resolve);
    servers.push(s);
  });
}
const child = spawn(cmd[0], cmd.slice(1), { stdio: "inherit" });
for (const sig of ["SIGTERM", "SIGINT", "SIGHUP"]) process.on(sig, () => child.kill(sig));
child.on("error", (e) => { process.stderr.write("sandbox: cannot start " + cmd[0] + ": " + e.message + "\\n"); process.exit(127); });
child.on("exit", (code, signal) => {
  for (const s of servers) s.close();
  process.exit(code ?? (signal ? 128 + ({ SIGKILL: 9, SIGTERM: 15, SIGINT: 2, SIGHUP: 1 }[signal] ?? 1) : 1));
});
`;

/** Host side of a bridge: accepts on a unix socket, connects only to its one endpoint. */
async function startForwarder(socket: string, ep: AllowedEndpoint): Promise<net.Server> {
  const server = net.createServer((c) => {
    const up = net.connect({ host: ep.host === "localhost" ? "127.0.0.1" : ep.host, port: ep.port });
    c.pipe(up);
    up.pipe(c);
    c.on("error", () => up.destroy());
    up.on("error", () => c.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(socket, () => resolve());
  });
  return server;
}

/** The bridges of the execute phase: forwarders here, listeners inside (via the launcher). */
async function startBridges(endpoints: AllowedEndpoint[], ctl: string, servers: net.Server[]): Promise<{ bridges: Bridge[]; hosts: string[] }> {
  const bridges: Bridge[] = [];
  const hosts: string[] = ["127.0.0.1 localhost", "::1 localhost ip6-localhost ip6-loopback"];
  let alias = 10;
  for (const [i, ep] of endpoints.entries()) {
    const socket = path.join(ctl, `ep${i}.sock`);
    servers.push(await startForwarder(socket, ep));
    if (ep.loopback) {
      bridges.push({ listenHost: ep.host === "localhost" ? "127.0.0.1" : ep.host, port: ep.port, socket });
      continue;
    }
    const existing = hosts.find((l) => l.endsWith(` ${ep.host}`));
    const ip = existing ? existing.split(" ")[0]! : `127.0.${Math.floor(alias / 250)}.${(alias % 250) + 2}`;
    if (!existing) {
      alias++;
      hosts.push(`${ip} ${ep.host}`);
    }
    bridges.push({ listenHost: ip, port: ep.port, socket });
  }
  return { bridges, hosts };
}

/**
 * HOME inside the sandbox: the caller's when it lies in the temp dir or worktree (the agent adapter
 * wrote its config there), else a fresh folder in the temp dir. Never the worker's.
 */
async function sandboxHome(env: Record<string, string | undefined>, tmp: string, worktree: string): Promise<string> {
  const h = env.HOME ? real(env.HOME) : "";
  const inside = (p: string, d: string) => p === d || p.startsWith(d + path.sep);
  if (h && (inside(h, tmp) || inside(h, worktree))) return env.HOME!;
  const fresh = path.join(tmp, "home");
  await mkdir(fresh, { recursive: true });
  return fresh;
}

/** The command that enters the limits (cgroups, seccomp fd, rlimits) and then execs bwrap. */
function launchCommand(bwrap: string, bwrapArgs: string[], limits: AppliedLimits, seccompFile: string | null): { file: string; args: string[] } {
  const inner = [...limits.prefix, bwrap, ...bwrapArgs];
  if (!limits.procsFiles.length && !seccompFile) return { file: inner[0]!, args: inner.slice(1) };
  // A fixed script with positional arguments (no string building): join each cgroup, open the
  // seccomp program on fd 3 for bwrap, exec. sh keeps its pid, so bwrap is in the cgroups from its
  // first instruction.
  const script =
    'f=$1; shift; while [ "$1" != -- ]; do echo $$ > "$1" || exit 125; shift; done; shift; if [ -n "$f" ]; then exec "$@" 3< "$f"; else exec "$@"; fi';
  return { file: "/bin/sh", args: ["-c", script, "devgodzilla-sandbox", seccompFile ?? "", ...limits.procsFiles, "--", ...inner] };
}

/**
 * Without an explicit `programs`, an execute-phase command's own file and the absolute paths it is
 * given (`node /opt/tools/tsc/bin/tsc`) — but nothing under the worker's HOME: what lives there is
 * visible only when a caller names it as the agent's installation. Setup commands come from the
 * repository and get none.
 */
function defaultProgramsOf(cmd: SandboxCommand): string[] {
  const home = real(homedir());
  return [cmd.file, ...cmd.args].filter((p) => path.isAbsolute(p) && existsSync(p) && !(real(p) + path.sep).startsWith(home + path.sep));
}

function unsandboxed(cmd: SandboxCommand, reason: string): WrappedCommand {
  return {
    file: cmd.file,
    args: [...cmd.args],
    env: { ...(cmd.env ?? {}) },
    cwd: cmd.cwd,
    sandboxed: false,
    warning: `ran WITHOUT a sandbox (policy allow_unsandboxed): ${reason}`,
    limitExceeded: () => null,
    dispose: async () => {},
  };
}

/**
 * Wraps a command so it runs inside bubblewrap for the given phase. The returned
 * { file, args, env, cwd } is what runProcess executes; call dispose() once it has ended.
 */
export async function wrapInSandbox(cmd: SandboxCommand, opts: SandboxOptions): Promise<WrappedCommand> {
  const policy = opts.policy ?? "refuse";
  if (!path.isAbsolute(opts.worktree)) throw new InputError("worktree", "must be an absolute path");
  if (!path.isAbsolute(opts.tmpDir)) throw new InputError("tmpDir", "must be an absolute path");
  if (!existsSync(opts.worktree)) throw new InputError("worktree", `does not exist: ${opts.worktree}`);
  const endpoints = opts.phase === "execute" ? (opts.allowHosts ?? []).map(parseEndpoint) : [];

  const probe = probeBwrap(opts.bwrapPath);
  if (!probe.ok) {
    if (policy === "refuse") throw new SandboxUnavailableError(probe.reason);
    return unsandboxed(cmd, probe.reason);
  }

  await mkdir(opts.tmpDir, { recursive: true });
  const worktree = real(opts.worktree);
  const tmp = real(opts.tmpDir);
  // Sockets, the launcher and the seccomp program live OUTSIDE the writable areas (read-only inside).
  const ctl = await mkdtemp(path.join(tmpdir(), "dgz-sbx-"));
  const servers: net.Server[] = [];
  const limits = applyLimits(
    { maxProcesses: opts.limits?.maxProcesses ?? DEFAULT_LIMITS.maxProcesses, maxMemoryMb: opts.limits?.maxMemoryMb ?? DEFAULT_LIMITS.maxMemoryMb },
    `devgodzilla-${path.basename(ctl)}-${randomBytes(3).toString("hex")}`,
  );
  const dispose = async () => {
    await limits.dispose();
    await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    await rm(ctl, { recursive: true, force: true });
  };

  try {
    const emptyFile = path.join(ctl, "empty");
    await writeFile(emptyFile, "");
    const env: Record<string, string | undefined> = { ...(cmd.env ?? {}), TMPDIR: tmp };
    let inner: string[] = [cmd.file, ...cmd.args];
    const files: [string, string][] = [];
    const phaseArgs: string[] = [];
    let seccompFile: string | null = null;
    if (opts.phase === "setup") {
      seccompFile = path.join(ctl, "no-unix-sockets.bpf");
      await writeFile(seccompFile, noUnixSocketsFilter());
      phaseArgs.push("--share-net", "--seccomp", "3");
    } else {
      // --unshare-all gives a private network namespace with only loopback; the bridges add the endpoints.
      const { bridges, hosts } = await startBridges(endpoints, ctl, servers);
      const hostsFile = path.join(ctl, "hosts");
      await writeFile(hostsFile, hosts.join("\n") + "\n");
      files.push([hostsFile, "/etc/hosts"]);
      const cfgFile = path.join(ctl, "bridges.json");
      await writeFile(cfgFile, JSON.stringify({ bridges }));
      const launcher = path.join(ctl, "launcher.mjs");
      await writeFile(launcher, LAUNCHER);
      // Proxy variables from the worker would point at a host the sandbox cannot reach.
      for (const k of ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"]) env[k] = undefined;
      inner = [process.execPath, launcher, cfgFile, ...inner];
    }
    const defaultPrograms = opts.phase === "execute" ? defaultProgramsOf(cmd) : [];
    const view = buildView({
      worktree,
      tmpDir: tmp,
      emptyFile,
      files,
      programs: opts.programs ?? defaultPrograms,
      toolchains: toolchainsFor(opts.languages ?? [], [cmd.file]),
      readOnly: [ctl, ...(opts.readOnly ?? [])],
      hide: opts.hide ?? defaultHiddenPaths(),
    });
    for (const [k, v] of Object.entries(view.env)) env[k] ??= v;
    env.HOME = await sandboxHome(env, tmp, worktree);
    // Every namespace (the network one too, except in setup); a fresh session so the agent cannot
    // push input into our terminal (TIOCSTI); killed when the runner (its parent) dies.
    const a = [...view.args, "--unshare-all", "--new-session", "--die-with-parent", ...phaseArgs];
    a.push("--chdir", real(cmd.cwd), "--", ...inner);
    const launch = launchCommand(opts.bwrapPath ?? "bwrap", a, limits, seccompFile);
    limits.watch();
    return { ...launch, env, cwd: cmd.cwd, sandboxed: true, limits: limits.mechanism, limitExceeded: () => limits.exceeded(), dispose };
  } catch (e) {
    await dispose();
    throw e;
  }
}

/** A fresh temp dir for one task (HOME, caches); the caller removes it. */
export async function makeTaskTmpDir(prefix = "dgz-task-"): Promise<string> {
  return mkdtemp(path.join(tmpdir(), prefix));
}
