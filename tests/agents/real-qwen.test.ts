// A REAL agent CLI from npm (@qwen-code/qwen-code, devDependency) run headless through the CLI
// adapter against the loopback OpenAI-compatible model server: it reads a file, edits it with its
// own tools in a real git repo, and DevGodzilla commits the change.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { execFileSync } from "node:child_process";
import { keyFingerprint, startLlmServer, type LlmServer } from "../../scripts/fakes/llm-server.ts";
import { runCliAgent } from "../../f/devgodzilla/lib/agents/cli.ts";
import { parseAgentsConfig } from "../../f/devgodzilla/lib/agents/config.ts";
import { commitAll } from "../../f/devgodzilla/lib/git.ts";
import { agentEndpoints } from "../../f/devgodzilla/lib/agents/cli.ts";
import { probeBwrap, wrapInSandbox } from "../../f/devgodzilla/lib/sandbox/index.ts";
import { readRecords, tempDir } from "./helpers.ts";

const NODE_BIN = resolve(import.meta.dirname, "../../node_modules/.bin");
const KEY = "sk-test-qwen-real-agent-0123456789";

describe("real agent: qwen-code headless against the loopback model", () => {
  let server: LlmServer;
  let repo: string;
  let home: string;
  const cleanups: (() => void)[] = [];
  beforeAll(async () => {
    // A devDependency: `npm ci` installs it; a missing binary is a failure, not a skip.
    expect(existsSync(join(NODE_BIN, "qwen")), "node_modules/.bin/qwen (npm ci)").toBe(true);
    const r = tempDir("dg-qwen-repo-");
    const h = tempDir("dg-qwen-home-");
    cleanups.push(r.cleanup, h.cleanup);
    repo = r.path;
    home = h.path;
    const git = (...a: string[]) => execFileSync("git", a, { cwd: repo });
    git("init", "-q", "-b", "main");
    writeFileSync(join(repo, "calc.js"), "export function add(a, b) {\n  return a - b;\n}\n");
    git("add", ".");
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "init");
    const file = join(repo, "calc.js");
    // Stateless script of the conversation: the number of tool results so far picks the turn.
    server = await startLlmServer((ex) => {
      const b = ex.body ?? {};
      if (!b.tools) return { text: "ok" };
      const toolResults = (b.messages ?? []).filter((m: { role: string }) => m.role === "tool").length;
      if (toolResults === 0) return { toolCalls: [{ name: "read_file", arguments: { file_path: file } }], usage: { inputTokens: 1000, outputTokens: 10 } };
      if (toolResults === 1) {
        return { toolCalls: [{ name: "edit", arguments: { file_path: file, old_string: "return a - b;", new_string: "return a + b;" } }], usage: { inputTokens: 1100, outputTokens: 20 } };
      }
      return { text: "Fixed add() in calc.js: it now returns a + b.", usage: { inputTokens: 1200, outputTokens: 15 } };
    });
  });
  afterAll(async () => {
    await server?.close();
    cleanups.forEach((c) => c());
  });

  it("edits a real file with its own tools, and the change is committed", async () => {
    const record = join(home, "unused.jsonl");
    const config = parseAgentsConfig({
      default_agent: "qwen",
      bin_dir: NODE_BIN,
      agents: { qwen: { api_key: KEY, base_url: server.openaiBaseUrl, model: "fake-coder", timeout_seconds: 90, idle_timeout_seconds: 45 } },
    });
    const lines: string[] = [];
    const res = await runCliAgent({
      agentId: "qwen", prompt: "T001 Fix the bug in calc.js: add() must return the sum.", cwd: repo, config,
      env: { HOME: home, FAKE_AGENT_RECORD: record }, log: false, onLine: (l) => lines.push(l),
    });
    expect(readFileSync(join(repo, "calc.js"), "utf8")).toContain("return a + b;");
    expect(res.exitCode).toBe(0);
    expect(res.finalMessage).toBe("Fixed add() in calc.js: it now returns a + b.");
    expect(res.tokens.input).toBeGreaterThan(0);
    expect(res.tokens.output).toBeGreaterThan(0);
    expect(res.events).toBeGreaterThan(1);
    expect(res.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.block).toBeNull();
    expect(res.via).toBe(join(NODE_BIN, "qwen"));
    // The key went by env to the agent and from it to the model server — and nowhere else.
    const modelCalls = server.requests.filter((r) => r.body?.tools);
    expect(modelCalls.length).toBeGreaterThanOrEqual(3);
    expect(modelCalls.every((r) => r.apiKeySha256 === keyFingerprint(KEY))).toBe(true);
    expect(modelCalls[0]!.body.model).toBe("fake-coder");
    expect(lines.join("\n")).not.toContain(KEY);
    expect(JSON.stringify(res)).not.toContain(KEY);
    expect(readRecords(record)).toEqual([]); // a real agent, not the fake
    // The adapter turned usage statistics off in the agent's HOME (it would try an outside host).
    expect(JSON.parse(readFileSync(join(home, ".qwen/settings.json"), "utf8"))).toMatchObject({ privacy: { usageStatisticsEnabled: false } });

    const sha = await commitAll(repo, "T001 Fix the bug in calc.js (qwen)");
    expect(sha).toMatch(/^[0-9a-f]{40}$/);
    const show = execFileSync("git", ["show", "--stat", "--format=%s", "HEAD"], { cwd: repo }).toString();
    expect(show).toContain("T001 Fix the bug in calc.js (qwen)");
    expect(show).toContain("calc.js");
    expect(execFileSync("git", ["status", "--porcelain"], { cwd: repo }).toString()).toBe("");
  });

  it.skipIf(!probeBwrap().ok)("runs the same way inside the execute-phase sandbox (bwrap, network only to the model)", async () => {
    // Put the bug back (a new commit), so the sandboxed run has the same work to do.
    writeFileSync(join(repo, "calc.js"), "export function add(a, b) {\n  return a - b;\n}\n");
    execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", "bug again"], { cwd: repo });
    expect(readFileSync(join(repo, "calc.js"), "utf8")).toContain("return a - b;");
    const sandboxHome = tempDir("dg-qwen-sbx-home-");
    cleanups.push(sandboxHome.cleanup);
    const config = parseAgentsConfig({
      bin_dir: NODE_BIN,
      agents: { qwen: { api_key: KEY, base_url: server.openaiBaseUrl, model: "fake-coder", timeout_seconds: 90, idle_timeout_seconds: 45 } },
    });
    let sandboxed = false;
    const res = await runCliAgent({
      agentId: "qwen", prompt: "T001 Fix the bug in calc.js: add() must return the sum.", cwd: repo, config,
      env: { HOME: sandboxHome.path }, log: false,
      wrap: async (cmd) => {
        const w = await wrapInSandbox(cmd, { phase: "execute", worktree: repo, tmpDir: sandboxHome.path, allowHosts: agentEndpoints(config, "qwen") });
        sandboxed = w.sandboxed;
        return w;
      },
    });
    expect(sandboxed).toBe(true);
    expect(res.finalMessage).toBe("Fixed add() in calc.js: it now returns a + b.");
    expect(readFileSync(join(repo, "calc.js"), "utf8")).toContain("return a + b;");
  });
});