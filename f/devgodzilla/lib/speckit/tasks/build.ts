// Stages 2–5 of tasks.md → DAG, after the scan:
//   explicit  each task's own statements ("(depends on T012)", "Dependencies: T001", "blocks T020")
//   prose     sentences elsewhere (Dependencies sections, labels, tables, diagrams), and the
//             model's reading of them when one is given — each validated before it is used
//   order     Spec Kit's structure: sequential order inside a phase, phase order, story order,
//             minus what the file says runs in parallel; then same-file serialisation
//   reduce    transitive reduction, levels, critical path
// Stronger sources win: explicit > prose > LLM > structure. A cycle among explicit statements is
// an error naming it; a weaker edge that would close a cycle is left out with a warning.

import { DevGodzillaError, InputError } from "../../errors.ts";
import { FileConflicts, extractFiles } from "./files.ts";
import { TaskGraph, BitMatrix, type EdgeInfo } from "./graph.ts";
import type { Edge, ParallelStatement, Phase, RawTask, Scan, StatementReport, Task, TaskDag } from "./model.ts";
import { StatementReader, type Reading, type Side } from "./reader.ts";
import { RefIndex, type Unit } from "./refs.ts";
import { RELATION_WORDS, PARALLEL, alternation, concat } from "./lexicon.ts";

export interface ParseOptions {
  /** Estimated weights by task id (default 1; `(est: 3h)` / `[~2h]` in a task line also counts). */
  weights?: Record<string, number>;
  /** Serialise tasks touching the same file (default true). */
  sameFileSerialization?: boolean;
  /**
   * How user-story phases relate: "auto" (default) runs them in parallel after a Foundational
   * phase as Spec Kit describes, and in document order when there is no Foundational phase;
   * "parallel" / "sequential" force one or the other.
   */
  storyOrder?: "auto" | "parallel" | "sequential";
  /** Relations a model read from the file's prose (validated before use; see lib/llm/steps/task_dag_relations.ts). */
  llmRelations?: LlmRelation[];
}

/** One relation the model read: `subjects` run after `prerequisites` ("after"), or beside them ("parallel"). */
export interface LlmRelation {
  quote: string;
  relation: "after" | "parallel";
  subjects: string[];
  prerequisites: string[];
}

/** A dependency cycle among explicit dependencies. `cycle` starts and ends with the same id. */
export class TaskCycleError extends DevGodzillaError {
  readonly cycle: string[];
  constructor(cycle: string[], reasons: string[]) {
    super(`tasks.md has a dependency cycle: ${cycle.join(" → ")} (→ means "depends on"; ${reasons.join("; ")})`, {
      hint: "remove one of these dependencies or reorder the tasks",
    });
    this.cycle = cycle;
  }
}

interface Relation {
  before: number[];
  after: number[];
  kind: "explicit" | "prose" | "llm";
  /** Stated task to task (not about phases or stories): a cycle among these is the author's to fix. */
  strong: boolean;
  reason: string;
  line: number;
  statement: number;
}

interface ParallelPair {
  a: Unit[];
  b: Unit[];
  /** Both sides named one by one: an ordering of the same things contradicts it. */
  specific: boolean;
  /** Removes Spec Kit's order between the two (specific, or about all stories in a Dependencies section). */
  structural: boolean;
  line: number;
}

/** A task line's own estimate: `(est: 3h)`, `(estimate 30 min)`, `(size: 2d)`, `(weight 5)`, `[~2h]`. */
const WEIGHT_RE =
  /\((?:est(?:imate)?|weight|size)\s*[:=]?\s*(\d+(?:\.\d+)?)\s*(h|hours?|m|mins?|minutes?|d|days?|pts?|points?)?\)|\[~\s*(\d+(?:\.\d+)?)\s*(h|m|min|d)\]/i;
/** Estimates in hours, so a file mixing units orders its tasks right (a working day is 8 h); points and bare numbers as written. */
function estimateOf(description: string): number | undefined {
  const m = WEIGHT_RE.exec(description);
  if (!m) return undefined;
  const value = Number(m[1] ?? m[3]);
  const unit = (m[2] ?? m[4] ?? "").toLowerCase();
  return unit.startsWith("d") ? value * 8 : unit.startsWith("m") ? value / 60 : value;
}
const TABLE_HEADER = {
  dep: new RegExp(
    RELATION_WORDS.filter((r) => r.cls === "dep")
      .map((r) => alternation(r.words))
      .join("|"),
    "i",
  ),
  blk: new RegExp(
    RELATION_WORDS.filter((r) => r.cls === "blk" && r.form !== "prep")
      .map((r) => alternation(r.words))
      .join("|"),
    "i",
  ),
  par: new RegExp(alternation(PARALLEL), "i"),
};
/** A line as quoted in reasons and warnings: without its list marker, whitespace collapsed. */
const quote = (s: string) =>
  `"${s
    .trim()
    .replace(/^(?:[-*+•]|\d+[.)])\s+/, "")
    .replace(/\s+/g, " ")
    .slice(0, 160)}"`;

