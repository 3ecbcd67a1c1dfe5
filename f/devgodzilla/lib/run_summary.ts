// The run at a glance, for spec_to_pr's last step: what a person reads on the Windmill run page (or
// at the end of `npm start`) — the outcome in the heading, every task with its agent and outcome,
// the QA verdict, cost, the pull request — and the plain fields a caller reads. `failures` lists
// what went wrong in a run that ended without error (the local CLI exits 3 when it is not empty).

export type Usage = { inputTokens?: number; outputTokens?: number; costUsd?: number; tokens?: number; cost_usd?: number; unpricedModels?: string[] };
export type TaskOutcome = {
  id: string;
  status: string;
  agent?: string;
  model?: string | null;
  agent_source?: string;
  attempts?: number;
  merge?: string;
  error?: string;
  blocked_by?: string;
  usage?: Usage;
};

export interface RunSummaryInput {
  feature: string;
  branch: string;
  commit: string;
  spec_usage?: Usage | null;
  /** execute_tasks' result: its `usage` is the planning's model calls (`planning_usage`) plus the tasks' (`tasks_usage`). */
  execution?: {
    status?: string;
    tasks?: TaskOutcome[];
    usage?: Usage;
    planning_usage?: { usage?: Usage; unpriced_models?: string[] };
    tasks_usage?: Usage;
    stop_reason?: string;
  } | null;
  /** The run-level QA step's result: its `usage` is the judge's, the embeddings' and the reviewer's calls. */
  qa?: { passed?: boolean; verdict?: { status?: string; score?: number }; report_path?: string; usage?: Usage | null } | null;
  /** What the failed attempts of the run's retried steps spent (run QA's, read from their jobs' errors). */
  retried_usage?: Usage | null;
  /** Why the retried steps' failed attempts could not be read (their usage is then missing). */
  retried_unread?: string | null;
  pr?: { url?: string; number?: number; action?: string; draft?: boolean } | null;
  clarifications_answered?: number | null;
}

const money = (n: number) => `$${n.toFixed(4)}`;
const tokensOf = (u?: Usage | null) => u?.tokens ?? (u?.inputTokens ?? 0) + (u?.outputTokens ?? 0);
const costOf = (u?: Usage | null) => u?.cost_usd ?? u?.costUsd ?? 0;
const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\s+/g, " ").trim();

/** Succeeded now, or in an earlier run of the same tasks (a resumed or re-run flow skips them). */
const SUCCEEDED = new Set(["succeeded", "skipped_succeeded"]);

/** A task's outcome in words. */
function outcomeOf(t: TaskOutcome): string {
  switch (t.status) {
    case "succeeded":
      return "succeeded";
    case "skipped_succeeded":
      return "succeeded (before the resume)";
    case "dependency_failed":
      return `not run: ${t.blocked_by ? `${t.blocked_by} failed first` : "a dependency failed"}`;
    case "not_started":
      return "not started";
    case "budget_exceeded":
      return "stopped: over budget";
    default:
      return t.status;
  }
}

/** The parts of the run's cost the inputs name (the spec steps, planning, tasks, run QA). */
function costParts(i: RunSummaryInput): { label: string; tokens: number; cost: number }[] {
  const parts: [string, Usage | null | undefined][] = [
    ["Spec (specify, clarify, plan, tasks, analyze)", i.spec_usage],
    ["Planning (task_dag)", i.execution?.planning_usage?.usage],
    ["Tasks (agents, with each task's QA and feedback calls)", i.execution?.tasks_usage],
    ["QA (the run's QA judge, embeddings and reviewer)", i.qa?.usage],
    // Only when a retried step's failed attempt spent something.
    ["Failed attempts of retried steps (run QA)", tokensOf(i.retried_usage) || costOf(i.retried_usage) ? i.retried_usage : null],
  ];
  return parts.flatMap(([label, u]) => (u ? [{ label, tokens: tokensOf(u), cost: costOf(u) }] : []));
}

/** Every model or agent run the cost above counts as $0 for want of a price, from all its parts. */
function unpricedOf(i: RunSummaryInput): string[] {
  return [
    ...new Set([
      ...(i.spec_usage?.unpricedModels ?? []),
      ...(i.execution?.planning_usage?.unpriced_models ?? []),
      ...(i.execution?.tasks_usage?.unpricedModels ?? []),
      ...(i.qa?.usage?.unpricedModels ?? []),
      ...(i.retried_usage?.unpricedModels ?? []),
    ]),
  ];
}

