// bench:dag — how well execute_tasks schedules the DAGs the project's parser builds from real
// tasks.md files. Inputs: bench/fixtures/tasks/*.md (written as people write Spec Kit files, English
// and Spanish) and, when present, the dev corpus (shared/corpus/dev/tasks beside the checkout, or
// BENCH_DAG_CORPUS; skipped with a message when absent). Every task is run (checked-off ones too:
// the shape is what is measured).
//
// What is modelled is what production does (execute_tasks: a Windmill parallel
// loop over the plan's order): `windowOrder` orders the tasks (critical path first by the parser's
// weights — 1 per task unless the file says more: the planner is not told durations); the loop,
// `parallelism` = concurrency, admits iterations in that order, one per free slot; an iteration
// holds its slot while its wait step is suspended until the finish step of its last dependency
// resumes it, runs its task, merges the task branch into the run branch — merges serialised, one
// at a time — and finishes, which is when its dependants may start and its slot frees.
// Durations are drawn per task (seeded, exact integer PRNG): 70 % 3–10 min, 22 % 10–25 min,
// 8 % 25–45 min; a merge takes 0.5 min. Schedules come from a discrete-event simulation (exact, no
// sleeping), beside:
//  - sequential execution, one task after another (what Spec Kit's implement does), no merges;
//  - level by level: each level of the DAG starts when the previous one has finished and merged;
//  - the same loop had the planner known the durations, and the best of BEST_OF such orders;
//  - a lower bound on any schedule (energetic reasoning, see lowerBound).
// Target (issue 16): makespan ≤ 1.05 × the lower bound on every real shape at concurrency 2–8.
// Scaling table: parse + plan + simulation CPU time for ×1, ×10, ×100 of a 100-task file
// (bench/tasks-parse.ts's generator), with the fitted growth exponent (target ≤ 1.2).
// Exit code 1 when a target is missed. Last line: one JSON object.

import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { topoOrder, windowOrder } from "../f/devgodzilla/lib/dag/graph.ts";
import { parseTasksMd } from "../f/devgodzilla/lib/speckit/tasks.ts";
import { cpuMs, growthExponent, machine, printTable, round, stats } from "./lib/stats.ts";
import { mulberry32, seedOf } from "./lib/random.ts";
import { generateTasksMd } from "./tasks-parse.ts";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const FIXTURES = path.join(HERE, "fixtures/tasks");
/** The dev corpus: BENCH_DAG_CORPUS, or shared/corpus/dev/tasks beside the checkout or an ancestor of it. */
function corpusDir(): string | null {
  if (process.env.BENCH_DAG_CORPUS) return process.env.BENCH_DAG_CORPUS;
  for (let dir = path.resolve(HERE, ".."); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "shared/corpus/dev/tasks");
    if (existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) return null;
  }
}
const CONCURRENCIES = [2, 3, 4, 5, 6, 7, 8];
const MERGE_MINUTES = 0.5;
const TARGET_RATIO = 1.05;
const MAX_EXPONENT = 1.2;
/** Orders tried for the best schedule known (bestKnown). */
const BEST_OF = 100;

interface SimTask {
  id: string;
  deps: string[];
  minutes: number;
  /** The parser's weight estimate (what the planner orders by; 1 unless the file says more). */
  weight: number;
}

/** Seeded per file and task: the same durations on every run. */
function durationOf(file: string, id: string): number {
  const next = mulberry32(seedOf(`${file}:${id}`));
  const u = next();
  const v = next();
  return u < 0.7 ? 3 + 7 * v : u < 0.92 ? 10 + 15 * v : 25 + 20 * v;
}

// ---------------------------------------------------------------- the simulation

/**
 * A parallel loop over `order` with `slots` slots: iteration i is admitted when a slot frees, holds
 * it while waiting for its dependencies' finish, runs, merges (one merge at a time, in the order
 * tasks end) and finishes. Returns when the last merge ends.
 */
