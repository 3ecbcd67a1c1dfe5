// Prompts for f/devgodzilla/clarify (Spec Kit /speckit.clarify): integrating answers, and the
// coverage-taxonomy scan that proposes further questions.
import { ROLE, contextBlock, type PromptContext } from "./common.ts";

/** Spec Kit's ambiguity taxonomy: the categories a clarification question belongs to. */
export const TAXONOMY = [
  "Functional Scope & Behavior",
  "Domain & Data Model",
  "Interaction & UX Flow",
  "Non-Functional Quality Attributes",
  "Integration & External Dependencies",
  "Edge Cases & Failure Handling",
  "Constraints & Tradeoffs",
  "Terminology & Consistency",
  "Completion Signals",
  "Misc / Placeholders",
] as const;

export const CLARIFY_PROMPT_VERSION = "clarify@1.0.0";

export const CLARIFY_EDIT_SYSTEM = `${ROLE}

Task: integrate clarification answers into an existing feature specification.
Return edits: each edit replaces "find" (text copied EXACTLY from the current spec, occurring once, a whole line or sentence) with "replace".
- Update the affected places (functional requirements, user stories, key entities, success criteria, edge cases, terminology) so they state the answer; replace contradicted text rather than adding duplicates.
- Where a "[NEEDS CLARIFICATION: …]" marker is answered, rewrite its sentence so it reads naturally without the marker.
- Never add or remove headings; never touch the Clarifications section (the caller writes it). Keep ids such as **FR-001** unchanged.`;

export function clarifyEditPrompt(spec: string, qa: { question: string; answer: string; marker?: string }[], ctx: PromptContext): string {
  return `${contextBlock(ctx)}

<spec>
${spec}
</spec>

<answers>
${qa.map((q, i) => `${i + 1}. Q: ${q.question}${q.marker ? ` (marker: "[NEEDS CLARIFICATION: ${q.marker}]")` : ""}\n   A: ${q.answer}`).join("\n")}
</answers>

Return the edits that integrate these answers.`;
}

export const CLARIFY_SCAN_SYSTEM = `${ROLE}

Task: scan a feature specification for ambiguity and missing decisions using this coverage taxonomy, marking each category Clear, Partial or Missing:
${TAXONOMY.map((t) => `- ${t}`).join("\n")}
Then propose the most valuable questions (ranked by Impact x Uncertainty), at most the number asked for, only for Partial/Missing categories whose answer would materially change architecture, data modelling, task decomposition, test design, UX or compliance. Skip anything already answered in the Clarifications section.
Each question: multiple choice with 2-5 options (keys A-E) or a short answer (<= 5 words); give recommended (the answer in words), why (why it matters) and category (taxonomy name). marker is "".`;

export function clarifyScanPrompt(spec: string, maxQuestions: number, ctx: PromptContext): string {
  return `${contextBlock(ctx)}

<spec>
${spec}
</spec>

Propose at most ${maxQuestions} question(s). Return an empty questions list when nothing material is unclear.`;
}
