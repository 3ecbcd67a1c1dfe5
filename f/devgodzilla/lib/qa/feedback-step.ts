// The steps of task_with_qa's feedback loop, one function each (one script each):
//   check      — validate the loop inputs (limits, history, context, commit, the task's budget and
//                the earlier rounds' usage) before anything runs; what the agent may still spend;
//   qaInputs   — whether QA runs (not after a failed or blocked execute step) and its inputs;
//   classify   — route a verdict / block signal / step error, apply the bounds and the task's budget,
//                record the decision;
//   askClarify — the clarify approval's payload, or resume itself when there is nothing to ask;
//   askSpec    — the re-specify approval's payload, or resume itself; carries the clarify answer;
//   answer     — fold the answers into the task's context and the decision history; the re-plan gate;
//   next       — the next attempt's arguments (the loop's self-call gate), or none (also once the
//                re-plan's usage reached the budget);
//   finish     — the flow's result: status, the decisions, branch/commit, the last verdict and what
//                every round's agent, QA, feedback and re-plan calls cost, failed retries included
//                (lib/qa/loop_usage.ts);
//   failure    — the flow's failure module: where it failed, with the decisions made so far and
//                what the rounds spent up to the failure.
// A suspend step whose script resumes itself is how a human step becomes conditional without a
// branch predicate (which only V8 evaluates).

import { z } from "zod";
import { InputError } from "../errors.ts";
import { Redactor } from "../redact.ts";
import { createLlm, type Llm } from "../llm/client.ts";
import { providerFromResources, type LlmResources } from "../llm/config.ts";
import { usageId } from "../llm/usage.ts";
import { resumeSelf, windmillApprovals, type ApprovalDeps, type ResumeUrls } from "../platform/windmill.ts";
import {
  budgetLeft,
  budgetStop,
  loopUsage,
  partOf,
  partsOf,
  roundParts,
  TaskBudgetSchema,
  UsagePartsSchema,
  type LoopStep,
  type UsagePart,
} from "./loop_usage.ts";
import { applyBounds, classifyFeedback, LimitsSchema, type DecisionRecord, type FeedbackInput, type VerdictLike } from "./feedback.ts";

export interface ContextEntry {
  question: string;
  answer: string;
}

const DecisionRecordSchema = z
  .object({
    iteration: z.number(),
    decision: z.string(),
    classified_as: z.string(),
    reason: z.string(),
    source: z.string(),
    score: z.number().nullable(),
    commit: z.string().nullable(),
    question: z.string().optional(),
    answer: z.string().optional(),
    at: z.string(),
  })
  .passthrough();
const HistorySchema = z.array(DecisionRecordSchema).default([]);
const ContextSchema = z.array(z.object({ question: z.string(), answer: z.string() })).default([]);
const BlockSchema = z.object({
  kind: z.enum(["clarify", "re-plan", "re-specify"]),
  reason: z.string().default(""),
  question: z.string().nullable().default(null),
  excerpt: z.string().default(""),
});
// Optional fields arrive as null from Windmill: its Bun wrapper writes a result's undefined values as null.
const optString = z
  .string()
  .nullish()
  .transform((v) => v ?? undefined);
const optNumber = z
  .number()
  .nullish()
  .transform((v) => v ?? undefined);
const VerdictSchema = z
  .object({
    status: z.enum(["passed", "failed"]),
    score: z.number(),
    threshold: optNumber,
    blocking: z
      .array(
        z.object({
          code: z.string(),
          message: z.string(),
          source: z.enum(["gate", "check", "checklist", "criteria", "principle"]),
          severity: z.enum(["blocking", "warning", "info"]),
          file: optString,
          line: optNumber,
          principle: optString,
          fix: optString,
        }),
      )
      .default([]),
    recommendation: optString,
    checklist: z
      .array(z.object({ id: z.string(), text: z.string(), status: z.string(), required: z.boolean(), explanation: z.string() }).passthrough())
      .optional(),
  })
  .passthrough();

function parse<T>(schema: z.ZodType<T>, value: unknown, field: string): T {
  const r = schema.safeParse(value ?? undefined);
  if (!r.success) throw new InputError(field, `${r.error.issues[0].path.join(".") || "(root)"}: ${r.error.issues[0].message}`);
  return r.data;
}
const given = (v: unknown) => v !== undefined && v !== null && !(typeof v === "object" && !Array.isArray(v) && Object.keys(v as object).length === 0);
const SHA = /^[0-9a-f]{7,64}$/i;

