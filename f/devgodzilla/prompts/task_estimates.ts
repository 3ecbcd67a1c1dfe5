// Prompt for task_dag's effort estimates: the model sizes each open task of tasks.md on a fixed
// scale (S, M, L, XL), so the plan can start the long tasks first among tasks that may run side by
// side. The sizes are anchored to what the work is, not to the other tasks of the list, so a file
// sent in several chunks is sized consistently.

export const TASK_ESTIMATES_PROMPT_VERSION = "task_estimates@1.0.0";

export const TASK_ESTIMATES_SYSTEM = `You estimate how much work each task of a Spec Kit tasks.md is for a coding agent, on a fixed scale:
- "S": a small, local edit — one file, a few lines (a config entry, a type, an export, a README line, an empty directory or skeleton).
- "M": one unit of work — a function, a component or a model with its test, in one or two files.
- "L": a slice across several files or layers — an endpoint with its service, model and tests; a non-trivial module; a test suite for a feature.
- "XL": broad or open-ended work — many files, a migration, wiring several parts together, an end-to-end flow, performance or security work across the code base.
As a rough guide for a developer: S ≈ an hour, M ≈ 2 hours, L ≈ half a day, XL ≈ a day or more.
Judge each task by what it asks for (its description, its files, its phase), not by how long its description is. Return one estimate per task, with the task's id exactly as given.`;

export interface EstimatePromptTask {
  id: string;
  description: string;
  files: string[];
  /** The phase's heading, e.g. "Phase 3: User Story 1 - Import (Priority: P1)". */
  phase: string;
}

export function taskEstimatesPrompt(tasks: EstimatePromptTask[]): string {
  const line = (t: EstimatePromptTask) =>
    [`- ${t.id} (${t.phase})`, `  ${t.description}`, ...(t.files.length ? [`  files: ${t.files.join(", ")}`] : [])].join("\n");
  return `<tasks>
${tasks.map(line).join("\n")}
</tasks>

Return the size (S, M, L or XL) of each of these ${tasks.length} tasks.`;
}
