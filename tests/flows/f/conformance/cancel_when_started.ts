import * as wmill from "windmill-client";

// Two parallel loop iterations: the first marks in the flow user state of `state_job` that it has
// started, then works for keep_running_ms; the second waits for that mark, then cancels `state_job`
// (the run) and works on too. The cancel kills both while they run.
export async function main(iter: { index: number; value: unknown }, state_job: string, keep_running_ms = 30000) {
  const workspace = process.env.WM_WORKSPACE!;
  if (iter.index === 0) {
    await wmill.JobService.setFlowUserState({ workspace, id: state_job, key: "started", requestBody: true });
  } else {
    const until = Date.now() + 60_000;
    while (!(await wmill.JobService.getFlowUserState({ workspace, id: state_job, key: "started" }))) {
      if (Date.now() > until) throw new Error("the first iteration never started");
      await new Promise((r) => setTimeout(r, 100));
    }
    await wmill.JobService.cancelQueuedJob({ workspace, id: state_job, requestBody: { reason: "stopped while both ran" } });
  }
  await new Promise((r) => setTimeout(r, keep_running_ms));
  return { index: iter.index };
}
