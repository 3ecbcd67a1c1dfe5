// bench:dag — how well execute_tasks schedules the DAGs the project's parser builds from real
// tasks.md files. Inputs: bench/fixtures/tasks/*.md (written as people write Spec Kit files, in
// English, Spanish and French) and, when present, the dev corpus (shared/corpus/dev/tasks beside
// the checkout, or BENCH_DAG_CORPUS; skipped with a message when absent). Every task is run
// (checked-off ones too: the shape is what is measured).
//
// What is modelled is what production does (execute_tasks: a Windmill parallel loop over the plan's
// order; the model is lib/dag/graph.ts loopModel): `windowOrder` orders the tasks by their weights
// — as deployed, task_dag has an LLM resource and `estimate_effort` on (the defaults), so each open
// task's weight is the model's size for it on the S/M/L/XL scale (SIZE_WEIGHT); the loop,
// `parallelism` = concurrency, admits iterations in that order, one per free slot; an iteration
// holds its slot while its wait step is suspended until the finish step of its last dependency
// resumes it, runs its task, merges the task branch into the run branch — merges serialised, one
// at a time — and finishes, which is when its dependants may start and its slot frees.
// Durations are drawn per task (seeded, exact integer PRNG): 70 % 3–10 min, 22 % 10–25 min,
// 8 % 25–45 min; a merge takes 0.5 min. The judged plan is the deployed one, told each task's size
// as a model that sizes every task right would give it (the model's real accuracy cannot be
// measured here, so the same loop is shown beside it with one task in four a size off). Schedules
// come from a discrete-event simulation (exact, no sleeping), beside:
//  - sequential execution, one task after another (what Spec Kit's implement does), no merges;
//  - level by level: each level of the DAG starts when the previous one has finished and merged;
//  - the same loop without a model (task_dag with no LLM resource: the parser's weights, 1 per task
//    unless the file states an estimate), or told the durations, or estimates of them within ×k;
//  - a lower bound on any schedule (bench/lib/dag-model.ts: energetic reasoning, and on two slots
//    the preemptive optimum, of the whole graph and summed over its parts between the tasks every
//    other task comes before or after — a phase's checkpoint).
// The bench's own draw is one sample: the same figures over REDRAWS draws of the durations show
// how much of a ratio is the draw and how good estimates must be for the target.
// Target (issue 16): makespan ≤ 1.05 × the lower bound on every real shape at concurrency 2–8, on
// the bench's own draw, for the plan as deployed. Scaling table: parse + plan + simulation CPU
// time for ×1, ×10, ×100 of a 100-task file (bench/tasks-parse.ts's generator), with the fitted
// growth exponent (target ≤ 1.2).
// Exit code 1 when a target is missed. Last line: one JSON object.

import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { topoOrder, windowOrder } from "../f/devgodzilla/lib/dag/graph.ts";
import { parseTasksMd } from "../f/devgodzilla/lib/speckit/tasks.ts";
import { SIZE_WEIGHT } from "../f/devgodzilla/lib/llm/steps/task_estimates.ts";
import { cpuMs, growthExponent, machine, printTable, round, stats } from "./lib/stats.ts";
import { mulberry32, seedOf } from "./lib/random.ts";
import { lowerBound, simulateLoop, type SimTask } from "./lib/dag-model.ts";
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

/** Seeded per file and task: the same durations on every run. */
function durationOf(file: string, id: string): number {
  const next = mulberry32(seedOf(`${file}:${id}`));
  const u = next();
  const v = next();
  return u < 0.7 ? 3 + 7 * v : u < 0.92 ? 10 + 15 * v : 25 + 20 * v;
}

function levelsOf(tasks: SimTask[]): string[][] {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const level = new Map<string, number>();
  const out: string[][] = [];
  for (const id of topoOrder(tasks)) {
    const l = Math.max(-1, ...byId.get(id)!.dependsOn.map((d) => level.get(d)!)) + 1;
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
    return { ...t, dependsOn: l ? levels[l - 1]! : [] };
  });
  return simulateLoop(barrier, levels.flat(), slots, merge);
}

/** execute_tasks' loop over the order the planner makes from `told` (each task's weight as the planner sees it). */
function loopToldWeights(tasks: SimTask[], slots: number, merge: number, told: ReadonlyMap<string, number>): number {
  return simulateLoop(
    tasks,
    windowOrder(tasks, slots, (t) => told.get(t.id)!),
    slots,
    merge,
  );
}

/** The loop without a model (task_dag with no LLM resource): the order from the parser's weights. */
function withoutModel(tasks: SimTask[], slots: number, merge: number): number {
  return loopToldWeights(tasks, slots, merge, new Map(tasks.map((t) => [t.id, t.weight])));
}

