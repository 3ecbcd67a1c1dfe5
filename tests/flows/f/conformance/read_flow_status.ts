import * as wmill from "windmill-client";

// Reads, while it runs, the flow_status of the flow job it runs in and of its parent flow job (as a
// Windmill UI or run_status would), with its own job id to find itself there.
export async function main(tag = "") {
  const workspace = process.env.WM_WORKSPACE!;
  const own = await wmill.JobService.getJob({ workspace, id: process.env.WM_FLOW_JOB_ID! });
  const parent = own.parent_job ? await wmill.JobService.getJob({ workspace, id: own.parent_job }) : undefined;
  return {
    tag,
    job: process.env.WM_JOB_ID,
    flow_job: own.id,
    flow_job_kind: own.job_kind,
    parent_job: own.parent_job ?? null,
    own: (own as { flow_status?: unknown }).flow_status ?? null,
    parent: (parent as { flow_status?: unknown } | undefined)?.flow_status ?? null,
  };
}
