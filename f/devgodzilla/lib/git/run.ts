// The one way DevGodzilla runs git. Every git process of the bundle starts here, so one place owns:
//  - the time limit, chosen by the kind of operation (a query, work on the tree, the network);
//    on expiry the whole process group is stopped (git's helpers — remote-https, ssh,
//    pack-objects — included), SIGTERM first so git removes its lock files, then SIGKILL;
//  - the environment: built from scratch, never inherited — no ambient GIT_* variable (a stray
//    GIT_DIR or GIT_INDEX_FILE would point git at another repository), no system or user config
//    (hooksPath, insteadOf, gpgsign, pager…), no prompt, no terminal, messages in English;
//  - credentials: an http extra header in the child's environment, never on a command line;
//  - errors: one typed GitError with the arguments, exit code and stderr, all redacted;
//  - the secret scan (./secret-scan.ts): before every `commit` and every `push`, whoever asks for
//    it, a secret in scope or a key shape in what would be recorded or sent is a SecretInChangeError.
// Output is returned as git wrote it: the caller decides what to log and redacts it then (the
// Security gate must see committed secrets verbatim to report them).

import { execa } from "execa";
import { DevGodzillaError } from "../errors.ts";
import { groupAlive, killGroup, trackGroup, untrackGroup, baseEnv } from "../process.ts";
import { Redactor } from "../redact.ts";
import { scanAnyPush, scanCommit, SecretInChangeError } from "./secret-scan.ts";

// ---------------------------------------------------------------------------------------------
// Exported types

/** How long git may take depends on what it does, not on who calls it. */
export type GitOpKind = "query" | "worktree" | "remote";

export interface GitCredentials {
  username: string;
  password: string;
}

export interface GitRunOptions {
  /** Directory git runs in. */
  cwd: string;
  /** Written to git's stdin (e.g. a patch for `git apply -`). */
  input?: string;
  /** A throwaway index (GIT_INDEX_FILE) — the only GIT_* variable a caller may set. */
  indexFile?: string;
  /** Sent as `Authorization: Basic …` to requests under `authUrl` only. */
  credentials?: GitCredentials;
  authUrl?: string;
  /** Secrets (beyond the credentials) that must not appear in an error. */
  redactor?: Redactor;
  /** Exit codes that are answers, not failures (`merge-base --is-ancestor` → 1 = no). */
  okExitCodes?: readonly number[];
  /** Overrides the kind's time limit. */
  timeoutMs?: number;
  /** Cap on stdout/stderr; more is a GitError. Default 512 MiB. */
  maxBuffer?: number;
  /** Names what git was working on in the error (a URL, a branch). */
  context?: string;
  /** What to do when it fails; a default is chosen from the kind. */
  hint?: string;
  /** Secret values (beyond those in scope) a commit or push must not contain. */
  secrets?: Iterable<string>;
  /** Set by pushBranch only: it has scanned exactly the commits the remote lacks. */
  pushScanned?: boolean;
}

export interface GitResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

// ---------------------------------------------------------------------------------------------
// Time limits per kind of operation

export const GIT_TIMEOUT_MS: Readonly<Record<GitOpKind, number>> = {
  /** Reading refs, objects and config: milliseconds normally; 30 s means something is stuck. */
  query: 30_000,
  /** Scanning or writing the work tree and history (add, diff, status, merge, apply, checkout). */
  worktree: 300_000,
  /** Talking to a remote (clone, fetch, push, ls-remote). */
  remote: 300_000,
};

const REMOTE_COMMANDS = new Set(["clone", "fetch", "push", "ls-remote", "pull"]);
const QUERY_COMMANDS = new Set([
  "rev-parse",
  "config",
  "remote",
  "cat-file",
  "for-each-ref",
  "merge-base",
  "symbolic-ref",
  "show-ref",
  "check-ref-format",
  "var",
]);
/** Time between SIGTERM and SIGKILL: long enough for git to remove its lock files. */
const KILL_GRACE_MS = 2_000;
const DEFAULT_MAX_BUFFER = 512 * 1024 * 1024;

