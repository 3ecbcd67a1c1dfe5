// The task DAG as a graph: validation with a topological order (cycles and unknown dependencies
// named), each task's dependants, critical-path priorities, and the order in which the
// execute_tasks flow feeds tasks to its parallel loop.

import { DevGodzillaError } from "../errors.ts";
import { Heap } from "../heap.ts";

export interface DagTaskInput {
  id: string;
  /** Ids of tasks that must succeed first. */
  dependsOn: readonly string[];
}

/** A DAG that cannot run: a duplicate id, an unknown dependency, a cycle. */
export class DagError extends DevGodzillaError {
  constructor(message: string) {
    super(message, { hint: "fix the task dependencies in tasks.md (or the DAG given) and run again; nothing was started" });
  }
}

/** Validates ids/deps and returns a topological order (input order among independent tasks); throws DagError. */
export function topoOrder<T extends DagTaskInput>(tasks: readonly T[]): string[] {
  const ids = new Set<string>();
  for (const t of tasks) {
    if (ids.has(t.id)) throw new DagError(`duplicate task id ${t.id}`);
    ids.add(t.id);
  }
  const indeg = new Map<string, number>(tasks.map((t) => [t.id, 0]));
  const out = new Map<string, string[]>(tasks.map((t) => [t.id, []]));
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

/** Each task's direct dependants. */
export function dependantsOf<T extends DagTaskInput>(tasks: readonly T[]): Map<string, string[]> {
  const out = new Map<string, string[]>(tasks.map((t) => [t.id, []]));
  for (const t of tasks) for (const d of new Set(t.dependsOn)) out.get(d)?.push(t.id);
  return out;
}

/** Longest path (sum of weights) from each task to a sink, the task's own weight included. */
export function bottomLevels<T extends DagTaskInput>(tasks: readonly T[], weight: (t: T) => number): Map<string, number> {
  const order = topoOrder(tasks);
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const dependants = dependantsOf(tasks);
  const level = new Map<string, number>();
  for (const id of [...order].reverse()) {
    const below = Math.max(0, ...dependants.get(id)!.map((n) => level.get(n)!));
    level.set(id, weight(byId.get(id)!) + below);
  }
  return level;
}

/**
 * The order execute_tasks feeds its parallel loop (`parallelism = concurrency`). It is the order
 * in which critical-path list scheduling would start the tasks, taking each task's weight as its
 * duration; when the weights differ (the file's, the user's or the model's estimates), a task is
 * then moved later wherever the loop, run with those durations, finishes sooner — list scheduling
 * starts every ready task at once, even a long one with slack that then holds a slot through the
 * widest part of the graph. The order is topological, so the loop can never stall: the lowest
 * unfinished iteration always has its dependencies done.
 */
export function windowOrder<T extends DagTaskInput>(tasks: readonly T[], concurrency: number, weight: (t: T) => number = () => 1): string[] {
  const order = criticalPathOrder(tasks, concurrency, weight);
  const weights = new Set(tasks.map(weight));
  if (weights.size < 2 || tasks.length > SEARCH_LIMIT) return order;
  return deferWhereSooner(tasks, order, loopModel(tasks, concurrency, weight));
}

/** Above this many tasks the plan is list scheduling alone (the search costs O(n² log n) per pass). */
const SEARCH_LIMIT = 400;
/** Passes over the tasks; each keeps only moves that shorten the predicted makespan. */
const SEARCH_PASSES = 3;

function criticalPathOrder<T extends DagTaskInput>(tasks: readonly T[], concurrency: number, weight: (t: T) => number): string[] {
  const topo = topoOrder(tasks);
  const rank = new Map(topo.map((id, i) => [id, i]));
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const prio = bottomLevels(tasks, (t) => Math.max(1e-6, weight(t)));
  const waiting = new Map(tasks.map((t) => [t.id, new Set(t.dependsOn).size]));
  const dependants = dependantsOf(tasks);
  const ready = topo.filter((id) => waiting.get(id) === 0);
  const running: { id: string; end: number }[] = [];
  const order: string[] = [];
  let now = 0;
  while (order.length < tasks.length) {
    ready.sort((a, b) => prio.get(b)! - prio.get(a)! || rank.get(a)! - rank.get(b)!);
    while (running.length < Math.max(1, concurrency) && ready.length) {
      const id = ready.shift()!;
      order.push(id);
      running.push({ id, end: now + Math.max(1e-6, weight(byId.get(id)!)) });
    }
    running.sort((a, b) => a.end - b.end || rank.get(a.id)! - rank.get(b.id)!);
    const next = running.shift();
    if (!next) break;
    now = next.end;
    for (const n of dependants.get(next.id)!) {
      waiting.set(n, waiting.get(n)! - 1);
      if (waiting.get(n) === 0) ready.push(n);
    }
  }
  return order;
}

/** Moves each task later — to one of a few places before its first dependant — when the loop finishes sooner. */
function deferWhereSooner<T extends DagTaskInput>(tasks: readonly T[], start: string[], makespanOf: (order: readonly string[]) => number): string[] {
  const dependants = dependantsOf(tasks);
  let order = start;
  let best = makespanOf(order);
  for (let pass = 0; pass < SEARCH_PASSES; pass++) {
    let moved = false;
    for (const t of tasks) {
      const from = order.indexOf(t.id);
      const firstDependant = Math.min(order.length, ...dependants.get(t.id)!.map((d) => order.indexOf(d)));
      const room = firstDependant - 1 - from;
      for (const share of room > 0 ? [0.25, 0.5, 0.75, 1] : []) {
        const candidate = order.filter((id) => id !== t.id);
        candidate.splice(from + Math.max(1, Math.round(room * share)), 0, t.id);
        const makespan = makespanOf(candidate);
        if (makespan < best * (1 - 1e-9)) {
          [order, best, moved] = [candidate, makespan, true];
          break;
        }
      }
    }
    if (!moved) break;
  }
  return order;
}

/**
 * What execute_tasks' loop does with an order, as a function of the order: `slots` iterations run
 * at once, admitted in order; an iteration holds its slot while it waits for its dependencies'
 * finish, runs its task (its weight), merges it into the run branch — merges one at a time, in the
 * order tasks end — and finishes, which frees the slot and lets dependants start. Returns the time
 * the last merge ends. bench:dag measures the loop with this model.
 */
export function loopModel<T extends DagTaskInput>(
  tasks: readonly T[],
  slots: number,
  duration: (t: T) => number,
  merge = 0,
): (order: readonly string[]) => number {
  const index = new Map(tasks.map((t, i) => [t.id, i]));
  const minutes = tasks.map(duration);
  const dependants = tasks.map(() => [] as number[]);
  const deps = tasks.map((t, i) => {
    const unique = new Set(t.dependsOn);
    for (const d of unique) dependants[index.get(d)!]!.push(i);
    return unique.size;
  });
  return (order) => {
    // Events [time, kind, task, sequence], earliest first; ties by kind, then in the order pushed.
    const queue = new Heap<[number, number, number, number]>((a, b) => a[0] < b[0] || (a[0] === b[0] && (a[1] < b[1] || (a[1] === b[1] && a[3] < b[3]))));
    let sequence = 0;
    const events = { push: (time: number, kind: number, task: number) => queue.push([time, kind, task, sequence++]), pop: () => queue.pop() };
    const waiting = [...deps];
    const admitted = new Uint8Array(tasks.length);
    let next = 0;
    let mergeFree = 0;
    let makespan = 0;
    const admit = (now: number) => {
      const i = index.get(order[next++]!)!;
      admitted[i] = 1;
      if (waiting[i] === 0) events.push(now + minutes[i]!, RAN, i);
    };
    for (let k = 0; k < Math.min(slots, order.length); k++) admit(0);
    for (let e = events.pop(); e; e = events.pop()) {
      const [now, kind, i] = e;
      if (kind === RAN) {
        mergeFree = Math.max(now, mergeFree) + merge;
        events.push(mergeFree, FINISHED, i);
        continue;
      }
      makespan = Math.max(makespan, now);
      for (const n of dependants[i]!) if (--waiting[n]! === 0 && admitted[n]) events.push(now + minutes[n]!, RAN, n);
      if (next < order.length) admit(now);
    }
    return makespan;
  };
}

/** Event kinds: a finish (frees a slot, releases dependants) comes before a task's end at the same time. */
const FINISHED = 0;
const RAN = 1;
