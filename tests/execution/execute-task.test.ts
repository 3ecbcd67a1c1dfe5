// execute_task end to end: a real bare remote, real bwrap and a fake agent CLI. The
// real agent CLIs run through execute_task in `npm run test:agents` (tests/agents/real/).
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { readdir } from "node:fs/promises";
import { createFixtureRemote, gitIn, tempDir, type FixtureRemote } from "../helpers/git-fixtures.ts";
import { executeTask } from "../../f/devgodzilla/lib/workspace/execute_task.ts";
import { probeBwrap } from "../../f/devgodzilla/lib/sandbox/index.ts";
import { InputError } from "../../f/devgodzilla/lib/errors.ts";
import { FAKE_BIN } from "../agents/helpers.ts";

const FEATURE = "001-sums";
const KEY = "sk-test-exec-task-0123456789abcdef";

let fx: FixtureRemote;
let cache: { dir: string; cleanup(): Promise<void> };
let work: { dir: string; cleanup(): Promise<void> };

beforeAll(async () => {
  expect(probeBwrap().ok, "bubblewrap must be installed").toBe(true);
  fx = await createFixtureRemote("empty", {
    extraFiles: {
      "package.json": JSON.stringify({ name: "demo", version: "1.0.0", dependencies: { locallib: "file:./vendor/locallib" } }, null, 2) + "\n",
      "vendor/locallib/package.json": JSON.stringify({ name: "locallib", version: "1.0.0", main: "index.js" }) + "\n",
      "vendor/locallib/index.js": "module.exports = 42;\n",
      ".gitignore": "node_modules/\npackage-lock.json\n",
      "specs/001-sums/spec.md": "# Feature: sums\n\nUsers can add numbers.\n",
      "specs/001-sums/plan.md": "# Plan\n\nsrc/sum.js exports sum().\n",
      ".specify/memory/constitution.md": "# Constitution\n\n## I. Test-first\nTests first.\n",
    },
  });
  cache = await tempDir("dg-cache-");
  work = await tempDir("dg-work-");
});
afterAll(async () => {
  await fx?.cleanup();
  await cache?.cleanup();
  await work?.cleanup();
});

const base = () => ({ repo: fx.remote, commit: fx.seed, feature: FEATURE, cache_dir: cache.dir, work_root: work.dir });

