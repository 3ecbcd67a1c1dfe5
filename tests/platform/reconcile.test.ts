import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setClient } from "windmill-client";
import { startWindmillApi, type FakeWindmillApi } from "../../scripts/fakes/windmill-api.ts";
import { markOwner, reconcile, OWNER_MARKER, type ReconcileOptions, type WindmillIdentity } from "../../f/devgodzilla/lib/platform/reconcile.ts";
import { parse } from "yaml";
import { checkout } from "../../f/devgodzilla/lib/git.ts";
import { main as reconcileMain } from "../../f/devgodzilla/reconcile.ts";
import { git, makeRemote, type RemoteFixture } from "./_fixtures.ts";
import { startForgeServer, type FakeForgeServer } from "../../scripts/fakes/github-server.ts";
import { openOrUpdatePr, resolveTarget } from "../../f/devgodzilla/lib/platform/forge.ts";

const GH_TOKEN = "ghp_" + "R".repeat(36);
let forge: FakeForgeServer;

const ago = (s: number) => new Date(Date.now() - s * 1000).toISOString();

let wm: FakeWindmillApi;
let fx: RemoteFixture;
let workRoot: string;
let cacheDir: string;
const ids = { stuck: randomUUID(), approval: randomUUID(), healthy: randomUUID(), failed: randomUUID(), ok: randomUUID(), lost: randomUUID() };
let lostCommit = "";
let okCommit = "";
const dirs: Record<string, string> = {};
let deadLock = "";
let liveLock = "";

/** This Windmill, as the job environment names it: the fake API's URL and workspace. */
let self: WindmillIdentity;

async function workDir(name: string, owner?: string, oldMtime = false, windmill?: WindmillIdentity): Promise<string> {
  const d = path.join(workRoot, `devgodzilla-wc-${name}`);
  await git(workRoot, "init", "--quiet", d);
  if (owner) await markOwner(d, owner, undefined, windmill ?? self);
  if (oldMtime) {
    const t = new Date(Date.now() - 2 * 86400_000);
    await fs.utimes(d, t, t);
  }
  return d;
}

