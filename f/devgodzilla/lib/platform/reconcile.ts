// Reconcile: Windmill job state is the single source of truth; make the rest agree with it.
//  - jobs: cancel DevGodzilla jobs stuck past their run-time or idle (no worker ping) limit;
//  - disk (this worker): remove working copies / worktrees whose owner marker names this Windmill
//    (base URL + workspace) and a job that is no longer live; copies of another Windmill, another
//    workspace or no Windmill are reported, never deleted; remove mirror locks of dead processes;
//  - git: report run branches whose job failed or vanished, and "successful" runs whose commit is
//    missing from the remote.
// Idempotent (a second pass finds nothing to do) and with a dry-run mode that changes nothing.

import { existsSync } from "node:fs";
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { cancelJob, deleteResource, getJob, listJobs, listResources, WindmillError } from "./windmill.ts";
import {
  cacheRoot,
  currentWindmill,
  gitAt,
  gitDirOf,
  isRunBranch,
  listRemoteBranches,
  readOwner,
  remoteHasCommit,
  RUN_BRANCH_PREFIX,
  sameWindmill,
  type OwnerMarker,
  type WindmillIdentity,
} from "../git.ts";
import { Redactor } from "../redact.ts";
import { mdCell } from "../markdown.ts";
import { forgeClient, gitAuthFor, type ForgeClientOptions, type ForgeTarget } from "./forge.ts";
import { DELIVERY_STATE_PREFIX } from "./webhook.ts";
import { pidAlive } from "../process.ts";

// ---------------------------------------------------------------------------------------------
// Exported types

export interface ReconcileOptions {
  workspace?: string;
  dryRun?: boolean;
  /** Windmill path prefix of DevGodzilla jobs. */
  pathPrefix?: string;
  /** Root flows whose args/results name a repo, run branch and commit. */
  runFlowPaths?: string[];
  /** A flow running longer than this is stuck (approval waits are exempt: Windmill times them out). */
  maxFlowRuntimeS?: number;
  /** A script job running longer than this is stuck. */
  maxScriptRuntimeS?: number;
  /** A running script job whose worker has not pinged for this long is stuck. */
  idleLimitS?: number;
  /** Directories scanned for working copies / worktrees (default: os.tmpdir() and <cache>/worktrees). */
  workRoots?: string[];
  /** Mirror cache root (git.ts layout: <cache>/mirrors/<sha256>.git + .lock). */
  cacheDir?: string;
  /** A mirror lock older than this whose holder may live on another host is reported. */
  orphanAgeS?: number;
  /** This Windmill (base URL + workspace); default: from the job environment. Work dirs are removed only when their marker names it. */
  windmill?: WindmillIdentity;
  /** Git checks (run branches, missing commits). Off = jobs and disk only. */
  checkGit?: boolean;
  /** Forge API access for a repository (to find open PRs/MRs of failed or orphaned run branches). */
  forgeFor?: (repoUrl: string) => ForgeTarget | undefined;
  forgeOptions?: ForgeClientOptions;
  /** Webhook delivery claims (state resources) older than this are deleted; 0 = keep. */
  deliveryRetentionDays?: number;
  /** Secrets to scrub from the report (e.g. a git token). */
  redact?: string[];
  /** Only jobs created at or after this time (ISO 8601): one pass over a window of the history. */
  since?: string;
  now?: number;
}

export type FindingKind =
  | "stuck-job"
  | "queued-too-long"
  | "orphan-workdir"
  | "foreign-workdir"
  | "unknown-workdir"
  | "orphan-lock"
  | "failed-run-branch"
  | "vanished-run-branch"
  | "missing-commit"
  | "expired-delivery"
  | "check-error";

export interface Finding {
  kind: FindingKind;
  /** Job id, directory, lock file or branch. */
  subject: string;
  detail: string;
  /** What reconcile did (or would do in dry-run). */
  action: "cancelled" | "would-cancel" | "removed" | "would-remove" | "reported" | "failed";
  job_id?: string;
  repo?: string;
  pr_url?: string;
}

