// Runs one task of the DAG: fresh working copy of the exact commit on the task branch, the task's
// agent + model + prompt template (lib/agentops; an `agent` input wins, as "run input"), context
// files, setup phase (install, network on), the agent in the sandbox (network only to its model
// endpoints), artifacts (diff, classified files, logs; redacted), block signal as data, commit
// naming the task, push of the task branch. A retryable failure is retried with backoff, then the
// fallback agents take over; a per-task budget ends the attempts. Returns the assignment (agent,
// model, source), the attempts and this job's id.
import { currentJob, setProgress } from "./lib/platform/windmill.ts";
import { executeTaskWithPolicy } from "./lib/dag/task_attempts.ts";

export async function main(
  repo: string,
  commit: string,
  feature: string,
  task: { id: string; description?: string; files?: string[]; story?: string | null; phase?: string | number; agent?: string; type?: string },
  branch = "",
  note = "",
  dependencies: { id: string; description?: string; summary?: string; changedFiles?: string[]; commit?: string }[] = [],
  profile: { [key: string]: unknown } = {},
  agent = "",
  sandbox_policy: "refuse" | "allow_unsandboxed" = "refuse",
  setup: "install" | "skip" = "install",
  retries = 0,
  backoff_seconds = 30,
  fallback_agents: string[] = [],
  budget: { task_tokens?: number; task_cost_usd?: number } = {},
  agents?: RT.CDevgodzillaAgents,
  llm?: RT.CDevgodzillaLlm,
  github?: RT.Github,
) {
  const result = await executeTaskWithPolicy(
    {
      repo,
      commit,
      feature,
      task,
      branch: branch ?? "",
      note: note ?? "",
      dependencies: dependencies ?? [],
      profile: profile ?? {},
      agent: agent || undefined,
      sandbox_policy: sandbox_policy ?? "refuse",
      ...(setup === "skip" ? { install: [] } : {}),
    },
    { agents, llm, gitToken: github?.token, onProgress: setProgress },
    { retries: retries ?? 0, backoff_seconds: backoff_seconds ?? 30, fallback_agents: fallback_agents ?? [], budget: budget ?? {} },
  );
  return { ...result, job_id: currentJob().id || null };
}
