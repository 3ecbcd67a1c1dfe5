// bench:dag judges execute_tasks against lower bounds on the makespan of any schedule. A bound that
// exceeds a schedule which exists would flatter the planner, so the bounds are checked against
// every order the loop can run on small random graphs, and against optima known by hand.
import { describe, expect, it } from "vitest";
import { lowerBound, preemptiveOptimumTwoSlots, segmentsBetweenCuts, simulateLoop, type SimTask } from "../../bench/lib/dag-model.ts";
import { mulberry32 } from "../../bench/lib/random.ts";

const task = (id: string, minutes: number, deps: string[] = []): SimTask => ({ id, minutes, dependsOn: deps, weight: 1 });

/** Every topological order of `tasks` (small graphs only). */
function topologicalOrders(tasks: SimTask[]): string[][] {
  const out: string[][] = [];
  const walk = (order: string[], left: SimTask[]) => {
    if (!left.length) return void out.push(order);
    for (const t of left)
      if (t.dependsOn.every((d) => order.includes(d)))
        walk(
          [...order, t.id],
          left.filter((x) => x !== t),
        );
  };
  walk([], tasks);
  return out;
}

function randomDag(random: () => number, n: number): SimTask[] {
  return Array.from({ length: n }, (_, i) => {
    const deps = Array.from({ length: i }, (_, j) => `T${j}`).filter(() => random() < 0.3);
    return task(`T${i}`, 1 + Math.floor(random() * 20) / 2, deps);
  });
}

describe("bench:dag lower bounds", () => {
  it("never exceed the makespan of any order the loop can run (random graphs, 2–4 slots, with and without merges)", () => {
    const random = mulberry32(20261203);
    for (let k = 0; k < 60; k++) {
      const tasks = randomDag(random, 3 + (k % 5));
      for (const slots of [2, 3, 4])
        for (const merge of [0, 0.5]) {
          const best = Math.min(...topologicalOrders(tasks).map((order) => simulateLoop(tasks, order, slots, merge)));
          expect(lowerBound(tasks, slots, merge, best)).toBeLessThanOrEqual(best + 1e-6);
          if (slots === 2) expect(preemptiveOptimumTwoSlots(tasks, merge)).toBeLessThanOrEqual(best + 1e-6);
        }
    }
  });

  it("on two slots, equal the preemptive optimum: three equal independent tasks share the slots", () => {
    // Without preemption the best is 4 (two, then one); pausing lets both slots work until 3.
    expect(preemptiveOptimumTwoSlots([task("a", 2), task("b", 2), task("c", 2)], 0)).toBeCloseTo(3, 6);
  });

  it("reach the optimum where it is known: a fork-join on two slots and a chain beside a long task", () => {
    const forkJoin = [task("root", 1), ...["a", "b", "c", "d"].map((id) => task(id, 2, ["root"])), task("sink", 1, ["a", "b", "c", "d"])];
    expect(lowerBound(forkJoin, 2, 0, 6)).toBeCloseTo(6, 2);
    // The long task must start at once; the chain runs beside it: optimum max(9, 3 + 4) = 9.
    const beside = [task("long", 9), task("x", 3), task("y", 4, ["x"])];
    expect(lowerBound(beside, 2, 0, 9)).toBeCloseTo(9, 2);
  });

  it("count the merge a slot holds after every task, and serialised merges", () => {
    // Ten one-minute tasks with a half-minute merge each on 8 slots: merges alone take 5 minutes.
    const tasks = Array.from({ length: 10 }, (_, i) => task(`T${i}`, 1));
    const order = tasks.map((t) => t.id);
    const made = simulateLoop(tasks, order, 8, 0.5);
    expect(made).toBeGreaterThanOrEqual(5 + 1);
    expect(lowerBound(tasks, 8, 0.5, made)).toBeGreaterThanOrEqual(6 - 1e-6);
  });

  it("split a graph at the tasks every other task comes before or after, as phases and checkpoints do", () => {
    // setup → {a, b} → checkpoint → {d, e → f}: the setup and the checkpoint split it; f keeps e, d drops the checkpoint.
    const phased = [
      task("setup", 1),
      task("a", 2, ["setup"]),
      task("b", 2, ["setup"]),
      task("check", 1, ["a", "b"]),
      task("d", 2, ["check"]),
      task("e", 2, ["check"]),
      task("f", 2, ["e"]),
    ];
    const { cuts, segments } = segmentsBetweenCuts(phased);
    expect(cuts.map((t) => t.id)).toEqual(["setup", "check"]);
    expect(segments.map((seg) => seg.map((t) => [t.id, t.dependsOn]))).toEqual([
      [],
      [
        ["a", []],
        ["b", []],
      ],
      [
        ["d", []],
        ["e", []],
        ["f", ["e"]],
      ],
    ]);
    // A task beside everything (no dependency either way) leaves no cut: one segment, the graph itself.
    const beside = [...phased, task("docs", 3)];
    expect(segmentsBetweenCuts(beside).cuts).toEqual([]);
    expect(segmentsBetweenCuts(beside).segments.map((seg) => seg.map((t) => t.id).sort())).toEqual([beside.map((t) => t.id).sort()]);
  });

  it("add up the bounds of the parts between cuts: three 4-task phases on 3 slots", () => {
    // Each phase needs 12 slot-minutes on 3 slots, so at least 4 minutes, and no two phases overlap:
    // 4 + 1 + 4 + 1 + 4 = 14. Taken whole, energetic reasoning proves only 12.67. The loop takes 20.
    const phase = (p: string, after: string[]) => ["a", "b", "c", "d"].map((x) => task(`${p}${x}`, 3, after));
    const ids = (p: string) => ["a", "b", "c", "d"].map((x) => `${p}${x}`);
    const tasks = [
      ...phase("one-", []),
      task("check1", 1, ids("one-")),
      ...phase("two-", ["check1"]),
      task("check2", 1, ids("two-")),
      ...phase("three-", ["check2"]),
    ];
    const made = simulateLoop(
      tasks,
      tasks.map((t) => t.id),
      3,
      0,
    );
    expect(made).toBe(20);
    expect(lowerBound(tasks, 3, 0, made)).toBeCloseTo(14, 2);
  });

  it("never exceed the makespan of any order the loop can run on phased graphs (random phases, 2–3 slots, with and without merges)", () => {
    const random = mulberry32(20261204);
    for (let k = 0; k < 40; k++) {
      const tasks: SimTask[] = [];
      let after: string[] = [];
      for (let p = 0; tasks.length < 6; p++) {
        const width = 1 + Math.floor(random() * 3);
        const phase = Array.from({ length: width }, (_, i) =>
          task(
            `P${p}.${i}`,
            1 + Math.floor(random() * 12) / 2,
            after.filter(() => random() < 0.8),
          ),
        );
        tasks.push(...phase);
        after = phase.map((t) => t.id);
      }
      for (const slots of [2, 3])
        for (const merge of [0, 0.5]) {
          const best = Math.min(...topologicalOrders(tasks).map((order) => simulateLoop(tasks, order, slots, merge)));
          expect(lowerBound(tasks, slots, merge, best)).toBeLessThanOrEqual(best + 1e-6);
        }
    }
  });

  it("refuse a claimed schedule shorter than the bound (a bug in a bound is loud, not a flattering ratio)", () => {
    const chain = [task("a", 5), task("b", 5, ["a"])];
    expect(() => lowerBound(chain, 2, 0, 9)).toThrow(/lower bound|infeasible/);
  });
});
