// Python tools: pytest, mypy, ruff / flake8 / pylint.
import { relPath, sev, type OutputParser } from "./collector.ts";

/** pytest: FAILED/ERROR lines with the assertion location, and the closing summary. */
export const pytest: OutputParser = ({ lines, root, tools, add, setCounts }) => {
  // pytest
  const pyLoc = new Map<string, { file: string; line: number }>();
  for (const l of lines) {
    const loc = /^(\S+\.py):(\d+): (\w*(Error|Exception|Failed)\w*)/.exec(l);
    if (loc) pyLoc.set(loc[1], { file: relPath(loc[1], root), line: Number(loc[2]) });
  }
  for (const l of lines) {
    const m = /^(FAILED|ERROR) (\S+?\.py)(?:::(\S+))?(?: - (.*))?$/.exec(l);
    if (m) {
      const loc = pyLoc.get(m[2]);
      add(
        {
          code: m[1] === "FAILED" ? "PYTEST_FAILED" : "PYTEST_ERROR",
          severity: "blocking",
          message: `${m[3] ?? m[2]}${m[4] ? `: ${m[4]}` : ""}`,
          file: relPath(m[2], root),
          line: loc?.line,
        },
        "pytest",
      );
    }
    const s = /^=+ (.*\b(?:passed|failed|error|errors|skipped|no tests ran)\b.*) in [\d.]+s.* =+$/.exec(l);
    if (s) {
      const n = (w: string) => Number(new RegExp(`(\\d+) ${w}`).exec(s[1])?.[1] ?? 0);
      setCounts(n("passed"), n("failed") + n("errors?"), n("skipped"));
      tools.add("pytest");
    }
  }
};

/** mypy: "app/x.py:12: error: … [code]". */
export const mypy: OutputParser = ({ lines, root, add }) => {
  // mypy: "app/x.py:12: error: Incompatible types in assignment ... [assignment]"
  for (const l of lines) {
    const m = /^(\S+\.pyi?):(\d+)(?::\d+)?: (error|warning|note): (.+?)(?:\s+\[([\w-]+)\])?$/.exec(l);
    if (m && m[3] !== "note")
      add({ code: `MYPY:${m[5] ?? m[3]}`, severity: sev(m[3] === "error"), message: m[4], file: relPath(m[1], root), line: Number(m[2]) }, "mypy");
  }
};

/** ruff / flake8 / pylint (parseable): "app/x.py:3:1: F401 [*] …". */
export const pythonLint: OutputParser = ({ lines, root, add }) => {
  // ruff / flake8 / pylint (parseable): "app/x.py:3:1: F401 [*] `os` imported but unused"
  for (const l of lines) {
    const m = /^(\S+\.pyi?):(\d+):(\d+): ([A-Z]{1,4}\d{2,4})\b(?: \[\*\])? (.+)$/.exec(l);
    if (m) add({ code: `PYLINT:${m[4]}`, severity: "blocking", message: m[5], file: relPath(m[1], root), line: Number(m[2]) }, "ruff/flake8");
  }
};
