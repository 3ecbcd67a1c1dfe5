// execute_task with its retry policy: the task's agent, retried with backoff after a retryable
// failure, then each fallback agent; a per-task budget ends the attempts. The attempts run in the
// task's own job (it is the job doing the work); the result lists them and names the agent that
// ran the last one and why.

import { executeTask, type ExecuteTaskDeps, type ExecuteTaskInput, type ExecuteTaskResult } from "../workspace/execute_task.ts";
import { DevGodzillaError, ERROR_NAMES as E } from "../errors.ts";
import { runAttempts, type AttemptOutcome } from "./attempts.ts";

/** Failures a retry cannot fix (error names). */
export const NON_RETRYABLE = new Set<string>([
  E.InputError,
  E.ConfigError,
  E.ExecutionBlockedError,
  E.AgentUnavailableError,
  E.SetupFailedError,
  E.SandboxUnavailableError,
  E.DagError,
]);

export interface TaskPolicy {
  retries?: number;
  backoff_seconds?: number;
  fallback_agents?: string[];
  budget?: { task_tokens?: number; task_cost_usd?: number };
}

/** Every attempt of a task failed (the last error and the attempts are in it). */
export class TaskAttemptsError extends DevGodzillaError {
  constructor(
    message: string,
    readonly attempts: unknown[],
  ) {
    super(message, {
      hint: "read the attempts' errors in the task job's log; fix the cause (or give fallback_agents) and run again: finished tasks are skipped",
    });
  }
}

export async function executeTaskWithPolicy(input: ExecuteTaskInput, deps: ExecuteTaskDeps, policy: TaskPolicy, sleep?: (ms: number) => Promise<void>) {
  const budget =
    policy.budget?.task_tokens || policy.budget?.task_cost_usd ? { tokens: policy.budget.task_tokens, costUsd: policy.budget.task_cost_usd } : undefined;
  const out = await runAttempts<ExecuteTaskResult>(
    { retries: policy.retries ?? 0, backoffMs: (policy.backoff_seconds ?? 0) * 1000, fallbackAgents: policy.fallback_agents ?? [], budget },
    async ({ agent }): Promise<AttemptOutcome<ExecuteTaskResult>> => {
      try {
        const r = await executeTask(agent ? { ...input, agent } : input, deps);
        const usage = { tokens: r.usage.tokens, costUsd: r.usage.cost_usd ?? undefined };
        if (agent) r.assignment.source = `fallback agent (fallback_agents, after ${input.agent || "the assigned agent"} failed)`;
        return { status: "succeeded", result: r, usage };
      } catch (e) {
        const err = e as Error;
        return { status: "failed", error: `${err.name}: ${err.message}`, retryable: !NON_RETRYABLE.has(err.name) };
      }
    },
    sleep,
  );
  const attempts = out.attempts.map((a) => ({ attempt: a.attempt, agent: a.agent ?? input.agent ?? null, status: a.status, error: a.error }));
  if (out.status === "succeeded") return { ...out.result!, attempts };
  if (out.status === "budget_exceeded" && out.result) return { ...out.result, attempts, error: { name: "BudgetExceededError", message: out.error } };
  throw new TaskAttemptsError(`${out.error} (after ${out.attempts.length} attempt${out.attempts.length === 1 ? "" : "s"})`, attempts);
}
