// An IDE agent's task end to end: execute_task hands it off (command file committed and pushed on
// the task branch, outcome ide_handoff), the approval step's script says what to do, a person
// does the work in a clone and pushes, ide_pickup returns an execute_task result QA can judge.
import { describe, expect, it, beforeAll, afterAll } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { executeTask } from "../../f/devgodzilla/lib/workspace/execute_task.ts";
import { pickUpIdeWork } from "../../f/devgodzilla/lib/workspace/ide_handoff.ts";
import { ExecutionBlockedError } from "../../f/devgodzilla/lib/agents/types.ts";
import { ConfigError } from "../../f/devgodzilla/lib/errors.ts";
import { runPath } from "../../scripts/runner/index.ts";
import { createFixtureRemote, tempDir, type FixtureRemote } from "../helpers/git-fixtures.ts";
import { FAKE_BIN, tempDirsPerTest } from "./helpers.ts";

const dir = tempDirsPerTest();
const git = (cwd: string, ...a: string[]) =>
  execFileSync("git", ["-c", "user.name=Person", "-c", "user.email=p@example.test", ...a], { cwd })
    .toString()
    .trim();

let fx: FixtureRemote;
let cache: { dir: string; cleanup(): Promise<void> };
beforeAll(async () => {
  fx = await createFixtureRemote("empty", { extraFiles: { "specs/001-export/spec.md": "# Export\n\nUsers export rows as CSV.\n" } });
  cache = await tempDir("dg-ide-cache-");
});
afterAll(async () => {
  await fx?.cleanup();
  await cache?.cleanup();
});

const task = (id: string) => ({
  repo: fx.remote,
  commit: fx.seed,
  feature: "001-export",
  task: { id, description: "Add the CSV export" },
  install: [],
  cache_dir: cache.dir,
  work_root: dir("dg-ide-work-"),
});

/** The person: clones the task branch, finds the command, does the work, pushes. */
function personDoesTheWork(branch: string, commandFile: string): string {
  const human = dir("dg-ide-human-");
  execFileSync("git", ["clone", "-q", "-b", branch, fx.remote, human]);
  expect(readFileSync(join(human, commandFile), "utf8")).toContain("Add the CSV export");
  mkdirSync(join(human, "src"));
  writeFileSync(join(human, "src/export.js"), "export const toCsv = (rows) => rows.map((r) => r.join(',')).join('\\n');\n");
  git(human, "add", ".");
  git(human, "commit", "-qm", "T020 CSV export (done in Windsurf)");
  git(human, "push", "-q", "origin", branch);
  return git(human, "rev-parse", "HEAD");
}

describe("IDE handoff", () => {
  it("an IDE agent's task is handed to a person and their pushed work comes back as the task's change", async () => {
    const res = await executeTask(task("T020"), { agents: { default_agent: "windsurf", enabled: ["windsurf"] } });
    expect(res.outcome).toBe("ide_handoff");
    expect(res.handoff).toMatchObject({
      agent: "windsurf",
      branch: "devgodzilla/001-export-tasks/T020",
      command_file: ".windsurf/workflows/devgodzilla-t020.md",
      base_commit: fx.seed,
    });
    expect(await fx.head(res.branch)).toBe(res.handoff!.commit);

    // The approval step's script: resume URLs and what to do, for the approval page.
    const stateDir = dir("dg-ide-state-");
    const step = await runPath("f/devgodzilla/ide_handoff", { args: { handoff: res.handoff }, stateDir, store: { resources: {}, variables: {} } });
    expect(step.status).toBe("success");
    const payload = step.result as { resume: string; description: string; command_file: string };
    expect(payload.resume).toMatch(/^http/);
    expect(payload.description).toContain("devgodzilla/001-export-tasks/T020");
    expect(payload.description).toContain("/devgodzilla-t020");

    const pushed = personDoesTheWork(res.branch, res.handoff!.command_file);
    const picked = await pickUpIdeWork({
      handoff: res.handoff,
      resume: { done: true, note: "Implemented toCsv in Windsurf" },
      cacheDir: cache.dir,
      workRoot: dir("dg-ide-work-"),
    });
    expect(picked.outcome).toBe("changed");
    expect(picked.artifacts.files.map((f) => f.path)).toEqual(["src/export.js"]); // the command file is gone again
    expect(picked.agent).toMatchObject({ agentId: "windsurf", via: "ide", finalMessage: "Implemented toCsv in Windsurf" });
    expect(await fx.head(res.branch)).toBe(picked.commit);
    expect(git(fx.remote, "rev-parse", `${picked.commit}^`)).toBe(pushed);
    expect(await fx.show(picked.commit, ".windsurf/workflows/devgodzilla-t020.md")).toBeNull();
  });

  it("marked done with nothing pushed is no_change; not done with a question is a clarify block; a plain no fails", async () => {
    const res = await executeTask(task("T021"), { agents: { default_agent: "cursor", enabled: ["cursor"], agents: { cursor: { ide_handoff: true } } } });
    expect(res.handoff).toMatchObject({ agent: "cursor", command_file: ".cursor/commands/devgodzilla-t021.md" });
    const pick = (resume: unknown) => pickUpIdeWork({ handoff: res.handoff, resume, cacheDir: cache.dir, workRoot: dir("dg-ide-work-") });
    const nothing = await pick({ done: true });
    expect(nothing.outcome).toBe("no_change");
    expect(nothing.summary).toMatch(/^NO CHANGE: the task was marked done in Cursor but nothing was pushed/);
    const question = await pick({ done: false, note: "Which delimiter should the CSV use, comma or semicolon?" });
    expect(question).toMatchObject({ outcome: "blocked", blocked: true, block: { kind: "clarify" } });
    await expect(pick({ done: false, note: "no time" })).rejects.toThrow(ExecutionBlockedError);
  });

  it("without ide_handoff cursor runs headless; an agent with no IDE mode cannot be set to it", async () => {
    const res = await executeTask(task("T022"), { agents: { default_agent: "cursor", enabled: ["cursor"], bin_dir: FAKE_BIN } });
    expect(res.outcome).toBe("changed");
    await expect(executeTask(task("T023"), { agents: { agents: { codex: { ide_handoff: true } } } })).rejects.toThrow(ConfigError);
  });
});
