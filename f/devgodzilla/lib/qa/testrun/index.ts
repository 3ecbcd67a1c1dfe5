// Reading back what the runners wrote: every result source the reporter plan named that exists
// (a file, or the command's stdout for go and cargo), merged into one TestRun. null when no source
// produced anything — the caller falls back to the console text.

import { readFile } from "node:fs/promises";
import { isAbsolute, join, relative } from "node:path";
import { readJunit } from "./junit.ts";
import { readCargoJson, readGoJson, readJestJson, readMochaJson, readNodeEvents, type Read, type ReadContext } from "./readers.ts";
import type { ReporterPlan, ResultSource } from "./runners.ts";
import type { LoadError, RunnerId, TestCase, TestRun } from "./model.ts";

export { planReporters, runnerOfArgv, packageScriptRunner } from "./runners.ts";
export type { ReporterPlan, ResultSource } from "./runners.ts";
export { NODE_REPORTER_SOURCE } from "./readers.ts";
export * from "./model.ts";

/** A runner path (absolute, file://…, ./x) as a path relative to the repository root. */
export function repoRelative(root: string): (p: string) => string {
  return (p: string) => {
    const clean = p.trim().replace(/^file:\/\//, "");
    if (!isAbsolute(clean)) return clean.replace(/^\.\//, "");
    const rel = relative(root, clean);
    return rel.startsWith("..") ? clean : rel;
  };
}

function readSource(src: ResultSource, text: string, ctx: ReadContext): Read {
  switch (src.format) {
    case "junit":
      return { cases: readJunit(text, { relPath: ctx.relPath, zeroBasedLines: src.runner === "pytest" }), errors: [] };
    case "jest-json":
      return readJestJson(text, ctx);
    case "mocha-json":
      return readMochaJson(text, ctx);
    case "node-events":
      return readNodeEvents(text, ctx);
    case "go-json":
      return readGoJson(text);
    case "cargo-json":
      return readCargoJson(text);
  }
}

/**
 * Results of one run. `root` is the repository root (paths become relative to it); `cwd` the
 * command's directory (runners that print relative paths print them from there).
 */
export async function readResults(plan: ReporterPlan, stdout: string, root: string): Promise<{ run: TestRun | null; problems: string[] }> {
  const cases: TestCase[] = [];
  const errors: LoadError[] = [];
  const runners = new Set<RunnerId>();
  const formats = new Set<ResultSource["format"]>();
  const problems: string[] = [];
  const toRoot = repoRelative(root);
  const ctx: ReadContext = {
    relPath: (p) => {
      const clean = p.trim().replace(/^file:\/\//, "");
      return toRoot(isAbsolute(clean) ? clean : join(plan.cwd, clean));
    },
  };
  const seenFiles = new Set<string>();
  for (const src of plan.sources) {
    if (src.path === "stdout" && src.format === "mocha-json" && seenFiles.has("mocha")) continue;
    const text = src.path === "stdout" ? stdout : await readFile(src.path, "utf8").catch(() => null);
    if (text === null) continue;
    if (!text.trim()) {
      // The runner opened its result file and reported nothing: it ran, and no test ran.
      if (src.path !== "stdout") runners.add(src.runner), formats.add(src.format);
      continue;
    }
    try {
      const r = readSource(src, text, ctx);
      cases.push(...r.cases);
      errors.push(...r.errors);
      runners.add(src.runner);
      formats.add(src.format);
      if (src.runner === "mocha") seenFiles.add("mocha");
    } catch (e) {
      // stdout that is not the format (the runner was not what the command ran) is no problem.
      if (src.path !== "stdout") problems.push(`${src.runner} results in ${src.format} could not be read: ${(e as Error).message.slice(0, 200)}`);
    }
  }
  if (!runners.size) return { run: null, problems };
  return { run: { runners: [...runners], format: [...formats][0]!, cases, errors }, problems };
}
