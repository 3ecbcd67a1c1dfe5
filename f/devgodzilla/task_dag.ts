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
  return await runTaskDag({ tasks_md, weights, same_file_serialization, story_order, repo, commit, feature, git_token: github?.token });
}
