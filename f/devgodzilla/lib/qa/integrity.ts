// Test integrity: the change compared with the base commit. Each of these is a blocking finding,
// with the lines shown, unless the task itself asks for it:
//   TEST_FILE_DELETED     a file that defined tests (or that the runner ran tests from) is gone
//   TEST_CASE_REMOVED     a test defined at base is defined nowhere at head
//   TEST_ASSERTION_*      a test kept its name but lost assertions that compared with an expected
//                         value (REMOVED), or had them replaced by weaker ones (LOOSENED)
//   TEST_EXPECTATION_CHANGED  a test kept its name and its assertions but now compares with other
//                         expected values (the test edited to fit what the code returns)
//   TEST_TAUTOLOGY        an added assertion that cannot fail (assert True, expect(1).toBe(1))
//   TEST_SKIP_ADDED       skip / only / todo added (a mark, a decorator, t.Skip(), #[ignore])
//   TESTS_FEWER           fewer tests executed than at base
//   TEST_NO_LONGER_RUNS   tests the runner executed at base that it does not execute at head
//   TEST_NOT_COLLECTED    a changed file defines tests the runner never ran (wrong place or name,
//                         a module format the runner does not load, a class it does not collect)

import type { BranchDiff } from "./diff.ts";
import { describeCase, loadErrorFor, type TestEvidence, type TestFile } from "./evidence.ts";
import { caseKey } from "./testrun/index.ts";
import { assertionOn, assertionsIn, langOf, modifierOn, type TestDef } from "./testsource.ts";
import type { Finding, FindingLine } from "./types.ts";

export type IntegrityFinding = Omit<Finding, "source" | "severity"> & { severity: "blocking" | "warning" };

// The task's own words allow what they name: removing, skipping or relaxing tests (any language).
const ALLOWS =
  /\b(remove|delete|drop|skip|disable|retire|deprecate|replace|rewrite|rename|move|relax|loosen|quarantine|xfail|prune|consolidate|merge)\w*\b|eliminar|borrar|desactivar|remover|excluir|desativar|supprimer|désactiver|entfernen|löschen|deaktivieren|rimuovere|eliminare|disattivare|удал|отключ|删除|移除|禁用|跳过|削除|無効|スキップ|삭제|제거|비활성|건너뛰/i;
const TEST_WORD = /\btests?\b|\bspecs?\b|\bassert|pruebas?|testes?|essais?|Tests?|тест|测试|測試|テスト|테스트/i;

/** Does the task's text ask for removing / skipping / relaxing tests? */
export function taskAllowsTestRemoval(taskText: string | null | undefined): boolean {
  if (!taskText) return false;
  return taskText.split(/(?<=[.;!?])\s+|\n/).some((s) => ALLOWS.test(s) && TEST_WORD.test(s));
}

