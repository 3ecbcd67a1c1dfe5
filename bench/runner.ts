// bench:runner — the local runner's overhead per step. A flow of trivial steps (each returns the
// moment its main runs, and the previous step's result is its input, so every step evaluates an
// input transform); the interval between two consecutive mains is the runner's per-step cost
// (argument evaluation, job env, log routing, journal write, result handling) plus a no-op.
// Scaling table: ×1, ×10, ×100 of 20 steps, per step median / mean / p90 of the intervals, the CPU
// time the process spent per step, and the fitted growth exponent of a run's time in its steps.
// A second table: a for-loop over ×1, ×10, ×100 of 80 items (one step per iteration), CPU per
// iteration and the fitted exponent — the loop's flow status (flow_jobs, iterator) must not be
// copied or compared whole at every iteration.
// Target (issue 16): mean ≤ 0.3 ms per step at ×10 (200 steps) — judged on CPU time always and on
// wall time unless the machine is oversubscribed — and growth ≤ 1.2 of both the chain and the loop.
// Last line: one JSON object.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import YAML from "yaml";
import { runPath, RunStore } from "../scripts/runner/index.ts";
import { cpuMs, fmtStats, growthExponent, machine, printTable, round, roundStats, stats } from "./lib/stats.ts";

const BASE_STEPS = 20;
const SCALES = [1, 10, 100];
/** Runs per scale: 1,000 intervals at ×1, 4,000 at ×10 (V8 is still compiling the runner over the first thousands of steps, so a few runs measure its compiler threads as much as the runner), 2 runs of 2,000 steps at ×100. */
const RUNS: Record<number, number> = { 1: 50, 10: 20, 100: 2 };
const TARGET_MEAN_MS = 0.3;
const MAX_EXPONENT = 1.2;

const root = mkdtempSync(path.join(os.tmpdir(), "dgz-bench-runner-"));
mkdirSync(path.join(root, "f/bench"), { recursive: true });
writeFileSync(path.join(root, "f/bench/tick.ts"), `export async function main(i: number, prev: unknown = null) { return { i, t: performance.now() }; }\n`);

/** Writes flow `f/bench/<name>` with these modules and returns its path. */
function writeFlow(name: string, modules: unknown[]): string {
  mkdirSync(path.join(root, `f/bench/${name}__flow`), { recursive: true });
  writeFileSync(
    path.join(root, `f/bench/${name}__flow/flow.yaml`),
    YAML.stringify({ summary: name, value: { modules }, schema: { type: "object", properties: {} } }),
  );
  return `f/bench/${name}`;
}

/** A chain of `steps` trivial steps, each taking the previous one's result. */
function writeChain(steps: number): string {
  return writeFlow(
    `chain${steps}`,
    Array.from({ length: steps }, (_, i) => ({
      id: `s${i}`,
      value: {
        type: "script",
        path: "f/bench/tick",
        input_transforms: { i: { type: "static", value: i }, prev: { type: "javascript", expr: i ? `results.s${i - 1}.i` : "null" } },
      },
    })),
  );
}

const stateDir = path.join(root, "state");
const store = { resources: {}, variables: {} };

async function measure(steps: number, runs: number) {
  const flowPath = writeChain(steps);
  const intervals: number[] = [];
  const wallPerRun: number[] = [];
  const cpuPerRun: number[] = [];
  for (let run = 0; run <= runs; run++) {
    const c0 = process.cpuUsage();
    const started = performance.now();
    const out = await runPath(flowPath, { root, stateDir, store });
    const wall = performance.now() - started;
    const cpu = cpuMs(c0);
    if (out.status !== "success") throw new Error(`bench flow failed: ${JSON.stringify(out.error)}`);
    if (run === 0) continue; // warm-up: the first import of the script and the signature parser
    wallPerRun.push(wall);
    cpuPerRun.push(cpu);
    const times = new RunStore(stateDir)
      .journal(out.runId)
      .filter((e) => e.type === "step")
      .map((e) => (e as { result: { t: number } }).result.t);
    if (times.length !== steps) throw new Error(`${steps}-step flow journaled ${times.length} steps`);
    for (let i = 1; i < times.length; i++) intervals.push(times[i]! - times[i - 1]!);
  }
  return {
    steps,
    runs,
    interval: stats(intervals),
    wallPerStep: stats(wallPerRun.map((w) => w / steps)),
    cpuPerStep: stats(cpuPerRun.map((c) => c / steps)),
    wallPerRun: stats(wallPerRun),
    cpuPerRun: stats(cpuPerRun),
  };
}

const LOOP_ITEMS = 80;
/** Runs per loop size after one warm-up run: 80, 800 and 8,000 iterations. */
const LOOP_RUNS: Record<number, number> = { 1: 10, 10: 3, 100: 1 };