/** What the execute step returned (execute_task's result, or `{error}` with continue_on_error). */
export interface ExecuteLike {
  task_id?: string;
  outcome?: string;
  branch?: string;
  commit?: string;
  base_commit?: string;
  changed?: boolean;
  blocked?: boolean;
  block?: unknown;
  summary?: string;
  usage?: unknown;
  assignment?: { agent?: string; model?: string | null; source?: string };
  job_id?: string;
  agent?: { finalMessage?: string };
  artifacts?: { files?: { path: string; kind?: string }[]; [k: string]: unknown };
  error?: { name?: string; message?: string };
}

/** The QA gate loop's result: [] (QA did not run), [qa result] or [{error}]. */
type QaRuns = unknown[] | null | undefined;
const lastQa = (qa: QaRuns) =>
  Array.isArray(qa) && qa.length
    ? (qa[qa.length - 1] as { verdict?: unknown; error?: unknown; commit?: string; branch?: string; markdown?: string; report_path?: string })
    : undefined;

// ---- check

/** What the agent is told on the next attempt. */
export function contextNote(context: ContextEntry[]): string {
  if (!context.length) return "";
  return ["Decisions from the humans on this task (follow them):", ...context.map((c) => `- Q: ${c.question}\n  A: ${c.answer}`)].join("\n");
}

export function check(p: { limits?: unknown; history?: unknown; context?: unknown; commit?: string; note?: string | null; budget?: unknown; spent?: unknown }) {
  const limits = parse(LimitsSchema, p.limits ?? {}, "limits");
  const history = parse(HistorySchema, p.history ?? [], "history");
  const context = parse(ContextSchema, p.context ?? [], "context") as ContextEntry[];
  const budget = parse(TaskBudgetSchema, p.budget, "budget");
  const spent = parse(UsagePartsSchema, p.spent, "spent");
  if (p.commit !== undefined && !SHA.test(p.commit)) throw new InputError("commit", "must be a commit sha");
  // The agent's instruction for this attempt: the executor's note, then the humans' answers so far.
  const note = [p.note ?? "", contextNote(context)].filter(Boolean).join("\n\n");
  // This round's agent may spend what the earlier rounds left of the task's budget.
  return { ok: true, limits, history, context, iteration: history.length + 1, note, budget, spent, budget_left: budgetLeft(budget, spent) };
}

// ---- QA inputs

export function qaInputs(p: { execute?: ExecuteLike | null; task?: { id?: string; story?: string | null; [k: string]: unknown } | null; commit: string }) {
  const ex = p.execute ?? {};
  const runs = ex.error || ex.blocked || !ex.commit ? [] : [1];
  return {
    runs,
    branch: ex.branch ?? "",
    commit: ex.commit ?? p.commit,
    base_commit: p.commit,
    artifacts: { agent_output: ex.agent?.finalMessage || ex.summary || "", ...(ex.artifacts ?? {}) },
    story: p.task?.story ?? "",
    task_id: p.task?.id ?? "",
    task: p.task ?? {},
    outcome: ex.outcome ?? "",
    skipped: runs.length ? null : ex.error ? "the execute step failed" : ex.blocked ? "the agent blocked" : "the execute step returned no commit",
  };
}

// ---- classify

