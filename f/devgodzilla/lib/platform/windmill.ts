// The Windmill gateway: every call the bundle makes to Windmill's API goes through here (the
// official windmill-client underneath). It owns what each caller used to do its own way: a
// timeout per call, one typed error (WindmillError: operation, HTTP status, a hint), paged job
// listing (Windmill pages at `per_page`; a listing that stops at the first page misses jobs), the
// live-run lookup, flow user state, resume URLs and progress.
//
// Inside a job windmill-client authenticates from the job's environment (BASE_URL, WM_TOKEN,
// WM_WORKSPACE); the local runner serves the same API on loopback, and the tests use the fake in
// scripts/fakes/windmill-api.ts, built from the same route table.

import * as wmill from "windmill-client";
// getResultMaybe / getResult / getWorkspace live on the default export in windmill-client 1.818.
import wmillDefault from "windmill-client";
import { DevGodzillaError } from "../errors.ts";

// ---------------------------------------------------------------------------------------------
// Exported types

/** A job as Windmill lists it (the fields the bundle reads). */
export interface WindmillJob {
  id: string;
  type?: "QueuedJob" | "CompletedJob";
  script_path?: string;
  job_kind?: string;
  parent_job?: string | null;
  root_job?: string | null;
  flow_step_id?: string | null;
  created_at?: string;
  started_at?: string | null;
  completed_at?: string | null;
  duration_ms?: number | null;
  running?: boolean;
  suspend?: number;
  success?: boolean;
  canceled?: boolean;
  canceled_reason?: string | null;
  tag?: string;
  args?: Record<string, unknown> | null;
  result?: unknown;
  flow_status?: unknown;
  [key: string]: unknown;
}

export interface JobFilter {
  scriptPathExact?: string | string[];
  scriptPathStart?: string;
  parentJob?: string;
  running?: boolean;
  success?: boolean;
  suspended?: boolean;
  createdAfter?: string;
  /** Jobs whose args contain these (Postgres `@>`: nested objects match as subsets). */
  args?: Record<string, unknown>;
  /** Jobs whose result contains these. */
  result?: Record<string, unknown>;
  jobKinds?: string;
  hasNullParent?: boolean;
  isFlowStep?: boolean;
}

export interface ResumeUrls {
  resume: string;
  cancel: string;
  approvalPage: string;
}

/** A key-value store on one running flow job (Windmill flow user state). */
export interface FlowState {
  readonly flowJobId: string;
  get<T = unknown>(key: string): Promise<T | null>;
  set(key: string, value: unknown): Promise<void>;
}

/** What Windmill tells a job about itself (the WM_* variables of the job's environment). */
export interface CurrentJob {
  id: string;
  /** The flow job this step belongs to ("" outside a flow). */
  flowJobId: string;
  rootFlowJobId: string;
  stepId: string;
  workspace: string;
}

export class WindmillError extends DevGodzillaError {
  readonly operation: string;
  readonly status?: number;
  constructor(operation: string, problem: string, status?: number, hint?: string) {
    super(`Windmill ${operation}: ${problem}`, { hint });
    this.operation = operation;
    this.status = status;
  }
}

// ---------------------------------------------------------------------------------------------

const DEFAULT_TIMEOUT_MS = 30_000;
const PAGE = 100;

export function workspace(): string {
  return wmillDefault.getWorkspace();
}

export function currentJob(): CurrentJob {
  const env = process.env;
  return {
    id: env.WM_JOB_ID ?? "",
    flowJobId: env.WM_FLOW_JOB_ID ?? "",
    rootFlowJobId: env.WM_ROOT_FLOW_JOB_ID ?? "",
    stepId: env.WM_FLOW_STEP_ID ?? "",
    workspace: env.WM_WORKSPACE ?? "",
  };
}

/** One API call with a deadline; every failure becomes a WindmillError naming the operation. */
export async function call<T>(operation: string, fn: () => Promise<T>, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      fn(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new WindmillError(
                operation,
                `no answer within ${timeoutMs / 1000}s`,
                undefined,
                "check that the Windmill server is up and reachable from the worker",
              ),
            ),
          timeoutMs,
        );
      }),
    ]);
  } catch (e) {
    if (e instanceof WindmillError) throw e;
    const err = e as { status?: number; body?: unknown; message?: string };
    const body = typeof err.body === "string" ? err.body : err.body ? JSON.stringify(err.body) : "";
    const hint =
      err.status === 401 || err.status === 403 ? "the job's token cannot do this: check the permissions of the user or group the flow runs as" : undefined;
    throw new WindmillError(operation, `${err.message ?? String(e)}${body ? ` (${body.slice(0, 300)})` : ""}`, err.status, hint);
  } finally {
    clearTimeout(timer);
  }
}

