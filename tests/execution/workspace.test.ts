// Task worktrees, context files, artifacts capture and merging into the run branch, on real git
// repositories (a bare remote in a temp dir).
import { describe, it, expect, beforeEach, afterEach } from "vitest";
import { createHash } from "node:crypto";
import { readFile, writeFile, rm, mkdir, rename } from "node:fs/promises";
import { existsSync } from "node:fs";
import path from "node:path";
import { createFixtureRemote, gitIn, tempDir, type FixtureRemote } from "../helpers/git-fixtures.ts";
import { prepareTaskWorkspace, writeTaskContext, taskBranchName, constitutionExcerpt } from "../../f/devgodzilla/lib/workspace/task.ts";
import { captureArtifacts } from "../../f/devgodzilla/lib/workspace/artifacts.ts";
import { classifyPath } from "../../f/devgodzilla/lib/project/files.ts";
import { openRunBranch } from "../../f/devgodzilla/lib/workspace/merge.ts";
import { commitAll, pushBranch } from "../../f/devgodzilla/lib/git.ts";
import { Redactor } from "../../f/devgodzilla/lib/redact.ts";

let fx: FixtureRemote;
let cache: { dir: string; cleanup(): Promise<void> };
let work: { dir: string; cleanup(): Promise<void> };
const FEATURE = "001-demo";

beforeEach(async () => {
  fx = await createFixtureRemote("node");
  cache = await tempDir("dg-cache-");
  work = await tempDir("dg-work-");
});
afterEach(async () => {
  await fx.cleanup();
  await cache.cleanup();
  await work.cleanup();
});

/** git's object id of a blob (sha1 repositories): sha1 of "blob <size>\0<content>". */
const gitBlobId = (s: string) =>
  createHash("sha1")
    .update(`blob ${Buffer.byteLength(s)}\0${s}`)
    .digest("hex");
const ws = (taskId: string, commit: string) =>
  prepareTaskWorkspace({ repo: fx.remote, commit, feature: FEATURE, taskId, cacheDir: cache.dir, workRoot: work.dir });

describe("task workspace", () => {
  it("checks out the exact commit given on a task branch, not the branch head", async () => {
    const later = await fx.commit({ "LATER.md": "later\n" });
    const w = await ws("T001", fx.seed);
    expect(w.base).toBe(fx.seed);
    expect(w.branch).toBe("devgodzilla/001-demo-tasks/T001");
    expect(existsSync(path.join(w.dir, "LATER.md"))).toBe(false);
    expect((await gitIn(w.dir, ["rev-parse", "HEAD"])).trim()).toBe(fx.seed);
    expect((await gitIn(w.dir, ["branch", "--show-current"])).trim()).toBe(w.branch);
    expect(later).not.toBe(fx.seed);
    await w.cleanup();
    expect(existsSync(w.dir)).toBe(false);
  });

  it("rejects a task id that would make a bad branch or path, before touching git", async () => {
    expect(() => taskBranchName(FEATURE, "../x")).toThrow(/task.id/);
    await expect(ws("T 1", fx.seed)).rejects.toThrow(/task.id/);
  });

  it("writes context files under specs/<feature>/_runtime/<task> that git never commits", async () => {
    const w = await ws("T002", fx.seed);
    const ctx = await writeTaskContext(w.dir, {
      feature: FEATURE,
      task: { id: "T002", description: "Add a sum function in src/sum.ts", files: ["src/sum.ts"] },
      spec: "# Spec\nSum numbers.",
      plan: "# Plan\nUse TypeScript.",
      constitution: "# Constitution\n## I. Library-first\nEvery feature is a library.\nmore\nmore\nmore\n## II. Test-first\nTests before code.",
      dependencies: [{ id: "T001", description: "setup", summary: "Created package.json", changedFiles: ["package.json"] }],
    });
    expect(ctx.dir).toBe("specs/001-demo/_runtime/T002");
    expect(ctx.files).toEqual(
      expect.arrayContaining([
        `${ctx.dir}/task.md`,
        `${ctx.dir}/spec.md`,
        `${ctx.dir}/plan.md`,
        `${ctx.dir}/constitution-excerpt.md`,
        `${ctx.dir}/dependencies.md`,
      ]),
    );
    expect(ctx.contextNote).toContain(`${ctx.dir}/task.md`);
    expect(ctx.contextNote).toContain(`Do not edit anything under \`${ctx.dir}\``);
    expect(await readFile(path.join(w.dir, ctx.dir, "dependencies.md"), "utf8")).toContain("Created package.json");
    const status = await gitIn(w.dir, ["status", "--porcelain", "--untracked-files=all"]);
    expect(status).toBe("");
    expect(await commitAll(w.dir, "nothing")).toBeNull();
    await w.cleanup();
  });

  it("keeps only principle headings and their first lines in the constitution excerpt", () => {
    const ex = constitutionExcerpt("# C\n## I. A\nl1\nl2\nl3\nl4\nl5\n## II. B\nx");
    expect(ex).toContain("## I. A");
    expect(ex).toContain("l3");
    expect(ex).not.toContain("l4");
    expect(ex).toContain("## II. B");
  });
});

