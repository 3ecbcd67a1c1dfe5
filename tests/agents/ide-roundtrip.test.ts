// The IDE adapter's approval round trip on the local runner: the flow writes + pushes the command
// file and suspends; a "human" clones the branch, does the work, pushes; the approval resumes the
// flow, which picks the work up from the branch.
import { describe, expect, it } from "vitest";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { execFileSync } from "node:child_process";
import { resumeRun, runPath } from "../../scripts/runner/index.ts";
import { tempDirsPerTest } from "./helpers.ts";

const ROOT = resolve(import.meta.dirname, "../fixtures/agents/ide_bundle");
const dir = tempDirsPerTest();
const git = (cwd: string, ...a: string[]) =>
  execFileSync("git", ["-c", "user.name=h", "-c", "user.email=h@h", ...a], { cwd })
    .toString()
    .trim();

function setup() {
  const remote = dir("dg-ide-remote-");
  git(remote, "init", "-q", "--bare", "-b", "main");
  const seed = dir("dg-ide-seed-");
  git(seed, "init", "-q", "-b", "main");
  writeFileSync(join(seed, "README.md"), "# shop\n");
  git(seed, "add", ".");
  git(seed, "commit", "-qm", "init");
  git(seed, "remote", "add", "origin", remote);
  git(seed, "push", "-q", "origin", "main");
  const worktree = dir("dg-ide-wt-");
  execFileSync("git", ["clone", "-q", remote, worktree]);
  const branch = "devgodzilla/001-export/T012";
  git(worktree, "checkout", "-q", "-b", branch);
  return { remote, worktree, branch };
}

const args = (worktree: string, branch: string, agent: string) => ({
  worktree,
  branch,
  task_id: "T012",
  title: "Add the export button",
  prompt: "Implement the CSV export in src/export.ts.",
  agent,
});

describe("IDE adapter approval round trip (local runner)", () => {
  it("suspends with the command file on the branch, then picks up the human's pushed work", async () => {
    const { remote, worktree, branch } = setup();
    const stateDir = dir("dg-ide-state-");
    const store = { resources: {}, variables: {} };
    const first = await runPath("f/ide_test/ide_roundtrip", { args: args(worktree, branch, "cursor"), root: ROOT, stateDir, store });
    expect(first.status).toBe("suspended");
    const payload = first.pending!.step_result as Record<string, any>;
    expect(payload).toMatchObject({ default_args: { done: false, note: "" }, command_file: ".cursor/commands/devgodzilla-t012.md", branch });
    expect(payload.resume).toMatch(/^http/);
    expect(payload.description).toContain("/devgodzilla-t012");

    // The human: clone the branch, find the command, do the work, push.
    const human = dir("dg-ide-human-");
    execFileSync("git", ["clone", "-q", "-b", branch, remote, human]);
    expect(readFileSync(join(human, ".cursor/commands/devgodzilla-t012.md"), "utf8")).toContain("Implement the CSV export");
    expect(git(human, "log", "-1", "--format=%an|%s")).toBe('DevGodzilla|T012: Cursor command for "Add the export button"');
    execFileSync("mkdir", ["-p", join(human, "src")]);
    writeFileSync(join(human, "src/export.ts"), "export const toCsv = (rows: string[][]) => rows.map((r) => r.join(',')).join('\\n');\n");
    git(human, "add", ".");
    git(human, "commit", "-qm", "T012 export button (in Cursor)");
    git(human, "push", "-q", "origin", branch);

    const done = await resumeRun(first.runId, { done: true, note: "Implemented in Cursor" }, { root: ROOT, stateDir, store });
    expect(done.status).toBe("success");
    const result = done.result as { outcome: any; picked: { commit: string; changed: string[] } };
    expect(result.outcome).toMatchObject({ agentId: "cursor", exitCode: 0, finalMessage: "Implemented in Cursor", block: null });
    expect(result.picked.changed).toEqual(["src/export.ts"]);
    expect(result.picked.commit).toBe(git(human, "rev-parse", "HEAD"));
    expect(existsSync(join(worktree, "src/export.ts"))).toBe(true);
  });

  it("a 'not done' answer with a question comes back as a clarify block", async () => {
    const { worktree, branch } = setup();
    const stateDir = dir("dg-ide-state-");
    const store = { resources: {}, variables: {} };
    const first = await runPath("f/ide_test/ide_roundtrip", { args: args(worktree, branch, "bob"), root: ROOT, stateDir, store });
    expect(first.status).toBe("suspended");
    expect((first.pending!.step_result as any).command_file).toBe(".bob/skills/devgodzilla-t012/SKILL.md");
    const out = await resumeRun(
      first.runId,
      { done: false, note: "The spec is ambiguous: which delimiter should the CSV use?" },
      { root: ROOT, stateDir, store },
    );
    expect(out.status).toBe("success");
    expect((out.result as any).outcome.block).toMatchObject({ kind: "clarify" });
    expect((out.result as any).picked).toBeNull();
  });
});