export interface ReconcileReport {
  dry_run: boolean;
  at: string;
  jobs_seen: number;
  /** Runs (root jobs of the run flows) checked; the report shows these, not the job count, which depends on how an engine splits a run into jobs. */
  runs_seen: number;
  live_jobs: number;
  findings: Finding[];
  markdown: string;
}

export { OWNER_MARKER, markOwner, type OwnerMarker, type WindmillIdentity } from "../git.ts";

// ---------------------------------------------------------------------------------------------
// Windmill jobs

type AnyJob = Record<string, any> & { id: string; type?: string };

const isLive = (j: AnyJob) => j.type === "QueuedJob" || (j.type === undefined && j.success === undefined && !j.completed_at);

function waitingForApproval(j: AnyJob): boolean {
  const mods: any[] = j.flow_status?.modules ?? [];
  return (j.suspend ?? 0) > 0 || mods.some((m) => m?.type === "WaitingForEvents");
}

async function listDevgodzillaJobs(prefix: string, runFlows: string[], createdAfter?: string): Promise<AnyJob[]> {
  // The recent history pages back a bounded way; the live jobs and the run flows' own jobs are asked
  // for separately, so a long history of step jobs can never hide a stuck job or a run.
  const [recent, running, suspended, runs] = await Promise.all([
    listJobs({ scriptPathStart: prefix, createdAfter }, 500),
    listJobs({ scriptPathStart: prefix, running: true, createdAfter }),
    listJobs({ scriptPathStart: prefix, suspended: true, createdAfter }).catch(() => []),
    runFlows.length ? listJobs({ scriptPathExact: runFlows, createdAfter }, 500) : [],
  ]);
  const byId = new Map<string, AnyJob>();
  for (const j of [...recent, ...running, ...suspended, ...runs] as AnyJob[]) byId.set(j.id, j);
  // Windmill's job list carries neither args nor results: a run's repository and branch come from the job itself.
  for (const j of runs as AnyJob[]) if (j.args == null) byId.set(j.id, ((await getJob(j.id).catch(() => undefined)) as AnyJob | undefined) ?? j);
  // Newest first, as the API lists them (the newest run of a branch decides its state).
  return [...byId.values()].sort((a, b) => String(b.created_at ?? "").localeCompare(String(a.created_at ?? "")));
}

const ageS = (iso: string | undefined, now: number) => (iso ? (now - Date.parse(iso)) / 1000 : 0);
const fmtS = (s: number) => (s >= 3600 ? `${(s / 3600).toFixed(1)} h` : s >= 60 ? `${Math.round(s / 60)} min` : `${Math.round(s)} s`);

// ---------------------------------------------------------------------------------------------
// Run facts from job args / results (tolerant: flows evolve, the keys are stable by convention)

export interface RunFacts {
  job_id: string;
  repo_url?: string;
  branch?: string;
  commit?: string;
  pr_url?: string;
  state: "live" | "success" | "failed" | "canceled";
  error?: string;
}

function findKey(v: unknown, keys: string[], depth = 0): string | undefined {
  if (!v || typeof v !== "object" || depth > 4) return undefined;
  for (const k of keys) {
    const x = (v as Record<string, unknown>)[k];
    if (typeof x === "string" && x) return x;
  }
  for (const x of Object.values(v as Record<string, unknown>)) {
    const r = findKey(x, keys, depth + 1);
    if (r) return r;
  }
  return undefined;
}

export function runFacts(j: AnyJob): RunFacts {
  const state: RunFacts["state"] = isLive(j) ? "live" : j.canceled ? "canceled" : j.success ? "success" : "failed";
  const result = j.result;
  const args = j.args ?? {};
  const branch = findKey(result, ["branch", "run_branch"]) ?? findKey(args, ["branch", "run_branch"]);
  const prUrl = findKey(result, ["pr_url", "url"]);
  return {
    job_id: j.id,
    // Bundle convention: the repository input is `repo` (repo_url accepted too).
    repo_url: (typeof args.repo === "string" && args.repo) || (typeof args.repo_url === "string" && args.repo_url) || undefined,
    branch: branch && isRunBranch(branch) ? branch : undefined,
    commit: findKey(result, ["commit", "head_commit"]),
    pr_url: prUrl && /\/(pull|merge_requests)\/\d+/.test(prUrl) ? prUrl : undefined,
    state,
    error: state === "failed" || state === "canceled" ? (findKey(result, ["message"]) ?? j.canceled_reason ?? undefined) : undefined,
  };
}

