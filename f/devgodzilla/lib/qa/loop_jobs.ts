// The step jobs of one task_with_qa round, read from Windmill (lib/llm/spent.ts): the loop's finish
// reads the failed attempts of its retried steps, its failure module every step job of the round.
// Reading them is accounting: when Windmill cannot be read the loop still ends, and says so.

import { flowJobResults } from "../llm/spent.ts";
import type { StepJobResults } from "./feedback-step.ts";

/** The round's steps whose jobs make model calls (module ids of task_with_qa). */
const STEPS = ["execute", "qa", "decide", "replan"] as const;

export async function roundJobResults(flowJobId: string, failedOnly: boolean): Promise<{ jobs: StepJobResults; unread: string | null }> {
  if (!flowJobId) return { jobs: {}, unread: "not running in a flow" };
  try {
    return { jobs: await flowJobResults(flowJobId, { modules: [...STEPS], failedOnly }), unread: null };
  } catch (e) {
    return { jobs: {}, unread: (e as Error).message };
  }
}
