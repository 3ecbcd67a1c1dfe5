// Returns the flow job this step runs in (WM_FLOW_JOB_ID): later steps address its flow user state.
export async function main() {
  return { flow_job: process.env.WM_FLOW_JOB_ID ?? "" };
}
