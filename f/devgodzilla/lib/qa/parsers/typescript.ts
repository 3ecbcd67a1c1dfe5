// TypeScript and ESLint output.
import { relPath, sev, type OutputParser } from "./collector.ts";

/** tsc: "src/a.ts(3,7): error TS2322: …" or pretty "src/a.ts:3:7 - error TS2322: …". */
export const tsc: OutputParser = ({ lines, root, add }) => {
  // tsc: "src/a.ts(3,7): error TS2322: …" or pretty "src/a.ts:3:7 - error TS2322: …"
  for (const l of lines) {
    const m = /^(.+?)\((\d+),(\d+)\): (error|warning) (TS\d+): (.+)$/.exec(l) ?? /^(.+?):(\d+):(\d+) - (error|warning) (TS\d+): (.+)$/.exec(l);
    if (m) add({ code: m[5], severity: sev(m[4] === "error"), message: m[6], file: relPath(m[1], root), line: Number(m[2]) }, "tsc");
  }
};

/** ESLint: JSON, stylish and unix formats. */
export const eslint: OutputParser = ({ text, lines, root, add }) => {
  // ESLint JSON
  const trimmed = text.trim();
  if (trimmed.startsWith("[{") && trimmed.includes('"filePath"')) {
    try {
      for (const f of JSON.parse(trimmed) as Array<{
        filePath: string;
        messages: Array<{ line?: number; severity: number; message: string; ruleId?: string | null }>;
      }>) {
        for (const m of f.messages)
          add(
            { code: `ESLINT:${m.ruleId ?? "error"}`, severity: sev(m.severity === 2), message: m.message, file: relPath(f.filePath, root), line: m.line },
            "eslint",
          );
      }
    } catch {
      /* not JSON after all */
    }
  }
  // ESLint stylish: a path line, then "  12:5  error  message  rule"
  let eslintFile: string | null = null;
  for (const l of lines) {
    if (/^(\/|\.{0,2}\/?[\w@.-]+\/)[^\s:]+\.\w+$/.test(l)) {
      eslintFile = l.trim();
      continue;
    }
    const m = /^\s+(\d+):(\d+)\s+(error|warning)\s+(.+?)(?:\s{2,}(\S+))?\s*$/.exec(l);
    if (m && eslintFile)
      add({ code: `ESLINT:${m[5] ?? "error"}`, severity: sev(m[3] === "error"), message: m[4], file: relPath(eslintFile, root), line: Number(m[1]) }, "eslint");
    else if (l.trim() === "") eslintFile = null;
  }
  // ESLint unix: "/abs/a.js:3:7: msg [Error/no-undef]"
  for (const l of lines) {
    const m = /^(.+?):(\d+):(\d+): (.+) \[(Error|Warning)\/([^\]]+)\]$/.exec(l);
    if (m) add({ code: `ESLINT:${m[6]}`, severity: sev(m[5] === "Error"), message: m[4], file: relPath(m[1], root), line: Number(m[2]) }, "eslint");
  }
};
