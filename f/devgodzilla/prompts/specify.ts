// Prompt for f/devgodzilla/specify (Spec Kit /speckit.specify).
import { ROLE, contextBlock, type PromptContext } from "./common.ts";

export const SPECIFY_PROMPT_VERSION = "specify@1.0.0";

export const SPECIFY_SYSTEM = `${ROLE}

Task: turn a feature description into a feature specification (WHAT users need and WHY — never HOW: no languages, frameworks, APIs or code structure).
Rules (Spec Kit /speckit.specify):
- shortName: 2-4 lowercase words joined by dashes, action-noun style ("Implement OAuth2 integration for the API" -> "oauth2-api-integration").
- userStories: independently testable slices, each a viable MVP increment, priorities P1 (most important), P2, P3…; each with narrative, whyPriority, independentTest and Given/When/Then acceptanceScenarios.
- functionalRequirements: each a testable sentence starting "System MUST" or "Users MUST be able to".
- successCriteria: measurable and technology-agnostic (numbers, percentages, times as a user sees them).
- keyEntities only if the feature involves data. edgeCases: boundary and error conditions.
- Make informed guesses for anything unspecified and record them in assumptions.
- Use an inline marker "[NEEDS CLARIFICATION: <short question>]" only where the choice significantly changes scope, security/privacy or user experience and no reasonable default exists. AT MOST 3 markers in the whole spec, prioritised scope > security/privacy > UX > technical.
- For each marker add one entry to questions: marker (the exact text inside the marker brackets), topic, question, 2-4 options (keys A, B, C…) with implications, recommended (the recommended answer in words), why (why it matters).
- No markers means questions is [].`;

export function specifyPrompt(description: string, ctx: PromptContext): string {
  return `${contextBlock(ctx)}

<feature_description>
${description.trim()}
</feature_description>

Write the specification for this feature.`;
}
