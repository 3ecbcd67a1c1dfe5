// What a flow's failure module shows: which step failed, the error, and what to do next — chosen
// by the error's class (matched on the exported classes' names, never on a string typed again).

import { ConfigError, InputError } from "./errors.ts";
import { DagError } from "./dag/graph.ts";
import { TaskAttemptsError } from "./dag/task_attempts.ts";
import { RunDeadlineError } from "./dag/watch.ts";
import { TaskCycleError } from "./speckit/tasks.ts";
import { GitError, PushRejectedError } from "./git.ts";
import { ConstitutionViolationError, ContextOverflowError, LlmRequestError, StructuredOutputError, TransientLlmError } from "./llm/errors.ts";
import { SandboxUnavailableError } from "./sandbox/index.ts";
import { WindmillError } from "./platform/windmill.ts";

export interface StepFailure {
  name?: string;
  message?: string;
  step_id?: string;
}

const NEXT: [names: string[], next: string][] = [
  [[InputError.name, ConfigError.name], "Fix the named input or resource and run the flow again: nothing was changed."],
  [[DagError.name, TaskCycleError.name], "Fix the dependencies in tasks.md (the cycle or unknown task is named) and run again."],
  [
    [TaskAttemptsError.name],
    "Every attempt of the task failed: read its job's log, fix the cause (or give fallback_agents) and run again — finished tasks are skipped.",
  ],
  [
    [RunDeadlineError.name],
    "The run passed its deadline and was canceled: give the named tasks' tags live workers (or more of them), then run execute_tasks again with the same inputs — finished tasks are skipped.",
  ],
  [[GitError.name, PushRejectedError.name], "Check repository access and the run branch, then run the flow again: finished steps are not repeated."],
  [[ConstitutionViolationError.name], "Adjust the plan or amend the constitution, then run again from the plan step."],
  [[ContextOverflowError.name], "Narrow the feature description (or clarify its scope), or use a model with a larger context window."],
  [[StructuredOutputError.name], "The model's answer did not fit the expected structure: run again, or use a stronger model."],
  [[TransientLlmError.name, LlmRequestError.name], "The model provider failed: check the LLM resource (key, base_url) and run again later."],
  [[SandboxUnavailableError.name], "Install bubblewrap and socat on the worker, or set sandbox_policy to allow_unsandboxed."],
  [[WindmillError.name], "A call to the Windmill API failed: check the server and the flow's permissions, then run again."],
  [["SuspendedTimedOut", "SuspendedDisapproved"], "An approval was not given in time or was refused: run the flow again when someone can answer."],
  [["Canceled"], "The run was canceled (the reason is above): run the flow again with the same inputs to continue where it stopped."],
];

export function nextStep(name = ""): string {
  return NEXT.find(([names]) => names.includes(name))?.[1] ?? "Read the error, fix the cause and run the flow again: finished steps are not repeated.";
}

/** The flows' first step (f/devgodzilla/preflight): when it fails, no step has run, so there is no work to point at. */
export const PREFLIGHT_STEP = "preflight";

/** The failure module's result: markdown for the run page, plus the failed step and error as data. */
export function explainFailure(flow: string, error: StepFailure, where = ""): { markdown: string; failed_step: string; error: StepFailure } {
  const step = error.step_id ?? "?";
  const markdown = [
    `### ${flow} failed at \`${step}\``,
    "",
    `**${error.name ?? "Error"}**: ${error.message ?? "(no message)"}`,
    "",
    `**Next**: ${nextStep(error.name)}`,
    ...(step === PREFLIGHT_STEP ? ["", "Nothing ran after the preflight check: no branch was pushed and no model was called."] : where ? ["", where] : []),
  ].join("\n");
  return { markdown, failed_step: step, error };
}