/** CPU per iteration of a for-loop over `items` items, each iteration one script step. */
async function measureLoop(items: number, runs: number) {
  const loop = {
    type: "forloopflow",
    iterator: { type: "static", value: Array.from({ length: items }, (_, i) => `item ${i}`) },
    modules: [{ id: "tick", value: { type: "script", path: "f/bench/tick", input_transforms: { i: { type: "javascript", expr: "flow_input.iter.index" } } } }],
  };
  const flowPath = writeFlow(`loop${items}`, [{ id: "each", value: loop }]);
  const cpuPerRun: number[] = [];
  for (let run = 0; run <= runs; run++) {
    const c0 = process.cpuUsage();
    const out = await runPath(flowPath, { root, stateDir, store });
    if (out.status !== "success") throw new Error(`bench loop failed: ${JSON.stringify(out.error)}`);
    if (run > 0) cpuPerRun.push(cpuMs(c0));
  }
  return { items, cpuPerRun: stats(cpuPerRun), cpuPerIteration: stats(cpuPerRun.map((c) => c / items)) };
}

async function main(): Promise<number> {
  const rows = [];
  for (const scale of SCALES) rows.push({ scale, ...(await measure(BASE_STEPS * scale, RUNS[scale]!)) });
  const loops = [];
  for (const scale of SCALES) loops.push({ scale, ...(await measureLoop(LOOP_ITEMS * scale, LOOP_RUNS[scale]!)) });
  rmSync(root, { recursive: true, force: true });
  const m = machine();
  console.log(`\nlocal runner, per step (ms; median / mean / p90; load average ${m.loadAverage} on ${m.cores} cores)\n`);
  printTable(
    ["scale", "steps", "runs", "interval between mains", "wall per step", "CPU per step", "wall per run (median)"],
    rows.map((r) => [
      `×${r.scale}`,
      r.steps,
      r.runs,
      fmtStats(r.interval, 3),
      fmtStats(r.wallPerStep, 3),
      fmtStats(r.cpuPerStep, 3),
      r.wallPerRun.median.toFixed(0),
    ]),
  );
  const kWall = growthExponent(rows.map((r) => [r.steps, r.wallPerRun.median]));
  const kCpu = growthExponent(rows.map((r) => [r.steps, r.cpuPerRun.median]));
  console.log(`\nfitted growth exponent (run time ∝ steps^k): wall k = ${kWall.toFixed(2)}, CPU k = ${kCpu.toFixed(2)} (target ≤ ${MAX_EXPONENT})`);
  console.log(`\nlocal runner, a for-loop: CPU ms per iteration (median / mean / p90)\n`);
  printTable(
    ["scale", "iterations", "runs", "CPU per iteration", "CPU per run (median)"],
    loops.map((l) => [`×${l.scale}`, l.items, LOOP_RUNS[l.scale]!, fmtStats(l.cpuPerIteration, 3), l.cpuPerRun.median.toFixed(0)]),
  );
  const kLoop = growthExponent(loops.map((l) => [l.items, l.cpuPerRun.median]));
  console.log(`fitted growth exponent (loop CPU ∝ iterations^k): k = ${kLoop.toFixed(2)} (target ≤ ${MAX_EXPONENT})\n`);
  const judged = rows.find((r) => r.scale === 10)!;
  const cpuOk = judged.cpuPerStep.mean <= TARGET_MEAN_MS;
  const wallOk = judged.interval.mean <= TARGET_MEAN_MS;
  const pass = cpuOk && (m.oversubscribed || wallOk) && kCpu <= MAX_EXPONENT && kLoop <= MAX_EXPONENT;
  console.log(
    `${judged.steps} steps: mean ${judged.interval.mean.toFixed(3)} ms between mains (median ${judged.interval.median.toFixed(3)}, p90 ${judged.interval.p90.toFixed(3)}), ` +
      `${judged.cpuPerStep.mean.toFixed(3)} ms CPU per step (target mean ≤ ${TARGET_MEAN_MS} ms${m.oversubscribed ? "; wall not judged: load average ≥ cores" : ""}) — ${pass ? "PASS" : "FAIL"}`,
  );
  console.log(
    JSON.stringify({
      bench: "runner",
      ...m,
      rows: rows.map((r) => ({
        scale: r.scale,
        steps: r.steps,
        runs: r.runs,
        interval_ms: roundStats(r.interval),
        wall_ms_per_step: roundStats(r.wallPerStep),
        cpu_ms_per_step: roundStats(r.cpuPerStep),
      })),
      loop: loops.map((l) => ({ scale: l.scale, iterations: l.items, runs: LOOP_RUNS[l.scale], cpu_ms_per_iteration: roundStats(l.cpuPerIteration) })),
      exponent: { wall: round(kWall), cpu: round(kCpu), loop_cpu: round(kLoop) },
      target_mean_ms_per_step: TARGET_MEAN_MS,
      max_exponent: MAX_EXPONENT,
      wall_judged: !m.oversubscribed,
      pass,
    }),
  );
  return pass ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    rmSync(root, { recursive: true, force: true });
    process.exit(1);
  },
);
