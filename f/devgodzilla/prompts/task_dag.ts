// Prompt for f/devgodzilla/task_dag: the model reads tasks.md's dependency sentences and returns the
// relations they state, each with the sentence quoted, so every relation it adds can be checked
// against the file and audited.

export const TASK_DAG_PROMPT_VERSION = "task_dag@1.0.0";

export const TASK_DAG_SYSTEM = `You read the dependency sentences of a Spec Kit tasks.md (any language) and return the ordering relations they state.
- relation "after": every item in "subjects" must wait until every item in "prerequisites" is finished ("T012 depends on T010", "Fase 4 depende da Fase 3", "US2 は US1 に依存").
- relation "parallel": the items in "subjects" (and "prerequisites", if any) may run at the same time ("Phase 7 and Phase 8 can run in parallel", "No dependencies on US1").
- Name items exactly as the file does: task ids (T012), id ranges (T010-T015), "Phase N", or story labels (US2).
- "quote" is the sentence copied exactly from the list below (without its line number).
- Return a relation only when the sentence states it and its direction. Leave out sentences that are hedged ("may", "optionally", "or"), that only give advice, or whose direction you are unsure of — a missing relation is better than a reversed one.`;

export interface TaskDagPromptInput {
  /** The file's structure: phases with their task ranges and stories. */
  outline: string;
  /** Sentences about order, each with its line number. */
  sentences: { line: number; text: string }[];
}

export function taskDagPrompt(input: TaskDagPromptInput): string {
  return `<structure>
${input.outline}
</structure>

<sentences>
${input.sentences.map((s) => `line ${s.line}: ${s.text}`).join("\n")}
</sentences>

Return the relations these sentences state.`;
}
