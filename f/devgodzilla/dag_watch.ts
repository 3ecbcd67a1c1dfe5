// execute_tasks, the run's deadline: runs after the watch's wait step, which every task's finish
// resumes once all tasks have an outcome. If the wait timed out instead, says which tasks never
// finished and why (a queued job no live worker takes: missing tag, no free worker) and cancels
// the run with that message.
import { watchStep } from "./lib/dag/watch.ts";
import { watchDeps } from "./lib/dag/windmill_deps.ts";
import type { RunPlan } from "./lib/dag/model.ts";

export async function main(run: { [key: string]: unknown }, resume: { [key: string]: unknown } = {}) {
  const plan = run as unknown as RunPlan;
  return await watchStep(plan, resume ?? {}, watchDeps(plan), "the run's deadline (the watch step's suspend timeout)");
}
