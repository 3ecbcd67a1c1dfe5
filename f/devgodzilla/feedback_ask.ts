// task_with_qa, step `ask` (an approval): when the decision is clarify, shows the agent's question
// with its options and the recommended answer (pre-filled in the form). Otherwise it resumes itself
// at once: the flow goes on without asking anybody.
import { askClarify, type Decided } from "./lib/qa/feedback-step.ts";

export async function main(decide: { [key: string]: unknown } = {}) {
  return await askClarify({ decide: (decide ?? {}) as Decided });
}
