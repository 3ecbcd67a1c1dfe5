// The part of Windmill's REST API the bundle reaches through windmill-client, as ONE route table
// over a backend: the local runner serves it over its engine (scripts/runner/local-api.ts), the
// tests over an in-memory job table (scripts/fakes/windmill-api.ts). Paths and payload shapes are
// windmill-client's services.gen (client 1.818); behaviour is Windmill's where it matters to the
// bundle (job listing filters and paging, one-shot signed resume URLs, flow user state, 404s).
import { createHmac } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { closeServer, readJsonOrText } from "./http.ts";

/** A job as Windmill's API shows it (list / get). */
export interface WmJob {
  id: string;
  /** "QueuedJob" while queued, running or suspended; "CompletedJob" once done. */
  type: "QueuedJob" | "CompletedJob";
  script_path?: string;
  job_kind: string;
  parent_job?: string | null;
  root_job?: string | null;
  flow_step_id?: string | null;
  created_at: string;
  started_at?: string | null;
  completed_at?: string;
  running?: boolean;
  suspend?: number;
  args?: Record<string, unknown>;
  result?: unknown;
  success?: boolean;
  canceled: boolean;
  canceled_reason?: string | null;
  canceled_by?: string;
  is_flow_step: boolean;
  duration_ms?: number;
  tag: string;
  progress?: number;
  logs?: string;
  [k: string]: unknown;
}

export interface ResourceRow {
  resource_type: string;
  value: unknown;
  description?: string;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** What the routes need from whoever holds the jobs, resources and variables. */
export interface WindmillBackend {
  jobs(): WmJob[];
  job(id: string): WmJob | undefined;
  start(kind: "flow" | "script", path: string, args: Record<string, unknown>, lineage: { parent_job?: string; root_job?: string }): string | Promise<string>;
  /** false: no such job in the queue (an unknown one is a 404, a completed one is not). */
  cancel(id: string, reason: string): boolean;
  setProgress(id: string, percent: number): void;
  resource: {
    /** The value with `$var:`/`$res:` references resolved (get_value_interpolated); undefined (or a thrown error saying why) when absent. */
    get(path: string): unknown;
    list(): Record<string, ResourceRow>;
    create(path: string, row: ResourceRow): void;
    update(path: string, value: unknown): boolean;
    delete(path: string): boolean;
    /** Which listed rows may show their value (a runner hides configured secrets). */
    listsValue?(path: string): boolean;
  };
  variable: {
    get(path: string): string | undefined;
    set(path: string, value: string, create: boolean): boolean;
  };
  /** Flow user state of a running flow job (undefined: no such running flow job). */
  userState?(flowJob: string): { get(key: string): unknown; set(key: string, value: unknown): void } | undefined;
  /** A resume (or cancel) event for a suspended step's job. */
  resume?(job: string, resumeId: number, payload: unknown, approver: string, approved: boolean): void;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  authorized: boolean;
  status: number;
}

export interface WindmillServer {
  /** What BASE_URL would be (windmill-client appends /api). */
  baseUrl: string;
  token: string;
  workspace: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** An explicit answer: a status other than 200, or a string sent as JSON (`json`) instead of text. */
type Reply = { status?: number; body: unknown; json?: boolean };
type Handler = (m: RegExpMatchArray, ctx: { body: unknown; q: URLSearchParams; method: string }) => unknown | Reply | Promise<unknown | Reply>;

const reply = (body: unknown, status = 200): Reply => ({ status, body });
const jsonString = (s: string): Reply => ({ body: s, json: true });
const isReply = (x: unknown): x is Reply => !!x && typeof x === "object" && "body" in x && Object.keys(x).every((k) => ["body", "status", "json"].includes(k));

/** Postgres `@>` for JSON: every key of `sub` is in `sup` with a containing value. */
export function jsonContains(sup: unknown, sub: unknown): boolean {
  if (sub === null || typeof sub !== "object") return JSON.stringify(sup) === JSON.stringify(sub);
  if (Array.isArray(sub)) return Array.isArray(sup) && sub.every((s) => sup.some((x) => jsonContains(x, s)));
  if (!sup || typeof sup !== "object" || Array.isArray(sup)) return false;
  return Object.entries(sub).every(([k, v]) => jsonContains((sup as Record<string, unknown>)[k], v));
}

/**
 * Windmill's job list (windmill-api jobs.rs list_jobs): newest first; every live job plus
 * `per_page` completed ones; with `created_before` (its paging cursor, inclusive) or `success`
 * completed ones only; `running` (true or false) queued ones only. Logs, args and results are left
 * out, as Windmill's list leaves them out (a caller that needs them asks for the job).
 */
export function listJobs(all: WmJob[], q: URLSearchParams): WmJob[] {
  const list = (name: string) => q.get(name)?.split(",").filter(Boolean);
  const bool = (name: string) => (q.has(name) ? q.get(name) === "true" : undefined);
  const exact = list("script_path_exact");
  const start = q.get("script_path_start");
  const kinds = list("job_kinds");
  const [running, success, suspended, isFlowStep, hasNullParent] = ["running", "success", "suspended", "is_flow_step", "has_null_parent"].map(bool);
  const after = q.get("created_after");
  const before = q.get("created_before");
  const parent = q.get("parent_job");
  const args = q.get("args") ? JSON.parse(q.get("args")!) : undefined;
  const result = q.get("result") ? JSON.parse(q.get("result")!) : undefined;
  const perPage = Math.min(Number(q.get("per_page") ?? 1000), 10000);
  const matches = all
    .filter((j) => !exact || exact.includes(j.script_path ?? ""))
    .filter((j) => !start || (j.script_path ?? "").startsWith(start))
    .filter((j) => !kinds || kinds.includes(j.job_kind))
    .filter((j) => running === undefined || (j.type === "QueuedJob" && !!j.running) === running)
    .filter((j) => success === undefined || (j.type === "CompletedJob" && j.success === success))
    .filter((j) => suspended === undefined || (j.type === "QueuedJob" && (j.suspend ?? 0) > 0) === suspended)
    .filter((j) => isFlowStep === undefined || j.is_flow_step === isFlowStep)
    .filter((j) => hasNullParent === undefined || !j.parent_job === hasNullParent)
    .filter((j) => !parent || j.parent_job === parent)
    .filter((j) => !after || j.created_at >= after)
    .filter((j) => !before || j.created_at <= before)
    .filter((j) => !args || jsonContains(j.args ?? {}, args))
    .filter((j) => !result || (j.type === "CompletedJob" && jsonContains(j.result, result)))
    .sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : 0));
  // `running` (true or false) lists the queue only; `success` and `created_before` completed jobs only.
  const live = before || success !== undefined ? [] : matches.filter((j) => j.type === "QueuedJob");
  const done = running !== undefined ? [] : matches.filter((j) => j.type === "CompletedJob").slice(0, perPage);
  return [...(running !== undefined ? live.slice(0, perPage) : live), ...done]
    .sort((a, b) => (a.created_at < b.created_at ? 1 : -1))
    .map(({ logs: _l, args: _a, result: _r, ...rest }) => rest as WmJob);
}

