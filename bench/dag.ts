// Benchmark: execute_tasks' scheduling vs level-by-level on the same synthetic 60-task DAG.
// execute_tasks runs a parallel loop (parallelism = concurrency) over the plan's order
// (windowOrder: critical-path list scheduling on the graph alone, unit weights); an iteration
// takes its loop slot when an earlier one frees it, waits there (suspended) for its dependencies,
// then runs its task. This bench runs exactly that policy with fake agents that sleep for the
// task's duration (uneven: most short, a few long) — the planner is NOT told the durations, as
// in real runs — and level-by-level with the same concurrency.
// Prints makespan / lower bound (lower bound = max(critical path, total work / concurrency);
// target ≤ 1.10) and the speed-up over level-by-level (target ≥ 1.25×). Last line: JSON figures.

import { topoOrder, windowOrder, type DagTaskInput } from "../f/devgodzilla/lib/dag/graph.ts";

interface BenchTask extends DagTaskInput {
  ms: number;
}

const N = 60;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4); // execute_tasks' default
// Also measured (figures only): other caps; at 6, work/concurrency ≈ critical path, the hardest case.
const SWEEP = (process.env.BENCH_SWEEP ?? "6,8").split(",").filter(Boolean).map(Number);
const SCALE = Number(process.env.BENCH_SCALE ?? 1); // multiply durations (e.g. 0.5 for a quick run)

// Deterministic PRNG (mulberry32) so every run measures the same DAG.
function rng(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function makeDag(): BenchTask[] {
  const r = rng(20261121);
  const tasks: BenchTask[] = [];
  // Six phases of ten tasks, like a tasks.md (setup, foundational, stories…). A task depends on one
  // to three tasks of the previous two phases; durations are uneven (a few long tasks).
  for (let i = 0; i < N; i++) {
    const phase = Math.floor(i / 10);
    const deps = new Set<string>();
    if (phase > 0) {
      const k = 1 + Math.floor(r() * 3);
      for (let j = 0; j < k; j++) {
        const lo = Math.max(0, (phase - 2) * 10);
        const hi = phase * 10;
        deps.add(`T${String(lo + Math.floor(r() * (hi - lo))).padStart(3, "0")}`);
      }
    }
    const u = r();
    const ms = Math.round((u < 0.7 ? 40 + r() * 120 : u < 0.92 ? 200 + r() * 250 : 600 + r() * 400) * SCALE);
    tasks.push({ id: `T${String(i).padStart(3, "0")}`, dependsOn: [...deps], ms });
  }
  return tasks;
}

const sleep = (ms: number) => new Promise<void>((res) => setTimeout(res, ms));
const fakeAgent = async (t: BenchTask) => {
  await sleep(t.ms);
  return { status: "succeeded" as const, result: t.id };
};

function criticalPath(tasks: BenchTask[]): number {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const finish = new Map<string, number>();
  for (const id of topoOrder(tasks)) {
    const t = byId.get(id)!;
    finish.set(id, t.ms + Math.max(0, ...t.dependsOn.map((d) => finish.get(d)!)));
  }
  return Math.max(...finish.values());
}

function levels(tasks: BenchTask[]): BenchTask[][] {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const lvl = new Map<string, number>();
  for (const id of topoOrder(tasks)) {
    const t = byId.get(id)!;
    lvl.set(id, t.dependsOn.length ? 1 + Math.max(...t.dependsOn.map((d) => lvl.get(d)!)) : 0);
  }
  const out: BenchTask[][] = [];
  for (const t of tasks) (out[lvl.get(t.id)!] ??= []).push(t);
  return out;
}

/** The baseline: each level starts only when the previous level has completely finished. */
async function levelByLevel(tasks: BenchTask[], concurrency: number): Promise<number> {
  const t0 = Date.now();
  for (const level of levels(tasks)) {
    const queue = [...level];
    await Promise.all(
      Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
        for (let t = queue.shift(); t; t = queue.shift()) await fakeAgent(t);
      }),
    );
  }
  return Date.now() - t0;
}

/** execute_tasks' loop: iterations in plan order, `concurrency` slots, each waits in its slot for its dependencies. */
async function windowLoop(tasks: BenchTask[], concurrency: number): Promise<{ makespanMs: number; maxConcurrent: number }> {
  const order = windowOrder(tasks, concurrency);
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const done = new Map<string, { promise: Promise<void>; resolve: () => void }>();
  for (const t of tasks) {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    done.set(t.id, { promise, resolve });
  }
  let running = 0;
  let peak = 0;
  const t0 = Date.now();
  let next = 0;
  const slot = async () => {
    for (let i = next++; i < order.length; i = next++) {
      const t = byId.get(order[i]!)!;
      await Promise.all(t.dependsOn.map((d) => done.get(d)!.promise)); // the wait step, in its slot
      peak = Math.max(peak, ++running);
      await fakeAgent(t);
      running--;
      done.get(t.id)!.resolve();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, order.length) }, slot));
  return { makespanMs: Date.now() - t0, maxConcurrent: peak };
}

async function main() {
  const tasks = makeDag();
  const work = tasks.reduce((s, t) => s + t.ms, 0);
  const cp = criticalPath(tasks);
  const lowerBound = Math.max(cp, work / CONCURRENCY);
  console.log(`DAG: ${tasks.length} tasks, ${levels(tasks).length} levels, total work ${work} ms, critical path ${cp} ms, concurrency ${CONCURRENCY}`);
  console.log(`lower bound max(critical path, work/concurrency) = ${Math.round(lowerBound)} ms`);

  const res = await windowLoop(tasks, CONCURRENCY);
  const dagMs = res.makespanMs;
  const levelMs = await levelByLevel(tasks, CONCURRENCY);

  const ratio = dagMs / lowerBound;
  const speedup = levelMs / dagMs;
  console.log(`dependency-driven makespan: ${dagMs} ms  (max concurrent ${res.maxConcurrent})`);
  console.log(`level-by-level makespan:    ${levelMs} ms`);
  console.log(`makespan / lower bound: ${ratio.toFixed(3)} (target ≤ 1.10) ${ratio <= 1.1 ? "OK" : "MISSED"}`);
  console.log(`speed-up over level-by-level: ${speedup.toFixed(2)}× (target ≥ 1.25×) ${speedup >= 1.25 ? "OK" : "MISSED"}`);
  const sweep: Record<string, { lower_bound_ms: number; makespan_ms: number; ratio: number }> = {};
  for (const c of SWEEP) {
    const lb = Math.max(cp, work / c);
    const r = await windowLoop(tasks, c);
    sweep[String(c)] = { lower_bound_ms: Math.round(lb), makespan_ms: r.makespanMs, ratio: Number((r.makespanMs / lb).toFixed(3)) };
    console.log(`  (sweep) concurrency ${c}: makespan ${r.makespanMs} ms, lower bound ${Math.round(lb)} ms, ratio ${(r.makespanMs / lb).toFixed(3)}`);
  }
  console.log(
    JSON.stringify({
      bench: "dag",
      tasks: tasks.length,
      concurrency: CONCURRENCY,
      critical_path_ms: cp,
      total_work_ms: work,
      lower_bound_ms: Math.round(lowerBound),
      makespan_ms: dagMs,
      level_by_level_ms: levelMs,
      makespan_over_lower_bound: Number(ratio.toFixed(3)),
      speedup_vs_level_by_level: Number(speedup.toFixed(3)),
      targets_met: ratio <= 1.1 && speedup >= 1.25,
      sweep,
    }),
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
