// Creates the Spec Kit scaffolding a repository needs (.specify/memory/constitution.md and
// .specify/templates/*-template.md) WITHOUT overwriting anything the project already has, and
// makes sure per-run artifacts (specs/*/_runtime/) are git-ignored. Reads and writes go through the
// repository-files gateway: a scaffold file that is a link out of the repository is an error, never
// followed.

import { repoFiles, RepoPathError } from "../repo/files.ts";
import { renderDefaultConstitution } from "./constitution.ts";
import { CONSTITUTION_PATH, TEMPLATE_NAMES, templatePath } from "./paths.ts";
import { SPECKIT_TEMPLATE_FILES } from "./templates.ts";

export interface ScaffoldResult {
  /** Files created (repo-relative). */
  created: string[];
  /** Existing files changed (only .gitignore, by appending). */
  updated: string[];
  /** Files left as the project had them. */
  kept: string[];
}

export interface ScaffoldOptions {
  projectName?: string;
  /** ISO date for the constitution's Ratified / Last Amended lines. */
  date?: string;
}

export const RUNTIME_IGNORE = "specs/*/_runtime/";

export async function ensureSpeckitScaffold(repoDir: string, opts: ScaffoldOptions = {}): Promise<ScaffoldResult> {
  const files = repoFiles(repoDir);
  const created: string[] = [];
  const updated: string[] = [];
  const kept: string[] = [];
  const want: [string, () => string][] = [
    [CONSTITUTION_PATH, () => renderDefaultConstitution({ projectName: opts.projectName, date: opts.date })],
    ...TEMPLATE_NAMES.map((n) => [templatePath(n), () => SPECKIT_TEMPLATE_FILES[`${n}-template.md`]!] as [string, () => string]),
  ];
  for (const [rel, content] of want) {
    if (files.exists(rel)) {
      kept.push(rel);
      continue;
    }
    refuseIfRefused(files.refused, rel);
    files.writeText(rel, content(), { exclusive: true });
    created.push(rel);
  }
  const current = await files.readText(".gitignore");
  refuseIfRefused(files.refused, ".gitignore");
  const lines = (current ?? "").split(/\r?\n/).map((l) => l.trim());
  if (!lines.includes(RUNTIME_IGNORE) && !lines.includes("_runtime/") && !lines.includes("**/_runtime/")) {
    const sep = current && !current.endsWith("\n") ? "\n" : "";
    files.writeText(".gitignore", `${current ?? ""}${sep}# DevGodzilla per-run execution artifacts\n${RUNTIME_IGNORE}\n`);
    (current === null ? created : updated).push(".gitignore");
  }
  return { created, updated, kept };
}

/** A scaffold file the gateway refused (a link out of the repository) is an error, not "missing". */
function refuseIfRefused(refused: readonly { path: string; reason: string }[], rel: string): void {
  const r = refused.find((x) => x.path === rel);
  if (r) throw new RepoPathError(rel, r.reason);
}
