// JavaScript test runners: vitest, jest, node --test (TAP and spec reporters).
import { relPath, type OutputParser } from "./collector.ts";

/** vitest: " FAIL  file > suite > name" + " ❯ file:line:col"; the Tests summary. */
export const vitest: OutputParser = ({ text, lines, root, tools, add, setCounts }) => {
  // vitest: " FAIL  tests/a.test.ts > suite > name" + " ❯ tests/a.test.ts:5:17"
  for (let i = 0; i < lines.length; i++) {
    const m = /^\s*FAIL\s+(\S+\.[cm]?[jt]sx?) > (.+)$/.exec(lines[i]);
    if (!m) continue;
    let loc: RegExpExecArray | null = null;
    for (let j = i + 1; j < Math.min(lines.length, i + 40) && !loc; j++) {
      if (/^\s*FAIL\s/.test(lines[j])) break;
      loc = /^\s*❯\s+(\S+?):(\d+):\d+/.exec(lines[j]);
    }
    const msg =
      lines
        .slice(i + 1, i + 6)
        .find((x) => /Error|expected/i.test(x))
        ?.trim() ?? "";
    add(
      {
        code: "VITEST_FAIL",
        severity: "blocking",
        message: `${m[2]}${msg ? `: ${msg}` : ""}`,
        file: relPath(loc ? loc[1] : m[1], root),
        line: loc ? Number(loc[2]) : undefined,
      },
      "vitest",
    );
  }
  {
    const m = /^\s*Tests\s+(?:(\d+) failed)?(?:\s*\|\s*)?(?:(\d+) passed)?(?:\s*\|\s*)?(?:(\d+) skipped)?\s*\((\d+)\)/m.exec(text);
    if (m) (setCounts(Number(m[2] ?? 0), Number(m[1] ?? 0), Number(m[3] ?? 0)), tools.add("vitest"));
  }
};

/** jest: "● suite › name" + its stack location; the Tests: summary. */
export const jest: OutputParser = ({ text, lines, root, tools, add, setCounts }) => {
  // jest: "● suite › name" + "at … (tests/a.test.js:5:13)"; "Tests:  1 failed, 2 passed, 3 total"
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
};

/** node --test: TAP "not ok" with location, spec reporter "✖", pass/fail counts. */
export const nodeTest: OutputParser = ({ text, lines, root, findings, tools, add, setCounts }) => {
  // node --test, TAP: "not ok 1 - name" … "location: '/abs/x.test.js:3:1'" … "# pass 1"
  for (let i = 0; i < lines.length; i++) {
    const m = /^(\s*)not ok \d+ - (.+?)(?:\s+#.*)?$/.exec(lines[i]);
    if (!m) continue;
    let file: string | undefined,
      line: number | undefined,
      msg = "";
    for (let j = i + 1; j < Math.min(lines.length, i + 60); j++) {
      if (/^\s*(not )?ok \d+ /.test(lines[j]) || /^\s*\.\.\.\s*$/.test(lines[j])) break;
      const loc = /^\s+location: '(.+):(\d+):\d+'/.exec(lines[j]);
      if (loc) ((file = relPath(loc[1], root)), (line = Number(loc[2])));
      const err = /^\s+error: (?:[|>][-+]?)?\s*['"]?(.*?)['"]?$/.exec(lines[j]);
      if (err && !msg) msg = err[1] || (lines[j + 1] ?? "").trim();
    }
    // Subtests are reported twice (the suite fails too); keep the innermost with a location.
    if (/^test failed$|^\d+ subtests? failed$/.test(msg) || /failureType: 'subtestsFailed'/.test(lines.slice(i, i + 10).join("\n"))) continue;
    add({ code: "NODE_TEST_FAIL", severity: "blocking", message: `${m[2]}${msg ? `: ${msg}` : ""}`, file, line }, "node --test");
  }
  {
    const p = /^# pass (\d+)$/m.exec(text),
      f = /^# fail (\d+)$/m.exec(text),
      s = /^# skipped (\d+)$/m.exec(text);
    if (p && f) (setCounts(Number(p[1]), Number(f[1]), Number(s?.[1] ?? 0)), tools.add("node --test"));
    const sp = /^ℹ pass (\d+)$/m.exec(text),
      sf = /^ℹ fail (\d+)$/m.exec(text),
      ss = /^ℹ skipped (\d+)$/m.exec(text);
    if (sp && sf) (setCounts(Number(sp[1]), Number(sf[1]), Number(ss?.[1] ?? 0)), tools.add("node --test"));
  }
  // spec reporter "✖ name (1.2ms)" + "at … (/abs/x.test.js:3:5)"
  if (tools.has("node --test") && !findings.some((f) => f.code === "NODE_TEST_FAIL")) {
    for (let i = 0; i < lines.length; i++) {
      const m = /^\s*✖ (.+?) \([\d.]+m?s\)$/.exec(lines[i]);
      if (!m || /^failing tests:$/.test(m[1])) continue;
      let loc: RegExpExecArray | null = null;
      for (let j = i + 1; j < Math.min(lines.length, i + 30) && !loc; j++) loc = /\((\/[^()\s]+?\.[cm]?[jt]s):(\d+):\d+\)/.exec(lines[j]);
      if (loc && /node:internal|node_modules/.test(loc[1])) loc = null;
      if (!findings.some((f) => f.message.startsWith(m[1])))
        add(
          {
            code: "NODE_TEST_FAIL",
            severity: "blocking",
            message: m[1],
            file: loc ? relPath(loc[1], root) : undefined,
            line: loc ? Number(loc[2]) : undefined,
          },
          "node --test",
        );
    }
  }
};
