// execute_tasks, step `finish` of a task: merges the follow-up run after a conflict, records the
// task's outcome in the run's state (agent and why, usage, commit), stops the run when the policy
// says so (stop_run, run budget) and resumes every task that was waiting only for this one.
// Its result is the outcome: a later run with the same run_key finds it and skips the task.
import { finishStep, type Iter, type MergeResult, type StartResult } from "./lib/dag/steps.ts";
import { stepDeps } from "./lib/dag/windmill_deps.ts";
import type { RunPlan } from "./lib/dag/model.ts";
import { taskLoopEntries } from "./lib/qa/loop_jobs.ts";

export async function main(
  iter: { index: number; value: string },
  run: { [key: string]: unknown },
  run_key: string,
  start: { [key: string]: unknown },
  merge: { [key: string]: unknown },
  rerun_script: unknown[] = [],
  rerun_flow: unknown[] = [],
  github?: RT.Github,
) {
  const plan = run as unknown as RunPlan;
  void run_key; // the argument Windmill's job list is searched by (args filter), not read here
  const deps = stepDeps(plan, github?.token);
  // A failed follow-up task_with_qa: its own account (what it spent), as in the merge step.
  const rerunFlow = await taskLoopEntries(rerun_flow ?? [], deps.flowJob ?? "", "rerun_flow", "with_qa_again");
  const outcome = await finishStep(iter as Iter, plan, start as unknown as StartResult, merge as unknown as MergeResult, rerun_script ?? [], rerunFlow, deps);
  return { ...outcome, run_key };
}
