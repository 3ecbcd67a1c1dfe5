// The execute_tasks steps' dependencies, wired to Windmill through the gateway (the scripts' mains
// call these; tests call the step functions with their own).

import * as windmill from "../platform/windmill.ts";
import { DAG_FINISH_PATH, type RunPlan, type TaskOutcome } from "./model.ts";
import type { PlanDeps } from "./plan.ts";
import type { StepDeps } from "./steps.ts";
import type { WatchDeps } from "./watch.ts";

const log = (line: string) => console.log(line);

export function stepDeps(plan: Pick<RunPlan, "state_job">, gitToken?: string): StepDeps {
  return {
    state: windmill.flowState(plan.state_job),
    post: windmill.postResume,
    resumeUrl: async () => (await windmill.resumeUrls()).resume,
    flowJob: windmill.currentJob().flowJobId,
    gitToken,
    log,
  };
}

export function planDeps(agents: unknown, gitToken?: string): PlanDeps {
  const stateJob = windmill.currentJob().flowJobId;
  return {
    stateJob,
    state: windmill.flowState(stateJob),
    post: windmill.postResume,
    agents,
    gitToken,
    log,
    // Succeeded finish jobs of this run key (their result is the task's outcome).
    finished: async (runKey) =>
      (await windmill.listCompletedWithResults({ scriptPathExact: DAG_FINISH_PATH, success: true, args: { run_key: runKey } }, 2000))
        .map((j) => j.result as TaskOutcome)
        .filter((o) => o && typeof o === "object" && typeof o.id === "string"),
  };
}

export function watchDeps(plan: RunPlan): WatchDeps {
  const root = windmill.currentJob().rootFlowJobId;
  return {
    ...stepDeps(plan),
    queued: async () =>
      (await windmill.listJobs({ running: false }, 1000))
        .filter((j) => j.type === "QueuedJob" && !j.running && !(j.suspend && j.suspend > 0) && j.job_kind !== "flow" && (!root || j.root_job === root))
        .map((j) => ({ id: j.id, script_path: j.script_path, tag: j.tag, created_at: j.created_at })),
    workersWithTags: windmill.workersWithTags,
    cancel: windmill.cancelJob,
  };
}
