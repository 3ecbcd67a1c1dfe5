// The task_dag script's body: parse tasks.md given as text, or read specs/<feature>/tasks.md at an
// exact commit of the repository (so a flow can pass { repo, commit, feature } from the tasks step).
// With an LLM resource, the model also reads the dependency sentences (its relations are checked
// before they are used) and estimates each open task's effort (task_estimates.ts: the estimates
// become weights, so the plan starts big tasks first); a failed call leaves the deterministic DAG
// with a warning. The result's `usage` is what those calls cost (zero calls without a model), so a
// flow counts the planning in the run's cost, once per `usage_id`.

import { repoFiles } from "../../repo/files.ts";
import { z } from "zod";
import { InputError } from "../../errors.ts";
import { checkout } from "../../git.ts";
import { featurePaths } from "../../speckit/paths.ts";
import { parseTasksMd, renderDagMarkdown, type ParseOptions, type TaskDag } from "../../speckit/tasks.ts";
import { readRelationsWithModel } from "./task_dag_relations.ts";
import { estimateEffortWithModel, renderEstimatesMarkdown, tasksToEstimate, type EffortSize } from "./task_estimates.ts";
import { TASK_ESTIMATES_PROMPT_VERSION } from "../../../prompts/task_estimates.ts";
import { llmFrom } from "../artifacts/step.ts";
import { emptyTotals, usageId, type UsageTotals } from "../usage.ts";
import type { LlmOptions } from "../client.ts";

export const TaskDagInputSchema = z.object({
  tasks_md: z.string().max(4_000_000, "is larger than 4 MB; that is not a tasks.md").default(""),
  weights: z.record(z.string(), z.number().nonnegative()).default({}),
  /** With an LLM resource: the model sizes each open task without a weight, and the sizes become weights. */
  estimate_effort: z.boolean().default(true),
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
  /** The model calls this step made (the relations and the estimates); zero calls without an LLM resource. */
  usage: UsageTotals;
  /** Identifies this step run, so a flow summing usage counts it once however often the result is passed on. */
  usage_id: string;
  /** The model's reading, when an LLM resource was given. */
  model_reading?: {
    model: string;
    prompt_version: string;
    sentences: number;
    relations: number;
    used: number;
    error?: string;
    /** The effort estimates (absent when none was asked: `estimate_effort` off, or every open task has a weight). */
    estimates?: {
      prompt_version: string;
      /** Open tasks sent to the model. */
      asked: number;
      /** Tasks it gave a size; the others sent got the median. */
      estimated: number;
      median_filled: number;
      /** Ids in the answer that were not tasks sent. */
      ignored: number;
      sizes?: Record<string, EffortSize>;
      error?: string;
    };
  };
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
  const usage_id = usageId();
  if (![args.llm, args.openai, args.anthropic].some(given)) return { ...dag, source, markdown: renderDagMarkdown(dag), usage: emptyTotals(), usage_id };
  return { ...(await withModel(text, opts, dag, args)), source, usage_id };
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: string };

/**
 * The model reads the dependency prose and estimates each open task's effort, both at once; each
 * part that fails leaves the DAG as the deterministic reading made it, with one warning.
 */
async function withModel(
  text: string,
  opts: ParseOptions,
  dag: TaskDag,
  args: z.output<typeof TaskDagInputSchema>,
): Promise<Omit<TaskDagResult, "source" | "usage_id">> {
  const { llm, redactor } = llmFrom({ llm: args.llm, openai: args.openai, anthropic: args.anthropic, model: args.model, options: args.llm_options });
  // A function, not a generic arrow: Windmill's worker parses imported modules as TSX.
  function settle<T>(p: Promise<T>): Promise<Settled<T>> {
    return p.then(
      (value) => ({ ok: true as const, value }),
      (e) => ({ ok: false as const, error: redactor.redact((e as Error).message) }),
    );
  }
  const toEstimate = args.estimate_effort ? tasksToEstimate(dag, args.weights) : [];
  const [reading, estimates] = await Promise.all([
    settle(readRelationsWithModel(llm, dag)),
    toEstimate.length ? settle(estimateEffortWithModel(llm, dag, toEstimate)) : undefined,
  ]);
  const warnings: string[] = [];
  if (!reading.ok) warnings.push(`the model could not read the dependency sentences (${reading.error}); the DAG uses the deterministic reading only`);
  if (estimates?.ok) warnings.push(...estimates.value.warnings.map((w) => redactor.redact(w)));
  else if (estimates) warnings.push(`the model could not estimate the tasks' effort (${estimates.error}); every task keeps its weight (1 unless given)`);
  const relations = reading.ok ? reading.value.relations : [];
  const weights = estimates?.ok ? { ...estimates.value.weights, ...args.weights } : args.weights;
  const final = relations.length || estimates?.ok ? parseTasksMd(text, { ...opts, weights, ...(relations.length ? { llmRelations: relations } : {}) }) : dag;
  final.warnings.push(...warnings);
  const used = final.statements.filter((s) => s.source === "llm" && s.effect !== "rejected").length;
  const estimateReading = estimates && {
    prompt_version: TASK_ESTIMATES_PROMPT_VERSION,
    asked: estimates.ok ? estimates.value.asked : 0,
    estimated: estimates.ok ? estimates.value.estimated : 0,
    median_filled: estimates.ok ? estimates.value.filled.length : 0,
    ignored: estimates.ok ? estimates.value.ignored.length : 0,
    ...(estimates.ok ? { sizes: estimates.value.sizes } : { error: estimates.error }),
  };
  return {
    ...final,
    markdown: renderDagMarkdown(final) + (estimates?.ok ? `\n\n${renderEstimatesMarkdown(estimates.value)}` : ""),
    usage: llm.ledger.totals(),
    model_reading: {
      model: llm.model,
      prompt_version: reading.ok ? reading.value.promptVersion : "",
      sentences: reading.ok ? reading.value.sentences : 0,
      relations: relations.length,
      used,
      ...(reading.ok ? {} : { error: reading.error }),
      ...(estimateReading ? { estimates: estimateReading } : {}),
    },
  };
}
