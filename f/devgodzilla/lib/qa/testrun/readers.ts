// Readers for the JSON formats of the common runners, each into TestCase[]:
//   jest / vitest  --json / --reporter=json (testResults[].assertionResults[])
//   mocha          --reporter json (tests, pending, failures)
//   node:test      the events our reporter module writes, one JSON object a line
//   go test -json  test2json events (run / pass / fail / skip per Test)
//   cargo test     libtest's JSON events (`-Z unstable-options --format json`)

import { ResultFormatError, sep, type LoadError, type TestCase } from "./model.ts";

export interface ReadContext {
  /** Turns a runner's path (absolute, file://, ./) into a repository-relative one. */
  relPath: (p: string) => string;
  /** The command's stderr (cargo writes its compile errors there, the JSON events to stdout). */
  stderr?: string;
}

export interface Read {
  cases: TestCase[];
  errors: LoadError[];
}

const firstLines = (s: unknown, n = 6): string | undefined =>
  typeof s === "string" && s.trim() ? s.trim().split("\n").slice(0, n).join("\n").slice(0, 800) : undefined;

// ---------------------------------------------------------------- jest and vitest

interface JestAssertion {
  ancestorTitles?: string[];
  title?: string;
  fullName?: string;
  status?: string;
  failureMessages?: string[];
  location?: { line?: number } | null;
}
interface JestFile {
  name?: string;
  testFilePath?: string;
  status?: string;
  message?: string;
  failureMessage?: string;
  assertionResults?: JestAssertion[];
  testResults?: JestAssertion[];
}

export function readJestJson(text: string, ctx: ReadContext): Read {
  const doc = JSON.parse(text) as { testResults?: JestFile[] };
  if (!Array.isArray(doc.testResults)) throw new ResultFormatError("not a jest/vitest JSON report (no testResults)");
  const cases: TestCase[] = [];
  const errors: LoadError[] = [];
  for (const f of doc.testResults) {
    const file = f.name ?? f.testFilePath ?? null;
    const rel = file ? ctx.relPath(file) : null;
    const results = f.assertionResults ?? f.testResults ?? [];
    // A file that failed with no test results did not load (syntax error, bad import).
    if (!results.length && f.status === "failed") errors.push({ file: rel, message: firstLines(f.message || f.failureMessage) ?? "the file failed to load" });
    for (const a of results) {
      const status = a.status === "passed" ? "passed" : a.status === "failed" ? "failed" : a.status === "todo" ? "todo" : "skipped";
      cases.push({
        name: a.title ?? a.fullName ?? "",
        fullName: sep([...(a.ancestorTitles ?? []), a.title ?? ""]) || (a.fullName ?? ""),
        file: rel,
        line: a.location?.line ?? null,
        status,
        ...(status === "failed" ? { message: firstLines(a.failureMessages?.join("\n")) } : {}),
      });
    }
  }
  return { cases, errors };
}

// ---------------------------------------------------------------- mocha

interface MochaTest {
  title?: string;
  fullTitle?: string;
  file?: string;
  err?: { message?: string };
}

