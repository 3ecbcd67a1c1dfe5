// Sandbox for agent and install processes: bubblewrap with argument arrays, two phases.
//
//   setup   — network on (the project's install command fetches packages); writes only in the
//             worktree and the task's temp dir; the rest of the filesystem read-only.
//   execute — no network except the allow-listed model endpoints; same write rules.
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
import { existsSync, realpathSync, statSync } from "node:fs";
import net from "node:net";
import { tmpdir, homedir } from "node:os";
import path from "node:path";
import { DevGodzillaError, InputError } from "../errors.ts";

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
   * Paths mounted read-only: inside the writable areas (e.g. context files: stay read-only) or
   * under a hidden path (e.g. the git mirror cache a working copy borrows objects from).
   */
  readOnly?: readonly string[];
  /**
   * Paths replaced by an empty tmpfs. Default: the system temp dir (other jobs' worktrees) and
   * the credential files of the worker's HOME (~/.ssh, ~/.git-credentials, ~/.npmrc, ~/.aws …).
   * The worktree, temp dir and readOnly paths are mounted again on top.
   */
  hide?: readonly string[];
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
  /** Stops the network bridges and removes their sockets. Call after the process ended. */
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

export interface AllowedEndpoint {
  host: string;
  port: number;
  loopback: boolean;
}

/** What is hidden by default: other jobs' files and the worker's credentials. */
export function defaultHiddenPaths(): string[] {
  const home = homedir();
  const creds = [".ssh", ".git-credentials", ".gitconfig", ".npmrc", ".yarnrc.yml", ".pypirc", ".netrc", ".docker", ".aws", ".azure", ".kube", ".gnupg", ".config/gh", ".config/gcloud", ".config/hub", ".cargo/credentials.toml", ".config/devgodzilla"];
  // The local runner's secrets file and run journal (resources/local.yaml, .devgodzilla/) and
  // anything listed in DEVGODZILLA_SANDBOX_HIDE (":"-separated absolute paths).
  const local = [
    process.env.DEVGODZILLA_RESOURCES_FILE,
    path.resolve("resources", "local.yaml"),
    process.env.DEVGODZILLA_STATE_DIR,
    path.resolve(".devgodzilla"),
    ...(process.env.DEVGODZILLA_SANDBOX_HIDE ?? "").split(":"),
  ].filter((p): p is string => !!p && path.isAbsolute(p));
  return [tmpdir(), ...creds.map((c) => path.join(home, c)), ...local];
}

// ---------------------------------------------------------------------------------------------

const probeCache = new Map<string, { ok: true } | { ok: false; reason: string }>();