beforeAll(async () => {
  fx = await makeRemote();
  // Run branches on the remote: one whose run failed, one that succeeded, one nobody owns.
  await git(fx.work, "checkout", "--quiet", "-b", "devgodzilla/002-failed", fx.baseCommit);
  const failedSha = await fx.commitFile("a.txt", "a\n", "failed run work");
  await git(fx.work, "push", "--quiet", "origin", `${failedSha}:refs/heads/devgodzilla/002-failed`);
  await git(fx.work, "checkout", "--quiet", "-b", "devgodzilla/003-ok", fx.baseCommit);
  okCommit = await fx.commitFile("b.txt", "b\n", "ok run work");
  await git(fx.work, "push", "--quiet", "origin", `${okCommit}:refs/heads/devgodzilla/003-ok`);
  await git(fx.work, "checkout", "--quiet", "-b", "devgodzilla/004-lost", fx.baseCommit);
  lostCommit = await fx.commitFile("c.txt", "c\n", "never pushed"); // only in the local clone
  await git(fx.work, "push", "--quiet", "origin", `${fx.baseCommit}:refs/heads/devgodzilla/005-orphan`);
  await git(fx.work, "push", "--quiet", "origin", `${fx.baseCommit}:refs/heads/devgodzilla/006-old`);

  forge = await startForgeServer({ tokens: { github: GH_TOKEN }, repos: [{ kind: "github", path: "acme/widgets", gitDir: fx.remote }] });
  // An open PR for the orphaned run branch: reconcile must report it.
  await openOrUpdatePr(target(), { head: "devgodzilla/005-orphan", base: "devgodzilla/003-ok", title: "orphan", body: "x" });
  wm = await startWindmillApi({ token: "wm-token", workspace: "dg" });
  self = { base_url: wm.baseUrl, workspace: "dg" };
  process.env.WM_WORKSPACE = "dg";
  setClient("wm-token", wm.baseUrl);
  wm.addJob({
    id: ids.stuck,
    script_path: "f/devgodzilla/execute_task",
    job_kind: "script",
    running: true,
    started_at: ago(3 * 3600),
    last_ping: ago(3600),
    created_at: ago(3 * 3600),
    is_flow_step: true,
  });
  wm.addJob({
    id: ids.approval,
    script_path: "f/devgodzilla/spec_to_pr",
    job_kind: "flow",
    running: true,
    started_at: ago(10 * 3600),
    created_at: ago(10 * 3600),
    args: { repo: fx.remote },
    flow_status: {
      step: 2,
      modules: [
        { type: "Success", id: "specify" },
        { type: "WaitingForEvents", id: "clarify" },
      ],
    },
  });
  wm.addJob({ id: ids.healthy, script_path: "f/devgodzilla/qa", job_kind: "script", running: true, started_at: ago(60), last_ping: ago(5) });
  wm.addJob({
    id: ids.failed,
    script_path: "f/devgodzilla/spec_to_pr",
    job_kind: "flow",
    success: false,
    created_at: ago(7200),
    args: { repo: fx.remote },
    result: {
      error: { name: "QaFailed", message: "QA verdict fail after 3 attempts" },
      branch: "devgodzilla/002-failed",
      pr_url: "https://github.com/acme/widgets/pull/12",
    },
  });
  wm.addJob({
    id: ids.ok,
    script_path: "f/devgodzilla/spec_to_pr",
    job_kind: "flow",
    success: true,
    created_at: ago(5000),
    args: { repo: fx.remote },
    result: { branch: "devgodzilla/003-ok", commit: okCommit, pr: { url: "https://github.com/acme/widgets/pull/13" } },
  });
  // A successful run older than the newest-100 listing still owns its branch (found by result filter).
  wm.addJob({
    script_path: "f/devgodzilla/spec_to_pr",
    job_kind: "flow",
    success: true,
    created_at: ago(40 * 86400),
    args: {},
    result: { branch: "devgodzilla/006-old" },
  });
  for (let i = 0; i < 100; i++) wm.addJob({ script_path: "f/devgodzilla/noise", job_kind: "script", success: true, created_at: ago(30 + i) });
  wm.addJob({
    id: ids.lost,
    script_path: "f/devgodzilla/spec_to_pr",
    job_kind: "flow",
    success: true,
    created_at: ago(4000),
    args: { repo: fx.remote },
    result: { branch: "devgodzilla/004-lost", commit: lostCommit },
  });

  wm.resources.set("f/devgodzilla/webhook_deliveries/gh_old", {
    resource_type: "state",
    value: { provider: "github", delivery_id: "old", at: ago(40 * 86400) },
  });
  wm.resources.set("f/devgodzilla/webhook_deliveries/gh_new", { resource_type: "state", value: { provider: "github", delivery_id: "new", at: ago(3600) } });
  workRoot = await fs.mkdtemp(path.join(os.tmpdir(), "dg-reconcile-work-"));
  cacheDir = await fs.mkdtemp(path.join(os.tmpdir(), "dg-reconcile-cache-"));
  dirs.ofFailedJob = await workDir("failedjob", ids.failed);
  dirs.ofLiveJob = await workDir("livejob", ids.healthy);
  dirs.unknownOwner = await workDir("unknown", randomUUID());
  dirs.oldUnmarked = await workDir("old", undefined, true);
  // Copies another Windmill (or another workspace here) made: their jobs are unknown to this one.
  dirs.otherWindmill = await workDir("other-windmill", randomUUID(), true, { base_url: "http://windmill.other.example:8000", workspace: "dg" });
  dirs.otherWorkspace = await workDir("other-workspace", randomUUID(), true, { base_url: wm.baseUrl, workspace: "team-b" });
  dirs.legacyMarker = await workDir("legacy", undefined, true);
  await fs.writeFile(path.join(dirs.legacyMarker, ".git", OWNER_MARKER), JSON.stringify({ job_id: randomUUID(), created_at: ago(86400 * 3) }));
  dirs.freshUnmarked = await workDir("fresh");
  await fs.mkdir(path.join(workRoot, "devgodzilla-not-git"), { recursive: true }); // never touched: not a git dir

  const mirrors = path.join(cacheDir, "mirrors");
  await fs.mkdir(mirrors, { recursive: true });
  const dead = spawnSync(process.execPath, ["-e", ""]).pid!;
  deadLock = path.join(mirrors, "a".repeat(64) + ".git.lock");
  liveLock = path.join(mirrors, "b".repeat(64) + ".git.lock");
  await fs.writeFile(deadLock, JSON.stringify({ pid: dead, host: os.hostname(), token: "x", at: ago(30) }));
  await fs.writeFile(liveLock, JSON.stringify({ pid: process.pid, host: os.hostname(), token: "y", at: ago(30) }));
});

