// The model's reading of tasks.md's dependency prose. The deterministic reader (reader.ts) adds a
// relation only when a sentence's direction is certain; the sentences it examined — uncertain ones
// included — go to the model, which returns structured relations, each quoting its sentence. The
// builder (build.ts readLlm) then checks every relation before using it: the quote is in the file,
// every name is a task, phase or story of the file, it closes no cycle, and it contradicts no
// statement of the file.

import { z } from "zod";
import type { Llm } from "../client.ts";
import { TASK_DAG_PROMPT_VERSION, TASK_DAG_SYSTEM, taskDagPrompt } from "../../../prompts/task_dag.ts";
import type { LlmRelation } from "../../speckit/tasks/build.ts";
import type { TaskDag } from "../../speckit/tasks/model.ts";

export const LlmRelationSchema = z.object({
  quote: z.string().min(3).describe("the sentence from tasks.md, copied exactly"),
  relation: z.enum(["after", "parallel"]),
  subjects: z.array(z.string().min(1)).min(1).describe("task ids, id ranges, 'Phase N' or story labels that wait (after) or run beside the others (parallel)"),
  prerequisites: z.array(z.string().min(1)).default([]).describe("what must finish first (after); for parallel, more items that run beside the subjects"),
});
export const LlmRelationsSchema = z.object({ relations: z.array(LlmRelationSchema).max(300) });

/** At most this many sentences go to the model (Dependencies sections are short; a cap keeps a pathological file cheap). */
export const MAX_SENTENCES = 300;

/** The sentences the reader examined, once each, in file order. */
export function sentencesForModel(dag: TaskDag): { line: number; text: string }[] {
  const seen = new Set<number>();
  const out: { line: number; text: string }[] = [];
  for (const s of [...dag.statements].sort((a, b) => a.line - b.line)) {
    if (s.source !== "prose" || seen.has(s.line)) continue;
    seen.add(s.line);
    out.push({ line: s.line, text: s.text });
  }
  return out.slice(0, MAX_SENTENCES);
}

/** Phases with their task ranges and stories: what the names in the sentences refer to. */
export function outlineOf(dag: TaskDag): string {
  return dag.phases
    .filter((p) => p.tasks.length)
    .map(
      (p) =>
        `- ${p.number ? `Phase ${p.number}` : p.title}: ${p.title} — tasks ${p.tasks[0]}${p.tasks.length > 1 ? `…${p.tasks[p.tasks.length - 1]}` : ""}${p.stories.length ? ` — stories ${p.stories.join(", ")}` : ""}`,
    )
    .join("\n");
}

export interface ModelReading {
  relations: LlmRelation[];
  sentences: number;
  model: string;
  promptVersion: string;
}

/** Asks the model for the relations the examined sentences state (none asked when there are none). */
export async function readRelationsWithModel(llm: Llm, dag: TaskDag): Promise<ModelReading> {
  const sentences = sentencesForModel(dag);
  const base = { sentences: sentences.length, model: llm.model, promptVersion: TASK_DAG_PROMPT_VERSION };
  if (!sentences.length) return { relations: [], ...base };
  const out = await llm.structured({
    system: TASK_DAG_SYSTEM,
    prompt: taskDagPrompt({ outline: outlineOf(dag), sentences }),
    schema: LlmRelationsSchema,
    schemaName: "dependency_relations",
    purpose: "task_dag",
  });
  return { relations: out.relations, ...base };
}
