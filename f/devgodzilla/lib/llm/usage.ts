// Token and cost accounting. Every LLM call appends one entry; scripts return `ledger.totals()`
// in their result and flows add totals with `sumUsage`, so a run's cost shows in the flow result.

import { randomUUID } from "node:crypto";
import { recordSpan, telemetryEnabled } from "../telemetry/index.ts";

export interface UsageEntry {
  provider: string;
  model: string;
  purpose?: string;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  /** false when the model is not in the price table (cost counted as 0). */
  priceKnown: boolean;
  durationMs: number;
  attempts: number;
}

export interface UsageTotals {
  calls: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  /** Models seen without a price: their cost is counted as 0. */
  unpricedModels: string[];
  byModel: Record<string, { calls: number; inputTokens: number; outputTokens: number; costUsd: number }>;
}

/** USD per million tokens [input, output]. Matched on the model id with any date suffix removed. */
export const PRICES_PER_MTOK: Record<string, [number, number]> = {
  "gpt-5": [1.25, 10],
  "gpt-5-mini": [0.25, 2],
  "gpt-5-nano": [0.05, 0.4],
  "gpt-4.1": [2, 8],
  "gpt-4.1-mini": [0.4, 1.6],
  "gpt-4.1-nano": [0.1, 0.4],
  "gpt-4o": [2.5, 10],
  "gpt-4o-mini": [0.15, 0.6],
  o3: [2, 8],
  "o3-mini": [1.1, 4.4],
  "o4-mini": [1.1, 4.4],
  "claude-opus-4-5": [5, 25],
  "claude-opus-4-1": [15, 75],
  "claude-opus-4": [15, 75],
  "claude-sonnet-4-6": [3, 15],
  "claude-opus-4-6": [5, 25],
  "claude-sonnet-4-5": [3, 15],
  "claude-sonnet-4": [3, 15],
  "claude-3-7-sonnet": [3, 15],
  "claude-haiku-4-5": [1, 5],
  "claude-3-5-haiku": [0.8, 4],
  // Embeddings (QA's evidence retrieval): input tokens only.
  "text-embedding-3-small": [0.02, 0],
  "text-embedding-3-large": [0.13, 0],
  "text-embedding-ada-002": [0.1, 0],
};

export function priceOf(model: string): [number, number] | undefined {
  const base = model
    .toLowerCase()
    .replace(/^.*\//, "")
    .replace(/-(\d{8}|\d{4}-\d{2}-\d{2}|latest)$/, "");
  return PRICES_PER_MTOK[base];
}

export function costOf(model: string, inputTokens: number, outputTokens: number): { costUsd: number; priceKnown: boolean } {
  const p = priceOf(model);
  if (!p) return { costUsd: 0, priceKnown: false };
  return { costUsd: round6((inputTokens * p[0] + outputTokens * p[1]) / 1e6), priceKnown: true };
}

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;

export function emptyTotals(): UsageTotals {
  return { calls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0, unpricedModels: [], byModel: {} };
}

/** Identifies one step run's usage (its Windmill job), so a flow summing usage counts a result it passed on twice once. */
export function usageId(): string {
  return process.env.WM_JOB_ID || randomUUID();
}

/** Adds usage totals from several steps (flows call this on each step's `usage`). Tolerates nulls. */
export function sumUsage(...parts: (UsageTotals | null | undefined)[]): UsageTotals {
  const t = emptyTotals();
  for (const p of parts) {
    if (!p) continue;
    t.calls += p.calls ?? 0;
    t.inputTokens += p.inputTokens ?? 0;
    t.outputTokens += p.outputTokens ?? 0;
    t.costUsd = round6(t.costUsd + (p.costUsd ?? 0));
    for (const m of p.unpricedModels ?? []) if (!t.unpricedModels.includes(m)) t.unpricedModels.push(m);
    for (const [m, b] of Object.entries(p.byModel ?? {})) {
      const cur = (t.byModel[m] ??= { calls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 });
      cur.calls += b.calls;
      cur.inputTokens += b.inputTokens;
      cur.outputTokens += b.outputTokens;
      cur.costUsd = round6(cur.costUsd + b.costUsd);
    }
  }
  return t;
}

/** How an agent run that reported no cost (counted as $0) is named among the unpriced models. */
export function unreportedCostName(agent: string | null | undefined, model: string | null | undefined): string {
  return `${agent || "the task's agent"}${model ? ` (${model})` : ""}: cost not reported`;
}

/** One call to record: its cost comes from the price table, unless the caller reports it (an agent CLI that prints its cost). */
export type UsageRecord = Omit<UsageEntry, "costUsd" | "priceKnown"> & { reportedCostUsd?: number | null };

/**
 * Puts a step's usage on the error it throws, so what a failed job spent stays in Windmill's job
 * state: Windmill's Bun wrapper copies an error's own properties into the job result's
 * `error.extra` (lib/llm/spent.ts reads them back). Nothing is added when nothing was spent.
 */
export function withUsage<E>(e: E, usage: UsageTotals | { tokens: number; cost_usd: number | null }): E {
  const spent = "calls" in usage ? usage.calls > 0 : usage.tokens > 0 || !!usage.cost_usd;
  if (e instanceof Error && spent) Object.assign(e, { usage, usage_id: usageId() });
  return e;
}

export class UsageLedger {
  readonly entries: UsageEntry[] = [];

  record(r: UsageRecord): UsageEntry {
    const { reportedCostUsd, ...e } = r;
    const cost =
      typeof reportedCostUsd === "number" && Number.isFinite(reportedCostUsd)
        ? { costUsd: round6(reportedCostUsd), priceKnown: true }
        : costOf(e.model, e.inputTokens, e.outputTokens);
    const entry: UsageEntry = { ...e, ...cost };
    this.entries.push(entry);
    return entry;
  }

  totals(): UsageTotals {
    const t = emptyTotals();
    for (const e of this.entries) {
      t.calls++;
      t.inputTokens += e.inputTokens;
      t.outputTokens += e.outputTokens;
      t.costUsd = round6(t.costUsd + e.costUsd);
      if (!e.priceKnown && !t.unpricedModels.includes(e.model)) t.unpricedModels.push(e.model);
      const b = (t.byModel[e.model] ??= { calls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 });
      b.calls++;
      b.inputTokens += e.inputTokens;
      b.outputTokens += e.outputTokens;
      b.costUsd = round6(b.costUsd + e.costUsd);
    }
    return t;
  }
}

/**
 * A UsageLedger that also emits one `llm` span per call: pass it as `ledger` to
 * createLlm and every call shows in the trace with provider, model, tokens and cost.
 */
export class TracingLedger extends UsageLedger {
  override record(e: UsageRecord): UsageEntry {
    const entry = super.record(e);
    if (telemetryEnabled()) {
      const end = Date.now();
      recordSpan(
        `llm ${entry.provider}/${entry.model}`,
        {
          "gen_ai.system": entry.provider,
          "gen_ai.request.model": entry.model,
          "gen_ai.usage.input_tokens": entry.inputTokens,
          "gen_ai.usage.output_tokens": entry.outputTokens,
          "devgodzilla.cost_usd": entry.costUsd,
          "devgodzilla.purpose": entry.purpose,
          "devgodzilla.attempts": entry.attempts,
        },
        end - entry.durationMs,
        end,
      );
    }
    return entry;
  }
}
