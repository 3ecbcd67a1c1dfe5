// tasks.md (Spec Kit format, ours or anyone's) → typed task DAG: tasks, phases, dependencies with
// their source (explicit / prose / phase / order / same file), topological levels, critical path,
// and a markdown summary. A dependency cycle fails the job with the cycle named.
import { runTaskDag } from "./lib/speckit/task_dag_step.ts";

export async function main(
  tasks_md = "",
  weights: { [task_id: string]: number } = {},
  same_file_serialization = true,
  story_order: "auto" | "parallel" | "sequential" = "auto",
  repo = "",
  commit = "",
  feature = "",
  github?: RT.Github,
) {
  // A flow passes null for an input its caller left out: that means the default.
  return await runTaskDag({
    tasks_md: tasks_md ?? "", weights: weights ?? {}, same_file_serialization: same_file_serialization ?? true, story_order: story_order ?? "auto",
    repo: repo ?? "", commit: commit ?? "", feature: feature ?? "", git_token: github?.token,
  });
}
