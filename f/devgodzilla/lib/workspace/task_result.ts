// What execute_task returns (and what the IDE hand-off and pick-up return in its place). Its own
// module so execute_task.ts and ide_handoff.ts, which both produce it, need not import each other.
import { z } from "zod";
import type { PushStatus } from "../git.ts";
import { AGENT_IDS, type AgentId, type AgentResult, type BlockSignal } from "../agents/index.ts";
import type { TaskType } from "../agentops/index.ts";
import type { Artifacts } from "./artifacts.ts";

/** What execute_task hands to the approval step and to the pick-up (results.execute.handoff). */
export const IdeHandoffSchema = z.object({
  agent: z.enum(AGENT_IDS),
  repo: z.string().min(1),
  feature: z.string().min(1),
  task_id: z.string().min(1),
  title: z.string(),
  branch: z.string().min(1),
  /** The commit the task started from. */
  base_commit: z.string().regex(/^[0-9a-f]{7,64}$/i),
  /** The commit that added the command file (the task branch's head when the person starts). */
  commit: z.string().regex(/^[0-9a-f]{7,64}$/i),
  command_file: z.string().min(1),
  command_name: z.string().min(1),
  assignment: z.record(z.string(), z.unknown()),
});
export type IdeHandoff = z.infer<typeof IdeHandoffSchema>;

export interface TaskUsage {
  input_tokens: number;
  output_tokens: number;
  tokens: number;
  cost_usd: number | null;
}

/**
 * How the task's run ended: the agent changed files (committed), said it cannot proceed (block), or
 * exited successfully WITHOUT changing anything — every task type asks for file changes, so
 * `no_change` is a failure for QA and feedback to retry or escalate, never a success. An IDE
 * agent's task ends as `ide_handoff`: a person does it (see ide_handoff.ts for the next steps).
 */
export type TaskOutcome = "changed" | "no_change" | "blocked" | "ide_handoff";

export interface ExecuteTaskResult {
  task_id: string;
  outcome: TaskOutcome;
  /** The task branch that was pushed (devgodzilla/<feature>-tasks/<id>). */
  branch: string;
  /** Commit with the task's changes (= base_commit when nothing changed or the agent blocked). */
  commit: string;
  base_commit: string;
  changed: boolean;
  push: PushStatus | "skipped";
  artifacts: Artifacts;
  agent: Omit<AgentResult, "finalMessage"> & { finalMessage: string };
  /** Which agent and model the task was given, and where that choice came from (before any fallback). */
  assignment: TaskAssignmentInfo;
  usage: TaskUsage;
  /** `limits`: how the sandbox's process and memory limits were enforced (cgroup, rlimit). */
  sandbox: { sandboxed: boolean; warning?: string; limits?: string; setup?: { commands: string[][]; durationMs: number } };
  /** The agent said it cannot proceed (clarify / re-plan / re-specify): data for the feedback loop. */
  blocked: boolean;
  block: BlockSignal | null;
  /** One-paragraph summary for dependants' context. */
  summary: string;
  /** Set when outcome is ide_handoff: what the approval step and ide_pickup need. */
  handoff?: IdeHandoff;
}

export interface TaskAssignmentInfo {
  /** The agent that actually ran (a fallback agent when the assigned one was unavailable). */
  agent: AgentId;
  /** The model asked for (null = the agent's own default); the one that answered is agent.model. */
  model: string | null;
  /** "run input", "project override: tasks.T004", "org default: default_agent"… (+ "; fell back from X" after a fallback). */
  source: string;
  model_source: string;
  task_type: TaskType;
  prompt_source: string;
  prompt_version: string;
}
