// Last step of spec_to_pr: the run at a glance in the Windmill run page — tasks, agents, QA
// verdicts, cost and the pull request — plus the plain fields a caller (webhook, schedule) reads.
type Usage = { inputTokens?: number; outputTokens?: number; costUsd?: number; tokens?: number; cost_usd?: number; unpricedModels?: string[] };
type Task = { id: string; status: string; agent?: string; model?: string | null; agent_source?: string; attempts?: number; merge?: string; error?: string; blocked_by?: string; usage?: Usage };

const money = (n: number) => `$${n.toFixed(4)}`;
const tokensOf = (u?: Usage) => (u?.tokens ?? (u?.inputTokens ?? 0) + (u?.outputTokens ?? 0));
const costOf = (u?: Usage) => u?.cost_usd ?? u?.costUsd ?? 0;

export async function main(
  feature: string,
  branch: string,
  commit: string,
  spec_usage: Usage = {},
  execution: { status?: string; tasks?: Task[]; usage?: Usage; stop_reason?: string; makespan_ms?: number } = {},
  qa: { passed?: boolean; verdict?: { status?: string; score?: number }; report_path?: string } | null = null,
  pr_runs: ({ pr?: { url?: string; number?: number; action?: string } } | null)[] = [],
  clarifications_answered = 0,
) {
  // The PR step is a loop that ran once (a forge resource was given) or not at all.
  const pr = (pr_runs ?? []).map((r) => r?.pr).find((x) => x?.url) ?? null;
  spec_usage ??= {};
  execution ??= {};
  const tasks = execution.tasks ?? [];
  const done = tasks.filter((t) => t.status === "succeeded").length;
  const tokens = tokensOf(spec_usage) + tokensOf(execution.usage);
  const cost = costOf(spec_usage) + costOf(execution.usage);
  const verdict = qa?.verdict?.status ?? (qa ? (qa.passed ? "passed" : "failed") : "not run");
  const rows = tasks.map((t) => ({
    task: t.id,
    status: t.status,
    agent: t.agent ?? "",
    model: t.model ?? "",
    chosen_by: t.agent_source ?? "",
    attempts: t.attempts ?? 0,
    merged: t.merge ?? "",
    tokens: tokensOf(t.usage),
    cost: money(costOf(t.usage)),
    note: t.error ?? (t.blocked_by ? `blocked by ${t.blocked_by}` : ""),
  }));
  const markdown = [
    `## ${feature}: ${pr?.url ? `pull request ${pr.action ?? "opened"}` : "branch pushed"}`,
    "",
    `- **Branch**: \`${branch}\` at \`${commit.slice(0, 12)}\``,
    `- **Tasks**: ${done}/${tasks.length} succeeded${execution.status && execution.status !== "succeeded" ? ` (execution ${execution.status}${execution.stop_reason ? `: ${execution.stop_reason}` : ""})` : ""}`,
    `- **Run QA**: ${verdict}${qa?.verdict?.score !== undefined ? ` (score ${qa.verdict.score})` : ""}${qa?.report_path ? ` — report in \`${qa.report_path}\`` : ""}`,
    `- **Clarifications answered**: ${clarifications_answered}`,
    `- **LLM and agents**: ${tokens} tokens, ${money(cost)} estimated${spec_usage.unpricedModels?.length ? ` (no price known for ${spec_usage.unpricedModels.join(", ")})` : ""}`,
    `- **Pull request**: ${pr?.url ? `[#${pr.number ?? ""}](${pr.url})` : "none (no forge resource given)"}`,
  ].join("\n");
  return {
    render_all: [{ markdown }, { "table-row-object": rows }],
    feature,
    branch,
    commit,
    pr_url: pr?.url ?? null,
    qa_verdict: verdict,
    tasks_succeeded: done,
    tasks_total: tasks.length,
    tokens,
    cost_usd: Math.round(cost * 1e6) / 1e6,
  };
}
