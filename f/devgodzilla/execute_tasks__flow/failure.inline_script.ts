// failure_module of execute_tasks: what failed and what to do next. The flow stays failed
// (Windmill semantics); this result is what the run page shows.
import { ERROR_NAMES as E } from "../lib/errors.ts";

export async function main(previous_result: { error?: { name?: string; message?: string; step_id?: string } } = {}) {
  const e = previous_result?.error ?? {};
  const next =
    e.name === E.InputError ? "Fix the named input and run the flow again." :
    e.name === E.TaskCycleError || e.name === E.DagError ? "Fix the dependencies in tasks.md (the cycle is named) and run again." :
    e.name === E.GitError || e.name === E.PushRejectedError ? "Check repository access and the run branch, then run the flow again: finished tasks are skipped." :
    "Fix the cause and run the flow again with the same inputs: tasks whose jobs already succeeded are skipped.";
  return { markdown: `### execute_tasks failed at \`${e.step_id ?? "?"}\`\n\n**${e.name ?? "Error"}**: ${e.message ?? "unknown error"}\n\n**Next**: ${next}` };
}
