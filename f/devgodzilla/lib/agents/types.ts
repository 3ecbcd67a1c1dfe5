// Shared types and typed errors of the agent layer. Import from here (or from ./index.ts).

import { DevGodzillaError } from "../errors.ts";
import type { AgentId } from "./registry.ts";

export type BlockKind = "clarify" | "re-plan" | "re-specify";

/** An agent said it cannot proceed; routed by the feedback loop (data, not an exception). */
export interface BlockSignal {
  kind: BlockKind;
  /** Which rule matched: needs-clarification, ambiguous, conflicting, impossible, missing-dependency… */
  reason: string;
  /** The question for a human (clarify) or the sentence that states the problem. */
  question: string | null;
  /** The matched excerpt of the agent's message. */
  excerpt: string;
}

export interface AgentTokens {
  input: number;
  output: number;
}

export interface AgentResult {
  agentId: AgentId;
  /** The agent's last message (redacted). */
  finalMessage: string;
  tokens: AgentTokens;
  /** null when the agent does not report cost. */
  costUsd: number | null;
  sessionId: string | null;
  /** Number of machine-readable events/messages parsed from the output. */
  events: number;
  exitCode: number | null;
  durationMs: number;
  model: string | null;
  /** Set when the agent said it cannot proceed. */
  block: BlockSignal | null;
  /** The executable that ran (cli) or the endpoint used (api). */
  via: string;
  /** True when captured output was cut to the size cap. */
  truncated: boolean;
}

export class AgentError extends DevGodzillaError {
  readonly agentId: string;
  constructor(agentId: string, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(`${agentId}: ${message}`, options);
    this.agentId = agentId;
  }
}

/** The agent cannot run here: executable missing, agent disabled, not a headless agent. */
export class AgentUnavailableError extends AgentError {}

/**
 * The agent was stopped by a gate outside the task: permission/approval required, untrusted
 * folder, missing or rejected credentials, configuration. Retrying the same way will not help.
 */
export class ExecutionBlockedError extends AgentError {
  readonly reason: "permission" | "trust" | "auth" | "config" | "input" | "rejected";
  constructor(agentId: string, reason: ExecutionBlockedError["reason"], message: string, hint?: string) {
    super(agentId, message, { hint });
    this.reason = reason;
  }
}

export class AgentTimeoutError extends AgentError {
  readonly kind: "wall" | "idle";
  readonly afterMs: number;
  constructor(agentId: string, kind: "wall" | "idle", afterMs: number) {
    super(
      agentId,
      kind === "wall" ? `timed out after ${Math.round(afterMs / 1000)} s` : `printed nothing for ${Math.round(afterMs / 1000)} s and was stopped`,
      { hint: "raise timeout_seconds / idle_timeout_seconds in the agents resource, or split the task" },
    );
    this.kind = kind;
    this.afterMs = afterMs;
  }
}

/** Worth retrying with backoff: rate limit, overload, network reset, 5xx. */
export class TransientAgentError extends AgentError {}

/** The agent ran and failed for a reason that is neither transient nor a gate. */
export class AgentFailedError extends AgentError {
  readonly exitCode: number | null;
  constructor(agentId: string, exitCode: number | null, message: string, hint?: string) {
    super(agentId, message, { hint });
    this.exitCode = exitCode;
  }
}

/** A command ready to run: the sandbox may rewrite it (wrap in bwrap) before it runs. */
export interface AgentCommand {
  file: string;
  args: string[];
  cwd: string;
  /** On top of runProcess's minimal base env; undefined removes a variable. */
  env: Record<string, string | undefined>;
}

/** What a `wrap` hook returns: the command to run, and cleanup to call once it has ended. */
export interface WrappedAgentCommand {
  file: string;
  args: readonly string[];
  cwd: string;
  env: Record<string, string | undefined>;
  dispose?: () => Promise<void>;
  /** Carried into the log when the command runs unsandboxed by policy. */
  warning?: string;
}
