// Rust: cargo test (failed tests with their panic location, result lines) and rustc errors.
import { relPath, type OutputParser } from "./collector.ts";

/** cargo test and rustc errors. */
export const cargo: OutputParser = (c) => {
  const { lines, root, tools, add } = c;
  // cargo test
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
      const prev = c.counts ?? { passed: 0, failed: 0, skipped: 0 };
      c.counts = { passed: prev.passed + Number(r[2]), failed: prev.failed + Number(r[3]), skipped: prev.skipped + Number(r[4]) };
    }
  }
  for (let i = 0; i < lines.length; i++) {
    const e = /^(error|warning)(\[(E\d+)\])?: (.+)$/.exec(lines[i]);
    const at = /^\s+--> ([^:]+):(\d+):\d+/.exec(lines[i + 1] ?? "");
    if (e && at && e[1] === "error")
      add({ code: e[3] ? `RUSTC_${e[3]}` : "RUSTC", severity: "blocking", message: e[4], file: relPath(at[1], root), line: Number(at[2]) }, "cargo");
  }
};