const caseDefs = (defs: readonly TestDef[]) => defs.filter((d) => d.kind === "case");
const dynamicName = (n: string) => /\$\{|%[sdifjo]|\{\w*\}/.test(n);

function removedLinesIn(diff: BranchDiff, file: string, from: number, to: number): FindingLine[] {
  return diff.removed.filter((l) => l.file === file && l.line >= from && l.line <= to).map((l) => ({ file, line: l.line, text: l.text, change: "-" as const }));
}
function addedLinesIn(diff: BranchDiff, file: string, from: number, to: number): FindingLine[] {
  return diff.added.filter((l) => l.file === file && l.line >= from && l.line <= to).map((l) => ({ file, line: l.line, text: l.text, change: "+" as const }));
}

function strongCount(path: string, text: string, d: TestDef): number {
  const lines = text.split("\n");
  let n = 0;
  for (let i = d.line - 1; i < Math.min(lines.length, d.endLine); i++) if (assertionOn(path, lines[i]!, lines.slice(Math.max(0, i - 3), i)) === "strong") n++;
  return n;
}

const LITERALS = /-?\b\d+(?:\.\d+)?\b|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`$]*`/g;

/** The literal values a test's strong assertions compare with (Go: with the `if` that guards the failure). */
function expectedValues(path: string, text: string, d: TestDef): string[] {
  const lines = text.split("\n");
  const out: string[] = [];
  for (const a of assertionsIn(path, text, d.line, d.endLine)) {
    if (a.strength !== "strong") continue;
    const ctx = [lines[a.line - 1]!];
    if (langOf(path) === "go") {
      for (let i = a.line - 2; i >= Math.max(0, a.line - 4); i--)
        if (/\bif\b/.test(lines[i]!)) {
          ctx.push(lines[i]!);
          break;
        }
    }
    for (const l of ctx) out.push(...(l.replace(/^\s*(\/\/|#).*$/, "").match(LITERALS) ?? []));
  }
  return out;
}

/** Values in `a` that `b` does not have (as multisets). */
function missingFrom(a: readonly string[], b: readonly string[]): string[] {
  const left = [...b];
  return a.filter((v) => {
    const i = left.indexOf(v);
    if (i < 0) return true;
    left.splice(i, 1);
    return false;
  });
}

function fileFindings(t: TestFile, diff: BranchDiff, headNames: Set<string>): IntegrityFinding[] {
  const out: IntegrityFinding[] = [];
  const baseCases = caseDefs(t.baseDefs);
  if (t.status === "deleted") {
    const gone = baseCases.filter((d) => !headNames.has(d.name));
    if (gone.length || !baseCases.length) {
      out.push({
        code: "TEST_FILE_DELETED",
        severity: "blocking",
        file: t.path,
        line: 1,
        message: `Test file ${t.path} was deleted${
          gone.length
            ? ` with ${gone.length} test${gone.length === 1 ? "" : "s"}: ${gone
                .slice(0, 6)
                .map((d) => `"${d.name}"`)
                .join(", ")}${gone.length > 6 ? ", …" : ""}`
            : ""
        }`,
        lines: gone
          .slice(0, 6)
          .map((d) => ({ file: t.path, line: d.line, text: (t.baseText ?? "").split("\n")[d.line - 1]?.trim() ?? d.name, change: "-" as const })),
        fix: "Restore the tests; change the code so they pass, or have a task that says these tests go.",
      });
    }
    return out;
  }
  if (!t.baseText || !t.headText) return out;
  const head = new Map(caseDefs(t.headDefs).map((d) => [d.name, d]));
  for (const d of baseCases) {
    const now = head.get(d.name);
    if (!now) {
      if (headNames.has(d.name)) continue; // moved to another file
      out.push({
        code: "TEST_CASE_REMOVED",
        severity: "blocking",
        file: t.path,
        line: d.line,
        message: `Test "${d.name}" was removed from ${t.path}`,
        lines: removedLinesIn(diff, t.path, d.line, Math.min(d.endLine, d.line + 8)),
        fix: "Restore the test; a behaviour the spec still asks for keeps its test.",
      });
      continue;
    }
    const before = strongCount(t.path, t.baseText, d);
    const after = strongCount(t.path, t.headText, now);
    if (after >= before) {
      const was = expectedValues(t.path, t.baseText, d);
      const is = expectedValues(t.path, t.headText, now);
      const dropped = missingFrom(was, is);
      const added = missingFrom(is, was);
      if (dropped.length && added.length) {
        out.push({
          code: "TEST_EXPECTATION_CHANGED",
          severity: "blocking",
          file: t.path,
          line: now.line,
          message: `Test "${d.name}" now expects ${added.slice(0, 4).join(", ")} where it expected ${dropped.slice(0, 4).join(", ")}`,
          lines: [...removedLinesIn(diff, t.path, d.line, d.endLine), ...addedLinesIn(diff, t.path, now.line, now.endLine)]
            .filter((l) => dropped.concat(added).some((v) => l.text.includes(v)))
            .slice(0, 10),
          fix: "Keep the expected values the test had (they come from the spec); change the code so it meets them, or have a task that says the expectation changes.",
        });
      }
    }
    if (after < before) {
      const removed = removedLinesIn(diff, t.path, d.line, d.endLine).filter((l) => assertionOn(t.path, l.text) === "strong");
      const added = addedLinesIn(diff, t.path, now.line, now.endLine).filter((l) => assertionOn(t.path, l.text) !== null);
      const loosened = added.length > 0;
      out.push({
        code: loosened ? "TEST_ASSERTION_LOOSENED" : "TEST_ASSERTION_REMOVED",
        severity: "blocking",
        file: t.path,
        line: now.line,
        message: `Test "${d.name}" ${loosened ? "now checks less" : "lost assertions"}: ${before} assertion${before === 1 ? "" : "s"} comparing with an expected value before, ${after} now`,
        lines: [...removed, ...added].slice(0, 10),
        fix: "Keep the assertions that compare with the expected values; fix the code, not the test.",
      });
    }
  }
  // Marks added: skip / only / todo on a definition that had none, or a skip call in the body.
  const baseMods = new Map(caseDefs(t.baseDefs).map((d) => [d.name, d.modifier]));
  for (const d of t.headDefs) {
    if (!d.modifier || baseMods.get(d.name) === d.modifier) continue;
    if (d.kind === "suite" && d.modifier === null) continue;
    out.push({
      code: "TEST_SKIP_ADDED",
      severity: "blocking",
      file: t.path,
      line: d.line,
      message: `${d.kind === "suite" ? "Suite" : "Test"} "${d.name}" is marked ${d.modifier}${d.modifier === "only" ? " (every other test stops running)" : " (it no longer runs)"}`,
      lines: addedLinesIn(diff, t.path, d.line, d.line).concat(
        addedLinesIn(diff, t.path, Math.max(1, d.line - 3), d.line - 1).filter((l) => modifierOn(t.path, l.text)),
      ),
      fix: `Remove the ${d.modifier} mark and make the test pass.`,
    });
  }
  const removedText = new Set(diff.removed.filter((l) => l.file === t.path).map((l) => l.text.trim()));
  for (const l of diff.added.filter((x) => x.file === t.path)) {
    if (!modifierOn(t.path, l.text) || removedText.has(l.text.trim())) continue;
    if (t.headDefs.some((d) => d.modifier && (d.line === l.line || (l.line < d.line && l.line >= d.line - 3)))) continue; // reported above
    out.push({
      code: "TEST_SKIP_ADDED",
      severity: "blocking",
      file: t.path,
      line: l.line,
      message: `A skip was added in ${t.path}`,
      lines: [{ file: t.path, line: l.line, text: l.text, change: "+" }],
      fix: "Remove the skip and make the test pass.",
    });
  }
  for (const l of diff.added.filter((x) => x.file === t.path)) {
    if (assertionOn(t.path, l.text) !== "tautology") continue;
    out.push({
      code: "TEST_TAUTOLOGY",
      severity: "blocking",
      file: t.path,
      line: l.line,
      message: `An assertion that cannot fail was added: \`${l.text.trim().slice(0, 120)}\``,
      lines: [{ file: t.path, line: l.line, text: l.text, change: "+" }],
      fix: "Assert the value the code under test produces against the expected value.",
    });
  }
  return out;
}

/** What the runner says: fewer tests, tests that stopped running, tests written where it never looks. */
function runFindings(ev: TestEvidence): IntegrityFinding[] {
  const out: IntegrityFinding[] = [];
  if (ev.head && ev.base && ev.headCounts && ev.baseCounts) {
    if (ev.headCounts.executed < ev.baseCounts.executed) {
      out.push({
        code: "TESTS_FEWER",
        severity: "blocking",
        message: `${ev.headCounts.executed} test${ev.headCounts.executed === 1 ? "" : "s"} ran, fewer than the ${ev.baseCounts.executed} that ran at the base commit`,
        fix: "Find the tests that stopped running (deleted, skipped, moved out of the runner's reach, a file that no longer loads) and bring them back.",
      });
    }
    const headKeys = new Map(ev.head.cases.map((c) => [caseKey(c), c]));
    const headNames = new Map(ev.head.cases.map((c) => [c.fullName, c]));
    const stopped = ev.base.cases.filter((c) => {
      if (c.status !== "passed" && c.status !== "failed") return false;
      const now = headKeys.get(caseKey(c)) ?? headNames.get(c.fullName);
      return !now || now.status === "skipped" || now.status === "todo";
    });
    if (stopped.length) {
      out.push({
        code: "TEST_NO_LONGER_RUNS",
        severity: "blocking",
        file: stopped[0]!.file ?? undefined,
        line: stopped[0]!.line ?? undefined,
        message: `${stopped.length} test${stopped.length === 1 ? "" : "s"} that ran at the base commit do${stopped.length === 1 ? "es" : ""} not run now: ${stopped.slice(0, 6).map(describeCase).join(", ")}${stopped.length > 6 ? ", …" : ""}`,
        fix: "Restore them (or the file's ability to load), or have a task that says they go.",
      });
    }
  }
  if (ev.head) {
    for (const t of ev.files) {
      // A file that does not load is the check's TEST_LOAD_ERROR (red on a tests-first task), not a placement problem.
      if (!t.headText || loadErrorFor(ev.head, t.path)) continue;
      const ran = ev.cases.filter((c) => c.file === t.path);
      const baseNames = new Set(caseDefs(t.baseDefs).map((d) => d.name));
      const expected = caseDefs(t.headDefs).filter((d) => !d.modifier && !dynamicName(d.name) && (t.status === "added" || !baseNames.has(d.name)));
      if (!expected.length) continue;
      const missing = expected.filter((d) => !ran.some((c) => c.def === d || c.name === d.name || c.name.startsWith(`${d.name}[`)));
      if (!ran.length || missing.length) {
        const none = !ran.length;
        out.push({
          code: "TEST_NOT_COLLECTED",
          severity: "blocking",
          file: t.path,
          line: missing[0]?.line ?? expected[0]!.line,
          message: none
            ? `${t.path} defines ${expected.length} test${expected.length === 1 ? "" : "s"} but the runner ran none of them (not collected: check the file's name, place and module format against the test command)`
            : `${missing.length} test${missing.length === 1 ? "" : "s"} added in ${t.path} never ran: ${missing
                .slice(0, 6)
                .map((d) => `"${d.name}"`)
                .join(", ")}`,
          lines: (none ? expected : missing)
            .slice(0, 6)
            .map((d) => ({ file: t.path, line: d.line, text: t.headText!.split("\n")[d.line - 1]!.trim(), change: "+" as const })),
          fix: "Put the tests where the project's test command collects them, named the way its runner expects, and check they run.",
        });
      }
    }
  }
  return out;
}

export interface IntegrityInput {
  diff: BranchDiff;
  evidence: TestEvidence;
  /** The task's description (and body): when it asks for removing or skipping tests, findings only warn. */
  taskText?: string | null;
}

export function checkIntegrity(input: IntegrityInput): { findings: IntegrityFinding[]; allowedByTask: boolean } {
  const ev = input.evidence;
  const headNames = new Set(ev.files.flatMap((t) => caseDefs(t.headDefs).map((d) => d.name)));
  const findings = [...ev.files.flatMap((t) => fileFindings(t, input.diff, headNames)), ...runFindings(ev)];
  const allowedByTask = taskAllowsTestRemoval(input.taskText);
  if (allowedByTask) {
    for (const f of findings) {
      if (f.code === "TEST_NOT_COLLECTED" || f.code === "TEST_TAUTOLOGY") continue; // never asked for
      f.severity = "warning";
      f.message += " — the task asks for it";
    }
  }
  return { findings, allowedByTask };
}
