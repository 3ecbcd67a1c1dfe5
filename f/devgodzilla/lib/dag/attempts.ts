// A task's attempts: the task's own agent, retried after a retryable failure with backoff, then
// each fallback agent in turn; a per-task token/cost budget ends the attempts. Pure over an
// injected `attempt` function (and sleep), so the policy is unit-tested without agents.

export interface Usage {
  tokens?: number;
  costUsd?: number;
  /** What counted as $0 for want of a price: models the price table does not know, agent runs that reported no cost. */
  unpricedModels?: string[];
}

export interface Budget {
  /** Total tokens (input + output). */
  tokens?: number;
  costUsd?: number;
}

export interface AttemptPolicy {
  /** Retries with the same agent after a retryable failure (runs per agent = 1 + retries). */
  retries?: number;
  /** First backoff delay; doubles each retry. */
  backoffMs?: number;
  /** Agents to switch to, in order, once the task's agent has used up its retries. */
  fallbackAgents?: readonly string[];
  /** Tokens/cost the task may spend over all its attempts. */
  budget?: Budget;
}

/** One attempt's outcome. Throwing counts as a failed, retryable attempt. */
export type AttemptOutcome<R> =
  | { status: "succeeded"; result: R; usage?: Usage }
  /** retryable: false for what a retry cannot fix (bad input, a blocked agent, a conflict). */
  | { status: "failed"; error: string; retryable?: boolean; result?: R; usage?: Usage };

export interface AttemptInfo {
  /** 1-based, over all agents. */
  attempt: number;
  /** undefined = the task's own agent, else a fallback agent. */
  agent?: string;
  /** What the task may still spend, when it has a budget. */
  budgetLeft?: Budget;
}

export interface AttemptRecord {
  attempt: number;
  agent?: string;
  status: "succeeded" | "failed";
  error?: string;
  usage?: Usage;
}

export interface AttemptsResult<R> {
  status: "succeeded" | "failed" | "budget_exceeded";
  result?: R;
  error?: string;
  attempts: AttemptRecord[];
  usage: Usage;
}

export function addUsage(a: Usage, b?: Usage): Usage {
  if (!b) return a;
  const unpriced = [...new Set([...(a.unpricedModels ?? []), ...(b.unpricedModels ?? [])])];
  return {
    tokens: a.tokens === undefined && b.tokens === undefined ? undefined : (a.tokens ?? 0) + (b.tokens ?? 0),
    costUsd: a.costUsd === undefined && b.costUsd === undefined ? undefined : (a.costUsd ?? 0) + (b.costUsd ?? 0),
    ...(unpriced.length ? { unpricedModels: unpriced } : {}),
  };
}

/** Which limit of `budget` `usage` exceeds, if any. */
export function exceeds(usage: Usage, budget?: Budget): string | null {
  if (!budget) return null;
  if (budget.tokens !== undefined && (usage.tokens ?? 0) > budget.tokens) return `${usage.tokens} tokens > budget ${budget.tokens}`;
  if (budget.costUsd !== undefined && (usage.costUsd ?? 0) > budget.costUsd) return `$${(usage.costUsd ?? 0).toFixed(4)} > budget $${budget.costUsd}`;
  return null;
}

function left(budget: Budget | undefined, used: Usage): Budget | undefined {
  if (!budget) return undefined;
  return {
    tokens: budget.tokens === undefined ? undefined : Math.max(0, budget.tokens - (used.tokens ?? 0)),
    costUsd: budget.costUsd === undefined ? undefined : Math.max(0, budget.costUsd - (used.costUsd ?? 0)),
  };
}

/** Runs attempts until one succeeds, a failure is final, the budget is spent or no agent is left. */
export async function runAttempts<R>(
  policy: AttemptPolicy,
  attempt: (info: AttemptInfo) => Promise<AttemptOutcome<R>>,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<AttemptsResult<R>> {
  const retries = Math.max(0, policy.retries ?? 0);
  const agents: (string | undefined)[] = [undefined, ...(policy.fallbackAgents ?? [])];
  const records: AttemptRecord[] = [];
  let usage: Usage = {};
  let last: AttemptOutcome<R> | undefined;
  for (const agent of agents) {
    for (let k = 0; k <= retries; k++) {
      if (records.length > 0 && k > 0) {
        const delay = (policy.backoffMs ?? 0) * 2 ** (k - 1);
        if (delay > 0) await sleep(delay);
      }
      const n = records.length + 1;
      try {
        last = await attempt({ attempt: n, agent, budgetLeft: left(policy.budget, usage) });
      } catch (e) {
        last = { status: "failed", error: e instanceof Error ? `${e.name}: ${e.message}` : String(e), retryable: true };
      }
      usage = addUsage(usage, last.usage);
      records.push({ attempt: n, agent, status: last.status, error: last.status === "failed" ? last.error : undefined, usage: last.usage });
      const over = exceeds(usage, policy.budget);
      if (over) return { status: "budget_exceeded", result: last.result, error: `task budget exceeded (${over})`, attempts: records, usage };
      if (last.status === "succeeded") return { status: "succeeded", result: last.result, attempts: records, usage };
      if (last.retryable === false) return { status: "failed", result: last.result, error: last.error, attempts: records, usage };
    }
  }
  return {
    status: "failed",
    result: last?.status === "failed" ? last.result : undefined,
    error: last?.status === "failed" ? last.error : "no attempt ran",
    attempts: records,
    usage,
  };
}