describe("captureArtifacts", () => {
  it("lists added, modified, deleted and renamed files with kind, git object id and size; diff and logs redacted", async () => {
    const w = await ws("T003", fx.seed);
    const secret = "hunter2-super-secret-value";
    await mkdir(path.join(w.dir, "src"), { recursive: true });
    await writeFile(path.join(w.dir, "src", "sum.ts"), `export const sum = (a: number, b: number) => a + b; // ${secret}\n`);
    await mkdir(path.join(w.dir, "tests"), { recursive: true });
    await writeFile(path.join(w.dir, "tests", "sum.test.ts"), "test('sum', () => {});\n");
    await writeFile(path.join(w.dir, "README.md"), "# demo-node\n\nNow with sums. token ghp_abcdefghijklmnopqrstuvwxyz0123456789\n");
    const pkg = JSON.parse(await readFile(path.join(w.dir, "package.json"), "utf8"));
    await rm(path.join(w.dir, "package.json"));
    await writeFile(path.join(w.dir, "notes.bin"), Buffer.from([0, 1, 2, 3]));
    const ctx = await writeTaskContext(w.dir, { feature: FEATURE, task: { id: "T003", description: "x" } });

    const redactor = new Redactor([secret]);
    const a = await captureArtifacts({ dir: w.dir, base: w.base, redactor, logs: { agent: `used key ${secret}\nok` }, exclude: [ctx.dir], stage: false });
    const byPath = Object.fromEntries(a.files.map((f) => [f.path, f]));
    expect(Object.keys(byPath).sort()).toEqual(["README.md", "notes.bin", "package.json", "src/sum.ts", "tests/sum.test.ts"]);
    expect(byPath["src/sum.ts"]).toMatchObject({ status: "added", kind: "code" });
    expect(byPath["tests/sum.test.ts"]).toMatchObject({ status: "added", kind: "test" });
    expect(byPath["README.md"]).toMatchObject({ status: "modified", kind: "doc" });
    expect(byPath["package.json"]).toMatchObject({ status: "deleted", kind: "config", blob: null, size: 0 });
    expect(byPath["notes.bin"]).toMatchObject({ status: "added", kind: "other", size: 4 });
    const content = await readFile(path.join(w.dir, "src", "sum.ts"), "utf8");
    expect(byPath["src/sum.ts"].blob).toBe((await gitIn(w.dir, ["hash-object", "src/sum.ts"])).trim());
    expect(byPath["src/sum.ts"].size).toBe(Buffer.byteLength(content));
    expect(a.summary).toMatchObject({ code: 1, test: 1, doc: 1, config: 1, other: 1, total: 5 });
    expect(a.diff).toContain("+++ b/src/sum.ts");
    expect(a.diff).toContain("--- a/package.json");
    expect(a.diff).not.toContain(secret);
    expect(a.diff).not.toContain("ghp_abcdefghijklmnopqrstuvwxyz0123456789");
    expect(a.diff).toContain("[REDACTED]");
    expect(a.logs.agent).toBe("used key [REDACTED]\nok");
    expect(a.summary.insertions).toBeGreaterThan(2);
    expect(pkg.name).toBeTruthy();
    // stage:false left the real index alone; the default stages exactly what was captured.
    expect(await gitIn(w.dir, ["diff", "--cached", "--name-only"])).toBe("");
    const staged = await captureArtifacts({ dir: w.dir, base: w.base, redactor, exclude: [ctx.dir] });
    expect(staged.files).toEqual(a.files);
    expect((await gitIn(w.dir, ["diff", "--cached", "--name-only", "-z"])).split("\0").filter(Boolean).sort()).toEqual(a.files.map((f) => f.path).sort());
    await w.cleanup();
  });

  it("after a commit, reports the changes relative to the task's base commit, renames included", async () => {
    const w = await ws("T004", fx.seed);
    await rename(path.join(w.dir, "README.md"), path.join(w.dir, "GUIDE.md"));
    await writeFile(path.join(w.dir, "src.py"), "print('hi')\n");
    const c = await commitAll(w.dir, "T004: rename readme");
    expect(c).toBeTruthy();
    await writeFile(path.join(w.dir, "extra.go"), "package main\n");
    const a = await captureArtifacts({ dir: w.dir, base: w.base });
    const byPath = Object.fromEntries(a.files.map((f) => [f.path, f]));
    expect(byPath["GUIDE.md"]).toMatchObject({ status: "renamed", from: "README.md", kind: "doc" });
    expect(byPath["src.py"]).toMatchObject({ status: "added", kind: "code" });
    expect(byPath["extra.go"]).toMatchObject({ status: "added", kind: "code" });
    await w.cleanup();
  });

  it("captures a committed task from the two trees: exactly the commit's files, no worktree scan needed", async () => {
    const w = await ws("T005", fx.seed);
    await mkdir(path.join(w.dir, "src"), { recursive: true });
    await writeFile(path.join(w.dir, "src", "mul.ts"), "export const mul = (a: number, b: number) => a * b;\n");
    await rm(path.join(w.dir, "README.md"));
    const c = await commitAll(w.dir, "T005: mul");
    expect(c).toBeTruthy();
    // An uncommitted leftover is NOT part of a committed capture.
    await writeFile(path.join(w.dir, "scratch.txt"), "not committed\n");
    const a = await captureArtifacts({ dir: w.dir, base: w.base, committed: true });
    expect(a.files.map((f) => [f.path, f.status, f.kind])).toEqual([
      ["README.md", "deleted", "doc"],
      ["src/mul.ts", "added", "code"],
    ]);
    const mul = "export const mul = (a: number, b: number) => a * b;\n";
    expect(a.files[1]).toMatchObject({ blob: gitBlobId(mul), size: Buffer.byteLength(mul) });
    expect(a.diff).toContain("+export const mul");
    expect(a.summary).toMatchObject({ total: 2, insertions: 1 });
    const none = await captureArtifacts({ dir: w.dir, base: c!, committed: true });
    expect(none.files).toEqual([]);
    expect(none.diff).toBe("");
    await w.cleanup();
  });

  it("classifies paths", () => {
    expect(classifyPath("src/app.ts")).toBe("code");
    expect(classifyPath("src/app.test.ts")).toBe("test");
    expect(classifyPath("tests/test_app.py")).toBe("test");
    expect(classifyPath("pkg/x_test.go")).toBe("test");
    expect(classifyPath("docs/guide.md")).toBe("doc");
    expect(classifyPath("package.json")).toBe("config");
    expect(classifyPath(".github/workflows/ci.yml")).toBe("config");
    expect(classifyPath("requirements.txt")).toBe("config");
    expect(classifyPath("Dockerfile")).toBe("config");
    expect(classifyPath("assets/logo.png")).toBe("other");
  });
});

