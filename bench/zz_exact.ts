import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseTasksMd } from "../f/devgodzilla/lib/speckit/tasks.ts";
import { mulberry32, seedOf } from "./lib/random.ts";
function durationOf(file: string, id: string) { const next = mulberry32(seedOf(`${file}:${id}`)); const u = next(); const v = next(); return u < 0.7 ? 3 + 7 * v : u < 0.92 ? 10 + 15 * v : 25 + 20 * v; }
const M = 0.5;
// Exact optimum (no merges modelled differently: slot held p+M, merges ignored for serialisation) via DFS B&B.
function exact(p: number[], deps: number[][], c: number, limitNodes = 5e6) {
  const n = p.length; const dependants: number[][] = p.map(() => []); deps.forEach((ds, i) => ds.forEach((d) => dependants[d]!.push(i)));
  const q = p.map((x) => x + M);
  const tail = new Array(n).fill(0); // longest path from start of i to end incl i
  const order: number[] = []; { const indeg = deps.map((d) => d.length); const st = indeg.map((d, i) => (d ? -1 : i)).filter((i) => i >= 0); while (st.length) { const i = st.pop()!; order.push(i); for (const j of dependants[i]!) if (--indeg[j]! === 0) st.push(j); } }
  for (const i of [...order].reverse()) tail[i] = q[i]! + Math.max(0, ...dependants[i]!.map((j) => tail[j]!));
  let best = Infinity, nodes = 0;
  const endAt = new Array(n).fill(-1); const started = new Array(n).fill(false);
  function rec(t: number, running: number[], remWork: number, minIdx: number) {
    if (++nodes > limitNodes) return;
    // bound
    let lb = t;
    for (const r of running) lb = Math.max(lb, endAt[r]! + tail[r]! - q[r]!);
    const busy = running.reduce((a, r) => a + (endAt[r]! - t), 0);
    lb = Math.max(lb, t + (remWork + busy) / c);
    for (let i = 0; i < n; i++) if (!started[i]) lb = Math.max(lb, t + tail[i]!);
    if (lb >= best - 1e-9) return;
    if (running.length === 0 && remWork === 0) { best = Math.min(best, t); return; }
    // ready tasks
    if (running.length < c) {
      for (let i = minIdx; i < n; i++) {
        if (started[i] || deps[i]!.some((d) => !(started[d] && endAt[d]! <= t + 1e-9))) continue;
        started[i] = true; endAt[i] = t + q[i]!;
        rec(t, [...running, i], remWork - q[i]!, i + 1);
        started[i] = false; endAt[i] = -1;
      }
    }
    if (running.length) {
      const next = Math.min(...running.map((r) => endAt[r]!));
      rec(next, running.filter((r) => endAt[r]! > next + 1e-9), remWork, 0);
    }
  }
  rec(0, [], q.reduce((a, b) => a + b, 0), 0);
  return { best, nodes, complete: nodes <= limitNodes };
}
const files = process.argv.slice(2);
for (const spec of files) {
  const [f, cs] = spec.split("@");
  const dir = f!.match(/^\d\d-/) ? "/work/shared/corpus/dev/tasks" : "/work/main/bench/fixtures/tasks";
  const dag = parseTasksMd(readFileSync(path.join(dir, f + ".md"), "utf8"));
  const ids = dag.tasks.map((t) => t.id); const idx = new Map(ids.map((x, i) => [x, i]));
  const p = dag.tasks.map((t) => durationOf(f + ".md", t.id)); const deps = dag.tasks.map((t) => t.dependsOn.map((d) => idx.get(d)!));
  const r = exact(p, deps, Number(cs));
  console.log(spec, ids.length, r);
}
