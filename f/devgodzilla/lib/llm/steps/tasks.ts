// tasks: spec.md + plan.md (+ research, data model, contracts) → tasks.md in Spec Kit's exact
// format with explicit `(depends on T0xx)`. Dependencies are validated (known keys, no cycle)
// before anything is written.

import { repoFiles } from "../../repo/files.ts";
import { TasksDraft } from "../artifacts/schemas.ts";
import { renderTasks } from "../artifacts/render.ts";
import { parseSpec } from "../artifacts/parse.ts";
import { featureFrom, progress, runStep, stepRef, targetBranch, type StepOutput } from "../artifacts/step.ts";
import { TASKS_PROMPT_VERSION, TASKS_SYSTEM, tasksPrompt } from "../../../prompts/tasks.ts";
import { stepLlm, promptContext, requireArtifact, type CommonParams } from "./common.ts";
import { InputError } from "../../errors.ts";

export interface TasksParams extends CommonParams {
  feature?: string;
}

export interface TasksResult extends StepOutput {
  feature: string;
  feature_dir: string;
  tasks_path: string;
  task_count: number;
  phases: string[];
  prompt_version: string;
}

/** A cycle among task keys, or null. */
export function findCycle(tasks: { key: string; dependsOn: string[] }[]): string[] | null {
  const deps = new Map(tasks.map((t) => [t.key, t.dependsOn]));
  const state = new Map<string, 1 | 2>();
  const stack: string[] = [];
  const visit = (k: string): string[] | null => {
    if (state.get(k) === 2) return null;
    if (state.get(k) === 1) return [...stack.slice(stack.indexOf(k)), k];
    state.set(k, 1);
    stack.push(k);
    for (const d of deps.get(k) ?? []) {
      const c = visit(d);
      if (c) return c;
    }
    stack.pop();
    state.set(k, 2);
    return null;
  };
  for (const t of tasks) {
    const c = visit(t.key);
    if (c) return c;
  }
  return null;
}

export async function runTasks(p: TasksParams): Promise<TasksResult> {
  const ref = stepRef(p);
  const paths = featureFrom(p.feature, ref.branch);
  const { llm, redactor } = stepLlm(p);

  return runStep({ ref, gitToken: p.git_token, llm, redactor }, async (ws) => {
    const spec = await requireArtifact(ws, paths.spec, "specify");
    const plan = await requireArtifact(ws, paths.plan, "plan");
    const parsed = parseSpec(spec);
    if (!parsed.stories.length) throw new InputError("feature", `${paths.spec} has no "### User Story N - Title (Priority: Pn)" sections to organise tasks by`);
    const contractFiles = (await repoFiles(ws.dir).list(paths.contracts)).filter((e) => e.kind === "file").map((e) => e.name);
    const contracts = (await Promise.all(contractFiles.map(async (f) => `--- ${f}\n${(await ws.read(`${paths.contracts}/${f}`)) ?? ""}`))).join("\n").slice(0, 20_000);
    const ctx = await promptContext(ws, `${parsed.title}\n${plan.slice(0, 3000)}`, p.context_budget_tokens ?? 4000);
    await progress(10);
    const storyNumbers = new Set(parsed.stories.map((s) => s.number));
    // Story indexes and the dependency graph are checked inside the schema, so a bad answer is re-asked.
    const schema = TasksDraft.superRefine((d, c) => {
      for (const s of d.stories) if (!storyNumbers.has(s.storyIndex)) c.addIssue({ code: "custom", path: ["stories"], message: `storyIndex ${s.storyIndex} is not a user story of the spec (valid: ${[...storyNumbers].join(", ")})` });
      const all = [...d.setup, ...d.foundational, ...d.stories.flatMap((s) => [...s.tests, ...s.implementation]), ...d.polish];
      const cycle = findCycle(all);
      if (cycle) c.addIssue({ code: "custom", path: ["dependsOn"], message: `dependency cycle: ${cycle.join(" -> ")}` });
    });
    const draft = await llm.structured({
      system: TASKS_SYSTEM,
      prompt: tasksPrompt({ spec, plan, dataModel: await ws.read(paths.dataModel), research: await ws.read(paths.research), contracts: contracts || undefined }, ctx),
      schema,
      schemaName: "task_list",
      purpose: "tasks",
    });
    await progress(80);
    const rendered = renderTasks(draft, { featureTitle: parsed.title || paths.feature, featureDir: paths.feature, stories: parsed.stories });
    await ws.write(paths.tasks, rendered.markdown);
    return {
      branch: targetBranch(ref.branch, paths.feature),
      message: `tasks: ${paths.feature} (${rendered.count} tasks)`,
      result: {
        feature: paths.feature,
        feature_dir: paths.dir,
        tasks_path: paths.tasks,
        task_count: rendered.count,
        phases: [...rendered.markdown.matchAll(/^## (Phase \d+: .+)$/gm)].map((m) => m[1]!),
        prompt_version: TASKS_PROMPT_VERSION,
      },
    };
  });
}
