// tasks.md → typed task DAG. Parses ANY Spec Kit tasks.md (ours or written by people, in any
// language and id scheme) in five stages, each its own module under ./tasks/:
//   scan      tasks (checkbox items in the file's id scheme), phases, and the prose around them;
//             a line that looks like a task but is not read as one is a warning naming the line
//   explicit  each task's own statements: "(depends on T012)", "Dependencies: T001", "blocks T020"
//   prose     sentences elsewhere, read from their structure (reader.ts); a relation is added only
//             when its direction is certain, otherwise the sentence is a warning; statements of
//             parallelism remove the phase/story order they name; optionally the model's reading
//   order     Spec Kit's structure: sequential order in a phase, phase order, story order; then
//             tasks touching the same file are serialised
//   reduce    transitive reduction, levels, critical path
// Every edge carries why it exists, so a person can audit the DAG before agents run.

import { InputError } from "../errors.ts";
import { mdCell } from "../markdown.ts";
import { DagBuilder, checkIds, taskFiles, type ParseOptions } from "./tasks/build.ts";
import type { TaskDag, TaskLine, Scan } from "./tasks/model.ts";
import { scanDocument } from "./tasks/scan.ts";

export { EdgeKindSchema, PhaseKindSchema, TaskSchema, PhaseSchema, EdgeSchema, StatementSchema, TaskDagSchema } from "./tasks/model.ts";
export type { EdgeKind, PhaseKind, Task, Phase, Edge, StatementReport, TaskDag, TaskLine } from "./tasks/model.ts";
export { TaskCycleError, type ParseOptions, type LlmRelation } from "./tasks/build.ts";
export { parseTaskLine, setTasksDone } from "./tasks/scan.ts";
export { extractFiles } from "./tasks/files.ts";

const TASK_ID_RE = /^T\d+[a-z]?$/;

/** `- [ ] T012 [P] [US1] Create User model in src/models/user.py` (Spec Kit's exact format). */
export function formatTaskLine(t: TaskLine): string {
  if (!TASK_ID_RE.test(t.id)) throw new InputError("id", `'${t.id}' is not a task id like T001`);
  if (/[\r\n]/.test(t.description)) throw new InputError("description", `task ${t.id} description must be one line`);
  const parts = [`- [${t.done ? "X" : " "}]`, t.id];
  if (t.parallel) parts.push("[P]");
  for (const l of t.labels) parts.push(`[${l}]`);
  for (const s of t.stories) parts.push(`[${s}]`);
  parts.push(t.description.trim());
  return parts.join(" ");
}

export interface TasksDocument {
  title: string;
  phases: { heading: string; purpose?: string; tasks: TaskLine[] }[];
  /** Extra markdown appended after the phases (e.g. a Dependencies section). */
  footer?: string;
}

/** Renders a complete tasks.md in Spec Kit's layout; parseTasksMd(renderTasksMd(doc)) round-trips. */
export function renderTasksMd(doc: TasksDocument): string {
  const out = [
    `# Tasks: ${doc.title}`,
    "",
    "## Format: `[ID] [P?] [Story] Description`",
    "",
    "- **[P]**: Can run in parallel (different files, no dependencies)",
    "- **[Story]**: Which user story this task belongs to (e.g., US1, US2, US3)",
    "- Include exact file paths in descriptions",
    "",
  ];
  for (const p of doc.phases) {
    out.push(`## ${p.heading}`, "");
    if (p.purpose) out.push(`**Purpose**: ${p.purpose}`, "");
    for (const t of p.tasks) out.push(formatTaskLine(t));
    out.push("", "---", "");
  }
  if (doc.footer) out.push(doc.footer.trim(), "");
  return out.join("\n");
}

/** Parses tasks.md into a TaskDag. Throws InputError (no tasks / duplicate ids) or TaskCycleError. */
export function parseTasksMd(markdown: string, opts: ParseOptions = {}): TaskDag {
  if (typeof markdown !== "string" || !markdown.trim()) throw new InputError("tasks_md", "tasks.md is empty");
  const scan = scanDocument(markdown);
  if (!scan.tasks.length) throw noTasks(scan);
  checkIds(scan.tasks);
  const dag = new DagBuilder(scan, opts);
  dag.readExplicit();
  dag.readProse();
  if (opts.llmRelations?.length) dag.readLlm(opts.llmRelations, markdown);
  const order = dag.planOrder();
  dag.addStatedEdges();
  dag.addStructural(order.map((o) => ({ from: o.from, to: o.to, info: { kind: "order" as const, reason: o.reason } })));
  dag.addStructural(dag.phaseEdges());
  const files = taskFiles(scan.tasks);
  if (opts.sameFileSerialization !== false) dag.sameFile(files);
  return dag.finish(files, scan.title);
}

