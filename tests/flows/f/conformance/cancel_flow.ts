import * as wmill from "windmill-client";

// Cancels a flow job (default: the one this step runs in) with a reason, as a deadline watch does;
// with then_fail it fails afterwards, as the deadline watch does; with keep_running_ms it goes on
// working that long (the cancel kills it first).
export async function main(reason = "canceled on purpose", job = "", then_fail = false, keep_running_ms = 0) {
  const id = job || process.env.WM_FLOW_JOB_ID!;
  await wmill.JobService.cancelQueuedJob({ workspace: process.env.WM_WORKSPACE!, id, requestBody: { reason } });
  if (then_fail) throw new Error(`canceled, and failing: ${reason}`);
  await new Promise((r) => setTimeout(r, keep_running_ms));
  return { canceled: id };
}
