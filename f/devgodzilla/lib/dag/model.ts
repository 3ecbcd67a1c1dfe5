// The execute_tasks flow's data: its inputs, the run plan the `plan` step hands every later step
// (results.plan.run), and the outcome each task leaves in the run's flow state.

import { z } from "zod";
import type { TaskAssignment } from "../agentops/assignments.ts";
import type { Usage } from "./attempts.ts";

export const EXECUTE_TASK_PATH = "f/devgodzilla/execute_task";
export const TASK_WITH_QA_PATH = "f/devgodzilla/task_with_qa";
/** The step that records each task's outcome: its jobs are how a re-run finds finished tasks. */
export const DAG_FINISH_PATH = "f/devgodzilla/dag_finish";
/** The pseudo-task of the deadline watch (waits for every task). */
export const WATCH = "__watch";

/** Optional inputs arrive as null when the caller left them out (results.input.<name> of an absent key). */
const opt = <T extends z.ZodTypeAny>(t: T) => z.preprocess((v) => (v === null ? undefined : v), t);

/** A task as task_dag emits it (extra fields are passed through to the task job). */
export const DagTaskSchema = z
  .object({
    id: z.string().min(1),
    description: z.string().default(""),
    dependsOn: z.array(z.string()).default([]),
    files: z.array(z.string()).default([]),
    story: z.string().nullable().optional(),
    phase: z.union([z.number(), z.string()]).optional(),
    weight: z.number().optional(),
    done: z.boolean().optional(),
  })
  .passthrough();
export type DagTask = z.infer<typeof DagTaskSchema>;

/** task_dag's `usage`: the LLM ledger's totals of the planner's model calls (lib/llm/usage.ts UsageTotals). */
export const LedgerTotalsSchema = z
  .object({
    calls: z.number().nonnegative().default(0),
    inputTokens: z.number().nonnegative().default(0),
    outputTokens: z.number().nonnegative().default(0),
    costUsd: z.number().nonnegative().default(0),
    unpricedModels: z.array(z.string()).default([]),
  })
  .passthrough();
export type LedgerTotals = z.input<typeof LedgerTotalsSchema>;

export const BudgetSchema = z
  .object({
    task_tokens: z.number().positive().optional(),
    task_cost_usd: z.number().positive().optional(),
    run_tokens: z.number().positive().optional(),
    run_cost_usd: z.number().positive().optional(),
  })
  .default({});

export const PlanInputSchema = z.object({
  repo: z.string().trim().min(1, "is required"),
  /** The run branch (devgodzilla/<feature>); created at `commit` when it does not exist. */
  branch: z.string().trim().min(1, "is required"),
  /** Where the run starts (the commit that has tasks.md). */
  commit: z.string().regex(/^[0-9a-f]{7,64}$/i, "must be a commit sha"),
  feature: z.string(),
  dag: z
    .object({
      tasks: z.array(DagTaskSchema).min(1, "the DAG has no tasks"),
      phases: z.unknown().optional(),
      /** What building the DAG cost (task_dag with an LLM resource); a hand-written DAG has none. */
      usage: opt(LedgerTotalsSchema.optional()),
      usage_id: opt(z.string().optional()),
    })
    .passthrough(),
  concurrency: opt(z.number().int().min(1).max(64).default(4)),
  runnable: opt(z.enum(["script", "flow"]).default("script")),
  retries: opt(z.number().int().min(0).max(10).default(1)),
  backoff_seconds: opt(z.number().min(0).default(30)),
  fallback_agents: opt(z.array(z.string()).default([])),
  on_failure: opt(z.enum(["continue", "stop_run"]).default("continue")),
  on_conflict: opt(z.enum(["report", "agent"]).default("agent")),
  budget: opt(BudgetSchema),
  /** The spec_to_pr form's single figure: stop starting tasks past this estimated cost (0 = none). */
  budget_usd: opt(z.number().min(0).default(0)),
  skip_done: opt(z.boolean().default(true)),
  run_key: opt(z.string().default("")),
  profile: opt(z.record(z.string(), z.unknown()).default({})),
  sandbox_policy: opt(z.enum(["refuse", "allow_unsandboxed"]).default("refuse")),
  setup: opt(z.enum(["install", "skip"]).default("install")),
  agent: opt(z.string().default("")),
});
export type PlanInput = z.input<typeof PlanInputSchema>;

