// The task DAG as a graph: validation, and the order execute_tasks feeds its parallel loop.
import { describe, it, expect } from "vitest";
import { DagError, loopModel, topoOrder, windowOrder, type DagTaskInput } from "../../f/devgodzilla/lib/dag/graph.ts";
import { mulberry32 } from "../../bench/lib/random.ts";

const t = (id: string, ...dependsOn: string[]): DagTaskInput => ({ id, dependsOn });

/** Runs the loop as Windmill does: `slots` iterations at a time in order, each waiting in its slot for its dependencies. */
function simulate(tasks: DagTaskInput[], order: string[], slots: number, ms: (id: string) => number) {
  const byId = new Map(tasks.map((x) => [x.id, x]));
  const end = new Map<string, number>();
  const slotFree = Array(slots).fill(0);
  const start = new Map<string, number>();
  for (const id of order) {
    const s = slotFree.indexOf(Math.min(...slotFree));
    const depsDone = Math.max(
      0,
      ...byId.get(id)!.dependsOn.map((d) => {
        if (!end.has(d)) throw new Error(`${id} entered the loop before its dependency ${d}: the loop would stall`);
        return end.get(d)!;
      }),
    );
    start.set(id, Math.max(slotFree[s], depsDone));
    end.set(id, start.get(id)! + ms(id));
    slotFree[s] = end.get(id)!;
  }
  return { start, end, makespan: Math.max(...end.values()) };
}

describe("the DAG", () => {
  it("names a cycle, an unknown dependency and a duplicate id", () => {
    expect(() => topoOrder([t("A", "B"), t("B", "A")])).toThrow(/dependency cycle among tasks A, B/);
    expect(() => topoOrder([t("A", "Z")])).toThrow(/A depends on unknown task Z/);
    expect(() => topoOrder([t("A"), t("A")])).toThrow(DagError);
  });

  it("the loop order is topological, so the lowest unfinished iteration never waits for a later one (no stall at any concurrency)", () => {
    const tasks = [t("J", "B", "C"), t("B", "A"), t("C", "A"), t("A"), t("X"), t("Y", "X")];
    for (const c of [1, 2, 3, 8]) {
      const order = windowOrder(tasks, c);
      expect(new Set(order).size).toBe(tasks.length);
      const pos = new Map(order.map((id, i) => [id, i]));
      for (const x of tasks) for (const d of x.dependsOn) expect(pos.get(d)!).toBeLessThan(pos.get(x.id)!);
      expect(() => simulate(tasks, order, c, () => 1)).not.toThrow();
    }
  });

  it("puts the critical path first, so independent short tasks do not delay it", () => {
    // A → B → C is the long chain; S1..S3 are independent.
    const tasks = [t("S1"), t("S2"), t("S3"), t("A"), t("B", "A"), t("C", "B")];
    const order = windowOrder(tasks, 2);
    expect(order[0]).toBe("A");
    const sim = simulate(tasks, order, 2, () => 10);
    expect(sim.makespan).toBe(30); // the chain's length: the short tasks fit beside it
  });

  it("with equal durations the loop order runs as fast as dependency-driven list scheduling", () => {
    const tasks = Array.from({ length: 30 }, (_, i) =>
      t(`T${i}`, ...(i >= 5 ? [`T${i - 5}`, `T${(i * 7) % Math.max(1, i - 1)}`].filter((d) => d !== `T${i}`) : [])),
    );
    const order = windowOrder(tasks, 3);
    const sim = simulate(tasks, order, 3, () => 1);
    expect(sim.makespan).toBe(Math.ceil(30 / 3)); // 30 unit tasks, 3 slots, no idle slot
  });

  it("with estimates, a long task that has slack waits for the narrow end of the graph instead of taking a slot from the wide part", () => {
    // R fans out to six 4-minute tasks, which join into a 12-minute chain; L (10 minutes) stands alone.
    const fan = ["A", "B", "C", "D", "E", "F"];
    const tasks = [t("R"), t("L"), ...fan.map((id) => t(id, "R")), t("C1", ...fan), t("C2", "C1"), t("C3", "C2")];
    const minutes: Record<string, number> = { R: 1, L: 10, C1: 4, C2: 4, C3: 4, ...Object.fromEntries(fan.map((id) => [id, 4])) };
    const order = windowOrder(tasks, 3, (x) => minutes[x.id]!);
    // Started at once, L would hold a slot while the six run two at a time: 25 minutes. Beside the chain: 1 + 8 + 12.
    expect(simulate(tasks, order, 3, (id) => minutes[id]!).makespan).toBe(21);
    expect(order.indexOf("L")).toBeGreaterThan(Math.max(...fan.map((id) => order.indexOf(id))));
    // Not told the durations, the planner has no reason to hold L back: it starts with R.
    expect(windowOrder(tasks, 3).slice(0, 2).sort()).toEqual(["L", "R"]);
  });

  it("with estimates the order stays topological and the loop model agrees with a plain replay of the loop", () => {
    const random = mulberry32(7);
    for (let k = 0; k < 40; k++) {
      const tasks = Array.from({ length: 12 }, (_, i) => t(`T${i}`, ...Array.from({ length: i }, (_, j) => `T${j}`).filter(() => random() < 0.2)));
      const minutes = new Map(tasks.map((x) => [x.id, 1 + Math.floor(random() * 30)]));
      for (const c of [1, 2, 3, 5]) {
        const order = windowOrder(tasks, c, (x) => minutes.get(x.id)!);
        const replay = simulate(tasks, order, c, (id) => minutes.get(id)!); // throws if the loop could stall
        expect(loopModel(tasks, c, (x) => minutes.get(x.id)!)(order)).toBe(replay.makespan);
      }
    }
  });
});
