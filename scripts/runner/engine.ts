// The local runner's flow engine: executes OpenFlow with Windmill's semantics, in-process.
// Semantics follow Windmill's own source: retries count retries (1 + attempts runs), only the step
// after an approval sees `resume`, a suspend or sleep on the last step waits on a virtual identity
// step, loops return their iterations' results in order, a failure module leaves the flow failed
// unless it returns `recover: true`, a skipped step passes the previous result through.
import { randomUUID, createHash } from "node:crypto";
import { mkdirSync, writeFileSync, existsSync, statSync } from "node:fs";
import path from "node:path";
import { loadFlow, resolveRunnable, scriptTimeout, signatureOf, REPO_ROOT, type Runnable } from "./bundle.ts";
import { localUser, scriptModule } from "./cache.ts";
import { evalExpr, resultsView, type ExprContext } from "./expr.ts";
import { runInJob } from "./job-context.ts";
import type { FlowFile, FlowModule, InputTransform, Retry } from "./openflow.ts";
import { isTsLanguage } from "./openflow.ts";
import type { JournalEntry, PendingApproval, RunRecord, RunStore } from "./runs.ts";
import { ResumeBox, ResumeRejected, type ResumeEvent } from "./resumes.ts";
import type { Resolver } from "./store.ts";
import type { OnRunEvent, RunEvent } from "./events.ts";
import { FlowStatusBook, type FlowStatusEdit, type FlowStatusModule } from "./flow-status.ts";
import { MissingArgumentError, cannotFixItself } from "./errors.ts";
import { pidAlive } from "../../f/devgodzilla/lib/process.ts";
import { traceRun, traceStep } from "../../f/devgodzilla/lib/telemetry/spans.ts"; // run/step spans, no-op unless an OTLP resource is configured

export interface ApiEndpoint {
  baseUrl: string;
  token: string;
  workspace: string;
}

/** How a suspended step gets its answer: from --answers, from a person at the terminal, or not at all. */
export type Answers = Record<string, unknown>;
export type AskFn = (pending: PendingApproval) => Promise<unknown | undefined>;

export interface JobInfo {
  id: string;
  path: string;
  kind: "script" | "flow" | "step";
  step_id?: string;
  parent_job?: string;
  root_job?: string;
  run_id: string;
  status: "running" | "success" | "failure" | "suspended" | "canceled";
  canceled_reason?: string;
  canceled_by?: string;
  /** A step job: its key in the run's journal (where its resume events are kept). */
  key?: string;
  /** A loop iteration's or a branch's flow job: its kind on Windmill (see innerFlowKind). */
  job_kind?: InnerFlowKind;
  args: Record<string, unknown>;
  result?: unknown;
  created_at: string;
  started_at: string;
  duration_ms?: number;
  progress?: number;
  logs: string[];
}

export interface EngineOptions {
  runs: RunStore;
  resolver: Resolver;
  api: ApiEndpoint;
  answers?: Answers;
  ask?: AskFn;
  /** Evaluate expressions as a Windmill without V8 does (only the native forms); default: DEVGODZILLA_NO_V8=1. */
  noV8?: boolean;
  /** Streams each log line (already redacted) as it is written; the CLI prints them on stderr. */
  onLog?: (label: string, line: string) => void;
  /** Run and step starts and ends, for progress lines (events.ts). */
  onEvent?: OnRunEvent;
  root?: string;
}

export interface StepError {
  name: string;
  message: string;
  step_id?: string;
  /** The thrown error's own other properties, as Windmill's Bun wrapper keeps them. */
  extra?: Record<string, unknown>;
}

class FlowFailure extends Error {
  /** What the flow's failure module sees as previous_result, when not `{error}` (a loop's entries so far). */
  failedResult?: unknown;
  constructor(readonly error: StepError) {
    super(error.message);
    this.name = error.name;
  }
}

class Suspended extends Error {
  constructor(readonly pending: PendingApproval) {
    super(`suspended at step ${pending.step_id}`);
  }
}

class Canceled extends Error {
  /** Set when the cancel stopped the flow at a step boundary: the result of the step that ran last. */
  lastResult?: { value: unknown };
  /** Set when a step failed in the canceled flow: its error, which is what a parent flow sees. */
  failedWith?: StepError;
  constructor(
    readonly jobId: string,
    readonly reason: string,
    readonly by: string,
  ) {
    super(`Job canceled${reason ? `: ${reason}` : ""} by ${by}`);
    this.name = "Canceled";
  }

  /** A canceled job's result on Windmill (windmill-queue cancel_single_job). */
  get result() {
    return { error: { name: "Canceled", message: this.message, reason: this.reason, canceler: this.by } };
  }
}

/** A canceled loop iteration that fails its loop (skip_failures: false); its entry is the cancel's result. */
class CanceledIteration extends Error {
  constructor(readonly cancel: Canceled) {
    super(cancel.message);
  }
}

export type InnerFlowKind = "flownode" | "flowpreview";

/**
 * The job kind of a loop iteration's or a branch's flow job on Windmill: a saved flow keeps each
 * such module list as a flow node (worker_lockfiles.rs insert_flow_modules), run as a "flownode"
 * job, except a list of one plain script step in a flow without failure module, run as an inline
 * "flowpreview" one (measured on CE v1.592.1: flow_status_native row).
 */
function innerFlowKind(modules: FlowModule[], failure: FlowModule | undefined): InnerFlowKind {
  const [only] = modules;
  const simple =
    modules.length === 1 &&
    (only!.value.type === "script" || only!.value.type === "rawscript") &&
    !only!.sleep &&
    !only!.suspend &&
    !only!.retry &&
    !only!.stop_after_if &&
    !only!.skip_if &&
    !(only as { cache_ttl?: unknown }).cache_ttl &&
    !only!.mock?.enabled &&
    !failure;
  return simple || !modules.length ? "flowpreview" : "flownode";
}

/**
 * A module list whose last module suspends or sleeps, with the identity module Windmill appends to
 * it (`<id>-v`, flows.rs add_virtual_items_if_necessary) to wait on: the suspend or sleep is kept,
 * and the list's result is the last module's (measured on CE v1.592.1: conformance row approval_native).
 */
function withVirtualLast(modules: FlowModule[]): FlowModule[] {
  const last = modules[modules.length - 1];
  if (!last || (!last.suspend && !last.sleep)) return modules;
  return [...modules, { id: `${last.id}-v`, summary: "Virtual module needed for suspend/sleep when last module", value: { type: "identity" } } as FlowModule];
}

/** A loop iteration that failed (its step failed, past the failure module handed to it) in a loop without skip_failures; `entry`: its result. */
class FailedIteration extends Error {
  constructor(
    readonly failure: unknown,
    readonly entry: unknown,
  ) {
    super((failure as Error)?.message);
  }
}

/**
 * The failure of a loop that an iteration failed (skip_failures: false): its flow ends failed with
 * the loop's entries so far as its result — a sequential loop's up to the failed iteration, a
 * parallel one's once all its iterations have ended — the failed entry being what the failure
 * module (handed to each iteration) returned there, else the error; the flow's failure module does
 * not run again (measured on CE v1.592.1: conformance rows loop_failure_*no_skip*). A for loop only:
 * see the while loop in runModule.
 */
function loopFailed(failure: unknown, entries: unknown[]): FlowFailure {
  return Object.assign(new FlowFailure(toStepError(failure)), { handledResult: entries });
}

/**
 * The failure of a loop that a canceled iteration failed (skip_failures: false), whose result is
 * its entries so far (observed on CE v1.592.1). A sequential loop stops at the iteration and its
 * flow's failure module sees that array as previous_result; a parallel one fails once all its
 * iterations have ended, and its flow ends failed with the array as its result, without its failure
 * module (worker_flow.rs: for a parallel loop it counts as triggered at the iteration).
 */
function loopCanceled(cancel: Canceled, entries: unknown[], parallel: boolean | undefined): FlowFailure {
  const failure = new FlowFailure({ name: "Canceled", message: cancel.message });
  return Object.assign(failure, parallel ? { handledResult: entries } : { failedResult: entries });
}

/**
 * A running script job killed as Windmill's worker kills it (handle_child.rs): after its flow (or
 * itself) was canceled — the worker checks every 500 ms — or past its timeout (KillReason::Timeout).
 * It ends with this error: canceled after a cancel, and not retried (worker_flow.rs retries unless
 * the flow is canceled); failed, not canceled, after its timeout (observed on CE v1.592.1: success
 * false, canceled false), an attempt that the step's retries repeat.
 */
class JobKilled extends Error {
  private constructor(
    message: string,
    readonly reason: string,
    readonly by: string,
    readonly timedOut: boolean,
  ) {
    super(`execution error:\njob process terminated due to ${message}`);
    this.name = "ExecutionErr";
  }
  static canceled(reason: string, by: string): JobKilled {
    return new JobKilled(`cancelled by ${by}${reason ? ` (reason: ${reason})` : ""}`, reason, by, false);
  }
  static timedOut(seconds: number): JobKilled {
    return new JobKilled("timeout after exceeding job-specific duration limit", `duration > ${seconds}`, "timeout", true);
  }
}
/** How long after a cancel a running job is killed: Windmill's worker checks every 500 ms (handle_child.rs). */
const CANCEL_CHECK_MS = 500;

