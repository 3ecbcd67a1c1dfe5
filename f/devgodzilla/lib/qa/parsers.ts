// Parsers for the output of common lint / typecheck / test tools into findings with file and line:
// TypeScript tsc, ESLint (stylish, unix and JSON), pytest, go test, cargo test, vitest, jest,
// node --test (TAP and spec reporters), plus generic "N passed, N failed" summaries.

import type { CheckKind, Finding } from "./types.ts";

export interface Parsed {
  findings: Finding[];
  counts?: { passed: number; failed: number; skipped: number };
  /** Which parsers recognised something. */
  tools: string[];
}

const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;

export function relPath(p: string, root: string): string {
  let out = p.trim().replace(/^file:\/\//, "");
  const r = root.endsWith("/") ? root : root + "/";
  if (out.startsWith(r)) out = out.slice(r.length);
  return out.replace(/^\.\//, "");
}

export function parseToolOutput(kind: CheckKind, output: string, root: string): Parsed {
  const text = output.replace(ANSI, "").replace(/\r/g, "");
  const lines = text.split("\n");
  const findings: Finding[] = [];
  const tools = new Set<string>();
  const sev = (isError: boolean): Finding["severity"] => (isError ? "blocking" : "warning");
  const add = (f: Omit<Finding, "source">, tool: string) => {
    tools.add(tool);
    if (findings.length < 200) findings.push({ source: "check", ...f });
  };
  let counts: Parsed["counts"];
  const setCounts = (passed: number, failed: number, skipped = 0) => {
    counts = { passed, failed, skipped };
  };

  // ---- tsc: "src/a.ts(3,7): error TS2322: …" or pretty "src/a.ts:3:7 - error TS2322: …"
  for (const l of lines) {
    const m = /^(.+?)\((\d+),(\d+)\): (error|warning) (TS\d+): (.+)$/.exec(l) ?? /^(.+?):(\d+):(\d+) - (error|warning) (TS\d+): (.+)$/.exec(l);
    if (m) add({ code: m[5], severity: sev(m[4] === "error"), message: m[6], file: relPath(m[1], root), line: Number(m[2]) }, "tsc");
  }

  // ---- ESLint JSON
  const trimmed = text.trim();
  if (trimmed.startsWith("[{") && trimmed.includes('"filePath"')) {
    try {
      for (const f of JSON.parse(trimmed) as Array<{ filePath: string; messages: Array<{ line?: number; severity: number; message: string; ruleId?: string | null }> }>) {
        for (const m of f.messages) add({ code: `ESLINT:${m.ruleId ?? "error"}`, severity: sev(m.severity === 2), message: m.message, file: relPath(f.filePath, root), line: m.line }, "eslint");
      }
    } catch {
      /* not JSON after all */
    }
  }
  // ---- ESLint stylish: a path line, then "  12:5  error  message  rule"
  let eslintFile: string | null = null;
  for (const l of lines) {
    if (/^(\/|\.{0,2}\/?[\w@.-]+\/)[^\s:]+\.\w+$/.test(l)) {
      eslintFile = l.trim();
      continue;
    }
    const m = /^\s+(\d+):(\d+)\s+(error|warning)\s+(.+?)(?:\s{2,}(\S+))?\s*$/.exec(l);
    if (m && eslintFile) add({ code: `ESLINT:${m[5] ?? "error"}`, severity: sev(m[3] === "error"), message: m[4], file: relPath(eslintFile, root), line: Number(m[1]) }, "eslint");
    else if (l.trim() === "") eslintFile = null;
  }
  // ---- ESLint unix: "/abs/a.js:3:7: msg [Error/no-undef]"
  for (const l of lines) {
    const m = /^(.+?):(\d+):(\d+): (.+) \[(Error|Warning)\/([^\]]+)\]$/.exec(l);
    if (m) add({ code: `ESLINT:${m[6]}`, severity: sev(m[5] === "Error"), message: m[4], file: relPath(m[1], root), line: Number(m[2]) }, "eslint");
  }

  // ---- pytest
  const pyLoc = new Map<string, { file: string; line: number }>();
  for (const l of lines) {
    const loc = /^(\S+\.py):(\d+): (\w*(Error|Exception|Failed)\w*)/.exec(l);
    if (loc) pyLoc.set(loc[1], { file: relPath(loc[1], root), line: Number(loc[2]) });
  }
  for (const l of lines) {
    const m = /^(FAILED|ERROR) (\S+?\.py)(?:::(\S+))?(?: - (.*))?$/.exec(l);
    if (m) {
      const loc = pyLoc.get(m[2]);
      add({ code: m[1] === "FAILED" ? "PYTEST_FAILED" : "PYTEST_ERROR", severity: "blocking", message: `${m[3] ?? m[2]}${m[4] ? `: ${m[4]}` : ""}`, file: relPath(m[2], root), line: loc?.line }, "pytest");
    }
    const s = /^=+ (.*\b(?:passed|failed|error|errors|skipped|no tests ran)\b.*) in [\d.]+s.* =+$/.exec(l);
    if (s) {
      const n = (w: string) => Number(new RegExp(`(\\d+) ${w}`).exec(s[1])?.[1] ?? 0);
      setCounts(n("passed"), n("failed") + n("errors?"), n("skipped"));
      tools.add("pytest");
    }
  }

  // ---- go test: "--- FAIL: TestX (0.00s)" then "    x_test.go:12: message"; build errors "./x.go:3:2: msg"
  let goPass = 0, goFail = 0, goSkip = 0, goSeen = false;
  for (let i = 0; i < lines.length; i++) {
    const m = /^\s*--- (FAIL|PASS|SKIP): (\S+) \(/.exec(lines[i]);
    if (!m) continue;
    goSeen = true;
    if (m[1] === "PASS") goPass++;
    else if (m[1] === "SKIP") goSkip++;
    else {
      goFail++;
      // Without -v the test's log lines follow "--- FAIL"; with -v they precede it (after "=== RUN").
      const goLoc = (l: string) => /^\s+(\S+?\.go):(\d+): (.+)$/.exec(l);
      let loc = goLoc(lines[i + 1] ?? "");
      for (let j = i - 1; !loc && j >= 0 && !lines[j].startsWith(`=== RUN   ${m[2]}`) && !/^\s*--- /.test(lines[j]); j--) loc = goLoc(lines[j]) ?? loc;
      add({ code: "GO_TEST_FAIL", severity: "blocking", message: `${m[2]}${loc ? `: ${loc[3]}` : ""}`, file: loc ? relPath(loc[1], root) : undefined, line: loc ? Number(loc[2]) : undefined }, "go test");
    }
  }
  if (goSeen) setCounts(goPass, goFail, goSkip);
  if (/^(FAIL|ok)\s+\S+/m.test(text)) {
    tools.add("go test");
    for (const l of lines) {
      const b = /^(\.?\.?\/?[\w./-]+\.go):(\d+):(\d+): (.+)$/.exec(l);
      if (b) add({ code: "GO_BUILD", severity: "blocking", message: b[4], file: relPath(b[1], root), line: Number(b[2]) }, "go test");
    }
    if (!goSeen) {
      const ok = (text.match(/^ok\s+\S+/gm) ?? []).length;
      const fail = (text.match(/^FAIL\s+\S+/gm) ?? []).length;
      setCounts(ok, fail);
    }
  }

  // ---- cargo test
  const panics = new Map<string, { file: string; line: number; msg: string }>();
  for (let i = 0; i < lines.length; i++) {
    const p = /^thread '([^']+)' panicked at ([^:]+):(\d+):\d+:?(?:\s*(.*))?$/.exec(lines[i]);
    if (p) panics.set(p[1], { file: relPath(p[2], root), line: Number(p[3]), msg: (p[4] || lines[i + 1] || "").trim() });
  }
  for (const l of lines) {
    const m = /^test (\S+) \.\.\. FAILED$/.exec(l);
    if (m) {
      const p = panics.get(m[1]);
      add({ code: "CARGO_TEST_FAIL", severity: "blocking", message: `${m[1]}${p ? `: ${p.msg}` : ""}`, file: p?.file, line: p?.line }, "cargo test");
    }
    const r = /^test result: (ok|FAILED)\. (\d+) passed; (\d+) failed; (\d+) ignored/.exec(l);
    if (r) {
      tools.add("cargo test");
      const prev = counts ?? { passed: 0, failed: 0, skipped: 0 };
      counts = { passed: prev.passed + Number(r[2]), failed: prev.failed + Number(r[3]), skipped: prev.skipped + Number(r[4]) };
    }
  }
  for (let i = 0; i < lines.length; i++) {
    const e = /^(error|warning)(\[(E\d+)\])?: (.+)$/.exec(lines[i]);
    const at = /^\s+--> ([^:]+):(\d+):\d+/.exec(lines[i + 1] ?? "");
    if (e && at && e[1] === "error") add({ code: e[3] ? `RUSTC_${e[3]}` : "RUSTC", severity: "blocking", message: e[4], file: relPath(at[1], root), line: Number(at[2]) }, "cargo");
  }

  // ---- vitest: " FAIL  tests/a.test.ts > suite > name" + " ❯ tests/a.test.ts:5:17"
  for (let i = 0; i < lines.length; i++) {
    const m = /^\s*FAIL\s+(\S+\.[cm]?[jt]sx?) > (.+)$/.exec(lines[i]);
    if (!m) continue;
    let loc: RegExpExecArray | null = null;
    for (let j = i + 1; j < Math.min(lines.length, i + 40) && !loc; j++) {
      if (/^\s*FAIL\s/.test(lines[j])) break;
      loc = /^\s*❯\s+(\S+?):(\d+):\d+/.exec(lines[j]);
    }
    const msg = lines.slice(i + 1, i + 6).find((x) => /Error|expected/i.test(x))?.trim() ?? "";
    add({ code: "VITEST_FAIL", severity: "blocking", message: `${m[2]}${msg ? `: ${msg}` : ""}`, file: relPath(loc ? loc[1] : m[1], root), line: loc ? Number(loc[2]) : undefined }, "vitest");
  }
  {
    const m = /^\s*Tests\s+(?:(\d+) failed)?(?:\s*\|\s*)?(?:(\d+) passed)?(?:\s*\|\s*)?(?:(\d+) skipped)?\s*\((\d+)\)/m.exec(text);
    if (m) setCounts(Number(m[2] ?? 0), Number(m[1] ?? 0), Number(m[3] ?? 0)), tools.add("vitest");
  }
  // ---- jest: "● suite › name" + "at … (tests/a.test.js:5:13)"; "Tests:  1 failed, 2 passed, 3 total"
  for (let i = 0; i < lines.length; i++) {
    const m = /^\s*● (.+ › .+|[^●]+)$/.exec(lines[i]);
    if (!m || /Console|Test suite failed to run/.test(m[1])) continue;
    let loc: RegExpExecArray | null = null;
    for (let j = i + 1; j < Math.min(lines.length, i + 40) && !loc; j++) {
      if (/^\s*● /.test(lines[j])) break;
      loc = /\(([^()\s]+?\.[cm]?[jt]sx?):(\d+):\d+\)/.exec(lines[j]) ?? /^\s+at (?:\S+ )?([^()\s]+?\.[cm]?[jt]sx?):(\d+):\d+$/.exec(lines[j]);
    }
    if (!loc || /node_modules/.test(loc[1])) continue;
    add({ code: "JEST_FAIL", severity: "blocking", message: m[1].trim(), file: relPath(loc[1], root), line: Number(loc[2]) }, "jest");
  }
  {
    const m = /^Tests:\s+(.*\d+ total)/m.exec(text);
    if (m) {
      const n = (w: string) => Number(new RegExp(`(\\d+) ${w}`).exec(m[1])?.[1] ?? 0);
      setCounts(n("passed"), n("failed"), n("skipped"));
      tools.add("jest");
    }
  }

  // ---- node --test, TAP: "not ok 1 - name" … "location: '/abs/x.test.js:3:1'" … "# pass 1"
  for (let i = 0; i < lines.length; i++) {
    const m = /^(\s*)not ok \d+ - (.+?)(?:\s+#.*)?$/.exec(lines[i]);
    if (!m) continue;
    let file: string | undefined, line: number | undefined, msg = "";
    for (let j = i + 1; j < Math.min(lines.length, i + 60); j++) {
      if (/^\s*(not )?ok \d+ /.test(lines[j]) || /^\s*\.\.\.\s*$/.test(lines[j])) break;
      const loc = /^\s+location: '(.+):(\d+):\d+'/.exec(lines[j]);
      if (loc) (file = relPath(loc[1], root)), (line = Number(loc[2]));
      const err = /^\s+error: (?:[|>][-+]?)?\s*['"]?(.*?)['"]?$/.exec(lines[j]);
      if (err && !msg) msg = err[1] || (lines[j + 1] ?? "").trim();
    }
    // Subtests are reported twice (the suite fails too); keep the innermost with a location.
    if (/^test failed$|^\d+ subtests? failed$/.test(msg) || /failureType: 'subtestsFailed'/.test(lines.slice(i, i + 10).join("\n"))) continue;
    add({ code: "NODE_TEST_FAIL", severity: "blocking", message: `${m[2]}${msg ? `: ${msg}` : ""}`, file, line }, "node --test");
  }
  {
    const p = /^# pass (\d+)$/m.exec(text), f = /^# fail (\d+)$/m.exec(text), s = /^# skipped (\d+)$/m.exec(text);
    if (p && f) setCounts(Number(p[1]), Number(f[1]), Number(s?.[1] ?? 0)), tools.add("node --test");
    const sp = /^ℹ pass (\d+)$/m.exec(text), sf = /^ℹ fail (\d+)$/m.exec(text), ss = /^ℹ skipped (\d+)$/m.exec(text);
    if (sp && sf) setCounts(Number(sp[1]), Number(sf[1]), Number(ss?.[1] ?? 0)), tools.add("node --test");
  }
  // spec reporter "✖ name (1.2ms)" + "at … (/abs/x.test.js:3:5)"
  if (tools.has("node --test") && !findings.some((f) => f.code === "NODE_TEST_FAIL")) {
    for (let i = 0; i < lines.length; i++) {
      const m = /^\s*✖ (.+?) \([\d.]+m?s\)$/.exec(lines[i]);
      if (!m || /^failing tests:$/.test(m[1])) continue;
      let loc: RegExpExecArray | null = null;
      for (let j = i + 1; j < Math.min(lines.length, i + 30) && !loc; j++) loc = /\((\/[^()\s]+?\.[cm]?[jt]s):(\d+):\d+\)/.exec(lines[j]);
      if (loc && /node:internal|node_modules/.test(loc[1])) loc = null;
      if (!findings.some((f) => f.message.startsWith(m[1]))) add({ code: "NODE_TEST_FAIL", severity: "blocking", message: m[1], file: loc ? relPath(loc[1], root) : undefined, line: loc ? Number(loc[2]) : undefined }, "node --test");
    }
  }

  // ---- mypy: "app/x.py:12: error: Incompatible types in assignment ... [assignment]"
  for (const l of lines) {
    const m = /^(\S+\.pyi?):(\d+)(?::\d+)?: (error|warning|note): (.+?)(?:\s+\[([\w-]+)\])?$/.exec(l);
    if (m && m[3] !== "note") add({ code: `MYPY:${m[5] ?? m[3]}`, severity: sev(m[3] === "error"), message: m[4], file: relPath(m[1], root), line: Number(m[2]) }, "mypy");
  }
  // ---- ruff / flake8 / pylint (parseable): "app/x.py:3:1: F401 [*] `os` imported but unused"
  for (const l of lines) {
    const m = /^(\S+\.pyi?):(\d+):(\d+): ([A-Z]{1,4}\d{2,4})\b(?: \[\*\])? (.+)$/.exec(l);
    if (m) add({ code: `PYLINT:${m[4]}`, severity: "blocking", message: m[5], file: relPath(m[1], root), line: Number(m[2]) }, "ruff/flake8");
  }
  // ---- go vet / staticcheck / golangci-lint: "./x.go:10:2: message" (build errors are handled above)
  if (kind !== "test") {
    for (const l of lines) {
      const m = /^(?:vet: )?(\.?\.?\/?[\w./-]+\.go):(\d+):(\d+): (.+)$/.exec(l);
      if (m && !findings.some((f) => f.file === relPath(m[1], root) && f.line === Number(m[2]))) add({ code: "GO_LINT", severity: "blocking", message: m[4], file: relPath(m[1], root), line: Number(m[2]) }, "go vet");
    }
  }
  // ---- anything else that speaks "file:line:col: message" (linters, compilers), only when nothing
  // above recognised the output, so the report still points at a place.
  if (kind !== "test" && findings.length === 0) {
    for (const l of lines) {
      const m = /^([\w@./-]+\.[A-Za-z]{1,6}):(\d+)(?::\d+)?:? (?:(error|warning)[:\s]+)?(.{3,})$/.exec(l);
      if (m && !/^https?:/.test(m[1])) add({ code: "LINT", severity: m[3] === "warning" ? "warning" : "blocking", message: m[4].trim(), file: relPath(m[1], root), line: Number(m[2]) }, "generic");
    }
  }

  // ---- generic closing line: "N passed, N failed"
  if (!counts) {
    const g = /^(?:\w+: )?(\d+) passed, (\d+) failed(?:, (\d+) skipped)?$/m.exec(text);
    if (g) setCounts(Number(g[1]), Number(g[2]), Number(g[3] ?? 0)), tools.add("generic");
  }
  void kind;
  return { findings, counts, tools: [...tools] };
}