// ---------------------------------------------------------------------------------------------
// Stages. Each looks at one kind of thing, appends its findings, and changes only what belongs to
// this Windmill: jobs of this workspace, working copies whose marker names this Windmill and
// workspace, mirror locks whose holder is provably dead. Everything else is reported.

interface Pass {
  workspace: string;
  dry: boolean;
  now: number;
  /** This Windmill (base URL + workspace); undefined outside a job unless given: nothing on disk is removed then. */
  self: WindmillIdentity | undefined;
  redactor: Redactor;
  findings: Finding[];
  jobs: AnyJob[];
  liveIds: Set<string>;
  jobIsLive: (id: string) => Promise<boolean>;
}

interface Limits {
  prefix: string;
  runFlows: string[];
  maxFlow: number;
  maxScript: number;
  idle: number;
  orphanAge: number;
}

/** Why a live job is stuck, or undefined when it is fine. Approval waits are never stuck. */
function stuckReason(j: AnyJob, lim: Limits, now: number): string | undefined {
  if (!j.running) return undefined;
  const ran = ageS(j.started_at, now);
  const isFlow = String(j.job_kind ?? "").includes("flow");
  if (isFlow) return !waitingForApproval(j) && ran > lim.maxFlow ? `flow running for ${fmtS(ran)} (limit ${fmtS(lim.maxFlow)})` : undefined;
  if (ran > lim.maxScript) return `running for ${fmtS(ran)} (limit ${fmtS(lim.maxScript)})`;
  if (j.last_ping && ageS(j.last_ping, now) > lim.idle) return `no worker ping for ${fmtS(ageS(j.last_ping, now))} (idle limit ${fmtS(lim.idle)})`;
  return undefined;
}

/** Stage 1: cancel this workspace's DevGodzilla jobs stuck past their limits; report jobs no worker picks up. */
async function cancelStuckJobs(p: Pass, lim: Limits): Promise<void> {
  const selfId = process.env.WM_JOB_ID;
  for (const j of p.jobs.filter(isLive)) {
    if (j.id === selfId) continue;
    if (!j.running && !waitingForApproval(j) && ageS(j.scheduled_for ?? j.created_at, p.now) > lim.maxScript) {
      p.findings.push({
        kind: "queued-too-long",
        subject: j.id,
        job_id: j.id,
        action: "reported",
        detail: `${j.script_path}: queued for ${fmtS(ageS(j.scheduled_for ?? j.created_at, p.now))} — no worker serves tag "${j.tag ?? "?"}"?`,
      });
      continue;
    }
    const why = stuckReason(j, lim, p.now);
    if (!why) continue;
    const f: Finding = { kind: "stuck-job", subject: j.id, job_id: j.id, detail: `${j.script_path}: ${why}`, action: p.dry ? "would-cancel" : "cancelled" };
    if (!p.dry) {
      try {
        await cancelJob(j.id, `devgodzilla reconcile: ${why}`);
        p.liveIds.delete(j.id);
      } catch (e) {
        f.action = "failed";
        f.detail += ` — cancel failed: ${p.redactor.redact(String((e as Error).message))}`;
      }
    }
    p.findings.push(f);
  }
}

