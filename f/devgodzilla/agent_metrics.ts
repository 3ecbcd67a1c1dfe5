// Per agent and model: runs, success rate, QA pass rate, median/p90 duration, tokens and cost —
// computed from Windmill's job history of task runs (no table of our own).
import { InputError } from "./lib/errors.ts";
import { collectAgentRuns, computeAgentMetrics, renderAgentMetrics } from "./lib/agentops/metrics.ts";

export async function main(since_days = 30, paths: string[] = ["f/devgodzilla/execute_task", "f/devgodzilla/task_with_qa"], max_jobs = 2000, since = "") {
  if (!(since_days > 0)) throw new InputError("since_days", "must be a positive number of days");
  if (!paths.length || paths.some((p) => !/^[fu]\/[A-Za-z0-9_./-]+$/.test(p)))
    throw new InputError("paths", "give Windmill script/flow paths like f/devgodzilla/execute_task");
  const from = since.trim() ? new Date(since.trim()) : new Date(Date.now() - since_days * 86_400_000);
  if (Number.isNaN(from.getTime()))
    throw new InputError(
      "since",
      `"${since.slice(0, 60)}" is not a date`,
      "give an ISO 8601 time like 2026-01-31T12:00:00Z, or leave it empty to use since_days",
    );
  const samples = await collectAgentRuns({ paths, since: from, maxJobs: max_jobs });
  return renderAgentMetrics(computeAgentMetrics(samples), { since: from, paths, jobs: samples.length });
}
