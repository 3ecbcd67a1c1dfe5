// A readable view of one DevGodzilla run (a root flow job): steps, tasks, agents, QA verdicts,
// pending approvals with their links, cost so far — read only from Windmill (JobService.getJob
// and the flow_status the engine keeps), never from a store of ours.

import { getJob, listJobs } from "./windmill.ts";
import { InputError } from "../errors.ts";
import { mdCell } from "../markdown.ts";

// ---------------------------------------------------------------------------------------------
// Exported types

export type StepState = "waiting" | "approval" | "running" | "success" | "failure" | "skipped";

export interface StepView {
  id: string;
  state: StepState;
  job_id?: string;
  duration_ms?: number;
  /** forloop: iterations done/total. */
  iterations?: { done: number; total: number; failed: number };
  summary?: string;
}

export interface TaskView {
  task: string;
  agent?: string;
  status?: string;
  verdict?: string;
  score?: number;
  step: string;
}

export interface ApprovalView {
  step: string;
  job_id?: string;
  approval_page?: string;
  resume?: string;
  cancel?: string;
  description?: string;
}

export interface RunStatus {
  job_id: string;
  path?: string;
  state: "queued" | "running" | "waiting-for-approval" | "success" | "failure" | "canceled";
  started_at?: string;
  duration_ms?: number;
  steps: StepView[];
  tasks: TaskView[];
  verdicts: { step: string; verdict: string; score?: number }[];
  approvals: ApprovalView[];
  cost_usd: number;
  pr_url?: string;
  error?: string;
  markdown: string;
}

export interface RunStatusOptions {
  workspace?: string;
  /** Public base URL for links (default $WM_BASE_URL). */
  baseUrl?: string;
  /** Cap on child job reads (loops can be large). */
  maxJobReads?: number;
}

type AnyJob = Record<string, any> & { id: string };

// ---------------------------------------------------------------------------------------------
// Extractors (tolerant: steps return plain JSON; conventions, not a schema, name the keys)

/** Cost declared by a result: a node's own cost_usd wins over its children's (no double count). */
export function costOf(v: unknown, depth = 0): number {
  if (!v || typeof v !== "object" || depth > 8) return 0;
  const o = v as Record<string, unknown>;
  for (const k of ["cost_usd", "costUsd", "total_cost_usd"]) if (typeof o[k] === "number" && Number.isFinite(o[k])) return o[k] as number;
  if (o.usage && typeof o.usage === "object") {
    const u = o.usage as Record<string, unknown>;
    for (const k of ["cost_usd", "costUsd", "total_cost_usd"]) if (typeof u[k] === "number") return u[k] as number;
  }
  let sum = 0;
  for (const x of Array.isArray(v) ? v : Object.values(o)) sum += costOf(x, depth + 1);
  return sum;
}

function collectTasks(v: unknown, step: string, out: TaskView[], depth = 0): void {
  if (!v || typeof v !== "object" || depth > 6) return;
  if (Array.isArray(v)) {
    for (const x of v) collectTasks(x, step, out, depth + 1);
    return;
  }
  const o = v as Record<string, any>;
  const id = o.task_id ?? (typeof o.task === "string" ? o.task : typeof o.task === "object" ? o.task?.id : undefined);
  if (typeof id === "string" && id) {
    const qa = o.qa ?? o.verdict_report ?? {};
    out.push({
      task: id,
      agent: str(o.agent ?? o.agent_id ?? o.task?.agent),
      status: str(o.status ?? (o.error ? "failed" : undefined)),
      verdict: str(o.verdict ?? qa.verdict),
      score: num(o.score ?? qa.score),
      step,
    });
    return;
  }
  for (const x of Object.values(o)) collectTasks(x, step, out, depth + 1);
}

const str = (x: unknown) => (typeof x === "string" && x ? x : undefined);
const num = (x: unknown) => (typeof x === "number" && Number.isFinite(x) ? x : undefined);

