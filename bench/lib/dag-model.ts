// The model bench:dag measures execute_tasks with: tasks with durations and dependencies, a parallel
// loop of `slots` slots over a planned order (production's shape), and lower bounds on the makespan
// of ANY schedule of the same tasks (what the loop is judged against). tests/bench/dag-model.test.ts
// checks the bounds never exceed a schedule that exists.

import { loopModel, topoOrder } from "../../f/devgodzilla/lib/dag/graph.ts";

export interface SimTask {
  id: string;
  dependsOn: string[];
  minutes: number;
  /** The parser's weight estimate (what the planner orders by; 1 unless the file says more). */
  weight: number;
}

/** The loop production runs (lib/dag/graph.ts loopModel), with each task's real duration. */
export function simulateLoop(tasks: readonly SimTask[], order: readonly string[], slots: number, merge: number): number {
  return loopModel(tasks, slots, (t) => t.minutes, merge)(order);
}

/**
 * A lower bound on any schedule's makespan under the model (a slot is held from a task's start
 * until its merge ends; dependants start after the merge; merges one at a time):
 *   max(all merges + the shortest task, energetic reasoning) — the smallest makespan T for which no
 *   time window [a, b) must hold more slot-time than `slots × (b − a)`, each task's mandatory part
 *   in the window taken between its earliest start (longest path before it) and its latest end
 *   (T − longest path after it). This subsumes the critical path and work / slots and is much
 *   tighter at low concurrency, where both are loose. Binary search (feasibility is monotone in T);
 *   the returned value is the largest T proven infeasible, so it never exceeds the optimum.
 */
