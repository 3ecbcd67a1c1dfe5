// Feedback routing: a failed QA verdict, an agent's BlockDetector signal or a failed execute step
// is classified into clarify / re-plan / re-specify / retry — patterns first, the LLM only where the
// patterns are not enough — and the per-action bounds (max clarifications, re-plans, retries, total
// iterations) are applied. Every decision is appended to the history the flow carries and returns.

import { z } from "zod";
import type { Llm } from "../llm/client.ts";
import type { BlockSignal } from "../agents/types.ts";
import { FEEDBACK_SYSTEM, feedbackPrompt } from "./prompts.ts";
import type { Finding } from "./types.ts";

export type FeedbackAction = "clarify" | "re-plan" | "re-specify" | "retry";
export type Decision = FeedbackAction | "done" | "fail";

export interface Classification {
  action: FeedbackAction | "done";
  reason: string;
  /** What decided: the verdict passed, the agent's block signal, a pattern, the LLM, or the default. */
  source: "verdict" | "block" | "pattern" | "llm" | "default";
  question?: string;
  options?: string[];
  recommended?: string;
}

export interface DecisionRecord {
  iteration: number;
  decision: Decision;
  classified_as: FeedbackAction | "done";
  reason: string;
  source: Classification["source"];
  score: number | null;
  commit: string | null;
  question?: string;
  answer?: string;
  at: string;
}

export const LimitsSchema = z
  .object({
    max_clarifications: z.number().int().min(0).default(2),
    max_replans: z.number().int().min(0).default(1),
    max_respecs: z.number().int().min(0).default(1),
    max_retries: z.number().int().min(0).default(2),
    max_iterations: z.number().int().min(1).default(6),
    /** Retry backoff: base * 2^(retries so far), capped. */
    backoff_seconds: z.number().min(0).default(5),
    max_backoff_seconds: z.number().min(0).default(300),
  })
  .prefault({});
export type Limits = z.infer<typeof LimitsSchema>;

/** The parts of a Verdict feedback reads (a qa result's `verdict`). */
export interface VerdictLike {
  status: "passed" | "failed";
  score: number;
  threshold?: number;
  blocking: Finding[];
  recommendation?: string;
  checklist?: { id: string; text: string; status: string; required: boolean; explanation: string }[];
}

export interface FeedbackInput {
  verdict?: VerdictLike | null;
  block?: BlockSignal | null;
  /** A failed execute step's `{ message, name }`. */
  error?: { message?: string; name?: string } | null;
  /** execute_task's outcome: `no_change` is a failure even when QA did not run. */
  outcome?: string | null;
  /** The decisions so far: the same empty or test-weakening work twice is escalated to a person. */
  history?: DecisionRecord[];
}

/** The agent did not do the work (QA's empty-work gate, or execute_task's outcome). */
export const EMPTY_WORK_CODES = ["NO_CHANGE", "NO_CODE_CHANGE"] as const;
/** The change weakened the project's tests instead of meeting them (QA's test-integrity gate). */
export const INTEGRITY_CODES = [
  "TEST_FILE_DELETED",
  "TEST_CASE_REMOVED",
  "TEST_ASSERTION_REMOVED",
  "TEST_ASSERTION_LOOSENED",
  "TEST_TAUTOLOGY",
  "TEST_SKIP_ADDED",
  "TESTS_FEWER",
  "TEST_NO_LONGER_RUNS",
] as const;

/** Did an earlier decision route the same kind of failure (its reason names one of `codes`)? */
function seenBefore(history: DecisionRecord[] | undefined, codes: readonly string[]): boolean {
  return (history ?? []).some((h) => codes.some((c) => h.reason.includes(c)));
}