function noTasks(scan: Scan): InputError {
  const seen = scan.warnings.filter((w) => /not read as a task/.test(w)).slice(0, 3);
  return new InputError(
    "tasks_md",
    `no task lines found${seen.length ? ` (${seen.join("; ")})` : ""}`,
    "tasks look like `- [ ] T001 [P] [US1] Description with file path`: a checkbox, then an id (T001, T001a, T-FE-001…)",
  );
}

// ---------------------------------------------------------------------------------------------
// Rendering for a person (Windmill shows { markdown } results rendered)

const KIND_MARK: Record<string, string> = {
  explicit: "explicit",
  prose: "prose",
  llm: "LLM",
  phase: "phase order",
  story: "story order",
  order: "order",
  file: "same file",
};

const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function renderDagMarkdown(dag: TaskDag, maxRows = 400): string {
  const phaseName = (i: number) => {
    const p = dag.phases[i]!;
    return p.number ? `Phase ${p.number}` : p.title;
  };
  const lines = [
    `## Task DAG${dag.title ? `: ${dag.title}` : ""}`,
    "",
    `**${count(dag.stats.tasks, "task")}** (${dag.stats.done} done, ${dag.stats.parallel} marked [P]) in ${count(dag.stats.phases, "phase")} · ` +
      `${count(dag.stats.edges, "dependency", "dependencies")} · ${count(dag.levels.length, "level")} (widest ${dag.stats.maxWidth}) · ` +
      `critical path ${count(dag.criticalPath.tasks.length, "task")}, weight ${dag.criticalPath.weight}`,
    "",
    `**Critical path**: ${dag.criticalPath.tasks.join(" → ")}`,
    "",
    "| Phase | Kind | Tasks |",
    "|---|---|---|",
    ...dag.phases.filter((p) => p.tasks.length).map((p) => `| ${mdCell(p.heading || p.title)} | ${p.kind} | ${p.tasks.length} |`),
    "",
    "### Dependencies and why they exist",
    "",
    "| Level | Task | Phase | Story | P | Done | Depends on | Why | Files |",
    "|---|---|---|---|---|---|---|---|---|",
  ];
  const levelOf = new Map<string, number>();
  dag.levels.forEach((l, i) => l.forEach((id) => levelOf.set(id, i)));
  const why = new Map(dag.edges.map((e) => [`${e.from}>${e.to}`, e]));
  for (const t of dag.tasks.slice(0, maxRows)) {
    const deps = t.dependsOn.map((d) => `${d} (${KIND_MARK[why.get(`${d}>${t.id}`)!.kind]})`).join(", ");
    const reasons = [...new Set(t.dependsOn.map((d) => why.get(`${d}>${t.id}`)!.reason))].join("; ");
    lines.push(
      `| ${levelOf.get(t.id)} | **${t.id}** ${mdCell(t.description.slice(0, 90))}${t.description.length > 90 ? "…" : ""} | ${mdCell(phaseName(t.phase))} | ${t.stories.join(" ")} | ${t.parallel ? "P" : ""} | ${t.done ? "✓" : ""} | ${deps} | ${mdCell(reasons)} | ${mdCell(t.files.slice(0, 3).join(", "))} |`,
    );
  }
  if (dag.tasks.length > maxRows) lines.push(`| … | ${dag.tasks.length - maxRows} more | | | | | | | |`);
  const read = dag.statements.filter((s) => s.source !== "task" || s.effect !== "ordered");
  if (read.length) {
    lines.push("", "### Dependency statements read from the file", "", "| Line | Statement | Source | Effect | Detail |", "|---|---|---|---|---|");
    for (const s of read.slice(0, 200)) lines.push(`| ${s.line} | ${mdCell(s.text.slice(0, 120))} | ${s.source} | ${s.effect} | ${mdCell(s.detail)} |`);
    if (read.length > 200) lines.push(`| … | ${read.length - 200} more | | | |`);
  }
  if (dag.warnings.length)
    lines.push(
      "",
      "### Warnings",
      "",
      ...dag.warnings.slice(0, 50).map((w) => `- ${mdCell(w)}`),
      ...(dag.warnings.length > 50 ? [`- … ${dag.warnings.length - 50} more`] : []),
    );
  lines.push(
    "",
    "_Why: explicit = the task's own line; prose / LLM = a sentence of the file (quoted); phase order / story order = Spec Kit's phases; order = sequential inside a phase; same file = both tasks touch it._",
  );
  return lines.join("\n");
}
