// Windmill's flow_status for the local runner's flow jobs (a run, a subflow, a loop iteration, a
// branch): one entry per module in flow order with its state and job, loops and branches with the
// flow jobs they started. Logged beside the run (flow_status.jsonl) so the job API serves it also
// after the runner process has gone, together with the run's inner jobs (iteration and branch flow jobs,
// identity steps) that have no run record of their own. Shape: windmill-common flow_status.rs.
import type { FlowModule } from "./openflow.ts";

export type ModuleState = "WaitingForPriorSteps" | "WaitingForEvents" | "WaitingForExecutor" | "InProgress" | "Success" | "Failure";

export interface FlowStatusModule {
  id: string;
  type: ModuleState;
  job?: string;
  /** WaitingForEvents: how many resume events the suspended step needs. */
  count?: number;
  skipped?: boolean;
  flow_jobs?: string[];
  flow_jobs_success?: (boolean | null)[];
  /** When each of flow_jobs started and how long it took, null until it ended (Windmill's FlowJobsDuration). */
  flow_jobs_duration?: { started_at: (string | null)[]; duration_ms: (number | null)[] };
  /** A retried step (Success or Failure): the jobs of its failed attempts, oldest first. */
  failed_retries?: string[];
  /** An iterating for-loop: the index reached and the items (dropped once the loop ended, as Windmill does). */
  iterator?: { index: number; itered: unknown[] };
  branchall?: { branch: number; len: number };
  branch_chosen?: { type: "branch"; branch: number } | { type: "default" };
  parallel?: boolean;
  while_loop?: boolean;
  approvers?: { resume_id: number; approver: string }[];
}

export interface FlowStatus {
  step: number;
  modules: FlowStatusModule[];
  failure_module: FlowStatusModule;
  /** Always there on Windmill (empty: the runner keeps no jobs to clean). */
  cleanup_module?: Record<string, never>;
}

/** The job id Windmill gives a module that failed without running (a suspend that timed out or was disapproved). */
const NIL_JOB = "00000000-0000-0000-0000-000000000000";

/** The fields each finished state has on Windmill (flow_status.rs): Success always says whether it was skipped, Failure always names a job; neither keeps a running loop's or branch's fields. */
function finished(m: FlowStatusModule) {
  if (m.type !== "Success" && m.type !== "Failure") return;
  for (const k of ["iterator", "branchall", "parallel", "while_loop", "count"] as const) delete m[k];
  if (m.type === "Success") m.skipped ??= false;
  else {
    delete m.skipped;
    m.job ??= NIL_JOB;
  }
}

/** A job of a run that has no run record: a loop iteration's or a branch's flow job, an identity step, or a failed attempt of a retried step. */
export interface InnerJob {
  id: string;
  path: string;
  kind: "flow" | "identity" | "script";
  /** A loop iteration's or a branch's flow job: its kind on Windmill ("flownode" or "flowpreview"). */
  job_kind?: string;
  step_id: string;
  parent_job: string;
  root_job: string;
  status: "running" | "success" | "failure" | "canceled";
  args: Record<string, unknown>;
  result?: unknown;
  created_at: string;
  duration_ms?: number;
}

export interface RunFlowState {
  statuses: Record<string, FlowStatus>;
  jobs: Record<string, InnerJob>;
}

/**
 * One change to a run's flow state. The book appends each change to the run's log and applies it;
 * loading the state replays the log, so a change costs its own size, not the state's.
 */
export type FlowStateChange =
  | { begin: string; status: FlowStatus }
  /** A module of flow job `set` (or its failure module) changed: edits at paths inside its status. */
  | { set: string; module: string; edits: FlowStatusEdit[] }
  | { job: InnerJob }
  | { update: string; fields: Partial<InnerJob> };

/** [path, value] sets a value inside a module's status; [path] deletes it. */
export type FlowStatusEdit = [path: (string | number)[], value?: unknown];

/** Where a run's flow state is kept (RunStore: an append-only log beside the run). */
interface FlowStateFile {
  loadFlowState(runId: string): RunFlowState;
  appendFlowState(runId: string, change: FlowStateChange): string;
}