function findPrUrl(v: unknown, depth = 0): string | undefined {
  if (!v || typeof v !== "object" || depth > 5) return undefined;
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (typeof x === "string" && /^(pr_url|url)$/.test(k) && /\/(pull|merge_requests)\/\d+/.test(x)) return x;
  }
  for (const x of Object.values(v as Record<string, unknown>)) {
    const r = findPrUrl(x, depth + 1);
    if (r) return r;
  }
  return undefined;
}

const STATE: Record<string, StepState> = {
  WaitingForPriorSteps: "waiting",
  WaitingForEvents: "approval",
  WaitingForExecutor: "running",
  InProgress: "running",
  Success: "success",
  Failure: "failure",
};

// ---------------------------------------------------------------------------------------------

/** An approval step's links and question, from its job's result (Windmill's approval widget). */
function approvalOf(step: string, jobId: string, r: Record<string, any>): ApprovalView {
  return {
    step,
    job_id: jobId,
    approval_page: str(r.approvalPage),
    resume: str(r.resume),
    cancel: str(r.cancel),
    description: typeof r.description === "string" ? r.description : str(r.description?.markdown),
  };
}

/** A flow's steps rebuilt from its child jobs (parent_job = the flow), oldest first, with the approval it is parked on. */
async function stepsFromChildJobs(
  root: AnyJob,
  done: boolean,
  maxReads: number,
  consider: (stepId: string, result: unknown) => void,
  steps: StepView[],
  approvals: ApprovalView[],
  get: (id: string) => Promise<AnyJob | undefined>,
): Promise<void> {
  const children = ((await listJobs({ parentJob: root.id }, maxReads).catch(() => [])) as AnyJob[]).sort((a, b) =>
    String(a.created_at ?? "").localeCompare(String(b.created_at ?? "")),
  );
  const rootSuspended = !done && (root.suspend ?? 0) > 0;
  let lastApproval: ApprovalView | undefined;
  for (const c of children) {
    const finished = c.type === "CompletedJob" || c.completed_at !== undefined;
    const id = String(c.flow_step_id ?? c.script_path ?? c.id);
    const st: StepState = finished
      ? c.is_skipped
        ? "skipped"
        : c.success
          ? "success"
          : "failure"
      : (c.suspend ?? 0) > 0
        ? "approval"
        : c.running
          ? "running"
          : "waiting";
    steps.push({
      id,
      state: st,
      job_id: c.id,
      duration_ms: c.duration_ms,
      summary: finished && !c.success ? str((c.result as any)?.error?.message) : undefined,
    });
    if (!finished) continue;
    // Windmill's job list carries no results: read the job.
    const result = c.result !== undefined ? c.result : (await get(c.id))?.result;
    consider(id, result);
    const r = (result ?? {}) as Record<string, any>;
    if (r && typeof r === "object" && (str(r.approvalPage) || str(r.resume))) {
      lastApproval = approvalOf(id, c.id, r);
    }
  }
  // The flow is parked on the last approval step it ran.
  if (rootSuspended && lastApproval) {
    approvals.push(lastApproval);
    const s = steps.find((x) => x.job_id === lastApproval!.job_id);
    if (s) s.state = "approval";
  }
}

