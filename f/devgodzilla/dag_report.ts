// execute_tasks, step `report`: the run's result from the outcomes the tasks recorded — status,
// each task's agent and where that choice came from, commits, usage, the run branch head — and a
// markdown report for the run page.
import { reportStep } from "./lib/dag/steps.ts";
import { stepDeps } from "./lib/dag/windmill_deps.ts";
import type { RunPlan } from "./lib/dag/model.ts";

export async function main(run: { [key: string]: unknown }, github?: RT.Github) {
  const plan = run as unknown as RunPlan;
  return await reportStep(plan, stepDeps(plan, github?.token));
}
