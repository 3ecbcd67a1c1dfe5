// Reading back what the runners wrote: every result source the reporter plan named that exists
// (a file, or the command's stdout for go and cargo), merged into one TestRun. null when no source
// produced anything — the caller falls back to the console text.

import { basename, dirname, isAbsolute, join, relative } from "node:path";
import { repoFiles } from "../../repo/files.ts";
import { readJunit } from "./junit.ts";
import { readCargoJson, readGoJson, readJestJson, readMochaJson, readNodeEvents, type Read, type ReadContext } from "./readers.ts";
import type { ReporterPlan, ResultSource } from "./runners.ts";
import type { LoadError, RunnerId, TestCase, TestRun } from "./model.ts";

export { planReporters, runnerOfArgv, packageScriptRunner } from "./runners.ts";
export type { ReporterPlan, ResultSource } from "./runners.ts";
export { NODE_REPORTER_SOURCE } from "./readers.ts";
export * from "./model.ts";

/**
 * A result file the sandboxed test command wrote: read through the files gateway of its folder, so
 * a command that replaced it by a link (to the runner's resources file, a host key) is not followed.
 */
function readResultFile(file: string): Promise<string | null> {
  return repoFiles(dirname(file)).readText(basename(file), { maxBytes: 256 * 1024 * 1024 });
}

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
      return readJunit(text, { relPath: ctx.relPath, zeroBasedLines: src.runner === "pytest" });
    case "jest-json":
      return readJestJson(text, ctx);
    case "mocha-json":
      return readMochaJson(text, ctx);
    case "node-events":
      return readNodeEvents(text, ctx);
    case "go-json":
      return readGoJson(text);
    case "cargo-json":
      return readCargoJson(text, ctx);
  }
}

/**
 * Results of one run. `root` is the repository root (paths become relative to it); `cwd` the
 * command's directory (runners that print relative paths print them from there).
 */
export async function readResults(plan: ReporterPlan, stdout: string, root: string, stderr = ""): Promise<{ run: TestRun | null; problems: string[] }> {
  const cases: TestCase[] = [];
  const errors: LoadError[] = [];
  const runners = new Set<RunnerId>();
  const formats = new Set<ResultSource["format"]>();
  const problems: string[] = [];
  const toRoot = repoRelative(root);
  const ctx: ReadContext = {
    stderr,
    relPath: (p) => {
      const clean = p.trim().replace(/^file:\/\//, "");
      return toRoot(isAbsolute(clean) ? clean : join(plan.cwd, clean));
    },
  };
  const seenFiles = new Set<string>();
  for (const src of plan.sources) {
    if (src.path === "stdout" && src.format === "mocha-json" && seenFiles.has("mocha")) continue;
    const text = src.path === "stdout" ? stdout : await readResultFile(src.path);
    if (text === null) continue;
    if (!text.trim() && !(src.format === "cargo-json" && /^error: could not compile/m.test(stderr))) {
      // The runner opened its result file and reported nothing: it ran, and no test ran.
      if (src.path !== "stdout") (runners.add(src.runner), formats.add(src.format));
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
