// Last step of spec_to_tasks: what the run produced and what it cost. Steps passed through by an
// identity branch repeat an earlier result, so usage is summed once per usage_id.
type Usage = { calls?: number; inputTokens?: number; outputTokens?: number; costUsd?: number; unpricedModels?: string[] };
type StepResult = { usage?: Usage; usage_id?: string } | null | undefined;

export async function main(
  branch: string,
  commit: string,
  feature: string,
  feature_dir: string,
  steps: StepResult[] = [],
  rounds: ({ answered?: object[]; usage_id?: string } | null)[] = [],
  analysis: { severity_counts?: Record<string, number>; markdown?: string; report?: { metrics?: object } } = {},
  profile: object = {},
) {
  const seen = new Set<string>();
  const usage = { calls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0, unpricedModels: [] as string[] };
  for (const s of steps) {
    if (!s?.usage || (s.usage_id && seen.has(s.usage_id))) continue;
    if (s.usage_id) seen.add(s.usage_id);
    usage.calls += s.usage.calls ?? 0;
    usage.inputTokens += s.usage.inputTokens ?? 0;
    usage.outputTokens += s.usage.outputTokens ?? 0;
    usage.costUsd = Math.round((usage.costUsd + (s.usage.costUsd ?? 0)) * 1e6) / 1e6;
    for (const m of s.usage.unpricedModels ?? []) if (!usage.unpricedModels.includes(m)) usage.unpricedModels.push(m);
  }
  // A round that asked nothing passes the previous result through: count each clarify run once.
  const answeredIds = new Set<string>();
  let answered = 0;
  for (const r of rounds) {
    if (!r?.answered || !r.usage_id || answeredIds.has(r.usage_id)) continue;
    answeredIds.add(r.usage_id);
    answered += r.answered.length;
  }
  return {
    branch,
    commit,
    feature,
    feature_dir,
    clarifications_answered: answered,
    severity_counts: analysis.severity_counts ?? {},
    metrics: analysis.report?.metrics ?? {},
    analysis_markdown: analysis.markdown ?? "",
    usage,
    // onboard's project profile: later flows (spec_to_pr → execute_tasks, qa) run the project's own commands from it.
    profile,
  };
}