/** Empty work and weakened tests: retried once with an explicit reason, then a person decides. */
function classifyWorkFailure(input: FeedbackInput): Classification | null {
  const blocking = input.verdict?.blocking ?? [];
  const empty =
    input.outcome === "no_change"
      ? { code: "NO_CHANGE", message: "the agent exited without changing anything (outcome no_change)" }
      : blocking.find((f) => (EMPTY_WORK_CODES as readonly string[]).includes(f.code));
  if (empty) {
    if (seenBefore(input.history, EMPTY_WORK_CODES)) {
      return {
        action: "clarify",
        source: "pattern",
        reason: `${empty.code} again: ${empty.message.slice(0, 200)}`,
        question: "The agent produced no work for this task twice. Is the task already done, or what does it need that the spec, plan and task do not say?",
        options: ["The work is already done: skip the task", "Retry with this extra guidance (write it in the answer)"],
        recommended: "Retry with this extra guidance (write it in the answer)",
      };
    }
    return { action: "retry", source: "pattern", reason: `${empty.code}: ${empty.message.slice(0, 200)} — the task must change the files it names` };
  }
  const weakened = blocking.filter((f) => (INTEGRITY_CODES as readonly string[]).includes(f.code));
  if (weakened.length) {
    const first = weakened[0]!;
    const codes = [...new Set(weakened.map((f) => f.code))].join(", ");
    if (seenBefore(input.history, INTEGRITY_CODES)) {
      return {
        action: "clarify",
        source: "pattern",
        reason: `tests weakened again (${codes}): ${first.message.slice(0, 200)}`,
        question: `The agent keeps removing or weakening tests (${first.file ? `${first.file}: ` : ""}${first.message.slice(0, 160)}). Should those tests stay as they are?`,
        options: ["Keep the tests: the code must meet them", "The tests are obsolete: the task may change them (say which)"],
        recommended: "Keep the tests: the code must meet them",
      };
    }
    return {
      action: "retry",
      source: "pattern",
      reason: `tests weakened (${codes}; first: ${first.file ? `${first.file}:${first.line ?? ""} ` : ""}${first.message.slice(0, 200)}) — restore them and change the code instead`,
    };
  }
  return null;
}

// ---------------------------------------------------------------- patterns

const TRANSIENT =
  /\b(ETIMEDOUT|ECONNRESET|ECONNREFUSED|EAI_AGAIN|socket hang up|rate[- ]limit|429|too many requests|5\d\d\b|overloaded|temporar(y|ily)|timed? ?out|CHECK_TIMEOUT)\b/i;