// ---- jobs

/**
 * Every job matching the filter, newest first, up to `max`. Windmill's job list returns the live
 * (queued/running/suspended) jobs and one page of completed ones, and pages the completed ones by
 * `created_before` (inclusive; it ignores `page`): follow that cursor, dropping repeats.
 */
export async function listJobs(filter: JobFilter, max = 5000): Promise<WindmillJob[]> {
  const out = new Map<string, WindmillJob>();
  const ws = workspace();
  let before: string | undefined;
  for (;;) {
    const rows = await call(
      "list jobs",
      () =>
        wmill.JobService.listJobs({
          workspace: ws,
          scriptPathExact: Array.isArray(filter.scriptPathExact) ? filter.scriptPathExact.join(",") : filter.scriptPathExact,
          scriptPathStart: filter.scriptPathStart,
          parentJob: filter.parentJob,
          running: filter.running,
          success: filter.success,
          suspended: filter.suspended,
          createdAfter: filter.createdAfter,
          createdBefore: before,
          args: filter.args ? JSON.stringify(filter.args) : undefined,
          result: filter.result ? JSON.stringify(filter.result) : undefined,
          jobKinds: filter.jobKinds,
          hasNullParent: filter.hasNullParent,
          isFlowStep: filter.isFlowStep,
          perPage: PAGE,
        }) as unknown as Promise<WindmillJob[]>,
    );
    let fresh = 0;
    for (const j of rows ?? []) if (!out.has(j.id)) (out.set(j.id, j), fresh++);
    const completed = (rows ?? []).filter((j) => j.type !== "QueuedJob");
    if (out.size >= max || completed.length < PAGE || fresh === 0 || filter.running) break;
    before = completed.map((j) => j.created_at ?? "").sort()[0];
  }
  return [...out.values()].sort((a, b) => String(b.created_at).localeCompare(String(a.created_at))).slice(0, max);
}

/** Completed jobs of a filter with their results: Windmill's list carries none, so each is read from its job (8 reads at a time). */
export async function listCompletedWithResults(filter: JobFilter, max = 5000): Promise<WindmillJob[]> {
  const completed = (await listJobs(filter, max)).filter((j) => j.type === "CompletedJob");
  let next = 0;
  const reader = async () => {
    while (next < completed.length) {
      const j = completed[next++]!;
      if (j.result === undefined) j.result = (await jobResult(j.id)).result;
    }
  };
  await Promise.all(Array.from({ length: Math.min(8, completed.length) }, reader));
  return completed;
}

export async function getJob(id: string): Promise<WindmillJob> {
  return call(`get job ${id}`, () => wmill.JobService.getJob({ workspace: workspace(), id, noLogs: true, noCode: true }) as unknown as Promise<WindmillJob>);
}

/** A job's result once it completed; `completed: false` while it is queued, running or suspended. */
export async function jobResult(id: string): Promise<{ completed: boolean; success?: boolean; result?: unknown }> {
  const r = await call(`result of job ${id}`, () => wmillDefault.getResultMaybe(id) as Promise<{ completed?: boolean; success?: boolean; result?: unknown }>);
  return { completed: !!r?.completed, success: r?.success, result: r?.result };
}

const unquote = (id: unknown) => String(id).trim().replace(/^"|"$/g, "");

/** Starts a flow run; it is not a child of the calling job unless `tracked` (then it is listed under it). */
export async function startFlow(path: string, args: Record<string, unknown>, tracked = false): Promise<string> {
  return unquote(await call(`start flow ${path}`, () => wmill.runFlowAsync(path, args, null, !tracked)));
}

export async function startScript(path: string, args: Record<string, unknown>): Promise<string> {
  return unquote(await call(`start script ${path}`, () => wmill.runScriptByPathAsync(path, args)));
}

