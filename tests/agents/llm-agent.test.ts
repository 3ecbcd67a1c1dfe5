import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { startLlmServer, scripted, type LlmServer, type LlmReply, promptText } from "../../scripts/fakes/llm-server.ts";
import { DiffApplyError, extractDiff, runLlmAgent } from "../../f/devgodzilla/lib/agents/llm_agent.ts";
import { AgentFailedError, ExecutionBlockedError, TransientAgentError } from "../../f/devgodzilla/lib/agents/types.ts";
import { tempDirsPerTest } from "./helpers.ts";

const KEY = "sk-test-llm-agent-key-000000000000";
let server: LlmServer;
let handler = scripted([]);
const reply = (r: LlmReply[]) => {
  handler = scripted(r);
};
beforeAll(async () => {
  server = await startLlmServer((ex) => handler(ex));
});
afterAll(() => server.close());

const dir = tempDirsPerTest();

function repo(): string {
  const d = dir("dg-llm-agent-");
  const git = (...a: string[]) => execFileSync("git", a, { cwd: d });
  git("init", "-q", "-b", "main");
  writeFileSync(join(d, "greet.ts"), 'export function greet(name: string): string {\n  return "Hello " + name;\n}\n');
  git("add", ".");
  git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "init");
  return d;
}
const status = (cwd: string) => execFileSync("git", ["status", "--porcelain"], { cwd }).toString();

const GOOD_DIFF = `diff --git a/greet.ts b/greet.ts
--- a/greet.ts
+++ b/greet.ts
@@ -1,3 +1,3 @@
 export function greet(name: string): string {
-  return "Hello " + name;
+  return \`Hello, \${name}!\`;
 }
diff --git a/greet.test.ts b/greet.test.ts
new file mode 100644
--- /dev/null
+++ b/greet.test.ts
@@ -0,0 +1,2 @@
+import { greet } from "./greet.ts";
+console.assert(greet("Ada") === "Hello, Ada!");
`;
const BAD_DIFF = GOOD_DIFF.replace('-  return "Hello " + name;', '-  return "Goodbye " + name;');
const llm = () => ({ provider: "openai" as const, apiKey: KEY, baseUrl: server.openaiBaseUrl, model: "gpt-4.1", maxAttempts: 1 });

describe("built-in llm agent", () => {
  it("applies the unified diff served by the loopback model", async () => {
    const cwd = repo();
    reply([{ text: "Changed the greeting and added a test.\n```diff\n" + GOOD_DIFF + "```\n", usage: { inputTokens: 900, outputTokens: 120 } }]);
    const before = server.requests.length;
    const res = await runLlmAgent({ prompt: "T003 Make greet() say 'Hello, <name>!' in greet.ts and add a test", cwd, llm: llm() });
    expect(readFileSync(join(cwd, "greet.ts"), "utf8")).toContain("`Hello, ${name}!`");
    expect(readFileSync(join(cwd, "greet.test.ts"), "utf8")).toContain('greet("Ada")');
    expect(res.finalMessage).toBe("Changed the greeting and added a test.");
    expect(res.tokens).toEqual({ input: 900, output: 120 });
    expect(res.costUsd).toBeGreaterThan(0);
    expect(res.block).toBeNull();
    // the model saw the file it had to change
    expect(promptText(server.requests[before]!)).toContain('return "Hello " + name;');
  });

  it("sends git's error back once and applies the corrected diff", async () => {
    const cwd = repo();
    reply([{ text: "```diff\n" + BAD_DIFF + "```" }, { text: "Fixed.\n```diff\n" + GOOD_DIFF + "```" }]);
    const before = server.requests.length;
    const res = await runLlmAgent({ prompt: "T003 greet", cwd, llm: llm() });
    expect(res.events).toBe(2);
    expect(promptText(server.requests[before + 1]!)).toMatch(/does not apply[\s\S]*patch failed|does not apply/);
    expect(readFileSync(join(cwd, "greet.ts"), "utf8")).toContain("Hello, ");
  });

  it("a diff that never applies fails clearly and leaves the worktree untouched", async () => {
    const cwd = repo();
    reply([{ text: "```diff\n" + BAD_DIFF + "```" }, { text: "```diff\n" + BAD_DIFF + "```" }]);
    const err = await runLlmAgent({ prompt: "T003 greet", cwd, llm: llm() }).catch((e) => e);
    expect(err).toBeInstanceOf(DiffApplyError);
    expect(err.message).toMatch(/does not apply: .*greet\.ts/);
    expect(status(cwd)).toBe("");
  });

  it("refuses a diff that writes outside the worktree", async () => {
    const cwd = repo();
    const evil = "--- /dev/null\n+++ b/../escape.txt\n@@ -0,0 +1 @@\n+x\n";
    reply([{ text: "```diff\n" + evil + "```" }]);
    await expect(runLlmAgent({ prompt: "x", cwd, llm: llm() })).rejects.toThrow(AgentFailedError);
    expect(status(cwd)).toBe("");
  });

  it("a model that asks for clarification returns a block and changes nothing", async () => {
    const cwd = repo();
    reply([{ text: "The task does not say which locale to use.\nBLOCKED(clarify): Should the greeting be localised?" }]);
    const res = await runLlmAgent({ prompt: "T003 greet", cwd, llm: llm() });
    expect(res.block).toMatchObject({ kind: "clarify", question: "Should the greeting be localised?" });
    expect(status(cwd)).toBe("");
  });

  it("works the same with an Anthropic model", async () => {
    const cwd = repo();
    reply([{ text: "Done.\n```diff\n" + GOOD_DIFF + "```" }]);
    const before = server.requests.length;
    const res = await runLlmAgent({
      prompt: "T003 greet",
      cwd,
      llm: { provider: "anthropic", apiKey: KEY, baseUrl: server.url, model: "claude-sonnet-4-6", maxAttempts: 1 },
    });
    expect(server.requests[before]!.protocol).toBe("anthropic");
    expect(res.via).toBe("anthropic:claude-sonnet-4-6");
    expect(readFileSync(join(cwd, "greet.ts"), "utf8")).toContain("Hello, ");
  });

  it("model errors become agent errors: rate limit → transient, bad key → blocked", async () => {
    const cwd = repo();
    reply([{ status: 429, error: "rate limited" }]);
    await expect(runLlmAgent({ prompt: "x", cwd, llm: llm() })).rejects.toBeInstanceOf(TransientAgentError);
    reply([{ status: 401, error: "invalid api key" }]);
    const err = await runLlmAgent({ prompt: "x", cwd, llm: llm() }).catch((e) => e);
    expect(err).toBeInstanceOf(ExecutionBlockedError);
    expect(err.message).not.toContain(KEY);
    expect(status(cwd)).toBe("");
  });

  it("extracts a diff without a fence too", () => {
    expect(extractDiff("Here:\n" + GOOD_DIFF)).toBe(GOOD_DIFF);
    expect(extractDiff("no diff here")).toBeNull();
  });
});
