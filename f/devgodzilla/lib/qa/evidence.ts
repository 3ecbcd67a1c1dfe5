// The test evidence of a change: what the runner reported at head and at the base commit, the
// changed files that are tests (by path, by what they define, or because the runner ran tests from
// them), their test definitions before and after, and for each reported case where it is defined
// and how much it checks. Every later judgement (integrity, criteria, test-first) reads this.

import { classifyPath } from "../project/files.ts";
import type { BranchDiff, ChangedFile } from "./diff.ts";
import type { Sources } from "./sources.ts";
import { caseKey, countCases, type RunCounts, type TestCase, type TestRun } from "./testrun/index.ts";
import type { LoadError } from "./testrun/model.ts";
import { assertingHelpers, bodyStrength, langOf, testDefinitions, type TestDef } from "./testsource.ts";

export interface TestFile {
  path: string;
  status: ChangedFile["status"];
  baseText: string | null;
  headText: string | null;
  baseDefs: TestDef[];
  headDefs: TestDef[];
}

export interface LocatedCase extends TestCase {
  def: TestDef | null;
  /** How much the test checks, from its source ("unknown" when its definition was not found). */
  strength: "strong" | "weak" | "none" | "unknown";
  /** Compared with the base run: absent there, or there with this status. */
  before: "absent" | TestCase["status"] | "unknown";
}

export interface TestEvidence {
  head: TestRun | null;
  base: TestRun | null;
  headCounts: RunCounts | null;
  baseCounts: RunCounts | null;
  /** Changed files (added, modified, deleted) that are tests. */
  files: TestFile[];
  /** The head run's cases with their definitions and their status at base. */
  cases: LocatedCase[];
  /** Head texts of the test files read (for what is written around a definition). */
  texts: Map<string, string>;
}

/** The runner's error for a test file it could not load: naming the file (node, vitest, cargo), or saying it in its text (pytest's module, Go's build output). */
export function loadErrorFor(run: TestRun | null, path: string): LoadError | null {
  if (!run?.errors.length) return null;
  const dotted = path.replace(/\.[^./]+$/, "").replace(/\//g, ".");
  return run.errors.find((e) => e.file === path || (!e.file && (e.message.includes(path) || e.message.includes(dotted)))) ?? null;
}

/** Files the runner may report cases from: test paths, and sources that can hold inline tests (Rust, Go). */
function mayHoldTests(path: string): boolean {
  return classifyPath(path) === "test" || /\.rs$/.test(path) || /_test\.go$/.test(path) || /(^|\/)[^/]*(test|spec)[^/]*$/i.test(path);
}

/** Does a case come from this definition? Names match exactly, or with parameters / subtests after. */
function nameMatches(c: TestCase, d: TestDef): boolean {
  if (c.name === d.name) return true;
  if (c.name.startsWith(`${d.name}[`) || c.name.startsWith(`${d.name}/`) || c.name.startsWith(`${d.name} (`)) return true;
  // go subtests: "TestX/case_name" with spaces turned into underscores.
  const last = c.name.split("/").pop()!;
  return last === d.name.replace(/\s+/g, "_");
}

export async function buildEvidence(opts: { diff: BranchDiff; sources: Sources; head: TestRun | null; base: TestRun | null }): Promise<TestEvidence> {
  const { diff, sources } = opts;
  const ranFrom = new Set([...(opts.head?.cases ?? []), ...(opts.base?.cases ?? [])].map((c) => c.file).filter((f): f is string => !!f));
  const files: TestFile[] = [];
  for (const f of diff.files) {
    if (langOf(f.path) === "other") continue;
    const baseText = f.status === "added" ? null : await sources.base(f.path);
    const headText = f.status === "deleted" ? null : await sources.head(f.path);
    const baseDefs = baseText ? testDefinitions(f.path, baseText) : [];
    const headDefs = headText ? testDefinitions(f.path, headText) : [];
    const byPath = classifyPath(f.path) === "test";
    const defines = [...baseDefs, ...headDefs].some((d) => d.kind === "case");
    if (byPath || defines || ranFrom.has(f.path)) files.push({ path: f.path, status: f.status, baseText, headText, baseDefs, headDefs });
  }

  // Definitions at head for locating cases: the changed test files, then any file that may hold tests.
  const defsByFile = new Map<string, { text: string; defs: TestDef[] }>();
  for (const t of files) if (t.headText) defsByFile.set(t.path, { text: t.headText, defs: t.headDefs });
  const needsLookup = (opts.head?.cases ?? []).some((c) => !c.file || !c.line);
  if (needsLookup) {
    const tracked = (await sources.list()).filter((p) => langOf(p) !== "other" && mayHoldTests(p) && !defsByFile.has(p)).slice(0, 3000);
    for (const p of tracked) {
      const text = await sources.head(p);
      if (text) defsByFile.set(p, { text, defs: testDefinitions(p, text) });
    }
  }
  const helpers = new Map<string, ReturnType<typeof assertingHelpers>>();
  const baseByKey = new Map((opts.base?.cases ?? []).map((c) => [caseKey(c), c]));
  const baseByName = new Map<string, TestCase[]>();
  for (const c of opts.base?.cases ?? []) baseByName.set(c.fullName, [...(baseByName.get(c.fullName) ?? []), c]);

  const cases: LocatedCase[] = [];
  for (const c of opts.head?.cases ?? []) {
    let file = c.file;
    if (file && !defsByFile.has(file) && langOf(file) !== "other") {
      const text = await sources.head(file);
      if (text) defsByFile.set(file, { text, defs: testDefinitions(file, text) });
    }
    let def: TestDef | null = null;
    const candidates = file ? [[file, defsByFile.get(file)] as const] : [...defsByFile.entries()];
    for (const [path, entry] of candidates) {
      if (!entry) continue;
      const byLine = c.line ? entry.defs.find((d) => d.line === c.line) : undefined;
      const found = byLine ?? entry.defs.filter((d) => d.kind === "case" && nameMatches(c, d)).pop();
      if (found) {
        def = found;
        file = path;
        break;
      }
    }
    let strength: LocatedCase["strength"] = "unknown";
    if (def && file) {
      const entry = defsByFile.get(file)!;
      if (!helpers.has(file)) helpers.set(file, assertingHelpers(file, entry.text, entry.defs));
      strength = bodyStrength(file, entry.text, def, helpers.get(file));
    }
    const prior = baseByKey.get(caseKey(c)) ?? (baseByName.get(c.fullName)?.length === 1 ? baseByName.get(c.fullName)![0] : undefined);
    const before: LocatedCase["before"] = !opts.base ? "unknown" : prior ? prior.status : "absent";
    cases.push({ ...c, file, line: c.line ?? def?.line ?? null, def, strength, before });
  }
  return {
    head: opts.head,
    base: opts.base,
    headCounts: opts.head ? countCases(opts.head.cases) : null,
    baseCounts: opts.base ? countCases(opts.base.cases) : null,
    files,
    cases,
    texts: new Map([...defsByFile].map(([p, e]) => [p, e.text])),
  };
}

/** A case as "name (file:line)" for findings and the report. */
export function describeCase(c: Pick<TestCase, "fullName" | "file" | "line">): string {
  return `"${c.fullName}"${c.file ? ` (${c.file}${c.line ? `:${c.line}` : ""})` : ""}`;
}
