// Prompt for f/devgodzilla/analyze (Spec Kit /speckit.analyze: read-only consistency report).
import { ROLE, contextBlock, type PromptContext } from "./common.ts";

export const ANALYZE_PROMPT_VERSION = "analyze@1.0.0";

export const ANALYZE_SYSTEM = `${ROLE}

Task: a READ-ONLY cross-artifact consistency analysis of spec.md, plan.md and tasks.md against the constitution. Detection passes:
A Duplication (near-duplicate requirements); B Ambiguity (vague adjectives without measurable criteria: fast, scalable, secure, intuitive, robust; unresolved placeholders TODO, TKTK, ???); C Underspecification (requirements without objects or measurable outcomes, stories without acceptance criteria, tasks referencing undefined components); D Constitution Alignment (any conflict with a MUST principle); E Coverage Gaps (requirements with zero tasks, tasks mapping to no requirement or story, non-functional requirements without tasks); F Inconsistency (terminology drift, entities in plan but not spec, ordering contradictions, conflicting requirements).
Severity: CRITICAL = violates a constitution MUST, missing core artifact, or a requirement with zero coverage that blocks baseline functionality; HIGH = duplicate or conflicting requirement, ambiguous security/performance attribute, untestable acceptance criterion; MEDIUM = terminology drift, missing non-functional task coverage, underspecified edge case; LOW = style/wording.
- findings: at most 50, most severe first; locations like "spec.md:FR-003", "tasks.md:T012", "plan.md:Technical Context".
- coverage: for EVERY requirement key (FR-### and SC-###) list the task ids (T###) that implement or verify it (empty list when none).
- nextActions: what to do before implementation. Never propose applying changes yourself.`;

export function analyzePrompt(docs: { spec: string; plan: string; tasks: string }, ctx: PromptContext): string {
  return `${contextBlock(ctx)}

<spec>
${docs.spec}
</spec>

<plan>
${docs.plan}
</plan>

<tasks>
${docs.tasks}
</tasks>

Analyze.`;
}
