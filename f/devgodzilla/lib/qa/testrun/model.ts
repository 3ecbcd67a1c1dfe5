// What a test run reported, read from the runner's machine format (JUnit XML, jest/vitest JSON,
// mocha JSON, node:test reporter events, `go test -json`, libtest JSON) into one shape: the cases
// with their status, file and line, and the files the runner could not load.

export type RunnerId = "vitest" | "jest" | "mocha" | "node-test" | "pytest" | "go" | "cargo";
export type ResultFormat = "junit" | "jest-json" | "mocha-json" | "node-events" | "go-json" | "cargo-json" | "text";
export type CaseStatus = "passed" | "failed" | "skipped" | "todo";

export interface TestCase {
  /** The test's own title (`it("…")`, the function name). */
  name: string;
  /** Enclosing suites and the title, joined with " › " (describe blocks, classes, the Go package). */
  fullName: string;
  /** Repository-relative file, when the runner says (or the definition was found). */
  file: string | null;
  /** 1-based line of the test's definition, when known. */
  line: number | null;
  status: CaseStatus;
  /** First lines of the failure or skip reason. */
  message?: string;
}

export interface LoadError {
  file: string | null;
  message: string;
}

export interface TestRun {
  /** Runners whose machine output was read. */
  runners: RunnerId[];
  format: ResultFormat;
  cases: TestCase[];
  /** Files the runner failed to load or collect (import errors, syntax errors). */
  errors: LoadError[];
}

export interface RunCounts {
  passed: number;
  failed: number;
  skipped: number;
  todo: number;
  /** passed + failed: the tests that actually ran. */
  executed: number;
}

export function countCases(cases: readonly TestCase[]): RunCounts {
  const c = { passed: 0, failed: 0, skipped: 0, todo: 0, executed: 0 };
  for (const t of cases) c[t.status]++;
  c.executed = c.passed + c.failed;
  return c;
}

/** How one case is recognised across two runs: its file (when known) and its suite path and title. */
export function caseKey(t: Pick<TestCase, "file" | "fullName">): string {
  return `${t.file ?? ""}::${t.fullName}`;
}

export function sep(parts: readonly string[]): string {
  return parts.filter((p) => p !== "").join(" › ");
}
