import * as wmill from "windmill-client";

// Cancels the run's root flow when it is given `on` (as an operator would from the UI); returns what it was given.
export async function main(value: unknown = null, on: unknown = null) {
  if (JSON.stringify(value) === JSON.stringify(on)) {
    await wmill.JobService.cancelQueuedJob({
      workspace: process.env.WM_WORKSPACE!,
      id: process.env.WM_ROOT_FLOW_JOB_ID!,
      requestBody: { reason: "stopped by an operator" },
    });
  }
  return { value };
}
