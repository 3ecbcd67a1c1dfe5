// tasks.md (Spec Kit format, ours or anyone's) → typed task DAG: tasks, phases, dependencies each
// with why it exists (explicit / prose "quote" / LLM "quote" / phase / story / order / same file),
// topological levels, critical path, and a markdown report to audit before agents run. With an
// LLM resource the model also reads the dependency sentences (each relation checked before use) and
// sizes each open task, so the plan starts the big ones first (estimate_effort).
// A dependency cycle among explicit statements fails the job with the cycle named.
import { runTaskDag } from "./lib/llm/steps/task_dag.ts";

export async function main(
  tasks_md = "",
  weights: { [task_id: string]: number } = {},
  same_file_serialization = true,
  story_order: "auto" | "parallel" | "sequential" = "auto",
  repo = "",
  commit = "",
  feature = "",
  github?: RT.Github,
  llm?: RT.CDevgodzillaLlm,
  estimate_effort = true,
) {
  // A flow passes null for an input its caller left out: that means the default.
  return await runTaskDag({
    tasks_md: tasks_md ?? "",
    weights: weights ?? {},
    same_file_serialization: same_file_serialization ?? true,
    story_order: story_order ?? "auto",
    repo: repo ?? "",
    commit: commit ?? "",
    feature: feature ?? "",
    git_token: github?.token,
    llm: llm ?? undefined,
    estimate_effort: estimate_effort ?? true,
  });
}
