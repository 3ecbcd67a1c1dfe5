// Creates the Spec Kit scaffolding a repository needs (.specify/memory/constitution.md and
// .specify/templates/*-template.md) WITHOUT overwriting anything the project already has, and
// makes sure per-run artifacts (specs/*/_runtime/) are git-ignored.

import * as fs from "node:fs/promises";
import * as path from "node:path";
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

async function exists(p: string): Promise<boolean> {
  return fs.stat(p).then(() => true, () => false);
}

export async function ensureSpeckitScaffold(repoDir: string, opts: ScaffoldOptions = {}): Promise<ScaffoldResult> {
  const created: string[] = [];
  const updated: string[] = [];
  const kept: string[] = [];
  const want: [string, () => string][] = [
    [CONSTITUTION_PATH, () => renderDefaultConstitution({ projectName: opts.projectName, date: opts.date })],
    ...TEMPLATE_NAMES.map((n) => [templatePath(n), () => SPECKIT_TEMPLATE_FILES[`${n}-template.md`]!] as [string, () => string]),
  ];
  for (const [rel, content] of want) {
    const abs = path.join(repoDir, rel);
    if (await exists(abs)) {
      kept.push(rel);
      continue;
    }
    await fs.mkdir(path.dirname(abs), { recursive: true });
    await fs.writeFile(abs, content(), { flag: "wx" });
    created.push(rel);
  }
  const gi = path.join(repoDir, ".gitignore");
  const current = await fs.readFile(gi, "utf8").catch(() => null);
  const lines = (current ?? "").split(/\r?\n/).map((l) => l.trim());
  if (!lines.includes(RUNTIME_IGNORE) && !lines.includes("_runtime/") && !lines.includes("**/_runtime/")) {
    const sep = current && !current.endsWith("\n") ? "\n" : "";
    await fs.writeFile(gi, `${current ?? ""}${sep}# DevGodzilla per-run execution artifacts\n${RUNTIME_IGNORE}\n`);
    (current === null ? created : updated).push(".gitignore");
  }
  return { created, updated, kept };
}
