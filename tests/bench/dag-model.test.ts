// bench:dag judges execute_tasks against lower bounds on the makespan of any schedule. A bound that
// exceeds a schedule which exists would flatter the planner, so the bounds are checked against
// every order the loop can run on small random graphs, and against optima known by hand.
import { describe, expect, it } from "vitest";
import { lowerBound, preemptiveOptimumTwoSlots, simulateLoop, type SimTask } from "../../bench/lib/dag-model.ts";
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

  it("refuse a claimed schedule shorter than the bound (a bug in a bound is loud, not a flattering ratio)", () => {
    const chain = [task("a", 5), task("b", 5, ["a"])];
    expect(() => lowerBound(chain, 2, 0, 9)).toThrow(/lower bound|infeasible/);
  });
});
