// The failure module of DevGodzilla's flows: which step failed, the error, and what to do next.
// The flow stays failed (Windmill semantics); this result is what its run page shows.
import { explainFailure } from "./lib/flow_failure.ts";

export async function main(previous_result: { error?: { name?: string; message?: string; step_id?: string } } = {}, flow = "the flow", where = "") {
  return explainFailure(flow || "the flow", previous_result?.error ?? {}, where ?? "");
}
