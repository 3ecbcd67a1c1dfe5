// Failure module of spec_to_pr: says which step failed and why, and where a person picks up —
// the run branch is pushed after every step, so the work done so far is on it.
export async function main(error: { message?: string; name?: string; step_id?: string }, repo = "", base_branch = "") {
  const step = error.step_id ?? "unknown step";
  const markdown = [
    `## spec_to_pr failed at step \`${step}\``,
    "",
    `**${error.name ?? "Error"}**: ${error.message ?? "(no message)"}`,
    "",
    `Every finished step pushed its work to the run branch (\`devgodzilla/…\`) of ${repo || "the repository"};`,
    `compare it with ${base_branch ? `\`${base_branch}\`` : "the base branch"} to see what is there, fix the cause, and run the flow again:`,
    "finished tasks are not run twice. `f/devgodzilla/run_status` shows each step of this run.",
  ].join("\n");
  return { markdown, failed_step: step, error };
}
