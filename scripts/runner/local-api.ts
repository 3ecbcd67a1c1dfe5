// The Windmill API the bundle's scripts reach through windmill-client, served on loopback by the
// local runner over its engines (jobs, approvals, flow user state) and its resource store: the
// same route table as the tests' fake (scripts/fakes/windmill-routes.ts), so scripts use the real
// client unchanged.
import { randomBytes, randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import path from "node:path";
import { HttpError, serveWindmill, windmillRoutes, type ResourceRow, type WindmillBackend, type WmJob } from "../fakes/windmill-routes.ts";
import type { Engine, JobInfo } from "./engine.ts";
import { ResumeRejected } from "./resumes.ts";
import type { InnerJob, RunFlowState } from "./flow-status.ts";
import type { JournalEntry, RunRecord, RunStore } from "./runs.ts";

export interface LocalApi {
  baseUrl: string;
  token: string;
  workspace: string;
  attach(engine: Engine): void;
  close(): Promise<void>;
}

function viewOf(workspace: string, runs: RunStore, j: JobInfo | undefined, r?: RunRecord): WmJob | undefined {
  const src = j ?? r;
  if (!src) return undefined;
  // A flow job's flow_status, as the engine keeps it beside its run (also once the runner has gone).
  const flowStatus = (j ? j.kind : r!.kind) === "flow" ? runs.loadFlowState(j ? j.run_id : r!.id).statuses[src.id] : undefined;
  const status = src.status;
  const completed = status !== "running" && status !== "suspended";
  const kind = j ? j.kind : r!.kind;
  return {
    id: src.id,
    type: completed ? "CompletedJob" : "QueuedJob",
    workspace_id: workspace,
    script_path: src.path,
    job_kind: j?.job_kind ?? (kind === "flow" ? "flow" : "script"),
    parent_job: src.parent_job ?? null,
    root_job: src.root_job ?? null,
    flow_step_id: j?.step_id ?? null,
    created_at: src.created_at,
    started_at: src.started_at,
    running: status === "running",
    success: completed ? status === "success" : undefined,
    canceled: status === "canceled",
    canceled_reason: j?.canceled_reason ?? null,
    result: completed ? src.result : undefined,
    duration_ms: src.duration_ms,
    args: src.args,
    progress: src.progress,
    created_by: "local",
    permissioned_as: "u/local",
    is_flow_step: kind === "step",
    suspend: status === "suspended" ? 1 : 0,
    tag: "bun",
    ...(j ? { logs: j.logs.join("\n") } : {}),
    ...(flowStatus ? { flow_status: flowStatus } : {}),
  };
}

/** A run's iteration, branch or identity job, from its flow state log (flow_status.jsonl). */
function innerView(workspace: string, j: InnerJob, state: RunFlowState): WmJob {
  const completed = j.status !== "running";
  return {
    id: j.id,
    type: completed ? "CompletedJob" : "QueuedJob",
    workspace_id: workspace,
    script_path: j.path,
    job_kind: j.job_kind ?? j.kind,
    parent_job: j.parent_job,
    root_job: j.root_job,
    flow_step_id: j.step_id,
    created_at: j.created_at,
    started_at: j.created_at,
    running: !completed,
    success: completed ? j.status === "success" : undefined,
    canceled: j.status === "canceled",
    canceled_reason: null,
    result: completed ? j.result : undefined,
    duration_ms: j.duration_ms,
    args: j.args,
    created_by: "local",
    permissioned_as: "u/local",
    is_flow_step: true,
    suspend: 0,
    tag: j.kind === "flow" ? "flow" : "bun",
    ...(state.statuses[j.id] ? { flow_status: state.statuses[j.id] } : {}),
  };
}

/** A finished step job of a run, from the run's journal. */
function stepView(workspace: string, r: RunRecord, e: Extract<JournalEntry, { type: "step" }>): WmJob {
  return {
    id: e.job_id,
    type: "CompletedJob",
    workspace_id: workspace,
    script_path: e.path,
    job_kind: "script",
    parent_job: e.parent_job ?? r.id,
    root_job: r.root_job ?? r.id,
    flow_step_id: e.step_id,
    created_at: e.started_at,
    started_at: e.started_at,
    running: false,
    success: e.success,
    canceled: e.canceled ?? false,
    canceled_reason: null,
    result: e.result,
    duration_ms: e.duration_ms,
    args: {},
    created_by: "local",
    permissioned_as: "u/local",
    is_flow_step: true,
    suspend: 0,
    tag: "bun",
  };
}

export async function startLocalApi(workspace = "local"): Promise<LocalApi> {
  const token = randomBytes(24).toString("hex");
  let engine: Engine | undefined;
  const engines = new Set<Engine>();
  const need = () =>
    engine ??
    (() => {
      throw new HttpError(503, "no engine attached");
    })();
  const jobOf = (id: string) => [...engines].map((e) => e.jobs.get(id)).find(Boolean);
  /** A step, iteration, branch or identity job of a run this process does not run (finished, or run by another process). */
  const pastJob = (runs: RunStore, id: string): WmJob | undefined => {
    const runId = runs.runOfJob(id);
    if (!runId || !existsSync(path.join(runs.runDir(runId), "run.json"))) return undefined;
    const state = runs.loadFlowState(runId);
    if (state.jobs[id]) return innerView(workspace, state.jobs[id], state);
    const step = runs.journal(runId).find((e): e is Extract<JournalEntry, { type: "step" }> => e.type === "step" && e.job_id === id);
    return step ? stepView(workspace, runs.load(runId), step) : undefined;
  };

  /** Resources jobs create at run time (e.g. webhook delivery claims); persisted beside the runs. */
  const created = () => {
    const e = need();
    return { e, all: e.opts.runs.loadResources() };
  };
  const backend: WindmillBackend = {
    jobs() {
      const seen = new Set<string>();
      const out: WmJob[] = [];
      const runs = need().opts.runs;
      for (const e of engines) for (const j of e.jobs.values()) (seen.add(j.id), out.push(viewOf(workspace, runs, j)!));
      for (const r of runs.list()) {
        if (!seen.has(r.id)) (seen.add(r.id), out.push(viewOf(workspace, runs, undefined, r)!));
        // Every step of a run is a job in Windmill's history too, also after its runner has gone.
        for (const e of runs.journal(r.id)) if (e.type === "step" && e.path && !seen.has(e.job_id)) (seen.add(e.job_id), out.push(stepView(workspace, r, e)));
        const state = runs.loadFlowState(r.id);
        for (const j of Object.values(state.jobs)) if (!seen.has(j.id)) (seen.add(j.id), out.push(innerView(workspace, j, state)));
      }
      return out;
    },
    job(id) {
      const j = jobOf(id);
      const runs = need().opts.runs;
      // A suspended run may be resumed by another `devgodzilla resume` process: its record is the truth.
      if (j && j.status !== "suspended") return viewOf(workspace, runs, j);
      try {
        return viewOf(workspace, runs, undefined, runs.load(id));
      } catch {
        return pastJob(runs, id);
      }
    },
    start(kind, path, args, lineage) {
      const id = randomUUID();
      const e = need();
      void e.start(path, args, { id, parentJob: lineage.parent_job, rootJob: lineage.root_job, wait: true }).catch((err: Error) =>
        e.jobs.set(id, {
          id,
          path,
          kind,
          run_id: id,
          status: "failure",
          args: {},
          result: { error: { name: err.name, message: err.message } },
          created_at: new Date().toISOString(),
          started_at: new Date().toISOString(),
          logs: [],
        }),
      );
      return id;
    },
    cancel: (id, reason) => [...engines].some((e) => e.cancel(id, reason)),
    setProgress(id, percent) {
      const j = jobOf(id);
      if (j) j.progress = percent;
    },
    resource: {
      // A missing one is the resolver's clear error (which resource, where to define it).
      get: (p) => need().opts.resolver.resource(p),
      list: () => {
        const { e, all } = created();
        const rows: Record<string, ResourceRow> = {};
        for (const [p, r] of Object.entries({ ...e.opts.resolver.store.resources, ...all }))
          rows[p] = { resource_type: r.resource_type ?? "", value: r.value, description: r.description };
        return rows;
      },
      create(p, row) {
        const { e, all } = created();
        all[p] = { resource_type: row.resource_type, value: row.value, description: row.description };
        e.opts.runs.saveResources(all);
        e.opts.resolver.store.resources[p] = all[p];
      },
      update(p, value) {
        const { e, all } = created();
        if (!all[p]) return false; // only resources created by jobs can be updated locally
        all[p].value = value;
        e.opts.runs.saveResources(all);
        e.opts.resolver.store.resources[p] = all[p];
        return true;
      },
      delete(p) {
        const { e, all } = created();
        if (!all[p]) return false;
        delete all[p];
        delete e.opts.resolver.store.resources[p];
        e.opts.runs.saveResources(all);
        return true;
      },
      // Values of configured resources hold secrets: only job-created ones are listed with their value.
      listsValue: (p) => p in created().all,
    },
    variable: {
      get: (p) => need().opts.resolver.variable(p),
      set: () => false, // variables come from the store file or the environment
    },
    userState: (flowJob) => [...engines].map((e) => e.userState(flowJob)).find(Boolean),
    resume(job, resumeId, payload, approver, approved) {
      const owner = [...engines].find((e) => e.jobs.has(job));
      if (!owner) throw new HttpError(404, "parent flow job not found");
      try {
        owner.postResume(job, resumeId, payload, approver, approved);
      } catch (err) {
        if (err instanceof ResumeRejected) throw new HttpError(err.status, err.message);
        throw err;
      }
    },
  };
  const server = await serveWindmill((baseUrl) => windmillRoutes(backend, { workspace, secret: () => need().opts.runs.resumeKey(), baseUrl }), {
    token,
    workspace,
    unref: true,
  });
  return {
    baseUrl: server.baseUrl,
    token,
    workspace,
    attach: (e) => {
      engine = e;
      engines.add(e);
    },
    close: server.close,
  };
}