/** Is a job of this workspace still live? Asks Windmill for ids outside the listing; unsure → live. */
function liveChecker(liveIds: Set<string>): (id: string) => Promise<boolean> {
  const cache = new Map<string, boolean>();
  return async (id) => {
    if (liveIds.has(id)) return true;
    if (cache.has(id)) return cache.get(id)!;
    let alive = false;
    try {
      const j = (await getJob(id)) as AnyJob;
      alive = isLive(j) && !(j.canceled && !j.running);
    } catch (e) {
      // 404: this Windmill does not know the job → not live. Anything else: be safe and keep.
      alive = !(e instanceof WindmillError && e.status === 404);
    }
    cache.set(id, alive);
    return alive;
  };
}

/** Whose is this working copy? Only "ours" (this Windmill and workspace, per its marker) may be removed. */
function ownership(owner: OwnerMarker | undefined, self: WindmillIdentity | undefined): "ours" | "foreign" | "unknown" {
  if (!owner?.windmill) return "unknown";
  return sameWindmill(owner.windmill, self) ? "ours" : "foreign";
}

/** Stage 2: working copies and task worktrees (git.ts checkout) whose owning job here is gone. */
async function removeOrphanWorkDirs(p: Pass, roots: string[]): Promise<void> {
  for (const root of roots) {
    const entries = await fs.readdir(root, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      if (!e.isDirectory() || !e.name.startsWith("devgodzilla-")) continue;
      const dir = path.join(root, e.name);
      if (!existsSync(path.join(dir, ".git"))) continue; // only git work dirs; never arbitrary temp data
      const owner = await readOwner(dir);
      const whose = ownership(owner, p.self);
      if (whose === "foreign") {
        p.findings.push({
          kind: "foreign-workdir",
          subject: dir,
          job_id: owner!.job_id,
          action: "reported",
          detail: `belongs to ${owner!.windmill!.base_url} workspace ${owner!.windmill!.workspace}, not this Windmill — left for its own reconcile`,
        });
        continue;
      }
      if (whose === "unknown") {
        if (await isStale(dir, p.now))
          p.findings.push({
            kind: "unknown-workdir",
            subject: dir,
            job_id: owner?.job_id,
            action: "reported",
            detail: `${owner ? "its marker names no Windmill" : "no owner marker"} — not removed; delete it by hand if nothing uses it`,
          });
        continue;
      }
      const ownerLive = (await p.jobIsLive(owner!.job_id)) || (owner!.root_job_id ? await p.jobIsLive(owner!.root_job_id) : false);
      if (ownerLive) continue;
      const f: Finding = {
        kind: "orphan-workdir",
        subject: dir,
        job_id: owner!.job_id,
        detail: `owner job ${owner!.job_id} is not live`,
        action: p.dry ? "would-remove" : "removed",
      };
      if (!p.dry) {
        try {
          await removeWorkDir(dir);
        } catch (err) {
          f.action = "failed";
          f.detail += ` — ${(err as Error).message}`;
        }
      }
      p.findings.push(f);
    }
  }
}

/** An unowned copy is worth reporting once nobody has touched it for a day. */
async function isStale(dir: string, now: number): Promise<boolean> {
  const st = await fs.stat(dir).catch(() => undefined);
  return !!st && ageS(st.mtime.toISOString(), now) > 86400;
}

/**
 * Stage 3: mirror locks (git.ts withLock: <mirror>.lock holding {pid, host, token, at}) and
 * leftovers of interrupted mirror clones (<mirror>.tmp-<pid>-<hex>). Removed only when the holder
 * is provably dead (same host, pid gone); an old lock whose holder may live elsewhere is reported.
 */
