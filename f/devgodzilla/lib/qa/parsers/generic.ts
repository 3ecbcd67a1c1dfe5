// Output no specific parser knows: "file:line:col: message" lines, "N passed, N failed" summaries.
import { relPath, type OutputParser } from "./collector.ts";

/** "file:line:col: message" (linters, compilers), only when nothing else recognised the output. */
export const fileLineMessage: OutputParser = ({ lines, root, kind, findings, add }) => {
  // anything else that speaks "file:line:col: message" (linters, compilers), only when nothing
  // above recognised the output, so the report still points at a place.
  if (kind !== "test" && findings.length === 0) {
    for (const l of lines) {
      const m = /^([\w@./-]+\.[A-Za-z]{1,6}):(\d+)(?::\d+)?:? (?:(error|warning)[:\s]+)?(.{3,})$/.exec(l);
      if (m && !/^https?:/.test(m[1]))
        add(
          { code: "LINT", severity: m[3] === "warning" ? "warning" : "blocking", message: m[4].trim(), file: relPath(m[1], root), line: Number(m[2]) },
          "generic",
        );
    }
  }
};

/** The plain closing line "N passed, N failed" (", N skipped"), when no runner set counts. */
export const passedFailed: OutputParser = (c) => {
  const { text, tools, add, setCounts } = c;
  // generic closing line: "N passed, N failed"
  if (!c.counts) {
    const g = /^(?:\w+: )?(\d+) passed, (\d+) failed(?:, (\d+) skipped)?$/m.exec(text);
    if (g) (setCounts(Number(g[1]), Number(g[2]), Number(g[3] ?? 0)), tools.add("generic"));
  }
};
