import { readFileSync } from "node:fs";
import { parseTasksMd } from "../f/devgodzilla/lib/speckit/tasks.ts";
import { windowOrder } from "../f/devgodzilla/lib/dag/graph.ts";
import { mulberry32, seedOf } from "./lib/random.ts";
function durationOf(file: string, id: string) { const next = mulberry32(seedOf(`${file}:${id}`)); const u = next(); const v = next(); return u < 0.7 ? 3 + 7 * v : u < 0.92 ? 10 + 15 * v : 25 + 20 * v; }
const f = process.argv[2]!; const c = Number(process.argv[3]);
const dag = parseTasksMd(readFileSync(f, "utf8"));
const base = f.split("/").pop()!;
for (const t of dag.tasks) console.log(t.id, durationOf(base, t.id).toFixed(1), "deps", t.dependsOn.join(","), "w", t.weight, t.description.slice(0, 60));
console.log(windowOrder(dag.tasks.map((t) => ({ id: t.id, dependsOn: t.dependsOn, weight: t.weight })), c, (t) => t.weight ?? 1).join(" "));