export function summarizeRun(i: RunSummaryInput) {
  const tasks = i.execution?.tasks ?? [];
  const succeeded = tasks.filter((t) => SUCCEEDED.has(t.status));
  const failedTasks = tasks.filter((t) => !SUCCEEDED.has(t.status));
  // Each part once: the spec steps, execute_tasks (planning and tasks, its QA loops included), run QA.
  const counted = [i.spec_usage, i.execution?.usage, i.qa?.usage, i.retried_usage];
  const tokens = counted.reduce((a, u) => a + tokensOf(u), 0);
  const cost = counted.reduce((a, u) => a + costOf(u), 0);
  const unpriced = unpricedOf(i);
  const verdict = i.qa?.verdict?.status ?? (i.qa ? (i.qa.passed ? "passed" : "failed") : "not run");
  const failures = [
    ...(verdict === "failed" ? [`run QA failed${i.qa?.verdict?.score !== undefined ? ` (score ${i.qa.verdict.score})` : ""}`] : []),
    ...(failedTasks.length
      ? [`${failedTasks.length} of ${tasks.length} tasks did not succeed: ${failedTasks.map((t) => `${t.id} (${outcomeOf(t)})`).join(", ")}`]
      : []),
  ];
  const prText = i.pr?.url ? `pull request ${i.pr.action ?? "opened"}${i.pr.draft ? " as a draft" : ""}` : "branch pushed";
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
  const taskTable = tasks.length
    ? [
        "",
        "| task | outcome | agent | attempts | note |",
        "|---|---|---|---|---|",
        ...tasks.map(
          (t) =>
            `| ${t.id} | ${SUCCEEDED.has(t.status) ? "✅" : "❌"} ${cell(outcomeOf(t))} | ${cell(`${t.agent ?? ""}${t.model ? ` (${t.model})` : ""}`)} | ${t.attempts ?? 0} | ${cell(t.error ?? "").slice(0, 160)} |`,
        ),
      ]
    : [];
  const markdown = [
    `## ${i.feature}: ${failures.length ? `finished with failures — ${prText}` : prText}`,
    "",
    `- **Branch**: \`${i.branch}\` at \`${i.commit.slice(0, 12)}\``,
    `- **Tasks**: ${succeeded.length}/${tasks.length} succeeded${i.execution?.status && i.execution.status !== "succeeded" ? ` (execution ${i.execution.status}${i.execution.stop_reason ? `: ${i.execution.stop_reason}` : ""})` : ""}`,
    `- **Run QA**: ${verdict}${i.qa?.verdict?.score !== undefined ? ` (score ${i.qa.verdict.score})` : ""}${i.qa?.report_path ? ` — report in \`${i.qa.report_path}\`` : ""}`,
    `- **Clarifications answered**: ${i.clarifications_answered ?? 0}`,
    `- **LLM and agents**: ${tokens} tokens, ${money(cost)} estimated`,
    ...costParts(i).map((p) => `  - ${p.label}: ${p.tokens} tokens, ${money(p.cost)}`),
    ...(unpriced.length ? [`- ⚠️ **No price known** for ${unpriced.join(", ")}: counted as $0 in the cost above`] : []),
    ...(i.retried_unread ? [`- ⚠️ The failed attempts of retried steps were not read (${i.retried_unread}): their cost is missing above`] : []),
    `- **Pull request**: ${i.pr?.url ? `[#${i.pr.number ?? ""}](${i.pr.url})` : "none (no forge resource given)"}`,
    ...taskTable,
  ].join("\n");
  return {
    render_all: [{ markdown }, { "table-row-object": rows }],
    feature: i.feature,
    branch: i.branch,
    commit: i.commit,
    pr_url: i.pr?.url ?? null,
    qa_verdict: verdict,
    tasks_succeeded: succeeded.length,
    tasks_total: tasks.length,
    failures,
    tokens,
    cost_usd: Math.round(cost * 1e6) / 1e6,
    unpriced_models: unpriced,
  };
}