async function removeDeadMirrorLocks(p: Pass, cache: string, orphanAge: number): Promise<void> {
  const mirrors = path.join(cache, "mirrors");
  for (const name of await fs.readdir(mirrors).catch(() => [] as string[])) {
    const file = path.join(mirrors, name);
    const isLock = name.endsWith(".lock") || /\.lock\.stale-/.test(name);
    const tmp = /\.git\.tmp-(\d+)-/.exec(name);
    if (!isLock && !tmp) continue;
    const st = await fs.stat(file).catch(() => undefined);
    if (!st) continue;
    const info: { pid?: number; host?: string } = isLock
      ? await fs.readFile(file, "utf8").then(
          (t) => JSON.parse(t),
          () => ({}),
        )
      : { pid: Number(tmp![1]), host: os.hostname() };
    const dead = info.host === os.hostname() && typeof info.pid === "number" && !pidAlive(info.pid);
    if (dead) {
      p.findings.push({ kind: "orphan-lock", subject: file, detail: `held by pid ${info.pid}, which is gone`, action: p.dry ? "would-remove" : "removed" });
      if (!p.dry) await fs.rm(file, { recursive: true, force: true });
    } else if (ageS(st.mtime.toISOString(), p.now) > orphanAge) {
      p.findings.push({
        kind: "orphan-lock",
        subject: file,
        detail: `older than ${fmtS(orphanAge)}, held by ${info.host ?? "?"}:${info.pid ?? "?"} — not removed: its holder may still be alive`,
        action: "reported",
      });
    }
  }
}

/** Stage 4 (report only): run branches whose job failed or vanished, successful runs whose commit is not on the remote. */
async function reportRunBranches(p: Pass, runFlows: string[], o: ReconcileOptions): Promise<void> {
  const runs = p.jobs.filter((j) => runFlows.includes(j.script_path ?? "")).map(runFacts);
  const byRepo = new Map<string, RunFacts[]>();
  for (const r of runs) if (r.repo_url) byRepo.set(r.repo_url, [...(byRepo.get(r.repo_url) ?? []), r]);
  for (const [repo, rs] of byRepo) await reportRepo(p, repo, rs, runFlows, o);
}

async function reportRepo(p: Pass, repo: string, rs: RunFacts[], runFlows: string[], o: ReconcileOptions): Promise<void> {
  const shown = p.redactor.redact(repo.replace(/(\/\/)[^/@]*@/, "$1"));
  let target: ForgeTarget | undefined;
  try {
    target = o.forgeFor?.(repo);
  } catch {
    target = undefined; // not a forge URL (e.g. a local remote): git checks only
  }
  if (target) p.redactor.add(target.token);
  // Private https remotes need the forge token for ls-remote/fetch too (git.ts keeps it off argv).
  const gitAuth = gitAuthFor(target, repo);
  let heads: Record<string, string>;
  try {
    heads = await listRemoteBranches(repo, RUN_BRANCH_PREFIX, gitAuth);
  } catch (e) {
    p.findings.push({ kind: "check-error", subject: shown, repo: shown, action: "reported", detail: p.redactor.redact((e as Error).message) });
    return;
  }
  // Newest job per branch decides (jobs are listed newest first).
  const latest = new Map<string, RunFacts>();
  for (const r of rs) if (r.branch && !latest.has(r.branch)) latest.set(r.branch, r);
  for (const [branch, sha] of Object.entries(heads)) {
    let r = latest.get(branch);
    if (!r) {
      // Older than the listing? Ask Windmill for a run whose result names this branch.
      const older = (await listJobs({ scriptPathExact: runFlows, result: { branch } }, 1).catch(() => [])) as AnyJob[];
      if (older[0]) r = runFacts(older[0]);
    }
    if (!r) {
      p.findings.push({
        kind: "vanished-run-branch",
        subject: branch,
        repo: shown,
        action: "reported",
        detail: `at ${sha.slice(0, 12)}; no DevGodzilla job in Windmill's recent history owns it — delete it or re-run`,
      });
    } else if (r.state === "failed" || r.state === "canceled") {
      p.findings.push({
        kind: "failed-run-branch",
        subject: branch,
        repo: shown,
        job_id: r.job_id,
        pr_url: r.pr_url,
        action: "reported",
        detail: `run ${r.job_id} ${r.state}${r.error ? `: ${p.redactor.redact(r.error).slice(0, 200)}` : ""}${r.pr_url ? `; PR ${r.pr_url} is still open` : ""}`,
      });
    }
  }
  if (target) await addOpenPrs(p, target, shown, o.forgeOptions);
  await reportMissingCommits(p, repo, shown, rs, heads, { cacheDir: o.cacheDir, ...gitAuth });
}

