// The model's effort estimate for each open task of tasks.md, which becomes the task's weight: the
// plan (lib/dag/graph.ts windowOrder) starts the heaviest remaining path first, so among tasks that
// may run side by side a long one no longer starts last. Weights given explicitly (task_dag's
// `weights`, `(est: 3h)` in a task line) are never sent and always win.
//
// The scale is S/M/L/XL = 1/2/4/8. Doubling steps, because task durations spread over orders of
// magnitude and a rough ratio is what people (and models) judge reliably; four steps, because the
// plan needs only "which of these is big", and bench:dag shows that rough durations already bring
// the makespan within 5 % of the lower bound. S = 1 is the weight every task has without one. The
// prompt anchors the sizes at about 1, 2, 4 and 8 hours, the unit a task line's own estimate is
// read in (`(est: 1d)` = 8), so a file that states some estimates and not others orders consistently.
//
// The answer is checked before use: ids that are not tasks sent are ignored (counted in a warning),
// tasks it left out get the median size, sizes off the scale fail the schema (re-asked by the
// gateway, then a failure). A failure of any call leaves every weight as it was.

import { z } from "zod";
import { StructuredOutputError, type Llm } from "../client.ts";
import { TASK_ESTIMATES_PROMPT_VERSION, TASK_ESTIMATES_SYSTEM, taskEstimatesPrompt } from "../../../prompts/task_estimates.ts";
import { estimateOf } from "../../speckit/tasks/build.ts";
import type { Task, TaskDag } from "../../speckit/tasks/model.ts";

export const SIZE_WEIGHT = { S: 1, M: 2, L: 4, XL: 8 } as const;
export type EffortSize = keyof typeof SIZE_WEIGHT;
const SIZES = Object.keys(SIZE_WEIGHT) as EffortSize[];

/** Tasks per call: the answer stays short and a model keeps track of every id. */
export const MAX_TASKS_PER_CALL = 60;
/** Calls per tasks.md: 240 tasks, beyond any real file; the rest get the median. */
export const MAX_CALLS = 4;
const DESCRIPTION_CHARS = 500;
const BODY_CHARS = 300;
const FILES_SENT = 8;

export const TaskEstimatesSchema = z.object({
  estimates: z.array(z.object({ id: z.string().min(1).describe("the task id, exactly as given"), size: z.enum(SIZES) })).max(MAX_TASKS_PER_CALL * 2),
});

export interface EffortEstimates {
  model: string;
  promptVersion: string;
  /** Weight per task sent (or left unsent past the cap): its size's weight. */
  weights: Record<string, number>;
  /** Size per task: the model's, or the median for the tasks in `filled`. */
  sizes: Record<string, EffortSize>;
  median: EffortSize;
  /** Tasks sent to the model. */
  asked: number;
  /** Tasks the model gave a size. */
  estimated: number;
  /** Tasks that got the median: left out by the model, or past the cap and not sent. */
  filled: string[];
  /** Ids in the answer that are not a task sent, or repeat one. */
  ignored: string[];
  warnings: string[];
}

