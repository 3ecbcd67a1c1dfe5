// What task_with_qa's feedback loop spent: every round's agent run (execute), QA judge (qa),
// feedback classification (decide) and tasks.md regeneration (replan). Each round's `finish` step
// lists its own step runs and adds the deeper rounds' list, which the self-call passes up; each
// step run is counted once, by its usage_id (its job). The total is the task job's `usage`, which
// execute_tasks adds to the task's outcome, its report and its run budget.

import { z } from "zod";
import { unreportedCostName } from "../llm/usage.ts";

export type LoopStep = "execute" | "qa" | "decide" | "replan";

/** One step run's usage, in execute_task's usage shape (tokens = input + output, as budgets count them). */
export interface UsagePart {
  step: LoopStep;
  /** The loop round it belongs to (1 = the task's first attempt). */
  round: number;
  /** The step's job: the same step run met twice is counted once. null: always counted. */
  usage_id: string | null;
  input_tokens: number;
  output_tokens: number;
  tokens: number;
  /** null when the step reported no cost (an agent CLI that prints none). */
  cost_usd: number | null;
  /** Models whose calls were counted as $0 (no price known), and an agent run that reported no cost. */
  unpriced: string[];
}

/** The loop's total, in the shape execute_task reports (execute_tasks reads `tokens`, `cost_usd` and `unpriced_models`). */
export interface LoopUsage {
  input_tokens: number;
  output_tokens: number;
  tokens: number;
  cost_usd: number | null;
  /** What counted as $0 for want of a price (the run's report and summary name them). */
  unpriced_models: string[];
}

const n = z.number().finite().nonnegative();
// Either shape a step reports: execute_task's ({input_tokens, output_tokens, tokens, cost_usd}) or
// the LLM ledger's totals ({calls, inputTokens, outputTokens, costUsd}).
const StepUsageSchema = z.object({
  input_tokens: n.optional(),
  output_tokens: n.optional(),
  tokens: n.optional(),
  cost_usd: n.nullish(),
  inputTokens: n.optional(),
  outputTokens: n.optional(),
  costUsd: n.optional(),
  unpricedModels: z.array(z.string()).optional(),
});
// A failed job's usage is in its error: Windmill keeps a thrown error's own properties as `error.extra` (withUsage).
const CarriedSchema = z.object({ usage: z.unknown().optional(), usage_id: z.string().nullish() }).passthrough();
const StepResultSchema = z
  .object({
    usage: z.unknown().optional(),
    usage_id: z.string().nullish(),
    job_id: z.string().nullish(),
    assignment: z.object({ agent: z.string().nullish(), model: z.string().nullish() }).passthrough().nullish(),
    error: z.object({ extra: CarriedSchema.nullish() }).passthrough().nullish(),
  })
  .passthrough();
const PartSchema = z.object({
  step: z.enum(["execute", "qa", "decide", "replan"]),
  round: z.number().int().positive(),
  usage_id: z.string().nullable(),
  input_tokens: n,
  output_tokens: n,
  tokens: n,
  cost_usd: n.nullable(),
  unpriced: z.array(z.string()).default([]),
});

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

/** A step result's usage as a part, or null when it reports none (a failed step, a step without a model). */
export function partOf(step: LoopStep, round: number, result: unknown): UsagePart | null {
  const r = StepResultSchema.safeParse(result);
  if (!r.success) return null;
  const carried = r.data.usage == null ? r.data.error?.extra : undefined;
  const u = StepUsageSchema.safeParse(r.data.usage ?? carried?.usage);
  if (!u.success || (r.data.usage ?? carried?.usage) == null) return null;
  const input = u.data.input_tokens ?? u.data.inputTokens ?? 0;
  const output = u.data.output_tokens ?? u.data.outputTokens ?? 0;
  const tokens = u.data.tokens ?? input + output;
  const cost_usd = u.data.cost_usd ?? u.data.costUsd ?? null;
  // An agent run that reported no cost counts as $0: it is named like a model without a price.
  const agentUnpriced =
    "input_tokens" in u.data && cost_usd === null && tokens > 0 ? [unreportedCostName(r.data.assignment?.agent, r.data.assignment?.model)] : [];
  return {
    step,
    round,
    // A step that names no usage_id is its job (execute_task returns its job_id).
    usage_id: r.data.usage_id || carried?.usage_id || r.data.job_id || null,
    input_tokens: input,
    output_tokens: output,
    tokens,
    cost_usd,
    unpriced: [...(u.data.unpricedModels ?? []), ...agentUnpriced],
  };
}

/** The last result of a gate loop ([] when it did not run). */
const lastOf = (runs: unknown) => (Array.isArray(runs) && runs.length ? runs[runs.length - 1] : undefined);

