// Local-runner overhead per step: a 200-step flow of trivial steps (each records the moment its main
// runs). The interval between two consecutive steps' mains is the runner's per-step overhead
// (argument evaluation, job env, log routing, journal write, result handling) plus a no-op.
// Target: median ≤ 15 ms. Last line: one JSON object with the figures.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import YAML from "yaml";
import { runPath, RunStore } from "../scripts/runner/index.ts";

const STEPS = 200;
const RUNS = 5;
const root = mkdtempSync(path.join(os.tmpdir(), "dgz-bench-runner-"));
mkdirSync(path.join(root, "f/bench/chain__flow"), { recursive: true });
writeFileSync(
  path.join(root, "f/bench/tick.ts"),
  `export async function main(i: number, prev: unknown = null) { return { i, t: performance.now() }; }\n`,
);
const modules = Array.from({ length: STEPS }, (_, i) => ({
  id: `s${i}`,
  value: {
    type: "script",
    path: "f/bench/tick",
    input_transforms: {
      i: { type: "static", value: i },
      prev: { type: "javascript", expr: i ? `results.s${i - 1}.i` : "null" },
    },
  },
}));
writeFileSync(path.join(root, "f/bench/chain__flow/flow.yaml"), YAML.stringify({ summary: "chain", value: { modules }, schema: { type: "object", properties: {} } }));

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

const stateDir = path.join(root, "state");
const intervals: number[] = [];
const walls: number[] = [];
for (let run = 0; run <= RUNS; run++) {
  const started = performance.now();
  const out = await runPath("f/bench/chain", { root, stateDir, store: { resources: {}, variables: {} } });
  const wall = performance.now() - started;
  if (out.status !== "success") throw new Error(`bench flow failed: ${JSON.stringify(out.error)}`);
  if (run === 0) continue; // warm-up: module imports and the signature parser's first load
  walls.push(wall);
  const times = new RunStore(stateDir)
    .journal(out.runId)
    .filter((e) => e.type === "step")
    .map((e) => (e as { result: { t: number } }).result.t);
  for (let i = 1; i < times.length; i++) intervals.push(times[i] - times[i - 1]);
  console.log(`run ${run}: ${STEPS} steps in ${wall.toFixed(0)} ms (${(wall / STEPS).toFixed(2)} ms/step wall)`);
}
rmSync(root, { recursive: true, force: true });

const figures = {
  steps: STEPS,
  runs: RUNS,
  overhead_ms_per_step: Number(median(intervals).toFixed(3)),
  p90_ms_per_step: Number(pct(intervals, 90).toFixed(3)),
  wall_ms_per_step: Number((median(walls) / STEPS).toFixed(3)),
  target_ms: 15,
};
console.log(`median overhead per step: ${figures.overhead_ms_per_step} ms (p90 ${figures.p90_ms_per_step} ms; target ≤ ${figures.target_ms} ms)`);
console.log(JSON.stringify(figures));
