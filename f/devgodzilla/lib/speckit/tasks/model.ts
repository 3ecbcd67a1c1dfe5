// The typed result of parsing tasks.md, and the internal shapes the parse stages pass along.

import { z } from "zod";

/**
 * Why an edge exists, strongest first: the task's own statement; a sentence elsewhere in the file;
 * the model's reading of a sentence; Spec Kit's phase order; story phases in order; sequential order
 * inside a phase; two tasks touching the same file.
 */
export const EdgeKindSchema = z.enum(["explicit", "prose", "llm", "phase", "story", "order", "file"]);
export type EdgeKind = z.infer<typeof EdgeKindSchema>;

export const PhaseKindSchema = z.enum(["setup", "foundational", "story", "polish", "other"]);
export type PhaseKind = z.infer<typeof PhaseKindSchema>;

export const TaskSchema = z.object({
  id: z.string(),
  description: z.string(),
  done: z.boolean(),
  parallel: z.boolean(),
  /** First story label (US1), or null. */
  story: z.string().nullable(),
  /** All story labels ([US2][US3] → ["US2", "US3"]). */
  stories: z.array(z.string()),
  /** Other bracket labels: [Setup], [Core], [Architect], [conditional]… */
  labels: z.array(z.string()),
  /** Index into `phases`. */
  phase: z.number().int().nonnegative(),
  /** File and directory paths the task names (directories end with "/"). */
  files: z.array(z.string()),
  /** Direct dependencies after transitive reduction. */
  dependsOn: z.array(z.string()),
  /** Estimated weight for the critical path (default 1). */
  weight: z.number().nonnegative(),
  /** True when the task states its own dependencies (authoritative when most tasks do). */
  explicitDeps: z.boolean(),
  /** 1-based line of the task. */
  line: z.number().int().positive(),
  /** Indented continuation lines (sub-bullets, wrapped text, code). */
  body: z.string(),
});
export type Task = z.infer<typeof TaskSchema>;

export const PhaseSchema = z.object({
  index: z.number().int().nonnegative(),
  /** "3", "3.1", or null for a heading without a number. */
  number: z.string().nullable(),
  title: z.string(),
  heading: z.string(),
  kind: PhaseKindSchema,
  stories: z.array(z.string()),
  tasks: z.array(z.string()),
  line: z.number().int().nonnegative(),
});
export type Phase = z.infer<typeof PhaseSchema>;

export const EdgeSchema = z.object({
  /** The dependency (runs first). */
  from: z.string(),
  /** The dependent (runs after `from`). */
  to: z.string(),
  kind: EdgeKindSchema,
  /** Why, for a person auditing the DAG: `prose "Fase 2 bloqueia Fases 3 e 4" (line 40)`, `same file src/a.ts`… */
  reason: z.string(),
  /** Line of the statement the edge comes from (explicit, prose, llm). */
  line: z.number().int().positive().optional(),
});
export type Edge = z.infer<typeof EdgeSchema>;

/** What one dependency sentence of the file did to the DAG. */
export const StatementSchema = z.object({
  line: z.number().int().positive(),
  text: z.string(),
  source: z.enum(["task", "prose", "llm"]),
  effect: z.enum(["ordered", "parallel", "none-stated", "uncertain", "rejected"]),
  detail: z.string(),
});
export type StatementReport = z.infer<typeof StatementSchema>;

/** A statement that named things run in parallel, one by one (not "all stories"). */
export const ParallelStatementSchema = z.object({
  line: z.number().int().positive(),
  /** Each side: what the file named ("Phase 7", "US2", "T010") and its tasks. */
  sides: z.array(z.object({ label: z.string(), tasks: z.array(z.string()) })),
});
export type ParallelStatement = z.infer<typeof ParallelStatementSchema>;

export const TaskDagSchema = z.object({
  title: z.string().nullable(),
  tasks: z.array(TaskSchema),
  phases: z.array(PhaseSchema),
  edges: z.array(EdgeSchema),
  /** Topological levels: every task's dependencies are in earlier levels. */
  levels: z.array(z.array(z.string())),
  criticalPath: z.object({ tasks: z.array(z.string()), weight: z.number() }),
  /** Every dependency sentence read (explicit, prose, LLM) and what it did. */
  statements: z.array(StatementSchema),
  /** What the file says runs in parallel, named one by one: no phase, story, order, prose or LLM edge joins the sides. */
  parallel: z.array(ParallelStatementSchema),
  warnings: z.array(z.string()),
  stats: z.object({
    tasks: z.number(),
    done: z.number(),
    parallel: z.number(),
    phases: z.number(),
    edges: z.number(),
    edgesBeforeReduction: z.number(),
    maxWidth: z.number(),
  }),
});
export type TaskDag = z.infer<typeof TaskDagSchema>;

// ---------------------------------------------------------------------------------------------
// Internal shapes

/** One task line's fields, as written by formatTaskLine and read by parseTaskLine. */
export interface TaskLine {
  id: string;
  done: boolean;
  parallel: boolean;
  stories: string[];
  labels: string[];
  description: string;
}

export interface RawTask extends TaskLine {
  /** Position in document order (index into Scan.tasks). */
  index: number;
  line: number;
  phase: number;
  /** Continuation lines and their 1-based line numbers. */
  body: string[];
  bodyLines: number[];
  indent: number;
}

/** A line of prose outside task lines, with where it stands. */
export interface ProseLine {
  text: string;
  line: number;
  /** Inside a Dependencies / Execution order / Parallel section. */
  inDependencySection: boolean;
  /** The phase whose section holds the line (before or between its tasks), or -1. */
  phase: number;
  /** Text that names the line's subject when its own clause does not (a sub-heading or a bold label line above it). */
  subjectHint: string;
  /** Cells of a markdown table row, with the header's cells. */
  table?: { header: string[]; cells: string[] };
}

export interface Scan {
  title: string | null;
  phases: Phase[];
  tasks: RawTask[];
  prose: ProseLine[];
  warnings: string[];
}