/** The route table. `baseUrl` is read when a resume URL is made (the server's own address). */
export function windmillRoutes(backend: WindmillBackend, o: { workspace: string; secret: () => string; baseUrl: () => string }): [string, RegExp, Handler][] {
  const W = `^/api/w/${o.workspace}/`;
  const r = (p: string) => new RegExp(W + p + "$");
  const sign = (job: string, rid: number, approver?: string) =>
    createHmac("sha256", o.secret())
      .update(`${job}/${rid}/${approver ?? ""}`)
      .digest("hex");
  const found = (id: string) =>
    backend.job(id) ??
    (() => {
      throw new HttpError(404, `Job ${id} not found`);
    })();
  const res = backend.resource;
  return [
    // ---- jobs
    ["GET", r("jobs/list"), (_m, { q }) => listJobs(backend.jobs(), q)],
    ["GET", r("jobs_u/(?:get|completed/get)/([^/]+)"), (m) => found(m[1]!)],
    [
      "GET",
      r("jobs_u/get_root_job_id/([^/]+)"),
      (m) => {
        const j = found(m[1]!);
        return jsonString(j.root_job ?? j.parent_job ?? j.id);
      },
    ],
    [
      "GET",
      r("jobs_u/completed/get_result_maybe/([^/]+)"),
      (m) => {
        const j = found(m[1]!);
        const completed = j.type === "CompletedJob";
        return { completed, result: completed ? j.result : null, success: j.success, started: !!j.started_at };
      },
    ],
    ["GET", r("jobs_u/completed/get_result/([^/]+)"), (m) => found(m[1]!).result ?? null],
    [
      "POST",
      r("jobs/run/(f|p)/(.+)"),
      async (m, { body, q }) =>
        reply(
          await backend.start(m[1] === "f" ? "flow" : "script", decodeURIComponent(m[2]!), (body ?? {}) as Record<string, unknown>, {
            parent_job: q.get("parent_job") ?? undefined,
            root_job: q.get("root_job") ?? undefined,
          }),
          201,
        ),
    ],
    [
      "POST",
      r("jobs_u/queue/(?:force_)?cancel/([^/]+)"),
      (m, { body }) => {
        // As Windmill (cancel_job_api): the id once canceled, a note for a job already completed, 404 for one it does not know.
        if (backend.cancel(m[1]!, (body as { reason?: string } | undefined)?.reason ?? "")) return m[1]!;
        if (backend.job(m[1]!)?.type === "CompletedJob") return `queued job id ${m[1]} is already completed`;
        throw new HttpError(404, `queued job id ${m[1]} does not exist`);
      },
    ],
    ["POST", r("job_metrics/set_progress/([^/]+)"), (m, { body }) => (backend.setProgress(m[1]!, Number((body as { percent?: number })?.percent ?? 0)), "ok")],
    ["GET", r("job_metrics/get_progress/([^/]+)"), (m) => backend.job(m[1]!)?.progress ?? null],
    // ---- approvals: resume URLs are signed (no token needed); each resume id counts once
    [
      "GET",
      r("jobs/resume_urls/([^/]+)/(\\d+)"),
      (m, { q }) => {
        const approver = q.get("approver") ?? undefined;
        const qs = approver ? `?approver=${encodeURIComponent(approver)}` : "";
        const sig = sign(m[1]!, Number(m[2]), approver);
        const base = `${o.baseUrl()}/api/w/${o.workspace}/jobs_u`;
        return {
          approvalPage: `${o.baseUrl()}/approve/${o.workspace}/${m[1]}/${m[2]}/${sig}${qs}`,
          resume: `${base}/resume/${m[1]}/${m[2]}/${sig}${qs}`,
          cancel: `${base}/cancel/${m[1]}/${m[2]}/${sig}${qs}`,
        };
      },
    ],
    [
      "*",
      r("jobs_u/(resume|cancel)/([^/]+)/(\\d+)/([^/]+)"),
      (m, { body, q, method }) => {
        const approver = q.get("approver") ?? undefined;
        if (m[4] !== sign(m[2]!, Number(m[3]), approver)) throw new HttpError(400, "Invalid signature");
        if (!backend.resume) throw new HttpError(404, "parent flow job not found");
        const payload = method === "GET" ? Object.fromEntries([...q].filter(([k]) => k !== "approver")) : body;
        backend.resume(m[2]!, Number(m[3]), payload ?? null, approver ?? "anonymous", m[1] === "resume");
        return reply("", 201);
      },
    ],
    // ---- flow user state (jobs.rs get/set_flow_user_state)
    ["GET", r("jobs/flow/user_states/([^/]+)/([^/]+)"), (m) => backend.userState?.(m[1]!)?.get(decodeURIComponent(m[2]!)) ?? null],
    [
      "POST",
      r("jobs/flow/user_states/([^/]+)/([^/]+)"),
      (m, { body }) => {
        const state = backend.userState?.(m[1]!);
        if (!state) throw new HttpError(404, "Flow job not found");
        state.set(decodeURIComponent(m[2]!), body ?? null);
        return "Flow job state updated";
      },
    ],
    // ---- resources
    [
      "GET",
      r("resources/get_value_interpolated/(.+)"),
      (m) => {
        let v: unknown;
        try {
          v = res.get(decodeURIComponent(m[1]!));
        } catch (e) {
          // As Windmill: a resource that is not there is a 404 (windmill-client's getResource(path,
          // true) reads that as "absent"); the message still says where to define it.
          if ((e as { userError?: boolean }).userError) throw new HttpError(404, (e as Error).message);
          throw e;
        }
        if (v === undefined) throw new HttpError(404, `Resource ${decodeURIComponent(m[1]!)} not found`);
        return v;
      },
    ],
    [
      "GET",
      r("resources/get_value/(.+)"),
      (m) => {
        const row = res.list()[decodeURIComponent(m[1]!)];
        if (!row) throw new HttpError(404, `Resource ${decodeURIComponent(m[1]!)} not found`);
        return row.value;
      },
    ],
    ["GET", r("resources/exists/(.+)"), (m) => decodeURIComponent(m[1]!) in res.list()],
    [
      "GET",
      r("resources/list"),
      (_m, { q }) => {
        const start = q.get("path_start") ?? "";
        const types = q.get("resource_type")?.split(",");
        return Object.entries(res.list())
          .filter(([p, row]) => p.startsWith(start) && (!types || types.includes(row.resource_type)))
          .slice(0, Math.min(Number(q.get("per_page") ?? 30), 100))
          .map(([path, row]) => ({
            path,
            resource_type: row.resource_type,
            description: row.description ?? "",
            workspace_id: o.workspace,
            is_oauth: false,
            ...(res.listsValue?.(path) === false ? {} : { value: row.value }),
          }));
      },
    ],
    [
      "POST",
      r("resources/create"),
      (_m, { body, q }) => {
        const b = body as { path: string; value: unknown; resource_type: string; description?: string };
        if (b.path in res.list() && q.get("update_if_exists") !== "true") throw new HttpError(400, `resource ${b.path} already exists`);
        res.create(b.path, { resource_type: b.resource_type, value: b.value, description: b.description });
        return reply(b.path, 201);
      },
    ],
    [
      "POST",
      r("resources/update_value/(.+)"),
      (m, { body }) => {
        if (!res.update(decodeURIComponent(m[1]!), (body as { value: unknown }).value))
          throw new HttpError(404, `Resource ${decodeURIComponent(m[1]!)} not found`);
        return `${decodeURIComponent(m[1]!)} updated`;
      },
    ],
    [
      "DELETE",
      r("resources/delete/(.+)"),
      (m) => {
        if (!res.delete(decodeURIComponent(m[1]!))) throw new HttpError(404, `Resource ${decodeURIComponent(m[1]!)} not found`);
        return `${decodeURIComponent(m[1]!)} deleted`;
      },
    ],
    // ---- variables
    [
      "GET",
      r("variables/get_value/(.+)"),
      (m) => {
        const v = backend.variable.get(decodeURIComponent(m[1]!));
        if (v === undefined) throw new HttpError(404, `Variable ${decodeURIComponent(m[1]!)} not found`);
        return jsonString(v);
      },
    ],
    [
      "GET",
      r("variables/exists/(.+)"),
      (m) => {
        try {
          return backend.variable.get(decodeURIComponent(m[1]!)) !== undefined;
        } catch {
          return false;
        }
      },
    ],
    [
      "POST",
      r("variables/create"),
      (_m, { body }) => {
        const b = body as { path: string; value: unknown };
        backend.variable.set(b.path, String(b.value), true);
        return reply(b.path, 201);
      },
    ],
    [
      "POST",
      r("variables/update/(.+)"),
      (m, { body }) => {
        if (!backend.variable.set(decodeURIComponent(m[1]!), String((body as { value: unknown }).value), false))
          throw new HttpError(404, `Variable ${decodeURIComponent(m[1]!)} not found`);
        return `${decodeURIComponent(m[1]!)} updated`;
      },
    ],
    // ---- workers: every job here runs, so a worker listens on every tag
    [
      "GET",
      /^\/api\/workers\/exists_workers_with_tags$/,
      (_m, { q }) =>
        Object.fromEntries(
          (q.get("tags") ?? "")
            .split(",")
            .filter(Boolean)
            .map((t) => [t, true]),
        ),
    ],
  ];
}