/** One round's parts: its execute (work) result, the qa and replan gate loops, the decide result. */
export function roundParts(round: number, steps: { execute?: unknown; qa?: unknown; decide?: unknown; replan?: unknown }): UsagePart[] {
  const parts = [
    partOf("execute", round, steps.execute),
    partOf("qa", round, lastOf(steps.qa)),
    partOf("decide", round, steps.decide),
    partOf("replan", round, lastOf(steps.replan)),
  ];
  return parts.filter((p): p is UsagePart => p !== null);
}

/** The parts a deeper round's result passes up (none from a result that carries no list). */
export function partsOf(result: unknown): UsagePart[] {
  const list = (result as { usage_parts?: unknown } | null | undefined)?.usage_parts;
  const parsed = z.array(PartSchema).safeParse(list ?? []);
  return parsed.success ? parsed.data : [];
}

function total(parts: UsagePart[]): LoopUsage {
  const usage: LoopUsage = { input_tokens: 0, output_tokens: 0, tokens: 0, cost_usd: null, unpriced_models: [] };
  for (const p of parts) {
    usage.input_tokens += p.input_tokens;
    usage.output_tokens += p.output_tokens;
    usage.tokens += p.tokens;
    if (p.cost_usd !== null) usage.cost_usd = round6((usage.cost_usd ?? 0) + p.cost_usd);
    for (const m of p.unpriced) if (!usage.unpriced_models.includes(m)) usage.unpriced_models.push(m);
  }
  return usage;
}

/**
 * Adds the parts, each usage_id once: the task job's `usage` (everything), `agent_usage` (the
 * agents' runs alone, what agent_metrics compares agents by) and the list it passes up.
 */
export function loopUsage(parts: UsagePart[]): { usage: LoopUsage; agent_usage: LoopUsage; usage_parts: UsagePart[] } {
  const seen = new Set<string>();
  const kept: UsagePart[] = [];
  for (const p of parts) {
    if (p.usage_id !== null) {
      if (seen.has(p.usage_id)) continue;
      seen.add(p.usage_id);
    }
    kept.push(p);
  }
  return { usage: total(kept), agent_usage: total(kept.filter((p) => p.step === "execute")), usage_parts: kept.sort((a, b) => a.round - b.round) };
}

// ---- the task's budget over the loop's rounds

/** The per-task budget execute_tasks gives a task job (0 or absent = no limit, as execute_task reads it). */
export const TaskBudgetSchema = z
  .object({ task_tokens: n.nullish(), task_cost_usd: n.nullish() })
  .nullish()
  .transform((b) => ({ ...(b?.task_tokens ? { task_tokens: b.task_tokens } : {}), ...(b?.task_cost_usd ? { task_cost_usd: b.task_cost_usd } : {}) }));
export type TaskBudget = z.infer<typeof TaskBudgetSchema>;
/** The usage parts the loop carries to its next round (the earlier rounds' step runs). */
export const UsagePartsSchema = z
  .array(PartSchema)
  .nullish()
  .transform((p) => p ?? []);

const hasBudget = (b: TaskBudget) => b.task_tokens !== undefined || b.task_cost_usd !== undefined;

/** What the next agent run may still spend: the budget less what `parts` used ({} = no budget). */
export function budgetLeft(budget: TaskBudget, parts: UsagePart[]): TaskBudget {
  const used = loopUsage(parts).usage;
  return {
    ...(budget.task_tokens !== undefined ? { task_tokens: Math.max(0, budget.task_tokens - used.tokens) } : {}),
    ...(budget.task_cost_usd !== undefined ? { task_cost_usd: round6(Math.max(0, budget.task_cost_usd - (used.cost_usd ?? 0))) } : {}),
  };
}

/**
 * Why the loop starts no further round, or null: what `parts` used has reached the budget. The
 * wording is execute_task's for its per-task budget stop (the error execute_tasks reads).
 */
export function budgetStop(budget: TaskBudget, parts: UsagePart[]): string | null {
  if (!hasBudget(budget)) return null;
  const used = loopUsage(parts).usage;
  const over = (u: number, b: number | undefined, used: string, limit: string) =>
    b !== undefined && u >= b ? `${used} ${u > b ? ">" : "="} budget ${limit}` : null;
  const cost = used.cost_usd ?? 0;
  const why =
    over(used.tokens, budget.task_tokens, `${used.tokens} tokens`, `${budget.task_tokens}`) ??
    over(cost, budget.task_cost_usd, `$${cost.toFixed(4)}`, `$${budget.task_cost_usd}`);
  return why ? `task budget exceeded (${why})` : null;
}
