// Go: go test (failures, build errors, package summaries) and go vet / staticcheck / golangci-lint.
import { relPath, type OutputParser } from "./collector.ts";

/** go test: "--- FAIL: TestX" with its log location, build errors, counts. */
export const goTest: OutputParser = ({ text, lines, root, tools, add, setCounts }) => {
  // go test: "--- FAIL: TestX (0.00s)" then "    x_test.go:12: message"; build errors "./x.go:3:2: msg"
  let goPass = 0,
    goFail = 0,
    goSkip = 0,
    goSeen = false;
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
      add(
        {
          code: "GO_TEST_FAIL",
          severity: "blocking",
          message: `${m[2]}${loc ? `: ${loc[3]}` : ""}`,
          file: loc ? relPath(loc[1], root) : undefined,
          line: loc ? Number(loc[2]) : undefined,
        },
        "go test",
      );
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
};

/** go vet / staticcheck / golangci-lint: "./x.go:10:2: message" (not for test runs). */
export const goLint: OutputParser = ({ lines, root, kind, findings, add }) => {
  // go vet / staticcheck / golangci-lint: "./x.go:10:2: message" (build errors are handled above)
  if (kind !== "test") {
    for (const l of lines) {
      const m = /^(?:vet: )?(\.?\.?\/?[\w./-]+\.go):(\d+):(\d+): (.+)$/.exec(l);
      if (m && !findings.some((f) => f.file === relPath(m[1], root) && f.line === Number(m[2])))
        add({ code: "GO_LINT", severity: "blocking", message: m[4], file: relPath(m[1], root), line: Number(m[2]) }, "go vet");
    }
  }
};
