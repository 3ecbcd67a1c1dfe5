// Dependency-driven scheduler for a task DAG. A task starts the moment its LAST dependency has
// finished (not when its whole "level" has), up to `concurrency` tasks at a time; among ready
// tasks the one with the longest remaining chain of dependants goes first (critical-path list
// scheduling), which keeps the makespan close to the critical-path lower bound.
//
// Pure over an injected `runTask`: no Windmill, git or clock of its own (sleep is injectable), so
// the semantics are unit-tested with fake tasks and the same core drives Windmill jobs in
// execute_dag.

import { DevGodzillaError } from "../errors.ts";

// ---------------------------------------------------------------------------------------------
// Exported types

export interface DagTaskInput {
  id: string;
  /** Ids of tasks that must succeed first. */
  dependsOn: readonly string[];
}

export interface Usage {
  tokens?: number;
  costUsd?: number;
}

export interface Budget {
  /** Total tokens (input + output). */
  tokens?: number;
  costUsd?: number;
}

/** What runTask reports for one attempt. Throwing = a failed, retryable attempt. */
export type AttemptOutcome<R> =
  | { status: "succeeded"; result: R; usage?: Usage }
  /** retryable:false for failures a retry cannot fix (the agent is blocked, bad input, conflict). */
  | { status: "failed"; error: string; retryable?: boolean; result?: R; usage?: Usage };

export interface AttemptInfo {
  /** 1-based attempt number over all agents. */
  attempt: number;
  /** The agent for this attempt: undefined = the task's configured agent, else a fallback. */
  agent?: string;
  /** Tokens/cost this task may still spend (per-task budget), if any. */
  taskBudget?: Budget;
  /** Budget left for the whole run at the moment the attempt starts, if any. */
  runBudgetLeft?: Budget;
}

export interface FailurePolicy {
  /** Retries with the same agent after a retryable failure (total runs per agent = 1 + retries). */
  retries?: number;
  /** First backoff delay; doubles (× backoffFactor) each retry. */
  backoffMs?: number;
  backoffFactor?: number;
  /** Agents to switch to, in order, once the configured agent has used up its retries. */
  fallbackAgents?: readonly string[];
  /**
   * After a task finally fails: "continue" stops only its dependants (independent branches go on);
   * "stop_run" starts nothing new (running tasks finish).
   */
  onFailure?: "continue" | "stop_run";
}

export type TaskStatus =
  | "succeeded"
  /** Succeeded in an earlier run of the same DAG (job state looked up), not run again. */
  | "skipped_succeeded"
  | "failed"
  /** Used more than the per-task budget. Counts as failed for its dependants. */
  | "budget_exceeded"
  /** Not started: a dependency failed. */
  | "dependency_failed"
  /** Not started: the run was stopped (stop_run policy or run budget). */
  | "not_started";

export interface AttemptRecord {
  attempt: number;
  agent?: string;
  startedAtMs: number;
  endedAtMs: number;
  status: "succeeded" | "failed";
  error?: string;
  usage?: Usage;
}

export interface TaskState<R> {
  id: string;
  status: TaskStatus;
  result?: R;
  error?: string;
  attempts: AttemptRecord[];
  /** For dependency_failed: the failed dependency (first found) that stopped it. */
  blockedBy?: string;
  usage: Usage;
}

export interface ScheduleResult<R> {
  status: "succeeded" | "failed" | "stopped" | "budget_exceeded";
  tasks: Record<string, TaskState<R>>;
  /** Ids in the order they finished successfully (a topological order: merge in this order). */
  completionOrder: string[];
  usage: Usage;
  makespanMs: number;
  /** Highest number of tasks that ran at the same time. */
  maxConcurrent: number;
  stopReason?: string;
}

export type SchedulerEvent =
  | { type: "start"; id: string; attempt: number; agent?: string; running: number }
  | { type: "finish"; id: string; status: TaskStatus | "retrying"; attempt: number; error?: string }
  | { type: "skip"; id: string; status: TaskStatus; reason: string };

