// The typed description of a target repository that every later step relies on: which languages
// and frameworks it uses and the project's OWN install / lint / typecheck / test commands.
// Commands are argv arrays run with execa (never shell strings) in `cwd` relative to the repo root.

import { z } from "zod";

export const COMMAND_KINDS = ["install", "lint", "typecheck", "test", "build", "format"] as const;
export type CommandKind = (typeof COMMAND_KINDS)[number];

export const ProjectCommandSchema = z.object({
  /** Program and arguments, e.g. ["npm", "run", "lint"]. */
  argv: z.array(z.string().min(1)).min(1),
  /** Directory relative to the repository root ("." for the root). */
  cwd: z.string().default("."),
  /** Where the command came from, e.g. "package.json scripts.lint" or "Makefile target test". */
  source: z.string(),
  /** True when guessed from tooling (e.g. tsconfig.json → tsc --noEmit) rather than declared by the project. */
  inferred: z.boolean().default(false),
});
export type ProjectCommand = z.infer<typeof ProjectCommandSchema>;

export const PackageManagerSchema = z.enum([
  "npm",
  "pnpm",
  "yarn",
  "bun",
  "uv",
  "poetry",
  "pdm",
  "pipenv",
  "pip",
  "cargo",
  "go",
  "maven",
  "gradle",
  "bundler",
  "composer",
  "dotnet",
]);
export type PackageManager = z.infer<typeof PackageManagerSchema>;

export const ProjectUnitSchema = z.object({
  /** Directory relative to the root ("." or e.g. "frontend"). */
  dir: z.string(),
  language: z.string(),
  packageManager: PackageManagerSchema.nullable(),
  /** The manifest that defines the unit (package.json, pyproject.toml, Cargo.toml, go.mod, ...). */
  manifest: z.string(),
  name: z.string().nullable(),
});
export type ProjectUnit = z.infer<typeof ProjectUnitSchema>;

const commandList = z.array(ProjectCommandSchema).default([]);

export const ProjectProfileSchema = z.object({
  /** Languages by number of source files, most first (e.g. ["typescript", "python"]). */
  languages: z.array(z.string()),
  primaryLanguage: z.string().nullable(),
  frameworks: z.array(z.string()),
  /** Package manager of the first (root-most) unit; null when there is none. */
  packageManager: PackageManagerSchema.nullable(),
  /** Every buildable unit found at the root and one directory level below. */
  units: z.array(ProjectUnitSchema),
  /** Commands per kind, the project's declared ones first; the first entry is the one to run. */
  commands: z.object({
    install: commandList,
    lint: commandList,
    typecheck: commandList,
    test: commandList,
    build: commandList,
    format: commandList,
  }),
  /** Manifest and config files that were read (relative paths). */
  manifests: z.array(z.string()),
  monorepo: z.boolean(),
  /** Spec Kit state of the repository. */
  speckit: z.object({
    hasConstitution: z.boolean(),
    hasTemplates: z.boolean(),
    specsCount: z.number().int().nonnegative(),
  }),
});
export type ProjectProfile = z.infer<typeof ProjectProfileSchema>;
