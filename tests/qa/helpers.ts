// Real git repositories for QA tests: a temp repo whose commits we script file by file.
import { mkdtemp, mkdir, writeFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { execa } from "execa";
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";

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
