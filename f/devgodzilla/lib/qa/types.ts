// Shared QA types: findings, gate/checklist/check results, the verdict. Every QA module and the
// `qa` / `feedback` scripts speak these; they are plain JSON so they travel in Windmill results.

export type Severity = "blocking" | "warning" | "info";
/** How a gate is configured: its findings block, warn, or the gate does not run. */
export type GateMode = "blocking" | "warning" | "off";

export interface Finding {
  /** Stable code, e.g. SEC002 (string-built SQL), TEST001, TSC2322, PYTEST. */
  code: string;
  /** Constitution article the finding belongs to (gates only), e.g. "IV". */
  article?: string;
  source: "gate" | "check" | "checklist";
  severity: Severity;
  message: string;
  file?: string;
  line?: number;
  /** What to do about it. */
  fix?: string;
}

export type GateId =
  | "library-first"
  | "test-first"
  | "security"
  | "simplicity"
  | "anti-abstraction"
  | "integration-testing";

export interface GateResult {
  id: GateId;
  article: string;
  name: string;
  mode: GateMode;
  /** passed: no findings; failed: blocking findings; warned: findings that only warn; skipped: off / not applicable. */
  status: "passed" | "failed" | "warned" | "skipped";
  /** Why the gate was skipped, or where its mode came from. */
  note?: string;
  findings: Finding[];
}

export type ChecklistStatus = "PASSED" | "FAILED" | "UNCLEAR";

export interface ChecklistItem {
  /** CHK001, or US1-AS2 for acceptance scenario 2 of user story 1. */
  id: string;
  text: string;
  /** Where it came from: checklists/<file>.md or spec.md. */
  source: string;
  required: boolean;
}

export interface EvidenceRef {
  chunkId: string;
  file: string;
  startLine: number;
  endLine: number;
  changed: boolean;
  score: number;
}

export interface ChecklistResult extends ChecklistItem {
  status: ChecklistStatus;
  explanation: string;
  evidence: EvidenceRef[];
  tokensSent: number;
}

export type CheckKind = "lint" | "typecheck" | "test";

export interface CheckRun {
  kind: CheckKind | "install";
  command: string[];
  status: "passed" | "failed" | "timeout" | "error" | "skipped";
  exitCode: number | null;
  durationMs: number;
  /** Parsed counts when the output had a summary (tests), else undefined. */
  counts?: { passed: number; failed: number; skipped: number };
  findings: Finding[];
  /** Redacted tail of the output, for the report. */
  outputTail: string;
  sandboxed: boolean;
  note?: string;
  /** Tests fail on a change that only adds tests (test-first): the expected red step, not a failure. */
  expected_red?: boolean;
}

export interface ScoreParts {
  gates: number;
  checklist: number;
  checks: number;
}

export interface Verdict {
  status: "passed" | "failed";
  /** 0..1 weighted score over the parts that ran (a blocking failure fails whatever the score). */
  score: number;
  threshold: number;
  parts: ScoreParts;
  /** The findings and checklist failures that block, in report order. */
  blocking: Finding[];
  warnings: number;
  recommendation: string;
  gates: GateResult[];
  checklist: ChecklistResult[];
  checks: CheckRun[];
}