/** Serves a route table on loopback: Bearer-token auth (resume URLs are signed instead), every request recorded. */
export async function serveWindmill(
  routes: (baseUrl: () => string) => [string, RegExp, Handler][],
  o: { token: string; workspace: string; unref?: boolean },
): Promise<WindmillServer> {
  const requests: RecordedRequest[] = [];
  let baseUrl = "";
  const table = routes(() => baseUrl);
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const body = await readJsonOrText(req);
    const authorized = req.headers.authorization === `Bearer ${o.token}`;
    const rec: RecordedRequest = {
      method: req.method ?? "GET",
      path: decodeURI(url.pathname),
      query: Object.fromEntries(url.searchParams),
      body,
      authorized,
      status: 0,
    };
    requests.push(rec);
    const send = (status: number, payload: unknown, json = false) => {
      rec.status = status;
      const text = typeof payload === "string" && !json;
      res.writeHead(status, { "content-type": text ? "text/plain" : "application/json" }).end(text ? payload : JSON.stringify(payload ?? null));
    };
    try {
      // Resume/cancel URLs are signed instead; the server version is public (as on Windmill).
      const open = /\/jobs_u\/(resume|cancel)\//.test(url.pathname) || url.pathname === "/api/version";
      if (!open && !authorized) throw new HttpError(401, "Unauthorized: missing or invalid token");
      for (const [method, re, handler] of table) {
        const m = url.pathname.match(re);
        if (!m || (method !== "*" && method !== req.method)) continue;
        const out = await handler(m, { body, q: url.searchParams, method: req.method ?? "GET" });
        return isReply(out) ? send(out.status ?? 200, out.body, out.json) : send(200, out);
      }
      throw new HttpError(404, `no route ${req.method} ${url.pathname} in this Windmill fake`);
    } catch (e) {
      send(e instanceof HttpError ? e.status : 500, e instanceof Error ? e.message : String(e));
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  if (o.unref) server.unref();
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { baseUrl, token: o.token, workspace: o.workspace, requests, close: () => closeServer(server) };
}