export interface ScheduleOptions<T extends DagTaskInput, R> {
  /** Tasks running at the same time, at most. Default 4. */
  concurrency?: number;
  runTask(task: T, info: AttemptInfo): Promise<AttemptOutcome<R>>;
  failurePolicy?: FailurePolicy;
  budget?: { perTask?: Budget; perRun?: Budget };
  /** Results of tasks that already succeeded (resume after a crash): they are not run again. */
  alreadySucceeded?: ReadonlyMap<string, R>;
  /** Called after a task succeeded, in completion order, one at a time, before any dependant starts (e.g. merge). */
  onTaskSucceeded?(task: T, result: R): Promise<AttemptOutcome<R> | void>;
  /** Relative priority hint (bigger = sooner) added to the critical-path weight; e.g. an estimate. */
  weight?(task: T): number;
  onEvent?(e: SchedulerEvent): void;
  sleep?(ms: number): Promise<void>;
  now?(): number;
}

/** The task graph itself is wrong (a duplicate id, an unknown or self dependency, a cycle). */
export class DagError extends DevGodzillaError {
  constructor(message: string) {
    super(message, { hint: "fix the task dependencies in tasks.md (or the DAG input) and run again; nothing was started" });
  }
}

// ---------------------------------------------------------------------------------------------

/** Validates ids/deps and returns a topological order; throws DagError on unknown deps or cycles. */
export function topoOrder<T extends DagTaskInput>(tasks: readonly T[]): string[] {
  const ids = new Set<string>();
  for (const t of tasks) {
    if (ids.has(t.id)) throw new DagError(`duplicate task id ${t.id}`);
    ids.add(t.id);
  }
  const indeg = new Map<string, number>();
  const out = new Map<string, string[]>();
  for (const t of tasks) {
    indeg.set(t.id, 0);
    out.set(t.id, []);
  }
  for (const t of tasks) {
    for (const d of new Set(t.dependsOn)) {
      if (!ids.has(d)) throw new DagError(`task ${t.id} depends on unknown task ${d}`);
      if (d === t.id) throw new DagError(`task ${t.id} depends on itself`);
      indeg.set(t.id, indeg.get(t.id)! + 1);
      out.get(d)!.push(t.id);
    }
  }
  const queue = tasks.filter((t) => indeg.get(t.id) === 0).map((t) => t.id);
  const order: string[] = [];
  while (queue.length) {
    const id = queue.shift()!;
    order.push(id);
    for (const n of out.get(id)!) {
      indeg.set(n, indeg.get(n)! - 1);
      if (indeg.get(n) === 0) queue.push(n);
    }
  }
  if (order.length !== tasks.length) {
    const stuck = tasks.filter((t) => !order.includes(t.id)).map((t) => t.id);
    throw new DagError(`dependency cycle among tasks ${stuck.join(", ")}`);
  }
  return order;
}

/** Longest path (sum of weights) from each task to a sink, the task's own weight included. */
export function bottomLevels<T extends DagTaskInput>(tasks: readonly T[], weight: (t: T) => number): Map<string, number> {
  const order = topoOrder(tasks);
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const dependants = new Map<string, string[]>(tasks.map((t) => [t.id, []]));
  for (const t of tasks) for (const d of t.dependsOn) dependants.get(d)!.push(t.id);
  const level = new Map<string, number>();
  for (const id of [...order].reverse()) {
    const t = byId.get(id)!;
    const below = Math.max(0, ...dependants.get(id)!.map((n) => level.get(n)!));
    level.set(id, weight(t) + below);
  }
  return level;
}

function add(a: Usage, b?: Usage): Usage {
  if (!b) return a;
  return {
    tokens: a.tokens === undefined && b.tokens === undefined ? undefined : (a.tokens ?? 0) + (b.tokens ?? 0),
    costUsd: a.costUsd === undefined && b.costUsd === undefined ? undefined : (a.costUsd ?? 0) + (b.costUsd ?? 0),
  };
}

/** Which limit of `budget` does `usage` exceed, if any. */
export function exceeds(usage: Usage, budget?: Budget): string | null {
  if (!budget) return null;
  if (budget.tokens !== undefined && (usage.tokens ?? 0) > budget.tokens) return `${usage.tokens} tokens > budget ${budget.tokens}`;
  if (budget.costUsd !== undefined && (usage.costUsd ?? 0) > budget.costUsd) return `$${(usage.costUsd ?? 0).toFixed(4)} > budget $${budget.costUsd}`;
  return null;
}

function left(budget: Budget | undefined, used: Usage): Budget | undefined {
  if (!budget) return undefined;
  return {
    tokens: budget.tokens === undefined ? undefined : Math.max(0, budget.tokens - (used.tokens ?? 0)),
    costUsd: budget.costUsd === undefined ? undefined : Math.max(0, budget.costUsd - (used.costUsd ?? 0)),
  };
}