/** Applies a change to a flow state: the book's live state and a replayed log go through this one function. */
export function applyFlowStateChange(state: RunFlowState, change: FlowStateChange) {
  if ("begin" in change) state.statuses[change.begin] = change.status;
  else if ("job" in change) state.jobs[change.job.id] = change.job;
  else if ("update" in change) Object.assign(state.jobs[change.update] ?? {}, change.fields);
  else {
    const found = moduleStatus(state, change.set, change.module);
    if (!found) return;
    for (const [at, ...value] of change.edits) applyEdit(found.target as unknown as Record<string, unknown>, at, value);
    finished(found.target);
    if (found.index >= 0) found.flow.step = Math.max(found.flow.step, found.index);
  }
}

/** A module's status in a flow job (its index in the flow; -1: the failure module), or undefined. */
function moduleStatus(state: RunFlowState, flowJobId: string, moduleId: string) {
  const flow = state.statuses[flowJobId];
  if (!flow) return undefined;
  const index = flow.modules.findIndex((m) => m.id === moduleId);
  const target = index >= 0 ? flow.modules[index]! : flow.failure_module.id === moduleId ? flow.failure_module : undefined;
  return target && { flow, index, target };
}

function applyEdit(root: Record<string | number, unknown>, at: (string | number)[], value: unknown[]) {
  let node = root;
  for (const key of at.slice(0, -1)) node = (node[key] ??= {}) as Record<string | number, unknown>;
  const last = at[at.length - 1]!;
  if (value.length) node[last] = value[0];
  else delete node[last];
}

/**
 * The edits that turn `before` into `after` (Object.assign of a patch: nested objects and arrays are
 * replaced whole). Arrays that only grew or changed in place — a loop's flow_jobs — are edited
 * element by element, so a loop's n-th iteration logs what changed, not all n.
 */
function editsOf(before: unknown, after: unknown, at: (string | number)[], out: FlowStatusEdit[]) {
  if (before === after) return;
  if (after === undefined) out.push([at]);
  else if (Array.isArray(after) && Array.isArray(before) && before.length <= after.length) after.forEach((v, i) => editsOf(before[i], v, [...at, i], out));
  else if (isObject(after) && isObject(before)) {
    for (const k of Object.keys(before)) if (!(k in after)) out.push([[...at, k]]);
    for (const [k, v] of Object.entries(after)) editsOf(before[k], v, [...at, k], out);
  } else out.push([at, after]);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The flow statuses and inner jobs of one run; every change is logged as it happens. */
export class FlowStatusBook {
  private readonly state: RunFlowState;

  constructor(
    private readonly runs: FlowStateFile,
    private readonly runId: string,
  ) {
    this.state = structuredClone(runs.loadFlowState(runId));
  }

  /** A flow job starts its modules: every one waits for the steps before it. */
  begin(flowJobId: string, modules: FlowModule[], failure?: FlowModule) {
    this.change({
      begin: flowJobId,
      status: {
        step: 0,
        modules: modules.map((m) => ({ id: m.id, type: "WaitingForPriorSteps" })),
        failure_module: { id: failure?.id ?? "failure", type: "WaitingForPriorSteps" },
        cleanup_module: {},
      },
    });
  }

  /** Updates a module (or the failure module) of a flow job; `step` follows the module being run. */
  set(flowJobId: string, moduleId: string, patch: Partial<FlowStatusModule>) {
    const target = moduleStatus(this.state, flowJobId, moduleId)?.target;
    if (!target) return;
    const edits: FlowStatusEdit[] = [];
    for (const [k, v] of Object.entries(patch)) editsOf(target[k as keyof FlowStatusModule], v, [k], edits);
    this.change({ set: flowJobId, module: moduleId, edits });
  }

  /** Edits a module's status at the given paths, as they are logged: for a change whose parts the caller knows (a loop's n-th flow job), with nothing compared. */
  edit(flowJobId: string, moduleId: string, edits: FlowStatusEdit[]) {
    if (edits.length && moduleStatus(this.state, flowJobId, moduleId)) this.change({ set: flowJobId, module: moduleId, edits });
  }

  /** Records (or updates) an inner job of the run. */
  job(j: InnerJob) {
    this.change({ job: j });
  }

  innerJob(id: string): InnerJob | undefined {
    return this.state.jobs[id];
  }

  update(id: string, patch: Partial<InnerJob>) {
    if (this.state.jobs[id]) this.change({ update: id, fields: patch });
  }

  /** Logs the change and applies what was logged (JSON's copy: the live state is exactly what a reload replays). */
  private change(change: FlowStateChange) {
    applyFlowStateChange(this.state, JSON.parse(this.runs.appendFlowState(this.runId, change)));
  }
}
