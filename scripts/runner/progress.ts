// Progress at the terminal: one line when a step or a task starts and one when it ends, with the
// task id, its agent, the attempt and the time — instead of the jobs' raw output, which stays in
// the run record (`.devgodzilla/runs/<id>/logs/`) or is shown with --verbose.
//
//   [0:21] ▶ T001 › execute — agent llm, attempt 1
//   [0:27]   T001 › qa: tests fail as expected — test-first: the tests come before the code (red step)
//   [0:28] ✓ T001 passed in 7.3s — agent llm, attempt 1
import type { RunEvent, StepRef } from "./events.ts";
import { resumeCommand, type RunRecord } from "./runs.ts";

type Write = (line: string) => void;

interface TaskRunResult {
  status?: unknown;
  error?: { message?: string };
}

/** What a step's result says about the agent that ran (execute_task's assignment or AgentResult). */
function agentOf(result: unknown): string | undefined {
  const r = (result ?? {}) as { assignment?: { agent?: string }; agent?: { agentId?: string } | string };
  if (r.assignment?.agent) return r.assignment.agent;
  if (typeof r.agent === "string" && r.agent) return r.agent;
  if (r.agent && typeof r.agent === "object" && r.agent.agentId) return r.agent.agentId;
  return undefined;
}

/** QA checks whose failure is the expected red step of test-first work. */
function expectedRed(result: unknown): boolean {
  const checks = (result as { verdict?: { checks?: { expected_red?: boolean }[] } } | null)?.verdict?.checks;
  return Array.isArray(checks) && checks.some((c) => c?.expected_red === true);
}

export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
}

