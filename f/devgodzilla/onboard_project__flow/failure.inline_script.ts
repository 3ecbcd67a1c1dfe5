// Onboarding failed: say why in one readable block. The flow stays failed (Windmill semantics).
import { ERROR_NAMES } from "../lib/errors.ts";

export async function main(message = "", name = "", step_id = "") {
  const hint = name === ERROR_NAMES.InputError || /^(repo|base_branch|branch)\b/.test(message)
    ? "Check the flow inputs: nothing was pushed and no working copy was left behind."
    : "Nothing was pushed. Retry the flow; if it fails again, check network access and credentials.";
  return { markdown: `## Onboarding failed${step_id ? ` at \`${step_id}\`` : ""}\n\n**${name || "Error"}**: ${message}\n\n${hint}` };
}
