// BlockDetector: recognises an agent saying it cannot proceed and classifies it for the feedback
// loop — clarify (a human must answer a question), re-specify (the requirement itself is
// conflicting, wrong or impossible), re-plan (the plan/task does not fit the code: missing
// dependency, wrong file, impossible as planned). Returns data, never throws.
//
// An explicit marker wins: agents are told to end with `BLOCKED(clarify|re-plan|re-specify): …`.
// Otherwise phrase rules apply, each guarded against negation ("no clarification needed").

import type { BlockKind, BlockSignal } from "./types.ts";

export type { BlockKind, BlockSignal } from "./types.ts";

interface Rule {
  kind: BlockKind;
  reason: string;
  re: RegExp;
}

const MARKER = /\bBLOCKED\s*\(\s*(clarify|re-?plan|re-?specify)\s*\)\s*:\s*(.+)/i;

// Order matters: the first rule that matches (in this order) decides.
const RULES: Rule[] = [
  // The requirement itself is at fault → re-specify.
  {
    kind: "re-specify",
    reason: "conflicting-requirements",
    re: /\b(requirements?|spec(?:ification)?|acceptance criteria|user stor(?:y|ies)|FR-\d+)\b[^.?!\n]{0,80}\b(conflict(?:s|ing)?|contradict(?:s|ory|ion)?|inconsistent|mutually exclusive)\b/i,
  },
  {
    kind: "re-specify",
    reason: "conflicting-requirements",
    re: /\b(conflict(?:s|ing)?|contradict(?:s|ory|ion)?|inconsistent)\b[^.?!\n]{0,60}\b(requirements?|spec(?:ification)?|acceptance criteria|FR-\d+)\b/i,
  },
  {
    kind: "re-specify",
    reason: "impossible-requirement",
    re: /\b(requirements?|spec(?:ification)?|feature|FR-\d+)\b[^.?!\n]{0,60}\b(is|are|seems?|appears?)\s+(impossible|infeasible|not (?:technically )?(?:possible|feasible)|unimplementable)\b/i,
  },
  {
    kind: "re-specify",
    reason: "impossible-requirement",
    re: /\b(impossible|infeasible|not (?:technically )?possible)\s+to\s+(?:satisfy|meet|implement)\s+(?:both|all|the)\b[^.?!\n]{0,40}\b(requirements?|spec(?:ification)?|constraints?)\b/i,
  },
  // A human has to answer → clarify.
  {
    kind: "clarify",
    reason: "needs-clarification",
    re: /\b(?:I|we)\s+(?:would\s+)?(?:need|require)s?\s+(?:some\s+|more\s+|further\s+)?(?:clarification|more information|additional information|input|guidance)\b/i,
  },
  { kind: "clarify", reason: "needs-clarification", re: /\b(?:needs?|requires?)\s+(?:some\s+|more\s+|further\s+)?clarification\b/i },
  { kind: "clarify", reason: "needs-clarification", re: /\[NEEDS CLARIFICATION[^\]]*\]/i },
  { kind: "clarify", reason: "needs-clarification", re: /\b(?:could|can|would)\s+you\s+(?:please\s+)?(?:clarify|specify|tell me)\b/i },
  { kind: "clarify", reason: "needs-clarification", re: /\bplease\s+(?:clarify|specify)\b/i },
  {
    kind: "clarify",
    reason: "ambiguous-requirement",
    re: /\b(?:requirements?|task|spec(?:ification)?|instructions?|request)\b[^.?!\n]{0,60}\b(?:is|are|seems?|remains?)\s+(?:too\s+)?(?:ambiguous|unclear|underspecified|vague)\b/i,
  },
  { kind: "clarify", reason: "ambiguous-requirement", re: /\b(?:ambiguous|unclear|underspecified)\s+(?:requirements?|whether|which|what|how)\b/i },
  { kind: "clarify", reason: "needs-clarification", re: /\bbefore\s+I\s+(?:can\s+)?(?:proceed|continue|implement)\b[^.\n]*\?/i },
  // The plan does not fit the code → re-plan.
  {
    kind: "re-plan",
    reason: "missing-dependency",
    re: /\b(?:depends?|relies?|relying|depending)\s+on\b[^.?!\n]{0,80}\b(?:not (?:yet )?(?:exist|implemented|present|available)|missing|does(?:n't| not) exist)\b/i,
  },
  {
    kind: "re-plan",
    reason: "missing-dependency",
    re: /\b(?:missing|non-?existent|not yet implemented)\s+(?:dependency|module|file|function|api|endpoint|prerequisite)\b/i,
  },
  {
    kind: "re-plan",
    reason: "plan-mismatch",
    re: /\b(?:the\s+)?(?:plan|task(?:s)?(?:\.md)?|approach)\b[^.?!\n]{0,60}\b(?:is|are|seems?)\s+(?:wrong|incorrect|outdated|inconsistent with the code|not applicable)\b/i,
  },
  {
    kind: "re-plan",
    reason: "impossible",
    re: /\b(?:task|this|it|change)\b[^.?!\n]{0,40}\b(?:is|seems?|appears?)\s+(?:impossible|infeasible|not (?:possible|feasible))\b/i,
  },
  {
    kind: "re-plan",
    reason: "impossible",
    re: /\b(?:cannot|can't|can ?not|unable to)\s+(?:be\s+)?(?:complete|completed|proceed|implement|implemented|do|done|finish)\b[^.?!\n]{0,60}\b(?:as (?:planned|described|specified)|without|because|since)\b/i,
  },
  // Stopped without saying why it is the plan's or the spec's fault: a human decides.
  { kind: "clarify", reason: "cannot-proceed", re: /\b(?:I|we)\s+(?:cannot|can't|can ?not|am unable to|are unable to)\s+(?:proceed|continue)\b/i },
];

// "no clarification needed", "does not need", "without ambiguity": the phrase is negated.
const NEGATION = /\b(?:no|not|don't|doesn't|didn't|never|without|nothing)\b[^.?!\n]{0,12}$/i;

function sentenceAround(text: string, index: number, length: number): string {
  const start = Math.max(text.lastIndexOf("\n", index), ...[". ", "! ", "? "].map((d) => text.lastIndexOf(d, index) + 1)) + 1;
  const endCandidates = ["\n", ". ", "? ", "! "].map((d) => text.indexOf(d, index + length)).filter((i) => i >= 0);
  const end = endCandidates.length ? Math.min(...endCandidates) + 1 : text.length;
  return text.slice(Math.max(0, start), end).trim();
}

function questionFrom(text: string, from: number): string | null {
  // Text after "clarification:" style lead-ins, else the first question sentence after the match.
  const lead = /(?:clarification|clarify|question|questions)\s*(?:on|about|regarding)?[^:\n]{0,40}:\s*(.+)/i.exec(text.slice(from));
  if (lead?.[1]) return lead[1].trim().split("\n")[0]!.trim();
  const tail = text.slice(from);
  const q = /([^.?!\n]*\?)/.exec(tail) ?? /([^.?!\n]*\?)/.exec(text);
  return q?.[1] ? q[1].trim() : null;
}

/** Classifies an agent's final message (and optionally its other output). null = not blocked. */
export function detectBlock(finalMessage: string, extraOutput = ""): BlockSignal | null {
  const text = `${finalMessage}\n${extraOutput}`.trim();
  if (!text) return null;
  const marker = MARKER.exec(text);
  if (marker) {
    const raw = marker[1]!.toLowerCase().replace(/^re-?/, "re-");
    const kind = (raw === "clarify" ? "clarify" : raw.includes("plan") ? "re-plan" : "re-specify") as BlockKind;
    const body = marker[2]!.trim();
    return {
      kind,
      reason: "explicit-marker",
      question: body,
      excerpt: marker[0].trim().slice(0, 500),
    };
  }
  for (const rule of RULES) {
    const re = new RegExp(rule.re.source, rule.re.flags.includes("g") ? rule.re.flags : rule.re.flags + "g");
    for (const m of text.matchAll(re)) {
      const before = text.slice(Math.max(0, m.index! - 30), m.index!);
      if (NEGATION.test(before) || /\b(?:no|not)\b/i.test(m[0].slice(0, 6))) continue;
      const excerpt = sentenceAround(text, m.index!, m[0].length).slice(0, 500);
      const question = rule.kind === "clarify" ? (questionFrom(text, m.index!) ?? excerpt) : excerpt;
      return { kind: rule.kind, reason: rule.reason, question, excerpt };
    }
  }
  return null;
}

/** The sentence to append to an agent prompt so it reports blocks in the form detectBlock reads first. */
export const BLOCK_INSTRUCTION =
  "If you cannot complete the task, do not guess: end your reply with one line " +
  "`BLOCKED(clarify): <the question for a human>` when a requirement is ambiguous or you need information, " +
  "`BLOCKED(re-specify): <why>` when requirements conflict or cannot be met, or " +
  "`BLOCKED(re-plan): <why>` when the plan or task does not fit the code (missing dependency, wrong file).";
