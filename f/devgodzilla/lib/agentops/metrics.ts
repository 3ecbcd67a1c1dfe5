// Agent metrics from Windmill's own job history (Windmill is the only state store): every completed
// execute_task / task_with_qa job, read through the Windmill gateway (lib/platform/windmill.ts, paged by
// created_before; each result read from its job, as the list omits them), grouped per
// agent and model: runs, success rate, QA pass rate, median and p90 duration, tokens and cost.
// The local runner serves the same API from its run records, so this code runs unchanged there.
//
// Result fields read (tolerant: producers differ, all optional):
//   agent:   agent | agent.id | agent_id | agentId | agent_result.agentId | assignment.agent
//   model:   model | agent.model | agent_result.model | assignment.model
//   usage:   agent_usage | usage{input_tokens|inputTokens, output_tokens|outputTokens, cost_usd|costUsd}
//            | tokens{input,output} | agent_result{tokens, costUsd} ; cost_usd | costUsd
//   verdict: verdict ("passed"/"pass"/"failed"/"fail" or {status}) | qa.verdict | qa.status
//   outcome: the job's success, and result.status ("failed" / "error" / "blocked") or result.error
// A task_with_qa job and the execute_task job inside it (parent_job) count once, merged.

import { getJob, listCompletedWithResults } from "../platform/windmill.ts";

export const DEFAULT_METRIC_PATHS = ["f/devgodzilla/execute_task", "f/devgodzilla/task_with_qa"] as const;

export interface AgentRunSample {
  jobId: string;
  path: string;
  parentJob: string | null;
  rootJob: string | null;
  createdAt: string;
  agent: string | null;
  model: string | null;
  success: boolean;
  /** null when the job carries no QA verdict. */
  qaPassed: boolean | null;
  durationMs: number | null;
  inputTokens: number;
  outputTokens: number;
  /** null when nothing reported a cost. */
  costUsd: number | null;
}

export interface AgentMetricsRow {
  agent: string;
  model: string;
  runs: number;
  success_rate: number;
  /** Pass rate among runs that have a QA verdict; null when none has. */
  qa_pass_rate: number | null;
  qa_runs: number;
  median_duration_s: number | null;
  p90_duration_s: number | null;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
}