function simulateLoop(tasks: SimTask[], order: string[], slots: number, merge: number): number {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const dependants = new Map<string, string[]>(tasks.map((t) => [t.id, []]));
  for (const t of tasks) for (const d of t.deps) dependants.get(d)!.push(t.id);
  const waiting = new Map(tasks.map((t) => [t.id, t.deps.length]));
  const admitted = new Set<string>();
  // Events: [time, seq, kind, id]; kinds: 0 finish (frees a slot, releases dependants), 1 end (merge queue).
  const events: [number, number, number, string][] = [];
  let seq = 0;
  const push = (time: number, kind: number, id: string) => {
    events.push([time, seq++, kind, id]);
    for (let i = events.length - 1; i > 0;) {
      const p = (i - 1) >> 1;
      if (before(events[p]!, events[i]!)) break;
      [events[p], events[i]] = [events[i]!, events[p]!];
      i = p;
    }
  };
  const pop = () => {
    const top = events[0]!;
    const last = events.pop()!;
    if (events.length) {
      events[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1,
          r = l + 1;
        let m = i;
        if (l < events.length && before(events[l]!, events[m]!)) m = l;
        if (r < events.length && before(events[r]!, events[m]!)) m = r;
        if (m === i) break;
        [events[m], events[i]] = [events[i]!, events[m]!];
        i = m;
      }
    }
    return top;
  };
  let next = 0;
  let mergeFree = 0;
  let makespan = 0;
  const start = (id: string, now: number) => push(now + byId.get(id)!.minutes, 1, id);
  const admit = (now: number) => {
    const id = order[next++]!;
    admitted.add(id);
    if (waiting.get(id) === 0) start(id, now);
  };
  for (let i = 0; i < Math.min(slots, order.length); i++) admit(0);
  while (events.length) {
    const [now, , kind, id] = pop();
    if (kind === 1) {
      mergeFree = Math.max(now, mergeFree) + merge;
      push(mergeFree, 0, id);
      continue;
    }
    makespan = Math.max(makespan, now);
    for (const n of dependants.get(id)!) {
      waiting.set(n, waiting.get(n)! - 1);
      if (waiting.get(n) === 0 && admitted.has(n)) start(n, now);
    }
    if (next < order.length) admit(now);
  }
  return makespan;
}

const before = (a: [number, number, number, string], b: [number, number, number, string]) =>
  a[0] < b[0] || (a[0] === b[0] && (a[2] < b[2] || (a[2] === b[2] && a[1] < b[1])));

function levelsOf(tasks: SimTask[]): string[][] {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const level = new Map<string, number>();
  const out: string[][] = [];
  for (const id of topoOrder(tasks.map((t) => ({ id: t.id, dependsOn: t.deps })))) {
    const l = Math.max(-1, ...byId.get(id)!.deps.map((d) => level.get(d)!)) + 1;
    level.set(id, l);
    (out[l] ??= []).push(id);
  }
  return out;
}

