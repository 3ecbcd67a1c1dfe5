// The task DAG as a graph: validation with a topological order (cycles and unknown dependencies
// named), each task's dependants, critical-path priorities, and the order in which the
// execute_tasks flow feeds tasks to its parallel loop.

import { DevGodzillaError } from "../errors.ts";

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
 * The order in which critical-path list scheduling with `concurrency` slots would start the
 * tasks, taking each task's weight as its duration. A parallel loop over this order with
 * `parallelism = concurrency` starts tasks as this schedule does when the durations hold, and it
 * can never stall: the order is topological, so the lowest unfinished iteration always has its
 * dependencies done.
 */
export function windowOrder<T extends DagTaskInput>(tasks: readonly T[], concurrency: number, weight: (t: T) => number = () => 1): string[] {
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
