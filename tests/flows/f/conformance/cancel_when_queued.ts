import * as wmill from "windmill-client";

// Without `flow`: starts itself as a job of its own (watching this step's flow) and returns at once;
// the step's module sleeps before `step` runs, so `step` waits as a queued job (scheduled for the
// end of the sleep). With `flow`: waits until that flow's module `step` has its job, then cancels the
// flow (with cancel_step: that queued job only).
export async function main(step: string, flow = "", reason = "canceled while a step was queued", cancel_step = false) {
  const workspace = process.env.WM_WORKSPACE!;
  if (!flow) {
    await wmill.runScriptByPathAsync("f/conformance/cancel_when_queued", { step, flow: process.env.WM_FLOW_JOB_ID!, reason, cancel_step });
    return { watching: step };
  }
  const until = Date.now() + 60_000;
  for (;;) {
    const job = (await wmill.JobService.getJob({ workspace, id: flow })) as { flow_status?: { modules?: { id?: string; job?: string }[] } };
    const queued = job.flow_status?.modules?.find((m) => m.id === step)?.job;
    if (queued) {
      await wmill.JobService.cancelQueuedJob({ workspace, id: cancel_step ? queued : flow, requestBody: { reason } });
      return { canceled: flow, queued };
    }
    if (Date.now() > until) throw new Error(`module ${step} of flow ${flow} never got a job`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
