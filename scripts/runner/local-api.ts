// The part of Windmill's REST API that the bundle's scripts reach through windmill-client, served
// on loopback by the local runner, so scripts use the real client unchanged. Routes and shapes are
// those of windmill-client's services.gen (OpenAPI paths under /api/w/{workspace}/…).
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { closeServer, readJsonOrText } from "../fakes/http.ts"; // loopback HTTP plumbing shared with the fakes
import type { Engine, JobInfo } from "./engine.ts";
import { ResumeRejected } from "./resumes.ts";
import type { RunRecord } from "./runs.ts";

export interface LocalApi {
  baseUrl: string;
  token: string;
  workspace: string;
  attach(engine: Engine): void;
  close(): Promise<void>;
}

type Handler = (m: RegExpMatchArray, body: unknown, url: URL, req: http.IncomingMessage) => unknown | Promise<unknown>;

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export async function startLocalApi(workspace = "local"): Promise<LocalApi> {
  const token = randomBytes(24).toString("hex");
  // Resume URLs are signed like Windmill's (HMAC of job id, resume id and approver), so a wrong one is refused.
  const signResume = (job: string, resumeId: number, approver?: string) =>
    createHmac("sha256", token).update(`${job}/${resumeId}/${approver ?? ""}`).digest("hex");
  let engine: Engine | undefined;
  const engines = new Set<Engine>();
  const need = () => engine ?? (() => { throw new HttpError(503, "no engine attached"); })();
  const jobOf = (id: string) => {
    for (const e of engines) {
      const j = e.jobs.get(id);
      if (j) return j;
    }
    return undefined;
  };

  const jobView = (j: JobInfo | undefined, r?: RunRecord) => {
    if (j) {
      const completed = j.status !== "running" && j.status !== "suspended";
      return {
        id: j.id, type: completed ? "CompletedJob" : "QueuedJob", workspace_id: workspace, script_path: j.path,
        job_kind: j.kind === "flow" ? "flow" : "script", parent_job: j.parent_job ?? null, root_job: j.root_job ?? null,
        flow_step_id: j.step_id ?? null, created_at: j.created_at, started_at: j.started_at, running: j.status === "running",
        success: completed ? j.status === "success" : undefined, canceled: j.status === "canceled", result: completed ? j.result : undefined,
        duration_ms: j.duration_ms, args: j.args, progress: j.progress, created_by: "local", permissioned_as: "u/local",
        is_flow_step: j.kind === "step", suspend: j.status === "suspended" ? 1 : 0, logs: j.logs.join("\n"),
      };
    }
    if (!r) return undefined;
    const completed = r.status !== "running" && r.status !== "suspended";
    return {
      id: r.id, type: completed ? "CompletedJob" : "QueuedJob", workspace_id: workspace, script_path: r.path, job_kind: r.kind,
      parent_job: r.parent_job ?? null, root_job: r.root_job ?? null, created_at: r.created_at, started_at: r.started_at,
      running: r.status === "running", success: completed ? r.status === "success" : undefined, canceled: r.status === "canceled",
      result: completed ? r.result : undefined, duration_ms: r.duration_ms, args: r.args, created_by: "local", permissioned_as: "u/local",
      is_flow_step: false, suspend: r.status === "suspended" ? 1 : 0,
    };
  };

  const findJob = (id: string) => {
    const e = need();
    const j = jobOf(id);
    // A suspended run may be resumed by another `devgodzilla resume` process: its record is the truth.
    if (j && j.status !== "suspended") return jobView(j);
    try {
      return jobView(undefined, e.opts.runs.load(id));
    } catch {
      throw new HttpError(404, `job ${id} not found`);
    }
  };

  const allJobs = () => {
    const e = need();
    const seen = new Set<string>();
    const out: ReturnType<typeof jobView>[] = [];
    for (const each of engines) {
      for (const j of each.jobs.values()) {
        seen.add(j.id);
        out.push(jobView(j));
      }
    }
    for (const r of e.opts.runs.list()) if (!seen.has(r.id)) out.push(jobView(undefined, r));
    return out.sort((a, b) => String(b!.created_at).localeCompare(String(a!.created_at)));
  };

  const startJob = async (path: string, args: unknown, url: URL) => {
    const id = randomUUID();
    const e = need();
    void e.start(path, (args ?? {}) as Record<string, unknown>, {
      id, parentJob: url.searchParams.get("parent_job") ?? undefined, rootJob: url.searchParams.get("root_job") ?? undefined, wait: true,
    }).catch((err: Error) => e.jobs.set(id, { id, path, kind: "flow", run_id: id, status: "failure", args: {}, result: { error: { name: err.name, message: err.message } }, created_at: new Date().toISOString(), started_at: new Date().toISOString(), logs: [] }));
    return id;
  };

  /** Resources jobs create at run time (e.g. webhook delivery claims); persisted beside the runs. */
  const created = () => {
    const e = need();
    return { e, all: e.opts.runs.loadResources() };
  };
  const resourceRoutes: [string, RegExp, Handler][] = [
    ["POST", /^\/api\/w\/[^/]+\/resources\/create$/, (_m, body) => {
      const b = body as { path: string; value: unknown; resource_type?: string; description?: string };
      const { e, all } = created();
      if (all[b.path] || e.opts.resolver.store.resources[b.path]) throw new HttpError(400, `resource ${b.path} already exists`);
      all[b.path] = { resource_type: b.resource_type, value: b.value, description: b.description };
      e.opts.runs.saveResources(all);
      e.opts.resolver.store.resources[b.path] = all[b.path];
      return b.path;
    }],
    ["GET", /^\/api\/w\/[^/]+\/resources\/exists\/(.+)$/, (m) => {
      const p = decodeURIComponent(m[1]);
      return Boolean(created().all[p] || need().opts.resolver.store.resources[p]);
    }],
    ["POST", /^\/api\/w\/[^/]+\/resources\/update_value\/(.+)$/, (m, body) => {
      const p = decodeURIComponent(m[1]);
      const { e, all } = created();
      if (!all[p]) throw new HttpError(404, `resource ${p} not found (only resources created by jobs can be updated locally)`);
      all[p].value = (body as { value: unknown }).value;
      e.opts.runs.saveResources(all);
      e.opts.resolver.store.resources[p] = all[p];
      return p;
    }],
    ["DELETE", /^\/api\/w\/[^/]+\/resources\/delete\/(.+)$/, (m) => {
      const p = decodeURIComponent(m[1]);
      const { e, all } = created();
      if (!all[p]) throw new HttpError(404, `resource ${p} not found`);
      delete all[p];
      delete e.opts.resolver.store.resources[p];
      e.opts.runs.saveResources(all);
      return p;
    }],
    ["GET", /^\/api\/w\/[^/]+\/resources\/list$/, (_m, _b, url) => {
      const start = url.searchParams.get("path_start") ?? "";
      const type = url.searchParams.get("resource_type");
      const { e, all } = created();
      // Values of configured resources hold secrets: only job-created ones are listed with their value.
      const rows = Object.entries({ ...e.opts.resolver.store.resources, ...all }).map(([p, r]) => ({
        path: p, resource_type: r.resource_type ?? "", description: r.description ?? "", ...(all[p] ? { value: r.value } : {}),
      }));
      return rows.filter((r) => r.path.startsWith(start) && (!type || type.split(",").includes(r.resource_type)));
    }],
  ];

  const routes: [string, RegExp, Handler][] = [
    ...resourceRoutes,
    ["GET", /^\/api\/w\/[^/]+\/resources\/get_value_interpolated\/(.+)$/, (m) => need().opts.resolver.resource(decodeURIComponent(m[1]))],
    ["GET", /^\/api\/w\/[^/]+\/variables\/get_value\/(.+)$/, (m) => need().opts.resolver.variable(decodeURIComponent(m[1]))],
    ["POST", /^\/api\/w\/[^/]+\/job_metrics\/set_progress\/([^/]+)$/, (m, body) => {
      const j = jobOf(m[1]);
      if (j) j.progress = (body as { percent?: number })?.percent;
      return "ok";
    }],
    ["GET", /^\/api\/w\/[^/]+\/job_metrics\/get_progress\/([^/]+)$/, (m) => jobOf(m[1])?.progress ?? null],
    ["GET", /^\/api\/w\/[^/]+\/jobs\/resume_urls\/([^/]+)\/(\d+)$/, (m, _b, url) => {
      const base = `${api.baseUrl}/api/w/${workspace}/jobs_u`;
      const approver = url.searchParams.get("approver") ?? undefined;
      const q = approver ? `?approver=${encodeURIComponent(approver)}` : "";
      const sig = signResume(m[1], Number(m[2]), approver);
      return {
        approvalPage: `${api.baseUrl}/approve/${workspace}/${m[1]}/${m[2]}/${sig}${q}`,
        resume: `${base}/resume/${m[1]}/${m[2]}/${sig}${q}`,
        cancel: `${base}/cancel/${m[1]}/${m[2]}/${sig}${q}`,
      };
    }],
    // Flow user state (windmill-api jobs.rs get/set_flow_user_state): per flow job, per key; GET
    // reads it only while the flow job is in the queue (null afterwards), POST needs a flow job.
    ["GET", /^\/api\/w\/[^/]+\/jobs\/flow\/user_states\/([^/]+)\/([^/]+)$/, (m) => need().userState(m[1])?.get(decodeURIComponent(m[2])) ?? null],
    ["POST", /^\/api\/w\/[^/]+\/jobs\/flow\/user_states\/([^/]+)\/([^/]+)$/, (m, body) => {
      const state = need().userState(m[1]);
      if (!state) throw new HttpError(404, "Flow job not found");
      state.set(decodeURIComponent(m[2]), body ?? null);
      return "Flow job state updated";
    }],
    ["GET", /^\/api\/w\/[^/]+\/jobs_u\/get_root_job_id\/([^/]+)$/, (m) => {
      const j = jobOf(m[1]);
      return j?.root_job ?? j?.parent_job ?? m[1];
    }],
    ["POST", /^\/api\/w\/[^/]+\/jobs\/run\/p\/(.+)$/, (m, body, url) => startJob(decodeURIComponent(m[1]), body, url)],
    ["POST", /^\/api\/w\/[^/]+\/jobs\/run\/f\/(.+)$/, (m, body, url) => startJob(decodeURIComponent(m[1]), body, url)],
    ["GET", /^\/api\/w\/[^/]+\/jobs_u\/completed\/get_result_maybe\/([^/]+)$/, (m) => {
      const j = findJob(m[1])!;
      return { completed: j.type === "CompletedJob", result: j.result, success: j.success, started: true };
    }],
    ["GET", /^\/api\/w\/[^/]+\/jobs_u\/completed\/get_result\/([^/]+)$/, (m) => findJob(m[1])!.result],
    ["GET", /^\/api\/w\/[^/]+\/jobs_u\/(?:get|completed\/get)\/([^/]+)$/, (m) => findJob(m[1])],
    ["GET", /^\/api\/w\/[^/]+\/jobs\/list$/, (_m, _b, url) => {
      let jobs = allJobs();
      const path = url.searchParams.get("script_path_exact");
      const start = url.searchParams.get("script_path_start");
      const parent = url.searchParams.get("parent_job");
      const success = url.searchParams.get("success");
      const running = url.searchParams.get("running");
      if (path) jobs = jobs.filter((j) => j!.script_path === path);
      if (start) jobs = jobs.filter((j) => j!.script_path.startsWith(start));
      if (parent) jobs = jobs.filter((j) => j!.parent_job === parent);
      if (success) jobs = jobs.filter((j) => String(j!.success) === success);
      if (running) jobs = jobs.filter((j) => String(j!.running) === running);
      return jobs;
    }],
    ["POST", /^\/api\/w\/[^/]+\/jobs_u\/queue\/cancel\/([^/]+)$/, (m, body) => {
      const reason = (body as { reason?: string } | undefined)?.reason ?? "";
      for (const e of engines) if (e.cancel(m[1], reason)) return `job canceled: ${m[1]}`;
      throw new HttpError(404, `queued job id ${m[1]} does not exist`);
    }],
    // The resume and cancel URLs of a suspended step (jobs_u: signed, no token needed). Windmill
    // takes them while the step still runs too; each resume id counts once.
    ["*", /^\/api\/w\/[^/]+\/jobs_u\/(resume|cancel)\/([^/]+)\/(\d+)\/([^/]+)$/, (m, body, url, req) => {
      const approver = url.searchParams.get("approver") ?? undefined;
      if (m[4] !== signResume(m[2], Number(m[3]), approver)) throw new HttpError(400, "Invalid signature");
      const payload = req.method === "GET" ? Object.fromEntries(url.searchParams) : body;
      try {
        for (const e of engines) {
          if (!e.jobs.has(m[2])) continue;
          e.postResume(m[2], Number(m[3]), payload, approver ?? "anonymous", m[1] === "resume");
          return m[1] === "resume" ? "resumed" : "canceled";
        }
      } catch (err) {
        if (err instanceof ResumeRejected) throw new HttpError(err.status, err.message);
        throw err;
      }
      throw new HttpError(404, "parent flow job not found");
    }],
  ];

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    try {
      const signed = /\/jobs_u\/(resume|cancel)\//.test(url.pathname); // resume URLs carry their own signature
      if (!signed && req.headers.authorization !== `Bearer ${token}`) throw new HttpError(401, "missing or wrong token");
      const body = await readJsonOrText(req);
      for (const [method, re, handler] of routes) {
        const m = url.pathname.match(re);
        if (m && (method === req.method || method === "*")) {
          const out = await handler(m, body, url, req);
          const text = typeof out === "string" && !out.startsWith("{") ? out : JSON.stringify(out ?? null);
          res.writeHead(200, { "content-type": typeof out === "string" ? "text/plain" : "application/json" }).end(text);
          return;
        }
      }
      throw new HttpError(404, `the local runner does not implement ${req.method} ${url.pathname}`);
    } catch (e) {
      const status = e instanceof HttpError ? e.status : 500;
      res.writeHead(status, { "content-type": "text/plain" }).end(e instanceof Error ? e.message : String(e));
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  server.unref();
  const port = (server.address() as AddressInfo).port;
  const api: LocalApi = {
    baseUrl: `http://127.0.0.1:${port}`,
    token,
    workspace,
    attach: (e) => {
      engine = e;
      engines.add(e);
    },
    close: () => closeServer(server),
  };
  return api;
}
