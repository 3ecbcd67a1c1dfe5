// Last step of spec_to_tasks: what the run produced and what it cost. A clarify round that asked
// nothing passed the spec through without a model call (no usage); each step's usage is counted
// once (by usage_id), and the failed attempts of retried steps are added (read from their jobs'
// errors, lib/llm/spent.ts).
import { currentJob } from "./lib/platform/windmill.ts";
import { failedAttemptsUsage } from "./lib/llm/spent.ts";
import { sumUsage } from "./lib/llm/usage.ts";
type Usage = { calls?: number; inputTokens?: number; outputTokens?: number; costUsd?: number; unpricedModels?: string[] };
type StepResult = { usage?: Usage; usage_id?: string; answered?: object[] } | null | undefined;

export async function main(
  branch: string,
  commit: string,
  feature: string,
  feature_dir: string,
  specify: StepResult = null,
  clarify1: StepResult = null,
  clarify2: StepResult = null,
  plan: StepResult = null,
  tasks: StepResult = null,
  analysis: { severity_counts?: Record<string, number>; markdown?: string; report?: { metrics?: object }; usage?: Usage; usage_id?: string } = {},
  profile: object = {},
) {
  const seen = new Set<string>();
  const usage = { calls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0, unpricedModels: [] as string[] };
  for (const s of [specify, clarify1, clarify2, plan, tasks, analysis]) {
    if (!s?.usage || (s.usage_id && seen.has(s.usage_id))) continue;
    if (s.usage_id) seen.add(s.usage_id);
    usage.calls += s.usage.calls ?? 0;
    usage.inputTokens += s.usage.inputTokens ?? 0;
    usage.outputTokens += s.usage.outputTokens ?? 0;
    usage.costUsd = Math.round((usage.costUsd + (s.usage.costUsd ?? 0)) * 1e6) / 1e6;
    for (const m of s.usage.unpricedModels ?? []) if (!usage.unpricedModels.includes(m)) usage.unpricedModels.push(m);
  }
  // A retried step's failed attempts spent too: their jobs are in the flow's failed_retries.
  const flowJob = currentJob().flowJobId;
  let retriedUnread: string | null = null;
  const retried = flowJob ? await failedAttemptsUsage(flowJob).catch((e: Error) => ((retriedUnread = e.message), null)) : null;
  const { byModel: _byModel, ...total } = sumUsage({ ...usage, byModel: {} }, retried);
  const answered = (clarify1?.answered?.length ?? 0) + (clarify2?.answered?.length ?? 0);
  return {
    branch,
    commit,
    feature,
    feature_dir,
    clarifications_answered: answered,
    severity_counts: analysis?.severity_counts ?? {},
    metrics: analysis?.report?.metrics ?? {},
    analysis_markdown: analysis?.markdown ?? "",
    usage: total,
    ...(retriedUnread ? { usage_note: `the failed attempts of retried steps were not read, their usage is missing: ${retriedUnread}` } : {}),
    // onboard's project profile: later flows (spec_to_pr → execute_tasks, qa) run the project's own commands from it.
    profile,
  };
}