/** The git subcommand in `args`, past global options (`-c k=v`, `--git-dir …`). */
export function gitSubcommand(args: readonly string[]): string {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "-c" || a === "-C" || a === "--git-dir" || a === "--work-tree") i++;
    else if (!a.startsWith("-")) return a;
  }
  return "";
}

export function gitOpKind(args: readonly string[]): GitOpKind {
  const sub = gitSubcommand(args);
  if (REMOTE_COMMANDS.has(sub)) return "remote";
  return QUERY_COMMANDS.has(sub) ? "query" : "worktree";
}

// ---------------------------------------------------------------------------------------------
// Errors

/** git failed: the arguments, exit code and stderr (redacted) say how, `hint` what to do. */
export class GitError extends DevGodzillaError {
  /** The arguments, redacted. */
  readonly args: readonly string[];
  /** null when git was killed or could not start. */
  readonly exitCode: number | null;
  /** The end of git's stderr, redacted. */
  readonly stderr: string;
  readonly timedOut: boolean;
  readonly kind: GitOpKind;
  /** What went wrong, without the hint (for callers that wrap it in their own error). */
  readonly detail: string;
  constructor(f: {
    args: readonly string[];
    exitCode: number | null;
    stderr: string;
    timedOut?: boolean;
    kind: GitOpKind;
    detail: string;
    context?: string;
    hint?: string;
    cause?: unknown;
  }) {
    super(`git ${gitSubcommand(f.args) || f.args.join(" ")} failed${f.context ? ` (${f.context})` : ""}: ${f.detail}`, { hint: f.hint, cause: f.cause });
    this.args = f.args;
    this.exitCode = f.exitCode;
    this.stderr = f.stderr;
    this.timedOut = f.timedOut ?? false;
    this.kind = f.kind;
    this.detail = `git ${gitSubcommand(f.args)} failed: ${f.detail}`;
  }
}

/**
 * What git prints (LC_ALL=C) when a remote answered and refused: no such repository, or
 * credentials it does not accept — git's own http.c messages ("Authentication failed for",
 * "repository … not found", "The requested URL returned error: 401/403/404"), a missing local
 * repository, and ssh's refusal. Asking again cannot change such an answer; a network failure,
 * a timeout or a server error (5xx) is not one.
 */
const REFUSED =
  /Authentication failed for|could not read (Username|Password)|[Rr]epository '[^']*' not found|Repository not found|returned error: (401|403|404)\b|does not appear to be a git repository|Permission denied \(publickey/;

/** The remote refused the request for good (see REFUSED): bad input, not a reason to retry. */
export function refusedByRemote(e: unknown): boolean {
  return e instanceof GitError && e.kind === "remote" && !e.timedOut && REFUSED.test(e.stderr);
}

const DEFAULT_HINTS: Record<GitOpKind, string> = {
  query: "check that the commit, branch or path exists in the repository",
  worktree: "check the working copy (disk space, permissions, a leftover .git/index.lock)",
  remote: "check the URL, network access and credentials",
};

// ---------------------------------------------------------------------------------------------
// Environment

/** Variables a git child may take from this process besides the minimal base (ssh agent, proxies, CA bundle). */
const PASS_THROUGH = [
  "SSH_AUTH_SOCK",
  "HTTP_PROXY",
  "HTTPS_PROXY",
  "NO_PROXY",
  "ALL_PROXY",
  "http_proxy",
  "https_proxy",
  "no_proxy",
  "all_proxy",
  "SSL_CERT_FILE",
  "SSL_CERT_DIR",
];

