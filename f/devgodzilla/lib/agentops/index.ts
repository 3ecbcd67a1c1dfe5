// Agent operations: assignments (which agent/model per task, and why), prompt templates, Spec Kit
// command files, health, metrics. (Agent trials and the `agents` command run execute_task, so they
// live above it in lib/workspace/; the engine-based review of a task's diff is a QA signal:
// lib/qa/review.ts.) One import for the other owners:
//   import { prepareTaskAgent, installSpeckitCommands, agentsHealth } from "./lib/agentops/index.ts";

import type { AgentsConfig } from "../agents/config.ts";
import type { AgentId } from "../agents/registry.ts";
import {
  configWithModel,
  explicitTaskAgent,
  loadProjectAgents,
  parseOrgAgents,
  resolveTaskAgent,
  type OrgAgents,
  type ProjectAgents,
  type TaskAssignment,
  type TaskFacts,
} from "./assignments.ts";
import { renderTaskPrompt, resolveTaskPrompt, type PromptValues } from "./prompts.ts";

export * from "./assignments.ts";
export * from "./prompts.ts";
export * from "./speckit_commands.ts";
export * from "./health.ts";
export * from "./metrics.ts";

export interface PreparedTaskAgent extends TaskAssignment {
  /** The rendered task prompt. */
  prompt: string;
  /** Where the template came from ("bundle: …" / "project override: .devgodzilla/prompts/…"). */
  promptSource: string;
  promptVersion: string;
  /** The agents config with the resolved model set: pass it to runAgent with agentId = agent. */
  config: AgentsConfig;
}

/**
 * Everything a task run needs from agent configuration, in one call: the agent and model with
 * their source, the prompt for that agent and task type, and the config to hand to runAgent.
 * `org` is the raw c_devgodzilla_agents resource (or parsed); `repoDir` the task's checkout.
 * `agent` (a run input) wins over every configured assignment; its source says so.
 */
export function prepareTaskAgent(
  task: TaskFacts,
  opts: { org?: OrgAgents | unknown; repoDir?: string | null; project?: ProjectAgents | null; values?: PromptValues; agent?: AgentId; agentSource?: string },
): PreparedTaskAgent {
  const org = opts.org && typeof opts.org === "object" && "base" in opts.org && "byPhase" in opts.org ? (opts.org as OrgAgents) : parseOrgAgents(opts.org);
  const project = opts.project !== undefined ? opts.project : opts.repoDir ? loadProjectAgents(opts.repoDir, org) : null;
  const a = opts.agent ? explicitTaskAgent(task, opts.agent, org, project, opts.agentSource) : resolveTaskAgent(task, org, project);
  const tpl = resolveTaskPrompt(a.agent, a.taskType, opts.repoDir ?? null);
  const prompt = renderTaskPrompt(tpl.template, {
    task_id: task.id,
    files: task.files ?? [],
    story: task.story ?? null,
    phase: task.phase?.number ?? task.phase?.kind ?? null,
    task_type: a.taskType,
    agent: a.agent,
    ...opts.values,
  });
  return { ...a, prompt, promptSource: tpl.source, promptVersion: tpl.version, config: configWithModel(org.base, a.agent, a.model) };
}
