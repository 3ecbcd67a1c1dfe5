// Reading what a task job returned (execute_task, or the task_with_qa flow), turning it into the
// task's outcome (status, agent and why, usage), reading what planning cost (task_dag's LLM ledger
// totals, converted here to the run's usage shape), and rendering the run's report.

import { mdCell } from "../markdown.ts";
import { unreportedCostName } from "../llm/usage.ts";
import { assignmentsMarkdown, type TaskAssignment } from "../agentops/assignments.ts";
import type { Usage } from "./attempts.ts";
import { LedgerTotalsSchema, type LedgerTotals, type PlanningUsage, type RunPlan, type TaskOutcome } from "./model.ts";

/** What a task job reports: execute_task's result, or task_with_qa's (its finish step wraps it). */
export interface TaskJobResult {
  job_id?: string;
  assignment?: { agent?: string; model?: string | null; source?: string };
  agent?: { agentId?: string; model?: string | null } | string;
  branch?: string;
  commit?: string;
  summary?: string;
  blocked?: boolean;
  block?: unknown;
  changed?: boolean;
  usage?: { tokens?: number; cost_usd?: number | null; unpriced_models?: string[] } | null;
  artifacts?: { files?: { path: string }[] };
  attempts?: unknown[];
  status?: string;
  reason?: string;
  task_with_qa?: boolean;
  execute?: TaskJobResult;
  /** A failed job's error; `extra.usage` is what it spent before it failed (withUsage). */
  error?: { name?: string; message?: string; extra?: { usage?: TaskJobResult["usage"] } };
}

/** The single result of a gate loop ([] when it did not run, [result] or [{error}] when it did). */
export function gateResult(runs: unknown): TaskJobResult | undefined {
  if (!Array.isArray(runs) || runs.length === 0) return undefined;
  const r = (runs[runs.length - 1] ?? {}) as TaskJobResult;
  if (r.execute && !r.branch)
    return {
      ...r.execute,
      job_id: r.job_id ?? r.execute.job_id,
      status: r.status,
      reason: r.reason,
      blocked: r.blocked ?? r.execute.blocked,
      task_with_qa: r.task_with_qa,
    };
  return r;
}

export function usageOf(r: TaskJobResult): Usage {
  const u = r.usage ?? r.error?.extra?.usage ?? {};
  // task_with_qa names what it counted as $0; a lone agent run that reported no cost is named here.
  const unpriced = u.unpriced_models ?? (u.cost_usd == null && (u.tokens ?? 0) > 0 ? [unreportedCostName(r.assignment?.agent, r.assignment?.model)] : []);
  return { tokens: u.tokens ?? undefined, costUsd: u.cost_usd ?? undefined, ...(unpriced.length ? { unpricedModels: unpriced } : {}) };
}

/** task_dag's ledger totals in the run's usage shape (tokens = input + output, as budgets count them). */
export function planningUsageOf(totals: LedgerTotals | undefined, usageId?: string): PlanningUsage {
  const t = LedgerTotalsSchema.parse(totals ?? {});
  return {
    calls: t.calls,
    usage: t.calls ? { tokens: t.inputTokens + t.outputTokens, costUsd: t.costUsd } : {},
    unpriced_models: t.unpricedModels,
    ...(usageId ? { usage_id: usageId } : {}),
  };
}

/** The agent the outcome names: the one the job reports, else the plan's (and it says which). */
export function agentOf(r: TaskJobResult, planned?: TaskAssignment): Pick<TaskOutcome, "agent" | "model" | "agent_source" | "agent_source_from"> {
  const a = r.assignment?.agent
    ? r.assignment
    : typeof r.agent === "string" && r.agent
      ? { agent: r.agent }
      : r.agent && typeof r.agent === "object" && r.agent.agentId
        ? { agent: r.agent.agentId, model: r.agent.model ?? null }
        : null;
  if (a?.agent) return { agent: a.agent, model: a.model ?? null, agent_source: a.source ?? "reported by the task job", agent_source_from: "job" };
  if (planned) return { agent: planned.agent, model: planned.model, agent_source: planned.source, agent_source_from: "plan" };
  return {};
}

