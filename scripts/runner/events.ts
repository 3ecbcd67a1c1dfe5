// What the engine tells its caller while a run goes on: a run (root or child job) starts or ends,
// a step starts, ends, is retried, or was finished before a resume. The CLI turns them into one
// progress line each (progress.ts); raw job output stays in the run record (or --verbose).
import type { RunRecord } from "./runs.ts";

export interface StepRef {
  run: RunRecord;
  /** The step's key in the run's journal: `spec/plan`, `execute[2]/qa`… */
  key: string;
  step_id: string;
  summary?: string;
  /** The step's arguments after its input transforms (`$res:`/`$var:` still unresolved). */
  args: Record<string, unknown>;
  kind: "script" | "flow";
}

export type RunEvent =
  | { type: "run-start"; run: RunRecord; resumed: boolean }
  | { type: "run-end"; run: RunRecord }
  | ({ type: "step-start"; attempt: number } & StepRef)
  | ({
      type: "step-end";
      attempt: number;
      duration_ms: number;
      success: boolean;
      result?: unknown;
      error?: { name: string; message: string };
      /** Set when the step failed and will run again after this many seconds. */
      retry_in_s?: number;
    } & StepRef)
  /** A step a resumed run does not run again: it finished before the runner stopped. */
  | ({ type: "step-replayed" } & StepRef);

export type OnRunEvent = (e: RunEvent) => void;
