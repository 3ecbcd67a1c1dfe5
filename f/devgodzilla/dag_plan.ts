// execute_tasks, step `plan`: validates the task DAG and the run's policies, opens (or creates)
// the run branch, resolves each task's agent and why, finds what an earlier run of the same inputs
// already finished, and orders the rest for the task loop (critical path first).
import { planRun } from "./lib/dag/plan.ts";
import { planDeps } from "./lib/dag/windmill_deps.ts";

export async function main(
  repo: string,
  branch: string,
  commit: string,
  feature: string,
  dag: {
    tasks: {
      id: string;
      description?: string;
      dependsOn?: string[];
      files?: string[];
      story?: string | null;
      phase?: number | string;
      weight?: number;
      done?: boolean;
    }[];
    /** What building the DAG cost (task_dag's model calls): counted in the run's usage and budget. */
    usage?: { calls?: number; inputTokens?: number; outputTokens?: number; costUsd?: number; unpricedModels?: string[] };
    usage_id?: string;
  },
  concurrency = 4,
  runnable: "script" | "flow" = "script",
  retries = 1,
  backoff_seconds = 30,
  fallback_agents: string[] = [],
  on_failure: "continue" | "stop_run" = "continue",
  on_conflict: "agent" | "report" = "agent",
  budget: { task_tokens?: number; task_cost_usd?: number; run_tokens?: number; run_cost_usd?: number } = {},
  budget_usd = 0,
  skip_done = true,
  run_key = "",
  profile: { [key: string]: unknown } = {},
  sandbox_policy: "refuse" | "allow_unsandboxed" = "refuse",
  setup: "install" | "skip" = "install",
  agent = "",
  agents?: RT.CDevgodzillaAgents,
  github?: RT.Github,
) {
  return await planRun(
    {
      repo,
      branch,
      commit,
      feature,
      dag,
      concurrency,
      runnable,
      retries,
      backoff_seconds,
      fallback_agents,
      on_failure,
      on_conflict,
      budget,
      budget_usd,
      skip_done,
      run_key,
      profile,
      sandbox_policy,
      setup,
      agent,
    },
    planDeps(agents ?? undefined, github?.token),
  );
}
