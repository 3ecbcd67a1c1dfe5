// Loopback fake of the Windmill REST API for the tests: an in-memory job table (seeded with addJob,
// completed with completeJob), resources and variables, served by the same route table as the
// local runner's API (windmill-routes.ts). It sits BEHIND the real windmill-client: point the
// client at it with `setClient(token, fake.baseUrl)` (or BASE_URL + WM_TOKEN + WM_WORKSPACE) and
// the scripts run unchanged.
//
//   const wm = await startWindmillApi({ token: "t", workspace: "ws" });
//   wm.addJob({ id, script_path: "f/devgodzilla/spec_to_pr", running: true, ... });
//   setClient("t", wm.baseUrl); process.env.WM_WORKSPACE = "ws";

import { randomBytes, randomUUID } from "node:crypto";
import { serveWindmill, windmillRoutes, type RecordedRequest, type WindmillBackend, type WmJob } from "./windmill-routes.ts";

export type FakeJob = WmJob & {
  email: string;
  created_by: string;
  permissioned_as: string;
  visible_to_owner: boolean;
  is_skipped?: boolean;
  trigger_kind?: string;
  last_ping?: string;
  flow_status?: unknown;
};

export type FakeJobInput = Partial<FakeJob> & { id?: string; script_path: string };

export type WmRecordedRequest = RecordedRequest;

export interface FakeWindmillOptions {
  token: string;
  workspace: string;
  resources?: Record<string, { resource_type?: string; value: unknown }>;
  variables?: Record<string, string>;
  /** Whether the token's user is an admin of the workspace (default true). */
  admin?: boolean;
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

  // As Windmill's get_value_interpolated: `$res:` / `$var:` strings anywhere in the value are resolved.
  const interpolate = (v: unknown, depth = 0): unknown => {
    if (typeof v === "string" && depth < 10) {
      if (v.startsWith("$res:")) return interpolate(resources.get(v.slice(5))?.value, depth + 1);
      if (v.startsWith("$var:")) return variables.get(v.slice(5));
      return v;
    }
    if (Array.isArray(v)) return v.map((x) => interpolate(x, depth));
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, interpolate(x, depth)]));
    return v;
  };

  const backend: WindmillBackend = {
    jobs: () => [...jobs.values()],
    job: (id) => jobs.get(id),
    start(kind, path, args, lineage) {
      const job = addJob({ script_path: path, job_kind: kind, args, parent_job: lineage.parent_job, root_job: lineage.root_job, trigger_kind: "webhook" });
      started.push(job.id);
      return job.id;
    },
    cancel(id, reason) {
      const j = jobs.get(id);
      // Not in the queue any more (already completed): nothing to cancel (the route says so).
      if (!j || j.type !== "QueuedJob") return false;
      Object.assign(j, {
        type: "CompletedJob",
        canceled: true,
        canceled_by: "bot",
        canceled_reason: reason || null,
        success: false,
        running: undefined,
        completed_at: iso(),
        is_skipped: false,
        result: { error: { name: "Canceled", message: `Job canceled: ${reason}` } },
      });
      return true;
    },
    setProgress(id, percent) {
      const j = jobs.get(id);
      if (j) j.progress = percent;
    },
    resource: {
      get: (p) => (resources.has(p) ? interpolate(resources.get(p)!.value) : undefined),
      list: () => Object.fromEntries(resources),
      create: (p, row) => void resources.set(p, { resource_type: row.resource_type, value: row.value }),
      update: (p, value) => (resources.has(p) ? ((resources.get(p)!.value = value), true) : false),
      delete: (p) => resources.delete(p),
    },
    variable: {
      get: (p) => variables.get(p),
      set: (p, value, create) => (create || variables.has(p) ? (variables.set(p, value), true) : false),
    },
  };
  const secret = randomBytes(16).toString("hex");
  // What a deploy's preflight asks: the version, who the token is, the workspace (no HTTP routes:
  // this fake is a server without the http_trigger feature).
  const serverRoutes: ReturnType<typeof windmillRoutes> = [
    ["GET", /^\/api\/version$/, () => "CE v1.592.1"],
    ["GET", /^\/api\/users\/whoami$/, () => ({ email: "bot@windmill.dev", super_admin: false })],
    ["POST", /^\/api\/workspaces\/exists$/, (_m, { body }) => (body as { id?: string })?.id === opts.workspace],
    ["GET", new RegExp(`^/api/w/${opts.workspace}/users/whoami$`), () => ({ username: "bot", email: "bot@windmill.dev", is_admin: opts.admin ?? true })],
  ];
  const server = await serveWindmill((baseUrl) => [...windmillRoutes(backend, { workspace: opts.workspace, secret: () => secret, baseUrl }), ...serverRoutes], {
    token: opts.token,
    workspace: opts.workspace,
  });
  return {
    baseUrl: server.baseUrl,
    token: opts.token,
    workspace: opts.workspace,
    jobs,
    resources,
    variables,
    requests: server.requests,
    addJob,
    completeJob,
    runs: () => started.map((id) => jobs.get(id)!).filter(Boolean),
    close: server.close,
  };
}
