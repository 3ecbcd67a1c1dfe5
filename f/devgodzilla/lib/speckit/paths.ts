// Spec Kit's repository layout and its feature-directory naming rules, reimplemented from
// scripts/bash/create-new-feature.sh (github/spec-kit 1.0.1) so a repository prepared by
// DevGodzilla is a valid Spec Kit repository and vice versa.

import { repoFiles } from "../repo/files.ts";
import * as path from "node:path";
import { InputError } from "../errors.ts";

// ---------------------------------------------------------------------------------------------
// Exported types

export interface FeaturePaths {
  /** Directory name, e.g. "003-user-auth". */
  feature: string;
  /** All paths relative to the repository root, POSIX separators. */
  dir: string;
  spec: string;
  plan: string;
  tasks: string;
  research: string;
  dataModel: string;
  quickstart: string;
  contracts: string;
  checklists: string;
  requirementsChecklist: string;
  /** Per-run execution artifacts (git-ignored in the target repo). */
  runtime: string;
}

export interface NewFeatureOptions {
  /** Short name given by the LLM or user (slugified as `--short-name` is). */
  shortName?: string;
  /** Feature description, used for the stop-word fallback when no short name is given. */
  description?: string;
  /** Explicit number: bumped to the next free one when its prefix is taken (as Spec Kit does). */
  number?: number;
  /** Use a YYYYMMDD-HHMMSS prefix instead of a sequential number. */
  timestamp?: Date;
}

export interface NewFeature {
  feature: string;
  featureNum: string;
  /** True when an explicit `number` collided and was bumped. */
  bumped: boolean;
}

// ---------------------------------------------------------------------------------------------
// Layout constants

export const SPECIFY_DIR = ".specify";
export const MEMORY_DIR = ".specify/memory";
export const CONSTITUTION_PATH = ".specify/memory/constitution.md";
export const TEMPLATES_DIR = ".specify/templates";
export const TEMPLATE_OVERRIDES_DIR = ".specify/templates/overrides";
export const INIT_OPTIONS_PATH = ".specify/init-options.json";
export const FEATURE_POINTER_PATH = ".specify/feature.json";
export const SPECS_DIR = "specs";
export const TEMPLATE_NAMES = ["spec", "plan", "tasks", "checklist", "constitution"] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

export function templatePath(name: TemplateName): string {
  return `${TEMPLATES_DIR}/${name}-template.md`;
}

/** GitHub's branch-name byte limit, which Spec Kit also applies to feature directory names. */
export const MAX_FEATURE_NAME_BYTES = 244;

const SEQUENTIAL_RE = /^[0-9]{3,}-/;
const TIMESTAMP_RE = /^[0-9]{8}-[0-9]{6}-/;
/**
 * A valid feature directory name: NNN-slug or YYYYMMDD-HHMMSS-slug. We generate lowercase slugs;
 * existing repositories sometimes use capitals, dots or underscores, which are accepted.
 */
export const FEATURE_NAME_RE = /^(?:[0-9]{8}-[0-9]{6}|[0-9]{3,})-[A-Za-z0-9][A-Za-z0-9._-]*$/;

// ---------------------------------------------------------------------------------------------
// Feature names

/**
 * Validates a feature directory name such as "003-user-auth" and returns it. Rejects anything
 * that could escape specs/ (`..`, separators, absolute paths) and anything not in Spec Kit's
 * `NNN-short-name` / `YYYYMMDD-HHMMSS-short-name` shape; the error names `field`.
 */
export function validateFeatureName(name: unknown, field = "feature"): string {
  if (typeof name !== "string" || name.length === 0) throw new InputError(field, "a feature name such as '003-user-auth' is required");
  if (/[\x00-\x1f\x7f]/.test(name)) throw new InputError(field, "contains control characters");
  if (path.isAbsolute(name) || name.startsWith("/") || /^[A-Za-z]:[\\/]/.test(name)) {
    throw new InputError(field, `'${name}' is an absolute path; give the directory name under specs/, e.g. '003-user-auth'`);
  }
  if (name.includes("..") || name.includes("/") || name.includes("\\")) {
    throw new InputError(field, `'${name}' would escape specs/: use a plain directory name such as '003-user-auth'`);
  }
  if (Buffer.byteLength(name) > MAX_FEATURE_NAME_BYTES) throw new InputError(field, `is longer than ${MAX_FEATURE_NAME_BYTES} bytes`);
  if (!FEATURE_NAME_RE.test(name)) {
    throw new InputError(
      field,
      `'${name}' is not a Spec Kit feature name`,
      "use NNN-short-name (e.g. 003-user-auth): at least 3 digits, a dash, then words joined by dashes",
    );
  }
  return name;
}

/** Paths of a feature's artifacts (relative, POSIX). Validates the name first. */
export function featurePaths(feature: string, field = "feature"): FeaturePaths {
  validateFeatureName(feature, field);
  const dir = `${SPECS_DIR}/${feature}`;
  return {
    feature,
    dir,
    spec: `${dir}/spec.md`,
    plan: `${dir}/plan.md`,
    tasks: `${dir}/tasks.md`,
    research: `${dir}/research.md`,
    dataModel: `${dir}/data-model.md`,
    quickstart: `${dir}/quickstart.md`,
    contracts: `${dir}/contracts`,
    checklists: `${dir}/checklists`,
    requirementsChecklist: `${dir}/checklists/requirements.md`,
    runtime: `${dir}/_runtime`,
  };
}

