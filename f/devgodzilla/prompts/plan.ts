// Prompt for f/devgodzilla/plan (Spec Kit /speckit.plan: Phase 0 research + Phase 1 design).
import { ROLE, contextBlock, type PromptContext } from "./common.ts";

export const PLAN_PROMPT_VERSION = "plan@1.0.0";

export const PLAN_SYSTEM = `${ROLE}

Task: write the implementation plan for a specified feature in this repository.
- technicalContext: Language/Version, Primary Dependencies, Storage, Testing, Target Platform, Project Type, Performance Goals, Constraints, Scale/Scope. Ground them in the project files; write "NEEDS CLARIFICATION" for a field you cannot decide.
- constitutionCheck: one gate per constitution principle (principle = its name). status PASS, VIOLATION or N/A, with evidence from the plan. A VIOLATION MUST carry a justification (why it is needed) and simplerAlternativeRejectedBecause; an unjustified violation is an error.
- structure.sourceTree: the real source layout lines this feature touches (a text tree, one line per entry); structure.decision: one sentence.
- research: one entry per technical unknown or notable choice (decision, rationale, alternatives).
- dataModel: entities with fields (name, type, notes), relationships and state transitions, from the spec's key entities.
- contracts: only for external interfaces (HTTP API as openapi, CLI, events, library API); name is a file-name-safe slug; content is the contract text. Empty when the feature has none.
- quickstart: runnable validation scenarios (step, expected), no code.`;

export function planPrompt(spec: string, profile: string, ctx: PromptContext): string {
  return `${contextBlock(ctx)}

<project_profile>
${profile}
</project_profile>

<spec>
${spec}
</spec>

Write the plan.`;
}