/** Cancels a queued, running or suspended job (a flow with everything under it); false if it already ended. */
export async function cancelJob(id: string, reason: string): Promise<boolean> {
  try {
    const answer = await call(`cancel job ${id}`, () => wmill.JobService.cancelQueuedJob({ workspace: workspace(), id, requestBody: { reason } }));
    // Windmill answers a job that already ended with 200 and this note (windmill-api cancel_job_api; CE v1.592.1), not an error.
    return !/is already completed/.test(String(answer));
  } catch (e) {
    if (e instanceof WindmillError && e.status === 404) return false;
    throw e;
  }
}

/** live: queued, running or suspended; otherwise how it ended. */
export function jobState(j: WindmillJob): "live" | "succeeded" | "failed" {
  if (j.type === "QueuedJob" || (j.type === undefined && j.success === undefined && !j.completed_at)) return "live";
  return j.success ? "succeeded" : "failed";
}

/** The runs of `path` whose args contain `match`, newest first, each with its state. */
export async function runsOf(path: string, match: Record<string, unknown>, max = 200): Promise<(WindmillJob & { state: ReturnType<typeof jobState> })[]> {
  return (await listJobs({ scriptPathExact: path, args: match }, max)).map((j) => ({ ...j, state: jobState(j) }));
}

/** A run of `path` whose args contain `match` and that is still live (queued, running or suspended). */
export async function findLiveRun(path: string, match: Record<string, unknown>): Promise<WindmillJob | undefined> {
  return (await runsOf(path, match)).find((j) => j.state === "live");
}

/** Starts `path` with `args` unless a live run with args containing `match` exists (then names that one). */
export async function startUnlessLive(
  path: string,
  args: Record<string, unknown>,
  match: Record<string, unknown>,
  start: (p: string, a: Record<string, unknown>) => Promise<string> = startFlow,
): Promise<{ started: boolean; job_id: string }> {
  const live = await findLiveRun(path, match);
  if (live) return { started: false, job_id: live.id };
  return { started: true, job_id: await start(path, args) };
}

// ---- resources and variables

export async function getResource<T = unknown>(path: string): Promise<T> {
  return call(`resource ${path}`, () => wmill.getResource(path.replace(/^\$res:/, "")) as Promise<T>);
}

/** A resource, or undefined when it does not exist. */
export async function findResource<T = unknown>(path: string): Promise<T | undefined> {
  return call(`resource ${path}`, () => wmill.getResource(path.replace(/^\$res:/, ""), true) as Promise<T | undefined>);
}

/**
 * A resource's value as stored, with the `$res:`/`$var:` references inside it left as references;
 * undefined when it does not exist. For values handed on as another run's arguments: Windmill
 * resolves the references when that run starts, so the secrets they name never become arguments.
 */
export async function findStoredResource<T = unknown>(path: string): Promise<T | undefined> {
  const p = path.replace(/^\$res:/, "");
  try {
    return await call(`resource ${p}`, () => wmill.ResourceService.getResourceValue({ workspace: workspace(), path: p }) as Promise<T>);
  } catch (e) {
    if (e instanceof WindmillError && e.status === 404) return undefined;
    throw e;
  }
}

export async function getVariable(path: string): Promise<string> {
  return call(`variable ${path}`, () => wmill.getVariable(path.replace(/^\$var:/, "")));
}

/**
 * Creates a resource; false when one exists at that path already (a claim someone else made first).
 * Windmill answers a duplicate with an error, so existence is checked after a failed create.
 */
export async function createResource(path: string, resourceType: string, value: unknown, description = ""): Promise<boolean> {
  const ws = workspace();
  try {
    await call(`create resource ${path}`, () =>
      wmill.ResourceService.createResource({ workspace: ws, requestBody: { path, value, resource_type: resourceType, description } }),
    );
    return true;
  } catch (e) {
    if (await call(`resource ${path} exists`, () => wmill.ResourceService.existsResource({ workspace: ws, path })).catch(() => false)) return false;
    throw e;
  }
}

export async function updateResourceValue(path: string, value: unknown): Promise<void> {
  await call(`update resource ${path}`, () => wmill.ResourceService.updateResourceValue({ workspace: workspace(), path, requestBody: { value } }));
}

/** Deletes a resource; false when there was none. */
export async function deleteResource(path: string): Promise<boolean> {
  try {
    await call(`delete resource ${path}`, () => wmill.ResourceService.deleteResource({ workspace: workspace(), path }));
    return true;
  } catch (e) {
    if (e instanceof WindmillError && e.status === 404) return false;
    throw e;
  }
}

