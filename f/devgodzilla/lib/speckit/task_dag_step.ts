// The task_dag script's body: parse tasks.md given as text, or read specs/<feature>/tasks.md at an
// exact commit of the repository (so a flow can pass { repo, commit, feature } from the tasks step).

import * as fs from "node:fs/promises";
import * as path from "node:path";
import { z } from "zod";
import { InputError } from "../errors.ts";
import { checkout } from "../git.ts";
import { featurePaths } from "./paths.ts";
import { parseTasksMd, renderDagMarkdown, type TaskDag } from "./tasks.ts";

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
});
export type TaskDagInput = z.input<typeof TaskDagInputSchema>;
export type TaskDagResult = TaskDag & { markdown: string; source: string };

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
      text = await fs.readFile(path.join(wc.dir, paths.tasks), "utf8").catch(() => {
        throw new InputError("feature", `${paths.tasks} does not exist at commit ${args.commit.slice(0, 12)}`, "run the tasks step first");
      });
      source = `${paths.tasks}@${wc.commit}`;
    } finally {
      await wc.cleanup();
    }
  }
  const dag = parseTasksMd(text, {
    weights: args.weights,
    sameFileSerialization: args.same_file_serialization,
    storyOrder: args.story_order,
  });
  return { ...dag, source, markdown: renderDagMarkdown(dag) };
}
