// execute_tasks, step `wait` of a task (a suspended step: it holds no worker while it waits):
// registers this step's resume URL in the run's state, then resumes itself if the task's
// dependencies have all finished; otherwise the finish step of the last one resumes it.
import { waitStep, type Iter } from "./lib/dag/steps.ts";
import { stepDeps } from "./lib/dag/windmill_deps.ts";
import type { RunPlan } from "./lib/dag/model.ts";

export async function main(iter: { index: number; value: string }, run: { [key: string]: unknown }) {
  const plan = run as unknown as RunPlan;
  return await waitStep(iter as Iter, plan, stepDeps(plan));
}