/** Open PRs/MRs of the branches reported for a repository (when the forge is reachable with a token). */
async function addOpenPrs(p: Pass, target: ForgeTarget, shown: string, forgeOptions?: ForgeClientOptions): Promise<void> {
  const client = forgeClient(target, forgeOptions);
  for (const f of p.findings) {
    if (f.repo !== shown || (f.kind !== "failed-run-branch" && f.kind !== "vanished-run-branch")) continue;
    try {
      const pr = await client.findOpen(f.subject);
      if (pr) {
        f.pr_url = pr.url;
        f.detail = f.detail.replace(/; PR \S+ is still open$/, "") + `; ${target.kind === "github" ? "PR #" : "MR !"}${pr.number} is still open: ${pr.url}`;
      }
    } catch (e) {
      p.findings.push({
        kind: "check-error",
        subject: f.subject,
        repo: shown,
        action: "reported",
        detail: `PR lookup: ${p.redactor.redact((e as Error).message)}`,
      });
    }
  }
}

async function reportMissingCommits(
  p: Pass,
  repo: string,
  shown: string,
  rs: RunFacts[],
  heads: Record<string, string>,
  gitOpts: Parameters<typeof remoteHasCommit>[2],
): Promise<void> {
  for (const r of rs) {
    if (r.state !== "success" || !r.commit) continue;
    let ok = false;
    try {
      ok = await remoteHasCommit(repo, r.commit, gitOpts);
    } catch (e) {
      p.findings.push({
        kind: "check-error",
        subject: r.commit,
        repo: shown,
        job_id: r.job_id,
        action: "reported",
        detail: p.redactor.redact((e as Error).message),
      });
      continue;
    }
    if (ok) continue;
    const where = r.branch && heads[r.branch] ? ` (${r.branch} is at ${heads[r.branch].slice(0, 12)})` : r.branch ? ` (${r.branch} is gone)` : "";
    p.findings.push({
      kind: "missing-commit",
      subject: r.commit,
      repo: shown,
      job_id: r.job_id,
      pr_url: r.pr_url,
      action: "reported",
      detail: `run ${r.job_id} succeeded with commit ${r.commit.slice(0, 12)}${r.branch ? ` on ${r.branch}` : ""}, but the remote has no ref containing it${where} — re-run the PR step or restore the branch`,
    });
  }
}

/** Stage 5: webhook delivery claims (this workspace's state resources): GitHub/GitLab only redeliver recent events. */
async function pruneDeliveryClaims(p: Pass, keepDays: number): Promise<void> {
  if (keepDays <= 0) return;
  const claims = (await listResources(DELIVERY_STATE_PREFIX, "state").catch(() => [])) as { path: string; value?: { at?: string } }[];
  let expired = 0;
  for (const c of claims) {
    const at = c.value?.at;
    if (!c.path.startsWith(DELIVERY_STATE_PREFIX) || !at || ageS(at, p.now) < keepDays * 86400) continue;
    expired++;
    if (!p.dry) await deleteResource(c.path).catch(() => expired--);
  }
  if (expired)
    p.findings.push({
      kind: "expired-delivery",
      subject: DELIVERY_STATE_PREFIX,
      action: p.dry ? "would-remove" : "removed",
      detail: `${expired} webhook delivery claim(s) older than ${keepDays} days`,
    });
}

