import * as wmill from "windmill-client";

// Reads what a Windmill job gets: its env, a resource, a variable; sets progress.
export async function main(res_path = "", var_path = "", optional_path = "") {
  await wmill.setProgress(42);
  return {
    job_id: process.env.WM_JOB_ID,
    flow_job_id: process.env.WM_FLOW_JOB_ID,
    root_flow_job_id: process.env.WM_ROOT_FLOW_JOB_ID,
    step_id: process.env.WM_FLOW_STEP_ID,
    workspace: process.env.WM_WORKSPACE,
    resource: res_path ? await wmill.getResource(res_path) : null,
    variable: var_path ? await wmill.getVariable(var_path) : null,
    // getResource(path, true): undefined when the resource does not exist (Windmill answers 404).
    optional: optional_path ? ((await wmill.getResource(optional_path, true)) ?? "absent") : null,
  };
}