/** The complete environment of a git child: nothing ambient beyond the base and PASS_THROUGH. */
export function gitEnv(opts: Pick<GitRunOptions, "credentials" | "authUrl" | "indexFile"> = {}): Record<string, string> {
  const env: Record<string, string> = baseEnv();
  for (const name of PASS_THROUGH) {
    const v = process.env[name];
    if (v !== undefined) env[name] = v;
  }
  Object.assign(env, {
    LC_ALL: "C", // English messages: callers read a few of them (push rejections)
    GIT_TERMINAL_PROMPT: "0",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
  });
  if (opts.indexFile) env.GIT_INDEX_FILE = opts.indexFile;
  if (opts.credentials && opts.authUrl) {
    const basic = Buffer.from(`${opts.credentials.username}:${opts.credentials.password}`).toString("base64");
    env.GIT_CONFIG_COUNT = "1";
    env.GIT_CONFIG_KEY_0 = `http.${opts.authUrl}.extraHeader`;
    env.GIT_CONFIG_VALUE_0 = `Authorization: Basic ${basic}`;
  }
  return env;
}

/** A redactor that knows the credentials (also in their Basic form) and any secrets the caller had. */
export function gitRedactor(credentials?: GitCredentials, extra?: Redactor): Redactor {
  const r = new Redactor(extra?.secrets() ?? []);
  if (credentials) r.add(credentials.password).add(Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64"));
  return r;
}

/** Redacts secrets and the user-info part of http(s) URLs (`https://user:pass@host` → `https://***@host`). */
function redactText(r: Redactor, text: string): string {
  return r.redact(text).replace(/(\bhttps?:\/\/)[^/@\s]+@/gi, "$1***@");
}

// ---------------------------------------------------------------------------------------------
// Running

/**
 * Runs git with `args` in `opts.cwd`. Resolves for exit 0 and for `okExitCodes`; everything else
 * (another exit code, a timeout, too much output, git missing) is a GitError.
 */
export async function runGit(args: readonly string[], opts: GitRunOptions): Promise<GitResult> {
  await refuseSecrets(args, opts);
  const kind = gitOpKind(args);
  const timeoutMs = opts.timeoutMs ?? GIT_TIMEOUT_MS[kind];
  const child = execa("git", [...args], {
    cwd: opts.cwd,
    env: gitEnv(opts),
    extendEnv: false,
    input: opts.input,
    stdin: opts.input === undefined ? "ignore" : undefined,
    reject: false,
    stripFinalNewline: false,
    maxBuffer: opts.maxBuffer ?? DEFAULT_MAX_BUFFER,
    // Its own process group and no controlling terminal: a kill reaches git's helpers, and ssh
    // cannot ask for a passphrase.
    detached: true,
  });
  const pid = child.pid;
  if (pid !== undefined) trackGroup(pid);
  let timedOut = false;
  let killTimer: NodeJS.Timeout | undefined;
  const timer = setTimeout(() => {
    if (pid === undefined) return;
    timedOut = true;
    killGroup(pid, "SIGTERM");
    killTimer = setTimeout(() => killGroup(pid, "SIGKILL"), KILL_GRACE_MS);
  }, timeoutMs);
  const r = await child;
  clearTimeout(timer);
  if (killTimer) clearTimeout(killTimer);
  if (pid !== undefined) {
    // git is gone; a helper it left behind (a stuck remote-https) goes too.
    if (groupAlive(pid)) killGroup(pid, "SIGKILL");
    untrackGroup(pid);
  }

  const stdout = String(r.stdout ?? "");
  const stderr = String(r.stderr ?? "");
  const exitCode = typeof r.exitCode === "number" ? r.exitCode : null;
  if (exitCode !== null && !timedOut && !r.isMaxBuffer && (exitCode === 0 || opts.okExitCodes?.includes(exitCode))) {
    return { exitCode, stdout, stderr };
  }
  throw gitFailure(
    args,
    {
      exitCode,
      stdout,
      stderr,
      timedOut,
      signal: r.signal ?? null,
      overflow: Boolean(r.isMaxBuffer),
      spawnCode: (r as { code?: string }).code,
    },
    { ...opts, timeoutMs },
  );
}

/** The secret scan of every commit and push (see the header); nothing runs when it finds one. */
async function refuseSecrets(args: readonly string[], opts: GitRunOptions): Promise<void> {
  const sub = gitSubcommand(args);
  if (sub !== "commit" && !(sub === "push" && !opts.pushScanned)) return;
  const query = async (a: readonly string[]) => (await runGit(a, { cwd: opts.cwd, indexFile: opts.indexFile, redactor: opts.redactor })).stdout;
  const findings = sub === "commit" ? await scanCommit(args, query, opts.cwd, opts.secrets) : await scanAnyPush(query, opts.secrets);
  if (findings.length) throw new SecretInChangeError(sub, findings);
}

/** How a git run ended, as far as the error needs to know. */
export interface GitOutcome {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  timedOut?: boolean;
  signal?: string | null;
  /** The output exceeded maxBuffer. */
  overflow?: boolean;
  /** Set when git could not start (ENOENT…). */
  spawnCode?: string;
}

/**
 * The GitError for a run that failed — also for callers that accepted an exit code as an answer
 * and then found it was not one (a merge that exited 1 without conflicts). Everything is redacted.
 */
export function gitFailure(args: readonly string[], o: GitOutcome, opts: Omit<GitRunOptions, "cwd"> = {}): GitError {
  const kind = gitOpKind(args);
  const red = gitRedactor(opts.credentials, opts.redactor);
  const lastLines = (text: string, n: number) => redactText(red, text.trim().split("\n").filter(Boolean).slice(-n).join(" | "));
  let detail: string;
  let hint = opts.hint ?? DEFAULT_HINTS[kind];
  if (o.timedOut) detail = `no answer within ${Math.round((opts.timeoutMs ?? GIT_TIMEOUT_MS[kind]) / 1000)} s; stopped`;
  else if (o.overflow) detail = `its output exceeded ${opts.maxBuffer ?? DEFAULT_MAX_BUFFER} bytes`;
  else if (o.exitCode === null && o.spawnCode && !o.signal) {
    detail = `cannot start git (${o.spawnCode})`;
    if (o.spawnCode === "ENOENT") hint = "install git or put it on PATH";
  } else if (o.exitCode === null) detail = `killed by ${o.signal ?? "a signal"}`;
  else detail = lastLines(o.stderr, 6) || lastLines(o.stdout, 3) || `exit code ${o.exitCode}`;
  return new GitError({
    args: args.map((a) => redactText(red, a)),
    exitCode: o.exitCode,
    stderr: redactText(red, o.stderr.slice(-4096)),
    timedOut: o.timedOut ?? false,
    kind,
    detail,
    context: opts.context === undefined ? undefined : redactText(red, opts.context),
    hint,
  });
}

// ---------------------------------------------------------------------------------------------
// A repository handle

export type GitCallOptions = Omit<GitRunOptions, "cwd" | "credentials" | "authUrl">;

/** git bound to one directory (and, for a remote, its credentials). */
export interface Git {
  /** stdout of a command that must succeed. */
  run(args: readonly string[], opts?: GitCallOptions): Promise<string>;
  /** A yes/no question answered by the exit code: 0 yes, 1 no; anything else is a GitError. */
  test(args: readonly string[], opts?: GitCallOptions): Promise<boolean>;
  /** The whole result; exit codes in `okExitCodes` come back instead of failing. */
  exec(args: readonly string[], opts?: GitCallOptions): Promise<GitResult>;
}

export function gitAt(dir: string, auth: { credentials?: GitCredentials; authUrl?: string; redactor?: Redactor } = {}): Git {
  const base = (opts?: GitCallOptions): GitRunOptions => ({ redactor: auth.redactor, ...opts, cwd: dir, credentials: auth.credentials, authUrl: auth.authUrl });
  return {
    run: async (args, opts) => (await runGit(args, base(opts))).stdout,
    test: async (args, opts) => (await runGit(args, { ...base(opts), okExitCodes: [1] })).exitCode === 0,
    exec: (args, opts) => runGit(args, base(opts)),
  };
}