/** Resolves a repo-relative path inside `repoDir`, refusing anything that leaves it. */
export function resolveInside(repoDir: string, rel: string, field = "path"): string {
  const root = path.resolve(repoDir);
  const abs = path.resolve(root, rel);
  if (abs !== root && !abs.startsWith(root + path.sep)) throw new InputError(field, `'${rel}' is outside the repository`);
  return abs;
}

// ---------------------------------------------------------------------------------------------
// Numbering and short names (create-new-feature.sh)

const STOP_WORDS = new Set(
  (
    "i a an the to for of in on at by with from is are was were be been being have has had do does did will would " +
    "should could can may might must shall this that these those my your our their want need add get set"
  ).split(" "),
);

/** `clean_branch_name`: lowercase, non [a-z0-9] → '-', collapse, trim dashes. Used for `--short-name`. */
export function slugify(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]/g, "-")
    .replace(/-+/g, "-")
    .replace(/^-/, "")
    .replace(/-$/, "");
}

/**
 * `generate_branch_name`: drop stop words and words under 3 chars (unless the word appears as an
 * uppercase acronym in the original), keep the first 3 words (4 when there are exactly 4).
 * Falls back to the first 3 slug words, then to "feature" (e.g. a description with no ASCII words).
 */
export function shortNameFromDescription(description: string): string {
  const words = description
    .toLowerCase()
    .replace(/[^a-z0-9]/g, " ")
    .split(/\s+/)
    .filter(Boolean);
  const originalWords = new Set(description.split(/[^A-Za-z0-9_]+/).filter(Boolean));
  const meaningful = words.filter((w) => !STOP_WORDS.has(w) && (w.length >= 3 || originalWords.has(w.toUpperCase())));
  if (meaningful.length > 0) return meaningful.slice(0, meaningful.length === 4 ? 4 : 3).join("-");
  const fallback = slugify(description).split("-").filter(Boolean).slice(0, 3).join("-");
  return fallback || "feature";
}

/** Highest sequential number among specs/ directory names (timestamp dirs excluded). */
export function highestFeatureNumber(dirNames: Iterable<string>): number {
  let highest = 0;
  for (const d of dirNames) {
    if (!SEQUENTIAL_RE.test(d) || TIMESTAMP_RE.test(d)) continue;
    const n = Number.parseInt(/^[0-9]+/.exec(d)![0], 10);
    if (Number.isSafeInteger(n) && n > highest) highest = n;
  }
  return highest;
}

export function formatFeatureNum(n: number): string {
  return String(n).padStart(3, "0");
}

function timestampPrefix(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

/** `fit_branch_name`: `${num}-${suffix}` cut to 244 bytes, no trailing dash. */
export function fitFeatureName(featureNum: string, suffix: string): string {
  const name = `${featureNum}-${suffix}`;
  if (name.length <= MAX_FEATURE_NAME_BYTES) return name;
  const max = MAX_FEATURE_NAME_BYTES - featureNum.length - 1;
  return `${featureNum}-${suffix.slice(0, max).replace(/-$/, "")}`;
}

/**
 * Picks the next feature directory name given the existing specs/ directory names, exactly as
 * create-new-feature.sh does (pure; see allocateFeature for the filesystem version).
 */
export function nextFeatureName(existing: string[], opts: NewFeatureOptions): NewFeature {
  if (opts.shortName === undefined && !opts.description?.trim()) {
    throw new InputError("description", "a feature description (or a short name) is required");
  }
  const suffix = opts.shortName !== undefined ? slugify(opts.shortName) : shortNameFromDescription(opts.description!.trim());
  if (!suffix) throw new InputError("short_name", `'${opts.shortName}' has no letters or digits to name a directory with`);
  if (opts.timestamp) {
    const num = timestampPrefix(opts.timestamp);
    return { feature: fitFeatureName(num, suffix), featureNum: num, bumped: false };
  }
  if (opts.number !== undefined && (!Number.isSafeInteger(opts.number) || opts.number < 0)) {
    throw new InputError("number", `must be an unsigned integer, got '${opts.number}'`);
  }
  let n = opts.number ?? highestFeatureNumber(existing) + 1;
  let bumped = false;
  const prefixTaken = (num: string) => existing.some((d) => d.startsWith(`${num}-`));
  if (opts.number !== undefined && prefixTaken(formatFeatureNum(n))) {
    n = highestFeatureNumber(existing);
    do n++;
    while (prefixTaken(formatFeatureNum(n)));
    bumped = true;
  }
  const num = formatFeatureNum(n);
  return { feature: fitFeatureName(num, suffix), featureNum: num, bumped };
}

/** Lists specs/ directory names in `repoDir` (empty when there is no specs/; links out of it are not followed). */
export async function listFeatureDirs(repoDir: string): Promise<string[]> {
  const entries = await repoFiles(repoDir).list(SPECS_DIR);
  return entries
    .filter((e) => e.kind === "dir" && !e.link)
    .map((e) => e.name)
    .sort();
}

/** nextFeatureName against the specs/ directory of a checked-out repository. */
export async function allocateFeature(repoDir: string, opts: NewFeatureOptions): Promise<NewFeature & { paths: FeaturePaths }> {
  const next = nextFeatureName(await listFeatureDirs(repoDir), opts);
  return { ...next, paths: featurePaths(next.feature) };
}