export async function classify(
  p: LlmResources & {
    execute?: ExecuteLike | null;
    qa?: QaRuns;
    history?: unknown;
    limits?: unknown;
    commit?: string;
    budget?: unknown;
    spent?: unknown;
    llmClient?: Llm | null;
  },
) {
  const redactor = new Redactor();
  for (const r of [p.llm, p.openai, p.anthropic]) redactor.addFrom(r);
  const history = parse(HistorySchema, p.history ?? [], "history") as DecisionRecord[];
  const limits = parse(LimitsSchema, p.limits ?? {}, "limits");
  const budget = parse(TaskBudgetSchema, p.budget, "budget");
  const earlier = parse(UsagePartsSchema, p.spent, "spent");
  const ex = p.execute ?? {};
  const qa = lastQa(p.qa);
  const input: FeedbackInput = {
    verdict: given(qa?.verdict) ? (parse(VerdictSchema, qa!.verdict, "qa.verdict") as VerdictLike) : null,
    block: given(ex.block) ? parse(BlockSchema, ex.block, "execute.block") : null,
    error: (ex.error ?? (qa?.error as FeedbackInput["error"])) || null,
    history,
  };
  let llm = p.llmClient ?? null;
  if (!llm && [p.llm, p.openai, p.anthropic].some(given)) llm = createLlm({ ...providerFromResources(p), redactor, maxAttempts: 2 });
  const c = await classifyFeedback(input, llm);
  // Only a call that reached the model costs something: the run's cost counts it once (usage_id).
  const usage = llm?.ledger.totals();
  const own = usage?.calls ? { usage, usage_id: usageId() } : {};
  const round = history.length + 1;
  // The task's usage so far: the earlier rounds', then this round's agent, QA and classification.
  const spent = [...earlier, ...roundParts(round, { execute: ex, qa: p.qa, decide: own })];
  const bounded = applyBounds(c, history, limits);
  // Work QA passed is kept; otherwise a reached budget ends the loop (no question, re-plan or retry).
  const budgetExceeded = bounded.decision === "done" ? null : budgetStop(budget, spent);
  const routed = budgetExceeded ? { ...bounded, decision: "fail" as const, stop: true, reason: budgetExceeded, backoff_seconds: 0 } : bounded;
  const commit = qa?.commit ?? ex.commit ?? p.commit ?? null;
  const record: DecisionRecord = {
    iteration: round,
    decision: routed.decision,
    classified_as: c.action,
    reason: routed.reason,
    source: c.source,
    score: input.verdict?.score ?? null,
    commit: p.commit || null,
    ...(c.question && routed.decision === "clarify" ? { question: c.question } : {}),
    at: new Date().toISOString(),
  };
  return redactor.redactDeep({
    decision: routed.decision,
    stop: routed.stop,
    reason: routed.reason,
    source: c.source,
    question: c.question ?? null,
    options: c.options ?? [],
    recommended: c.recommended ?? c.options?.[0] ?? null,
    backoff_seconds: routed.decision === "retry" ? routed.backoff_seconds : 0,
    counts: routed.counts,
    decisions: [...history, record],
    commit,
    spent,
    budget_exceeded: budgetExceeded,
    ...own,
  });
}

// ---- approvals (conditional: a step with nothing to ask resumes itself)

export interface Decided {
  decision?: string;
  question?: string | null;
  options?: string[];
  recommended?: string | null;
  reason?: string;
  decisions?: unknown[];
}

/** Resumes the current suspend step at once: the flow goes on without asking anybody. */
async function skipAsking(deps: ApprovalDeps, carry: Record<string, unknown>) {
  await resumeSelf(deps);
  return { asked: false, ...carry };
}

export async function askClarify(p: { decide?: Decided | null }, deps: ApprovalDeps = windmillApprovals) {
  const d = p.decide ?? {};
  if (d.decision !== "clarify") return skipAsking(deps, {});
  const options = d.options ?? [];
  const md = [
    `### The task needs a decision`,
    "",
    `**Question:** ${d.question ?? "How should the task proceed?"}`,
    "",
    d.recommended ? `**Recommended:** ${d.recommended}` : "",
    options.length
      ? `\n| Option | Answer |\n|---|---|\n${options.map((o, i) => `| ${String.fromCharCode(65 + i)} | ${o.replace(/\|/g, "\\|")} |`).join("\n")}`
      : "",
    "",
    `_Why: ${d.reason ?? ""}_`,
  ]
    .filter((l) => l !== "")
    .join("\n");
  return {
    asked: true,
    ...(await deps.resumeUrls()),
    default_args: { answer: d.recommended ?? options[0] ?? "" },
    description: { markdown: md },
    question: d.question ?? null,
    options,
    recommended: d.recommended ?? null,
  };
}

/** The re-specify approval; `clarify` is the clarify step's answer (only this step sees it), carried on. */
export async function askSpec(p: { decide?: Decided | null; clarify?: unknown; commit: string }, deps: ApprovalDeps = windmillApprovals) {
  const clarify = (p.clarify ?? null) as { answer?: unknown; skipped?: unknown; error?: unknown } | null;
  const carry = { clarify_answer: clarify && !clarify.skipped ? clarify : null };
  if (p.decide?.decision !== "re-specify") return skipAsking(deps, carry);
  const md = `### The specification needs an update\n\n${p.decide.reason ?? ""}\n\nUpdate spec.md (and plan/tasks if needed) on the run branch, then approve with the commit that holds the update (empty = keep the current commit).`;
  return { asked: true, ...carry, ...(await deps.resumeUrls()), default_args: { commit: p.commit ?? "", note: "" }, description: { markdown: md } };
}