export async function reconcile(o: ReconcileOptions = {}): Promise<ReconcileReport> {
  const now = o.now ?? Date.now();
  const workspace = o.workspace ?? process.env.WM_WORKSPACE ?? "";
  const maxFlow = o.maxFlowRuntimeS ?? 6 * 3600;
  const maxScript = o.maxScriptRuntimeS ?? 2 * 3600;
  const lim: Limits = {
    prefix: o.pathPrefix ?? "f/devgodzilla/",
    runFlows: o.runFlowPaths ?? ["f/devgodzilla/spec_to_pr"],
    maxFlow,
    maxScript,
    idle: o.idleLimitS ?? 15 * 60,
    orphanAge: o.orphanAgeS ?? Math.max(maxFlow, maxScript),
  };
  const jobs = await listDevgodzillaJobs(lim.prefix, lim.runFlows, o.since);
  const liveIds = new Set(jobs.filter(isLive).map((j) => j.id));
  const p: Pass = {
    workspace,
    dry: o.dryRun ?? false,
    now,
    self: o.windmill ?? currentWindmill(),
    redactor: new Redactor(o.redact ?? []),
    findings: [],
    jobs,
    liveIds,
    jobIsLive: liveChecker(liveIds),
  };
  const cache = cacheRoot(o.cacheDir);

  await cancelStuckJobs(p, lim);
  await removeOrphanWorkDirs(p, o.workRoots ?? [os.tmpdir(), path.join(cache, "worktrees")]);
  await removeDeadMirrorLocks(p, cache, lim.orphanAge);
  if (o.checkGit !== false) await reportRunBranches(p, lim.runFlows, o);
  await pruneDeliveryClaims(p, o.deliveryRetentionDays ?? 30);

  const report: Omit<ReconcileReport, "markdown"> = {
    dry_run: p.dry,
    at: new Date(now).toISOString(),
    jobs_seen: jobs.length,
    runs_seen: jobs.filter((j) => lim.runFlows.includes(j.script_path) && !j.parent_job).length,
    live_jobs: liveIds.size,
    findings: p.redactor.redactDeep(p.findings),
  };
  return { ...report, markdown: renderReconcile(report) };
}

async function removeWorkDir(dir: string): Promise<void> {
  const gd = await gitDirOf(dir);
  // A linked worktree's git dir is <common>/worktrees/<name>: prune it there after removal.
  const common = gd && path.basename(path.dirname(gd)) === "worktrees" ? path.dirname(path.dirname(gd)) : undefined;
  await fs.rm(dir, { recursive: true, force: true });
  // Best effort: the directory is gone either way; a stale worktree entry only costs a line in `git worktree list`.
  if (common && existsSync(common))
    await gitAt(common)
      .run(["--git-dir", common, "worktree", "prune"])
      .catch(() => undefined);
}

const TITLES: Record<FindingKind, string> = {
  "stuck-job": "Stuck jobs",
  "queued-too-long": "Jobs waiting for a worker",
  "orphan-workdir": "Orphaned working copies / worktrees",
  "foreign-workdir": "Working copies of another Windmill or workspace (left alone)",
  "unknown-workdir": "Working copies without a Windmill owner (left alone)",
  "orphan-lock": "Orphaned mirror locks",
  "failed-run-branch": "Run branches whose job failed",
  "vanished-run-branch": "Run branches without a job",
  "missing-commit": "Successful runs whose commit is missing from the remote",
  "expired-delivery": "Expired webhook delivery claims",
  "check-error": "Checks that could not run",
};

export function renderReconcile(r: Omit<ReconcileReport, "markdown">): string {
  const out = [
    `## DevGodzilla reconcile${r.dry_run ? " (dry run — nothing changed)" : ""}`,
    "",
    `${r.at} · ${r.runs_seen} run${r.runs_seen === 1 ? "" : "s"} checked · ${r.live_jobs} live job${r.live_jobs === 1 ? "" : "s"}`,
    "",
  ];
  if (!r.findings.length) return [...out, "Everything agrees with Windmill: nothing to do."].join("\n");
  for (const kind of Object.keys(TITLES) as FindingKind[]) {
    const fs_ = r.findings.filter((f) => f.kind === kind);
    if (!fs_.length) continue;
    out.push(`### ${TITLES[kind]} (${fs_.length})`, "", "| subject | action | detail |", "|---|---|---|");
    for (const f of fs_) out.push(`| \`${mdCell(f.subject)}\`${f.repo ? ` (${mdCell(f.repo)})` : ""} | ${f.action} | ${mdCell(f.detail)} |`);
    out.push("");
  }
  return out.join("\n");
}