/** Checks once per bwrap path that it exists AND can create the namespaces we use. */
export function probeBwrap(bwrapPath = "bwrap"): { ok: true } | { ok: false; reason: string } {
  const cached = probeCache.get(bwrapPath);
  if (cached) return cached;
  const r = spawnSync(
    bwrapPath,
    ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--unshare-all", "--die-with-parent", "--", "true"],
    { encoding: "utf8", timeout: 10_000 },
  );
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

function real(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

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
    return {
      file: cmd.file,
      args: [...cmd.args],
      env: { ...(cmd.env ?? {}) },
      cwd: cmd.cwd,
      sandboxed: false,
      warning: `ran WITHOUT a sandbox (policy allow_unsandboxed): ${probe.reason}`,
      dispose: async () => {},
    };
  }

  await mkdir(opts.tmpDir, { recursive: true });
  const worktree = real(opts.worktree);
  const tmp = real(opts.tmpDir);
  // Sockets and the launcher live OUTSIDE the writable areas, so the agent cannot replace them.
  const ctl = await mkdtemp(path.join(tmpdir(), "dgz-sbx-"));
  const servers: net.Server[] = [];
  const dispose = async () => {
    await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    await rm(ctl, { recursive: true, force: true });
  };

  try {
    const a: string[] = [
      "--ro-bind", "/", "/",
      "--dev", "/dev",
      "--proc", "/proc",
      "--tmpfs", "/dev/shm",
    ];
    const emptyFile = path.join(ctl, "empty");
    // Hidden paths first, then everything the command needs mounted again on top of them.
    const hidden: string[] = [];
    // Parents first; a path inside one already hidden is hidden with it (a second tmpfs nested in
    // a hidden one could not be remounted read-only).
    const toHide = (opts.hide ?? defaultHiddenPaths()).filter((h) => existsSync(h)).map(real).sort((x, y) => x.length - y.length);
    for (const rh of toHide) {
      if (hidden.some((h) => rh === h || rh.startsWith(h + path.sep))) continue;
      if (rh === "/" || real(process.execPath).startsWith(rh + path.sep)) continue; // never hide the runtime
      if (statSync(rh).isDirectory()) {
        a.push("--tmpfs", rh);
        hidden.push(rh);
      } else {
        // A file reads as empty (an empty regular file: a bound /dev/null would be a device on
        // a nodev mount, which fails with EACCES and breaks e.g. git reading ~/.gitconfig).
        if (!existsSync(emptyFile)) await writeFile(emptyFile, "");
        a.push("--ro-bind", emptyFile, rh);
      }
    }
    const under = (p: string) => hidden.some((h) => p === h || p.startsWith(h + path.sep));
    // The program and the files it is given (an agent CLI or a tool installed under a hidden
    // path, e.g. a checkout in the temp dir) come back read-only: for a file inside node_modules
    // the whole top-most node_modules (its dependencies), else its folder.
    const programRoots = new Set<string>();
    for (const f of [cmd.file, ...cmd.args]) {
      if (!path.isAbsolute(f) || !existsSync(f)) continue;
      for (const p of [path.resolve(f), real(f)]) {
        if (!under(p)) continue;
        const nm = p.indexOf(`${path.sep}node_modules${path.sep}`);
        programRoots.add(nm >= 0 ? p.slice(0, nm + "/node_modules".length) : path.dirname(p));
      }
    }
    // Before the worktree and temp dir binds, so a root that contains them cannot cover them.
    for (const d of programRoots) a.push("--ro-bind", d, d);
    a.push("--bind", worktree, worktree, "--bind", tmp, tmp);
    if (under(ctl)) a.push("--ro-bind", ctl, ctl);
    for (const p of opts.readOnly ?? []) {
      const rp = real(path.isAbsolute(p) ? p : path.join(worktree, p));
      if (existsSync(rp)) a.push("--ro-bind", rp, rp);
    }
    // The empty tmpfs over a hidden path becomes read-only too (after the mount points above were
    // created in it); the mounts on top of it keep their own modes.
    for (const h of hidden) a.push("--remount-ro", h);
    // Every namespace except the network one in setup; a fresh session so the agent cannot push
    // input into our terminal (TIOCSTI); killed when the runner (its parent) dies.
    a.push("--unshare-all", "--new-session", "--die-with-parent");
    if (opts.phase === "setup") a.push("--share-net");

    const env: Record<string, string | undefined> = { ...(cmd.env ?? {}), TMPDIR: tmp };
    let inner: string[] = [cmd.file, ...cmd.args];

    if (opts.phase === "execute") {
      // --unshare-all already gave us a private network namespace with only loopback.
      const bridges: Bridge[] = [];
      const hosts: string[] = ["127.0.0.1 localhost", "::1 localhost ip6-localhost ip6-loopback"];
      let alias = 10;
      for (const [i, ep] of endpoints.entries()) {
        const socket = path.join(ctl, `ep${i}.sock`);
        servers.push(await startForwarder(socket, ep));
        if (ep.loopback) {
          bridges.push({ listenHost: ep.host === "localhost" ? "127.0.0.1" : ep.host, port: ep.port, socket });
        } else {
          const existing = hosts.find((l) => l.endsWith(` ${ep.host}`));
          const ip = existing ? existing.split(" ")[0] : `127.0.${Math.floor(alias / 250)}.${(alias % 250) + 2}`;
          if (!existing) {
            alias++;
            hosts.push(`${ip} ${ep.host}`);
          }
          bridges.push({ listenHost: ip, port: ep.port, socket });
        }
      }
      const hostsFile = path.join(ctl, "hosts");
      await writeFile(hostsFile, hosts.join("\n") + "\n");
      a.push("--ro-bind", hostsFile, "/etc/hosts");
      const cfgFile = path.join(ctl, "bridges.json");
      await writeFile(cfgFile, JSON.stringify({ bridges }));
      const launcher = path.join(ctl, "launcher.mjs");
      await writeFile(launcher, LAUNCHER);
      // Proxy variables from the worker would point at a host the sandbox cannot reach.
      for (const k of ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"]) env[k] = undefined;
      inner = [process.execPath, launcher, cfgFile, ...inner];
    }

    a.push("--chdir", real(cmd.cwd), "--", ...inner);
    return { file: opts.bwrapPath ?? "bwrap", args: a, env, cwd: cmd.cwd, sandboxed: true, dispose };
  } catch (e) {
    await dispose();
    throw e;
  }
}

/** A fresh temp dir for one task (HOME, caches); the caller removes it. */
export async function makeTaskTmpDir(prefix = "dgz-task-"): Promise<string> {
  return mkdtemp(path.join(tmpdir(), prefix));
}
