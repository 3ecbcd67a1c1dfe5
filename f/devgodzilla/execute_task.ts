// Runs one task of the DAG: fresh working copy of the exact commit on the task branch, the task's
// agent + model + prompt template (lib/agentops; an `agent` input wins, as "run input"), context
// files, setup phase (install, network on), the agent in the sandbox (network only to its model
// endpoints), artifacts (diff, classified files, logs; redacted), block signal as data, commit
// naming the task, push of the task branch. Returns the assignment (agent, model, source) too.
import * as wmill from "windmill-client";
import { executeTask } from "./lib/workspace/execute_task.ts";

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
  agents?: RT.CDevgodzillaAgents,
  llm?: RT.CDevgodzillaLlm,
  openai?: RT.Openai,
  anthropic?: RT.Anthropic,
  model = "",
  github?: RT.Github,
) {
  return await executeTask(
    { repo, commit, feature, task, branch, note, dependencies, profile, agent: agent || undefined, sandbox_policy, ...(setup === "skip" ? { install: [] } : {}) },
    {
      agents, llm, openai, anthropic, model: model || undefined, gitToken: github?.token,
      onProgress: (n) => void wmill.setProgress(n).catch(() => undefined),
    },
  );
}
