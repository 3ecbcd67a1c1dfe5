// Windmill's flow_status for the local runner's flow jobs (a run, a subflow, a loop iteration, a
// branch): one entry per module in flow order with its state and job, loops and branches with the
// flow jobs they started. Kept beside the run (flow_status.json) so the job API serves it also after
// the runner process has gone, together with the run's inner jobs (iteration and branch flow jobs,
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

/** Where a run's flow state is kept (RunStore: flow_status.json beside the run). */
interface FlowStateFile {
  loadFlowState(runId: string): RunFlowState;
  saveFlowState(runId: string, state: RunFlowState): void;
}

/** The flow statuses and inner jobs of one run, saved on every change. */
export class FlowStatusBook {
  private readonly state: RunFlowState;

  constructor(
    private readonly runs: FlowStateFile,
    private readonly runId: string,
  ) {
    this.state = runs.loadFlowState(runId);
  }

  /** A flow job starts its modules: every one waits for the steps before it. */
  begin(flowJobId: string, modules: FlowModule[], failure?: FlowModule) {
    this.state.statuses[flowJobId] = {
      step: 0,
      modules: modules.map((m) => ({ id: m.id, type: "WaitingForPriorSteps" })),
      failure_module: { id: failure?.id ?? "failure", type: "WaitingForPriorSteps" },
      cleanup_module: {},
    };
    this.save();
  }

  /** Updates a module (or the failure module) of a flow job; `step` follows the module being run. */
  set(flowJobId: string, moduleId: string, patch: Partial<FlowStatusModule>) {
    const fs = this.state.statuses[flowJobId];
    if (!fs) return;
    const i = fs.modules.findIndex((m) => m.id === moduleId);
    const target = i >= 0 ? fs.modules[i]! : fs.failure_module.id === moduleId ? fs.failure_module : undefined;
    if (!target) return;
    Object.assign(target, patch);
    finished(target);
    if (i >= 0) fs.step = Math.max(fs.step, i);
    this.save();
  }

  get(flowJobId: string, moduleId: string): FlowStatusModule | undefined {
    return this.state.statuses[flowJobId]?.modules.find((m) => m.id === moduleId);
  }

  /** Records (or updates) an inner job of the run. */
  job(j: InnerJob) {
    this.state.jobs[j.id] = j;
    this.save();
  }

  innerJob(id: string): InnerJob | undefined {
    return this.state.jobs[id];
  }

  update(id: string, patch: Partial<InnerJob>) {
    const j = this.state.jobs[id];
    if (!j) return;
    Object.assign(j, patch);
    this.save();
  }

  status(flowJobId: string): FlowStatus | undefined {
    return this.state.statuses[flowJobId];
  }

  private save() {
    this.runs.saveFlowState(this.runId, this.state);
  }
}
