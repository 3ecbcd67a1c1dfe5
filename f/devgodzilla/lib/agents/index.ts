// One entry point for running a task with an agent: picks the agent (explicit, per task, per
// task type, default), dispatches to the CLI adapter, the built-in llm agent or Jules, and falls
// back along `fallback` when an agent is unavailable here. IDE agents are not run here: a person
// does their tasks (execute_task hands them off; lib/workspace/ide_handoff.ts).

import { InputError } from "../errors.ts";
import { Redactor } from "../redact.ts";
import type { StreamName } from "../process.ts";
import type { Llm, LlmConfig } from "../llm/client.ts";
import { runCliAgent } from "./cli.ts";
import { agentSettings, parseAgentsConfig, resolveAgentForTask, redactorFor, type AgentsConfig } from "./config.ts";
import { runJules } from "./jules.ts";
import { runLlmAgent } from "./llm_agent.ts";
import { AGENTS, type AgentId } from "./registry.ts";
import { AgentUnavailableError, type AgentCommand, type AgentResult, type WrappedAgentCommand } from "./types.ts";

export * from "./types.ts";
export { AGENTS, AGENT_IDS, IDE_AGENT_IDS, getAgent, listAgents, isAgentId, type AgentId, type AgentSpec } from "./registry.ts";
export { parseAgentsConfig, resolveAgentForTask, agentSettings, type AgentsConfig, type AgentSettings } from "./config.ts";
export { detectBlock, BLOCK_INSTRUCTION } from "./block.ts";
export { buildCliArgs, prepareCliCommand, resolveExecutable, runCliAgent, agentEndpoints } from "./cli.ts";
export { agentVersion, installStatus, type InstallStatus } from "./health.ts";
export { runLlmAgent, DiffApplyError } from "./llm_agent.ts";
export { runJules, githubRepoOf } from "./jules.ts";
export {
  writeIdeCommand,
  renderIdeCommand,
  prepareIdeTask,
  usesIdeHandoff,
  ideSuspendPayload,
  ideOutcome,
  pickUpFromBranch,
  IDE_RESUME_FORM_SCHEMA,
} from "./ide.ts";

export interface RunAgentRequest {
  /** Explicit agent; otherwise chosen from the config by task id / type / default. */
  agentId?: AgentId;
  /**
   * Model for the first agent of the chain (lib/agentops resolves it per task); null/undefined =
   * the agent's configured one. Fallback agents always run with their own configured model.
   */
  model?: string | null;
  task?: { id?: string; type?: string };
  prompt: string;
  /** The task's worktree. */
  cwd: string;
  /** Parsed config, or the raw c_devgodzilla_agents resource value (undefined = defaults). */
  config?: AgentsConfig | unknown;
  /** For the built-in llm agent: an Llm from lib/llm or its config. */
  llm?: Llm | LlmConfig;
  /** For Jules: the GitHub repository (owner/name; execute_task derives it from the repo URL) and the branch it starts from. */
  github?: { repo: string; branch?: string };
  title?: string;
  /** Repo-relative files the llm agent should see in full. */
  files?: string[];
  env?: Record<string, string>;
  wrap?: (cmd: AgentCommand) => WrappedAgentCommand | Promise<WrappedAgentCommand>;
  redactor?: Redactor;
  onLine?: (line: string, stream: StreamName) => void;
  log?: boolean;
  /** Try config.fallback agents when the chosen one is unavailable. Default true. */
  fallback?: boolean;
}

function isParsedConfig(c: unknown): c is AgentsConfig {
  return !!c && typeof c === "object" && "defaultAgent" in c && "defaults" in c;
}

async function runOne(agentId: AgentId, req: RunAgentRequest, config: AgentsConfig, redactor: Redactor, model: string | undefined): Promise<AgentResult> {
  const spec = AGENTS[agentId];
  if (!config.enabled.includes(agentId)) throw new AgentUnavailableError(agentId, "is not enabled in the agents resource");
  if (agentId === "llm") {
    if (!req.llm) throw new InputError("llm", "the built-in llm agent needs an OpenAI or Anthropic resource", "pass openai/anthropic/llm to the script");
    // A model assigned to the llm agent replaces the LLM resource's model (a ready Llm client keeps its own).
    const llm = model && !("text" in req.llm) ? { ...req.llm, model } : req.llm;
    return runLlmAgent({ prompt: req.prompt, cwd: req.cwd, llm, files: req.files, redactor });
  }
  if (agentId === "jules") {
    const s = agentSettings(config, "jules");
    // Not a GitHub repository: Jules cannot run here, so the fallback agents get the task.
    if (!req.github?.repo)
      throw new AgentUnavailableError("jules", "works only on a GitHub repository (the task's repo is not a github.com URL)", {
        hint: "use another agent for this repository",
      });
    const out = await runJules({
      apiKey: s.apiKey ?? "",
      repo: req.github.repo,
      startingBranch: req.github.branch,
      prompt: req.prompt,
      title: req.title,
      baseUrl: s.baseUrl ?? undefined,
      timeoutMs: s.timeoutMs,
      applyTo: req.cwd,
      redactor,
      createPr: false,
    });
    return out.result;
  }
  if (spec.kind === "ide" || !spec.cli) {
    throw new AgentUnavailableError(agentId, `${spec.name} is an IDE agent`, {
      hint: "run it through the IDE approval step (writeIdeCommand + ideSuspendPayload)",
    });
  }
  return runCliAgent({
    agentId,
    prompt: req.prompt,
    cwd: req.cwd,
    config,
    model,
    title: req.title,
    env: req.env,
    wrap: req.wrap,
    redactor,
    onLine: req.onLine,
    log: req.log,
  });
}

/** Runs the task's agent; on AgentUnavailableError tries the configured fallbacks in order. */
export async function runAgent(req: RunAgentRequest): Promise<AgentResult> {
  const config = isParsedConfig(req.config) ? req.config : parseAgentsConfig(req.config);
  const redactor = redactorFor(config, req.redactor ?? new Redactor());
  const first = req.agentId ?? resolveAgentForTask(config, req.task ?? {});
  const chain = [first, ...(req.fallback === false ? [] : config.fallback.filter((a) => a !== first))];
  let lastErr: unknown;
  for (const id of chain) {
    try {
      return await runOne(id, req, config, redactor, id === first ? (req.model ?? undefined) : undefined);
    } catch (e) {
      if (!(e instanceof AgentUnavailableError)) throw e;
      lastErr = e;
    }
  }
  throw lastErr;
}