/** Level by level: every task of a level waits for the whole previous level (merged). */
function levelByLevel(tasks: SimTask[], slots: number, merge: number): number {
  const levels = levelsOf(tasks);
  const barrier = tasks.map((t) => {
    const l = levels.findIndex((ids) => ids.includes(t.id));
    return { ...t, deps: l ? levels[l - 1]! : [] };
  });
  return simulateLoop(barrier, levels.flat(), slots, merge);
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
function lowerBound(tasks: SimTask[], slots: number, merge: number, upper: number): number {
  const n = tasks.length;
  const index = new Map(tasks.map((t, i) => [t.id, i]));
  const p = tasks.map((t) => t.minutes + merge);
  const order = topoOrder(tasks.map((t) => ({ id: t.id, dependsOn: t.deps }))).map((id) => index.get(id)!);
  const head = new Float64Array(n);
  const tail = new Float64Array(n);
  for (const i of order) for (const d of tasks[i]!.deps) head[i] = Math.max(head[i]!, head[index.get(d)!]! + p[index.get(d)!]!);
  for (const i of [...order].reverse()) for (const d of tasks[i]!.deps) tail[index.get(d)!] = Math.max(tail[index.get(d)!]!, p[i]! + tail[i]!);
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

/** What production runs: the plan's order (the parser's weights, as dag_plan passes them) in a loop of `slots` slots. */
function production(tasks: SimTask[], slots: number, merge: number): number {
  const order = windowOrder(
    tasks.map((t) => ({ id: t.id, dependsOn: t.deps, weight: t.weight })),
    slots,
    (t) => t.weight ?? 1,
  );
  return simulateLoop(tasks, order, slots, merge);
}

/** The same loop, had the planner known every duration: how much of the gap is the unknown durations. */
function productionKnowingDurations(tasks: SimTask[], slots: number, merge: number, noise: () => number = () => 1): number {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const weight = new Map(tasks.map((t) => [t.id, (t.minutes + merge) * noise()]));
  const order = windowOrder(
    tasks.map((t) => ({ id: t.id, dependsOn: t.deps })),
    slots,
    (t) => weight.get(t.id)!,
  );
  return simulateLoop(tasks, order, slots, merge);
}

/**
 * The best schedule found knowing every duration: the loop over the orders windowOrder gives for
 * the true durations and for BEST_OF − 1 perturbations of them (±20 %, seeded). What stays between
 * it and the lower bound is the bound's looseness (or a hard instance), not the planner.
 */
function bestKnown(tasks: SimTask[], slots: number, merge: number): number {
  const uniform = mulberry32(0x9e3779b9);
  let best = productionKnowingDurations(tasks, slots, merge);
  for (let k = 1; k < BEST_OF; k++)
    best = Math.min(
      best,
      productionKnowingDurations(tasks, slots, merge, () => 0.8 + 0.4 * uniform()),
    );
  return best;
}

// ---------------------------------------------------------------- inputs

function realShapes(): { name: string; tasks: SimTask[]; edges: number }[] {
  const out: { name: string; tasks: SimTask[]; edges: number }[] = [];
  const corpus = corpusDir();
  if (!corpus || !existsSync(corpus))
    console.log(`(dev corpus not found${corpus ? ` at ${corpus}` : ""}: only bench/fixtures/tasks is measured; set BENCH_DAG_CORPUS to add it)`);
  for (const dir of [FIXTURES, ...(corpus && existsSync(corpus) ? [corpus] : [])]) {
    for (const f of readdirSync(dir)
      .filter((x) => x.endsWith(".md") && x !== "SOURCES.md")
      .sort()) {
      const dag = parseTasksMd(readFileSync(path.join(dir, f), "utf8"));
      if (dag.tasks.length < 2) continue;
      const tasks = dag.tasks.map((t) => ({ id: t.id, deps: t.dependsOn, minutes: durationOf(f, t.id), weight: t.weight }));
      out.push({ name: f.replace(/\.md$/, ""), tasks, edges: dag.stats.edges });
    }
  }
  return out;
}

function main(): number {
  const shapes = realShapes();
  const m = machine();
  console.log(`\n## execute_tasks on real tasks.md shapes (${shapes.length} files; merges ${MERGE_MINUTES} min, serialised; durations seeded per task)\n`);
  const perC = CONCURRENCIES.map((c) => {
    const rows = shapes.map((s) => {
      const prod = production(s.tasks, c, MERGE_MINUTES);
      const oracle = productionKnowingDurations(s.tasks, c, MERGE_MINUTES);
      const best = bestKnown(s.tasks, c, MERGE_MINUTES);
      const lb = lowerBound(s.tasks, c, MERGE_MINUTES, Math.min(prod, best));
      const level = levelByLevel(s.tasks, c, MERGE_MINUTES);
      const sequential = s.tasks.reduce((a, t) => a + t.minutes, 0);
      return { name: s.name, lb, prod, oracle, best, level, sequential, ratio: prod / lb };
    });
    return { c, rows };
  });
  printTable(
    [
      "concurrency",
      "makespan / lower bound (median / mean / max)",
      "files over 1.05",
      "loop knowing durations (max)",
      `best of ${BEST_OF} orders knowing durations (max)`,
      "speed-up vs sequential (median / mean)",
      "speed-up vs level by level (median / mean)",
    ],
    perC.map(({ c, rows }) => {
      const r = stats(rows.map((x) => x.ratio));
      const sq = stats(rows.map((x) => x.sequential / x.prod));
      const lv = stats(rows.map((x) => x.level / x.prod));
      return [
        c,
        `${r.median.toFixed(3)} / ${r.mean.toFixed(3)} / ${Math.max(...rows.map((x) => x.ratio)).toFixed(3)}`,
        rows.filter((x) => x.ratio > TARGET_RATIO).length,
        Math.max(...rows.map((x) => x.oracle / x.lb)).toFixed(3),
        Math.max(...rows.map((x) => x.best / x.lb)).toFixed(3),
        `${sq.median.toFixed(2)}× / ${sq.mean.toFixed(2)}×`,
        `${lv.median.toFixed(2)}× / ${lv.mean.toFixed(2)}×`,
      ];
    }),
  );
  console.log(`\nPer file at concurrency 4 (minutes):\n`);
  const at4 = perC.find((p) => p.c === 4)!.rows;
  printTable(
    ["file", "tasks", "edges", "sequential", "level by level", "execute_tasks", "lower bound", "ratio", "worst ratio at 2–8 (concurrency)"],
    shapes.map((s, i) => {
      const r = at4[i]!;
      const worst = perC.map((p) => ({ c: p.c, ratio: p.rows[i]!.ratio })).sort((a, b) => b.ratio - a.ratio)[0]!;
      return [
        s.name,
        s.tasks.length,
        s.edges,
        r.sequential.toFixed(0),
        r.level.toFixed(0),
        r.prod.toFixed(0),
        r.lb.toFixed(0),
        r.ratio.toFixed(3),
        `${worst.ratio.toFixed(3)} (${worst.c})`,
      ];
    }),
  );

  // Scaling: parse + plan + simulate as the file grows.
  const scaling = [1, 10, 100].map((scale) => {
    const md = generateTasksMd(100 * scale, "en");
    const cpu: number[] = [];
    let tasks = 0;
    for (let run = 0; run < (scale === 100 ? 2 : 5); run++) {
      const c0 = process.cpuUsage();
      const dag = parseTasksMd(md);
      const sim = dag.tasks.map((t) => ({ id: t.id, deps: t.dependsOn, minutes: durationOf("scaling", t.id), weight: t.weight }));
      production(sim, 4, MERGE_MINUTES);
      cpu.push(cpuMs(c0));
      tasks = sim.length;
    }
    return { scale, tasks, cpu: stats(cpu) };
  });
  console.log(`\nScaling: parse + plan + simulate, CPU ms (median / mean / p90; load average ${m.loadAverage} on ${m.cores} cores)\n`);
  printTable(
    ["scale", "tasks", "CPU ms"],
    scaling.map((s) => [`×${s.scale}`, s.tasks, `${s.cpu.median.toFixed(1)} / ${s.cpu.mean.toFixed(1)} / ${s.cpu.p90.toFixed(1)}`]),
  );
  const k = growthExponent(scaling.map((s) => [s.tasks, s.cpu.median]));
  console.log(`fitted growth exponent: CPU ∝ tasks^${k.toFixed(2)} (target ≤ ${MAX_EXPONENT})`);

  const worst = Math.max(...perC.flatMap((p) => p.rows.map((r) => r.ratio)));
  const pass = worst <= TARGET_RATIO && k <= MAX_EXPONENT;
  console.log(
    `\nworst makespan / lower bound over ${shapes.length} files × concurrency 2–8: ${worst.toFixed(3)} (target ≤ ${TARGET_RATIO}) — ${pass ? "PASS" : "FAIL"}`,
  );
  console.log(
    JSON.stringify({
      bench: "dag",
      ...m,
      files: shapes.map((s) => ({ name: s.name, tasks: s.tasks.length, edges: s.edges })),
      merge_minutes: MERGE_MINUTES,
      by_concurrency: perC.map(({ c, rows }) => ({
        concurrency: c,
        ratio: {
          median: round(stats(rows.map((x) => x.ratio)).median),
          mean: round(stats(rows.map((x) => x.ratio)).mean),
          max: round(Math.max(...rows.map((x) => x.ratio))),
        },
        ratio_knowing_durations_max: round(Math.max(...rows.map((x) => x.oracle / x.lb))),
        ratio_best_known_max: round(Math.max(...rows.map((x) => x.best / x.lb))),
        files_over_target: rows.filter((x) => x.ratio > TARGET_RATIO).map((x) => x.name),
        speedup_vs_sequential_mean: round(stats(rows.map((x) => x.sequential / x.prod)).mean),
        speedup_vs_level_by_level_mean: round(stats(rows.map((x) => x.level / x.prod)).mean),
      })),
      scaling: scaling.map((s) => ({
        scale: s.scale,
        tasks: s.tasks,
        cpu_ms: { median: round(s.cpu.median, 1), mean: round(s.cpu.mean, 1), p90: round(s.cpu.p90, 1) },
      })),
      exponent: round(k),
      worst_ratio: round(worst),
      target_ratio: TARGET_RATIO,
      pass,
    }),
  );
  return pass ? 0 : 1;
}

process.exit(main());
