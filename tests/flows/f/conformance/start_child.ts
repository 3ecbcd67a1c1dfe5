import * as wmill from "windmill-client";

// Starts a flow as its own job and waits for it, as execute_dag does with each task: a job of the
// same flow with the same arguments that is still running (or succeeded) is adopted, not started twice.
export async function main(flow_path = "f/conformance/approval", args: Record<string, unknown> = {}) {
  const workspace = process.env.WM_WORKSPACE!;
  // Windmill's job list carries no args: it is filtered by them (JSON containment) instead.
  const same = async (filter: { running?: boolean; success?: boolean }) =>
    Object.keys(args).length > 0
      ? ((await wmill.JobService.listJobs({ workspace, scriptPathExact: flow_path, args: JSON.stringify(args), ...filter })) as { id: string }[])[0]
      : undefined;
  // Running first, then succeeded: a job only moves from running to succeeded, so one that ends
  // between the two queries is still found (the other order starts a second child).
  const adopted = (await same({ running: true })) ?? (await same({ success: true }));
  const id = adopted?.id ?? (await wmill.runFlowAsync(flow_path, args, null, false));
  return { child: id, result: await wmill.waitJob(id) };
}
