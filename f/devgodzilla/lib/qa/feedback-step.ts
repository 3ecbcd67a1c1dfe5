// The `feedback` script's modes, used by the task_with_qa flow:
//   validate — check the loop inputs (limits, history, context, commit) before anything runs;
//   classify — route a verdict / block signal / step error, apply the bounds, record the decision;
//   ask      — the clarify approval step's payload (question, options, recommended answer);
//   ask_spec — the re-specify approval step's payload (a human updates the spec, gives the commit);
//   answer   — fold the approver's payload into the task context and the decision history;
//   finish   — the flow's result: status, the decisions, branch/commit and the last verdict;
//   failure  — the flow's failure module: where it failed, with the decisions made so far.

import { z } from "zod";
import * as wmill from "windmill-client";
import { InputError } from "../errors.ts";
import { Redactor } from "../redact.ts";
import { createLlm, type Llm } from "../llm/client.ts";
import { providerFromResources, type LlmResources } from "../llm/config.ts";
import { applyBounds, classifyFeedback, LimitsSchema, type DecisionRecord, type FeedbackInput, type VerdictLike } from "./feedback.ts";

export interface ContextEntry {
  question: string;
  answer: string;
}

export interface FeedbackParams extends LlmResources {
  mode: "validate" | "classify" | "ask" | "ask_spec" | "answer" | "finish" | "failure";
  verdict?: unknown;
  block?: unknown;
  error?: unknown;
  history?: unknown;
  limits?: unknown;
  commit?: string;
  decide?: unknown;
  resume?: unknown;
  context?: unknown;
  route?: unknown;
  qa?: unknown;
  execute?: unknown;
  /** Test hook. */
  llmClient?: Llm | null;
}

const DecisionRecordSchema = z.object({
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
}).passthrough();
const HistorySchema = z.array(DecisionRecordSchema).default([]);
const ContextSchema = z.array(z.object({ question: z.string(), answer: z.string() })).default([]);
const BlockSchema = z.object({ kind: z.enum(["clarify", "re-plan", "re-specify"]), reason: z.string().default(""), question: z.string().nullable().default(null), excerpt: z.string().default("") });
const VerdictSchema = z.object({
  status: z.enum(["passed", "failed"]),
  score: z.number(),
  threshold: z.number().optional(),
  blocking: z.array(z.object({ code: z.string(), message: z.string(), source: z.enum(["gate", "check", "checklist", "criteria", "principle"]), severity: z.enum(["blocking", "warning", "info"]), file: z.string().optional(), line: z.number().optional(), principle: z.string().optional(), fix: z.string().optional() })).default([]),
  recommendation: z.string().optional(),
  checklist: z.array(z.object({ id: z.string(), text: z.string(), status: z.string(), required: z.boolean(), explanation: z.string() }).passthrough()).optional(),
}).passthrough();

function parse<T>(schema: z.ZodType<T>, value: unknown, field: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new InputError(field, `${r.error.issues[0].path.join(".") || "(root)"}: ${r.error.issues[0].message}`);
  return r.data;
}
const given = (v: unknown) => v !== undefined && v !== null && !(typeof v === "object" && !Array.isArray(v) && Object.keys(v as object).length === 0);

async function resumeUrls(): Promise<Record<string, string>> {
  // Outside a Windmill job (a direct call) there are no resume URLs; the payload still describes the ask.
  if (!process.env.WM_JOB_ID) return {};
  return (await wmill.getResumeUrls()) as unknown as Record<string, string>;
}