describe("executeTask", () => {
  it("installs in the setup phase, runs the agent in the sandbox, commits naming the task and pushes the task branch", async () => {
    const res = await executeTask(
      {
        ...base(),
        task: {
          id: "T001",
          description: "Add sum() [[fake:write src/sum.js=module.exports = (a, b) => a + b;\\n]] [[fake:write test/sum.test.js=require('assert')\\n]]",
        },
        install: [{ argv: ["npm", "install", "--no-audit", "--no-fund", "--install-links"], cwd: "." }],
        dependencies: [{ id: "T000", summary: "set up the project", changedFiles: ["package.json"] }],
      },
      { agents: { default_agent: "qwen", enabled: ["qwen"], bin_dir: FAKE_BIN, agents: { qwen: { api_key: KEY } } } },
    );
    expect(res.sandbox.sandboxed).toBe(true);
    expect(res.sandbox.setup?.commands).toEqual([["npm", "install", "--no-audit", "--no-fund", "--install-links"]]);
    expect(res.branch).toBe("devgodzilla/001-sums-tasks/T001");
    expect(res.base_commit).toBe(fx.seed);
    expect(res.changed).toBe(true);
    expect(res.push).toBe("created");
    expect(await fx.head(res.branch)).toBe(res.commit);
    expect(res.outcome).toBe("changed");
    expect(await fx.show(res.commit, "src/sum.js")).toContain("a + b");
    // node_modules from the setup phase and the _runtime context are not committed.
    expect(await fx.show(res.commit, "node_modules/locallib/index.js")).toBeNull();
    const tree = await gitIn(fx.remote, ["ls-tree", "-r", "--name-only", res.commit]);
    expect(tree).not.toContain("_runtime");
    const subject = await gitIn(fx.remote, ["log", "-1", "--format=%s%n%b", res.commit]);
    expect(subject).toMatch(/^T001: Add sum\(\)/);
    expect(subject).toContain("DevGodzilla-Task: T001");
    expect(res.artifacts.files.map((f) => [f.path, f.kind, f.status])).toEqual([
      ["src/sum.js", "code", "added"],
      ["test/sum.test.js", "test", "added"],
    ]);
    expect(res.artifacts.diff).toContain("+module.exports = (a, b) => a + b;");
    expect(res.usage).toMatchObject({ input_tokens: 120, output_tokens: 45, tokens: 165 });
    expect(res.agent.agentId).toBe("qwen");
    expect(res.blocked).toBe(false);
    expect(res.block).toBeNull();
    expect(JSON.stringify(res)).not.toContain(KEY);
    // Nothing left behind on the worker.
    expect((await readdir(work.dir)).filter((n) => n.startsWith("devgodzilla-wc-"))).toEqual([]);
  });

  it("what the install step alone changed (a lock file it wrote) stays out of the task's commit; what the agent also changed goes in", async () => {
    const install = [{ argv: [process.execPath, "-e", "require('fs').writeFileSync('setup.lock', 'from install')"], cwd: "." }];
    const agents = { default_agent: "qwen", enabled: ["qwen"], bin_dir: FAKE_BIN, agents: { qwen: { api_key: KEY } } };
    const left = await executeTask(
      { ...base(), task: { id: "T010", description: "Add a [[fake:write src/a.js=module.exports = 1;\\n]]" }, install },
      { agents },
    );
    const tree = await gitIn(fx.remote, ["ls-tree", "-r", "--name-only", left.commit]);
    expect(tree).toContain("src/a.js");
    expect(tree).not.toContain("setup.lock");
    const kept = await executeTask(
      { ...base(), task: { id: "T011", description: "Pin it [[fake:write setup.lock=pinned by the agent]]" }, install },
      { agents },
    );
    expect(await fx.show(kept.commit, "setup.lock")).toBe("pinned by the agent");
  });

  it("returns the agent's block as data and pushes nothing", async () => {
    const res = await executeTask(
      { ...base(), task: { id: "T002", description: "Export the data [[fake:clarify]]" }, install: [] },
      { agents: { default_agent: "qwen", enabled: ["qwen"], bin_dir: FAKE_BIN } },
    );
    expect(res.blocked).toBe(true);
    expect(res.outcome).toBe("blocked");
    expect(res.block).toMatchObject({ kind: "clarify" });
    expect(res.block?.question).toMatch(/CSV or JSON/);
    expect(res.commit).toBe(fx.seed);
    expect(res.push).toBe("skipped");
    expect(await fx.head("devgodzilla/001-sums-tasks/T002")).toBeNull();
  });

  it("an agent that exits 0 without changing any file ends as outcome no_change, not as success", async () => {
    const res = await executeTask(
      { ...base(), task: { id: "T005", description: "Add mul() [[fake:noop]]" }, install: [] },
      { agents: { default_agent: "qwen", enabled: ["qwen"], bin_dir: FAKE_BIN } },
    );
    expect(res.agent.exitCode).toBe(0);
    expect(res.outcome).toBe("no_change");
    expect(res.changed).toBe(false);
    expect(res.commit).toBe(fx.seed);
    expect(res.summary).toMatch(/^NO CHANGE: agent qwen exited 0 without changing any file/);
    expect(await fx.head("devgodzilla/001-sums-tasks/T005")).toBeNull();
  });

  it("rejects bad input with one error naming the field, leaving nothing behind", async () => {
    const before = await fx.branches();
    await expect(executeTask({ ...base(), task: { id: "../T3", description: "x" } })).rejects.toThrowError(InputError);
    await expect(executeTask({ ...base(), task: { id: "T3", description: "x" }, commit: "main" })).rejects.toThrow(/commit/);
    await expect(executeTask({ ...base(), task: { id: "T3", description: "x" }, feature: "no spaces allowed" })).rejects.toThrow(/feature/);
    expect(await fx.branches()).toEqual(before);
    expect((await readdir(work.dir)).filter((n) => n.startsWith("devgodzilla-wc-"))).toEqual([]);
  });

  it("git works inside the sandbox (the working copy's borrowed mirror objects stay readable)", async () => {
    let out = "";
    const res = await executeTask(
      { ...base(), task: { id: "T005", description: "inspect" }, install: [] },
      {
        agents: { default_agent: "qwen", enabled: ["qwen"], bin_dir: FAKE_BIN },
        // A stand-in agent that runs git through the same sandbox wrap a real agent gets.
        runAgent: async (req) => {
          const cmd = await req.wrap!({ file: "git", args: ["log", "--format=%H %s", "-1"], cwd: req.cwd, env: { HOME: req.env!.HOME } });
          const { runProcess } = await import("../../f/devgodzilla/lib/process.ts");
          const r = await runProcess({ file: cmd.file, args: cmd.args, env: cmd.env, cwd: cmd.cwd, log: false });
          out = r.stdout + r.stderr;
          return {
            agentId: "qwen",
            finalMessage: "looked",
            tokens: { input: 1, output: 1 },
            costUsd: null,
            sessionId: null,
            events: 0,
            exitCode: r.exitCode,
            durationMs: 1,
            model: null,
            block: null,
            via: "git",
            truncated: false,
          };
        },
      },
    );
    expect(res.sandbox.sandboxed).toBe(true);
    expect(out).toContain(fx.seed);
    expect(res.changed).toBe(false);
  });

  it("the agent cannot change .git (its config or hooks would run outside the sandbox later)", async () => {
    let out = "";
    let exit: number | null = null;
    await executeTask(
      { ...base(), task: { id: "T006", description: "tamper" }, install: [] },
      {
        agents: { default_agent: "qwen", enabled: ["qwen"], bin_dir: FAKE_BIN },
        runAgent: async (req) => {
          const cmd = await req.wrap!({ file: "git", args: ["config", "core.fsmonitor", "/tmp/evil.sh"], cwd: req.cwd, env: { HOME: req.env!.HOME } });
          const { runProcess } = await import("../../f/devgodzilla/lib/process.ts");
          const r = await runProcess({ file: cmd.file, args: cmd.args, env: cmd.env, cwd: cmd.cwd, log: false });
          out = r.stderr;
          exit = r.exitCode;
          return {
            agentId: "qwen",
            finalMessage: "tried",
            tokens: { input: 1, output: 1 },
            costUsd: null,
            sessionId: null,
            events: 0,
            exitCode: 0,
            durationMs: 1,
            model: null,
            block: null,
            via: "git",
            truncated: false,
          };
        },
      },
    );
    expect(exit).not.toBe(0);
    expect(out).toMatch(/could not lock config file|Read-only file system/);
  });

  it("a failing install fails the task before the agent runs", async () => {
    await expect(
      executeTask(
        {
          ...base(),
          task: { id: "T004", description: "x" },
          install: [{ argv: [process.execPath, "-e", "console.error('registry down'); process.exit(3)"], cwd: "." }],
        },
        { agents: { default_agent: "qwen", enabled: ["qwen"], bin_dir: FAKE_BIN } },
      ),
    ).rejects.toThrow(/setup phase.*registry down/);
    expect(await fx.head("devgodzilla/001-sums-tasks/T004")).toBeNull();
  });
});
