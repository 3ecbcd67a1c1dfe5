// Per agent and model: runs, success rate, QA pass rate, median/p90 duration, tokens and cost —
// computed from Windmill's job history of task runs (no table of our own).
import { InputError } from "./lib/errors.ts";
import { collectAgentRuns, computeAgentMetrics, renderAgentMetrics } from "./lib/agentops/metrics.ts";

export async function main(since_days = 30, paths: string[] = ["f/devgodzilla/execute_task", "f/devgodzilla/task_with_qa"], max_jobs = 2000) {
  if (!(since_days > 0)) throw new InputError("since_days", "must be a positive number of days");
  if (!paths.length || paths.some((p) => !/^[fu]\/[A-Za-z0-9_./-]+$/.test(p))) throw new InputError("paths", "give Windmill script/flow paths like f/devgodzilla/execute_task");
  const since = new Date(Date.now() - since_days * 86_400_000);
  const samples = await collectAgentRuns({ paths, since, maxJobs: max_jobs });
  return renderAgentMetrics(computeAgentMetrics(samples), { since, paths, jobs: samples.length });
}
