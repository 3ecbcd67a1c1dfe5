// execute_tasks, step `merge` of a task: reads what the task job returned and merges the task
// branch into the run branch (again on top of a newer head when another task pushed first). A
// conflict goes to one follow-up run of the task on top of the run branch (on_conflict: agent) or
// is reported.
import { mergeStep, type Iter, type StartResult } from "./lib/dag/steps.ts";
import { stepDeps } from "./lib/dag/windmill_deps.ts";
import type { RunPlan } from "./lib/dag/model.ts";
import { taskLoopEntries } from "./lib/qa/loop_jobs.ts";

export async function main(
  iter: { index: number; value: string },
  run: { [key: string]: unknown },
  start: { [key: string]: unknown },
  script: unknown[] = [],
  flow: unknown[] = [],
  github?: RT.Github,
) {
  const plan = run as unknown as RunPlan;
  const deps = stepDeps(plan, github?.token);
  // A failed task_with_qa: its own account (what it spent), not the enclosing flow's failure message.
  const loop = await taskLoopEntries(flow ?? [], deps.flowJob ?? "", "run_flow", "with_qa");
  return await mergeStep(iter as Iter, plan, start as unknown as StartResult, script ?? [], loop, deps);
}
