// Empty and off-scope work, judged from what the diff does:
//   NO_CHANGE       nothing changed (outside DevGodzilla's own run records), or execute_task said
//                   `no_change`: the task was not done
//   NO_CODE_CHANGE  the task names code (or test) files and the change touches no code and no test:
//                   a README or a config file instead of the work
//   OFF_SCOPE       code changed far from the files the task declares: not one of them, not under
//                   a directory it names, not a test, not a manifest, not in the same package (Go,
//                   Java: one directory), and not imported by (or importing) one of them. Code
//                   blocks; docs and config only warn.

import { classifyPath } from "../project/files.ts";
import type { BranchDiff } from "./diff.ts";
import type { Sources } from "./sources.ts";
import type { Finding } from "./types.ts";

export type ScopeFinding = Omit<Finding, "source">;

export interface QaTask {
  id: string;
  description: string;
  /** Files and directories the task names (directories end with "/"). */
  files: string[];
  story: string | null;
  /** Indented lines under the task in tasks.md. */
  body?: string;
}

const MANIFEST =
  /(^|\/)(package(-lock)?\.json|npm-shrinkwrap\.json|pnpm-lock\.yaml|yarn\.lock|bun\.lockb?|go\.(mod|sum)|Cargo\.(toml|lock)|pyproject\.toml|poetry\.lock|uv\.lock|Pipfile(\.lock)?|requirements[^/]*\.txt|setup\.(py|cfg)|Gemfile(\.lock)?|composer\.(json|lock)|pom\.xml|build\.gradle(\.kts)?|tsconfig[^/]*\.json|\.gitignore)$/;

/** Files DevGodzilla writes itself (run records and reports), which are not the task's work. */
export function isRunRecord(path: string): boolean {
  return /(^|\/)specs\/[^/]+\/_runtime\//.test(path);
}

/** The work files a change touched (run records left out). */
export function workFiles(diff: BranchDiff): BranchDiff["files"] {
  return diff.files.filter((f) => !isRunRecord(f.path));
}

/** Languages where the files of one directory form one unit without importing each other (a Go or Java package). */
const PACKAGE_DIR = /\.(go|java|kt|cs|swift)$/;
const dirOf = (p: string) => p.split("/").slice(0, -1).join("/");

const stemOf = (p: string) => (p.split("/").pop() ?? p).replace(/\.[^.]+$/, "");
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Does `text` import / require / use a module named like `path` (JS, Python, Go, Rust, Java …)? */
function mentionsModule(text: string, path: string): boolean {
  const stem = escape(stemOf(path));
  const dir = escape(path.split("/").slice(0, -1).pop() ?? "");
  const re = new RegExp(
    `["'\`][^"'\`\\n]*\\b${stem}(?:\\.[a-z]+)?["'\`]|\\bfrom\\s+[\\w.]*\\b${stem}\\b|\\bimport\\s+[\\w.]*\\b${stem}\\b|\\b(?:mod|use)\\s+[\\w:]*\\b${stem}\\b${dir ? `|["'][^"'\\n]*/${dir}["']` : ""}`,
  );
  return re.test(text);
}

export interface ScopeInput {
  diff: BranchDiff;
  sources: Sources;
  task: QaTask | null;
  /** execute_task's outcome when the flow passed it ("changed", "no_change", …). */
  outcome?: string | null;
  feature: { dir: string };
}

export async function checkEmptyWork(input: ScopeInput): Promise<ScopeFinding[]> {
  const work = workFiles(input.diff);
  if (!work.length || input.outcome === "no_change") {
    return [
      {
        code: "NO_CHANGE",
        severity: "blocking",
        message:
          input.outcome === "no_change" && work.length
            ? "The agent reported that it changed nothing (outcome no_change)"
            : `Nothing changed between ${input.diff.base.slice(0, 12)} and ${input.diff.head.slice(0, 12)}${input.task ? `: task ${input.task.id} was not done` : ""}`,
        fix: "Do the task: the change must contain the work it describes. If the work already exists, say so in the task (and in tasks.md) instead of passing an empty change.",
      },
    ];
  }
  const declared = input.task?.files ?? [];
  const wantsCode = declared.some((f) => !f.endsWith("/") && (classifyPath(f) === "code" || classifyPath(f) === "test"));
  const touched = work.filter((f) => f.status !== "deleted" || classifyPath(f.path) !== "test").map((f) => classifyPath(f.path));
  if (wantsCode && !touched.includes("code") && !touched.includes("test")) {
    return [
      {
        code: "NO_CODE_CHANGE",
        severity: "blocking",
        message: `Task ${input.task!.id} names ${declared
          .filter((f) => classifyPath(f) === "code" || classifyPath(f) === "test")
          .slice(0, 4)
          .join(", ")} but the change touches no code or test: only ${work
          .map((f) => f.path)
          .slice(0, 5)
          .join(", ")}`,
        file: work[0]!.path,
        fix: "Change the code the task is about; documentation alone does not implement it.",
      },
    ];
  }
  return [];
}

export async function checkScope(input: ScopeInput): Promise<ScopeFinding[]> {
  const declared = (input.task?.files ?? []).filter(Boolean);
  if (!declared.length) return [];
  const dirs = declared.filter((f) => f.endsWith("/"));
  const files = declared.filter((f) => !f.endsWith("/"));
  const inScope = (p: string) =>
    files.includes(p) || dirs.some((d) => p.startsWith(d)) || p.startsWith(`${input.feature.dir}/`) || MANIFEST.test(p) || classifyPath(p) === "test";
  const candidates = workFiles(input.diff).filter((f) => !inScope(f.path));
  if (!candidates.length) return [];
  // Related code: a declared file imports it, or it imports a declared file (a helper, an index).
  const declaredTexts = (await Promise.all(files.map((f) => input.sources.head(f)))).filter((t): t is string => !!t);
  const out: ScopeFinding[] = [];
  for (const f of candidates) {
    const kind = classifyPath(f.path);
    if (kind === "code") {
      if (PACKAGE_DIR.test(f.path) && files.some((d) => dirOf(d) === dirOf(f.path) && d.split(".").pop() === f.path.split(".").pop())) continue;
      if (declaredTexts.some((t) => mentionsModule(t, f.path))) continue;
      const own = f.status === "deleted" ? await input.sources.base(f.path) : await input.sources.head(f.path);
      if (own && files.some((d) => mentionsModule(own, d))) continue;
    }
    const added = input.diff.added.find((l) => l.file === f.path);
    out.push({
      code: "OFF_SCOPE",
      severity: kind === "code" ? "blocking" : "warning",
      file: f.path,
      line: added?.line,
      message: `${f.path} (${kind}, ${f.status}) is outside task ${input.task!.id}'s files (${declared.slice(0, 4).join(", ")}) and not related to them`,
      fix:
        kind === "code"
          ? "Keep the change to the task's files and what they use; propose other changes as their own task."
          : "Check that this change belongs to the task.",
    });
  }
  return out;
}