export class DagBuilder {
  readonly index: RefIndex;
  readonly reader: StatementReader;
  readonly g: TaskGraph;
  readonly warnings: string[];
  readonly statements: StatementReport[] = [];
  readonly parallel: ParallelStatement[] = [];
  private readonly relations: Relation[] = [];
  private readonly pairs: ParallelPair[] = [];
  /** Unit pairs ("p3:p4", "sUS1:sUS2", "t5:t9") said to run in parallel, one by one, with the line saying so. */
  private readonly specificPairs = new Map<string, number>();
  /** Tasks that state their own dependencies (even "none"). */
  private readonly explicit = new Set<number>();
  /** Task → the sides of specific parallel statements it is on (index into `parallel`, side 0 or 1). */
  private sideOf?: Map<number, [number, number][]>;
  private plannedSucc: number[][] = [];
  private plannedPred: number[][] = [];
  private authoritative = false;
  private readonly stamp: Int32Array;
  private stampN = 0;

  constructor(
    readonly scan: Scan,
    readonly opts: ParseOptions,
  ) {
    this.index = new RefIndex(scan.tasks, scan.phases);
    this.reader = new StatementReader(this.index);
    this.g = new TaskGraph(scan.tasks.length);
    this.warnings = [...scan.warnings];
    this.stamp = new Int32Array(scan.tasks.length);
  }

  get tasks(): RawTask[] {
    return this.scan.tasks;
  }

  private idOf = (i: number) => this.tasks[i]!.id;
  private optedOut = (i: number) => this.authoritative && this.explicit.has(i);

  // -------------------------------------------------------------------------------------------
  // Stage 2: explicit

