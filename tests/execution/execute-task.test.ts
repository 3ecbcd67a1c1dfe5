// execute_task end to end: a real bare remote, real bwrap, a fake agent CLI (tests/fixtures/agents) and the
// REAL qwen-code CLI against the loopback model server, through the sandbox.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { existsSync } from "node:fs";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { createFixtureRemote, gitIn, tempDir, type FixtureRemote } from "../helpers/git-fixtures.ts";
import { executeTask } from "../../f/devgodzilla/lib/workspace/execute_task.ts";
import { probeBwrap } from "../../f/devgodzilla/lib/sandbox/index.ts";
import { InputError } from "../../f/devgodzilla/lib/errors.ts";
import { startLlmServer, type LlmServer } from "../../scripts/fakes/llm-server.ts";
import { FAKE_BIN } from "../agents/helpers.ts";

const NODE_BIN = path.resolve(import.meta.dirname, "../../node_modules/.bin");
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
        task: { id: "T001", description: "Add sum() [[fake:write src/sum.js=module.exports = (a, b) => a + b;\\n]] [[fake:write test/sum.test.js=require('assert')\\n]]" },
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
    expect(await fx.show(res.commit, "src/sum.js")).toContain("a + b");
    // node_modules from the setup phase and the _runtime context are not committed.
    expect(await fx.show(res.commit, "node_modules/locallib/index.js")).toBeNull();
    const tree = await gitIn(fx.remote, ["ls-tree", "-r", "--name-only", res.commit]);
    expect(tree).not.toContain("_runtime");
    const subject = (await gitIn(fx.remote, ["log", "-1", "--format=%s%n%b", res.commit]));
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
    const left = await executeTask({ ...base(), task: { id: "T010", description: "Add a [[fake:write src/a.js=module.exports = 1;\\n]]" }, install }, { agents });
    const tree = await gitIn(fx.remote, ["ls-tree", "-r", "--name-only", left.commit]);
    expect(tree).toContain("src/a.js");
    expect(tree).not.toContain("setup.lock");
    const kept = await executeTask({ ...base(), task: { id: "T011", description: "Pin it [[fake:write setup.lock=pinned by the agent]]" }, install }, { agents });
    expect(await fx.show(kept.commit, "setup.lock")).toBe("pinned by the agent");
  });

  it("returns the agent's block as data and pushes nothing", async () => {
    const res = await executeTask(
      { ...base(), task: { id: "T002", description: "Export the data [[fake:clarify]]" }, install: [] },
      { agents: { default_agent: "qwen", enabled: ["qwen"], bin_dir: FAKE_BIN } },
    );
    expect(res.blocked).toBe(true);
    expect(res.block).toMatchObject({ kind: "clarify" });
    expect(res.block?.question).toMatch(/CSV or JSON/);
    expect(res.commit).toBe(fx.seed);
    expect(res.push).toBe("skipped");
    expect(await fx.head("devgodzilla/001-sums-tasks/T002")).toBeNull();
  });

  it("rejects bad input with one error naming the field, leaving nothing behind", async () => {
    const before = await fx.branches();
    await expect(executeTask({ ...base(), task: { id: "../T3", description: "x" } })).rejects.toThrowError(InputError);
    await expect(executeTask({ ...base(), task: { id: "T3", description: "x" } , commit: "main" })).rejects.toThrow(/commit/);
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
          return { agentId: "qwen", finalMessage: "looked", tokens: { input: 1, output: 1 }, costUsd: null, sessionId: null, events: 0, exitCode: r.exitCode, durationMs: 1, model: null, block: null, via: "git", truncated: false };
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
          return { agentId: "qwen", finalMessage: "tried", tokens: { input: 1, output: 1 }, costUsd: null, sessionId: null, events: 0, exitCode: 0, durationMs: 1, model: null, block: null, via: "git", truncated: false };
        },
      },
    );
    expect(exit).not.toBe(0);
    expect(out).toMatch(/could not lock config file|Read-only file system/);
  });

  it("a failing install fails the task before the agent runs", async () => {
    await expect(
      executeTask(
        { ...base(), task: { id: "T004", description: "x" }, install: [{ argv: [process.execPath, "-e", "console.error('registry down'); process.exit(3)"], cwd: "." }] },
        { agents: { default_agent: "qwen", enabled: ["qwen"], bin_dir: FAKE_BIN } },
      ),
    ).rejects.toThrow(/setup phase.*registry down/);
    expect(await fx.head("devgodzilla/001-sums-tasks/T004")).toBeNull();
  });
});

describe("executeTask with the real qwen-code CLI", () => {
  let server: LlmServer;
  beforeAll(async () => {
    expect(existsSync(path.join(NODE_BIN, "qwen")), "node_modules/.bin/qwen (npm ci)").toBe(true);
    server = await startLlmServer((ex) => {
      const b = ex.body ?? {};
      if (!b.tools) return { text: "ok" };
      const toolResults = (b.messages ?? []).filter((m: { role: string }) => m.role === "tool").length;
      const sys = JSON.stringify(b.messages ?? []);
      // The worktree path, as qwen's system prompt states its working directory.
      const root = new RegExp(`${work.dir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/devgodzilla-wc-[A-Za-z0-9]+`).exec(sys)?.[0] ?? "/nonexistent";
      if (toolResults === 0) {
        return { toolCalls: [{ name: "write_file", arguments: { file_path: `${root}/src/double.js`, content: "module.exports = (x) => 2 * x;\n" } }], usage: { inputTokens: 900, outputTokens: 30 } };
      }
      return { text: "Added src/double.js.", usage: { inputTokens: 950, outputTokens: 10 } };
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  it("reaches the model on the host's loopback from inside the sandbox and its edit is committed", async () => {
    const res = await executeTask(
      { ...base(), task: { id: "T010", description: "Add double() in src/double.js" }, install: [] },
      {
        agents: {
          default_agent: "qwen", enabled: ["qwen"], bin_dir: NODE_BIN,
          agents: { qwen: { api_key: KEY, base_url: server.openaiBaseUrl, model: "fake-coder", timeout_seconds: 90, idle_timeout_seconds: 45 } },
        },
      },
    );
    expect(res.sandbox.sandboxed).toBe(true);
    expect(server.requests.some((r) => r.body?.tools)).toBe(true);
    expect(res.agent.finalMessage).toBe("Added src/double.js.");
    expect(await fx.show(res.commit, "src/double.js")).toContain("2 * x");
    expect(res.artifacts.files.map((f) => f.path)).toEqual(["src/double.js"]);
    expect(JSON.stringify(res)).not.toContain(KEY);
  });
});
