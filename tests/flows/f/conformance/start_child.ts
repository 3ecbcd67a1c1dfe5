import * as wmill from "windmill-client";

// Starts a flow as its own job and waits for it, as execute_dag does with each task.
export async function main(flow_path = "f/conformance/approval") {
  const id = await wmill.runFlowAsync(flow_path, {}, null, false);
  return { child: id, result: await wmill.waitJob(id) };
}
