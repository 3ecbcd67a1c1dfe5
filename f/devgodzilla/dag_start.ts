// execute_tasks, step `start` of a task: decides whether the task runs now — not when its wait
// timed out (the run's deadline), the run stopped (stop_run, run budget) or a dependency failed
// (then it records why and wakes the tasks after it) — and hands the task job its arguments:
// the run branch head with every dependency merged, the dependencies' summaries, the policy.
import { startStep, type Iter } from "./lib/dag/steps.ts";
import { stepDeps } from "./lib/dag/windmill_deps.ts";
import type { RunPlan } from "./lib/dag/model.ts";

export async function main(
  iter: { index: number; value: string },
  run: { [key: string]: unknown },
  resume: { [key: string]: unknown } = {},
  github?: RT.Github,
) {
  const plan = run as unknown as RunPlan;
  return await startStep(iter as Iter, plan, resume ?? {}, stepDeps(plan, github?.token));
}
