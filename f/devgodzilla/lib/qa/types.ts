// Shared QA types: findings, gate/checklist/check results, the verdict. Every QA module and the
// `qa` / `feedback` scripts speak these; they are plain JSON so they travel in Windmill results.

export type Severity = "blocking" | "warning" | "info";
/** How a gate is configured: its findings block, warn, or the gate does not run. */
export type GateMode = "blocking" | "warning" | "off";

/** A line a finding shows: taken out (-) at its base line number, or put in (+) at its head line number. */
export interface FindingLine {
  file: string;
  line: number;
  text: string;
  change: "-" | "+";
}

export interface Finding {
  /** Stable code, e.g. SEC002 (string-built SQL), TEST001, TEST_CASE_REMOVED, TSC2322, PYTEST. */
  code: string;
  /** The constitution principles (the project's own ids) whose check produced it, e.g. "III". */
  principle?: string;
  source: "gate" | "check" | "checklist" | "criteria" | "principle";
  severity: Severity;
  message: string;
  file?: string;
  line?: number;
  /** What to do about it. */
  fix?: string;
  /** The changed lines it is about. */
  lines?: FindingLine[];
}

/** The mechanical checks a principle's statements can ask for (lib/qa/principles.ts chooses them). */
export type CheckName =
  "test-first" | "tests-pass" | "lint" | "typecheck" | "no-secrets" | "injection" | "integration-tests" | "library-use" | "abstraction" | "simplicity";

/** QA's own gates (the verification contract, always on), and the mechanical checks with findings of their own. */
export type GateId = "empty-work" | "scope" | "test-integrity" | "criteria" | Exclude<CheckName, "tests-pass" | "lint" | "typecheck">;

export interface GateResult {
  id: GateId;
  /** The principles (project ids) whose statements asked for it; [] for QA's own gates. */
  principles: string[];
  name: string;
  mode: GateMode;
  /** passed: no findings; failed: blocking findings; warned: findings that only warn; skipped: off / not applicable. */
  status: "passed" | "failed" | "warned" | "skipped";
  /** Why the gate was skipped, or where its mode came from. */
  note?: string;
  findings: Finding[];
}

/** NOT_JUDGED: no LLM was given; such an item neither passes nor counts in the score. */
export type ChecklistStatus = "PASSED" | "FAILED" | "UNCLEAR" | "NOT_JUDGED";

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
  /** For tests: where the counts came from (a machine format, or the console text) and what failed to load. */
  results?: {
    format: string;
    runners: string[];
    executed: number;
    todo: number;
    loadErrors: { file: string | null; message: string }[];
    base?: { executed: number; passed: number; failed: number; skipped: number };
  };
  findings: Finding[];
  /** Redacted tail of the output, for the report. */
  outputTail: string;
  sandboxed: boolean;
  note?: string;
  /** Tests fail on a change that only adds tests (test-first): the expected red step, not a failure. */
  expected_red?: boolean;
}

export type CriterionVerdict = "proven" | "failing" | "unproven";

export interface CriterionEvidence {
  test: string;
  file: string | null;
  line: number | null;
  status: "passed" | "failed" | "skipped" | "todo";
}

export interface CriterionResult {
  id: string;
  text: string;
  stories: string[];
  verdict: CriterionVerdict;
  /** Named by the task under QA (or, for a run, by any task): must be proven. */
  required: boolean;
  /** Why the verdict (the test that proved it, why none did). */
  reason: string;
  evidence: CriterionEvidence[];
}

export type PrincipleVerdict = "pass" | "fail" | "warn" | "not_applicable" | "not_judged";

export interface PrincipleResult {
  /** The project's own id: the numeral as written ("III", "5"), else the title as a slug. */
  id: string;
  title: string;
  verdict: PrincipleVerdict;
  /** `check:<name>` (several joined with "+"), `llm`, or `none`. */
  how: string;
  evidence: string;
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
  /** Acceptance criteria with their verdicts (the report's first table). */
  criteria: CriterionResult[];
  /** Every principle of the project's constitution, in the file's order. */
  principles: PrincipleResult[];
  gates: GateResult[];
  checklist: ChecklistResult[];
  checks: CheckRun[];
}