/** The same loop, had the planner known every duration: how much of the gap is the unknown durations. */
function knowingDurations(tasks: SimTask[], slots: number, merge: number, error: () => number = () => 1): number {
  return loopToldWeights(tasks, slots, merge, new Map(tasks.map((t) => [t.id, (t.minutes + merge) * error()])));
}

// ---------------------------------------------------------------- what the draw decides

/** Draws of the durations measured beside the bench's own (which is draw 0). */
const REDRAWS = 20;
/** How far off the planner's estimates are in the "told estimates" columns: within ×k either way. */
const ESTIMATE_ERRORS = [2, 1.25];

/** Draw r of a file's durations (r = 0: the bench's own); the graph and the planner's weights stay. */
function redrawn(name: string, tasks: SimTask[], r: number): SimTask[] {
  return r === 0 ? tasks : tasks.map((t) => ({ ...t, minutes: durationOf(`${name}#${r}`, t.id) }));
}

/**
 * task_dag's model estimates are sizes on a doubling scale (S/M/L/XL = 1/2/4/8, SIZE_WEIGHT), not
 * minutes: each duration's size on that scale, anchored at the shortest draw (3 min: S < 6 min,
 * M < 12, L < 24, XL beyond), with a share of the tasks one step off (seeded): what the planner gets
 * from a model that sizes every task right, or mis-sizes one in four.
 */
const SIZE_ERRORS = [0, 0.25];
function sizeOf(minutes: number, offByOne: boolean, uniform: () => number): number {
  const sizes = Object.values(SIZE_WEIGHT);
  const right = Math.max(0, Math.min(sizes.length - 1, Math.floor(Math.log2(minutes / 3))));
  const step = offByOne ? (uniform() < 0.5 ? -1 : 1) : 0;
  return sizes[Math.max(0, Math.min(sizes.length - 1, right + step))]!;
}
function toldSizes(tasks: SimTask[], slots: number, merge: number, offShare: number, seed: string): number {
  const uniform = mulberry32(seedOf(seed));
  return loopToldWeights(tasks, slots, merge, new Map(tasks.map((t) => [t.id, sizeOf(t.minutes, uniform() < offShare, uniform)])));
}
/** The loop as deployed: the planner told every task's size by a model that sizes them right. */
function deployed(tasks: SimTask[], slots: number, merge: number): number {
  return toldSizes(tasks, slots, merge, 0, "");
}

/** Estimates within ×k of each duration (log-uniform error, seeded): what an effort estimate could give the planner. */
function estimateError(k: number, seed: string): () => number {
  const uniform = mulberry32(seedOf(seed));
  return () => Math.exp((2 * uniform() - 1) * Math.log(k));
}

/**
 * Makespan / lower bound over REDRAWS draws of every file's durations, for the planner without a
 * model, told sizes (as deployed), told estimates within ×k, and told the durations: how much of
 * the bench's one figure is the draw, and how good estimates must be for the target.
 */