/** Why a task job's result is not a success to merge, or null when it is. */
export function failureOf(
  r: TaskJobResult | undefined,
  runnable: RunPlan["runnable"],
): { error: string; blocked?: unknown; status?: "budget_exceeded" } | null {
  if (!r) return { error: "the task job did not run" };
  const job = r.job_id ? ` (job ${r.job_id})` : "";
  if (r.error?.name === "BudgetExceededError") return { error: r.error.message ?? "task budget exceeded", status: "budget_exceeded" };
  if (r.error) return { error: `${r.error.name ?? "Error"}: ${r.error.message ?? "task job failed"}${job}` };
  if (r.blocked) return { error: `blocked: ${JSON.stringify(r.block ?? r.status).slice(0, 300)}`, blocked: r.block ?? true };
  // task_with_qa ends passed|failed after its own bounded feedback loop: a "failed" is final.
  if (runnable === "flow" && r.status !== undefined && r.status !== "passed")
    return { error: `QA loop ended ${r.status}${r.reason ? ` (${r.reason})` : ""}${job}` };
  if (!r.commit) return { error: `the task job returned no commit${job}` };
  return null;
}

export function mergeMessage(id: string, description: string): string {
  return `Merge task ${id}: ${description}`.replace(/\s+/g, " ").slice(0, 100);
}

const ICON: Record<string, string> = {
  succeeded: "✅",
  skipped_succeeded: "⏭️",
  failed: "❌",
  conflict: "⚠️",
  budget_exceeded: "💸",
  dependency_failed: "⛔",
  not_started: "⏸️",
};

export interface RunCost {
  planning: PlanningUsage;
  tasks: Usage;
  total: Usage;
}

const tokensText = (u: Usage) => (u.tokens ?? 0).toLocaleString("en-US");
const costText = (u: Usage) => (u.costUsd === undefined ? "not reported" : `$${u.costUsd.toFixed(4)}`);
const calls = (n: number) => `${n} model call${n === 1 ? "" : "s"}`;

/** The report's cost section: what planning cost beside what the agents cost, and the total. */
export function costMarkdown(c: RunCost): string {
  const p = c.planning;
  const planning = p.calls ? `${calls(p.calls)}, ${tokensText(p.usage)} tokens, ${costText(p.usage)}` : "no model calls";
  const partial = c.tasks.costUsd === undefined && c.total.costUsd !== undefined ? " plus the agents' cost (not reported)" : "";
  return [
    "### Cost",
    "",
    `- **Planning** (task_dag: reading the dependency prose, sizing the tasks): ${planning}${p.unpriced_models.length ? ` — no price known for ${p.unpriced_models.join(", ")}, counted as $0` : ""}`,
    `- **Tasks** (agents; with task_with_qa also each task's QA and feedback calls): ${tokensText(c.tasks)} tokens, ${costText(c.tasks)}${c.tasks.unpricedModels?.length ? ` — no price known for ${c.tasks.unpricedModels.join(", ")}, counted as $0` : ""}`,
    `- **Total**: ${tokensText(c.total)} tokens, ${costText(c.total)}${partial}`,
  ].join("\n");
}

export function renderReport(
  branch: string,
  head: string,
  status: string,
  tasks: TaskOutcome[],
  stop: string | undefined,
  assignments: TaskAssignment[],
  cost: RunCost,
): string {
  const lines = [
    `## Task DAG: ${status}`,
    "",
    `Run branch \`${branch}\` at \`${head.slice(0, 12)}\`${stop ? ` — stopped: ${stop}` : ""}`,
    "",
    "| task | status | agent | jobs | commit | note |",
    "|---|---|---|---|---|---|",
    ...tasks.map((t) => {
      const note = t.conflicts?.length ? `conflict: ${t.conflicts.join(", ")}` : t.blocked_by ? `after ${t.blocked_by}` : (t.error ?? "");
      const agent = t.agent ? `${t.agent}${t.model ? ` (${t.model})` : ""}` : "";
      return `| ${t.id} | ${ICON[t.status] ?? ""} ${t.status} | ${agent} | ${t.jobs.length} | ${t.commit ? `\`${t.commit.slice(0, 10)}\`` : ""} | ${mdCell(note).slice(0, 160)} |`;
    }),
  ];
  lines.push("", costMarkdown(cost));
  if (assignments.length) lines.push("", "### Agent assignments", "", assignmentsMarkdown(assignments));
  return lines.join("\n");
}

/** Highest number of tasks whose [started, finished] intervals overlap. */
export function maxConcurrent(tasks: TaskOutcome[]): number {
  const events = tasks
    .filter((t) => t.started_at && t.status !== "skipped_succeeded")
    .flatMap(
      (t) =>
        [
          [Date.parse(t.started_at!), 1],
          [Date.parse(t.finished_at), -1],
        ] as const,
    )
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let live = 0;
  let peak = 0;
  for (const [, d] of events) peak = Math.max(peak, (live += d));
  return peak;
}
