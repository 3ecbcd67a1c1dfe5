// Properties every DAG parsed from a real tasks.md must have, checked against the file's own lines:
// shared by the real-world corpus suite (tests/corpus) and the generated files (tests/spec).
import { expect } from "vitest";
import { renderDagMarkdown, type TaskDag } from "../../f/devgodzilla/lib/speckit/tasks.ts";

/** 1-based numbers of the lines inside fenced code blocks. */
function fencedLines(lines: string[]): Set<number> {
  const out = new Set<number>();
  let fence = false;
  lines.forEach((l, i) => {
    if (/^\s*(```|~~~)/.test(l)) {
      fence = !fence;
      out.add(i + 1);
    } else if (fence) out.add(i + 1);
  });
  return out;
}

/** Lines a warning names: "line 12" or "lines 12–19". */
function warnedLines(dag: TaskDag): Set<number> {
  const out = new Set<number>();
  for (const w of dag.warnings) {
    const m = /^lines? (\d+)(?:–(\d+))?:/.exec(w);
    if (m) for (let n = Number(m[1]); n <= Number(m[2] ?? m[1]); n++) out.add(n);
  }
  return out;
}

const ORDERING_KINDS = new Set(["phase", "story", "order", "llm"]);

/** Every checkbox line is a task, part of a task, a statement about a task, or a warning naming it. */
export function everyTaskLineAccounted(md: string, dag: TaskDag): void {
  const lines = md.split("\n");
  const fenced = fencedLines(lines);
  const taskLines = new Set(dag.tasks.map((t) => t.line));
  const bodyLines = new Set(dag.tasks.flatMap((t) => (t.body ? t.body.split("\n").map((_, i) => t.line + 1 + i) : [])));
  const ids = new Set(dag.tasks.map((t) => t.id));
  const warned = warnedLines(dag);
  lines.forEach((l, i) => {
    const n = i + 1;
    if (fenced.has(n) || !/^\s*(?:[-*+]|\d+[.)])\s*\[[ xX✓✔~/-]?\]/.test(l)) return;
    const firstId = /\]\s*(?:\*\*|`)?\[?([A-Z][\w.-]*\d[a-z]*)/.exec(l)?.[1];
    const accounted = taskLines.has(n) || bodyLines.has(n) || warned.has(n) || (firstId !== undefined && ids.has(firstId));
    expect(accounted, `line ${n}: ${l.trim().slice(0, 80)}`).toBe(true);
  });
}

/** Every edge says why it exists; stated ones quote the line of the file they come from. */
export function everyEdgeExplained(md: string, dag: TaskDag): void {
  const lines = md.split("\n").map((l) => l.replace(/\s+/g, " "));
  for (const e of dag.edges) {
    expect(e.reason, `${e.from} → ${e.to}`).toMatch(/\S{3,}/);
    if (e.kind === "explicit" || e.kind === "prose" || e.kind === "llm") {
      const m = /"(.+)" \(line (\d+)\)$/.exec(e.reason);
      expect(m, e.reason).not.toBeNull();
      expect(e.line).toBe(Number(m![2]));
      expect(lines[e.line! - 1], e.reason).toContain(m![1]!.slice(0, 50));
    }
  }
  expect(renderDagMarkdown(dag)).toContain("Dependencies and why they exist");
}

/** No cycle: every dependency sits in an earlier level. */
export function acyclic(dag: TaskDag): void {
  const level = new Map(dag.levels.flatMap((l, i) => l.map((id) => [id, i] as const)));
  expect(level.size).toBe(dag.tasks.length);
  for (const t of dag.tasks) for (const d of t.dependsOn) expect(level.get(d)!, `${d} → ${t.id}`).toBeLessThan(level.get(t.id)!);
  expect(dag.criticalPath.tasks.length).toBeGreaterThan(0);
}

/** Nothing the file says runs in parallel is joined by an edge the file did not state (a stated one is reported). */
export function parallelRespected(dag: TaskDag): void {
  for (const p of dag.parallel) {
    const [a, b] = p.sides.map((s) => new Set(s.tasks));
    for (const e of dag.edges) {
      const joins = (a!.has(e.from) && b!.has(e.to)) || (b!.has(e.from) && a!.has(e.to));
      if (!joins) continue;
      expect(ORDERING_KINDS.has(e.kind), `line ${p.line}: ${p.sides.map((s) => s.label).join(" ∥ ")} joined by ${e.from} → ${e.to} (${e.reason})`).toBe(false);
      if (e.kind === "prose")
        expect(
          dag.warnings.some((w) => w.includes(`line ${e.line} orders`) && w.includes(`line ${p.line} says run in parallel`)),
          e.reason,
        ).toBe(true);
    }
  }
}

/** Each dependency sentence read is reported with its effect, at its line; uncertain ones are warnings. */
export function statementsReported(md: string, dag: TaskDag): void {
  const lines = md.split("\n").map((l) => l.replace(/\s+/g, " ").trim());
  for (const s of dag.statements.filter((s) => s.source === "prose")) {
    expect(lines[s.line - 1]!.replace(/\*\*/g, "")).toContain(s.text.replace(/\*\*/g, "").slice(0, 40));
    if (s.effect === "uncertain")
      expect(
        dag.warnings.some((w) => w.startsWith(`line ${s.line}: no dependency read`)),
        `line ${s.line}`,
      ).toBe(true);
  }
}
