import * as wmill from "windmill-client";

// Cancels the run's root flow when it is given `on` (as an operator would from the UI); returns what
// it was given. With keep_running_ms it goes on working that long after canceling (the cancel kills
// it first). The root is WM_ROOT_FLOW_JOB_ID: inside a subflow or a parallel loop iteration, Windmill
// sets that to the subflow or iteration job itself. With own it cancels the flow job the step runs in
// (WM_FLOW_JOB_ID: in a loop, sequential or parallel, the iteration's job).
export async function main(value: unknown = null, on: unknown = null, keep_running_ms = 0, own = false) {
  if (JSON.stringify(value) === JSON.stringify(on)) {
    await wmill.JobService.cancelQueuedJob({
      workspace: process.env.WM_WORKSPACE!,
      id: own ? process.env.WM_FLOW_JOB_ID! : process.env.WM_ROOT_FLOW_JOB_ID!,
      requestBody: { reason: "stopped by an operator" },
    });
    await new Promise((r) => setTimeout(r, keep_running_ms));
  }
  return { value };
}
