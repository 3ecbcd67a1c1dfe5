// Loopback fake of the Windmill REST API subset that windmill-client calls from our platform
// scripts (jobs list/get/cancel, flow runs, resources, variables, state). It sits BEHIND the real
// windmill-client: point the client at it with `setClient(token, fake.baseUrl)` (or BASE_URL +
// WM_TOKEN + WM_WORKSPACE) and the scripts run unchanged. Routes and payload shapes follow
// node_modules/windmill-client/dist/services.gen.mjs (client 1.818).
//
//   const wm = await startWindmillApi({ token: "t", workspace: "ws" });
//   wm.addJob({ id, script_path: "f/devgodzilla/spec_to_pr", running: true, ... });
//   setClient("t", wm.baseUrl); process.env.WM_WORKSPACE = "ws";

import http from "node:http";
import type { AddressInfo } from "node:net";
import { randomUUID } from "node:crypto";
import { closeServer, readJsonOrText } from "./http.ts";

export interface FakeJob {
  id: string;
  /** "QueuedJob" while queued/running/suspended, "CompletedJob" once done. */
  type: "QueuedJob" | "CompletedJob";
  script_path?: string;
  job_kind: string;
  parent_job?: string;
  root_job?: string;
  created_at: string;
  started_at?: string;
  completed_at?: string;
  running?: boolean;
  last_ping?: string;
  args?: Record<string, unknown>;
  result?: unknown;
  success?: boolean;
  canceled: boolean;
  canceled_reason?: string;
  canceled_by?: string;
  flow_status?: unknown;
  is_flow_step: boolean;
  suspend?: number;
  duration_ms?: number;
  email: string;
  created_by: string;
  permissioned_as: string;
  tag: string;
  visible_to_owner: boolean;
  is_skipped?: boolean;
  trigger_kind?: string;
  [k: string]: unknown;
}

export type FakeJobInput = Partial<FakeJob> & { id?: string; script_path: string };

export interface WmRecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  authorized: boolean;
  status: number;
}

export interface FakeWindmillOptions {
  token: string;
  workspace: string;
  resources?: Record<string, { resource_type?: string; value: unknown }>;
  variables?: Record<string, string>;
}

export interface FakeWindmillApi {
  /** What BASE_URL would be (windmill-client appends /api). */
  baseUrl: string;
  token: string;
  workspace: string;
  jobs: Map<string, FakeJob>;
  resources: Map<string, { resource_type: string; value: unknown }>;
  variables: Map<string, string>;
  requests: WmRecordedRequest[];
  addJob(job: FakeJobInput): FakeJob;
  /** Completes a queued job (as a worker would). */
  completeJob(id: string, result: unknown, success?: boolean): void;
  /** Flow/script runs started through /jobs/run/{f|p}/{path}. */
  runs(): FakeJob[];
  close(): Promise<void>;
}

const iso = (ms = Date.now()) => new Date(ms).toISOString();