afterAll(async () => {
  await forge.close();
  await wm.close();
  await fx.cleanup();
  await fs.rm(workRoot, { recursive: true, force: true });
  await fs.rm(cacheDir, { recursive: true, force: true });
});

function target() {
  return resolveTarget({ kind: "github", repoUrl: fx.remote, repoPath: "acme/widgets", apiBase: forge.githubApiBase, token: GH_TOKEN });
}
const opts = (dryRun: boolean): ReconcileOptions => ({
  dryRun,
  windmill: self,
  workRoots: [workRoot],
  cacheDir,
  forgeFor: (repo) => (repo === fx.remote ? target() : undefined),
});
const exists = (p: string) =>
  fs.stat(p).then(
    () => true,
    () => false,
  );

describe("reconcile over fabricated Windmill jobs and git states", () => {
  it("dry run reports everything it would do and changes nothing", async () => {
    const r = await reconcile(opts(true));
    const kinds = r.findings.map((f) => `${f.kind}:${f.action}`);
    expect(kinds).toContain("stuck-job:would-cancel");
    expect(kinds).toContain("orphan-workdir:would-remove");
    expect(kinds).toContain("orphan-lock:would-remove");
    expect(kinds).toContain("expired-delivery:would-remove");
    expect(wm.resources.has("f/devgodzilla/webhook_deliveries/gh_old")).toBe(true);
    expect(wm.jobs.get(ids.stuck)?.type).toBe("QueuedJob");
    expect(await exists(dirs.ofFailedJob)).toBe(true);
    expect(await exists(deadLock)).toBe(true);
    expect(wm.requests.some((q) => q.path.includes("/queue/cancel/"))).toBe(false);
    expect(r.markdown).toContain("dry run");
  });

  it("with since, looks only at jobs created from then on: an older stuck job or failed run is not reported", async () => {
    const all = await reconcile(opts(true));
    const recent = await reconcile({ ...opts(true), since: ago(3500) });
    expect(recent.jobs_seen).toBeLessThan(all.jobs_seen);
    expect(recent.jobs_seen).toBeGreaterThanOrEqual(100); // the recent noise jobs
    const kinds = recent.findings.map((f) => f.kind);
    expect(kinds).not.toContain("stuck-job");
    expect(kinds).not.toContain("failed-run-branch");
    expect(all.findings.map((f) => f.kind)).toEqual(expect.arrayContaining(["stuck-job", "failed-run-branch"]));
    // The report counts runs (root jobs of the run flows), not jobs: how many jobs a run makes depends on the engine.
    expect(all.runs_seen).toBe(5);
    expect(all.markdown).toContain("· 5 runs checked ·");
    expect(recent.runs_seen).toBe(0);
    await expect(reconcileMain(true, 360, 120, 15, true, ["f/devgodzilla/spec_to_pr"], undefined, undefined, "", "", "last tuesday")).rejects.toThrow(
      /since: "last tuesday" is not a date/,
    );
  });

  it("cancels the stuck job, removes orphans, and reports failed/vanished branches and the missing commit", async () => {
    const r = await reconcile(opts(false));
    const by = (kind: string) => r.findings.filter((f) => f.kind === kind);

    // Stuck job cancelled through JobService.cancelQueuedJob; the approval wait and the healthy job are left alone.
    expect(by("stuck-job").map((f) => f.job_id)).toEqual([ids.stuck]);
    expect(wm.jobs.get(ids.stuck)).toMatchObject({ type: "CompletedJob", canceled: true });
    expect(String(wm.jobs.get(ids.stuck)?.canceled_reason)).toMatch(/no worker ping|running for/);
    expect(wm.jobs.get(ids.approval)?.type).toBe("QueuedJob");
    expect(wm.jobs.get(ids.healthy)?.type).toBe("QueuedJob");

    // Work dirs of this Windmill: owner job not live or unknown here → removed; live owner → kept.
    expect(await exists(dirs.ofFailedJob)).toBe(false);
    expect(await exists(dirs.unknownOwner)).toBe(false);
    expect(await exists(dirs.ofLiveJob)).toBe(true);
    expect(
      by("orphan-workdir")
        .map((f) => f.subject)
        .sort(),
    ).toEqual([dirs.ofFailedJob, dirs.unknownOwner].sort());
    expect(await exists(path.join(workRoot, "devgodzilla-not-git"))).toBe(true);

    // Locks: dead holder removed, live holder kept.
    expect(await exists(deadLock)).toBe(false);
    expect(await exists(liveLock)).toBe(true);

    // Git reports.
    expect(by("failed-run-branch")).toEqual([
      expect.objectContaining({ subject: "devgodzilla/002-failed", job_id: ids.failed, pr_url: "https://github.com/acme/widgets/pull/12" }),
    ]);
    expect(by("failed-run-branch")[0].detail).toContain("QA verdict fail");
    expect(
      by("vanished-run-branch")
        .map((f) => f.subject)
        .sort(),
    ).toEqual(["devgodzilla/001-greeting", "devgodzilla/005-orphan"]);
    expect(by("missing-commit")).toEqual([expect.objectContaining({ subject: lostCommit, job_id: ids.lost })]);
    expect(r.findings.some((f) => f.subject === okCommit)).toBe(false); // the good run is fine
    // PRs of orphaned branches are found through the forge API; the token never shows.
    expect(by("vanished-run-branch").find((f) => f.subject === "devgodzilla/005-orphan")?.detail).toMatch(/PR #1 is still open/);
    expect(JSON.stringify(r)).not.toContain(GH_TOKEN);

    // Old webhook delivery claims are pruned from Windmill; recent ones stay (redeliveries).
    expect(by("expired-delivery")).toEqual([expect.objectContaining({ action: "removed" })]);
    expect(wm.resources.has("f/devgodzilla/webhook_deliveries/gh_old")).toBe(false);
    expect(wm.resources.has("f/devgodzilla/webhook_deliveries/gh_new")).toBe(true);

    expect(r.markdown).toContain("### Stuck jobs (1)");
    expect(r.markdown).toContain("devgodzilla/002-failed");
  });

  it("never deletes a working copy that is not marked as this Windmill's: another instance, another workspace, an old or markerless copy are reported and kept", async () => {
    const r = await reconcile(opts(false));
    for (const d of [dirs.otherWindmill, dirs.otherWorkspace, dirs.legacyMarker, dirs.oldUnmarked, dirs.freshUnmarked]) expect(await exists(d)).toBe(true);
    const reported = (kind: string) =>
      r.findings
        .filter((f) => f.kind === kind && f.action === "reported")
        .map((f) => f.subject)
        .sort();
    expect(reported("foreign-workdir")).toEqual([dirs.otherWindmill, dirs.otherWorkspace].sort());
    expect(r.findings.find((f) => f.subject === dirs.otherWindmill)?.detail).toContain("windmill.other.example");
    expect(reported("unknown-workdir")).toEqual([dirs.legacyMarker, dirs.oldUnmarked].sort()); // the fresh unmarked one is not even worth a line
    expect(r.markdown).toContain("left alone");
  });

  it("outside a Windmill job, with no identity given, it removes no working copy at all", async () => {
    const d = await workDir("no-identity-pass", randomUUID());
    const saved = { url: process.env.WM_BASE_URL, ws: process.env.WM_WORKSPACE };
    delete process.env.WM_BASE_URL;
    try {
      const r = await reconcile({ workRoots: [workRoot], cacheDir, checkGit: false });
      expect(await exists(d)).toBe(true);
      expect(r.findings.some((f) => f.kind === "orphan-workdir")).toBe(false);
      expect(r.findings.find((f) => f.subject === d)?.kind).toBe("foreign-workdir");
    } finally {
      if (saved.url !== undefined) process.env.WM_BASE_URL = saved.url;
      await fs.rm(d, { recursive: true, force: true });
    }
  });

  it("is idempotent: a second pass cancels and removes nothing more", async () => {
    const cancelsBefore = wm.requests.filter((q) => q.path.includes("/queue/cancel/")).length;
    const r = await reconcile(opts(false));
    expect(r.findings.filter((f) => ["stuck-job", "orphan-workdir", "orphan-lock", "expired-delivery"].includes(f.kind))).toEqual([]);
    expect(wm.requests.filter((q) => q.path.includes("/queue/cancel/")).length).toBe(cancelsBefore);
    expect(await exists(dirs.ofLiveJob)).toBe(true);
  });

  it("the script returns a markdown report and every call went through windmill-client with the token", async () => {
    const out = await reconcileMain(true);
    expect(Object.keys(out)).toEqual(["markdown"]);
    expect(out.markdown).toMatch(/DevGodzilla reconcile/);
    expect(wm.requests.every((q) => q.authorized)).toBe(true);
    expect(wm.requests.some((q) => q.path === "/api/w/dg/jobs/list")).toBe(true);
  });
});

describe("working copies made by git.ts checkout carry their owning job", () => {
  it("a fresh checkout is marked with the current WM_JOB_ID; reconcile keeps it while that job is live and removes it once the job is gone", async () => {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), "dg-reconcile-owned-"));
    const cache = await fs.mkdtemp(path.join(os.tmpdir(), "dg-reconcile-owned-cache-"));
    const saved = { job: process.env.WM_JOB_ID, root: process.env.WM_ROOT_FLOW_JOB_ID, url: process.env.WM_BASE_URL };
    process.env.WM_BASE_URL = wm.baseUrl + "/"; // as Windmill sets it for every job (normalised in the marker)
    try {
      const as = async (jobId: string | undefined) => {
        if (jobId === undefined) delete process.env.WM_JOB_ID;
        else process.env.WM_JOB_ID = jobId;
        delete process.env.WM_ROOT_FLOW_JOB_ID;
        return checkout({ repo: fx.remote, commit: fx.baseCommit, workRoot: root, cacheDir: cache });
      };
      const live = await as(ids.healthy);
      const gone = await as(randomUUID());
      const outside = await as(undefined); // no job (e.g. a developer's shell): no marker
      const marker = JSON.parse(await fs.readFile(path.join(live.dir, ".git", OWNER_MARKER), "utf8"));
      expect(marker).toMatchObject({ windmill: { base_url: wm.baseUrl, workspace: "dg" }, job_id: ids.healthy, host: os.hostname(), pid: process.pid });
      expect(await exists(path.join(outside.dir, ".git", OWNER_MARKER))).toBe(false);
      // The marker lives in the git dir: never in the working tree or a commit.
      expect(await git(live.dir, "status", "--porcelain", "--untracked-files=all")).toBe("");

      const r = await reconcile({ workRoots: [root], cacheDir: cache, checkGit: false }); // identity from the job env
      const removed = r.findings.filter((f) => f.kind === "orphan-workdir").map((f) => f.subject);
      expect(removed).toEqual([gone.dir]);
      expect(r.findings.find((f) => f.subject === gone.dir)?.detail).toMatch(/owner job .* is not live/);
      expect(await exists(live.dir)).toBe(true);
      expect(await exists(gone.dir)).toBe(false);
      expect(await exists(outside.dir)).toBe(true); // unmarked but fresh: could be anyone's
    } finally {
      if (saved.job === undefined) delete process.env.WM_JOB_ID;
      else process.env.WM_JOB_ID = saved.job;
      if (saved.root !== undefined) process.env.WM_ROOT_FLOW_JOB_ID = saved.root;
      if (saved.url === undefined) delete process.env.WM_BASE_URL;
      else process.env.WM_BASE_URL = saved.url;
      await fs.rm(root, { recursive: true, force: true });
      await fs.rm(cache, { recursive: true, force: true });
    }
  });
});

describe("the synced reconcile schedule", () => {
  it("ships unable to delete anything: disabled, and in dry run once enabled", async () => {
    const sched = parse(await fs.readFile(path.join(import.meta.dirname, "../../f/devgodzilla/reconcile.schedule.yaml"), "utf8"));
    expect(sched.script_path).toBe("f/devgodzilla/reconcile");
    expect(sched.enabled).toBe(false);
    expect(sched.args.dry_run).toBe(true);
  });
});
