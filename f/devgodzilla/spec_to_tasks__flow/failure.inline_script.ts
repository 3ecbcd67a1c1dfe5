// failure_module of spec_to_tasks: a readable account of what failed and what to do next.
// The flow stays failed (Windmill semantics); this result is what the run page shows.
import { ERROR_NAMES as E } from "../lib/errors.ts";

export async function main(previous_result: { error?: { name?: string; message?: string; step_id?: string } } = {}) {
  const e = previous_result?.error ?? {};
  const next =
    e.name === E.InputError ? "Fix the named input and run the flow again." :
    e.name === E.ConstitutionViolationError ? "Adjust the plan or amend the constitution, then restart from the plan step." :
    e.name === E.ContextOverflowError ? "Narrow the feature description (or clarify scope), or use a model with a larger context window." :
    e.name === E.StructuredOutputError ? "The model's answer did not fit the expected structure; retry, or use a stronger model." :
    e.name === E.TransientLlmError ? "The model provider was unavailable; restart from the failed step later." :
    "Read the error, fix the cause and restart from the failed step.";
  return { markdown: `### spec_to_tasks failed at \`${e.step_id ?? "?"}\`\n\n**${e.name ?? "Error"}**: ${e.message ?? "unknown error"}\n\n**Next**: ${next}` };
}