export async function runFeedback(p: FeedbackParams): Promise<Record<string, unknown>> {
  const redactor = new Redactor();
  for (const r of [p.llm, p.openai, p.anthropic]) redactor.addFrom(r);
  switch (p.mode) {
    case "validate": {
      const limits = parse(LimitsSchema, p.limits ?? {}, "limits");
      const history = parse(HistorySchema, p.history ?? [], "history");
      parse(ContextSchema, p.context ?? [], "context");
      if (p.commit !== undefined && !/^[0-9a-f]{7,64}$/i.test(p.commit)) throw new InputError("commit", "must be a commit sha");
      return { ok: true, limits, iteration: history.length + 1 };
    }
    case "classify": {
      const history = parse(HistorySchema, p.history ?? [], "history") as DecisionRecord[];
      const limits = parse(LimitsSchema, p.limits ?? {}, "limits");
      const input: FeedbackInput = {
        verdict: given(p.verdict) ? (parse(VerdictSchema, p.verdict, "verdict") as VerdictLike) : null,
        block: given(p.block) ? parse(BlockSchema, p.block, "block") : null,
        error: given(p.error) ? (p.error as FeedbackInput["error"]) : null,
        history,
      };
      let llm = p.llmClient ?? null;
      if (!llm && [p.llm, p.openai, p.anthropic].some(given)) llm = createLlm({ ...providerFromResources(p), redactor, maxAttempts: 2 });
      const c = await classifyFeedback(input, llm);
      const routed = applyBounds(c, history, limits);
      const record: DecisionRecord = {
        iteration: history.length + 1, decision: routed.decision, classified_as: c.action, reason: routed.reason, source: c.source,
        score: input.verdict?.score ?? null, commit: p.commit || null, ...(c.question && routed.decision === "clarify" ? { question: c.question } : {}), at: new Date().toISOString(),
      };
      return redactor.redactDeep({
        decision: routed.decision, stop: routed.stop, reason: routed.reason, source: c.source,
        question: c.question ?? null, options: c.options ?? [], recommended: c.recommended ?? c.options?.[0] ?? null,
        backoff_seconds: routed.backoff_seconds, counts: routed.counts, decisions: [...history, record],
      });
    }
    case "ask": {
      const d = (p.decide ?? {}) as { question?: string; options?: string[]; recommended?: string | null; reason?: string };
      const options = d.options ?? [];
      const md = [
        `### The task needs a decision`,
        "",
        `**Question:** ${d.question ?? "How should the task proceed?"}`,
        "",
        d.recommended ? `**Recommended:** ${d.recommended}` : "",
        options.length ? `\n| Option | Answer |\n|---|---|\n${options.map((o, i) => `| ${String.fromCharCode(65 + i)} | ${o.replace(/\|/g, "\\|")} |`).join("\n")}` : "",
        "",
        `_Why: ${d.reason ?? ""}_`,
      ].filter((l) => l !== "").join("\n");
      return { ...(await resumeUrls()), default_args: { answer: d.recommended ?? options[0] ?? "" }, description: { markdown: md }, question: d.question ?? null, options, recommended: d.recommended ?? null };
    }
    case "ask_spec": {
      const d = (p.decide ?? {}) as { reason?: string };
      const md = `### The specification needs an update\n\n${d.reason ?? ""}\n\nUpdate spec.md (and plan/tasks if needed) on the run branch, then approve with the commit that holds the update (empty = keep the current commit).`;
      return { ...(await resumeUrls()), default_args: { commit: p.commit ?? "", note: "" }, description: { markdown: md } };
    }
    case "answer": {
      const history = parse(HistorySchema, (p.decide as { decisions?: unknown })?.decisions ?? [], "decide.decisions") as DecisionRecord[];
      const context = parse(ContextSchema, p.context ?? [], "context") as ContextEntry[];
      const resume = (p.resume ?? {}) as { answer?: unknown; commit?: unknown; note?: unknown; error?: unknown };
      if (resume.error) throw new InputError("resume", `the approval was not given: ${JSON.stringify(resume.error)}`);
      const last = history[history.length - 1];
      // The next attempt starts from `commit` (the replanned commit, or the current one).
      const out: Record<string, unknown> = { commit: p.commit ?? "" };
      if (last?.decision === "clarify") {
        const answer = String(resume.answer ?? "").trim();
        if (!answer) throw new InputError("resume.answer", "an answer is required");
        last.answer = answer;
        context.push({ question: last.question ?? "", answer });
      } else if (last?.decision === "re-specify") {
        const commit = String(resume.commit ?? "").trim() || p.commit || "";
        if (commit && !/^[0-9a-f]{7,64}$/i.test(commit)) throw new InputError("resume.commit", "must be a commit sha");
        last.answer = `spec updated at ${commit}${resume.note ? `: ${String(resume.note)}` : ""}`;
        if (resume.note) context.push({ question: "What changed in the specification?", answer: String(resume.note) });
        out.commit = commit;
      }
      return redactor.redactDeep({ ...out, decisions: history, context, note: contextNote(context) });
    }
    case "finish": {
      const route = p.route as Record<string, unknown> | null | undefined;
      // A deeper iteration already produced the final result: pass it up unchanged.
      if (route && typeof route === "object" && route.task_with_qa === true) return route;
      const d = (p.decide ?? {}) as { decision?: string; reason?: string; decisions?: unknown[] };
      const qa = (p.qa ?? {}) as { verdict?: { status?: string; score?: number }; markdown?: string; commit?: string; branch?: string; report_path?: string };
      const ex = (p.execute ?? {}) as { commit?: string; branch?: string; task_id?: string; changed?: boolean; summary?: string; blocked?: boolean; block?: unknown; usage?: unknown; artifacts?: { files?: { path: string; kind?: string }[] }; assignment?: { agent?: string; model?: string | null; source?: string } };
      // Besides the loop's own record, the fields execute_dag reads from a task job (as from
      // execute_task): the task branch/commit to merge, whether it changed, the summary and files
      // dependants are told about, the block signal and the usage.
      return {
        task_with_qa: true,
        status: d.decision === "done" ? "passed" : "failed",
        reason: d.reason ?? "",
        iterations: (d.decisions ?? []).length,
        decisions: d.decisions ?? [],
        task_id: ex.task_id ?? null,
        branch: qa.branch ?? ex.branch ?? null,
        commit: qa.commit ?? ex.commit ?? p.commit ?? null,
        changed: ex.changed ?? null,
        summary: ex.summary ?? "",
        blocked: d.decision !== "done" && !!ex.blocked,
        block: ex.block ?? null,
        usage: ex.usage ?? null,
        assignment: ex.assignment ?? null, // which agent and model ran, and where that choice came from
        artifacts: { files: (ex.artifacts?.files ?? []).slice(0, 200).map((f) => ({ path: f.path, ...(f.kind ? { kind: f.kind } : {}) })) },
        verdict: qa.verdict ? { status: qa.verdict.status, score: qa.verdict.score } : null,
        report_path: qa.report_path ?? null,
      };
    }
    case "failure": {
      // The flow's failure module: the flow stays failed; its result says where and keeps the history.
      const e = (p.error ?? {}) as { message?: string; name?: string; step_id?: string };
      const history = HistorySchema.safeParse(p.history ?? []);
      return redactor.redactDeep({
        task_with_qa: true, status: "error", reason: `${e.step_id ? `step ${e.step_id}: ` : ""}${e.name ?? "Error"}: ${e.message ?? "unknown error"}`,
        iterations: history.success ? history.data.length : 0, decisions: history.success ? history.data : [], commit: p.commit ?? null, verdict: null,
      });
    }
    default:
      throw new InputError("mode", `unknown mode ${JSON.stringify(p.mode)}`, "validate, classify, ask, ask_spec, answer, finish or failure");
  }
}

/** What the agent is told on the next attempt. */
export function contextNote(context: ContextEntry[]): string {
  if (!context.length) return "";
  return ["Decisions from the humans on this task (follow them):", ...context.map((c) => `- Q: ${c.question}\n  A: ${c.answer}`)].join("\n");
}