// ---- answers and the next attempt

export function answer(p: { decide?: Decided | null; asked?: { clarify_answer?: unknown } | null; spec?: unknown; context?: unknown; commit: string }) {
  const history = parse(HistorySchema, p.decide?.decisions ?? [], "decide.decisions") as DecisionRecord[];
  const context = parse(ContextSchema, p.context ?? [], "context") as ContextEntry[];
  const last = history[history.length - 1];
  let commit = p.commit;
  if (last?.decision === "clarify") {
    const given = (p.asked?.clarify_answer ?? {}) as { answer?: unknown; error?: unknown };
    if (given.error) throw new InputError("resume", `the clarification was not given: ${JSON.stringify(given.error)}`);
    const a = String(given.answer ?? "").trim();
    if (!a) throw new InputError("resume.answer", "an answer is required");
    last.answer = a;
    context.push({ question: last.question ?? "", answer: a });
  } else if (last?.decision === "re-specify") {
    const r = (p.spec ?? {}) as { commit?: unknown; note?: unknown; error?: unknown };
    if (r.error) throw new InputError("resume", `the specification update was not given: ${JSON.stringify(r.error)}`);
    commit = String(r.commit ?? "").trim() || p.commit;
    if (!SHA.test(commit)) throw new InputError("resume.commit", "must be a commit sha");
    last.answer = `spec updated at ${commit}${r.note ? `: ${String(r.note)}` : ""}`;
    if (r.note) context.push({ question: "What changed in the specification?", answer: String(r.note) });
  }
  return { commit, decisions: history, context, replan: last?.decision === "re-plan" ? [1] : [] };
}

/**
 * The next attempt, when the decision is not final and the task's budget is not reached (the
 * re-plan's usage counts too): [1] runs the loop's self-call, [] ends it. `spent` is the usage the
 * loop carries to the next round.
 */
export function next(p: {
  decide?: { stop?: boolean; spent?: unknown; budget_exceeded?: string | null } | null;
  answer: { commit: string; decisions: unknown[]; context: unknown[] };
  replan?: unknown[] | null;
  budget?: unknown;
}) {
  const replanned =
    Array.isArray(p.replan) && p.replan.length ? (p.replan[p.replan.length - 1] as { commit?: string; error?: { message?: string } }) : undefined;
  if (replanned?.error) throw new InputError("replan", `regenerating tasks.md failed: ${replanned.error.message ?? "unknown error"}`);
  const replanPart = partOf("replan", Math.max(1, p.answer.decisions.length), replanned);
  const spent: UsagePart[] = [...parse(UsagePartsSchema, p.decide?.spent, "decide.spent"), ...(replanPart ? [replanPart] : [])];
  const budgetExceeded = p.decide?.budget_exceeded || (p.decide?.stop ? null : budgetStop(parse(TaskBudgetSchema, p.budget, "budget"), spent));
  return {
    again: p.decide?.stop || budgetExceeded ? [] : [1],
    commit: replanned?.commit ?? p.answer.commit,
    history: p.answer.decisions,
    context: p.answer.context,
    spent,
    budget_exceeded: budgetExceeded,
  };
}

// ---- result

/** This round's step jobs' results by step (each job's result, a failed one's error), as lib/llm/spent.ts reads them. */
export type StepJobResults = Partial<Record<LoopStep, unknown[]>>;

/** The usage parts of step job results (a failed job's is in its error; one without usage adds none). */
function jobParts(round: number, jobs: StepJobResults | null | undefined): UsagePart[] {
  return Object.entries(jobs ?? {}).flatMap(([step, results]) => (results ?? []).flatMap((r) => partOf(step as LoopStep, round, r) ?? []));
}