export async function runStatus(jobId: string, o: RunStatusOptions = {}): Promise<RunStatus> {
  if (!/^[0-9a-f-]{8,64}$/i.test(jobId ?? ""))
    throw new InputError("job_id", `"${String(jobId).slice(0, 80)}" is not a Windmill job id`, "copy the id from the run page URL (…/run/<id>)");
  const workspace = o.workspace ?? process.env.WM_WORKSPACE ?? "";
  const base = (o.baseUrl ?? process.env.WM_BASE_URL ?? "").replace(/\/+$/, "");
  let reads = 0;
  const maxReads = o.maxJobReads ?? 300;
  const get = async (id: string): Promise<AnyJob | undefined> => {
    if (reads++ >= maxReads) return undefined;
    try {
      return (await getJob(id)) as AnyJob;
    } catch (e) {
      if ((e as { status?: number }).status === 404) return undefined;
      throw e;
    }
  };
  const root = await get(jobId);
  if (!root) throw new InputError("job_id", `job ${jobId} was not found in workspace ${workspace}`, "check the id and the workspace");

  const done = root.type === "CompletedJob" || root.completed_at !== undefined;
  const modules: any[] = root.flow_status?.modules ?? [];
  const waiting = modules.some((m) => m?.type === "WaitingForEvents");
  const waitingRoot = waiting || (!done && (root.suspend ?? 0) > 0);
  const state: RunStatus["state"] = done
    ? root.canceled
      ? "canceled"
      : root.success
        ? "success"
        : "failure"
    : waitingRoot
      ? "waiting-for-approval"
      : root.running
        ? "running"
        : "queued";

  const steps: StepView[] = [];
  const tasks: TaskView[] = [];
  const verdicts: RunStatus["verdicts"] = [];
  const approvals: ApprovalView[] = [];
  let cost = 0;
  let prUrl: string | undefined;

  const consider = (stepId: string, result: unknown) => {
    cost += costOf(result);
    collectTasks(result, stepId, tasks);
    prUrl = prUrl ?? findPrUrl(result);
    const r = result as Record<string, any> | undefined;
    const verdict = str(r?.verdict) ?? str(r?.qa?.verdict);
    if (verdict) verdicts.push({ step: stepId, verdict, score: num(r?.score ?? r?.qa?.score) });
  };

  const isFlow = String(root.job_kind ?? "").includes("flow");
  // A flow without flow_status (e.g. the local runner's API): rebuild the steps from its child jobs.
  if (!modules.length && isFlow) await stepsFromChildJobs(root, done, maxReads, consider, steps, approvals, get);
  // A plain script job (not a flow) is shown as one step.
  if (!modules.length && !isFlow) {
    steps.push({
      id: root.script_path ?? "job",
      state: done ? (root.success ? "success" : "failure") : root.running ? "running" : "waiting",
      job_id: root.id,
      duration_ms: root.duration_ms,
    });
    if (done) consider(root.script_path ?? "job", root.result);
  }

  for (const m of modules) {
    const id = String(m?.id ?? `step${steps.length + 1}`);
    const view: StepView = { id, state: m?.skipped ? "skipped" : (STATE[m?.type] ?? "waiting"), job_id: m?.job };
    if (Array.isArray(m?.flow_jobs)) {
      const ok: boolean[] = m.flow_jobs_success ?? [];
      const total = m.iterator?.itered_len ?? m.iterator?.itered?.length ?? m.flow_jobs.length;
      view.iterations = { done: ok.filter((x: unknown) => x !== null && x !== undefined).length, total, failed: ok.filter((x: unknown) => x === false).length };
      for (const child of m.flow_jobs as string[]) {
        const cj = await get(child);
        if (cj && (cj.type === "CompletedJob" || cj.completed_at)) consider(id, cj.result);
      }
    } else if (m?.job && m.type !== "WaitingForPriorSteps") {
      const j = await get(m.job);
      // An identity step (the flows' `input`) passes values on and does no work: not a step to show.
      if (j?.job_kind === "identity") continue;
      if (j) {
        view.duration_ms = j.duration_ms;
        const finished = j.type === "CompletedJob" || j.completed_at !== undefined;
        if (finished) consider(id, j.result);
        if (
          m.type === "WaitingForEvents" ||
          (finished && j.result && typeof j.result === "object" && "approvalPage" in (j.result as object) && m.type !== "Success")
        ) {
          const r = (j.result ?? {}) as Record<string, any>;
          approvals.push(approvalOf(id, j.id, r));
        }
        if (finished && !j.success) view.summary = str((j.result as any)?.error?.message);
      }
    }
    steps.push(view);
  }
  if (done) {
    prUrl = prUrl ?? findPrUrl(root.result);
    if (!modules.length && !isFlow) {
      /* already considered */
    } else if (costOf(root.result) > cost) cost = costOf(root.result); // the flow's own total, if it reports one
  }
  const error = done && !root.success ? (str((root.result as any)?.error?.message) ?? str(root.canceled_reason)) : undefined;

  const status: Omit<RunStatus, "markdown"> = {
    job_id: root.id,
    path: root.script_path,
    state,
    started_at: root.started_at,
    duration_ms: root.duration_ms,
    steps,
    tasks,
    verdicts,
    approvals,
    cost_usd: Math.round(cost * 1e6) / 1e6,
    pr_url: prUrl,
    error,
  };
  return { ...status, markdown: renderRunStatus(status, base, workspace) };
}