/** Runs the DAG. Never throws for task failures (they are in the result); throws DagError for a bad DAG. */
export async function scheduleDag<T extends DagTaskInput, R>(tasks: readonly T[], opts: ScheduleOptions<T, R>): Promise<ScheduleResult<R>> {
  topoOrder(tasks); // validate before anything runs
  const concurrency = Math.max(1, Math.floor(opts.concurrency ?? 4));
  const now = opts.now ?? (() => Date.now());
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const policy = opts.failurePolicy ?? {};
  const retries = Math.max(0, policy.retries ?? 0);
  const agents: (string | undefined)[] = [undefined, ...(policy.fallbackAgents ?? [])];
  const emit = (e: SchedulerEvent) => {
    try {
      opts.onEvent?.(e);
    } catch {
      /* observers never break the run */
    }
  };

  const byId = new Map(tasks.map((t) => [t.id, t]));
  const dependants = new Map<string, string[]>(tasks.map((t) => [t.id, []]));
  for (const t of tasks) for (const d of new Set(t.dependsOn)) dependants.get(d)!.push(t.id);
  const prio = bottomLevels(tasks, (t) => 1 + (opts.weight?.(t) ?? 0));

  const states = new Map<string, TaskState<R>>();
  const remainingDeps = new Map<string, number>();
  for (const t of tasks) {
    states.set(t.id, { id: t.id, status: "not_started", attempts: [], usage: {} });
    remainingDeps.set(t.id, new Set(t.dependsOn).size);
  }

  const started = now();
  const completionOrder: string[] = [];
  let runUsage: Usage = {};
  let stopReason: string | undefined;
  let runStatus: ScheduleResult<R>["status"] = "succeeded";
  let running = 0;
  let maxConcurrent = 0;
  const ready: string[] = [];
  const finished = new Set<string>();
  // Serialises onTaskSucceeded (merges) so they happen one at a time, in completion order.
  let successChain: Promise<void> = Promise.resolve();

  let wake: (() => void) | null = null;
  const poke = () => {
    const w = wake;
    wake = null;
    w?.();
  };

  const markReady = (id: string) => {
    ready.push(id);
  };

  const stopDependants = (id: string) => {
    const stack = [...dependants.get(id)!];
    while (stack.length) {
      const n = stack.pop()!;
      const s = states.get(n)!;
      if (finished.has(n) || s.status === "dependency_failed") continue;
      s.status = "dependency_failed";
      s.blockedBy = id;
      finished.add(n);
      emit({ type: "skip", id: n, status: "dependency_failed", reason: `dependency ${id} did not succeed` });
      stack.push(...dependants.get(n)!);
    }
  };

  const onSuccess = (id: string) => {
    completionOrder.push(id);
    for (const n of dependants.get(id)!) {
      const k = remainingDeps.get(n)! - 1;
      remainingDeps.set(n, k);
      if (k === 0 && !finished.has(n)) markReady(n);
    }
  };

  // Resume: tasks that already succeeded count as done without running.
  for (const id of topoOrder(tasks)) {
    const prev = opts.alreadySucceeded?.get(id);
    if (prev === undefined) continue;
    if ([...new Set(byId.get(id)!.dependsOn)].some((d) => states.get(d)!.status !== "skipped_succeeded")) continue;
    const s = states.get(id)!;
    s.status = "skipped_succeeded";
    s.result = prev;
    finished.add(id);
    emit({ type: "skip", id, status: "skipped_succeeded", reason: "succeeded in an earlier run" });
  }
  for (const t of tasks) {
    if (finished.has(t.id)) continue;
    const pending = [...new Set(t.dependsOn)].filter((d) => !finished.has(d)).length;
    remainingDeps.set(t.id, pending);
    if (pending === 0) markReady(t.id);
  }
  for (const id of topoOrder(tasks)) if (finished.has(id)) completionOrder.push(id);

  const runOne = async (id: string): Promise<void> => {
    const task = byId.get(id)!;
    const s = states.get(id)!;
    let attempt = 0;
    let final: { ok: true; result: R } | { ok: false; error: string; status: TaskStatus } | null = null;
    outer: for (const agent of agents) {
      for (let k = 0; k <= retries; k++) {
        if (stopReason) {
          final = { ok: false, error: `run stopped: ${stopReason}`, status: "not_started" };
          break outer;
        }
        attempt++;
        const info: AttemptInfo = {
          attempt,
          agent,
          taskBudget: left(opts.budget?.perTask, s.usage),
          runBudgetLeft: left(opts.budget?.perRun, runUsage),
        };
        emit({ type: "start", id, attempt, agent, running });
        const t0 = now();
        let outcome: AttemptOutcome<R>;
        try {
          outcome = await opts.runTask(task, info);
        } catch (e) {
          outcome = { status: "failed", error: e instanceof Error ? e.message : String(e), retryable: true };
        }
        s.usage = add(s.usage, outcome.usage);
        runUsage = add(runUsage, outcome.usage);
        s.attempts.push({
          attempt, agent, startedAtMs: t0 - started, endedAtMs: now() - started, status: outcome.status,
          error: outcome.status === "failed" ? outcome.error : undefined, usage: outcome.usage,
        });
        const overTask = exceeds(s.usage, opts.budget?.perTask);
        const overRun = exceeds(runUsage, opts.budget?.perRun);
        if (overRun && !stopReason) {
          stopReason = `run budget exceeded (${overRun})`;
          runStatus = "budget_exceeded";
        }
        if (overTask) {
          final = { ok: false, error: `task budget exceeded (${overTask})`, status: "budget_exceeded" };
          if (outcome.status === "succeeded") s.result = outcome.result;
          break outer;
        }
        if (outcome.status === "succeeded") {
          final = { ok: true, result: outcome.result };
          break outer;
        }
        s.result = outcome.result ?? s.result;
        final = { ok: false, error: outcome.error, status: "failed" };
        if (outcome.retryable === false) break outer;
        const isLast = k === retries && agent === agents[agents.length - 1];
        if (isLast) break outer;
        emit({ type: "finish", id, status: "retrying", attempt, error: outcome.error });
        if (k < retries) {
          const delay = (policy.backoffMs ?? 1000) * Math.pow(policy.backoffFactor ?? 2, k);
          if (delay > 0) await sleep(delay);
        }
      }
    }

    if (final?.ok) {
      // Post-success hook (merge into the run branch) runs serialised, in completion order.
      const hook = successChain.then(async () => {
        if (!opts.onTaskSucceeded) return undefined;
        try {
          return (await opts.onTaskSucceeded(task, final.result)) ?? undefined;
        } catch (e) {
          return { status: "failed" as const, error: e instanceof Error ? e.message : String(e), retryable: false };
        }
      });
      successChain = hook.then(() => undefined);
      const after = await hook;
      if (after && after.status === "failed") {
        s.status = "failed";
        s.error = after.error;
        s.result = after.result ?? final.result;
      } else {
        s.status = "succeeded";
        s.result = after && after.status === "succeeded" ? after.result : final.result;
      }
    } else if (final) {
      s.status = final.status;
      s.error = final.error;
    }
    finished.add(id);
    emit({ type: "finish", id, status: s.status, attempt, error: s.error });
    if (s.status === "succeeded") onSuccess(id);
    else if (s.status !== "not_started") {
      stopDependants(id);
      if (policy.onFailure === "stop_run" && !stopReason) {
        stopReason = `task ${id} failed and the policy is stop_run`;
        runStatus = "stopped";
      }
    }
  };

  const inFlight = new Set<Promise<void>>();
  for (;;) {
    // Start as many ready tasks as the cap allows, highest critical-path weight first.
    while (!stopReason && running < concurrency && ready.length > 0) {
      ready.sort((a, b) => prio.get(b)! - prio.get(a)!);
      const id = ready.shift()!;
      if (finished.has(id)) continue;
      running++;
      maxConcurrent = Math.max(maxConcurrent, running);
      const p: Promise<void> = runOne(id).finally(() => {
        running--;
        inFlight.delete(p);
        poke();
      });
      inFlight.add(p);
    }
    if (inFlight.size === 0) break;
    await new Promise<void>((r) => {
      wake = r;
    });
  }

  for (const [id, s] of states) {
    if (!finished.has(id) && s.status === "not_started") {
      emit({ type: "skip", id, status: "not_started", reason: stopReason ?? "not reached" });
      if (!s.error && stopReason) s.error = `not started: ${stopReason}`;
    }
  }
  const all = [...states.values()];
  if (runStatus === "succeeded" && all.some((s) => s.status !== "succeeded" && s.status !== "skipped_succeeded")) runStatus = "failed";
  return {
    status: runStatus,
    tasks: Object.fromEntries(states),
    completionOrder,
    usage: runUsage,
    makespanMs: now() - started,
    maxConcurrent,
    stopReason,
  };
}