function overDraws(shapes: { name: string; tasks: SimTask[] }[], c: number) {
  const noModel: number[] = [];
  const known: number[] = [];
  const told = ESTIMATE_ERRORS.map(() => [] as number[]);
  const sized = SIZE_ERRORS.map(() => [] as number[]);
  for (const s of shapes)
    for (let r = 0; r < REDRAWS; r++) {
      const tasks = redrawn(s.name, s.tasks, r);
      const made = {
        withoutModel: withoutModel(tasks, c, MERGE_MINUTES),
        known: knowingDurations(tasks, c, MERGE_MINUTES),
        told: ESTIMATE_ERRORS.map((k) => knowingDurations(tasks, c, MERGE_MINUTES, estimateError(k, `${s.name}#${r}:${c}`))),
        sized: SIZE_ERRORS.map((share) => toldSizes(tasks, c, MERGE_MINUTES, share, `${s.name}#${r}:${c}:sizes`)),
      };
      const lb = lowerBound(tasks, c, MERGE_MINUTES, Math.min(made.withoutModel, made.known, ...made.told, ...made.sized));
      noModel.push(made.withoutModel / lb);
      known.push(made.known / lb);
      made.told.forEach((m, i) => told[i]!.push(m / lb));
      made.sized.forEach((m, i) => sized[i]!.push(m / lb));
    }
  const summary = (xs: number[]) => ({
    mean: round(stats(xs).mean),
    p90: round(stats(xs).p90),
    max: round(Math.max(...xs)),
    within_target: round(xs.filter((x) => x <= TARGET_RATIO).length / xs.length),
  });
  return {
    concurrency: c,
    told_sizes: SIZE_ERRORS.map((share, i) => ({ share_one_size_off: share, ...summary(sized[i]!) })),
    told_estimates: ESTIMATE_ERRORS.map((k, i) => ({ within_factor: k, ...summary(told[i]!) })),
    known: summary(known),
    without_model: summary(noModel),
  };
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
      const tasks = dag.tasks.map((t) => ({ id: t.id, dependsOn: t.dependsOn, minutes: durationOf(f, t.id), weight: t.weight }));
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
      const prod = deployed(s.tasks, c, MERGE_MINUTES);
      const oneOff = toldSizes(s.tasks, c, MERGE_MINUTES, SIZE_ERRORS[1]!, `${s.name}:${c}:sizes`);
      const noModel = withoutModel(s.tasks, c, MERGE_MINUTES);
      const oracle = knowingDurations(s.tasks, c, MERGE_MINUTES);
      const lb = lowerBound(s.tasks, c, MERGE_MINUTES, Math.min(prod, oneOff, noModel, oracle));
      const level = levelByLevel(s.tasks, c, MERGE_MINUTES);
      const sequential = s.tasks.reduce((a, t) => a + t.minutes, 0);
      return { name: s.name, lb, prod, oneOff, noModel, oracle, level, sequential, ratio: prod / lb };
    });
    return { c, rows };
  });
  printTable(
    [
      "concurrency",
      "as deployed (told S/M/L/XL sizes): makespan / lower bound (median / mean / max)",
      "files over 1.05",
      `${100 * SIZE_ERRORS[1]!} % one size off (max)`,
      "without a model (max)",
      "knowing durations (max)",
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
        Math.max(...rows.map((x) => x.oneOff / x.lb)).toFixed(3),
        Math.max(...rows.map((x) => x.noModel / x.lb)).toFixed(3),
        Math.max(...rows.map((x) => x.oracle / x.lb)).toFixed(3),
        `${sq.median.toFixed(2)}× / ${sq.mean.toFixed(2)}×`,
        `${lv.median.toFixed(2)}× / ${lv.mean.toFixed(2)}×`,
      ];
    }),
  );
  console.log(`\nPer file at concurrency 4 (minutes):\n`);
  const at4 = perC.find((p) => p.c === 4)!.rows;
  printTable(
    ["file", "tasks", "edges", "sequential", "level by level", "execute_tasks as deployed", "lower bound", "ratio", "worst ratio at 2–8 (concurrency)"],
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

  const draws = CONCURRENCIES.map((c) => overDraws(shapes, c));
  console.log(
    `\nOver ${REDRAWS} draws of every file's durations (the bench's own and ${REDRAWS - 1} more; graphs unchanged): makespan / lower bound, mean / p90 / max, and the share of file × draw within ${TARGET_RATIO}\n`,
  );
  const cell = (x: { mean: number; p90: number; max: number; within_target: number }) =>
    `${x.mean.toFixed(3)} / ${x.p90.toFixed(3)} / ${x.max.toFixed(3)}, ${(100 * x.within_target).toFixed(0)} %`;
  printTable(
    [
      "concurrency",
      ...SIZE_ERRORS.map((share) => (share ? `told S/M/L/XL sizes, ${100 * share} % one size off` : "as deployed (told S/M/L/XL sizes)")),
      "without a model",
      ...ESTIMATE_ERRORS.map((k) => `told estimates within ×${k}`),
      "told the durations",
    ],
    draws.map((d) => [d.concurrency, ...d.told_sizes.map(cell), cell(d.without_model), ...d.told_estimates.map(cell), cell(d.known)]),
  );

  // Scaling: parse + plan + simulate as the file grows.
  const scaling = [1, 10, 100].map((scale) => {
    const md = generateTasksMd(100 * scale, "en");
    const cpu: number[] = [];
    let tasks = 0;
    for (let run = 0; run < (scale === 100 ? 2 : 5); run++) {
      const c0 = process.cpuUsage();
      const dag = parseTasksMd(md);
      const sim = dag.tasks.map((t) => ({ id: t.id, dependsOn: t.dependsOn, minutes: durationOf("scaling", t.id), weight: t.weight }));
      deployed(sim, 4, MERGE_MINUTES);
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
    `\nworst makespan / lower bound, plan as deployed, over ${shapes.length} files × concurrency 2–8: ${worst.toFixed(3)} (target ≤ ${TARGET_RATIO}) — ${pass ? "PASS" : "FAIL"}`,
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
        ratio_one_size_off_max: round(Math.max(...rows.map((x) => x.oneOff / x.lb))),
        ratio_without_model_max: round(Math.max(...rows.map((x) => x.noModel / x.lb))),
        ratio_knowing_durations_max: round(Math.max(...rows.map((x) => x.oracle / x.lb))),
        files_over_target: rows.filter((x) => x.ratio > TARGET_RATIO).map((x) => x.name),
        speedup_vs_sequential_mean: round(stats(rows.map((x) => x.sequential / x.prod)).mean),
        speedup_vs_level_by_level_mean: round(stats(rows.map((x) => x.level / x.prod)).mean),
      })),
      over_draws: draws,
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