// The spec is at fault when the item is tagged as a spec gap/ambiguity/conflict, or when the judge's
// explanation blames the specification itself ("missing"/"wrong" usually describe the code: not here).
const SPEC_TAG = /\[(Ambiguity|Conflict|Gap)\b/;
const SPEC_BLAME =
  /\b(spec(ification)?|requirements?|acceptance (criteria|scenarios?)|FR-\d+)\b[^.]{0,60}\b(contradict\w*|conflict\w*|inconsistent|ambiguous|vague|unspecified|underspecified|incomplete|impossible|does not (say|specify|define))\b/i;
const NEEDS_HUMAN =
  /\b(ambiguous|unclear (which|whether|what|how)|not specified|unspecified|needs? (a )?(human )?(clarification|decision)|which of|either .+ or .+\?)/i;
const PLAN_PROBLEM =
  /\b(Cannot find module|Module not found|ModuleNotFoundError|No module named|unresolved import|E0432|TS2307|undefined: \w+|cannot find (package|crate)|depends on T\d{3}|missing (dependency|prerequisite)|not yet implemented|task (is )?too (large|big))\b/i;

function optionsFrom(question: string): string[] {
  // "Should we use X or Y?" / "A) … B) …" → options.
  const lettered = [...question.matchAll(/(?:^|\s)\(?([A-E])[).:]\s+([^()]+?)(?=\s+\(?[A-E][).:]\s|$)/g)].map((m) => m[2].trim().replace(/[,;?]$/, ""));
  if (lettered.length >= 2) return lettered;
  const or = /([^,?:]{2,120}?)\s+or\s+([^,?]{2,60}?)\s*\?/i.exec(question);
  if (or) {
    // "Should totals be rounded to cents or kept exact?" → "rounded to cents" / "kept exact":
    // the first alternative is as long as the second (plus one word) taken from the end.
    const second = or[2].trim().replace(/^(?:to|be|use|the)\s+/i, "");
    const left = or[1].trim().split(/\s+/);
    const first = left
      .slice(-Math.min(left.length, second.split(/\s+/).length + 1))
      .join(" ")
      .replace(/^(?:be|to|use|the)\s+/i, "");
    return [first, second];
  }
  return [];
}

/** Patterns first; null when they cannot decide. */
export function classifyByPatterns(input: FeedbackInput): Classification | null {
  if (input.block) {
    const b = input.block;
    const question = b.question ?? b.excerpt;
    const c: Classification = { action: b.kind, reason: `agent blocked (${b.reason}): ${b.excerpt.slice(0, 300)}`, source: "block" };
    if (b.kind === "clarify") {
      c.question = question;
      const opts = optionsFrom(question);
      if (opts.length) {
        c.options = opts;
        c.recommended = opts[0];
      }
    }
    return c;
  }
  const work = classifyWorkFailure(input);
  if (work) return work;
  if (input.error) {
    const msg = `${input.error.name ?? ""}: ${input.error.message ?? ""}`;
    if (TRANSIENT.test(msg)) return { action: "retry", reason: `transient failure of the task step: ${msg.slice(0, 300)}`, source: "pattern" };
    return null;
  }
  const v = input.verdict;
  if (!v) return { action: "retry", reason: "no verdict and no block signal: the task produced nothing to judge", source: "default" };
  if (v.status === "passed") return { action: "done", reason: `QA passed (score ${v.score})`, source: "verdict" };
  const failedItems = (v.checklist ?? []).filter((c) => c.required && c.status === "FAILED");
  for (const c of failedItems) {
    if (SPEC_TAG.test(c.text) || SPEC_BLAME.test(c.explanation))
      return { action: "re-specify", reason: `checklist ${c.id} fails because the spec is at fault: ${c.explanation.slice(0, 300)}`, source: "pattern" };
  }
  for (const c of failedItems) {
    const text = `${c.text} ${c.explanation}`;
    if (NEEDS_HUMAN.test(text)) {
      const q = `${c.id}: ${c.text} — ${c.explanation}`;
      return {
        action: "clarify",
        reason: `checklist ${c.id} cannot be met without a decision: ${c.explanation.slice(0, 300)}`,
        source: "pattern",
        question: `How should "${c.text}" be satisfied? (${c.explanation})`.slice(0, 600),
        options: optionsFrom(q),
      };
    }
  }
  const blocking = v.blocking ?? [];
  const plan = blocking.find((f) => PLAN_PROBLEM.test(`${f.code} ${f.message}`));
  if (plan)
    return {
      action: "re-plan",
      reason: `the task depends on something no earlier task provides: ${plan.code} ${plan.message.slice(0, 300)}`,
      source: "pattern",
    };
  const transient = blocking.find((f) => TRANSIENT.test(`${f.code} ${f.message}`));
  if (transient) return { action: "retry", reason: `transient: ${transient.code} ${transient.message.slice(0, 200)}`, source: "pattern" };
  const fixable = blocking.find((f) => f.source === "check" || f.source === "gate" || f.source === "criteria");
  if (fixable) {
    const n = blocking.length;
    const codes = [...new Set(blocking.map((f) => f.code))].slice(0, 8).join(", ");
    return {
      action: "retry",
      reason: `${n} fixable blocking finding${n === 1 ? "" : "s"}: ${codes} (first: ${fixable.code}${fixable.file ? ` ${fixable.file}:${fixable.line ?? ""}` : ""} — ${fixable.message.slice(0, 200)})`,
      source: "pattern",
    };
  }
  if (!blocking.length) return { action: "retry", reason: `score ${v.score} below threshold ${v.threshold ?? "?"}`, source: "pattern" };
  return null; // e.g. failed checklist items with no telling words: ask the model
}

export const LlmRouteSchema = z.object({
  action: z.enum(["clarify", "re-plan", "re-specify", "retry"]),
  reason: z.string(),
  question: z.string().optional().default(""),
  options: z.array(z.string()).optional().default([]),
  recommended: z.string().optional().default(""),
});

function summarise(input: FeedbackInput): string {
  const parts: string[] = [];
  if (input.error) parts.push(`The task step failed: ${input.error.name ?? "Error"}: ${input.error.message ?? ""}`);
  const v = input.verdict;
  if (v) {
    parts.push(`QA verdict: ${v.status}, score ${v.score}.`);
    for (const f of v.blocking.slice(0, 15)) parts.push(`- ${f.code}${f.file ? ` ${f.file}:${f.line ?? ""}` : ""}: ${f.message}`);
    for (const c of (v.checklist ?? []).filter((x) => x.status !== "PASSED").slice(0, 10))
      parts.push(`- checklist ${c.id} ${c.status}: ${c.text} — ${c.explanation}`);
  }
  return parts.join("\n").slice(0, 12_000);
}

export async function classifyFeedback(input: FeedbackInput, llm?: Llm | null): Promise<Classification> {
  const byPattern = classifyByPatterns(input);
  if (byPattern) return byPattern;
  if (llm) {
    try {
      const r = await llm.structured({
        system: FEEDBACK_SYSTEM,
        prompt: feedbackPrompt(summarise(input)),
        schema: LlmRouteSchema,
        schemaName: "feedback_route",
        purpose: "qa-feedback",
      });
      const c: Classification = { action: r.action, reason: r.reason, source: "llm" };
      if (r.action === "clarify") {
        c.question = r.question || "How should the task proceed?";
        c.options = r.options.length ? r.options : undefined;
        c.recommended = r.recommended || r.options[0];
      }
      return c;
    } catch (e) {
      return { action: "retry", reason: `unclassified failure (the model could not route it: ${(e as Error).message.slice(0, 200)})`, source: "default" };
    }
  }
  return { action: "retry", reason: "unclassified failure; retrying with the QA findings as context", source: "default" };
}

// ---------------------------------------------------------------- bounds

const LIMIT_OF: Record<FeedbackAction, keyof Limits> = {
  clarify: "max_clarifications",
  "re-plan": "max_replans",
  "re-specify": "max_respecs",
  retry: "max_retries",
};

export interface Routed {
  decision: Decision;
  /** True when the flow must end here (done or a bound was hit). */
  stop: boolean;
  reason: string;
  backoff_seconds: number;
  counts: Record<FeedbackAction, number>;
}

export function countDecisions(history: DecisionRecord[]): Record<FeedbackAction, number> {
  const counts: Record<FeedbackAction, number> = { clarify: 0, "re-plan": 0, "re-specify": 0, retry: 0 };
  for (const h of history) if (h.decision in counts) counts[h.decision as FeedbackAction]++;
  return counts;
}

export function applyBounds(c: Classification, history: DecisionRecord[], limits: Limits): Routed {
  const counts = countDecisions(history);
  if (c.action === "done") return { decision: "done", stop: true, reason: c.reason, backoff_seconds: 0, counts };
  const iteration = history.length + 1;
  if (iteration >= limits.max_iterations) {
    return {
      decision: "fail",
      stop: true,
      reason: `stopped: ${limits.max_iterations} iterations reached (last classification: ${c.action} — ${c.reason})`,
      backoff_seconds: 0,
      counts,
    };
  }
  const key = LIMIT_OF[c.action];
  const max = limits[key] as number;
  if (counts[c.action] >= max) {
    return {
      decision: "fail",
      stop: true,
      reason: `stopped: ${key} (${max}) reached; last classification: ${c.action} — ${c.reason}`,
      backoff_seconds: 0,
      counts,
    };
  }
  const backoff = c.action === "retry" ? Math.min(limits.max_backoff_seconds, limits.backoff_seconds * 2 ** counts.retry) : 0;
  return { decision: c.action, stop: false, reason: c.reason, backoff_seconds: backoff, counts: { ...counts, [c.action]: counts[c.action] + 1 } };
}
