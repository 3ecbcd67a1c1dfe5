import * as wmill from "windmill-client";

// Starts a flow as its own job and waits for it, as execute_dag does with each task: a job of the
// same flow with the same arguments that is still running (or succeeded) is adopted, not started twice.
export async function main(flow_path = "f/conformance/approval", args: Record<string, unknown> = {}) {
  const workspace = process.env.WM_WORKSPACE!;
  const same = async (filter: { running?: boolean; success?: boolean }) =>
    ((await wmill.JobService.listJobs({ workspace, scriptPathExact: flow_path, ...filter })) as { id: string; args?: unknown }[]).find(
      (j) => Object.keys(args).length > 0 && JSON.stringify(j.args) === JSON.stringify(args),
    );
  const adopted = (await same({ success: true })) ?? (await same({ running: true }));
  const id = adopted?.id ?? (await wmill.runFlowAsync(flow_path, args, null, false));
  return { child: id, result: await wmill.waitJob(id) };
}