export interface CollectOptions {
  paths?: readonly string[];
  /** Only jobs created after this time. */
  since?: Date;
  /** Stop after this many jobs per path (newest first). Default 2000. */
  maxJobs?: number;
  workspace?: string;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (v && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : undefined);
const str = (...vs: unknown[]): string | null => {
  for (const v of vs) if (typeof v === "string" && v.trim()) return v.trim();
  return null;
};
const num = (...vs: unknown[]): number | null => {
  for (const v of vs) if (typeof v === "number" && Number.isFinite(v)) return v;
  return null;
};

function verdictOf(r: Obj): boolean | null {
  const qa = obj(r.qa);
  const v = r.verdict ?? qa?.verdict ?? qa?.status ?? obj(r.qa_verdict)?.status ?? r.qa_verdict;
  const s = typeof v === "string" ? v : str(obj(v)?.status);
  if (!s) return null;
  if (/^(passed|pass|ok|success)$/i.test(s)) return true;
  if (/^(failed|fail|rejected|error)$/i.test(s)) return false;
  return null;
}

/** One sample from a job and its (possibly missing) result. */
export function sampleFromJob(
  job: { id: string; script_path?: string; parent_job?: string | null; root_job?: string | null; created_at?: string; success?: boolean; duration_ms?: number },
  result: unknown,
): AgentRunSample {
  const r = obj(result) ?? {};
  const agentObj = obj(r.agent);
  // execute_task returns the whole AgentResult under `agent`.
  const ar = obj(r.agent_result) ?? obj(r.agentResult) ?? (agentObj && "agentId" in agentObj ? agentObj : undefined);
  const asg = obj(r.assignment);
  // task_with_qa's `usage` also counts its QA and feedback calls; its agents' own is `agent_usage`.
  const usage = obj(r.agent_usage) ?? obj(r.usage) ?? {};
  const tokens = obj(r.tokens) ?? obj(ar?.tokens) ?? {};
  const statusFailed = typeof r.status === "string" && /^(failed|error|blocked|timeout|canceled)$/i.test(r.status);
  return {
    jobId: job.id,
    path: job.script_path ?? "",
    parentJob: job.parent_job ?? null,
    rootJob: job.root_job ?? null,
    createdAt: job.created_at ?? "",
    agent: str(r.agent, agentObj?.id, agentObj?.agentId, r.agent_id, r.agentId, ar?.agentId, asg?.agent),
    model: str(r.model, agentObj?.model, ar?.model, asg?.model),
    success: job.success !== false && !statusFailed && !r.error && r.blocked !== true,
    qaPassed: verdictOf(r),
    durationMs: num(ar?.durationMs, r.agent_duration_ms, job.duration_ms, r.duration_ms, r.durationMs),
    inputTokens: num(usage.input_tokens, usage.inputTokens, tokens.input, tokens.input_tokens) ?? 0,
    outputTokens: num(usage.output_tokens, usage.outputTokens, tokens.output, tokens.output_tokens) ?? 0,
    costUsd: num(usage.cost_usd, usage.costUsd, r.cost_usd, r.costUsd, ar?.costUsd),
  };
}

/** Merges an execute_task sample into the task_with_qa sample that contains it (parent_job). */
export function mergeNested(samples: AgentRunSample[]): AgentRunSample[] {
  const byId = new Map(samples.map((s) => [s.jobId, s]));
  const absorbed = new Set<string>();
  // Deepest first, so execute_task → inner task_with_qa → outer task_with_qa folds all the way up.
  const depth = (s: AgentRunSample) => {
    let d = 0;
    for (let p = s.parentJob ? byId.get(s.parentJob) : undefined; p && d < 100; p = p.parentJob ? byId.get(p.parentJob) : undefined) d++;
    return d;
  };
  for (const s of [...samples].sort((a, b) => depth(b) - depth(a))) {
    const parent = s.parentJob ? byId.get(s.parentJob) : undefined;
    if (!parent || parent === s) continue;
    parent.agent ??= s.agent;
    parent.model ??= s.model;
    parent.qaPassed ??= s.qaPassed;
    if (s.durationMs !== null) parent.durationMs = s.durationMs; // the agent's own time, not QA's
    if (!parent.inputTokens && !parent.outputTokens) {
      parent.inputTokens = s.inputTokens;
      parent.outputTokens = s.outputTokens;
    }
    parent.costUsd ??= s.costUsd;
    parent.success = parent.success && s.success;
    absorbed.add(s.jobId);
  }
  // The local runner lists a root script run twice: the run itself and its script job (root_job =
  // the run, same path, no parent). Windmill has one job; keep the run.
  for (const s of samples) {
    const run = s.rootJob && s.rootJob !== s.jobId && !s.parentJob ? byId.get(s.rootJob) : undefined;
    if (run && run.path === s.path && !run.parentJob) absorbed.add(s.jobId);
  }
  return samples.filter((s) => !absorbed.has(s.jobId));
}

/** Completed jobs of the given paths with their results, newest first (through the Windmill gateway, paged). */
export async function collectAgentRuns(opts: CollectOptions = {}): Promise<AgentRunSample[]> {
  const out: AgentRunSample[] = [];
  for (const p of opts.paths ?? DEFAULT_METRIC_PATHS) {
    const completed = await listCompletedWithResults({ scriptPathExact: p, createdAfter: opts.since?.toISOString() }, opts.maxJobs ?? 2000);
    for (const j of completed) if (j.script_path === p) out.push(sampleFromJob(j as Parameters<typeof sampleFromJob>[0], j.result));
  }
  await linkThroughFlowJobs(out);
  return mergeNested(out).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

/**
 * On Windmill a subflow in a loop (task_with_qa's next attempt, execute_tasks' task) has the loop
 * iteration's flow job as parent, not the flow that contains the loop: the parent link of each
 * sample is followed up through such jobs to the nearest sample, so mergeNested can fold it.
 */
async function linkThroughFlowJobs(samples: AgentRunSample[]): Promise<void> {
  const ids = new Set(samples.map((s) => s.jobId));
  const parentOf = new Map<string, string | null>();
  const up = async (id: string): Promise<string | null> => {
    if (!parentOf.has(id)) parentOf.set(id, ((await getJob(id).catch(() => undefined)) as { parent_job?: string | null } | undefined)?.parent_job ?? null);
    return parentOf.get(id)!;
  };
  for (const s of samples) {
    let p = s.parentJob;
    for (let depth = 0; p && !ids.has(p) && depth < 8; depth++) p = await up(p);
    if (p && ids.has(p)) s.parentJob = p;
  }
}

/** Nearest-rank percentile (p in 0..100) of a sorted list. */
export function percentile(sorted: number[], p: number): number | null {
  if (!sorted.length) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function median(sorted: number[]): number | null {
  if (!sorted.length) return null;
  const m = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[m]! : (sorted[m - 1]! + sorted[m]!) / 2;
}

const r3 = (n: number) => Math.round(n * 1000) / 1000;

/** Per agent and model, most runs first. Runs whose agent is unknown group under "(unknown)". */
export function computeAgentMetrics(samples: AgentRunSample[]): AgentMetricsRow[] {
  const groups = new Map<string, AgentRunSample[]>();
  for (const s of samples) {
    const key = `${s.agent ?? "(unknown)"}\u0000${s.model ?? "(default)"}`;
    (groups.get(key) ?? groups.set(key, []).get(key)!).push(s);
  }
  const rows: AgentMetricsRow[] = [];
  for (const [key, list] of groups) {
    const [agent, model] = key.split("\u0000") as [string, string];
    const durations = list
      .map((s) => s.durationMs)
      .filter((d): d is number => d !== null)
      .sort((a, b) => a - b);
    const withQa = list.filter((s) => s.qaPassed !== null);
    const med = median(durations);
    const p90 = percentile(durations, 90);
    rows.push({
      agent,
      model,
      runs: list.length,
      success_rate: r3(list.filter((s) => s.success).length / list.length),
      qa_pass_rate: withQa.length ? r3(withQa.filter((s) => s.qaPassed).length / withQa.length) : null,
      qa_runs: withQa.length,
      median_duration_s: med === null ? null : r3(med / 1000),
      p90_duration_s: p90 === null ? null : r3(p90 / 1000),
      input_tokens: list.reduce((a, s) => a + s.inputTokens, 0),
      output_tokens: list.reduce((a, s) => a + s.outputTokens, 0),
      cost_usd: Math.round(list.reduce((a, s) => a + (s.costUsd ?? 0), 0) * 1e6) / 1e6,
    });
  }
  return rows.sort((a, b) => b.runs - a.runs || a.agent.localeCompare(b.agent) || a.model.localeCompare(b.model));
}

const pct = (x: number | null) => (x === null ? "–" : `${Math.round(x * 100)}%`);
const secs = (x: number | null) => (x === null ? "–" : x < 60 ? `${x.toFixed(1)} s` : `${(x / 60).toFixed(1)} min`);

/** Windmill rich display: a markdown summary and the table of rows. */
export function renderAgentMetrics(
  rows: AgentMetricsRow[],
  meta: { since?: Date; paths: readonly string[]; jobs: number },
): { render_all: [{ markdown: string }, { "table-row-object": AgentMetricsRow[] }] } {
  const total = rows.reduce((a, r) => a + r.runs, 0);
  const cost = rows.reduce((a, r) => a + r.cost_usd, 0);
  const lines = [
    `## Agent metrics`,
    "",
    `${total} task run${total === 1 ? "" : "s"} from ${meta.paths.map((p) => `\`${p}\``).join(", ")}${meta.since ? ` since ${meta.since.toISOString().slice(0, 10)}` : ""} · total cost **$${cost.toFixed(4)}**`,
    "",
  ];
  if (!rows.length) lines.push("_No completed task runs found._");
  else {
    lines.push("| agent | model | runs | success | QA pass | median | p90 | tokens in/out | cost |", "|---|---|---|---|---|---|---|---|---|");
    for (const r of rows) {
      lines.push(
        `| ${r.agent} | ${r.model} | ${r.runs} | ${pct(r.success_rate)} | ${pct(r.qa_pass_rate)}${r.qa_runs ? ` (${r.qa_runs})` : ""} | ${secs(r.median_duration_s)} | ${secs(r.p90_duration_s)} | ${r.input_tokens}/${r.output_tokens} | $${r.cost_usd.toFixed(4)} |`,
      );
    }
  }
  return { render_all: [{ markdown: lines.join("\n") }, { "table-row-object": rows }] };
}
