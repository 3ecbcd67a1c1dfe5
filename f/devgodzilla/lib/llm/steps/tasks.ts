// tasks: spec.md + plan.md (+ research, data model, contracts) → tasks.md in Spec Kit's exact
// format with explicit `(depends on T0xx)` and `(criteria: US1-AS1, FR-001)`, and criteria.md beside
// it: the spec's acceptance criteria with the stories and tasks they belong to. Dependencies and
// criteria are validated (known keys and ids, no cycle) before anything is written.

import { repoFiles } from "../../repo/files.ts";
import { TasksDraft } from "../artifacts/schemas.ts";
import { renderTasks } from "../artifacts/render.ts";
import { parseSpec, requireStories } from "../artifacts/parse.ts";
import { criteriaFromSpec, renderCriteria, CRITERIA_FILE, type Criterion } from "../artifacts/criteria.ts";
import { featureFrom, progress, runStep, stepRef, targetBranch, type StepOutput } from "../artifacts/step.ts";
import { TASKS_PROMPT_VERSION, TASKS_SYSTEM, tasksPrompt } from "../../../prompts/tasks.ts";
import { stepLlm, promptContext, requireArtifact, type CommonParams } from "./common.ts";

export interface TasksParams extends CommonParams {
  feature?: string;
}

export interface TasksResult extends StepOutput {
  feature: string;
  feature_dir: string;
  tasks_path: string;
  /** specs/<feature>/criteria.md: the acceptance criteria and the tasks that name them. */
  criteria_path: string;
  criteria_count: number;
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

/** Each criterion with the tasks that name it; a requirement belongs to the stories of those tasks. */
export function withTasks(criteria: readonly Criterion[], draft: TasksDraft, ids: Record<string, string>): Criterion[] {
  const named = new Map<string, { tasks: string[]; stories: Set<string> }>();
  const note = (keyed: TasksDraft["setup"], story?: number) => {
    for (const t of keyed)
      for (const id of t.criteria) {
        const e = named.get(id) ?? { tasks: [], stories: new Set<string>() };
        e.tasks.push(ids[t.key]!);
        if (story) e.stories.add(`US${story}`);
        named.set(id, e);
      }
  };
  note(draft.setup);
  note(draft.foundational);
  for (const s of draft.stories) note([...s.tests, ...s.implementation], s.storyIndex);
  note(draft.polish);
  const byId = (a: string, b: string) => a.localeCompare(b, undefined, { numeric: true });
  return criteria.map((c) => {
    const e = named.get(c.id);
    return { ...c, tasks: e ? [...new Set(e.tasks)].sort(byId) : [], stories: c.stories.length ? c.stories : e ? [...e.stories].sort(byId) : [] };
  });
}

export async function runTasks(p: TasksParams): Promise<TasksResult> {
  const ref = stepRef(p);
  const paths = featureFrom(p.feature, ref.branch);
  const { llm, redactor } = stepLlm(p);

  return runStep({ ref, gitToken: p.git_token, llm, redactor }, async (ws) => {
    const spec = await requireArtifact(ws, paths.spec, "specify");
    const plan = await requireArtifact(ws, paths.plan, "plan");
    const parsed = parseSpec(spec);
    requireStories(spec, paths.spec); // names the section, the heading expected and the nearest one found
    const contractFiles = (await repoFiles(ws.dir).list(paths.contracts)).filter((e) => e.kind === "file").map((e) => e.name);
    const contracts = (await Promise.all(contractFiles.map(async (f) => `--- ${f}\n${(await ws.read(`${paths.contracts}/${f}`)) ?? ""}`)))
      .join("\n")
      .slice(0, 20_000);
    const ctx = await promptContext(ws, `${parsed.title}\n${plan.slice(0, 3000)}`, p.context_budget_tokens ?? 4000);
    await progress(10);
    const storyNumbers = new Set(parsed.stories.map((s) => s.number));
    const criteria = criteriaFromSpec(spec, parsed);
    const criterionIds = new Set(criteria.map((c) => c.id));
    // Story indexes and the dependency graph are checked inside the schema, so a bad answer is re-asked.
    const schema = TasksDraft.superRefine((d, c) => {
      for (const s of d.stories)
        if (!storyNumbers.has(s.storyIndex))
          c.addIssue({
            code: "custom",
            path: ["stories"],
            message: `storyIndex ${s.storyIndex} is not a user story of the spec (valid: ${[...storyNumbers].join(", ")})`,
          });
      const all = [...d.setup, ...d.foundational, ...d.stories.flatMap((s) => [...s.tests, ...s.implementation]), ...d.polish];
      const cycle = findCycle(all);
      if (cycle) c.addIssue({ code: "custom", path: ["dependsOn"], message: `dependency cycle: ${cycle.join(" -> ")}` });
      for (const t of all)
        for (const id of t.criteria)
          if (!criterionIds.has(id))
            c.addIssue({
              code: "custom",
              path: ["criteria"],
              message: `task "${t.key}" names criterion ${id}, which is not in the criteria list (valid: ${[...criterionIds].slice(0, 40).join(", ")})`,
            });
    });
    const draft = await llm.structured({
      system: TASKS_SYSTEM,
      prompt: tasksPrompt(
        { spec, plan, dataModel: await ws.read(paths.dataModel), research: await ws.read(paths.research), contracts: contracts || undefined, criteria },
        ctx,
      ),
      schema,
      schemaName: "task_list",
      purpose: "tasks",
    });
    await progress(80);
    const rendered = renderTasks(draft, { featureTitle: parsed.title || paths.feature, featureDir: paths.feature, stories: parsed.stories });
    await ws.write(paths.tasks, rendered.markdown);
    const criteriaPath = `${paths.dir}/${CRITERIA_FILE}`;
    await ws.write(criteriaPath, renderCriteria(parsed.title || paths.feature, withTasks(criteria, draft, rendered.ids)));
    return {
      branch: targetBranch(ref.branch, paths.feature),
      message: `tasks: ${paths.feature} (${rendered.count} tasks)`,
      result: {
        feature: paths.feature,
        feature_dir: paths.dir,
        tasks_path: paths.tasks,
        criteria_path: criteriaPath,
        criteria_count: criteria.length,
        task_count: rendered.count,
        phases: [...rendered.markdown.matchAll(/^## (Phase \d+: .+)$/gm)].map((m) => m[1]!),
        prompt_version: TASKS_PROMPT_VERSION,
      },
    };
  });
}