/** Open tasks without a weight of their own (given in `weights` or stated in the task line). */
export function tasksToEstimate(dag: TaskDag, given: Record<string, number>): Task[] {
  return dag.tasks.filter((t) => !t.done && given[t.id] === undefined && estimateOf(t.description) === undefined);
}

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}…` : s);
/** Up to 8 ids, each clipped (the model's ids are unchecked text). */
const list = (ids: string[]) =>
  `${ids
    .slice(0, 8)
    .map((id) => clip(id, 40))
    .join(", ")}${ids.length > 8 ? `, … ${ids.length - 8} more` : ""}`;
const count = (n: number, one: string) => `${n} ${one}${n === 1 ? "" : "s"}`;

/** Splits the items into at most MAX_CALLS nearly equal chunks of at most MAX_TASKS_PER_CALL. */
function chunks<T>(items: T[]): T[][] {
  const calls = Math.ceil(items.length / MAX_TASKS_PER_CALL);
  const size = Math.ceil(items.length / Math.max(1, calls));
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Asks the model for the size of each task (in chunks, at once); throws when a call fails or no size is usable. */
export async function estimateEffortWithModel(llm: Llm, dag: TaskDag, tasks: Task[]): Promise<EffortEstimates> {
  const sent = tasks.slice(0, MAX_TASKS_PER_CALL * MAX_CALLS);
  const phaseOf = (t: Task) => dag.phases[t.phase]?.heading || dag.phases[t.phase]?.title || "";
  const answers = await Promise.all(
    chunks(sent).map((chunk) =>
      llm.structured({
        system: TASK_ESTIMATES_SYSTEM,
        prompt: taskEstimatesPrompt(
          chunk.map((t) => ({
            id: t.id,
            description: clip([t.description, t.body.trim()].filter(Boolean).join("\n"), DESCRIPTION_CHARS + BODY_CHARS).replace(/\n/g, "\n  "),
            files: t.files.slice(0, FILES_SENT),
            phase: clip(phaseOf(t), 120),
          })),
        ),
        schema: TaskEstimatesSchema,
        schemaName: "task_estimates",
        purpose: "task_estimates",
      }),
    ),
  );
  const open = new Set(sent.map((t) => t.id));
  const sizes: Record<string, EffortSize> = {};
  const ignored: string[] = [];
  for (const e of answers.flatMap((a) => a.estimates)) {
    if (!open.has(e.id) || sizes[e.id]) ignored.push(e.id);
    else sizes[e.id] = e.size;
  }
  const estimated = Object.keys(sizes).length;
  if (!estimated) {
    const issue = `the answer sized none of the ${sent.length} tasks sent${ignored.length ? ` (it named ${list(ignored)})` : ""}`;
    throw new StructuredOutputError(issue, { provider: llm.provider, model: llm.model, raw: list(ignored), issues: [issue], attempts: 1 });
  }
  const ranked = Object.values(sizes).sort((a, b) => SIZE_WEIGHT[a] - SIZE_WEIGHT[b]);
  const median = ranked[Math.floor((ranked.length - 1) / 2)]!;
  const filled = tasks.filter((t) => !sizes[t.id]).map((t) => t.id);
  for (const id of filled) sizes[id] = median;
  const leftOut = filled.filter((id) => open.has(id));
  const warnings = [
    ...(ignored.length
      ? [`the model's effort estimates named ${count(ignored.length, "id")} that are not open tasks sent to it, or named one twice (${list(ignored)}); ignored`]
      : []),
    ...(leftOut.length
      ? [`the model gave no effort estimate for ${count(leftOut.length, "task")} (${list(leftOut)}); they get the median size ${median}`]
      : []),
    ...(tasks.length > sent.length
      ? [
          `${count(tasks.length - sent.length, "open task")} past the first ${sent.length} ${tasks.length - sent.length === 1 ? "was" : "were"} not sent for an effort estimate; they get the median size ${median}`,
        ]
      : []),
  ];
  const weights = Object.fromEntries(Object.entries(sizes).map(([id, s]) => [id, SIZE_WEIGHT[s]]));
  return { model: llm.model, promptVersion: TASK_ESTIMATES_PROMPT_VERSION, weights, sizes, median, asked: sent.length, estimated, filled, ignored, warnings };
}

/** The report's section: tasks by size, the median-filled ones marked. */
export function renderEstimatesMarkdown(e: EffortEstimates): string {
  const filled = new Set(e.filled);
  const rows = [...SIZES].reverse().flatMap((size) => {
    const ids = Object.keys(e.sizes).filter((id) => e.sizes[id] === size);
    return ids.length ? [`| ${size} | ${SIZE_WEIGHT[size]} | ${ids.map((id) => (filled.has(id) ? `${id}*` : id)).join(", ")} |`] : [];
  });
  return [
    "### Effort estimates (model)",
    "",
    `Each open task's size as the model estimated it is its weight (${SIZES.map((s) => `${s} = ${SIZE_WEIGHT[s]}`).join(", ")}): the plan starts the heaviest path first. Weights given explicitly or stated in a task line are not estimated.`,
    "",
    "| Size | Weight | Tasks |",
    "|---|---|---|",
    ...rows,
    ...(filled.size ? ["", `\\* no estimate from the model: the median size (${e.median}).`] : []),
  ].join("\n");
}
