// Shared fixtures for the platform tests: a real bare git remote with a base branch and a run
// branch carrying Spec Kit artifacts.
import { execFile } from "node:child_process";
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export async function git(cwd: string, ...args: string[]): Promise<string> {
  const env = { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com" };
  return (await run("git", args, { cwd, env })).stdout.trim();
}

export interface RemoteFixture {
  root: string;
  remote: string;
  work: string;
  baseCommit: string;
  runCommit: string;
  runBranch: string;
  /** Commits on `branch` in the work clone and returns the new sha (not pushed). */
  commitFile(file: string, content: string, message: string): Promise<string>;
  cleanup(): Promise<void>;
}

export const SPEC_MD = `# Feature Specification: Greeting endpoint

**Feature Branch**: \`001-greeting\`
**Input**: User description: "Add a /hello endpoint that greets the user by name"

## User Scenarios & Testing
A visitor calls /hello?name=Ada and reads "Hello, Ada".
`;

export const TASKS_MD = `# Tasks: Greeting endpoint

## Phase 1: Setup
- [x] T001 Create src/hello.ts
- [x] T002 [P] Add tests in tests/hello.test.ts
- [ ] T003 Document the endpoint in README.md
`;

/** Bare remote with `main` and a pushed run branch `devgodzilla/001-greeting` holding spec artifacts. */
export async function makeRemote(opts: { pushRunBranch?: boolean } = {}): Promise<RemoteFixture> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), "dg-platform-"));
  const remote = path.join(root, "remote.git");
  const work = path.join(root, "work");
  await git(root, "init", "--quiet", "--bare", "--initial-branch=main", remote);
  await git(root, "clone", "--quiet", remote, work);
  await fs.writeFile(path.join(work, "README.md"), "# sample\n");
  await git(work, "add", "-A");
  await git(work, "commit", "--quiet", "-m", "init");
  await git(work, "push", "--quiet", "origin", "HEAD:refs/heads/main");
  const baseCommit = await git(work, "rev-parse", "HEAD");
  const runBranch = "devgodzilla/001-greeting";
  await git(work, "checkout", "--quiet", "-b", runBranch);
  await fs.mkdir(path.join(work, "specs/001-greeting"), { recursive: true });
  await fs.writeFile(path.join(work, "specs/001-greeting/spec.md"), SPEC_MD);
  await fs.writeFile(path.join(work, "specs/001-greeting/tasks.md"), TASKS_MD);
  await git(work, "add", "-A");
  await git(work, "commit", "--quiet", "-m", "spec");
  const runCommit = await git(work, "rev-parse", "HEAD");
  if (opts.pushRunBranch !== false) await git(work, "push", "--quiet", "origin", `HEAD:refs/heads/${runBranch}`);
  return {
    root,
    remote,
    work,
    baseCommit,
    runCommit,
    runBranch,
    async commitFile(file, content, message) {
      await fs.mkdir(path.dirname(path.join(work, file)), { recursive: true });
      await fs.writeFile(path.join(work, file), content);
      await git(work, "add", "-A");
      await git(work, "commit", "--quiet", "-m", message);
      return git(work, "rev-parse", "HEAD");
    },
    cleanup: () => fs.rm(root, { recursive: true, force: true }),
  };
}