  /** Each task's description and sub-lines: relations whose subject (or object) is the task itself. */
  readExplicit(): void {
    for (const t of this.tasks) {
      const self: Side = { tasks: [t.index], units: [{ type: "task", index: t.index }], specific: true, text: t.id };
      const texts: [string, number][] = [[t.description, t.line]];
      let inCode = false;
      t.body.forEach((l, k) => {
        if (/^\s*(```|~~~)/.test(l)) inCode = !inCode;
        else if (!inCode && l.trim()) texts.push([l, t.bodyLines[k]!]);
      });
      for (const [text, line] of texts) {
        const readings = this.reader.read(text, { implicit: self, contextPhase: t.phase, contextTask: t.index });
        for (const r of readings) this.applyTaskReading(t, r, text, line);
      }
    }
    this.authoritative = this.explicit.size >= 0.6 * this.tasks.length;
  }

  private applyTaskReading(t: RawTask, r: Reading, text: string, line: number): void {
    const mine = (s: Side) => s.tasks.includes(t.index);
    if (r.type === "none") {
      if (mine(r.subject)) this.explicit.add(t.index);
    } else if (r.type === "order") {
      // A sentence about other tasks inside a description is prose, not this task's statement.
      if (!mine(r.before) && !mine(r.after)) return this.applyProseReading(r, text, line, "prose", true);
      this.explicit.add(t.index);
      this.relations.push({
        before: r.before.tasks,
        after: r.after.tasks,
        kind: "explicit",
        strong: true,
        reason: `explicit ${quote(text)} (line ${line})`,
        line,
        statement: -1,
      });
    } else if (r.type === "parallel") {
      if (r.sides.some(mine)) this.addParallel(r.sides, line, text, "task", true);
    } else {
      this.warn(line, text, r.why, "task");
    }
  }

  // -------------------------------------------------------------------------------------------
  // Stage 3: prose (and the model's reading of it)

  readProse(): void {
    for (const p of this.scan.prose) {
      if (p.table) {
        this.readTableRow(p.table.header, p.table.cells, p.line, p.text, p.phase);
        continue;
      }
      const hint = p.subjectHint ? this.hintSide(p.subjectHint) : undefined;
      const phaseSelf = p.phase >= 0 ? this.phaseSide(p.phase) : undefined;
      // "**Purpose**: … MUST be complete before any user story": a bold label in a phase's own
      // section describes that phase, so the phase is the subject its clauses leave out.
      const describesPhase = !!phaseSelf && !hint && /^\s*(?:[-*+]\s+)?\*\*[^*]{1,40}\*\*\s*[:：]/.test(p.text);
      const readings = this.reader.read(p.text, {
        implicit: hint ?? phaseSelf,
        implicitWhenLed: !hint && !describesPhase,
        contextPhase: p.phase,
        contextTask: -1,
      });
      for (const r of readings) this.applyProseReading(r, p.text, p.line, "prose", p.inDependencySection);
    }
  }

  /** A table whose header names a relation ("Depends on", "依存", "Parallel with"): each row's first cell is the subject. */
  private readTableRow(header: string[], cells: string[], line: number, text: string, phase: number): void {
    const subject = this.hintSide(cells[0] ?? "");
    if (!subject) return;
    for (let c = 1; c < cells.length; c++) {
      const h = header[c] ?? "";
      const cls = TABLE_HEADER.par.test(h) ? "par" : TABLE_HEADER.blk.test(h) ? "blk" : TABLE_HEADER.dep.test(h) ? "dep" : null;
      if (!cls) continue;
      const cell = cells[c]!;
      const sentence = cls === "par" ? `${cell} in parallel` : cls === "blk" ? `blocks ${cell}` : `depends on ${cell}`;
      const readings = this.reader.read(sentence, { implicit: subject, contextPhase: phase, contextTask: -1 });
      for (const r of readings) this.applyProseReading(r, text, line, "prose", true);
    }
  }

  /** The subject a hint line names, when it names exactly one group. */
  private hintSide(text: string): Side | undefined {
    const refs = this.index.refs(this.reader.clean(text));
    if (!refs.length) return undefined;
    const side = this.reader.side(refs, [], { contextPhase: -1, contextTask: -1 });
    const kinds = new Set(side.units.map((u) => (u.type === "task" ? "t" : "ps")));
    return side.tasks.length && kinds.size === 1 && (refs.length === 1 || kinds.has("ps")) ? side : undefined;
  }

  private phaseSide(phase: number): Side {
    const p = this.scan.phases[phase]!;
    return { tasks: this.index.phaseTasks(phase), units: [{ type: "phase", index: phase }], specific: true, text: p.number ? `Phase ${p.number}` : p.title };
  }

  private applyProseReading(r: Reading, text: string, line: number, source: "prose" | "llm", inSection: boolean): void {
    if (r.type === "order") {
      const statement = this.record(line, text, source, "ordered", `${r.after.text} after ${r.before.text}`);
      const conflict = this.parallelConflict(r.before, r.after);
      if (conflict && source === "llm") {
        Object.assign(this.statements[statement]!, { effect: "rejected", detail: `contradicts the parallel statement on line ${conflict.line}` });
        this.warnings.push(
          `line ${line}: the model read ${quote(text)} as ordering ${r.before.text} and ${r.after.text}, which line ${conflict.line} says run in parallel; not used`,
        );
        return;
      }
      // A stated order that contradicts a parallel statement is kept (a missing dependency breaks a
      // build; an extra one only waits); addStatedEdges reports it once every statement is read.
      const taskOnly = [...r.before.units, ...r.after.units].every((u) => u.type === "task");
      this.relations.push({
        before: r.before.tasks,
        after: r.after.tasks,
        kind: source,
        strong: source === "prose" && taskOnly,
        reason: `${source === "llm" ? "LLM" : "prose"} ${quote(text)} (line ${line})`,
        line,
        statement,
      });
    } else if (r.type === "parallel") {
      this.addParallel(r.sides, line, text, source, inSection);
    } else if (r.type === "none") {
      // "User Story 3: No dependencies" — independent of the other stories.
      const stories = r.subject.units.filter((u) => u.type === "story" || (u.type === "phase" && this.scan.phases[u.index]!.kind === "story"));
      if (!stories.length) {
        this.record(line, text, source, "none-stated", `${r.subject.text} states no dependencies`);
        return;
      }
      const others = this.scan.phases.filter((p) => p.kind === "story" && p.tasks.length && !stories.some((u) => u.type === "phase" && u.index === p.index));
      this.pairs.push({ a: stories, b: others.map((p) => ({ type: "phase", index: p.index })), specific: false, structural: inSection, line });
      this.record(line, text, source, "parallel", `${r.subject.text} independent of the other stories`);
    } else {
      this.warn(line, text, r.why, source);
    }
  }

  private addParallel(sides: Side[], line: number, text: string, source: StatementReport["source"], inSection: boolean): void {
    for (let i = 0; i < sides.length; i++) {
      for (let j = i + 1; j < sides.length; j++) {
        const ta = new Set(concat(sides[i]!.units.map((u) => this.unitTasks(u))));
        if (sides[j]!.units.some((u) => this.unitTasks(u).some((t) => ta.has(t)))) continue; // a story and its own tasks
        const specific = sides[i]!.specific && sides[j]!.specific;
        const named = (x: Side) => ({ label: x.text, tasks: concat(x.units.map((u) => this.unitTasks(u))).map(this.idOf) });
        if (specific) this.parallel.push({ line, sides: [named(sides[i]!), named(sides[j]!)] });
        this.sideOf = undefined;
        this.pairs.push({ a: sides[i]!.units, b: sides[j]!.units, specific, structural: specific || inSection, line });
        if (specific)
          for (const a of sides[i]!.units)
            for (const b of sides[j]!.units)
              for (const ka of this.unitKeys(a)) for (const kb of this.unitKeys(b)) this.specificPairs.set(pairKeyS(ka, kb), line);
      }
    }
    this.record(line, text, source, "parallel", sides.map((s) => s.text).join(" ∥ "));
  }

  /** A specific parallel statement about the same phases, stories or tasks as an ordering. */
  /** The lines of statements saying tasks u and v run in parallel (named one by one). */
  private apart(u: number, v: number): number[] {
    if (!this.sideOf) {
      this.sideOf = new Map();
      this.parallel.forEach((p, k) =>
        p.sides.forEach((side, s) => {
          for (const id of side.tasks) {
            const i = this.index.idIndex.get(id)!;
            const list = this.sideOf!.get(i);
            if (list) list.push([k, s]);
            else this.sideOf!.set(i, [[k, s]]);
          }
        }),
      );
    }
    const a = this.sideOf.get(u);
    const b = a && this.sideOf.get(v);
    const lines: number[] = [];
    if (b) for (const [k, s] of a!) for (const [k2, s2] of b) if (k === k2 && s !== s2) lines.push(this.parallel[k]!.line);
    return lines;
  }

  /** The line of a specific parallel statement about the same phases, stories or tasks as an ordering. */
  private parallelConflict(x: Side, y: Side): { line: number } | undefined {
    for (const a of x.units)
      for (const b of y.units)
        for (const ka of this.unitKeys(a))
          for (const kb of this.unitKeys(b)) {
            const line = this.specificPairs.get(pairKeyS(ka, kb));
            if (line !== undefined) return { line };
          }
    return undefined;
  }

  /** A story devoted a phase of its own and that phase are the same thing. */
  private unitKeys(u: Unit): string[] {
    if (u.type === "task") return [`t${u.index}`];
    if (u.type === "phase")
      return [
        `p${u.index}`,
        ...this.scan.phases[u.index]!.stories.filter((st) => (this.index.phasesOfStory.get(st) ?? []).includes(u.index)).map((st) => `s${st}`),
      ];
    return [`s${u.id}`, ...(this.index.phasesOfStory.get(u.id) ?? []).map((p) => `p${p}`)];
  }

  private unitTasks(u: Unit): number[] {
    return u.type === "task" ? [u.index] : u.type === "phase" ? this.index.phaseTasks(u.index) : this.index.storyTasks(u.id);
  }

  /** Relations the model read, each checked: its quote is in the file, its references resolve. */
  readLlm(relations: LlmRelation[], markdown: string): void {
    const flat = markdown.replace(/\s+/g, " ");
    for (const rel of relations) {
      const q = rel.quote.replace(/\s+/g, " ").trim();
      const at = q.length >= 3 ? flat.indexOf(q) : -1;
      if (at < 0) {
        this.warnings.push(`the model quoted ${quote(rel.quote)}, which is not in tasks.md; its relation was not used`);
        this.record(1, rel.quote, "llm", "rejected", "quote not found in the file");
        continue;
      }
      const line = lineOf(markdown, q);
      const resolve = (names: string[]) => names.map((n) => ({ n, side: this.hintSide(n) ?? this.nameSide(n) }));
      const subjects = resolve(rel.subjects);
      const prereqs = resolve(rel.prerequisites);
      const bad = [...subjects, ...prereqs].filter((x) => !x.side);
      if (bad.length || !subjects.length || (rel.relation === "after" && !prereqs.length)) {
        this.warnings.push(
          `line ${line}: the model's reading of ${quote(q)} names ${bad.map((b) => `"${b.n}"`).join(", ") || "nothing on one side"}, which is not a task, phase or story of this file; not used`,
        );
        this.record(line, q, "llm", "rejected", "unknown reference");
        continue;
      }
      const merge = (xs: { side?: Side }[]): Side => ({
        tasks: [...new Set(xs.flatMap((x) => x.side!.tasks))],
        units: xs.flatMap((x) => x.side!.units),
        specific: true,
        text: xs.map((x) => x.side!.text).join(", "),
      });
      const reading: Reading =
        rel.relation === "parallel"
          ? { type: "parallel", sides: [...subjects, ...prereqs].map((x) => x.side!) }
          : { type: "order", before: merge(prereqs), after: merge(subjects) };
      if (reading.type === "order" && reading.before.tasks.some((t) => reading.after.tasks.includes(t))) {
        this.record(line, q, "llm", "rejected", "both sides name the same tasks");
        continue;
      }
      if (reading.type === "parallel" && this.orderedByStatement(reading.sides)) {
        this.warnings.push(`line ${line}: the model read ${quote(q)} as parallel, but the file orders these tasks explicitly; not used`);
        this.record(line, q, "llm", "rejected", "contradicts an explicit or prose dependency");
        continue;
      }
      this.applyProseReading(reading, q, line, "llm", true);
    }
  }

  private nameSide(name: string): Side | undefined {
    const i = this.index.idIndex.get(name.trim());
    return i === undefined ? undefined : { tasks: [i], units: [{ type: "task", index: i }], specific: true, text: name.trim() };
  }

  private orderedByStatement(sides: Side[]): boolean {
    const sets = sides.map((s) => new Set(s.tasks));
    return this.relations.some(
      (r) => r.kind !== "llm" && sets.some((a, i) => sets.some((b, j) => i !== j && r.before.some((t) => a.has(t)) && r.after.some((t) => b.has(t)))),
    );
  }

  // -------------------------------------------------------------------------------------------
  // Stage 4: order

  /** Sequential order inside each phase, planned before any edge is added (prose expands against it). */
  planOrder(): { from: number; to: number; reason: string }[] {
    const out: { from: number; to: number; reason: string }[] = [];
    const preds: number[][] = this.tasks.map(() => []);
    for (const p of this.scan.phases) {
      const label = phaseLabel(p);
      let lastSeq = -1;
      let group: number[] = [];
      for (const id of p.tasks) {
        const t = this.index.idIndex.get(id)!;
        const add = (from: number, reason: string, seen = new Set<number>()) => {
          if (this.optedOut(t) || seen.has(from)) return;
          seen.add(from);
          // Said to run beside `from`: follow what `from` follows instead.
          if (this.apart(from, t).length) for (const p of preds[from]!) add(p, `order: after ${this.idOf(p)} in ${label}`, seen);
          else {
            out.push({ from, to: t, reason });
            preds[t]!.push(from);
          }
        };
        if (this.tasks[t]!.parallel) {
          if (lastSeq >= 0) add(lastSeq, `order: [P] task after ${this.idOf(lastSeq)} in ${label}`);
          group.push(t);
        } else {
          const prev = group.length ? group : lastSeq >= 0 ? [lastSeq] : [];
          for (const d of prev) add(d, `order: after ${this.idOf(d)} in ${label}`);
          lastSeq = t;
          group = [];
        }
      }
    }
    this.plannedSucc = Array.from({ length: this.tasks.length }, () => []);
    this.plannedPred = Array.from({ length: this.tasks.length }, () => []);
    for (const e of out) {
      this.plannedSucc[e.from]!.push(e.to);
      this.plannedPred[e.to]!.push(e.from);
    }
    return out;
  }

  /**
   * Explicit, prose and LLM relations → edges (sinks of the earlier side → entries of the later one).
   * An order the file states between things it also says run in parallel is kept and reported; the
   * model's is not used.
   */
  addStatedEdges(): void {
    this.addRelationEdges();
    const reported = new Set<string>();
    for (let v = 0; v < this.tasks.length; v++) {
      for (const [u, e] of [...this.g.preds[v]!]) {
        if (e.kind !== "prose" && e.kind !== "llm") continue;
        const lines = this.apart(u, v);
        if (lines.length && e.kind === "llm") this.g.remove(u, v);
        for (const line of lines) {
          const key = `${e.kind}${e.line}:${line}`;
          if (reported.has(key)) continue;
          reported.add(key);
          if (e.kind === "llm")
            this.warnings.push(
              `line ${e.line}: the model's reading ${e.reason.replace(/^LLM /, "")} orders tasks that line ${line} says run in parallel; not used`,
            );
          else this.warnings.push(`line ${e.line} orders ${this.idOf(u)} before ${this.idOf(v)}, which line ${line} says run in parallel; the order is kept`);
        }
      }
    }
  }

  private addRelationEdges(): void {
    const tiers = [
      this.relations.filter((r) => r.strong),
      this.relations.filter((r) => !r.strong && r.kind === "prose"),
      this.relations.filter((r) => r.kind === "llm"),
    ];
    for (const [tier, rels] of tiers.entries()) {
      const added: [number, number][] = [];
      for (const r of rels) for (const [u, v] of this.expand(r)) if (this.g.add(u, v, { kind: r.kind, reason: r.reason, line: r.line })) added.push([u, v]);
      const cycle = added.length ? this.g.findCycle() : null;
      if (!cycle) continue;
      if (tier === 0) {
        const reasons = [];
        for (let i = 0; i + 1 < cycle.length; i++) reasons.push(this.g.preds[cycle[i]!]!.get(cycle[i + 1]!)!.reason);
        throw new TaskCycleError(cycle.map(this.idOf), [...new Set(reasons)]);
      }
      // Some of these statements contradict stronger ones or each other: add them one at a time.
      for (const [u, v] of added) this.g.remove(u, v);
      for (const r of rels) {
        const edges = this.expand(r);
        if (this.g.reaches(r.after, new Set(r.before))) {
          this.warnings.push(`line ${r.line}: ${r.reason} would close a cycle with stronger dependencies; not used`);
          if (r.statement >= 0) Object.assign(this.statements[r.statement]!, { effect: "rejected", detail: "would close a dependency cycle" });
          continue;
        }
        for (const [u, v] of edges) this.g.add(u, v, { kind: r.kind, reason: r.reason, line: r.line });
      }
    }
  }

  /** Tasks of `set` with no planned successor (sinks) or predecessor (entries) inside the set. */
  private ends(set: number[], which: "sinks" | "entries"): number[] {
    if (set.length === 1) return set;
    const s = ++this.stampN;
    for (const t of set) this.stamp[t] = s;
    const adj = which === "sinks" ? this.plannedSucc : this.plannedPred;
    const inSet = (xs: Iterable<number>) => {
      for (const x of xs) if (this.stamp[x] === s) return true;
      return false;
    };
    return set.filter((t) => !inSet(adj[t]!) && !inSet(which === "sinks" ? this.g.succs[t]! : this.g.preds[t]!.keys()));
  }

  private expand(r: Relation): [number, number][] {
    const out: [number, number][] = [];
    const entries = this.ends(r.after, "entries");
    for (const u of this.ends(r.before, "sinks")) for (const v of entries) out.push([u, v]);
    return out;
  }

  /** Adds structural edges, leaving out those that would reverse a stated dependency. */
  addStructural(candidates: { from: number; to: number; info: EdgeInfo }[]): void {
    let order = this.g.topoOrder();
    let pos = positions(order);
    const dropped: string[] = [];
    for (const c of candidates) {
      if (this.g.has(c.from, c.to)) continue;
      if (pos[c.from]! < pos[c.to]!) {
        this.g.add(c.from, c.to, c.info);
        continue;
      }
      // Backwards against the stated order: allowed only when it closes no cycle.
      if (this.g.reaches([c.to], new Set([c.from]))) {
        dropped.push(`${this.idOf(c.to)} after ${this.idOf(c.from)} (${c.info.reason})`);
        continue;
      }
      this.g.add(c.from, c.to, c.info);
      order = this.g.topoOrder();
      pos = positions(order);
    }
    if (dropped.length)
      this.warnings.push(
        `${dropped.length} ${candidates[0]!.info.kind === "order" ? "in-phase order" : "phase order"} dependenc${dropped.length === 1 ? "y" : "ies"} left out because stated dependencies order these tasks the other way: ${dropped.slice(0, 5).join("; ")}${dropped.length > 5 ? "; …" : ""}`,
      );
  }

  /** Phase order as Spec Kit describes it, without the pairs the file says run in parallel. */
  phaseEdges(): { from: number; to: number; info: EdgeInfo }[] {
    const phases = this.scan.phases.filter((p) => p.tasks.length > 0);
    const hasFoundational = phases.some((p) => p.kind === "foundational");
    const storyParallel = this.opts.storyOrder === "parallel" || ((this.opts.storyOrder ?? "auto") === "auto" && hasFoundational);
    const apart = this.phasesApart(phases, storyParallel);
    // Each phase follows the phases that have no successor yet (the frontier), looking past those
    // it runs beside to what they follow.
    const preds: number[][] = this.scan.phases.map(() => []);
    let frontier: number[] = [];
    for (const p of phases) {
      const result = new Set<number>();
      const seen = new Set<number>();
      const stack = [...frontier];
      while (stack.length) {
        const f = stack.pop()!;
        if (seen.has(f)) continue;
        seen.add(f);
        if (apart(f, p.index)) for (const x of preds[f]!) stack.push(x);
        else result.add(f);
      }
      preds[p.index] = [...result];
      frontier = frontier.filter((f) => !result.has(f));
      frontier.push(p.index);
    }
    const out: { from: number; to: number; info: EdgeInfo }[] = [];
    const sinks = new Map<number, number[]>();
    for (const p of phases) {
      const entries = this.ends(this.index.phaseTasks(p.index), "entries").filter((t) => !this.optedOut(t));
      for (const q of preds[p.index]!) {
        const qp = this.scan.phases[q]!;
        const story = qp.kind === "story" && p.kind === "story";
        const info: EdgeInfo = { kind: story ? "story" : "phase", reason: `${story ? "story" : "phase"} order: ${phaseLabel(p)} after ${phaseLabel(qp)}` };
        if (!sinks.has(q)) sinks.set(q, this.ends(this.index.phaseTasks(q), "sinks"));
        for (const v of entries) {
          // A task said to run beside a sink waits for what that sink waits for instead.
          const seen = new Set<number>();
          const add = (u: number) => {
            if (seen.has(u)) return;
            seen.add(u);
            if (!this.apart(u, v).length) out.push({ from: u, to: v, info });
            else for (const p of [...this.plannedPred[u]!, ...this.g.preds[u]!.keys()]) add(p);
          };
          for (const u of sinks.get(q)!) add(u);
        }
      }
    }
    return out;
  }

  /** Phase pairs with no structural order: said to run in parallel, stories after Foundational, or ordered the other way by statements. */
  private phasesApart(phases: Phase[], storyParallel: boolean): (a: number, b: number) => boolean {
    const n = this.scan.phases.length;
    const declared = new Set<number>();
    const mark = (a: number, b: number) => {
      declared.add(a * n + b);
      declared.add(b * n + a);
    };
    const phaseOf = (u: Unit): number[] => (u.type === "phase" ? [u.index] : u.type === "story" ? (this.index.phasesOfStory.get(u.id) ?? []) : []);
    for (const pr of this.pairs)
      if (pr.structural) for (const ua of pr.a) for (const a of phaseOf(ua)) for (const ub of pr.b) for (const b of phaseOf(ub)) if (a !== b) mark(a, b);
    // Spec Kit: user stories after Foundational run beside each other (one segment between non-story phases).
    const segment = new Int32Array(n).fill(-1);
    if (storyParallel) {
      let seg = 0;
      for (const p of phases) {
        if (p.kind === "story") segment[p.index] = seg;
        else seg++;
      }
    }
    // A stated dependency from a later phase to an earlier one reverses their structural order.
    const reach = phaseReachability(n, this.g, this.tasks);
    for (const p of phases)
      for (const q of phases)
        if (q.index < p.index && reach.has(p.index, q.index) && !declared.has(q.index * n + p.index)) {
          mark(q.index, p.index);
          this.warnings.push(
            `${phaseLabel(q)} depends on ${phaseLabel(p)} through stated dependencies, so the phase order ${phaseLabel(p)} after ${phaseLabel(q)} is not used`,
          );
        }
    return (a, b) => declared.has(a * n + b) || (segment[a]! >= 0 && segment[a] === segment[b]);
  }

  /** Ancestor bit-sets of the finished graph, when same-file serialisation computed them. */
  private ancestors?: BitMatrix;

  /** Same-file serialisation along the topological order that follows the document. */
  sameFile(files: string[][]): void {
    const order = this.g.topoOrder();
    const conflicts = new FileConflicts(files);
    const anc = new BitMatrix(this.tasks.length, this.tasks.length);
    for (const v of order) {
      for (const u of this.g.preds[v]!.keys()) {
        anc.set(v, u);
        anc.or(v, u);
      }
      for (const { task: u, path } of conflicts.visit(v)) {
        if (anc.has(v, u)) continue;
        const a = this.tasks[u]!;
        const t = this.tasks[v]!;
        if (a.parallel && t.parallel && a.phase === t.phase) this.warnings.push(`${a.id} and ${t.id} are both [P] but touch ${path}; serialised`);
        this.g.add(u, v, { kind: "file", reason: `same file ${path}` });
        anc.set(v, u);
        anc.or(v, u);
      }
    }
    this.ancestors = anc;
  }

  // -------------------------------------------------------------------------------------------
  // Stage 5: reduce, levels, critical path

  finish(files: string[][], title: string | null): TaskDag {
    const before = this.g.count();
    this.g.reduce(this.ancestors);
    const n = this.tasks.length;
    const order = this.g.topoOrder();
    const level = new Int32Array(n);
    const dist = new Float64Array(n);
    const prev = new Int32Array(n).fill(-1);
    const weights = this.tasks.map((t) => {
      const w = this.opts.weights?.[t.id];
      return w !== undefined && w >= 0 ? w : (estimateOf(t.description) ?? 1);
    });
    for (const v of order) {
      let lv = 0;
      let best = -1;
      for (const d of this.g.preds[v]!.keys()) {
        lv = Math.max(lv, level[d]! + 1);
        if (best < 0 || dist[d]! > dist[best]! || (dist[d] === dist[best] && d < best)) best = d;
      }
      level[v] = lv;
      dist[v] = (best >= 0 ? dist[best]! : 0) + weights[v]!;
      prev[v] = best;
    }
    const levels: string[][] = [];
    for (let i = 0; i < n; i++) (levels[level[i]!] ??= []).push(this.idOf(i));
    let end = 0;
    for (let i = 0; i < n; i++) if (dist[i]! > dist[end]!) end = i;
    const path: string[] = [];
    for (let c = end; c >= 0; c = prev[c]!) path.unshift(this.idOf(c));
    const edges: Edge[] = [];
    for (let v = 0; v < n; v++)
      for (const [u, e] of this.g.preds[v]!)
        edges.push({ from: this.idOf(u), to: this.idOf(v), kind: e.kind, reason: e.reason, ...(e.line ? { line: e.line } : {}) });
    const tasks: Task[] = this.tasks.map((t, i) => ({
      id: t.id,
      description: t.description,
      done: t.done,
      parallel: t.parallel,
      story: t.stories[0] ?? null,
      stories: t.stories,
      labels: t.labels,
      phase: t.phase,
      files: files[i]!,
      dependsOn: [...this.g.preds[i]!.keys()].sort((a, b) => a - b).map(this.idOf),
      weight: weights[i]!,
      explicitDeps: this.explicit.has(i),
      line: t.line,
      body: t.body.join("\n").replace(/\s+$/, ""),
    }));
    return {
      title,
      tasks,
      phases: this.scan.phases,
      edges,
      levels,
      criticalPath: { tasks: path, weight: dist[end]! },
      statements: this.statements,
      parallel: this.parallel,
      warnings: this.warnings,
      stats: {
        tasks: n,
        done: tasks.filter((t) => t.done).length,
        parallel: tasks.filter((t) => t.parallel).length,
        phases: this.scan.phases.filter((p) => p.tasks.length).length,
        edges: edges.length,
        edgesBeforeReduction: before,
        maxWidth: Math.max(...levels.map((l) => l.length)),
      },
    };
  }

  // -------------------------------------------------------------------------------------------

  private record(line: number, text: string, source: StatementReport["source"], effect: StatementReport["effect"], detail: string): number {
    this.statements.push({ line, text: text.trim().replace(/\s+/g, " ").slice(0, 200), source, effect, detail });
    return this.statements.length - 1;
  }

  private warn(line: number, text: string, why: string, source: StatementReport["source"]): void {
    this.record(line, text, source, "uncertain", why);
    this.warnings.push(`line ${line}: no dependency read from ${quote(text)}: ${why}`);
  }
}

export function checkIds(tasks: RawTask[]): void {
  const seen = new Map<string, RawTask>();
  for (const t of tasks) {
    const first = seen.get(t.id);
    if (first) throw new InputError("tasks_md", `task id ${t.id} appears twice (lines ${first.line} and ${t.line})`, "give each task its own id");
    seen.set(t.id, t);
  }
}

export function taskFiles(tasks: RawTask[]): string[][] {
  return tasks.map((t) => extractFiles([t.description, ...t.body.filter((l) => !/^\s{6,}|^\s*(```|~~~)/.test(l))].join("\n")));
}

const pairKeyS = (a: string, b: string) => (a < b ? `${a}:${b}` : `${b}:${a}`);
const phaseLabel = (p: Phase) => (p.number ? `Phase ${p.number}` : p.title || "(no phase)");

function positions(order: number[]): Int32Array {
  const pos = new Int32Array(order.length);
  order.forEach((v, i) => (pos[v] = i));
  return pos;
}

/** reach[q] holds every phase some task of q leads to through the edges so far. */
function phaseReachability(phaseCount: number, g: TaskGraph, tasks: RawTask[]): BitMatrix {
  const direct: Set<number>[] = Array.from({ length: phaseCount }, () => new Set());
  for (let v = 0; v < tasks.length; v++)
    for (const u of g.preds[v]!.keys()) if (tasks[u]!.phase !== tasks[v]!.phase) direct[tasks[u]!.phase]!.add(tasks[v]!.phase);
  const reach = new BitMatrix(phaseCount, phaseCount);
  for (let q = 0; q < phaseCount; q++) {
    const stack = [...direct[q]!];
    while (stack.length) {
      const x = stack.pop()!;
      if (reach.has(q, x)) continue;
      reach.set(q, x);
      stack.push(...direct[x]!);
    }
  }
  return reach;
}

function lineOf(markdown: string, flatQuote: string): number {
  const words = flatQuote.split(" ").slice(0, 4).join(" ");
  const lines = markdown.split("\n");
  const i = lines.findIndex((l) => l.replace(/\s+/g, " ").includes(words));
  return i >= 0 ? i + 1 : 1;
}
