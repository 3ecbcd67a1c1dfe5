// The git gateway: the only module the bundle imports for git. It validates a repository
// reference, keeps a per-worker bare mirror of each remote (so a step does not re-download the
// repo), gives each job a FRESH working copy of an exact commit, commits with a fixed identity and
// pushes the run branch. Workers are ephemeral: nothing here assumes a directory survives between
// jobs — the mirror is only a cache.
// Every git process runs through ./git/run.ts (time limit per kind of operation, scrubbed
// environment, typed GitError, redaction); git's -z listings are read by ./git/changes.ts; working
// copies carry their owner's marker (./git/owner.ts); every commit and push is scanned for secrets
// first (./git/secret-scan.ts). All are re-exported here: callers import this file, never ./git/*. Credentials never appear in a URL on
// disk or on a command line (they travel as an http.extraHeader in the child's environment).

import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { DevGodzillaError, InputError } from "./errors.ts";
import { markOwner } from "./git/owner.ts";
import { pidAlive } from "./process.ts";
import { GitError, gitAt, type Git, type GitCredentials } from "./git/run.ts";
import { scanUnpushed, SecretInChangeError } from "./git/secret-scan.ts";

export {
  GIT_TIMEOUT_MS,
  GitError,
  gitAt,
  gitEnv,
  gitFailure,
  gitOpKind,
  refusedByRemote,
  runGit,
  type Git,
  type GitCallOptions,
  type GitCredentials,
  type GitOpKind,
  type GitOutcome,
  type GitResult,
  type GitRunOptions,
} from "./git/run.ts";
export { parseNameStatusZ, parseRawZ, parseStatusZ, splitZ, type ChangeStatus, type FileChange, type RawChange } from "./git/changes.ts";
export { SecretInChangeError, findSecrets, secretNeedles, type SecretFinding } from "./git/secret-scan.ts";
export { OWNER_MARKER, currentWindmill, gitDirOf, markOwner, readOwner, sameWindmill, type OwnerMarker, type WindmillIdentity } from "./git/owner.ts";

// ---------------------------------------------------------------------------------------------
// Exported types

export type RepoKind = "https" | "http" | "ssh" | "git" | "file" | "local";

/** A validated repository reference. `url` never carries credentials. */
export interface RepoSpec {
  /** Credential-free URL or absolute local path; this is what git is pointed at. */
  readonly url: string;
  readonly kind: RepoKind;
  /** Basic-auth credentials taken out of an https URL (`https://user:token@host/...`). */
  readonly credentials?: GitCredentials;
}

export interface GitAuthOptions {
  /** A token for https remotes (GitHub: sent as user `x-access-token`). Never put on a command line. */
  token?: string;
  username?: string;
}

export interface CheckoutOptions extends GitAuthOptions {
  repo: string;
  /** Branch, tag or commit to check out. Ignored when `commit` is given. */
  ref?: string;
  /** Exact commit (full or abbreviated sha). Takes precedence over `ref`. */
  commit?: string;
  /** Local branch to create at the commit (e.g. the run branch); detached HEAD when omitted. */
  branch?: string;
  /** Mirror cache root; default $DEVGODZILLA_CACHE_DIR or ~/.cache/devgodzilla. */
  cacheDir?: string;
  /** Where the working copy directory is created; default os.tmpdir(). */
  workRoot?: string;
}

export interface WorkingCopy {
  /** Absolute path of the fresh working copy. */
  dir: string;
  /** git in this copy, with the remote's credentials. */
  git: Git;
  /** Full sha that was checked out. */
  commit: string;
  /** Local branch name, if one was created. */
  branch?: string;
  /** The validated repository (credential-free url). */
  repo: RepoSpec;
  /** Removes the working copy. Safe to call twice. */
  cleanup(): Promise<void>;
}

export type PushStatus = "created" | "updated" | "forced" | "up-to-date";

export interface PushResult {
  branch: string;
  commit: string;
  /** Credential-free URL (or path) of the remote the branch was pushed to. */
  remote: string;
  status: PushStatus;
  /** What the remote branch pointed at before the push (null when it did not exist). */
  previous: string | null;
}