const toStepError = (e: unknown, stepId?: string): StepError => {
  if (e instanceof FlowFailure) return { ...e.error, step_id: e.error.step_id ?? stepId };
  const err = e instanceof Error ? e : new Error(String(e));
  // Windmill's Bun wrapper copies a thrown error's own properties but these into `extra`
  // (bun_executor.rs); a job the worker killed has no such error.
  if (err instanceof JobKilled) return { name: err.name, message: err.message, step_id: stepId };
  const extra = Object.fromEntries(
    Object.getOwnPropertyNames(err)
      .filter((k) => !WRAPPER_OWN_KEYS.has(k))
      .map((k) => [k, (err as unknown as Record<string, unknown>)[k]]),
  );
  return { name: err.name || "Error", message: err.message, step_id: stepId, ...(Object.keys(extra).length ? serialisable({ extra }) : {}) };
};
/** `v` as JSON would carry it, or nothing when it cannot be written (a cycle). */
const serialisable = <T>(v: T): T | Record<string, never> => {
  try {
    return json(v) as T;
  } catch {
    return {};
  }
};
const WRAPPER_OWN_KEYS = new Set(["line", "name", "stack", "column", "message", "sourceURL", "originalLine", "originalColumn"]);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A stable UUID-shaped id derived from a name (a subflow's job id must not change across replays). */
const uuidFrom = (name: string) => {
  const h = createHash("sha256").update(name).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
};
/** Windmill leaves failed_retries out when there were none. */
const failedRetries = (jobs: string[]): Partial<FlowStatusModule> => (jobs.length ? { failed_retries: [...jobs] } : {});
const json = (v: unknown) => (v === undefined ? null : JSON.parse(JSON.stringify(v)));

interface Scope {
  flowInput: Record<string, unknown>;
  results: Record<string, unknown>;
  prefix: string;
  flowJobId: string;
  flowPath: string;
  /** The flow jobs this scope runs inside, outermost first (a cancel of any of them stops it). */
  flowJobs: string[];
  /**
   * Its steps' WM_ROOT_FLOW_JOB_ID: Windmill's innermost root flow job, the nearest subflow or
   * parallel loop iteration (their own root), else the run (worker_flow.rs flow_innermost_root_job).
   */
  innermostRoot: string;
  /** The flow's failure module: Windmill hands it to every loop iteration, which runs it where a step fails. */
  failureModule?: FlowModule;
}

/** One execution (or replay) of a run. */
class Execution {
  private readonly done = new Map<string, Extract<JournalEntry, { type: "step" }>>();
  /** The job id of each step that finished (its resume events belong to that job). */
  private readonly stepJobs = new Map<string, string>();
  private readonly answerCursor = new Map<string, number>();
  /** Windmill's flow_status of each flow job of the run (served by the job API). */
  private readonly book: FlowStatusBook;

  constructor(
    private readonly engine: Engine,
    readonly record: RunRecord,
  ) {
    this.book = new FlowStatusBook(engine.opts.runs, record.id);
    for (const e of engine.opts.runs.journal(record.id)) {
      if (e.type === "step" && e.success) this.done.set(e.key, e);
    }
  }

  private get opts() {
    return this.engine.opts;
  }

  private eval(expr: string, ctx: ExprContext, where: string) {
    return evalExpr(expr, ctx, where, { noV8: this.opts.noV8 });
  }

  private checkCanceled(scope: Scope) {
    const canceled = this.canceledOf(scope);
    if (canceled) throw canceled;
  }

  /** The cancel of a flow job this scope runs inside, if there is one. */
  private canceledOf(scope: Scope): Canceled | undefined {
    for (const id of scope.flowJobs) {
      const j = this.engine.jobs.get(id);
      if (j?.status === "canceled") return new Canceled(id, j.canceled_reason ?? "", j.canceled_by ?? localUser());
    }
    return undefined;
  }

  async runFlow(flow: FlowFile, flowInput: Record<string, unknown>): Promise<unknown> {
    return this.runFlowIn(flow, {
      flowInput,
      results: {},
      prefix: "",
      flowJobId: this.record.id,
      flowPath: this.record.path,
      flowJobs: [this.record.id],
      innermostRoot: this.record.id,
      failureModule: flow.value.failure_module,
    });
  }

  /** A flow (the run's own, or a subflow step run inline under its step's key) with its failure module. */
  private async runFlowIn(flow: FlowFile, scope: Scope): Promise<unknown> {
    try {
      // A flow job's first step sees the flow's arguments as previous_result (Windmill passes the args).
      const out = await this.runModules(flow.value.modules, scope, scope.flowInput);
      if (out.stopped?.error_message) throw new FlowFailure({ name: "StopAfterIf", message: out.stopped.error_message, step_id: out.stoppedAt });
      return out.result;
    } catch (e) {
      if (e instanceof Suspended || e instanceof Canceled) throw e;
      // As on Windmill: a step that fails in a canceled flow ends it canceled, without its failure
      // module; a parent flow sees the step's error.
      const canceled = this.canceledOf(scope);
      if (canceled) throw Object.assign(canceled, { failedWith: toStepError(e) });
      return this.handleFailure(e, flow.value.failure_module, scope, `${scope.prefix}failure`);
    }
  }

  /**
   * A failed flow job (a flow, or a loop iteration) runs the failure module once, where the step
   * failed: it sees `error` and `previous_result = {error}`, and its result becomes the job's. The
   * job stays failed unless that result has `recover: true`.
   */
  private async handleFailure(e: unknown, failure: FlowModule | undefined, scope: Scope, key: string): Promise<unknown> {
    if ((e as { handledResult?: unknown }).handledResult !== undefined) throw e; // already handled deeper
    const error = toStepError(e);
    if (!failure) throw new FlowFailure(error);
    const failed = (e as FlowFailure).failedResult;
    const ctx: ExprContext = {
      flow_input: scope.flowInput,
      results: resultsView(scope.results),
      error,
      previous_result: failed !== undefined ? failed : { error },
    };
    let handled: unknown;
    try {
      handled = await this.runLeaf(failure, scope, ctx, key);
      this.book.set(scope.flowJobId, failure.id, { type: "Success" });
    } catch (e2) {
      if (!(e2 instanceof Suspended) && !(e2 instanceof Canceled)) this.book.set(scope.flowJobId, failure.id, { type: "Failure" });
      throw e2;
    }
    if (handled && typeof handled === "object" && (handled as { recover?: unknown }).recover === true) return handled;
    throw Object.assign(new FlowFailure(error), { handledResult: handled });
  }

  /** Runs a module list; returns the last result, or where a stop_after_if stopped it. */
  private async runModules(
    modules: FlowModule[],
    scope: Scope,
    previous: unknown,
  ): Promise<{ result: unknown; stopped?: FlowModule["stop_after_if"]; stoppedAt?: string }> {
    modules = withVirtualLast(modules);
    let prev = previous;
    let pendingResume: { resume: unknown; resumes: unknown[]; approvers: string[] } | undefined;
    this.book.begin(scope.flowJobId, modules, scope.failureModule);
    for (const [i, m] of modules.entries()) {
      try {
        this.checkCanceled(scope);
      } catch (e) {
        if (i > 0 && e instanceof Canceled) e.lastResult ??= { value: prev };
        throw e;
      }
      const ctx: ExprContext = {
        flow_input: scope.flowInput,
        results: resultsView(scope.results),
        previous_result: prev,
        resume: pendingResume?.resume,
        resumes: pendingResume?.resumes ?? [],
        approvers: pendingResume?.approvers ?? [],
      };
      pendingResume = undefined; // only the step right after an approval sees it
      const key = scope.prefix + m.id;
      if (m.skip_if && (await this.eval(`Boolean(${m.skip_if.expr})`, ctx, `${key}.skip_if`))) {
        scope.results[m.id] = prev; // a skipped step is an identity step
        this.identityJob(scope, m, key, prev, true);
        continue;
      }
      const result = await this.tracked(scope, m, () => this.runModule(m, scope, ctx, key, prev));
      scope.results[m.id] = result;
      prev = result;

      if (m.suspend?.required_events) {
        // As in Windmill: the next module waits for the events of the suspended step's job.
        this.book.set(scope.flowJobId, modules[i + 1]!.id, { type: "WaitingForEvents", count: m.suspend.required_events, job: this.stepJobs.get(key) });
        try {
          pendingResume = await this.awaitResume(m, key, result, scope);
        } catch (e) {
          // Timed out or disapproved: the waiting module fails without a job of its own (Windmill's nil job id).
          if (e instanceof FlowFailure) this.book.set(scope.flowJobId, modules[i + 1]!.id, { type: "Failure", job: undefined });
          throw e;
        }
        this.book.set(scope.flowJobId, m.id, { approvers: pendingResume.approvers.map((approver, n) => ({ resume_id: n, approver })) });
      }
      if (m.stop_after_if && (await this.eval(`Boolean(${m.stop_after_if.expr})`, { ...ctx, result, previous_result: result }, `${key}.stop_after_if`))) {
        return { result, stopped: m.stop_after_if, stoppedAt: m.id };
      }
      if (m.sleep) {
        const seconds = await this.transform(m.sleep, { ...ctx, result, previous_result: result }, `${key}.sleep`);
        if (typeof seconds === "number" && seconds > 0) await this.sleepBefore(modules[i + 1], scope, key, seconds);
      }
    }
    return { result: prev };
  }

  /**
   * A module's `sleep`: Windmill queues the next module's job at once, scheduled for the end of the
   * sleep (the module InProgress with that job). A cancel of that job, or of the flow, meanwhile
   * reaches the queued job: it ends without running, a failed job whose result is the cancel error,
   * its module a Failure. A canceled flow then ends canceled without its failure module; otherwise
   * the flow fails at the step, its failure module seeing that result (observed on CE v1.592.1).
   */
  private async sleepBefore(next: FlowModule | undefined, scope: Scope, key: string, seconds: number) {
    if (this.canceledOf(scope)) return; // canceled by the step itself: nothing is queued, the flow stops at this boundary
    if (!next) return sleep(seconds * 1000);
    const until = Date.now() + seconds * 1000;
    const v = next.value;
    const now = new Date().toISOString();
    const path = v.type === "script" || v.type === "flow" ? v.path : `${scope.flowPath}/${next.id}`;
    const root_job = this.record.root_job ?? this.record.id;
    const queued: JobInfo = {
      id: randomUUID(),
      path,
      kind: "step",
      step_id: next.id,
      parent_job: scope.flowJobId,
      root_job,
      run_id: this.record.id,
      status: "running",
      args: {},
      created_at: now,
      started_at: now,
      logs: [],
    };
    this.engine.jobs.set(queued.id, queued); // Engine.cancel finds it
    this.book.set(scope.flowJobId, next.id, { type: "InProgress", job: queued.id });
    const stopped = () =>
      this.canceledOf(scope) ??
      (queued.status === "canceled" ? new Canceled(queued.id, queued.canceled_reason ?? "", queued.canceled_by ?? localUser()) : undefined);
    // A cancel of any job of the run wakes the wait (Engine.cancel).
    while (Date.now() < until && !stopped()) await this.engine.resumes.wait(this.record.id, `${key}/sleep`, until - Date.now());
    this.engine.jobs.delete(queued.id);
    const canceled = stopped();
    if (!canceled) return;
    const kind = v.type === "script" || v.type === "rawscript" ? "script" : "flow";
    this.book.job({
      id: queued.id,
      path,
      kind,
      step_id: next.id,
      parent_job: scope.flowJobId,
      root_job,
      status: "failure",
      args: {},
      result: canceled.result,
      created_at: now,
      duration_ms: 0,
    });
    this.book.set(scope.flowJobId, next.id, { type: "Failure" });
    if (canceled.jobId !== queued.id) throw Object.assign(canceled, { failedWith: canceled.result.error });
    throw Object.assign(new FlowFailure({ name: "Canceled", message: canceled.message, step_id: next.id }), { failedResult: canceled.result });
  }

  /** Runs a module, its flow_status entry Success or Failure after (a suspended or canceled one stays as it is). */
  private async tracked(scope: Scope, m: FlowModule, run: () => Promise<unknown>): Promise<unknown> {
    try {
      const result = await run();
      this.book.set(scope.flowJobId, m.id, { type: "Success" });
      return result;
    } catch (e) {
      const stays = (e as { inProgressAt?: string }).inProgressAt === `${scope.flowJobId}/${m.id}`;
      if (!(e instanceof Suspended) && !(e instanceof Canceled) && !stays) this.book.set(scope.flowJobId, m.id, { type: "Failure" });
      throw e;
    }
  }

  /** An identity step (or a skipped one) is a job of its own in Windmill that passes its input on. */
  private identityJob(scope: Scope, m: FlowModule, key: string, value: unknown, skipped = false) {
    const id = uuidFrom(`${this.record.id}/${key}`);
    const now = new Date().toISOString();
    this.book.job({
      id,
      path: `${scope.flowPath}/${m.id}`,
      kind: "identity",
      step_id: m.id,
      parent_job: scope.flowJobId,
      root_job: this.record.root_job ?? this.record.id,
      status: "success",
      args: {},
      result: this.opts.resolver.redactor.redactDeep(json(value)),
      created_at: now,
      duration_ms: 0,
    });
    this.book.set(scope.flowJobId, m.id, { type: "Success", job: id, ...(skipped ? { skipped: true } : {}) });
    return value;
  }

  /**
   * A flow job inside the run (subflow, loop iteration, branch): live for cancel and user state,
   * recorded for the job API. `modules`: an iteration's or a branch's, which give its job kind.
   */
  private innerFlow(scope: Scope, stepId: string, id: string, flowPath: string, args: Record<string, unknown>, modules?: FlowModule[]): JobInfo {
    const job = this.engine.flowJob(id, flowPath, this.record, scope.flowJobId, stepId, args);
    if (modules) job.job_kind = innerFlowKind(modules, scope.failureModule);
    const { path: p, parent_job, root_job, created_at, job_kind } = job;
    const kept = this.opts.resolver.redactor.redactDeep(json(args)) as Record<string, unknown>;
    this.book.job({
      id,
      path: p,
      kind: "flow",
      job_kind,
      step_id: stepId,
      parent_job: parent_job!,
      root_job: root_job!,
      status: "running",
      args: kept,
      created_at,
    });
    return job;
  }

  private endInner(job: JobInfo, status: "success" | "failure" | "canceled", result: unknown) {
    const fields = { status, result: this.opts.resolver.redactor.redactDeep(json(result)), duration_ms: Date.now() - Date.parse(job.started_at) };
    Object.assign(job, fields);
    this.book.update(job.id, fields);
  }

  /**
   * A loop or branch module's flow jobs as they start and end (flow_jobs, flow_jobs_success,
   * flow_jobs_duration). Each start or end is logged as the edits it makes, so a loop's n-th
   * iteration costs what changed, not its n flow jobs copied and compared again.
   */
  private flowJobsOf(scope: Scope, m: FlowModule, base: Partial<FlowStatusModule>) {
    const indexOf = new Map<string, number>();
    const edit = (edits: FlowStatusEdit[]) => this.book.edit(scope.flowJobId, m.id, edits);
    return {
      begin: () =>
        this.book.set(scope.flowJobId, m.id, {
          type: "InProgress",
          ...base,
          flow_jobs: [],
          flow_jobs_success: [],
          flow_jobs_duration: { started_at: [], duration_ms: [] },
        }),
      /** `extra`: the module's other fields this start changes (a loop's iterator index, a branch's number). */
      start: (id: string, extra: FlowStatusEdit[] = []) => {
        if (indexOf.has(id)) return edit(extra);
        const i = indexOf.size;
        indexOf.set(id, i);
        edit([
          [["job"], id],
          [["flow_jobs", i], id],
          [["flow_jobs_success", i], null],
          [["flow_jobs_duration", "started_at", i], null],
          [["flow_jobs_duration", "duration_ms", i], null],
          ...extra,
        ]);
      },
      /** After the flow job's own record was ended (endInner): its timing comes from there. */
      end: (id: string, ok: boolean) => {
        const i = indexOf.get(id)!;
        const job = this.book.innerJob(id);
        edit([
          [["flow_jobs_success", i], ok],
          [["flow_jobs_duration", "started_at", i], job?.created_at ?? null],
          [["flow_jobs_duration", "duration_ms", i], job?.duration_ms ?? null],
        ]);
      },
    };
  }

  /**
   * After a suspend step: its resume events (POSTs to its resume URL, made while it ran or since,
   * by a person or by another job), then — for an approval meant for a person (a resume form, or
   * a result with the approval links Windmill's page shows) — an answer given up front or at the
   * terminal, else the run stops and says how to resume it. Any other suspend is resumed by jobs:
   * it waits for its events until the suspend's timeout (Windmill's default 1800 s).
   */
  private async awaitResume(m: FlowModule, key: string, stepResult: unknown, scope: Scope) {
    const box = this.engine.resumes;
    const jobId = this.stepJobs.get(key);
    const required = m.suspend?.required_events ?? 1;
    const deadline = Date.now() + (m.suspend?.timeout ?? 1800) * 1000;
    let asked = false;
    for (;;) {
      const events = box.list(this.record.id, key, jobId);
      const refused = events.find((e) => !e.approved);
      if (refused) return this.refused(m, refused, events);
      if (events.length >= required || events.some((e) => e.timed_out)) {
        return { resume: events[events.length - 1]!.payload, resumes: events.map((e) => e.payload), approvers: events.map((e) => e.approver) };
      }
      if (isHumanApproval(m, stepResult) && !asked) {
        asked = true;
        const pending: PendingApproval = { key, step_id: m.id, summary: m.summary, step_result: stepResult, form: m.suspend?.resume_form?.schema };
        let payload = this.fromAnswers(m.id);
        if (payload === undefined && this.opts.ask) payload = await this.opts.ask(pending);
        // Answered meanwhile through the step's resume URL (its approval page), as on Windmill: go on with that.
        if (payload === undefined && box.list(this.record.id, key, jobId).length) continue;
        if (payload === undefined) throw new Suspended(pending);
        const approved = !(payload as { __disapproved?: unknown } | null)?.__disapproved;
        box.add(this.record.id, key, { payload, approved, approver: localUser(), at: new Date().toISOString() });
        continue;
      }
      const arrived = await box.wait(this.record.id, key, deadline - Date.now());
      this.checkCanceled(scope);
      if (!arrived && Date.now() >= deadline && box.list(this.record.id, key, jobId).length < required) {
        const error = { name: "SuspendedTimedOut", message: "Timed out waiting to be resumed" };
        if (!m.suspend?.continue_on_disapprove_timeout) throw new FlowFailure(error);
        box.add(this.record.id, key, { job_id: jobId, payload: { error }, approved: true, approver: "timeout", at: new Date().toISOString(), timed_out: true });
      }
    }
  }

  /**
   * A disapproval (or a cancel URL) fails the flow, unless continue_on_disapprove_timeout. As a
   * timeout, the error is Windmill's (worker_flow.rs): the flow's, not a step's (no step_id).
   */
  private refused(m: FlowModule, e: ResumeEvent, events: ResumeEvent[]) {
    const error = { name: "SuspendedDisapproved", message: `Disapproved by ${e.approver}` };
    if (!m.suspend?.continue_on_disapprove_timeout) throw new FlowFailure(error);
    return { resume: { error }, resumes: [...events.filter((x) => x.approved).map((x) => x.payload), { error }], approvers: events.map((x) => x.approver) };
  }

  /** Answers given up front: `{step_id: payload}` or `{step_id: [payload, payload…]}` for a step met repeatedly. */
  private fromAnswers(stepId: string): unknown {
    const given = this.opts.answers?.[stepId];
    if (given === undefined) return undefined;
    if (!Array.isArray(given)) return given;
    const n = this.answerCursor.get(stepId) ?? 0;
    this.answerCursor.set(stepId, n + 1);
    return given[n];
  }

  private async transform(t: InputTransform, ctx: ExprContext, where: string): Promise<unknown> {
    if (t.type === "static") return t.value;
    if (t.type === "javascript") return this.eval(t.expr, ctx, where);
    throw new Error(`${where}: unknown input transform type "${(t as { type: string }).type}"`);
  }

  private async runModule(m: FlowModule, scope: Scope, ctx: ExprContext, key: string, prev: unknown): Promise<unknown> {
    const v = m.value;
    switch (v.type) {
      case "script":
      case "rawscript":
        return this.runLeaf(m, scope, ctx, key);
      case "flow":
        return this.runSubflow(m, v, scope, ctx, key);
      case "identity":
        return this.identityJob(scope, m, key, prev);
      case "forloopflow":
        return this.forLoop(m, v, scope, ctx, key);
      case "whileloopflow": {
        const loop = this.flowJobsOf(scope, m, { job: uuidFrom(`${this.record.id}/${key}`), while_loop: true });
        loop.begin();
        const out: unknown[] = [];
        for (let index = 0; ; index++) {
          if (index >= 10_000) throw new Error(`${key}: while loop ran 10000 iterations without a stop_after_if ending it`);
          const it = await this.iteration(m, v.modules, scope, key, index, index, v.skip_failures ?? false, {
            loop,
            path: `${scope.flowPath}/loop-${index}`,
          }).catch((e: unknown) => {
            // Windmill does not count a while loop as a loop here (its status has no iterator): the flow
            // fails as at a plain step, with the failed iteration's result, and the loop's module stays
            // InProgress (measured on CE v1.592.1: conformance row loop_failure_while_no_skip).
            if (e instanceof FailedIteration) throw Object.assign(e.failure as object, { inProgressAt: `${scope.flowJobId}/${m.id}` });
            if (!(e instanceof CanceledIteration)) throw e;
            throw loopCanceled(e.cancel, [...out, e.cancel.result], false);
          });
          out.push(it.result);
          if (it.stopped) break;
        }
        return out;
      }
      case "branchone": {
        // A branch is a flow job of its own whose arguments are the flow's: its first step sees them as previous_result.
        let chosen = -1;
        for (const [i, b] of v.branches.entries()) {
          if (await this.eval(`Boolean(${b.expr})`, ctx, `${key}.branches[${i}].expr`)) {
            chosen = i;
            break;
          }
        }
        const name = chosen >= 0 ? String(chosen) : "default";
        const id = uuidFrom(`${this.record.id}/${key}/${name}`);
        this.book.set(scope.flowJobId, m.id, {
          type: "InProgress",
          job: id,
          branch_chosen: chosen >= 0 ? { type: "branch", branch: chosen } : { type: "default" },
        });
        const modules = chosen >= 0 ? v.branches[chosen]!.modules : (v.default ?? []);
        return (await this.asFlowJob(scope, m, id, `${scope.flowPath}/branchone-${name}`, modules, { prefix: `${key}/${name}/` })).result;
      }
      case "branchall":
        return this.branchAll(m, v, scope, key);
      default:
        throw new Error(`${key}: module type "${(v as { type: string }).type}" is not supported by the local runner`);
    }
  }

  private async forLoop(m: FlowModule, v: Extract<FlowModule["value"], { type: "forloopflow" }>, scope: Scope, ctx: ExprContext, key: string) {
    const items = await this.transform(v.iterator, ctx, `${key}.iterator`);
    if (!Array.isArray(items)) throw new Error(`${key}: the iterator must evaluate to an array, got ${typeof items}`);
    const parallelism = v.parallel
      ? Math.max(
          1,
          Number(typeof v.parallelism === "object" ? await this.transform(v.parallelism, ctx, `${key}.parallelism`) : (v.parallelism ?? items.length)) ||
            items.length,
        )
      : 1;
    const itered = this.opts.resolver.redactor.redactDeep(json(items)) as unknown[];
    const loop = this.flowJobsOf(scope, m, { job: uuidFrom(`${this.record.id}/${key}`), parallel: v.parallel || undefined, iterator: { index: 0, itered } });
    loop.begin();
    const out = new Array(items.length);
    let next = 0;
    let canceledAt: { index: number; cancel: Canceled } | undefined;
    let failedAt: { index: number; failure: unknown } | undefined;
    const worker = async () => {
      while (next < items.length && !((canceledAt || failedAt) && !v.parallel)) {
        const index = next++;
        const path = `${scope.flowPath}/${v.parallel ? "forloop" : "loop"}-${index}`;
        try {
          const it = await this.iteration(m, v.modules, scope, key, index, items[index], v.skip_failures ?? true, {
            loop,
            path,
            iterator: { index, itered },
            parallel: v.parallel,
          });
          out[index] = it.result;
        } catch (e) {
          if (e instanceof FailedIteration) {
            out[index] = e.entry;
            failedAt ??= { index, failure: e.failure };
            continue;
          }
          if (!(e instanceof CanceledIteration)) throw e;
          out[index] = e.cancel.result;
          canceledAt ??= { index, cancel: e.cancel };
        }
      }
    };
    const workers = Array.from({ length: Math.min(parallelism, items.length) }, worker);
    try {
      await Promise.all(workers);
    } catch (e) {
      // A canceled flow's loop ends once every iteration it started has (a cancel kills their running steps).
      if (e instanceof Canceled) await Promise.allSettled(workers);
      throw e;
    }
    if (canceledAt) throw loopCanceled(canceledAt.cancel, v.parallel ? out : out.slice(0, canceledAt.index + 1), v.parallel);
    if (failedAt) throw loopFailed(failedAt.failure, v.parallel ? out : out.slice(0, failedAt.index + 1));
    return out;
  }

  private async branchAll(m: FlowModule, v: Extract<FlowModule["value"], { type: "branchall" }>, scope: Scope, key: string) {
    const ids = v.branches.map((_, i) => uuidFrom(`${this.record.id}/${key}/${i}`));
    const jobs = this.flowJobsOf(scope, m, { job: uuidFrom(`${this.record.id}/${key}`), parallel: v.parallel || undefined });
    jobs.begin();
    const run = async (b: (typeof v.branches)[number], i: number) => {
      this.checkCanceled(scope); // as Windmill: a canceled flow starts no further branch
      jobs.start(ids[i]!, [[["branchall"], { branch: i, len: v.branches.length }]]);
      try {
        const sub = { results: Object.create(scope.results), prefix: `${key}/${i}/` };
        const { result } = await this.asFlowJob(scope, m, ids[i]!, `${scope.flowPath}/branchall-${i}`, b.modules, sub);
        jobs.end(ids[i]!, true);
        return result;
      } catch (e) {
        if (e instanceof Canceled) jobs.end(ids[i]!, true); // see iteration(): the steps it ran succeeded
        if (e instanceof Suspended || e instanceof Canceled) throw e;
        jobs.end(ids[i]!, false);
        if (!b.skip_failure) throw e;
        return { error: toStepError(e) };
      }
    };
    if (v.parallel) return Promise.all(v.branches.map(run));
    const out = [];
    for (const [i, b] of v.branches.entries()) out.push(await run(b, i));
    return out;
  }

  /** Modules run as a flow job of their own (a branch) whose arguments are its flow's. */
  private async asFlowJob(scope: Scope, m: FlowModule, id: string, flowPath: string, modules: FlowModule[], sub: Partial<Scope>) {
    const job = this.innerFlow(scope, m.id, id, flowPath, scope.flowInput, modules);
    try {
      const out = await this.runModules(modules, { ...scope, ...sub, flowJobId: id, flowJobs: [...scope.flowJobs, id] }, scope.flowInput);
      this.endInner(job, "success", out.result);
      return out;
    } catch (e) {
      if (!(e instanceof Suspended)) this.endInner(job, e instanceof Canceled ? "canceled" : "failure", { error: toStepError(e) });
      throw e;
    }
  }

  /**
   * A subflow step runs inline, under its step's key in this run's journal: an approval inside it
   * suspends this run, and `devgodzilla resume <this run>` continues it where it stopped.
   */
  private async runSubflow(m: FlowModule, v: Extract<FlowModule["value"], { type: "flow" }>, scope: Scope, ctx: ExprContext, key: string) {
    const runnable = resolveRunnable(v.path, this.engine.root);
    if (runnable.kind !== "flow") throw new Error(`${key}: ${v.path} is a script; use type: script`);
    const flow = loadFlow(runnable.file);
    const args: Record<string, unknown> = {};
    for (const [name, t] of Object.entries(v.input_transforms ?? {})) args[name] = await this.transform(t, ctx, `${key}.input_transforms.${name}`);
    const flowJobId = uuidFrom(`${this.record.id}/${key}`);
    this.book.set(scope.flowJobId, m.id, { type: "InProgress", job: flowJobId });
    const replayed = this.done.get(key);
    if (replayed) return replayed.result;
    const flowInput = applyDefaults(flow, args, runnable);
    const job = this.innerFlow(scope, m.id, flowJobId, runnable.path, flowInput);
    const run = () =>
      this.runFlowIn(flow, {
        flowInput,
        results: {},
        prefix: `${key}/`,
        flowJobId,
        flowPath: runnable.path,
        flowJobs: [...scope.flowJobs, flowJobId],
        innermostRoot: flowJobId,
        failureModule: flow.value.failure_module,
      });
    const ref = { run: this.record, key, step_id: m.id, summary: m.summary, args, kind: "flow" as const };
    const started = Date.now();
    this.engine.event({ type: "step-start", ...ref, attempt: 1 });
    try {
      // A `timeout` on a subflow step bounds nothing, as on a loop or branches: Windmill gives it to
      // the flow job, and only a script job's process is killed past it (handle_child.rs; observed on CE v1.592.1).
      const result = await run();
      // Listed like Windmill's subflow job: its result and duration (agent_metrics, run_status read them).
      this.endInner(job, "success", result);
      this.engine.event({ type: "step-end", ...ref, attempt: 1, duration_ms: Date.now() - started, success: true, result });
      return result;
    } catch (e) {
      if (e instanceof Suspended) throw e;
      if (e instanceof Canceled && e.jobId !== flowJobId) {
        // A flow around it was canceled: it ends canceled too, and where one of its steps failed (a
        // running step is killed) its module is a Failure, as on Windmill.
        this.endInner(job, "canceled", e.result);
        if (e.failedWith) this.book.set(scope.flowJobId, m.id, { type: "Failure" });
        throw e;
      }
      if (e instanceof Canceled && e.lastResult && !e.failedWith) {
        // As on Windmill (observed on CE v1.592.1): a subflow canceled between its steps reports the
        // step that ran last to its parent, whose step succeeds with that result and which goes on.
        const result = e.lastResult.value;
        this.endInner(job, "canceled", e.result);
        this.engine.event({ type: "step-end", ...ref, attempt: 1, duration_ms: Date.now() - started, success: true, result });
        return result;
      }
      // Canceled before any step ran, or failed: a failed step of its parent (which goes on with its own error handling).
      const error = e instanceof Canceled ? (e.failedWith ?? { name: "Canceled", message: e.message, step_id: m.id }) : toStepError(e, m.id);
      this.endInner(job, e instanceof Canceled ? "canceled" : "failure", e instanceof Canceled ? e.result : { error });
      this.engine.event({ type: "step-end", ...ref, attempt: 1, duration_ms: Date.now() - started, success: false, error });
      if (m.continue_on_error) return { error };
      throw new FlowFailure(error);
    }
  }

  /** A loop iteration: a flow job of its own (parent: the loop's flow), whose first step sees the iteration's arguments. */
  private async iteration(
    m: FlowModule,
    modules: FlowModule[],
    scope: Scope,
    key: string,
    index: number,
    value: unknown,
    skipFailures: boolean,
    at: { loop: ReturnType<Execution["flowJobsOf"]>; path: string; iterator?: FlowStatusModule["iterator"]; parallel?: boolean },
  ): Promise<{ result: unknown; stopped?: FlowModule["stop_after_if"] }> {
    this.checkCanceled(scope); // as Windmill: a canceled flow starts no further iteration
    const id = uuidFrom(`${this.record.id}/${key}[${index}]`);
    const iterInput = { ...scope.flowInput, iter: { index, value }, ...(scope.flowInput.iter ? { iter_parent: scope.flowInput.iter } : {}) };
    const job = this.innerFlow(scope, m.id, id, at.path, iterInput, modules);
    at.loop.start(id, at.iterator ? [[["iterator", "index"], at.iterator.index]] : []);
    const sub: Scope = {
      ...scope,
      flowInput: iterInput,
      results: Object.create(scope.results),
      prefix: `${key}[${index}]/`,
      flowJobId: id,
      flowJobs: [...scope.flowJobs, id],
      innermostRoot: at.parallel ? id : scope.innermostRoot,
    };
    const end = (status: "success" | "failure", result: unknown) => (this.endInner(job, status, result), at.loop.end(id, status === "success"));
    try {
      const out = await this.runModules(modules, sub, iterInput);
      end("success", out.result);
      return out;
    } catch (e) {
      if (e instanceof Suspended) throw e;
      const canceled = e instanceof Canceled ? e : this.canceledOf(sub);
      if (canceled) {
        this.endInner(job, "canceled", canceled.result);
        // Stopped at a step boundary, after steps that succeeded, Windmill reports that outcome to
        // the loop (worker_flow.rs: the parent is updated with `success && !is_failure_step`); a step
        // that failed or was killed makes it a failed iteration.
        const betweenSteps = e instanceof Canceled && !e.failedWith;
        at.loop.end(id, betweenSteps);
        // A sequential loop in a canceled flow starts no further iteration. Otherwise (the iteration
        // itself canceled, or a parallel loop, whose iterations all end) the iteration's entry is its
        // job's result, the cancel error (observed on CE v1.592.1).
        if (canceled.jobId !== id && !at.parallel) throw e instanceof Canceled ? e : Object.assign(canceled, { failedWith: toStepError(e) });
        // Without skip_failures, a sequential loop fails on the iteration only if a step was killed
        // (one stopped between steps reported success), a parallel one on any canceled iteration
        // (it checks that every iteration job succeeded): see forLoop.
        if (!skipFailures && (at.parallel || !betweenSteps)) throw new CanceledIteration(canceled);
        return { result: canceled.result };
      }
      try {
        const result = await this.handleFailure(e, scope.failureModule, sub, `${key}[${index}]/failure`);
        end("success", result);
        return { result };
      } catch (failed) {
        // With skip_failures the loop goes on; the iteration's entry is its failure module's result, else its error.
        const handled = (failed as { handledResult?: unknown }).handledResult;
        const result = handled !== undefined ? handled : { error: toStepError(failed) };
        end("failure", result);
        if (failed instanceof Suspended || failed instanceof Canceled) throw failed;
        if (!skipFailures) throw new FailedIteration(failed, result);
        return { result };
      }
    }
  }

  /** A step that is a job of its own (script, rawscript, subflow), with mock, retry, timeout, continue_on_error. */
  private async runLeaf(m: FlowModule, scope: Scope, ctx: ExprContext, key: string): Promise<unknown> {
    const v = m.value as Extract<FlowModule["value"], { type: "script" | "rawscript" }>;
    const ref = { run: this.record, key, step_id: m.id, summary: m.summary, args: {} as Record<string, unknown>, kind: "script" as const };
    const replayed = this.done.get(key);
    if (replayed) {
      this.stepJobs.set(key, replayed.job_id);
      this.book.set(scope.flowJobId, m.id, { type: "InProgress", job: replayed.job_id, ...failedRetries(replayed.failed_attempts ?? []) });
      // Known to this process too: a suspended step's resume URL names this job (another step may post to it).
      if (!this.engine.jobs.has(replayed.job_id)) {
        const at = replayed.started_at ?? new Date().toISOString();
        this.engine.jobs.set(replayed.job_id, {
          id: replayed.job_id,
          path: replayed.path ?? scope.flowPath,
          kind: "step",
          step_id: m.id,
          key,
          parent_job: scope.flowJobId,
          root_job: this.record.root_job ?? this.record.id,
          run_id: this.record.id,
          status: "success",
          args: {},
          result: replayed.result,
          created_at: at,
          started_at: at,
          duration_ms: replayed.duration_ms,
          logs: [],
        });
      }
      this.engine.event({ type: "step-replayed", ...ref });
      return replayed.result;
    }
    if (m.mock?.enabled) {
      this.book.set(scope.flowJobId, m.id, { type: "InProgress", job: uuidFrom(`${this.record.id}/${key}`) });
      return m.mock.return_value ?? null;
    }
    const started = Date.now();
    const args: Record<string, unknown> = ref.args;
    for (const [name, t] of Object.entries(v.input_transforms ?? {})) args[name] = await this.transform(t, ctx, `${key}.input_transforms.${name}`);

    const timeoutS = await this.stepTimeout(m, ctx, key);
    const delays = retryDelays(m.retry);
    // The step job's script path as Windmill lists it (an inline script: the flow path and step id).
    const stepPath = v.type === "script" ? v.path : `${scope.flowPath}/${m.id}`;
    let attempt = 0;
    const failedAttempts: string[] = [];
    for (;;) {
      const jobId = randomUUID();
      this.book.set(scope.flowJobId, m.id, { type: "InProgress", job: jobId });
      const attemptStarted = Date.now();
      this.engine.event({ type: "step-start", ...ref, attempt: attempt + 1 });
      try {
        const result = await traceStep(m.id, stepPath, () => this.runStepJob(m, v, args, scope, jobId, key, timeoutS)); // agentops: step span
        this.stepJobs.set(key, jobId);
        const entry = {
          type: "step" as const,
          key,
          step_id: m.id,
          job_id: jobId,
          success: true,
          result: json(result),
          started_at: new Date(started).toISOString(),
          duration_ms: Date.now() - started,
          attempts: attempt + 1,
          ...(failedAttempts.length ? { failed_attempts: failedAttempts } : {}),
          path: stepPath,
          parent_job: scope.flowJobId,
        };
        this.opts.runs.append(this.record.id, entry);
        if (failedAttempts.length) this.book.set(scope.flowJobId, m.id, failedRetries(failedAttempts));
        this.engine.event({ type: "step-end", ...ref, attempt: attempt + 1, duration_ms: Date.now() - attemptStarted, success: true, result: entry.result });
        return entry.result;
      } catch (e) {
        if (e instanceof Suspended || e instanceof Canceled) throw e;
        const retryable =
          attempt < delays.length && !(e instanceof JobKilled && !e.timedOut) && !cannotFixItself(e) && (!m.retry?.retry_if || (await this.retryAllowed(m, e)));
        this.engine.event({
          type: "step-end",
          ...ref,
          attempt: attempt + 1,
          duration_ms: Date.now() - attemptStarted,
          success: false,
          error: toStepError(e, m.id),
          retry_in_s: retryable ? delays[attempt] : undefined,
        });
        if (retryable) {
          this.failedAttempt(scope, m, {
            id: jobId,
            path: stepPath,
            args,
            started: attemptStarted,
            error: toStepError(e, m.id),
          });
          failedAttempts.push(jobId);
          this.engine.emit(this.record, m.id, `attempt ${attempt + 1} failed: ${toStepError(e).message} — retrying in ${delays[attempt]}s`);
          await sleep(delays[attempt] * 1000);
          attempt++;
          continue;
        }
        const error = toStepError(e, m.id);
        this.opts.runs.append(this.record.id, {
          type: "step",
          key,
          step_id: m.id,
          job_id: jobId,
          success: false,
          ...(e instanceof JobKilled && !e.timedOut ? { canceled: true } : {}),
          result: { error },
          started_at: new Date(started).toISOString(),
          duration_ms: Date.now() - started,
          attempts: attempt + 1,
          ...(failedAttempts.length ? { failed_attempts: failedAttempts } : {}),
          path: stepPath,
          parent_job: scope.flowJobId,
        });
        if (failedAttempts.length) this.book.set(scope.flowJobId, m.id, failedRetries(failedAttempts));
        if (m.continue_on_error) return { error };
        throw new FlowFailure(error);
      }
    }
  }

  /** A failed attempt of a retried step stays a job of its own (Windmill lists it in the module's failed_retries). */
  private failedAttempt(scope: Scope, m: FlowModule, a: { id: string; path: string; args: Record<string, unknown>; started: number; error: StepError }) {
    const redact = (v: unknown) => this.opts.resolver.redactor.redactDeep(json(v));
    this.book.job({
      id: a.id,
      path: a.path,
      kind: "script",
      step_id: m.id,
      parent_job: scope.flowJobId,
      root_job: this.record.root_job ?? this.record.id,
      status: "failure",
      args: redact(a.args) as Record<string, unknown>,
      result: redact({ error: a.error }),
      created_at: new Date(a.started).toISOString(),
      duration_ms: Date.now() - a.started,
    });
  }

  /**
   * A step's `timeout` in seconds, evaluated as Windmill does when it starts the step's job
   * (worker_flow.rs: an input transform, 0 allowed — the job is killed at once —, negative refused).
   */
  private async stepTimeout(m: FlowModule, ctx: ExprContext, key: string): Promise<number | undefined> {
    if (m.timeout === undefined || m.timeout === null) return undefined;
    const t = typeof m.timeout === "number" ? m.timeout : await this.transform(m.timeout, ctx, `${key}.timeout`);
    if (typeof t !== "number" || !Number.isInteger(t)) throw new Error(`${key}.timeout: ${JSON.stringify(t)} is not a whole number of seconds`);
    if (t < 0) throw new Error(`${key}.timeout: Timeout value cannot be negative (${t})`);
    return t;
  }

  private async retryAllowed(m: FlowModule, e: unknown): Promise<boolean> {
    const error = toStepError(e, m.id);
    return Boolean(await this.eval(`Boolean(${m.retry!.retry_if!.expr})`, { error, result: { error } }, `${m.id}.retry.retry_if`));
  }

  private async runStepJob(
    m: FlowModule,
    v: Extract<FlowModule["value"], { type: "script" | "rawscript" }>,
    args: Record<string, unknown>,
    scope: Scope,
    jobId: string,
    key: string,
    /** The step's timeout (seconds), else the script's own applies. */
    timeoutS: number | undefined,
  ) {
    const file = v.type === "script" ? this.engine.scriptFile(v.path) : this.engine.inlineFile(v, scope.flowPath, m.id);
    return this.engine.runScriptJob(file, args, {
      jobId,
      path: v.type === "script" ? v.path : `${scope.flowPath}/${m.id}`,
      stepId: m.id,
      key,
      flowJobId: scope.flowJobId,
      rootJobId: this.record.root_job ?? this.record.id,
      rootFlowJobId: scope.innermostRoot,
      flowPath: scope.flowPath,
      record: this.record,
      timeoutS: timeoutS ?? (v.type === "script" ? scriptTimeout(file) : undefined),
    });
  }
}

/** A person answers it: it has a resume form, or its result is Windmill's approval widget (resume/cancel links). */
function isHumanApproval(m: FlowModule, stepResult: unknown): boolean {
  const r = stepResult as { resume?: unknown; cancel?: unknown; approvalPage?: unknown } | null;
  return (
    !!m.suspend?.resume_form ||
    (!!r && typeof r === "object" && typeof r.resume === "string" && (typeof r.cancel === "string" || typeof r.approvalPage === "string"))
  );
}

function retryDelays(retry?: Retry): number[] {
  const out: number[] = [];
  for (let i = 0; i < (retry?.constant?.attempts ?? 0); i++) out.push(retry?.constant?.seconds ?? 0);
  const exp = retry?.exponential;
  for (let i = 0; i < (exp?.attempts ?? 0); i++) {
    const failures = out.length; // n = all previous failures, constant retries included
    const base = (exp?.multiplier ?? 1) * Math.pow(exp?.seconds ?? 0, failures + 1);
    const jitter = exp?.random_factor ? 1 + ((Math.random() * 2 - 1) * exp.random_factor) / 100 : 1;
    out.push(Math.min(base * jitter, 6 * 3600));
  }
  return out;
}

export interface StartOptions {
  id?: string;
  parentJob?: string;
  rootJob?: string;
  wait?: boolean;
  /** Trigger event for a flow's preprocessor_module or a script's `preprocessor` export. */
  event?: Record<string, unknown>;
}

export interface RunOutcome {
  runId: string;
  status: RunRecord["status"];
  result?: unknown;
  error?: StepError;
  pending?: PendingApproval;
}

export class Engine {
  readonly jobs = new Map<string, JobInfo>();
  /** Each running script job's kill switch (a cancel aborts it; its child processes are stopped with it). */
  private readonly kills = new Map<string, AbortController>();
  readonly resumes: ResumeBox;
  private readonly userStates = new Map<string, Record<string, Record<string, unknown>>>();
  private readonly inlineDir: string;
  readonly root: string;

  constructor(readonly opts: EngineOptions) {
    this.root = opts.root ?? REPO_ROOT;
    this.inlineDir = path.join(opts.runs.dir, "..", "inline");
    this.resumes = new ResumeBox(opts.runs);
    opts.noV8 ??= process.env.DEVGODZILLA_NO_V8 === "1";
  }

  /** A subflow step's flow job, listed like Windmill's (its user state, cancel). */
  flowJob(id: string, flowPath: string, record: RunRecord, parent: string, stepId: string, args: Record<string, unknown>): JobInfo {
    const now = new Date().toISOString();
    const job: JobInfo = {
      id,
      path: flowPath,
      kind: "flow",
      step_id: stepId,
      parent_job: parent,
      root_job: record.root_job ?? record.id,
      run_id: record.id,
      status: "running",
      args,
      created_at: now,
      started_at: now,
      logs: [],
    };
    this.jobs.set(id, job);
    return job;
  }

  /** A POST to a step's resume (approved) or cancel URL: an event for that step's job. */
  postResume(jobId: string, resumeId: number, payload: unknown, approver: string, approved: boolean) {
    const job = this.jobs.get(jobId);
    const run = job && this.jobs.get(job.run_id);
    if (!job?.key || !run || (run.status !== "running" && run.status !== "suspended")) throw new ResumeRejected("parent flow job not found", 404);
    this.resumes.add(job.run_id, job.key, { job_id: jobId, resume_id: resumeId, payload: payload ?? null, approved, approver, at: new Date().toISOString() });
  }

  /**
   * Cancels a job, as Windmill does: a flow job's steps stop at their next step boundary, suspended
   * ones at once, and every script job running under it (or the job itself) is killed at its
   * worker's next cancel check.
   */
  cancel(jobId: string, reason: string, by = localUser()): boolean {
    const job = this.jobs.get(jobId);
    // Windmill accepts a cancel of a job still in its queue, canceled already or not, and the last
    // reason given is the one its kill reports (windmill-queue cancel_single_job; observed on CE v1.592.1).
    if (job?.status === "canceled" && job.duration_ms === undefined) {
      Object.assign(job, { canceled_reason: reason, canceled_by: by });
      return true;
    }
    if (!job || (job.status !== "running" && job.status !== "suspended")) return false;
    Object.assign(job, { status: "canceled", canceled_reason: reason, canceled_by: by });
    this.resumes.wakeRun(job.run_id);
    for (const [id, kill] of this.kills) {
      if (id !== jobId && !this.isUnder(id, jobId)) continue;
      setTimeout(() => kill.abort(JobKilled.canceled(job.canceled_reason ?? reason, job.canceled_by ?? by)), CANCEL_CHECK_MS);
    }
    return true;
  }

  /** Whether a job runs under another (its parent_job chain reaches it). */
  private isUnder(id: string, ancestor: string): boolean {
    const seen = new Set<string>();
    for (let j = this.jobs.get(id); j?.parent_job && !seen.has(j.id); j = this.jobs.get(j.parent_job)) {
      if (j.parent_job === ancestor) return true;
      seen.add(j.id);
    }
    return false;
  }

  /** The user states of a flow job that is running (Windmill reads them from the queue: none once it ended). */
  userState(flowJobId: string): { get(key: string): unknown; set(key: string, value: unknown): void } | undefined {
    const job = this.jobs.get(flowJobId);
    if (!job || job.kind !== "flow" || (job.status !== "running" && job.status !== "suspended")) return undefined;
    let all = this.userStates.get(job.run_id);
    if (!all) {
      all = this.opts.runs.loadUserStates(job.run_id);
      this.userStates.set(job.run_id, all);
    }
    const states = (all[flowJobId] ??= {});
    return {
      get: (key) => states[key] ?? null,
      set: (key, value) => {
        states[key] = value;
        this.opts.runs.saveUserStates(job.run_id, all!);
      },
    };
  }

  /** The file of a script path, resolved once per engine (one run): a flow's steps name the same scripts again and again. */
  scriptFile(windmillPath: string): string {
    let file = this.scriptFiles.get(windmillPath);
    if (file === undefined) {
      const r = resolveRunnable(windmillPath, this.root);
      if (r.kind !== "script") throw new Error(`${windmillPath} is a flow, not a script`);
      this.scriptFiles.set(windmillPath, (file = r.file));
    }
    return file;
  }
  private readonly scriptFiles = new Map<string, string>();

  inlineFile(v: Extract<FlowModule["value"], { type: "rawscript" }>, flowPath: string, stepId: string): string {
    if (!isTsLanguage(v.language)) throw new Error(`step ${stepId} of ${flowPath}: language "${v.language}" is not supported by the local runner (use bun)`);
    if (typeof v.content === "object") return v.content.__inline;
    const hash = createHash("sha256").update(v.content).digest("hex").slice(0, 16);
    const file = path.join(this.inlineDir, `${hash}.ts`);
    if (!existsSync(file)) {
      mkdirSync(this.inlineDir, { recursive: true });
      writeFileSync(file, v.content);
    }
    return file;
  }

  /** Tells the caller (progress lines); an error message is redacted first, a broken listener never fails the run. */
  event(e: RunEvent) {
    if (!this.opts.onEvent) return;
    try {
      this.opts.onEvent("error" in e && e.error ? { ...e, error: this.opts.resolver.redactor.redactDeep(e.error) } : e);
    } catch {
      /* progress output must not change the run */
    }
  }

  emit(record: RunRecord, label: string, line: string) {
    const clean = this.opts.resolver.redactor.redact(line);
    this.opts.runs.log(record.id, label, clean);
    this.opts.onLog?.(label, clean);
  }

  /** Runs a script's main as one Windmill job: its own env, its own log, arguments resolved. */
  async runScriptJob(
    file: string,
    args: Record<string, unknown>,
    job: {
      jobId: string;
      path: string;
      stepId?: string;
      key?: string;
      flowJobId?: string;
      rootJobId: string;
      /** WM_ROOT_FLOW_JOB_ID of a flow step (default: rootJobId). */
      rootFlowJobId?: string;
      flowPath?: string;
      record: RunRecord;
      event?: Record<string, unknown>;
      /** The job's timeout in seconds (the step's, else the script's own): past it the job is killed and fails. */
      timeoutS?: number;
    },
  ): Promise<unknown> {
    // A script run on its own is one job: the run's own id (listed once), as in Windmill.
    const info: JobInfo = this.jobs.get(job.jobId) ?? {
      id: job.jobId,
      path: job.path,
      kind: job.stepId ? "step" : "script",
      step_id: job.stepId,
      key: job.key,
      parent_job: job.flowJobId,
      root_job: job.rootJobId,
      run_id: job.record.id,
      status: "running",
      args,
      created_at: new Date().toISOString(),
      started_at: new Date().toISOString(),
      logs: [],
    };
    this.jobs.set(job.jobId, info);
    const started = Date.now();
    const label = job.stepId ?? path.basename(job.path);
    const env: Record<string, string> = {
      WM_JOB_ID: job.jobId,
      WM_JOB_PATH: job.path,
      WM_WORKSPACE: this.opts.api.workspace,
      WM_TOKEN: this.opts.api.token,
      BASE_URL: this.opts.api.baseUrl,
      BASE_INTERNAL_URL: this.opts.api.baseUrl,
      WM_BASE_URL: this.opts.api.baseUrl,
      WM_FLOW_JOB_ID: job.flowJobId ?? "",
      WM_ROOT_FLOW_JOB_ID: job.flowJobId ? (job.rootFlowJobId ?? job.rootJobId) : "",
      WM_ROOT_JOB_ID: job.rootJobId,
      WM_FLOW_STEP_ID: job.stepId ?? "",
      WM_FLOW_PATH: job.flowPath ?? "",
      WM_EMAIL: "local@devgodzilla.local",
      WM_USERNAME: localUser(),
      WM_PERMISSIONED_AS: `u/${localUser()}`,
      WM_STATE_PATH: `u/local/state/${job.path}`,
      WM_SCHEDULED_FOR: new Date().toISOString(),
    };
    const kill = new AbortController();
    this.kills.set(job.jobId, kill);
    const killed = new Promise<never>((_, reject) => kill.signal.addEventListener("abort", () => reject(kill.signal.reason), { once: true }));
    killed.catch(() => undefined); // a kill before main starts (a 0 s timeout) is thrown below, not left unhandled
    const timeout = job.timeoutS !== undefined ? setTimeout(() => kill.abort(JobKilled.timedOut(job.timeoutS!)), job.timeoutS * 1000) : undefined;
    try {
      const version = statSync(file).mtimeMs; // one look at the file for both caches
      const mod = await scriptModule(file, version);
      if (typeof mod.main !== "function") throw new Error(`${path.relative(this.root, file)} has no exported main function`);
      const sig = await signatureOf(file, version);
      kill.signal.throwIfAborted();
      const running = runInJob(
        {
          jobId: job.jobId,
          env,
          log: (l) => {
            info.logs.push(l);
            this.emit(job.record, label, l);
          },
          signal: kill.signal,
        },
        async () => {
          let callArgs = args;
          if (job.event) {
            if (typeof mod.preprocessor !== "function") throw new Error(`${job.path} has no preprocessor export to handle the trigger event`);
            callArgs = (await mod.preprocessor(job.event)) as Record<string, unknown>;
          }
          const resolved = this.opts.resolver.resolve(callArgs);
          const positional = sig.args.map((a) => {
            const value = resolved[a.name];
            if ((value === undefined || value === null) && !a.has_default) {
              throw new MissingArgumentError(`missing required argument "${a.name}" for ${job.path}`);
            }
            // As in Windmill: an absent argument takes main's default, a null one stays null.
            return value;
          });
          return mod.main!(...positional);
        },
      );
      // A killed job ends at once; its main cannot be stopped in this process, but its child
      // processes are (lib/process.ts reads the job's signal) and what it returns later is dropped.
      const result = await Promise.race([running, killed]);
      info.status = "success";
      info.result = json(result);
      return info.result;
    } catch (e) {
      info.result = { error: toStepError(e, job.stepId) };
      if (e instanceof JobKilled) {
        Object.assign(info, e.timedOut ? { status: "failure" } : { status: "canceled", canceled_reason: e.reason, canceled_by: e.by });
        this.emit(job.record, label, e.message);
      } else {
        info.status = "failure";
        if (e instanceof Error && e.stack) this.emit(job.record, label, e.stack);
      }
      throw e;
    } finally {
      clearTimeout(timeout);
      this.kills.delete(job.jobId);
      info.duration_ms = Date.now() - started;
    }
  }

  /** Starts a run of a flow or script (a root job, or a child job started by windmill-client or a subflow step). */
  async start(windmillPath: string, args: Record<string, unknown>, opts: StartOptions = {}): Promise<RunOutcome> {
    const runnable = resolveRunnable(windmillPath, this.root);
    const now = new Date().toISOString();
    const record: RunRecord = {
      id: opts.id ?? randomUUID(),
      path: runnable.path,
      kind: runnable.kind,
      args,
      status: "running",
      parent_job: opts.parentJob,
      root_job: opts.rootJob,
      created_at: now,
      started_at: now,
      pid: process.pid,
    };
    const flow = runnable.kind === "flow" ? loadFlow(runnable.file) : undefined;
    if (flow) record.args = applyDefaults(flow, args, runnable);
    this.opts.runs.save(record);
    const run = traceRun(this.opts.resolver, record, () => this.execute(record, runnable, flow, opts.event)); // agentops: run span
    return opts.wait === false ? { runId: record.id, status: "running" } : run;
  }

  /** Continues a suspended run with the approval payload, or a run whose runner died, skipping finished steps. */
  async resume(runId: string, payload?: unknown): Promise<RunOutcome> {
    const record = this.opts.runs.load(runId);
    if (record.status === "success" || record.status === "failure" || record.status === "canceled") {
      throw new Error(`run ${runId} already ended (${record.status}); nothing to resume`);
    }
    if (record.status === "running" && record.pid && record.pid !== process.pid && pidAlive(record.pid)) {
      throw new Error(`run ${runId} is still running in process ${record.pid}; resume it only after that process has ended`);
    }
    if (record.status === "suspended") {
      if (payload === undefined) throw new Error(`run ${runId} waits for an answer at step ${record.pending?.step_id}: pass it with -d '<json>'`);
      const approved = !(payload as { __disapproved?: unknown } | null)?.__disapproved;
      this.resumes.add(runId, record.pending!.key, { payload, approved, approver: localUser(), at: new Date().toISOString() });
    }
    const runnable = resolveRunnable(record.path, this.root);
    record.status = "running";
    record.pending = undefined;
    record.pid = process.pid;
    this.opts.runs.save(record);
    return traceRun(this.opts.resolver, record, () => this.execute(record, runnable, runnable.kind === "flow" ? loadFlow(runnable.file) : undefined)); // agentops: run span
  }

  private async execute(record: RunRecord, runnable: Runnable, flow: FlowFile | undefined, event?: Record<string, unknown>): Promise<RunOutcome> {
    const started = Date.now();
    const info: JobInfo = {
      id: record.id,
      path: record.path,
      kind: record.kind,
      parent_job: record.parent_job,
      root_job: record.root_job,
      run_id: record.id,
      status: "running",
      args: record.args,
      created_at: record.created_at,
      started_at: record.started_at,
      logs: [],
    };
    this.jobs.set(record.id, info);
    this.event({ type: "run-start", run: record, resumed: this.opts.runs.journal(record.id).length > 0 });
    const finish = (status: RunRecord["status"], fields: Partial<RunRecord>): RunOutcome => {
      Object.assign(record, fields, { status, finished_at: status === "suspended" ? undefined : new Date().toISOString(), duration_ms: Date.now() - started });
      record.result = record.result === undefined ? undefined : this.opts.resolver.redactor.redactDeep(record.result);
      this.opts.runs.save(record);
      this.event({ type: "run-end", run: record });
      Object.assign(info, { status, result: record.result, duration_ms: record.duration_ms });
      return { runId: record.id, status, result: record.result, error: record.error, pending: record.pending };
    };
    try {
      let result: unknown;
      if (flow) {
        let input = record.args;
        if (event && flow.value.preprocessor_module) {
          input = (await new Execution(this, record).runFlow({ value: { modules: [flow.value.preprocessor_module] } }, { event })) as Record<string, unknown>;
          record.args = applyDefaults(flow, input ?? {}, runnable);
        }
        result = await new Execution(this, record).runFlow(flow, record.args);
      } else {
        result = await this.runScriptJob(runnable.file, record.args, {
          jobId: record.id,
          path: record.path,
          rootJobId: record.root_job ?? record.id,
          record,
          flowJobId: record.parent_job,
          event,
          timeoutS: scriptTimeout(runnable.file),
        });
      }
      return finish("success", { result: json(result) });
    } catch (e) {
      if (e instanceof Suspended) {
        const out = finish("suspended", { pending: this.opts.resolver.redactor.redactDeep(e.pending) });
        // A job started by another job (windmill-client runFlowAsync) waits where nobody sees it:
        // say how to answer it; its parent keeps polling and goes on once it is resumed.
        if (record.parent_job) {
          const answer = JSON.stringify((e.pending.step_result as { default_args?: unknown } | null)?.default_args ?? {});
          this.emit(
            record,
            record.path.split("/").pop()!,
            `waiting for an answer at step ${e.pending.step_id}: npx devgodzilla resume ${record.id} -d '${answer.replace(/'/g, "'\\''")}'`,
          );
        }
        return out;
      }
      if (e instanceof Canceled) return finish("canceled", { error: { name: "Canceled", message: e.message }, result: e.result });
      // A script job killed by a cancel (one killed past its timeout has failed).
      if (e instanceof JobKilled && !e.timedOut) return finish("canceled", { error: toStepError(e), result: { error: toStepError(e) } });
      const error = this.opts.resolver.redactor.redactDeep(toStepError(e));
      const handled = (e as { handledResult?: unknown }).handledResult;
      return finish("failure", { error, result: handled === undefined ? { error } : json(handled) });
    }
  }
}

/** Flow inputs: schema defaults for what is missing; a missing required input is one clear error. */
function applyDefaults(flow: FlowFile, args: Record<string, unknown>, runnable: Runnable): Record<string, unknown> {
  const props = flow.schema?.properties ?? {};
  const out: Record<string, unknown> = { ...args };
  for (const [name, p] of Object.entries(props)) if (out[name] === undefined && p.default !== undefined) out[name] = p.default;
  const missing = (flow.schema?.required ?? []).filter((r) => out[r] === undefined || out[r] === null);
  if (missing.length)
    throw new Error(
      `${runnable.path}: missing required input${missing.length > 1 ? "s" : ""} ${missing.join(", ")} — pass them with -d '{"${missing[0]}": …}'`,
    );
  return out;
}