function energeticBound(tasks: readonly SimTask[], slots: number, merge: number, upper: number): number {
  const n = tasks.length;
  const index = new Map(tasks.map((t, i) => [t.id, i]));
  const p = tasks.map((t) => t.minutes + merge);
  const order = topoOrder(tasks).map((id) => index.get(id)!);
  const head = new Float64Array(n);
  const tail = new Float64Array(n);
  for (const i of order) for (const d of tasks[i]!.dependsOn) head[i] = Math.max(head[i]!, head[index.get(d)!]! + p[index.get(d)!]!);
  for (const i of [...order].reverse()) for (const d of tasks[i]!.dependsOn) tail[index.get(d)!] = Math.max(tail[index.get(d)!]!, p[i]! + tail[i]!);
  const starts = [...new Set(head)].sort((a, b) => a - b);
  const infeasible = (T: number): boolean => {
    for (let j = 0; j < n; j++) if (head[j]! + p[j]! > T - tail[j]! + 1e-9) return true;
    const ends = [...new Set(tail.map((t) => T - t))].sort((a, b) => a - b);
    for (const a of starts) {
      for (const b of ends) {
        if (b <= a) continue;
        let need = 0;
        const cap = slots * (b - a);
        for (let j = 0; j < n; j++) {
          const w = Math.min(b - a, p[j]!, head[j]! + p[j]! - a, b - (T - tail[j]!) + p[j]!);
          if (w > 0 && (need += w) > cap + 1e-9) return true;
        }
      }
    }
    return false;
  };
  const simple = Math.max(
    n * merge + Math.min(...tasks.map((t) => t.minutes)),
    Math.max(...tasks.map((_, j) => head[j]! + p[j]! + tail[j]!)),
    p.reduce((a, b) => a + b, 0) / slots,
  );
  let lo = simple;
  let hi = Math.max(upper, simple);
  if (!infeasible(lo)) return lo;
  if (infeasible(hi)) throw new Error(`lower bound: a schedule of ${hi} min exists but is proven infeasible (bug in the bound)`);
  while (hi - lo > 0.01) {
    const mid = (lo + hi) / 2;
    if (infeasible(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

/**
 * The optimum of the preemptive relaxation on two slots (a task may be paused and resumed, or run
 * at a fraction of a slot): Muntz and Coffman's level algorithm, which is optimal for two
 * processors under any precedence graph (Muntz & Coffman, IEEE Trans. Computers C-18, 1969).
 * Ready tasks are served highest level first (level = remaining work + longest path after the
 * task); tasks of equal level share the slots left equally. Every schedule of the model is a
 * schedule of the relaxation (merge serialisation dropped), so this is a lower bound; on deep
 * graphs with many parallel side tasks it is far tighter than energetic reasoning.
 */
export function preemptiveOptimumTwoSlots(tasks: readonly SimTask[], merge: number): number {
  const EPS = 1e-9;
  const index = new Map(tasks.map((t, i) => [t.id, i]));
  const work = tasks.map((t) => t.minutes + merge);
  const dependants: number[][] = tasks.map(() => []);
  tasks.forEach((t, i) => t.dependsOn.forEach((d) => dependants[index.get(d)!]!.push(i)));
  const after = new Float64Array(tasks.length);
  for (const id of topoOrder(tasks).reverse()) {
    const i = index.get(id)!;
    for (const s of dependants[i]!) after[i] = Math.max(after[i]!, work[s]! + after[s]!);
  }
  const remaining = Float64Array.from(work);
  const waitingOn = tasks.map((t) => new Set(t.dependsOn).size);
  const level = (i: number) => remaining[i]! + after[i]!;
  let ready = tasks.map((_, i) => i).filter((i) => waitingOn[i] === 0);
  let now = 0;
  let left = tasks.length;
  while (left) {
    // Groups of equal level, highest first, and the share of a slot each member gets.
    ready.sort((a, b) => level(b) - level(a));
    const groups: { members: number[]; rate: number }[] = [];
    for (const i of ready) {
      const last = groups[groups.length - 1];
      if (last && level(last.members[0]!) - level(i) < 1e-7) last.members.push(i);
      else groups.push({ members: [i], rate: 0 });
    }
    let free = 2;
    for (const g of groups) {
      g.rate = free <= 0 ? 0 : Math.min(1, free / g.members.length);
      free -= Math.min(free, g.members.length);
    }
    // Advance to the next event: a task ends, or a faster group's level comes down to the next one's.
    let step = Infinity;
    for (const g of groups) if (g.rate > 0) for (const i of g.members) step = Math.min(step, remaining[i]! / g.rate);
    for (let k = 0; k + 1 < groups.length; k++) {
      const closing = groups[k]!.rate - groups[k + 1]!.rate;
      if (closing > EPS) step = Math.min(step, (level(groups[k]!.members[0]!) - level(groups[k + 1]!.members[0]!)) / closing);
    }
    now += step;
    const ended: number[] = [];
    for (const g of groups) for (const i of g.members) if ((remaining[i] = remaining[i]! - g.rate * step) < 1e-7) ended.push(i);
    ready = ready.filter((i) => remaining[i]! >= 1e-7);
    for (const i of ended) {
      left--;
      for (const s of dependants[i]!) if (--waitingOn[s]! === 0) ready.push(s);
    }
  }
  return now;
}

/**
 * The tasks that split every schedule in two: each other task comes before or after such a "cut"
 * (is its ancestor or its descendant), in topological order; and the tasks between consecutive cuts
 * (segment 0 before the first cut, …, the last after the last cut), dependencies on earlier
 * segments dropped (those have finished, merge and all, before the segment's first task starts).
 * Real tasks.md files are chains of such cuts: a phase's checkpoint task, a setup step every
 * story needs.
 */
export function segmentsBetweenCuts(tasks: readonly SimTask[]): { cuts: SimTask[]; segments: SimTask[][] } {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const order = topoOrder(tasks);
  const ancestors = new Map<string, Set<string>>();
  for (const id of order) ancestors.set(id, new Set(byId.get(id)!.dependsOn.flatMap((d) => [d, ...ancestors.get(d)!])));
  const descendants = new Map(order.map((id) => [id, 0]));
  for (const set of ancestors.values()) for (const a of set) descendants.set(a, descendants.get(a)! + 1);
  const cuts = order.filter((id) => ancestors.get(id)!.size + descendants.get(id)! === tasks.length - 1);
  const segments: SimTask[][] = Array.from({ length: cuts.length + 1 }, () => []);
  const segmentOf = new Map<string, number>();
  for (const id of order) {
    if (cuts.includes(id)) continue;
    const segment = cuts.filter((c) => ancestors.get(id)!.has(c)).length;
    segmentOf.set(id, segment);
    segments[segment]!.push({ ...byId.get(id)!, dependsOn: byId.get(id)!.dependsOn.filter((d) => segmentOf.get(d) === segment) });
  }
  return { cuts: cuts.map((id) => byId.get(id)!), segments };
}

/** Energetic reasoning, and on two slots the preemptive optimum too (the larger), of one graph taken whole. */
function wholeBound(tasks: readonly SimTask[], slots: number, merge: number, upper: number): number {
  if (!tasks.length) return 0;
  return Math.max(energeticBound(tasks, slots, merge, upper), slots === 2 ? preemptiveOptimumTwoSlots(tasks, merge) : 0);
}

/**
 * The lower bound bench:dag judges against: the larger of the bound of the graph taken whole and
 * the sum over its segments between cuts (segmentsBetweenCuts) — no two segments, and no segment
 * and a cut, can overlap in any schedule, so their bounds add up, each taken from time 0 and
 * no longer diluted by the slack the whole graph's heads and tails give. `upper` is a makespan
 * some schedule reached: a bound above it is a bug.
 */
export function lowerBound(tasks: readonly SimTask[], slots: number, merge: number, upper: number): number {
  const { cuts, segments } = segmentsBetweenCuts(tasks);
  // A segment's tasks one after another: a schedule of it that exists, the top of its bound's search.
  const sequentialUpper = (ts: readonly SimTask[]) => ts.reduce((a, t) => a + t.minutes + merge, 0);
  // Without a cut the one segment is the whole graph: its bound is not computed twice.
  const split = cuts.length
    ? cuts.reduce((a, t) => a + t.minutes + merge, 0) + segments.reduce((a, seg) => a + wholeBound(seg, slots, merge, sequentialUpper(seg)), 0)
    : 0;
  const bound = Math.max(wholeBound(tasks, slots, merge, upper), split);
  if (bound > upper + 1e-6) throw new Error(`lower bound ${bound} min exceeds a schedule of ${upper} min (bug in the bound)`);
  return bound;
}
