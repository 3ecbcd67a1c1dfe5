// The task_dag script's body: parse tasks.md given as text, or read specs/<feature>/tasks.md at an
// exact commit of the repository (so a flow can pass { repo, commit, feature } from the tasks step).
// With an LLM resource, the model also reads the dependency sentences; its relations are checked
// before they are used, and a failed call leaves the deterministic DAG with a warning.

import { repoFiles } from "../../repo/files.ts";
import { z } from "zod";
import { InputError } from "../../errors.ts";
import { checkout } from "../../git.ts";
import { featurePaths } from "../../speckit/paths.ts";
import { parseTasksMd, renderDagMarkdown, type ParseOptions, type TaskDag } from "../../speckit/tasks.ts";
import { readRelationsWithModel } from "./task_dag_relations.ts";
import { llmFrom } from "../artifacts/step.ts";
import type { LlmOptions } from "../client.ts";

export const TaskDagInputSchema = z.object({
  tasks_md: z.string().max(4_000_000, "is larger than 4 MB; that is not a tasks.md").default(""),
  weights: z.record(z.string(), z.number().nonnegative()).default({}),
  same_file_serialization: z.boolean().default(true),
  story_order: z.enum(["auto", "parallel", "sequential"]).default("auto"),
  repo: z.string().default(""),
  commit: z.string().default(""),
  feature: z.string().default(""),
  git_token: z.string().optional(),
  cacheDir: z.string().optional(),
  /** One of these LLM resources makes the model read the dependency prose too. */
  llm: z.unknown().optional(),
  openai: z.unknown().optional(),
  anthropic: z.unknown().optional(),
  model: z.string().default(""),
  llm_options: z.custom<LlmOptions>().optional(),
});
export type TaskDagInput = z.input<typeof TaskDagInputSchema>;
export type TaskDagResult = TaskDag & {
  markdown: string;
  source: string;
  /** The model's reading, when an LLM resource was given. */
  model_reading?: { model: string; prompt_version: string; sentences: number; relations: number; used: number; error?: string };
};

export async function runTaskDag(input: TaskDagInput): Promise<TaskDagResult> {
  const parsed = TaskDagInputSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InputError(issue.path.join(".") || "input", issue.message);
  }
  const args = parsed.data;
  let text = args.tasks_md;
  let source = "tasks_md";
  if (!text.trim()) {
    if (!args.repo || !args.commit || !args.feature) {
      throw new InputError("tasks_md", "give the text of tasks.md, or repo + commit + feature to read specs/<feature>/tasks.md");
    }
    const paths = featurePaths(args.feature);
    const wc = await checkout({ repo: args.repo, commit: args.commit, token: args.git_token, cacheDir: args.cacheDir });
    try {
      const read = await repoFiles(wc.dir).readText(paths.tasks);
      if (read === null) throw new InputError("feature", `${paths.tasks} does not exist at commit ${args.commit.slice(0, 12)}`, "run the tasks step first");
      text = read;
      source = `${paths.tasks}@${wc.commit}`;
    } finally {
      await wc.cleanup();
    }
  }
  const opts: ParseOptions = { weights: args.weights, sameFileSerialization: args.same_file_serialization, storyOrder: args.story_order };
  const dag = parseTasksMd(text, opts);
  const given = (v: unknown) => v !== undefined && v !== null && !(typeof v === "object" && Object.keys(v as object).length === 0);
  if (![args.llm, args.openai, args.anthropic].some(given)) return { ...dag, source, markdown: renderDagMarkdown(dag) };
  const { llm, redactor } = llmFrom({ llm: args.llm, openai: args.openai, anthropic: args.anthropic, model: args.model, options: args.llm_options });
  let reading;
  try {
    reading = await readRelationsWithModel(llm, dag);
  } catch (e) {
    const error = redactor.redact((e as Error).message);
    dag.warnings.push(`the model could not read the dependency sentences (${error}); the DAG uses the deterministic reading only`);
    return {
      ...dag,
      source,
      markdown: renderDagMarkdown(dag),
      model_reading: { model: llm.model, prompt_version: "", sentences: 0, relations: 0, used: 0, error },
    };
  }
  const withModel = reading.relations.length ? parseTasksMd(text, { ...opts, llmRelations: reading.relations }) : dag;
  const used = withModel.statements.filter((s) => s.source === "llm" && s.effect !== "rejected").length;
  return {
    ...withModel,
    source,
    markdown: renderDagMarkdown(withModel),
    model_reading: { model: reading.model, prompt_version: reading.promptVersion, sentences: reading.sentences, relations: reading.relations.length, used },
  };
}
