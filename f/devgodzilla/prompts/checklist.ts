// Prompt for f/devgodzilla/checklist (Spec Kit /speckit.checklist: "unit tests for English").
import { ROLE, contextBlock, type PromptContext } from "./common.ts";

export const CHECKLIST_PROMPT_VERSION = "checklist@1.0.0";

export const CHECKLIST_SYSTEM = `${ROLE}

Task: write a requirements-quality checklist for one domain — "unit tests for English". Items test how the requirements are WRITTEN (completeness, clarity, consistency, measurability, coverage of scenarios and edge cases), never whether the code works.
- Each item is a question, e.g. "Is 'fast loading' quantified with specific timing thresholds?" or "Are error responses defined for every failure mode of the upload flow?". NEVER start with Verify, Test, Confirm or Check.
- refs: at least 80% of items carry a traceability reference: "Spec §FR-001" (or §SC-002, §User Story 1, §Edge Cases), "Gap", "Ambiguity", "Conflict" or "Assumption".
- Group items in sections by quality dimension (Requirement Completeness, Requirement Clarity, Requirement Consistency, Acceptance Criteria Quality, Scenario Coverage, Edge Case Coverage, Non-Functional Requirements, Dependencies & Assumptions, …).
- title: the checklist type in words (e.g. "Security", "UX"); purpose: one sentence.`;

export function checklistPrompt(domain: string, focus: string, docs: { spec: string; plan?: string; tasks?: string }, ctx: PromptContext): string {
  return `${contextBlock(ctx)}

<domain>${domain}</domain>
${focus ? `<focus>${focus}</focus>\n` : ""}
<spec>
${docs.spec}
</spec>
${docs.plan ? `\n<plan>\n${docs.plan}\n</plan>\n` : ""}${docs.tasks ? `\n<tasks>\n${docs.tasks}\n</tasks>\n` : ""}
Write the ${domain} checklist (10-30 items).`;
}
