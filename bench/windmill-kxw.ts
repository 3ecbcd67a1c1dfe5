// Benchmark on a live Windmill: K concurrent execute_tasks runs on the server's W workers.
// Shows that no run deadlocks at any K ≥ W (W = 1 is Windmill's standalone default) and that no
// worker is held waiting: per run, the wall time, the worker-seconds its jobs ran, and the
// worker-seconds a job spent waiting for jobs it started (a job running while a child job of it
// runs — what the old dispatcher job did for a whole run). Suspended steps and flow jobs hold no
// worker and are not counted as worker time.
//
//   WINDMILL_URL=… WINDMILL_TOKEN=… WINDMILL_WORKSPACE=… npm run bench:windmill
//   BENCH_KS=1,3,6 (runs started together), BENCH_TASKS=3 (a diamond-free chain), BENCH_TIMEOUT=900 (s)
//
// The workspace must hold the deployed bundle (npm run deploy). The task jobs run the fake agent
// CLI from tests/fixtures/agents (a bin_dir on this machine, so the server's workers must run here,
// as the local server does) on throw-away git remotes under the system temp dir. W is what the
// server has (its live workers): run it once per W (start the server with 1 worker, then 2).
// Last line: one JSON object.

import { execa } from "execa";
import { mkdtemp, rm, writeFile, mkdir, readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import YAML from "yaml";

const URL_ = process.env.WINDMILL_URL;
const TOKEN = process.env.WINDMILL_TOKEN;
const WS = process.env.WINDMILL_WORKSPACE;
const KS = (process.env.BENCH_KS ?? "1,3,6")
  .split(",")
  .map(Number)
  .filter((n) => n > 0);
const TASKS = Number(process.env.BENCH_TASKS ?? 3);
const TIMEOUT_S = Number(process.env.BENCH_TIMEOUT ?? 900);
const FLOW = "f/devgodzilla/execute_tasks";
const AGENTS_RESOURCE = "f/devgodzilla/bench_fake_agents";
const FAKE_BIN = path.resolve(import.meta.dirname, "../tests/fixtures/agents/bin");

interface Job {
  id: string;
  type: string;
  script_path?: string;
  job_kind?: string;
  parent_job?: string | null;
  root_job?: string | null;
  created_at: string;
  started_at?: string | null;
  duration_ms?: number;
  success?: boolean;
  result?: unknown;
  canceled?: boolean;
}

async function api<T>(method: string, p: string, body?: unknown): Promise<T> {
  const res = await fetch(`${URL_}/api${p}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${p}: HTTP ${res.status} ${text.slice(0, 300)}`);
  try {
    return JSON.parse(text) as T;
  } catch {
    return text as T;
  }
}

/** A throw-away remote with a chain T001 → T002 → … whose tasks the fake agent completes. */
async function remote(dir: string, run: number) {
  const seed = path.join(dir, `seed-${run}`);
  const bare = path.join(dir, `remote-${run}.git`);
  await mkdir(path.join(seed, "specs", "005-bench"), { recursive: true });
  const lines = Array.from({ length: TASKS }, (_, i) => {
    const id = `T${String(i + 1).padStart(3, "0")}`;
    return `- [ ] ${id} Write part ${i + 1}${i ? ` (depends on T${String(i).padStart(3, "0")})` : ""} [[fake:write part${i + 1}.txt=${i + 1}]]`;
  });
  await writeFile(path.join(seed, "specs", "005-bench", "tasks.md"), ["# Tasks: bench", "", "## Phase 1: Work", "", ...lines, ""].join("\n"));
  await writeFile(path.join(seed, "README.md"), "# bench\n");
  const g = (...a: string[]) =>
    execa("git", ["-c", "user.name=Bench", "-c", "user.email=bench@example.test", "-c", "commit.gpgsign=false", ...a], { cwd: seed });
  await execa("git", ["init", "-q", "--bare", "-b", "main", bare]);
  await g("init", "-q", "-b", "main");
  await g("add", "-A");
  await g("commit", "-q", "-m", "seed");
  await g("push", "-q", bare, "main");
  return { bare, commit: (await g("rev-parse", "HEAD")).stdout.trim() };
}

async function ensureAgentsResource() {
  const types = await api<{ name: string }[]>("GET", `/w/${WS}/resources/type/list`);
  if (!types.some((t) => t.name === "c_devgodzilla_agents")) {
    const rt = YAML.parse(await readFile(path.resolve(import.meta.dirname, "../resources/c_devgodzilla_agents.resource-type.yaml"), "utf8"));
    await api("POST", `/w/${WS}/resources/type/create`, { name: "c_devgodzilla_agents", schema: rt.schema, description: rt.description });
  }
  const value = { default_agent: "qwen", enabled: ["qwen"], bin_dir: FAKE_BIN };
  await api("POST", `/w/${WS}/resources/create?update_if_exists=true`, { path: AGENTS_RESOURCE, resource_type: "c_devgodzilla_agents", value });
}

const t = (iso?: string | null) => (iso ? Date.parse(iso) : NaN);

/** Every job of a run: the flow job and all its descendants (by root_job / parent_job). */
async function jobsOf(root: string, since: string): Promise<Job[]> {
  const all: Job[] = [];
  let before: string | undefined;
  for (;;) {
    const page = await api<Job[]>(
      "GET",
      `/w/${WS}/jobs/list?per_page=1000&created_after=${encodeURIComponent(since)}${before ? `&created_before=${encodeURIComponent(before)}` : ""}`,
    );
    const fresh = page.filter((j) => !all.some((x) => x.id === j.id));
    all.push(...fresh);
    const completed = page.filter((j) => j.type === "CompletedJob");
    if (completed.length < 1000 || !fresh.length) break;
    before = completed.map((j) => j.created_at).sort()[0];
  }
  const ids = new Set([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const j of all) if (!ids.has(j.id) && ((j.root_job && ids.has(j.root_job)) || (j.parent_job && ids.has(j.parent_job)))) (ids.add(j.id), (grew = true));
  }
  return all.filter((j) => ids.has(j.id));
}

/** Worker-seconds: jobs that ran on a worker (not flow jobs); waiting = running while a child job ran. */
function workerSeconds(jobs: Job[]) {
  const onWorker = jobs.filter(
    (j) => j.job_kind !== "flow" && j.job_kind !== "flowpreview" && j.job_kind !== "flownode" && j.started_at && j.duration_ms !== undefined,
  );
  const span = (j: Job) => [t(j.started_at), t(j.started_at) + (j.duration_ms ?? 0)] as const;
  let busy = 0;
  let waiting = 0;
  for (const j of onWorker) {
    const [a, b] = span(j);
    busy += b - a;
    const kids = onWorker.filter((k) => k.parent_job === j.id).map(span);
    // Overlap of [a, b] with the union of its children's spans.
    const cuts = kids
      .map(([x, y]) => [Math.max(a, x), Math.min(b, y)] as const)
      .filter(([x, y]) => y > x)
      .sort((p, q) => p[0] - q[0]);
    let end = -Infinity;
    for (const [x, y] of cuts) {
      if (y <= end) continue;
      waiting += y - Math.max(x, end);
      end = y;
    }
  }
  const agentWork = onWorker.filter((j) => j.script_path === "f/devgodzilla/execute_task").reduce((s, j) => s + (j.duration_ms ?? 0), 0);
  return { worker_s: busy / 1000, waiting_s: waiting / 1000, agent_s: agentWork / 1000, jobs: onWorker.length };
}

async function liveWorkers(): Promise<number> {
  const w = await api<{ worker: string }[]>("GET", `/workers/list?ping_since=15&per_page=100`);
  return w.length;
}

async function runBatch(k: number, dir: string) {
  const since = new Date(Date.now() - 5_000).toISOString();
  const remotes = await Promise.all(Array.from({ length: k }, (_, i) => remote(dir, Date.now() + i)));
  const started = Date.now();
  const ids = await Promise.all(
    remotes.map((r) =>
      api<string>("POST", `/w/${WS}/jobs/run/f/${FLOW}`, {
        repo: r.bare,
        branch: "devgodzilla/005-bench",
        commit: r.commit,
        feature: "005-bench",
        concurrency: 2,
        retries: 0,
        setup: "skip",
        sandbox_policy: "allow_unsandboxed",
        agents: `$res:${AGENTS_RESOURCE}`,
      }).then((id) => String(id).replace(/"/g, "").trim()),
    ),
  );
  const done = new Map<string, Job>();
  while (done.size < ids.length && Date.now() - started < TIMEOUT_S * 1000) {
    for (const id of ids) {
      if (done.has(id)) continue;
      const j = await api<Job & { type: string }>("GET", `/w/${WS}/jobs_u/get/${id}`);
      if (j.type === "CompletedJob") done.set(id, j);
    }
    if (done.size < ids.length) await new Promise((r) => setTimeout(r, 1000)); // the bench is a client, not a worker
  }
  const rows = [];
  for (const id of ids) {
    const j = done.get(id);
    const jobs = await jobsOf(id, since);
    const ws = workerSeconds(jobs);
    const result = j?.result as { status?: string } | undefined;
    rows.push({
      run: id.slice(-8),
      finished: !!j,
      success: j?.success ?? false,
      status: result?.status ?? (j ? "?" : "still running"),
      wall_s: j ? (t(j.started_at ?? j.created_at) + (j.duration_ms ?? 0) - started) / 1000 : (Date.now() - started) / 1000,
      ...ws,
    });
  }
  // A run that did not finish is canceled, so the next batch starts clean.
  for (const id of ids) if (!done.has(id)) await api("POST", `/w/${WS}/jobs_u/queue/cancel/${id}`, { reason: "bench timeout" }).catch(() => undefined);
  return rows;
}

async function main() {
  if (!URL_ || !TOKEN || !WS) {
    console.log("bench:windmill skipped: set WINDMILL_URL, WINDMILL_TOKEN and WINDMILL_WORKSPACE (a workspace with the bundle deployed) to run it");
    console.log(JSON.stringify({ bench: "windmill-kxw", skipped: true }));
    return;
  }
  const flow = await api<{ path?: string }>("GET", `/w/${WS}/flows/get/${FLOW}`).catch(() => ({}) as { path?: string });
  if (!flow.path) throw new Error(`${FLOW} is not deployed in workspace ${WS}: run npm run deploy first`);
  await ensureAgentsResource();
  const w = await liveWorkers();
  const dir = await mkdtemp(path.join(os.tmpdir(), "dgz-bench-kxw-"));
  const table: Record<string, unknown>[] = [];
  try {
    for (const k of KS) {
      const rows = await runBatch(k, dir);
      for (const r of rows) table.push({ W: w, K: k, ...r });
      console.log(`W=${w} K=${k}: ${rows.filter((r) => r.finished && r.success).length}/${k} runs finished`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  console.log("\n| W | K | run | finished | run status | wall s | worker-s (jobs) | agent worker-s | worker-s waiting |");
  console.log("|---|---|---|---|---|---|---|---|---|");
  for (const r of table as {
    W: number;
    K: number;
    run: string;
    finished: boolean;
    status: string;
    wall_s: number;
    worker_s: number;
    jobs: number;
    agent_s: number;
    waiting_s: number;
  }[]) {
    console.log(
      `| ${r.W} | ${r.K} | ${r.run} | ${r.finished ? "yes" : "NO"} | ${r.status} | ${r.wall_s.toFixed(1)} | ${r.worker_s.toFixed(1)} (${r.jobs}) | ${r.agent_s.toFixed(1)} | ${r.waiting_s.toFixed(2)} |`,
    );
  }
  const all = table as { finished: boolean; waiting_s: number }[];
  console.log(
    JSON.stringify({
      bench: "windmill-kxw",
      workers: w,
      ks: KS,
      tasks_per_run: TASKS,
      runs: all.length,
      finished: all.filter((r) => r.finished).length,
      max_waiting_worker_s: Math.max(0, ...all.map((r) => r.waiting_s)),
      rows: table,
    }),
  );
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
