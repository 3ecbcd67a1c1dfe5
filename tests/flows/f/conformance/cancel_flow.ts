import * as wmill from "windmill-client";

// Cancels a flow job (default: the one this step runs in) with a reason, as a deadline watch does;
// with then_fail it fails afterwards, as the deadline watch does.
export async function main(reason = "canceled on purpose", job = "", then_fail = false) {
  const id = job || process.env.WM_FLOW_JOB_ID!;
  await wmill.JobService.cancelQueuedJob({ workspace: process.env.WM_WORKSPACE!, id, requestBody: { reason } });
  if (then_fail) throw new Error(`canceled, and failing: ${reason}`);
  return { canceled: id };
}