/** Resources under a path prefix (of one type), with their values, every page. */
export async function listResources(pathStart: string, resourceType?: string, max = 5000): Promise<{ path: string; value?: unknown }[]> {
  const out: { path: string; value?: unknown }[] = [];
  for (let page = 1; out.length < max; page++) {
    const rows = (await call(`list resources ${pathStart}`, () =>
      wmill.ResourceService.listResource({ workspace: workspace(), pathStart, resourceType, page, perPage: PAGE }),
    )) as { path: string; value?: unknown }[];
    out.push(...(rows ?? []));
    if ((rows ?? []).length < PAGE) break;
  }
  return out.slice(0, max);
}

// ---- flow user state

/**
 * The user state of a flow job that is running. Windmill sets one key with one atomic JSONB_SET
 * on the job's status row, so writers of different keys never lose each other's writes; once the
 * flow job has ended its state reads as null.
 */
export function flowState(flowJobId: string): FlowState {
  const ws = () => workspace();
  return {
    flowJobId,
    // A method, not a generic arrow function: Windmill's bundler reads `<T>(…) =>` as JSX.
    async get<T>(key: string): Promise<T | null> {
      return ((await call(`read flow state ${key}`, () => wmill.JobService.getFlowUserState({ workspace: ws(), id: flowJobId, key }))) ?? null) as T | null;
    },
    async set(key, value) {
      await call(`write flow state ${key}`, () => wmill.JobService.setFlowUserState({ workspace: ws(), id: flowJobId, key, requestBody: value ?? null }));
    },
  };
}

// ---- approvals and resume URLs

/** The resume / cancel / approval-page URLs of the current step (one fresh resume id per call). */
export async function resumeUrls(approver?: string): Promise<ResumeUrls> {
  return call("resume URLs", () => wmill.getResumeUrls(approver) as unknown as Promise<ResumeUrls>);
}

/**
 * Resumes a suspended (or still running) step through its resume URL. The URL's path is posted to
 * the API this job uses (the public address in the URL may not be reachable from a worker).
 * "already": this resume id was used before (someone else resumed it first), which is fine.
 */
export async function postResume(url: string, payload: unknown): Promise<"resumed" | "already"> {
  const u = new URL(url);
  const tail = u.pathname.replace(/^.*?\/api\//, "/");
  const target = `${wmill.OpenAPI.BASE}${tail}${u.search}`;
  return call("resume a step", async () => {
    const res = await fetch(target, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(payload ?? {}) });
    if (res.ok) return "resumed" as const;
    const text = await res.text();
    if (/already sent/i.test(text)) return "already" as const;
    throw new WindmillError("resume a step", `HTTP ${res.status}: ${text.slice(0, 300)}`, res.status);
  });
}

/** What an approval step needs of Windmill; tests pass their own. */
export interface ApprovalDeps {
  resumeUrls(): Promise<ResumeUrls | Record<string, never>>;
  post(url: string, payload: unknown): Promise<unknown>;
}

export const windmillApprovals: ApprovalDeps = {
  // Outside a Windmill job (a direct call) there are no resume URLs; the step's payload still says what is asked.
  resumeUrls: async () => (process.env.WM_JOB_ID ? resumeUrls() : {}),
  post: postResume,
};

/** Resumes the current suspend step at once ({skipped: true}): the flow goes on without asking anybody. */
export async function resumeSelf(deps: ApprovalDeps = windmillApprovals): Promise<void> {
  const urls = await deps.resumeUrls();
  if ("resume" in urls && urls.resume) await deps.post(urls.resume, { skipped: true });
}

// ---- progress

/** The job's progress in percent; never fails the job (progress is a courtesy). */
export function setProgress(percent: number): void {
  if (!process.env.WM_JOB_ID) return;
  void wmill.setProgress(Math.max(0, Math.min(100, Math.round(percent)))).catch(() => undefined);
}

// ---- workers

/** For each tag: does a worker that pinged in the last minute listen on it. */
export async function workersWithTags(tags: string[]): Promise<Record<string, boolean>> {
  if (!tags.length) return {};
  return call(
    "workers with tags",
    () => wmill.WorkerService.existsWorkersWithTags({ tags: tags.join(","), workspace: workspace() }) as Promise<Record<string, boolean>>,
  );
}