const oneLine = (s: string, max = 200) => {
  const flat = s.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

export class ProgressPrinter {
  private readonly started = Date.now();
  /** Starts per (task, step) — the nth start of a task's step is its nth attempt. */
  private readonly starts = new Map<string, number>();
  private readonly taskRuns = new Map<string, number>();
  private readonly agents = new Map<string, string>();

  /** Steps a resumed run did not run again, said in one line before the next step starts. */
  private replayed: string[] = [];

  constructor(private readonly write: Write) {}

  private flushReplayed() {
    if (!this.replayed.length) return;
    const names = this.replayed.length > 6 ? [...this.replayed.slice(0, 5), `… ${this.replayed.at(-1)}`] : this.replayed;
    this.line(`✓ ${this.replayed.length} step${this.replayed.length > 1 ? "s" : ""} finished before the resume, not run again: ${names.join(", ")}`);
    this.replayed = [];
  }

  private line(text: string) {
    const s = Math.floor((Date.now() - this.started) / 1000);
    this.write(`[${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}] ${text}`);
  }

  /** Key prefixes (a task's subflow or loop iteration) → the task they work on. */
  private readonly scopes = new Map<string, string>();

  /** A task named by the step itself: its `task` argument, or a loop iteration over Spec Kit task ids (T001). */
  private ownTask(args?: Record<string, unknown>): string | undefined {
    const named = (args?.task as { id?: unknown } | undefined)?.id ?? args?.task_id;
    if (typeof named === "string" && named) return named;
    const iterating = (args?.iter as { value?: unknown } | undefined)?.value;
    return typeof iterating === "string" && /^T\d+$/.test(iterating) ? iterating : undefined;
  }

  /** The innermost task scope around a step's key. */
  private scopeOf(key: string): [string, string] | undefined {
    let best: [string, string] | undefined;
    for (const [prefix, task] of this.scopes) if (key.startsWith(prefix) && (!best || prefix.length > best[0].length)) best = [prefix, task];
    return best;
  }

  /** The task a step works on: its run is a task job, the step names one, or it runs inside a task's scope. */
  private taskOf(ref: { run: RunRecord; key?: string; args?: Record<string, unknown> }): string | undefined {
    const fromRun = (ref.run.args?.task as { id?: unknown } | undefined)?.id;
    if (typeof fromRun === "string" && fromRun) return fromRun;
    return this.ownTask(ref.args) ?? (ref.key !== undefined ? this.scopeOf(`${ref.run.id}:${ref.key}`)?.[1] : undefined);
  }

  /** Steps after this one in the same loop iteration, or inside this subflow, work on the same task. */
  private remember(e: StepRef, task: string) {
    const key = `${e.run.id}:${e.key}`;
    const iteration = key.lastIndexOf("]/");
    if (iteration >= 0) this.scopes.set(key.slice(0, iteration + 2), task);
    if (e.kind === "flow") this.scopes.set(`${key}/`, task);
  }

  /** `spec › plan`, `T001 › qa`: the path inside the task's scope; branch positions dropped (`route/0/ask` → `route › ask`). */
  private where(ref: StepRef): string {
    const task = this.taskOf(ref);
    const scope = task ? this.scopeOf(`${ref.run.id}:${ref.key}`) : undefined;
    const key = scope && scope[1] === task ? `${ref.run.id}:${ref.key}`.slice(scope[0].length) : ref.key;
    const path = key
      .split("/")
      .filter((seg) => !/^(\d+|default)$/.test(seg))
      .join(" › ");
    return task ? `${task} › ${path}` : path;
  }

  private stepAttempt(ref: StepRef, task: string | undefined): number {
    if (!task) return 0;
    const k = `${ref.run.root_job ?? ref.run.id}:${task}:${ref.step_id}`;
    const n = (this.starts.get(k) ?? 0) + 1;
    this.starts.set(k, n);
    return n;
  }

  on = (e: RunEvent): void => {
    switch (e.type) {
      case "run-start":
        return this.runStart(e.run, e.resumed);
      case "run-end":
        this.flushReplayed();
        return this.runEnd(e.run);
      case "step-replayed":
        this.replayed.push(this.where(e));
        return;
      case "step-start": {
        this.flushReplayed();
        const task = this.taskOf(e);
        if (task && this.ownTask(e.args)) this.remember(e, task);
        const attempt = this.stepAttempt(e, task);
        // The step that runs a task's agent says which agent and which attempt this is.
        const runsAgent = task !== undefined && "agent" in e.args && e.kind === "script";
        const agent = typeof e.args.agent === "string" && e.args.agent ? e.args.agent : task ? this.agents.get(task) : undefined;
        const about = runsAgent
          ? [agent ? `agent ${agent}` : "agent per the agents resource", `attempt ${attempt}`]
          : e.attempt > 1
            ? [`attempt ${e.attempt}`]
            : [];
        this.line(`▶ ${this.where(e)}${about.length ? ` — ${about.join(", ")}` : e.summary && !task ? ` — ${oneLine(e.summary, 90)}` : ""}`);
        return;
      }
      case "step-end": {
        const task = this.taskOf(e);
        const agent = agentOf(e.result);
        if (task && agent) this.agents.set(task, agent);
        const took = formatDuration(e.duration_ms);
        if (e.success && expectedRed(e.result)) {
          this.line(`  ${this.where(e)}: tests fail as expected — test-first: this change adds the tests before the code (the red step)`);
        }
        // A step that failed but let the flow go on (continue_on_error, skip_failures) returns `{error}` alone.
        const r = e.result as Record<string, unknown> | null;
        const failed = !e.success || (!!r && typeof r === "object" && Object.keys(r).length === 1 && r.error !== undefined);
        if (!failed) {
          this.line(`✓ ${this.where(e)} ${took}${agent && task ? ` — agent ${agent}` : ""}`);
          return;
        }
        const error = e.error ?? (e.result as { error?: { name?: string; message?: string } }).error ?? {};
        const retry = e.retry_in_s !== undefined ? ` — retrying in ${e.retry_in_s}s` : "";
        this.line(
          `✗ ${this.where(e)} failed after ${took}: ${oneLine(`${error.name && error.name !== "Error" ? `${error.name}: ` : ""}${error.message ?? ""}`)}${retry}`,
        );
        return;
      }
    }
  };

  private runStart(run: RunRecord, resumed: boolean) {
    const task = this.taskOf({ run });
    if (!run.parent_job && !run.root_job) {
      this.line(`${resumed ? "Resuming" : "Running"} ${run.path} — run ${run.id}`);
      return;
    }
    if (!task) return;
    const k = `${run.root_job ?? run.parent_job}:${task}`;
    const n = (this.taskRuns.get(k) ?? 0) + 1;
    this.taskRuns.set(k, n);
    const description = (run.args.task as { description?: unknown }).description;
    this.line(
      `▶ task ${task}${n > 1 ? ` (job ${n})` : ""}${resumed ? " resumed" : " started"}${typeof description === "string" ? `: ${oneLine(description, 100)}` : ""}`,
    );
  }

  private runEnd(run: RunRecord) {
    const task = this.taskOf({ run });
    const root = !run.parent_job && !run.root_job;
    if (root) return; // the root run's outcome is the CLI's closing report
    const name = task ? `task ${task}` : `job ${run.id} (${run.path})`;
    if (run.status === "suspended") {
      this.line(`⏸ ${name} waits for an answer at step ${run.pending?.step_id}: ${resumeCommand(run)}`);
      return;
    }
    if (!task) return;
    const r = (run.result ?? {}) as TaskRunResult;
    const agent = this.agents.get(task);
    const outcome = run.status === "success" ? (typeof r.status === "string" ? r.status : "done") : run.status;
    const ok = run.status === "success" && (r.status === undefined || r.status === "passed" || r.status === "succeeded");
    const why = !ok && (run.error?.message ?? r.error?.message) ? `: ${oneLine(run.error?.message ?? r.error?.message ?? "", 160)}` : "";
    this.line(`${ok ? "✓" : "✗"} ${name} ${outcome} in ${formatDuration(run.duration_ms ?? 0)}${agent ? ` — agent ${agent}` : ""}${why}`);
  }
}
