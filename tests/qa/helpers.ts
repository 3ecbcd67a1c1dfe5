// Real git repositories for QA tests: a temp repo whose commits we script file by file.
import { mkdtemp, mkdir, writeFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { execa } from "execa";
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { runQaInDir, type QaTask } from "../../f/devgodzilla/lib/qa/run.ts";
import { parseQaConfig } from "../../f/devgodzilla/lib/qa/config.ts";
import { featurePaths } from "../../f/devgodzilla/lib/speckit/paths.ts";
import type { Judge } from "../../f/devgodzilla/lib/qa/checklist.ts";
import type { Verdict } from "../../f/devgodzilla/lib/qa/types.ts";

export interface TempRepo {
  dir: string;
  git: (...args: string[]) => Promise<string>;
  commit: (message: string, files: Record<string, string>) => Promise<string>;
  head: () => Promise<string>;
  cleanup: () => Promise<void>;
}

export async function tempRepo(prefix = "dg-qa-"): Promise<TempRepo> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const env = { GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com" };
  const git = async (...args: string[]) => (await execa("git", args, { cwd: dir, env })).stdout;
  await git("init", "-q", "-b", "main");
  await git("config", "commit.gpgsign", "false");
  const commit = async (message: string, files: Record<string, string>) => {
    for (const [p, content] of Object.entries(files)) {
      await mkdir(dirname(join(dir, p)), { recursive: true });
      await writeFile(join(dir, p), content);
      await git("add", "--", p);
    }
    await git("commit", "-q", "--allow-empty", "-m", message);
    return git("rev-parse", "HEAD");
  };
  return { dir, git, commit, head: () => git("rev-parse", "HEAD"), cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * The reviewer tests' repository, written into `dir` (created): feature 001-greet's spec and plan
 * on a base commit, then task T003's change to src/greet.js. Synchronous, for beforeAll.
 */
export function greetRepo(dir: string): { base: string; head: string; git: (...args: string[]) => string } {
  const git = (...args: string[]) => execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...args], { cwd: dir, encoding: "utf8" }).trim();
  mkdirSync(join(dir, "src"), { recursive: true });
  mkdirSync(join(dir, "specs/001-greet"), { recursive: true });
  git("init", "-q", "-b", "main");
  writeFileSync(join(dir, "specs/001-greet/spec.md"), "# Feature Specification: Greet\n\n- **FR-002**: System MUST greet the user by name.\n");
  writeFileSync(join(dir, "specs/001-greet/plan.md"), "# Implementation Plan: Greet\n");
  writeFileSync(join(dir, "src/greet.js"), "export const greet = () => 'hi';\n");
  git("add", "-A");
  git("commit", "-q", "-m", "base");
  const base = git("rev-parse", "HEAD");
  writeFileSync(join(dir, "src/greet.js"), "export function greet(name) {\n  return 'hello';\n}\n");
  git("commit", "-qam", "T003 greet");
  return { base, head: git("rev-parse", "HEAD"), git };
}

// ---------------------------------------------------------------- QA over a temp repository

/** The test command a QA test gives the profile: node's own runner unless told otherwise. */
export const NODE_TEST = [process.execPath, "--test"];

export interface QaOn {
  feature?: string;
  test?: string[] | null;
  task?: QaTask | null;
  outcome?: string | null;
  judge?: Judge | null;
  config?: unknown;
  story?: string | null;
}

/** runQaInDir on a temp repository's base..head, with its tests run in the sandbox. */
export async function qaOn(dir: string, base: string, head: string, opts: QaOn = {}): Promise<{ verdict: Verdict; markdown: string }> {
  const test = opts.test === undefined ? NODE_TEST : opts.test;
  const commands = {
    install: [],
    lint: [],
    typecheck: [],
    build: [],
    format: [],
    test: test ? [{ argv: test, cwd: ".", source: "test", inferred: false }] : [],
  };
  return runQaInDir({
    dir,
    base,
    head,
    branch: "work",
    feature: featurePaths(opts.feature ?? "001-cart"),
    commands,
    config: parseQaConfig(opts.config ?? { checks: { timeout_seconds: 60 } }),
    judge: opts.judge ?? null,
    task: opts.task ?? null,
    outcome: opts.outcome ?? null,
    story: opts.story ?? null,
  });
}

export const codesOf = (v: Verdict) => v.blocking.map((f) => f.code);

/** A one-package Node project whose tests run with `node --test` (what onboarding detects for the QA fixtures). */
export const NODE_TEST_PROFILE = {
  languages: ["javascript"],
  primaryLanguage: "javascript",
  frameworks: [],
  packageManager: "npm",
  units: [{ dir: ".", language: "javascript", packageManager: "npm", manifest: "package.json", name: "shop" }],
  commands: {
    install: [],
    lint: [],
    typecheck: [],
    test: [{ argv: [process.execPath, "--test"], cwd: ".", source: "package.json scripts.test", inferred: false }],
    build: [],
    format: [],
  },
  manifests: ["package.json"],
  monorepo: false,
  speckit: { hasConstitution: false, hasTemplates: false, specsCount: 1 },
};