/** mocha's json reporter; `text` may have console output around the JSON object when it went to stdout. */
export function readMochaJson(text: string, ctx: ReadContext): Read {
  const start = text.search(/\{\s*"stats"\s*:/);
  if (start < 0) throw new ResultFormatError("not a mocha JSON report (no stats)");
  const doc = JSON.parse(text.slice(start, text.lastIndexOf("}") + 1)) as { tests?: MochaTest[]; pending?: MochaTest[]; failures?: MochaTest[] };
  const failed = new Set((doc.failures ?? []).map((t) => `${t.file}\0${t.fullTitle}`));
  const pending = new Set((doc.pending ?? []).map((t) => `${t.file}\0${t.fullTitle}`));
  const cases: TestCase[] = [];
  const errors: LoadError[] = [];
  for (const t of doc.tests ?? []) {
    const key = `${t.file}\0${t.fullTitle}`;
    cases.push({
      name: t.title ?? "",
      fullName: t.fullTitle ?? t.title ?? "",
      file: t.file ? ctx.relPath(t.file) : null,
      line: null,
      status: pending.has(key) ? "skipped" : failed.has(key) ? "failed" : "passed",
      ...(failed.has(key) ? { message: firstLines(t.err?.message) } : {}),
    });
  }
  // Hook failures ("before all" hook) are failures that are not in `tests`.
  for (const f of doc.failures ?? []) {
    if (!cases.some((c) => c.fullName === f.fullTitle))
      errors.push({ file: f.file ? ctx.relPath(f.file) : null, message: `${f.fullTitle ?? ""}: ${firstLines(f.err?.message) ?? "failed"}` });
  }
  return { cases, errors };
}

// ---------------------------------------------------------------- node:test (our reporter's events)

interface NodeEvent {
  type: string;
  name?: string;
  nesting?: number;
  file?: string;
  line?: number;
  skip?: boolean | string;
  todo?: boolean | string;
  suite?: boolean;
  error?: string;
  failureType?: string;
}

export function readNodeEvents(text: string, ctx: ReadContext): Read {
  const cases: TestCase[] = [];
  const errors: LoadError[] = [];
  // Events of a suite's children arrive before the suite's own; the suite path comes from the
  // `test:start` order, kept per file as a stack indexed by nesting.
  const stack = new Map<string, string[]>();
  for (const raw of text.split("\n")) {
    if (!raw.trim()) continue;
    let e: NodeEvent;
    try {
      e = JSON.parse(raw) as NodeEvent;
    } catch {
      continue;
    }
    const fileKey = e.file ?? "";
    const path = stack.get(fileKey) ?? [];
    if (e.type === "test:start") {
      path.length = e.nesting ?? 0;
      path.push(e.name ?? "");
      stack.set(fileKey, path);
      continue;
    }
    if (e.type !== "test:pass" && e.type !== "test:fail") continue;
    const rel = e.file ? ctx.relPath(e.file) : null;
    // A file whose top-level "test" is the file itself failed to load (node reports it as a failing test named after the file).
    if (
      e.type === "test:fail" &&
      e.nesting === 0 &&
      e.file &&
      e.name &&
      (e.file.endsWith(e.name) || (e.failureType === "testCodeFailure" && e.name === e.file))
    ) {
      errors.push({ file: rel, message: firstLines(e.error) ?? "the file failed to load" });
      continue;
    }
    if (e.suite) continue;
    const suites = path.slice(0, e.nesting ?? 0);
    const status = e.todo ? "todo" : e.skip ? "skipped" : e.type === "test:pass" ? "passed" : "failed";
    cases.push({
      name: e.name ?? "",
      fullName: sep([...suites, e.name ?? ""]),
      file: rel,
      line: e.line ?? null,
      status,
      ...(status === "failed" ? { message: firstLines(e.error) } : {}),
    });
  }
  return { cases, errors };
}

/**
 * The reporter module node's test runner loads (`--test-reporter=<file>`): it writes one JSON
 * object per event with the test's name, nesting, file, line and outcome — the data node's own
 * reporters print, in a form we can read back exactly.
 */
export const NODE_REPORTER_SOURCE = `// Written by DevGodzilla QA: node:test events as JSON lines.
export default async function* devgodzillaReporter(source) {
  for await (const event of source) {
    const d = event.data || {};
    if (event.type === "test:start") {
      yield JSON.stringify({ type: event.type, name: d.name, nesting: d.nesting, file: d.file, line: d.line }) + "\\n";
    } else if (event.type === "test:pass" || event.type === "test:fail") {
      const err = d.details && d.details.error;
      const cause = err && err.cause ? err.cause : err;
      yield JSON.stringify({
        type: event.type, name: d.name, nesting: d.nesting, file: d.file, line: d.line,
        skip: d.skip, todo: d.todo, suite: !!(d.details && d.details.type === "suite"),
        failureType: err && err.failureType, error: cause ? String(cause.message || cause).slice(0, 2000) : undefined,
      }) + "\\n";
    }
  }
}
`;

// ---------------------------------------------------------------- go test -json

interface GoEvent {
  Action?: string;
  Package?: string;
  Test?: string;
  Output?: string;
}

export function readGoJson(text: string): Read {
  const cases = new Map<string, TestCase>();
  const output = new Map<string, string[]>();
  const errors: LoadError[] = [];
  const pkgOutput = new Map<string, string[]>();
  let events = 0;
  for (const raw of text.split("\n")) {
    if (!raw.startsWith("{")) continue;
    let e: GoEvent;
    try {
      e = JSON.parse(raw) as GoEvent;
    } catch {
      continue;
    }
    events++;
    const pkg = e.Package ?? "";
    if (!e.Test) {
      if (e.Action === "output" && e.Output) (pkgOutput.get(pkg) ?? pkgOutput.set(pkg, []).get(pkg)!).push(e.Output);
      // A package that fails with no test results did not build.
      if (e.Action === "fail" && ![...cases.values()].some((c) => c.fullName.startsWith(`${pkg} › `))) {
        errors.push({ file: null, message: `${pkg}: ${(pkgOutput.get(pkg) ?? []).join("").trim().split("\n").slice(0, 6).join("\n") || "build failed"}` });
      }
      continue;
    }
    const key = `${pkg}\0${e.Test}`;
    if (e.Action === "output" && e.Output) (output.get(key) ?? output.set(key, []).get(key)!).push(e.Output);
    if (e.Action !== "pass" && e.Action !== "fail" && e.Action !== "skip") continue;
    const status = e.Action === "pass" ? "passed" : e.Action === "fail" ? "failed" : "skipped";
    cases.set(key, {
      name: e.Test,
      fullName: sep([pkg, e.Test]),
      file: null,
      line: null,
      status,
      ...(status !== "passed"
        ? { message: firstLines((output.get(key) ?? []).filter((l) => !/^(=== RUN|--- (PASS|FAIL|SKIP))/.test(l.trim())).join("")) }
        : {}),
    });
  }
  if (!events) throw new ResultFormatError("no go test -json events");
  // A parent test that only groups subtests is not a test of its own.
  const all = [...cases.values()];
  return { cases: all.filter((c) => !all.some((o) => o !== c && o.fullName.startsWith(`${c.fullName}/`))), errors };
}

// ---------------------------------------------------------------- cargo test (libtest JSON)

/**
 * A test target that did not compile: cargo prints no event for it, only rustc's errors on stderr
 * (`error[E0425]: …` / `--> tests/total.rs:4:5` / `error: could not compile `shop` (test "total")`).
 */
function cargoCompileErrors(stderr: string, ctx: ReadContext): LoadError[] {
  const failed = [...stderr.matchAll(/^error: could not compile `[^`]+`(?: \((\w+) "([^"]+)"\))?/gm)];
  if (!failed.length) return [];
  const first = /^(error(?:\[E\d+\])?: .+)\n\s*--> ([^:\n]+):\d+/m.exec(stderr);
  return [
    {
      file: first ? ctx.relPath(first[2]!) : null,
      message: `${failed.map((m) => (m[2] ? `${m[1]} ${m[2]}` : "the crate")).join(", ")} did not compile${first ? `: ${first[1]}` : ""}`,
    },
  ];
}

export function readCargoJson(text: string, ctx: ReadContext = { relPath: (p) => p }): Read {
  const cases: TestCase[] = [];
  let events = 0;
  for (const raw of text.split("\n")) {
    if (!raw.trim().startsWith("{")) continue;
    let e: { type?: string; event?: string; name?: string; stdout?: string; message?: string };
    try {
      e = JSON.parse(raw);
    } catch {
      continue;
    }
    events++;
    if (e.type !== "test" || !e.name || e.event === "started") continue;
    const status = e.event === "ok" ? "passed" : e.event === "failed" ? "failed" : "skipped";
    const name = e.name.split("::").pop() ?? e.name;
    cases.push({
      name,
      fullName: e.name.split("::").join(" › "),
      file: null,
      line: null,
      status,
      ...(status === "failed" ? { message: firstLines(e.stdout ?? e.message) } : {}),
    });
  }
  const errors = cargoCompileErrors(ctx.stderr ?? "", ctx);
  if (!events && !errors.length) throw new ResultFormatError("no libtest JSON events");
  return { cases, errors };
}
