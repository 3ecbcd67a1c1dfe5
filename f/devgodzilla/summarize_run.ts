// Last step of spec_to_pr: the run at a glance in the Windmill run page — tasks, agents, QA
// verdicts, cost (spec steps, planning, tasks with their QA loops, run QA and the failed attempts
// of retried steps, read from their jobs) and the pull request —
// plus the plain fields a caller (webhook, schedule) reads.
// The content is decided in lib/run_summary.ts (tested there); this step only wires it.
import { summarizeRun, type TaskOutcome, type Usage } from "./lib/run_summary.ts";
import { currentJob } from "./lib/platform/windmill.ts";
import { failedAttemptsUsage } from "./lib/llm/spent.ts";

export async function main(
  feature: string,
  branch: string,
  commit: string,
  spec_usage: Usage = {},
  execution: {
    status?: string;
    tasks?: TaskOutcome[];
    usage?: Usage;
    planning_usage?: { usage?: Usage; unpriced_models?: string[] };
    tasks_usage?: Usage;
    stop_reason?: string;
  } = {},
  qa: { passed?: boolean; verdict?: { status?: string; score?: number }; report_path?: string; usage?: Usage } | null = null,
  pr_runs: ({ pr?: { url?: string; number?: number; action?: string; draft?: boolean } } | null)[] = [],
  clarifications_answered = 0,
) {
  // The PR step is a loop that ran once (a forge resource was given) or not at all.
  const pr = (pr_runs ?? []).map((r) => r?.pr).find((x) => x?.url) ?? null;
  // A retried step's failed attempts are jobs of their own (run QA's spent model calls): read from Windmill.
  const flowJob = currentJob().flowJobId;
  let retried_usage: Usage | null = null;
  let retried_unread: string | null = null;
  if (flowJob) retried_usage = await failedAttemptsUsage(flowJob).catch((e: Error) => ((retried_unread = e.message), null));
  return summarizeRun({
    feature,
    branch,
    commit,
    spec_usage,
    execution,
    qa,
    pr,
    clarifications_answered,
    retried_usage,
    retried_unread,
  });
}
