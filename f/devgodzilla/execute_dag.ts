// Runs a task DAG (the output of f/devgodzilla/task_dag): each task as its own Windmill job
// (execute_task, or the task_with_qa flow), started as soon as its dependencies are done, up to
// `concurrency` at a time; finished task branches merged into the run branch in dependency order;
// failures stop only their dependants (retry / fallback agent / stop_run per policy); token and
// cost budgets; a re-run with the same inputs skips tasks whose jobs already succeeded. The result
// and report name each task's agent, model and why (the agent assignment plan, then what ran).
// Credentials are given as resource PATHS and forwarded to task jobs as `$res:` references, so no
// secret ever appears in a job's arguments.
import * as wmill from "windmill-client";
import { executeDag } from "./lib/dag/execute_dag.ts";

export async function main(
  repo: string,
  branch: string,
  commit: string,
  feature: string,
  dag: { tasks: { id: string; description?: string; dependsOn?: string[]; files?: string[]; story?: string | null; phase?: number | string; weight?: number; done?: boolean }[] },
  concurrency = 4,
  runnable: "script" | "flow" = "script",
  retries = 1,
  backoff_seconds = 30,
  fallback_agents: string[] = [],
  on_failure: "continue" | "stop_run" = "continue",
  on_conflict: "agent" | "report" = "agent",
  budget: { task_tokens?: number; task_cost_usd?: number; run_tokens?: number; run_cost_usd?: number } = {},
  skip_done = true,
  run_key = "",
  profile: { [key: string]: unknown } = {},
  sandbox_policy: "refuse" | "allow_unsandboxed" = "refuse",
  setup: "install" | "skip" = "install",
  agent = "",
  model = "",
  agents_resource = "",
  llm_resource = "",
  openai_resource = "",
  anthropic_resource = "",
  github_resource = "",
  qa_config_resource = "",
) {
  const ref = (p: string) => (p ? `$res:${p.replace(/^\$res:/, "")}` : undefined);
  const resourceArgs: Record<string, string> = {};
  for (const [k, v] of Object.entries({ agents: agents_resource, llm: llm_resource, openai: openai_resource, anthropic: anthropic_resource, github: github_resource, qa_config: qa_config_resource })) {
    const r = ref(v);
    if (r) resourceArgs[k] = r;
  }
  const github = github_resource ? ((await wmill.getResource(github_resource.replace(/^\$res:/, ""))) as { token?: string }) : undefined;
  // Read here only for the assignment plan in the report (task jobs get the reference).
  const agents = agents_resource ? await wmill.getResource(agents_resource.replace(/^\$res:/, "")) : undefined;
  // `agent` overrides the agents resource's choice for every task (fallback agents still apply).
  // setup "skip": no install step in the tasks' sandbox (e.g. dependencies are vendored).
  const task_args: Record<string, unknown> = { profile, sandbox_policy, ...(setup === "skip" ? { setup } : {}), ...(model ? { model } : {}), ...(agent ? { agent } : {}) };
  return await executeDag(
    { repo, branch, commit, feature, dag, concurrency, runnable, retries, backoff_seconds, fallback_agents, on_failure, on_conflict, budget, skip_done, run_key, task_args },
    { gitToken: github?.token, agents, resourceArgs, onProgress: (n) => void wmill.setProgress(n).catch(() => undefined) },
  );
}