export interface PlannedTask {
  id: string;
  description: string;
  files: string[];
  story: string | null;
  /** The DAG's phase index, with the phase's number and kind (execute_task resolves phase assignments from them). */
  phase?: number | string;
  phase_number?: string | null;
  phase_kind?: string;
  /** Dependencies still to run in this run (finished ones from an earlier run are left out). */
  deps: string[];
  dependants: string[];
  /** Fields of the task from the DAG passed through to the task job. */
  extra: Record<string, unknown>;
}

/** What planning the run cost: task_dag's model calls (reading the dependency prose, sizing the tasks). */
export interface PlanningUsage {
  calls: number;
  usage: Usage;
  /** Models without a known price: their cost is counted as 0. */
  unpriced_models: string[];
  /** task_dag's usage_id: a flow summing usage counts these calls once. */
  usage_id?: string;
}

/** What every step of a run reads (results.plan.run). */
export interface RunPlan {
  run_key: string;
  /** The execute_tasks flow job: the run's state (flow user state) lives on it. */
  state_job: string;
  repo: string;
  branch: string;
  base_commit: string;
  feature: string;
  runnable: "script" | "flow";
  policy: {
    retries: number;
    backoff_seconds: number;
    fallback_agents: string[];
    on_failure: "continue" | "stop_run";
    on_conflict: "agent" | "report";
    budget: z.infer<typeof BudgetSchema>;
  };
  /** Passed to every task job. */
  task_args: { profile: Record<string, unknown>; sandbox_policy: "refuse" | "allow_unsandboxed"; setup: "install" | "skip"; agent: string };
  tasks: Record<string, PlannedTask>;
  /** Every task id, topological (the report's order). */
  topo: string[];
  /** The loop's order: tasks to run this time, critical path first. */
  order: string[];
  /** Tasks that succeeded in an earlier run and are in the run branch: not run again. */
  skipped: string[];
  assignments: TaskAssignment[];
  /** Counted in the run's usage and budget beside the tasks' (absent in a plan made before it was recorded). */
  planning_usage?: PlanningUsage;
  started_at: string;
}

export type TaskStatus = "succeeded" | "skipped_succeeded" | "failed" | "conflict" | "budget_exceeded" | "dependency_failed" | "not_started";

/** A task's outcome, as its finish step records it in the run's state. */
export interface TaskOutcome {
  id: string;
  status: TaskStatus;
  /** The Windmill jobs that ran the task (task job, follow-up after a conflict). */
  jobs: string[];
  attempts: number;
  /** The agent that ran the last attempt (as its job reported it). */
  agent?: string;
  model?: string | null;
  /** Why that agent: "project override: tasks.T004", "run input"… */
  agent_source?: string;
  /** "job": the task job reported it; "plan": it did not, this is the resolved plan. */
  agent_source_from?: "job" | "plan";
  branch?: string;
  commit?: string;
  merge?: "merged" | "up_to_date" | "conflict";
  conflicts?: string[];
  blocked?: unknown;
  error?: string;
  blocked_by?: string;
  usage: Usage;
  summary?: string;
  files?: string[];
  started_at?: string;
  finished_at: string;
}

export interface StopInfo {
  status: "stopped" | "budget_exceeded";
  reason: string;
}

export interface ExecuteTasksResult {
  status: "succeeded" | "failed" | "stopped" | "budget_exceeded";
  run_key: string;
  branch: string;
  /** Run branch head after the last merge (pushed). */
  commit: string;
  base_commit: string;
  tasks: TaskOutcome[];
  completion_order: string[];
  /** The run's total: planning (task_dag's model calls) plus every task's job (its agents; with task_with_qa also its QA and feedback calls). */
  usage: Usage;
  planning_usage: PlanningUsage;
  tasks_usage: Usage;
  makespan_ms: number;
  max_concurrent: number;
  stop_reason?: string;
  assignments: TaskAssignment[];
  report: string;
}