describe("merging task branches into the run branch", () => {
  async function doTask(id: string, base: string, files: Record<string, string>) {
    const w = await ws(id, base);
    for (const [f, c] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(w.dir, f)), { recursive: true });
      await writeFile(path.join(w.dir, f), c);
    }
    const commit = (await commitAll(w.dir, `${id}: change`))!;
    await pushBranch(w.dir, w.branch);
    await w.cleanup();
    return { branch: taskBranchName(FEATURE, id), commit };
  }

  it("merges in order, is idempotent, and reports a conflict with its files without moving the run branch", async () => {
    const a = await doTask("T010", fx.seed, { "src/a.ts": "export const a = 1;\n", "shared.txt": "from A\n" });
    const b = await doTask("T011", fx.seed, { "src/b.ts": "export const b = 2;\n" });
    const c = await doTask("T012", fx.seed, { "shared.txt": "from C\n" });

    const run = await openRunBranch({ repo: fx.remote, branch: "devgodzilla/001-demo", baseCommit: fx.seed, cacheDir: cache.dir, workRoot: work.dir });
    const m1 = await run.mergeTask(a.branch, a.commit, "Merge task T010");
    expect(m1.status).toBe("merged");
    const m2 = await run.mergeTask(b.branch, b.commit, "Merge task T011");
    expect(m2.status).toBe("merged");
    const before = await run.head();
    const m3 = await run.mergeTask(c.branch, c.commit, "Merge task T012");
    expect(m3).toMatchObject({ status: "conflict", conflicts: ["shared.txt"] });
    expect(await run.head()).toBe(before);
    expect(await gitIn(run.dir, ["status", "--porcelain"])).toBe("");
    const again = await run.mergeTask(a.branch, a.commit, "Merge task T010");
    expect(again.status).toBe("up_to_date");

    const pushed = await run.push();
    expect(pushed.commit).toBe(before);
    expect(await fx.head("devgodzilla/001-demo")).toBe(before);
    expect(await fx.show("devgodzilla/001-demo", "src/a.ts")).toContain("a = 1");
    expect(await fx.show("devgodzilla/001-demo", "src/b.ts")).toContain("b = 2");
    const log = await gitIn(fx.remote, ["log", "--format=%s", "devgodzilla/001-demo"]);
    expect(log.split("\n").slice(0, 2)).toEqual(["Merge task T011", "Merge task T010"]);
    await run.cleanup();

    // A fresh copy of the run branch (another worker, after a crash) continues from the pushed head.
    const run2 = await openRunBranch({ repo: fx.remote, branch: "devgodzilla/001-demo", baseCommit: fx.seed, cacheDir: cache.dir, workRoot: work.dir });
    expect(await run2.head()).toBe(before);
    expect((await run2.mergeTask(b.branch, b.commit, "x")).status).toBe("up_to_date");
    await run2.cleanup();
  });
});