export async function startWindmillApi(opts: FakeWindmillOptions): Promise<FakeWindmillApi> {
  const jobs = new Map<string, FakeJob>();
  const resources = new Map<string, { resource_type: string; value: unknown }>();
  const variables = new Map<string, string>(Object.entries(opts.variables ?? {}));
  for (const [p, r] of Object.entries(opts.resources ?? {})) resources.set(p, { resource_type: r.resource_type ?? "object", value: r.value });
  const requests: WmRecordedRequest[] = [];
  const started: string[] = [];

  const addJob = (j: FakeJobInput): FakeJob => {
    const done = j.type === "CompletedJob" || j.success !== undefined;
    const job: FakeJob = {
      job_kind: j.script_path?.includes("__flow") || j.job_kind === "flow" ? "flow" : "script",
      created_at: iso(),
      canceled: false,
      is_flow_step: false,
      email: "bot@windmill.dev",
      created_by: "bot",
      permissioned_as: "u/bot",
      tag: "bun",
      visible_to_owner: true,
      ...j,
      id: j.id ?? randomUUID(),
      type: done ? "CompletedJob" : "QueuedJob",
    };
    if (done) {
      job.is_skipped = job.is_skipped ?? false;
      job.completed_at = job.completed_at ?? iso();
      job.success = job.success ?? false;
    } else job.running = job.running ?? false;
    jobs.set(job.id, job);
    return job;
  };

  const completeJob = (id: string, result: unknown, success = true) => {
    const j = jobs.get(id);
    if (!j) throw new Error(`no job ${id}`);
    Object.assign(j, { type: "CompletedJob", result, success, running: undefined, completed_at: iso(), is_skipped: false });
  };

  const server = http.createServer(async (req, res) => {
    const u = new URL(req.url ?? "/", "http://127.0.0.1");
    const body = await readJsonOrText(req);
    const authorized = req.headers.authorization === `Bearer ${opts.token}`;
    const rec: WmRecordedRequest = { method: req.method ?? "GET", path: decodeURI(u.pathname), query: Object.fromEntries(u.searchParams), body, authorized, status: 0 };
    requests.push(rec);
    const send = (status: number, payload: unknown, text = false) => {
      rec.status = status;
      res.writeHead(status, { "content-type": text ? "text/plain" : "application/json" });
      res.end(text ? String(payload) : JSON.stringify(payload));
    };
    if (!authorized) return send(401, "Unauthorized: missing or invalid token", true);
    const prefix = `/api/w/${opts.workspace}/`;
    if (!rec.path.startsWith(prefix)) return send(404, `not found: ${rec.path}`, true);
    const p = rec.path.slice(prefix.length);
    const q = u.searchParams;
    const method = req.method ?? "GET";
    let m: RegExpExecArray | null;
    try {
      if (p === "jobs/list" && method === "GET") return send(200, listJobs(q));
      if ((m = /^jobs_u\/get\/([^/]+)$/.exec(p)) && method === "GET") {
        const j = jobs.get(m[1]);
        return j ? send(200, j) : send(404, `Job ${m[1]} not found`, true);
      }
      if ((m = /^jobs_u\/get_root_job_id\/([^/]+)$/.exec(p)) && method === "GET") {
        const j = jobs.get(m[1]);
        return j ? send(200, j.root_job ?? j.id) : send(404, `Job ${m[1]} not found`, true);
      }
      if ((m = /^jobs_u\/completed\/get_result_maybe\/([^/]+)$/.exec(p)) && method === "GET") {
        const j = jobs.get(m[1]);
        if (!j) return send(404, `Job ${m[1]} not found`, true);
        return send(200, { completed: j.type === "CompletedJob", result: j.type === "CompletedJob" ? j.result : null, success: j.success, started: !!j.started_at });
      }
      if ((m = /^jobs_u\/queue\/(force_)?cancel\/([^/]+)$/.exec(p)) && method === "POST") {
        const j = jobs.get(m[2]);
        // Windmill answers 404 when the job is not in the queue any more (already completed).
        if (!j || j.type !== "QueuedJob") return send(404, `queued job id ${m[2]} does not exist`, true);
        const reason = (body as { reason?: string } | undefined)?.reason;
        Object.assign(j, { type: "CompletedJob", canceled: true, canceled_by: "bot", canceled_reason: reason ?? null, success: false, running: undefined, completed_at: iso(), is_skipped: false, result: { error: { name: "Canceled", message: `Job canceled: ${reason ?? ""}` } } });
        return send(200, `job canceled: ${j.id}`, true);
      }
      if ((m = /^jobs\/run\/(f|p)\/(.+)$/.exec(p)) && method === "POST") {
        const job = addJob({ script_path: m[2], job_kind: m[1] === "f" ? "flow" : "script", args: (body ?? {}) as Record<string, unknown>, parent_job: q.get("parent_job") ?? undefined, root_job: q.get("root_job") ?? undefined, trigger_kind: "webhook" });
        started.push(job.id);
        return send(201, job.id, true);
      }
      if ((m = /^resources\/get_value_interpolated\/(.+)$/.exec(p)) && method === "GET") {
        const r = resources.get(m[1]);
        return r ? send(200, r.value) : send(404, `Resource ${m[1]} not found`, true);
      }
      if ((m = /^resources\/get_value\/(.+)$/.exec(p)) && method === "GET") {
        const r = resources.get(m[1]);
        return r ? send(200, r.value) : send(404, `Resource ${m[1]} not found`, true);
      }
      if ((m = /^resources\/exists\/(.+)$/.exec(p)) && method === "GET") return send(200, resources.has(m[1]));
      if (p === "resources/list" && method === "GET") {
        const start = q.get("path_start") ?? "";
        const types = q.get("resource_type")?.split(",");
        const list = [...resources.entries()]
          .filter(([path, r]) => path.startsWith(start) && (!types || types.includes(r.resource_type)))
          .slice(0, Math.min(Number(q.get("per_page") ?? 30), 100))
          .map(([path, r]) => ({ path, resource_type: r.resource_type, value: r.value, workspace_id: opts.workspace, is_oauth: false }));
        return send(200, list);
      }
      if ((m = /^resources\/update_value\/(.+)$/.exec(p)) && method === "POST") {
        const r = resources.get(m[1]);
        if (!r) return send(404, `Resource ${m[1]} not found`, true);
        r.value = (body as { value: unknown }).value;
        return send(200, `${m[1]} updated`, true);
      }
      if ((m = /^resources\/delete\/(.+)$/.exec(p)) && method === "DELETE") {
        if (!resources.delete(m[1])) return send(404, `Resource ${m[1]} not found`, true);
        return send(200, `${m[1]} deleted`, true);
      }
      if (p === "resources/create" && method === "POST") {
        const b = body as { path: string; value: unknown; resource_type: string };
        if (resources.has(b.path) && q.get("update_if_exists") !== "true") return send(400, `resource ${b.path} already exists`, true);
        resources.set(b.path, { resource_type: b.resource_type, value: b.value });
        return send(201, b.path, true);
      }
      if ((m = /^variables\/get_value\/(.+)$/.exec(p)) && method === "GET") {
        const v = variables.get(m[1]);
        return v !== undefined ? send(200, v) : send(404, `Variable ${m[1]} not found`, true);
      }
      if ((m = /^variables\/exists\/(.+)$/.exec(p)) && method === "GET") return send(200, variables.has(m[1]));
      if ((m = /^variables\/update\/(.+)$/.exec(p)) && method === "POST") {
        if (!variables.has(m[1])) return send(404, `Variable ${m[1]} not found`, true);
        variables.set(m[1], String((body as { value: unknown }).value));
        return send(200, `${m[1]} updated`, true);
      }
      if (p === "variables/create" && method === "POST") {
        const b = body as { path: string; value: string };
        variables.set(b.path, String(b.value));
        return send(201, b.path, true);
      }
      if ((m = /^jobs_u\/(?:job_progress|set_progress)\/.+$/.exec(p))) return send(200, "ok", true);
      return send(404, `fake windmill: no route ${method} ${p}`, true);
    } catch (e) {
      return send(500, (e as Error).message, true);
    }
  });

  function listJobs(q: URLSearchParams): FakeJob[] {
    const list = (name: string) => q.get(name)?.split(",").filter(Boolean);
    const exact = list("script_path_exact");
    const start = list("script_path_start");
    const perPage = Math.min(Number(q.get("per_page") ?? 30), 100);
    const bool = (name: string) => (q.has(name) ? q.get(name) === "true" : undefined);
    const running = bool("running");
    const success = bool("success");
    const suspended = bool("suspended");
    const isFlowStep = bool("is_flow_step");
    const hasNullParent = bool("has_null_parent");
    const createdAfter = q.get("created_after");
    const createdBefore = q.get("created_before");
    const parent = q.get("parent_job");
    // args / result: JSON subset filters (Postgres @>); top-level keys are enough for our callers.
    const args = q.get("args") ? (JSON.parse(q.get("args")!) as Record<string, unknown>) : undefined;
    const result = q.get("result") ? (JSON.parse(q.get("result")!) as Record<string, unknown>) : undefined;
    const out = [...jobs.values()]
      .filter((j) => !exact || exact.includes(j.script_path ?? ""))
      .filter((j) => !start || start.some((s) => (j.script_path ?? "").startsWith(s)))
      .filter((j) => running === undefined || (j.type === "QueuedJob" && !!j.running) === running)
      .filter((j) => success === undefined || (j.type === "CompletedJob" && j.success === success))
      .filter((j) => suspended === undefined || (j.type === "QueuedJob" && (j.suspend ?? 0) > 0) === suspended)
      .filter((j) => isFlowStep === undefined || j.is_flow_step === isFlowStep)
      .filter((j) => hasNullParent === undefined || !j.parent_job === hasNullParent)
      .filter((j) => !parent || j.parent_job === parent)
      .filter((j) => !createdAfter || j.created_at > createdAfter)
      .filter((j) => !createdBefore || j.created_at <= createdBefore)
      .filter((j) => !args || Object.entries(args).every(([k, v]) => JSON.stringify(j.args?.[k]) === JSON.stringify(v)))
      .filter((j) => !result || (j.type === "CompletedJob" && !!j.result && typeof j.result === "object" && Object.entries(result).every(([k, v]) => JSON.stringify((j.result as Record<string, unknown>)[k]) === JSON.stringify(v))))
      .sort((a, b) => (a.created_at < b.created_at ? 1 : -1));
    // The list endpoint omits heavy fields, as Windmill does.
    return out.slice(0, perPage).map(({ logs: _l, raw_code: _c, ...rest }) => rest as FakeJob);
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    token: opts.token,
    workspace: opts.workspace,
    jobs,
    resources,
    variables,
    requests,
    addJob,
    completeJob,
    runs: () => started.map((id) => jobs.get(id)!).filter(Boolean),
    close: () => closeServer(server),
  };
}