export function finish(p: {
  decide?: Decided | null;
  again?: unknown[] | null;
  qa?: QaRuns;
  execute?: ExecuteLike | null;
  replan?: unknown[] | null;
  next?: { budget_exceeded?: string | null } | null;
  /** The failed attempts of this round's retried steps (their model calls were spent too). */
  failedAttempts?: StepJobResults | null;
  commit: string;
  flowJob?: string;
}) {
  const d = p.decide ?? {};
  const budgetExceeded = p.next?.budget_exceeded || null;
  // This round's model and agent calls; a deeper round's result brings the later rounds' own.
  const round = Math.max(1, (d.decisions ?? []).length);
  const own = [...roundParts(round, { execute: p.execute, qa: p.qa, decide: p.decide, replan: p.replan }), ...jobParts(round, p.failedAttempts)];
  // A deeper iteration already produced the final result: pass it up, with this round's usage added.
  const deeper = Array.isArray(p.again) && p.again.length ? (p.again[p.again.length - 1] as Record<string, unknown>) : undefined;
  if (deeper && deeper.task_with_qa === true) return { ...deeper, ...loopUsage([...own, ...partsOf(deeper)]) };
  if (deeper?.error)
    return {
      task_with_qa: true,
      status: "error",
      reason: `the next attempt failed: ${JSON.stringify(deeper.error).slice(0, 400)}`,
      decisions: d.decisions ?? [],
      commit: p.commit,
      verdict: null,
      ...loopUsage(own),
    };
  const qa = (lastQa(p.qa) ?? {}) as { verdict?: { status?: string; score?: number }; commit?: string; branch?: string; report_path?: string };
  const ex = p.execute ?? {};
  // Besides the loop's own record, what execute_tasks reads from a task job (as from execute_task):
  // the branch/commit to merge, whether it changed, the summary and files dependants are told
  // about, the block signal, the usage (the loop's, not only the agent's), and which agent ran and why.
  return {
    task_with_qa: true,
    // A budget stop reads as execute_task's (status budget_exceeded in execute_tasks' report).
    status: budgetExceeded ? "budget_exceeded" : d.decision === "done" ? "passed" : "failed",
    reason: budgetExceeded ?? d.reason ?? "",
    ...(budgetExceeded ? { error: { name: "BudgetExceededError", message: budgetExceeded } } : {}),
    iterations: (d.decisions ?? []).length,
    decisions: d.decisions ?? [],
    task_id: ex.task_id ?? null,
    job_id: p.flowJob || null,
    branch: qa.branch ?? ex.branch ?? null,
    commit: qa.commit ?? ex.commit ?? p.commit ?? null,
    changed: ex.changed ?? null,
    summary: ex.summary ?? "",
    blocked: d.decision !== "done" && !!ex.blocked,
    block: ex.block ?? null,
    assignment: ex.assignment ?? null,
    artifacts: { files: (ex.artifacts?.files ?? []).slice(0, 200).map((f) => ({ path: f.path, ...(f.kind ? { kind: f.kind } : {}) })) },
    verdict: qa.verdict ? { status: qa.verdict.status, score: qa.verdict.score } : null,
    report_path: qa.report_path ?? null,
    // Every round's agent, QA, feedback and re-plan calls (execute_tasks counts them in the task's usage).
    ...loopUsage(own),
  };
}

/**
 * The flow's failure module: the flow stays failed; its result says where, keeps the history, and
 * counts what the loop spent up to the failure (`parts`: read from the loop's jobs, lib/qa/loop_jobs.ts),
 * so execute_tasks adds it to the task's usage like a finished loop's.
 */
export function failure(p: {
  previous_result?: { error?: { message?: string; name?: string; step_id?: string } } | null;
  history?: unknown;
  commit: string;
  parts?: UsagePart[];
  /** Why the loop's jobs could not be read (their usage is then missing). */
  unread?: string | null;
}) {
  const e = p.previous_result?.error ?? {};
  const history = HistorySchema.safeParse(p.history ?? []);
  return new Redactor().redactDeep({
    task_with_qa: true,
    status: "error",
    reason: `${e.step_id ? `step ${e.step_id}: ` : ""}${e.name ?? "Error"}: ${e.message ?? "unknown error"}`,
    iterations: history.success ? history.data.length : 0,
    decisions: history.success ? history.data : [],
    commit: p.commit ?? null,
    verdict: null,
    ...loopUsage(p.parts ?? []),
    ...(p.unread ? { usage_note: `the loop's jobs were not read, their usage is missing: ${p.unread}` } : {}),
  });
}