export interface PushOptions extends GitAuthOptions {
  /** Allow a non-fast-forward update (uses --force-with-lease against what we just saw). */
  force?: boolean;
  /** Secrets beyond those in scope (lib/redact.ts secretsInScope) the pushed commits must not contain. */
  secrets?: Iterable<string>;
}

// ---------------------------------------------------------------------------------------------
// Errors (GitError, for any failed git command, comes from ./git/run.ts)

/** The remote refused the push because it is not a fast-forward. */
export class PushRejectedError extends DevGodzillaError {
  readonly branch: string;
  constructor(branch: string, remoteSha: string | null, localSha: string) {
    super(
      `push of ${localSha.slice(0, 12)} to branch '${branch}' was rejected: the remote branch is at ${remoteSha?.slice(0, 12) ?? "?"} and the push is not a fast-forward`,
      { hint: "check out the remote branch head and re-apply the work, or push with force: true" },
    );
    this.branch = branch;
  }
}

/** Waited too long for another job on this worker to finish updating a mirror. */
export class LockTimeoutError extends DevGodzillaError {
  constructor(lockPath: string, holder: string) {
    super(`timed out waiting for the mirror lock ${lockPath} (held by ${holder})`, {
      hint: "another job on this worker is fetching the same repository; retry, or delete the lock file if that job is gone",
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Constants: identity and run-branch naming (the one place these are defined)

export const DEVGODZILLA_AUTHOR = { name: "DevGodzilla", email: "devgodzilla@users.noreply.github.com" } as const;

/** Every branch DevGodzilla pushes lives under this prefix, so reconcile can find them. */
export const RUN_BRANCH_PREFIX = "devgodzilla/";
/** Onboarding commits go to `devgodzilla/onboard-<base>`: under the prefix, but not a feature run branch. */
export const ONBOARD_BRANCH_PREFIX = `${RUN_BRANCH_PREFIX}onboard-`;

/** Feature part of a run branch: Spec Kit's `NNN-short-name` (or timestamp) with no further `/`. */
const RUN_FEATURE_RE = /^(?:[0-9]{8}-[0-9]{6}|[0-9]{3,})-[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** The run branch for a feature: `devgodzilla/<feature>` (e.g. `devgodzilla/003-user-auth`). */
export function runBranchName(feature: string): string {
  const name = `${RUN_BRANCH_PREFIX}${feature}`;
  assertValidBranchName(name, "feature");
  return name;
}

/**
 * True for a feature's run branch `devgodzilla/NNN-short-name`. Task branches
 * (`devgodzilla/003-x-tasks/T001`) and onboarding branches (`devgodzilla/onboard-main`) are
 * DevGodzilla branches (isDevGodzillaBranch) but not run branches.
 */
export function isRunBranch(branch: string): boolean {
  return branch.startsWith(RUN_BRANCH_PREFIX) && RUN_FEATURE_RE.test(branch.slice(RUN_BRANCH_PREFIX.length));
}

/** Any branch DevGodzilla creates (run, task or onboarding branch). */
export function isDevGodzillaBranch(branch: string): boolean {
  return branch.startsWith(RUN_BRANCH_PREFIX) && branch.length > RUN_BRANCH_PREFIX.length;
}

/** The branch onboarding pushes for a base branch: `devgodzilla/onboard-main`. */
export function onboardBranchName(baseBranch: string): string {
  const name = `${ONBOARD_BRANCH_PREFIX}${baseBranch}`;
  assertValidBranchName(name, "base_branch");
  return name;
}

/** `devgodzilla/003-user-auth` → `003-user-auth`; null for branches that are not run branches. */
export function featureFromRunBranch(branch: string): string | null {
  return isRunBranch(branch) ? branch.slice(RUN_BRANCH_PREFIX.length) : null;
}

/** git check-ref-format rules for a branch name; throws InputError naming `field`. */
export function assertValidBranchName(name: string, field = "branch"): void {
  const problem = branchNameProblem(name);
  if (problem) throw new InputError(field, `'${printable(name)}' is not a valid branch name: ${problem}`);
}

export function branchNameProblem(name: string): string | null {
  if (!name) return "it is empty";
  if (/[\x00-\x20\x7f]/.test(name)) return "it contains spaces or control characters";
  if (/[~^:?*[\\]/.test(name)) return "it contains one of ~ ^ : ? * [ \\";
  if (name.startsWith("-")) return "it starts with '-'";
  if (name.startsWith("/") || name.endsWith("/") || name.includes("//")) return "it has an empty path component";
  if (name.includes("..")) return "it contains '..'";
  if (name.includes("@{") || name === "@") return "it contains '@{'";
  if (name.endsWith(".") || name.endsWith(".lock")) return "it ends with '.' or '.lock'";
  if (name.split("/").some((c) => c.startsWith(".") || c.endsWith(".lock"))) return "a component starts with '.' or ends with '.lock'";
  if (Buffer.byteLength(name) > 255) return "it is longer than 255 bytes";
  return null;
}

const SHA_RE = /^[0-9a-f]{7,64}$/i;

export function cacheRoot(override?: string): string {
  return override ?? process.env.DEVGODZILLA_CACHE_DIR ?? path.join(os.homedir(), ".cache", "devgodzilla");
}

// ---------------------------------------------------------------------------------------------
// Repository reference validation

const ALLOWED_SCHEMES: Record<string, RepoKind> = {
  https: "https",
  http: "http",
  ssh: "ssh",
  "git+ssh": "ssh",
  "ssh+git": "ssh",
  git: "git",
  file: "file",
};

/**
 * Accepts https/http/ssh/git/file URLs, scp-like `user@host:path` and local paths of git
 * repositories (bare or not). Rejects transport helpers (`ext::`, `fd::`, any `<x>::`), a leading
 * `-` (would be read as an option), control characters, unknown schemes and local paths that are
 * not the top of a git repository — each with one InputError naming `field`.
 */
export async function validateRepoUrl(input: unknown, field = "repo"): Promise<RepoSpec> {
  if (typeof input !== "string" || input.length === 0) {
    throw new InputError(field, "a git URL or a local repository path is required");
  }
  if (/[\x00-\x1f\x7f]/.test(input)) {
    throw new InputError(field, "contains control characters", "pass a plain URL or path");
  }
  if (input.trim() !== input) throw new InputError(field, "has leading or trailing whitespace");
  if (input.startsWith("-")) {
    throw new InputError(field, `'${printable(input)}' starts with '-' and would be read by git as an option`);
  }
  const helper = /^([^/]*?)::/.exec(input);
  if (helper) {
    throw new InputError(
      field,
      `git transport helper '${printable(helper[1]!)}::' is not allowed`,
      "use an https://, ssh://, git@host:path or file:// URL, or a local path",
    );
  }

  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(input);
  if (scheme) {
    const name = scheme[1]!.toLowerCase();
    const kind = ALLOWED_SCHEMES[name];
    if (!kind) throw new InputError(field, `unsupported URL scheme '${name}://'`, "use https://, ssh://, git:// or file://");
    let u: URL;
    try {
      u = new URL(input);
    } catch {
      throw new InputError(field, `'${redactUrl(input)}' is not a valid URL`);
    }
    if (kind === "file") {
      let p: string;
      try {
        p = fileURLToPath(u);
      } catch {
        throw new InputError(field, `'${redactUrl(input)}' is not a local file:// URL`, "use file:///absolute/path/to/repo");
      }
      await assertLocalRepo(p, field, redactUrl(input));
      return { url: u.href, kind };
    }
    if (!u.hostname) throw new InputError(field, `'${redactUrl(input)}' has no host`);
    if (u.hostname.startsWith("-") || decodeURIComponent(u.username).startsWith("-")) {
      throw new InputError(field, "host or user name starts with '-' and would be read by ssh as an option");
    }
    let credentials: GitCredentials | undefined;
    if ((kind === "https" || kind === "http") && (u.username || u.password)) {
      const username = decodeURIComponent(u.username);
      const password = decodeURIComponent(u.password);
      // `https://TOKEN@github.com/...` puts the token in the user field.
      credentials = password ? { username, password } : { username: "x-access-token", password: username };
      u.username = "";
      u.password = "";
    }
    return { url: u.href, kind, credentials };
  }

  // scp-like syntax: a colon before any slash ("git@github.com:org/repo.git").
  const scp = /^(?:([^@/]+)@)?([^:/]+):(.*)$/.exec(input);
  if (scp && !/^[A-Za-z]:[\\/]/.test(input)) {
    const [, user, host, rest] = scp;
    if (host!.startsWith("-") || user?.startsWith("-")) {
      throw new InputError(field, "host or user name starts with '-' and would be read by ssh as an option");
    }
    if (!rest) throw new InputError(field, `'${printable(input)}' has no repository path after ':'`);
    return { url: input, kind: "ssh" };
  }

  const abs = path.resolve(input);
  await assertLocalRepo(abs, field, input);
  return { url: await fs.realpath(abs), kind: "local" };
}

async function assertLocalRepo(p: string, field: string, shown: string): Promise<void> {
  let st;
  try {
    st = await fs.stat(p);
  } catch {
    throw new InputError(field, `'${printable(shown)}' does not exist`, "give a git URL or the path of a git repository");
  }
  if (!st.isDirectory()) throw new InputError(field, `'${printable(shown)}' is not a directory`);
  const real = await fs.realpath(p);
  const g = gitAt(real);
  let ok = false;
  try {
    const bare = (await g.run(["rev-parse", "--is-bare-repository"])).trim() === "true";
    const top = (await g.run(["rev-parse", bare ? "--absolute-git-dir" : "--show-toplevel"])).trim();
    ok = (await fs.realpath(top)) === real;
  } catch (e) {
    if (!(e instanceof GitError)) throw e;
    ok = false; // not a repository (or not its top): the InputError below says so
  }
  if (!ok) {
    throw new InputError(field, `'${printable(shown)}' is not a git repository`, "run `git init` there or give the repository's top directory");
  }
}

// ---------------------------------------------------------------------------------------------
// Credentials

function credentialsFor(repo: RepoSpec, auth: GitAuthOptions): GitCredentials | undefined {
  if (auth.token) return { username: auth.username ?? "x-access-token", password: auth.token };
  return repo.credentials;
}

// ---------------------------------------------------------------------------------------------
// Mirror cache with a per-mirror lock file

export function mirrorPathFor(url: string, cacheDir?: string): string {
  const key = createHash("sha256").update(url).digest("hex");
  return path.join(cacheRoot(cacheDir), "mirrors", `${key}.git`);
}

interface LockInfo {
  pid: number;
  host: string;
  token: string;
  at: string;
}

/**
 * Runs `fn` holding an exclusive lock file (O_EXCL create). A lock whose PID is dead on this host
 * is taken over; anything else is waited for until `timeoutMs`.
 */
export async function withLock<T>(lockPath: string, fn: () => Promise<T>, timeoutMs = 600_000): Promise<T> {
  const mine: LockInfo = { pid: process.pid, host: os.hostname(), token: randomBytes(8).toString("hex"), at: new Date().toISOString() };
  const deadline = Date.now() + timeoutMs;
  await fs.mkdir(path.dirname(lockPath), { recursive: true });
  let delay = 25;
  for (;;) {
    try {
      await fs.writeFile(lockPath, JSON.stringify(mine), { flag: "wx" });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    const raw = await fs.readFile(lockPath, "utf8").catch(() => null);
    if (raw !== null) {
      let held: LockInfo | null = null;
      try {
        held = JSON.parse(raw) as LockInfo;
      } catch {
        held = null;
      }
      const stat = await fs.stat(lockPath).catch(() => null);
      const stale = held ? held.host === os.hostname() && !pidAlive(held.pid) : stat !== null && Date.now() - stat.mtimeMs > 30_000; // half-written lock of a crashed writer
      if (stale && (await takeOver(lockPath, raw))) continue;
      if (Date.now() > deadline) throw new LockTimeoutError(lockPath, held ? `pid ${held.pid} on ${held.host}` : "unknown");
    }
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 500);
  }
  try {
    return await fn();
  } finally {
    const now = await fs.readFile(lockPath, "utf8").catch(() => null);
    let ownerToken: string | null = null;
    try {
      ownerToken = now === null ? null : (JSON.parse(now) as LockInfo).token;
    } catch {
      ownerToken = null; // not ours: someone else rewrote it
    }
    if (ownerToken === mine.token) await fs.rm(lockPath, { force: true });
  }
}

// Move the stale lock aside atomically, then make sure it really was the stale one we inspected;
// if another process replaced it meanwhile, put theirs back (link fails rather than clobbering).
async function takeOver(lockPath: string, staleContent: string): Promise<boolean> {
  const aside = `${lockPath}.stale-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    await fs.rename(lockPath, aside);
  } catch {
    return false;
  }
  const moved = await fs.readFile(aside, "utf8").catch(() => null);
  if (moved !== staleContent) await fs.link(aside, lockPath).catch(() => undefined);
  await fs.rm(aside, { force: true });
  return moved === staleContent;
}

export interface MirrorOptions extends GitAuthOptions {
  cacheDir?: string;
  /** Skip the fetch when the mirror already has this commit (commits are immutable). */
  needCommit?: string;
}

/** Creates or updates the bare mirror of `repo`; returns its path. */
export async function ensureMirror(repo: RepoSpec, opts: MirrorOptions = {}): Promise<string> {
  return withMirror(repo, opts, async (mirror) => mirror);
}

/**
 * Creates or updates the mirror, then runs `fn` while still holding its lock, so reading refs and
 * cloning from the mirror never overlaps another job's fetch --prune on this worker.
 */
export async function withMirror<T>(repo: RepoSpec, opts: MirrorOptions, fn: (mirror: string) => Promise<T>): Promise<T> {
  const mirror = mirrorPathFor(repo.url, opts.cacheDir);
  const creds = credentialsFor(repo, opts);
  return withLock(`${mirror}.lock`, async () => {
    if (existsSync(path.join(mirror, "HEAD"))) {
      const g = gitAt(mirror, { credentials: creds, authUrl: repo.url });
      if (!(opts.needCommit && (await hasCommit(g, opts.needCommit)))) {
        // The mirror's configured URL is credential-free; fetch it with the auth env.
        await g.run(["fetch", "--prune", "--quiet", "origin"], { context: repo.url });
      }
      return fn(mirror);
    }
    await fs.mkdir(path.dirname(mirror), { recursive: true });
    const tmp = `${mirror}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
    try {
      await gitAt(path.dirname(mirror), { credentials: creds, authUrl: repo.url }).run(["clone", "--mirror", "--quiet", "--", repo.url, tmp], {
        context: repo.url,
      });
      // Working copies borrow objects from the mirror (--shared): never let gc prune them.
      await gitAt(tmp).run(["config", "gc.auto", "0"]);
      await fs.rename(tmp, mirror);
    } catch (e) {
      await fs.rm(tmp, { recursive: true, force: true });
      throw e;
    }
    return fn(mirror);
  });
}

async function hasCommit(g: Git, sha: string): Promise<boolean> {
  return g.test(["rev-parse", "--verify", "--quiet", "--end-of-options", `${sha}^{commit}`]);
}

// ---------------------------------------------------------------------------------------------
// Checkout

/** Full sha for `ref` in `g` (branch first, then tag, then a commit sha); null if none. */
async function resolveRef(g: Git, ref: string): Promise<string | null> {
  const candidates = SHA_RE.test(ref) ? [ref, `refs/heads/${ref}`] : [`refs/heads/${ref}`, `refs/tags/${ref}`, ref];
  for (const c of candidates) {
    const r = await g.exec(["rev-parse", "--verify", "--quiet", "--end-of-options", `${c}^{commit}`], { okExitCodes: [1] });
    if (r.exitCode === 0) return r.stdout.trim();
  }
  return null;
}

/**
 * Makes a fresh working copy of an exact commit from the mirror cache. The copy shares objects
 * with the mirror (clone --shared: fast, no network), has `origin` pointing at the real remote,
 * and a local branch `branch` at the commit when asked.
 */
export async function checkout(opts: CheckoutOptions): Promise<WorkingCopy> {
  const repo = await validateRepoUrl(opts.repo, "repo");
  if (opts.commit !== undefined && !SHA_RE.test(opts.commit)) {
    throw new InputError("commit", `'${printable(opts.commit)}' is not a commit sha`);
  }
  if (opts.commit === undefined) {
    if (!opts.ref) throw new InputError("ref", "a branch, tag or commit to check out is required");
    if (opts.ref.startsWith("-") || /[\x00-\x20\x7f]/.test(opts.ref) || opts.ref.includes("..")) {
      throw new InputError("ref", `'${printable(opts.ref)}' is not a valid ref`);
    }
  }
  if (opts.branch !== undefined) assertValidBranchName(opts.branch, "branch");

  const creds = credentialsFor(repo, opts);
  const workRoot = opts.workRoot ?? os.tmpdir();
  await fs.mkdir(workRoot, { recursive: true });
  const wanted = opts.commit ?? opts.ref!;
  let dir = "";
  const cleanup = async () => {
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  };
  // Resolve and clone under the mirror lock; the checkout itself reads objects only (never pruned).
  const commit = await withMirror(repo, { ...opts, needCommit: opts.commit }, async (mirror) => {
    const mg = gitAt(mirror);
    const sha = opts.commit ? ((await hasCommit(mg, opts.commit)) ? await resolveRef(mg, opts.commit) : null) : await resolveRef(mg, opts.ref!);
    if (!sha) {
      const field = opts.commit ? "commit" : "ref";
      const branches = splitLines(await mg.run(["for-each-ref", "--format=%(refname:short)", "--count=10", "refs/heads/"]));
      throw new InputError(
        field,
        `'${printable(wanted)}' was not found in ${repo.url}`,
        branches.length ? `branches there include: ${branches.join(", ")}` : "the repository has no branches",
      );
    }
    dir = await fs.mkdtemp(path.join(workRoot, "devgodzilla-wc-"));
    try {
      await gitAt(workRoot).run(["clone", "--shared", "--no-checkout", "--quiet", "--", mirror, dir]);
    } catch (e) {
      await cleanup();
      throw e;
    }
    return sha;
  });
  try {
    const git = gitAt(dir, { credentials: creds, authUrl: repo.url });
    await git.run(["remote", "set-url", "origin", repo.url]);
    // Identity for anything that commits in this copy (agents included); never sign.
    await git.run(["config", "user.name", DEVGODZILLA_AUTHOR.name]);
    await git.run(["config", "user.email", DEVGODZILLA_AUTHOR.email]);
    await git.run(["config", "commit.gpgsign", "false"]);
    // Names the Windmill job that owns this copy: reconcile removes it only once that job is gone.
    await markOwner(dir);
    if (opts.branch) await git.run(["checkout", "--quiet", "-B", opts.branch, commit]);
    else await git.run(["checkout", "--quiet", "--detach", commit]);
    return { dir, git, commit, branch: opts.branch, repo, cleanup };
  } catch (e) {
    await cleanup();
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// Commit and push

/** `git commit` as DevGodzilla: its author, unsigned, no hooks (a repository's hooks are its own business); `paths` limits it. */
export function commitArgs(message: string, paths: readonly string[] = []): string[] {
  const author = ["-c", `user.name=${DEVGODZILLA_AUTHOR.name}`, "-c", `user.email=${DEVGODZILLA_AUTHOR.email}`, "-c", "commit.gpgsign=false"];
  return [...author, "commit", "--quiet", "--no-verify", "-m", message, ...(paths.length ? ["--", ...paths] : [])];
}

/**
 * Stages everything and commits as DevGodzilla. Returns the new sha, or null when nothing changed.
 * A change (or message) holding a secret in scope or a key shape is a SecretInChangeError naming
 * the files and lines; it is unstaged again and nothing is committed.
 */
export async function commitAll(dir: string, message: string, opts: { exclude?: string[]; secrets?: Iterable<string> } = {}): Promise<string | null> {
  if (!message.trim()) throw new InputError("message", "a commit message is required");
  const g = gitAt(dir);
  // `exclude`: paths left out of the commit (e.g. what the install step changed and nobody else touched).
  await g.run(["add", "--all", "--", ".", ...(opts.exclude ?? []).map((p) => `:(exclude,literal)${p}`)]);
  const nothingStaged = await g.test(["diff", "--cached", "--quiet"]); // exit 0: no difference
  if (nothingStaged) return null;
  try {
    // The git gateway scans the staged change and the message before it commits.
    await g.run(commitArgs(message), { secrets: opts.secrets });
  } catch (e) {
    if (e instanceof SecretInChangeError) await g.run(["reset", "--quiet"]);
    throw e;
  }
  return (await g.run(["rev-parse", "HEAD"])).trim();
}

/**
 * Pushes HEAD of `dir` to `refs/heads/<branch>` on `remote` (a remote name such as "origin", or a
 * URL/path). Idempotent: pushing the sha the branch already has is a no-op. A non-fast-forward is
 * refused (PushRejectedError) unless `force`, which then uses --force-with-lease on what it saw.
 */
export async function pushBranch(dir: string, branch: string, remote = "origin", opts: PushOptions = {}): Promise<PushResult> {
  assertValidBranchName(branch, "branch");
  let target = remote;
  let repo: RepoSpec | null = null;
  // A configured remote name ("origin") wins; anything else must be a valid URL or repository path.
  const configured = /^[A-Za-z0-9._-]+$/.test(remote) && !remote.startsWith("-") ? await configuredRemoteUrl(gitAt(dir), remote) : "";
  if (!configured) {
    repo = await validateRepoUrl(remote, "remote");
    target = repo.url;
  }
  const authUrl = repo?.url ?? configured;
  const creds = repo ? credentialsFor(repo, opts) : opts.token ? { username: opts.username ?? "x-access-token", password: opts.token } : undefined;
  const g = gitAt(dir, { credentials: creds, authUrl });
  const sha = (await g.run(["rev-parse", "HEAD"])).trim();
  const ref = `refs/heads/${branch}`;
  // Report where the branch went (the remote's credential-free URL), not just "origin".
  const shownRemote = repo?.url ?? (authUrl && !/\/\/[^/]*@/.test(authUrl) ? authUrl : target);
  const context = printable(target);
  const previous = (await g.run(["ls-remote", "--", target, ref], { context, hint: "check the remote URL and credentials" })).split("\t")[0]?.trim() || null;
  if (previous === sha) return { branch, commit: sha, remote: shownRemote, status: "up-to-date", previous };

  const knownPrevious = previous !== null && (await hasCommit(g, previous));
  // Every commit the remote does not have yet is scanned, whoever made it.
  const findings = await scanUnpushed((a) => g.run(a), sha, knownPrevious ? [previous] : [], opts.secrets);
  if (findings.length) throw new SecretInChangeError("push", findings);
  let isFf = previous === null;
  if (previous && knownPrevious) isFf = await g.test(["merge-base", "--is-ancestor", previous, sha]);
  if (previous && !isFf && !opts.force) throw new PushRejectedError(branch, previous, sha);
  const args = ["push", "--quiet", "--no-verify"];
  if (previous && !isFf) args.push(`--force-with-lease=${ref}:${previous}`);
  args.push("--", target, `${sha}:${ref}`);
  try {
    await g.run(args, { context, hint: "check the remote URL, credentials and branch protection", pushScanned: true });
  } catch (e) {
    if (e instanceof GitError && /non-fast-forward|fetch first|rejected|stale info/i.test(e.stderr)) throw new PushRejectedError(branch, previous, sha);
    throw e;
  }
  const status: PushStatus = previous === null ? "created" : isFf ? "updated" : "forced";
  return { branch, commit: sha, remote: shownRemote, status, previous };
}

/** The URL of a configured remote, or "" when `dir` has no remote of that name. */
async function configuredRemoteUrl(g: Git, name: string): Promise<string> {
  const r = await g.exec(["remote", "get-url", "--", name], { okExitCodes: [2] }); // 2: no such remote
  return r.exitCode === 0 ? r.stdout.trim() : "";
}

/** `git merge-base --is-ancestor` in `dir`: true or false; an unknown commit is a GitError. */
export async function isAncestor(dir: string, ancestor: string, descendant: string): Promise<boolean> {
  return gitAt(dir).test(["merge-base", "--is-ancestor", ancestor, descendant]);
}

/** git for talking to `repo` from no particular working copy (ls-remote). */
function remoteGit(repo: RepoSpec, auth: GitAuthOptions): Git {
  return gitAt(os.tmpdir(), { credentials: credentialsFor(repo, auth), authUrl: repo.url });
}

/** Branch name → sha for the remote's heads (optionally only under `prefix`, e.g. RUN_BRANCH_PREFIX). */
export async function listRemoteBranches(repoInput: string, prefix = "", auth: GitAuthOptions = {}): Promise<Record<string, string>> {
  const repo = await validateRepoUrl(repoInput, "repo");
  const out = await remoteGit(repo, auth).run(["ls-remote", "--heads", "--", repo.url], { context: repo.url });
  const result: Record<string, string> = {};
  for (const line of out.split("\n")) {
    const [sha, ref] = line.split("\t");
    if (!sha || !ref?.startsWith("refs/heads/")) continue;
    const name = ref.slice("refs/heads/".length);
    if (name.startsWith(prefix)) result[name] = sha;
  }
  return result;
}

/** The remote's default branch (what its HEAD points at), or null when it has none. */
export async function remoteDefaultBranch(repoInput: string, auth: GitAuthOptions = {}): Promise<string | null> {
  const repo = await validateRepoUrl(repoInput, "repo");
  const out = await remoteGit(repo, auth).run(["ls-remote", "--symref", "--", repo.url, "HEAD"], { context: repo.url });
  const m = /^ref: refs\/heads\/(\S+)\tHEAD$/m.exec(out);
  return m ? m[1]! : null;
}

/** True when `sha` is reachable from some ref of the remote (refreshes the mirror if needed). */
export async function remoteHasCommit(repoInput: string, sha: string, opts: MirrorOptions = {}): Promise<boolean> {
  if (!SHA_RE.test(sha)) throw new InputError("commit", `'${printable(sha)}' is not a commit sha`);
  const repo = await validateRepoUrl(repoInput, "repo");
  const tips = await remoteGit(repo, opts).run(["ls-remote", "--", repo.url], { context: repo.url });
  const lower = sha.toLowerCase();
  if (tips.split("\n").some((l) => l.split("\t")[0]?.startsWith(lower))) return true;
  const mirror = await ensureMirror(repo, { ...opts, needCommit: undefined });
  const mg = gitAt(mirror);
  if (!(await hasCommit(mg, sha))) return false;
  const containing = await mg.run(["for-each-ref", "--count=1", "--format=%(refname)", "--contains", sha]);
  return containing.trim().length > 0;
}

// ---------------------------------------------------------------------------------------------
// helpers

function printable(s: string): string {
  const clean = s.replace(/[\x00-\x1f\x7f]/g, "?");
  return clean.length > 200 ? `${clean.slice(0, 200)}…` : clean;
}

function splitLines(s: string): string[] {
  return s.split("\n").filter(Boolean);
}

function redactUrl(s: string): string {
  return printable(s.replace(/\/\/[^/@]*@/, "//***@"));
}
