// Per-criterion verdicts from the test results: a criterion is
//   proven    when a test naming its id (in its title, its suite, or a comment on its definition)
//             ran and passed, and that test compares with an expected value;
//   failing   when such a test ran and failed, or the test file naming it did not load;
//   unproven  when none ran (none names it, they were skipped, or they check nothing specific).
// The criteria the task names must be proven (a tests-only task may leave them failing: red first).

import { criteriaFromSpec, criterionPattern, criteriaNamedIn, parseCriteria, CRITERIA_FILE, type Criterion } from "../llm/artifacts/criteria.ts";
import type { FeaturePaths } from "../speckit/paths.ts";
import { describeCase, loadErrorFor, type LocatedCase, type TestEvidence } from "./evidence.ts";
import type { Sources } from "./sources.ts";
import type { CriterionEvidence, CriterionResult, Finding } from "./types.ts";

export type CriteriaFinding = Omit<Finding, "source">;

/** The feature's criteria: criteria.md when the tasks step wrote it, else read from spec.md. */
export async function loadCriteria(sources: Sources, feature: FeaturePaths): Promise<{ criteria: Criterion[]; from: string | null }> {
  const md = await sources.head(`${feature.dir}/${CRITERIA_FILE}`);
  const written = md ? parseCriteria(md) : [];
  if (written.length) return { criteria: written, from: `${feature.dir}/${CRITERIA_FILE}` };
  const spec = await sources.head(feature.spec);
  return spec ? { criteria: criteriaFromSpec(spec), from: feature.spec } : { criteria: [], from: null };
}

/** Does this case name the criterion (title, suites, or the lines around its definition)? */
function names(c: LocatedCase, pattern: RegExp, headText: (file: string) => string | undefined): boolean {
  if (pattern.test(c.fullName)) return true;
  if (!c.file || !c.def) return false;
  const lines = headText(c.file)?.split("\n") ?? [];
  return pattern.test(lines.slice(Math.max(0, c.def.line - 4), Math.min(lines.length, c.def.line + 2)).join("\n"));
}

export interface JudgeCriteriaInput {
  criteria: readonly Criterion[];
  evidence: TestEvidence;
  headText: (file: string) => string | undefined;
  /** Ids the task names (must be proven). At run level: every criterion some task names. */
  required: ReadonlySet<string>;
  /** The change adds or edits tests only: its criteria may fail until the code lands. */
  testsOnly: boolean;
}

export function judgeCriteria(input: JudgeCriteriaInput): { results: CriterionResult[]; findings: CriteriaFinding[] } {
  const results: CriterionResult[] = [];
  const findings: CriteriaFinding[] = [];
  const ev = input.evidence;
  for (const c of input.criteria) {
    const pattern = criterionPattern(c.id);
    const matches = ev.cases.filter((x) => names(x, pattern, input.headText));
    const evidence: CriterionEvidence[] = matches.slice(0, 5).map((m) => ({ test: m.fullName, file: m.file, line: m.line, status: m.status }));
    const failed = matches.filter((m) => m.status === "failed");
    const passed = matches.filter((m) => m.status === "passed");
    const proving = passed.filter((m) => m.strength === "strong" || m.strength === "unknown");
    const required = input.required.has(c.id);
    // A test file naming it that the runner could not load (red before the code exists: the module
    // it imports is missing): failing, not unproven.
    const unloaded = !matches.length ? unloadedFileNaming(ev, pattern) : null;
    let verdict: CriterionResult["verdict"];
    let reason: string;
    if (unloaded) {
      verdict = "failing";
      reason = `${unloaded.file.path} names it but did not load: ${unloaded.error.split("\n")[0]!.slice(0, 160)}`;
      evidence.push({ test: unloaded.def.name, file: unloaded.file.path, line: unloaded.def.line, status: "failed" });
    } else if (failed.length) {
      verdict = "failing";
      reason = `${describeCase(failed[0]!)} failed${failed[0]!.message ? `: ${failed[0]!.message.split("\n")[0]!.slice(0, 160)}` : ""}`;
    } else if (proving.length) {
      verdict = "proven";
      reason = `${describeCase(proving[0]!)} passed`;
    } else {
      verdict = "unproven";
      reason = !ev.head
        ? "no test results were read"
        : passed.length
          ? `${describeCase(passed[0]!)} passed but asserts nothing specific (${passed[0]!.strength === "none" ? "no assertion" : "only truthiness / presence checks"})`
          : matches.length
            ? `the tests naming it did not run (${matches.map((m) => m.status).join(", ")})`
            : "no test that ran names it";
    }
    results.push({ id: c.id, text: c.text, stories: c.stories, verdict, required, reason, evidence });
    if (!required) continue;
    if (verdict === "failing") {
      const red = input.testsOnly && failed.every((m) => m.before === "absent" || m.before === "failed" || m.before === "unknown");
      findings.push({
        code: "CRITERION_FAILING",
        severity: red ? "warning" : "blocking",
        file: evidence[0]?.file ?? undefined,
        line: evidence[0]?.line ?? undefined,
        message: `${c.id} is failing: ${reason}${red ? " (a tests-first task: expected until the code lands)" : ""}`,
        fix: "Make the code meet the criterion so its test passes.",
      });
    } else if (verdict === "unproven") {
      findings.push({
        code: "CRITERION_UNPROVEN",
        severity: "blocking",
        file: passed[0]?.file ?? undefined,
        line: passed[0]?.line ?? undefined,
        message: `${c.id} is not proven by any test: ${reason}`,
        fix: `Add a test that exercises "${c.text.slice(0, 100)}", compares the result with the expected value and names ${c.id} in its title; make sure the test command runs it.`,
      });
    }
  }
  return { results, findings };
}

/** A changed test file that defines a test naming the criterion, from which nothing ran while the runner reported load errors. */
function unloadedFileNaming(
  ev: TestEvidence,
  pattern: RegExp,
): { file: TestEvidence["files"][number]; def: TestEvidence["files"][number]["headDefs"][number]; error: string } | null {
  if (!ev.head?.errors.length) return null;
  for (const file of ev.files) {
    if (!file.headText || ev.cases.some((x) => x.file === file.path)) continue;
    const def = file.headDefs.find((d) => !d.modifier && pattern.test(d.name));
    if (!def) continue;
    const error = loadErrorFor(ev.head, file.path);
    if (error) return { file, def, error: error.message };
  }
  return null;
}

/** The criteria a task's text names; for a run (no task) the criteria any task names. */
export function requiredCriteria(criteria: readonly Criterion[], taskText: string | null): Set<string> {
  if (taskText) return new Set(criteriaNamedIn(taskText, criteria));
  return new Set(criteria.filter((c) => c.tasks.length).map((c) => c.id));
}