const ICON: Record<StepState, string> = { waiting: "⏳", approval: "✋", running: "▶️", success: "✅", failure: "❌", skipped: "⏭️" };
const dur = (ms?: number) => (ms === undefined ? "" : ms >= 60_000 ? `${(ms / 60_000).toFixed(1)} min` : `${(ms / 1000).toFixed(1)} s`);

export function renderRunStatus(s: Omit<RunStatus, "markdown">, base: string, workspace: string): string {
  const link = (id: string) => (base ? `[${id.slice(0, 8)}](${base}/run/${id}?workspace=${encodeURIComponent(workspace)})` : `\`${id.slice(0, 8)}\``);
  const out = [`## Run ${link(s.job_id)} — ${s.state}`, ""];
  const meta = [
    s.path ? `\`${s.path}\`` : "",
    s.started_at ? `started ${s.started_at}` : "",
    s.duration_ms ? dur(s.duration_ms) : "",
    `cost so far **$${s.cost_usd.toFixed(4)}**`,
    s.pr_url ? `PR: ${s.pr_url}` : "",
  ].filter(Boolean);
  out.push(meta.join(" · "), "");
  if (s.error) out.push(`> **Failed:** ${mdCell(s.error)}`, "");
  if (s.approvals.length) {
    out.push("### Waiting for you", "");
    for (const a of s.approvals) {
      const links = [a.approval_page ? `[open the approval page](${a.approval_page})` : "", a.job_id ? `or answer in the run page ${link(a.job_id)}` : ""]
        .filter(Boolean)
        .join(" ");
      out.push(`- **${a.step}**: ${links}${a.description ? ` — ${mdCell(a.description).slice(0, 300)}` : ""}`);
    }
    out.push("");
  }
  out.push("### Steps", "", "| | step | state | job | time | note |", "|---|---|---|---|---|---|");
  for (const st of s.steps) {
    const it = st.iterations ? `${st.iterations.done}/${st.iterations.total} done${st.iterations.failed ? `, ${st.iterations.failed} failed` : ""}` : "";
    out.push(
      `| ${ICON[st.state]} | ${st.id} | ${st.state} | ${st.job_id ? link(st.job_id) : ""} | ${dur(st.duration_ms)} | ${mdCell([it, st.summary ?? ""].filter(Boolean).join("; "))} |`,
    );
  }
  out.push("");
  if (s.tasks.length) {
    out.push("### Tasks", "", "| task | agent | status | QA verdict |", "|---|---|---|---|");
    for (const t of s.tasks)
      out.push(`| ${mdCell(t.task)} | ${t.agent ?? ""} | ${t.status ?? ""} | ${t.verdict ?? ""}${t.score !== undefined ? ` (${t.score})` : ""} |`);
    out.push("");
  }
  if (s.verdicts.length) {
    out.push("### QA verdicts", "");
    for (const v of s.verdicts) out.push(`- ${v.step}: **${v.verdict}**${v.score !== undefined ? ` (score ${v.score})` : ""}`);
    out.push("");
  }
  return out.join("\n");
}
