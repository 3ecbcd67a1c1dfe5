// Where a DevGodzilla run stands: steps, tasks, agents, QA verdicts, pending approvals (with
// links) and cost so far, read from Windmill's own job records.
import { runStatus } from "./lib/platform/run_status.ts";

export async function main(job_id: string) {
  const s = await runStatus(job_id.trim());
  return { markdown: s.markdown };
}
