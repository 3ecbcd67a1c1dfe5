// execute_task × agentops × telemetry: which agent and model run a task and why (org resource,
// the repository's .devgodzilla/agents.yaml and prompt overrides, an explicit run input), the
// prompt the agent actually gets, and the trace context reaching the agent process.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createFixtureRemote, tempDir, type FixtureRemote } from "../helpers/git-fixtures.ts";
import { executeTask } from "../../f/devgodzilla/lib/workspace/execute_task.ts";
import { runAgent, type RunAgentRequest } from "../../f/devgodzilla/lib/agents/index.ts";
import { configureTelemetry, flushTelemetry, shutdownTelemetry } from "../../f/devgodzilla/lib/telemetry/index.ts";
import { FAKE_BIN } from "../agents/helpers.ts";

const FEATURE = "001-sums";

let fx: FixtureRemote;
let cache: { dir: string; cleanup(): Promise<void> };
let work: { dir: string; cleanup(): Promise<void> };

beforeAll(async () => {
  fx = await createFixtureRemote("empty", {
    extraFiles: {
      "specs/001-sums/spec.md": "# Feature: sums\n",
      "specs/001-sums/plan.md": "# Plan\n",
      ".devgodzilla/agents.yaml": "tasks:\n  T020: { agent: codex, model: gpt-5-codex }\ntask_types:\n  test: claude-code\n",
      ".devgodzilla/prompts/codex/code.md":
        "PROJECT TEMPLATE for {{task_id}} ({{task_type}}): {{description}}\nRead {{spec_path}} and {{plan_path}}.\n{{block_instruction}}\n",
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

const base = () => ({ repo: fx.remote, commit: fx.seed, feature: FEATURE, cache_dir: cache.dir, work_root: work.dir, install: [] });
const ORG = {
  default_agent: "qwen",
  enabled: ["qwen", "codex", "claude-code"],
  bin_dir: FAKE_BIN,
  // The fake agent prints this variable's value ([[fake:leak]]): how the test sees the process env.
  agents: { codex: { env: { FAKE_AGENT_LEAK_VAR: "TRACEPARENT" } } },
};

/** The real runAgent, with the request it got kept for the assertions. */
function recording(): { seen: RunAgentRequest[]; runAgent: typeof runAgent } {
  const seen: RunAgentRequest[] = [];
  return { seen, runAgent: (req) => (seen.push(req), runAgent(req)) };
}

describe("executeTask agent assignment", () => {
  it("runs the agent and model the repository assigns to the task, with its prompt template, and says where each came from", async () => {
    const rec = recording();
    const res = await executeTask(
      { ...base(), task: { id: "T020", description: "Add sum() [[fake:write src/sum.js=module.exports = 1;\\n]]", files: ["src/sum.js"] } },
      { agents: ORG, runAgent: rec.runAgent },
    );
    expect(res.assignment).toEqual({
      agent: "codex",
      model: "gpt-5-codex",
      source: "project override: tasks.T020",
      model_source: "project override: tasks.T020",
      task_type: "code",
      prompt_source: "project override: .devgodzilla/prompts/codex/code.md",
      prompt_version: "project:.devgodzilla/prompts/codex/code.md",
    });
    expect(res.agent.agentId).toBe("codex");
    expect(rec.seen[0]).toMatchObject({ agentId: "codex", model: "gpt-5-codex" });
    const prompt = rec.seen[0]!.prompt;
    expect(prompt).toMatch(/^PROJECT TEMPLATE for T020 \(code\): Add sum\(\)/);
    expect(prompt).toContain("Read specs/001-sums/spec.md and specs/001-sums/plan.md.");
    expect(prompt).toContain("BLOCKED"); // the block instruction placeholder
    expect(prompt).toContain("specs/001-sums/_runtime/T020/task.md"); // the context note
    expect(await fx.show(res.commit, "src/sum.js")).toBe("module.exports = 1;\n");
  });

  it('an explicit agent argument wins over every assignment, with source "run input" and that agent\'s prompt', async () => {
    const rec = recording();
    const res = await executeTask(
      { ...base(), agent: "qwen", task: { id: "T020", description: "Add sum() [[fake:write src/sum.js=x\\n]]", files: ["src/sum.js"] } },
      { agents: ORG, runAgent: rec.runAgent },
    );
    expect(res.assignment).toMatchObject({ agent: "qwen", model: null, source: "run input", prompt_source: "bundle: prompts/agents/default/code" });
    expect(rec.seen[0]).toMatchObject({ agentId: "qwen" });
    expect(rec.seen[0]!.prompt).not.toContain("PROJECT TEMPLATE");
  });

  it("a task whose files are tests goes to the repository's test agent", async () => {
    const res = await executeTask(
      { ...base(), task: { id: "T021", description: "Tests for sum() [[fake:write test/sum.test.js=x\\n]]", files: ["test/sum.test.js"] } },
      { agents: ORG },
    );
    expect(res.assignment).toMatchObject({ agent: "claude-code", source: "project override: task_types.test", task_type: "test" });
    expect(res.agent.agentId).toBe("claude-code");
  });

  it("reports the fallback agent that actually ran when the assigned one is not enabled", async () => {
    const res = await executeTask(
      { ...base(), agent: "gemini-cli", task: { id: "T022", description: "x [[fake:write a.txt=a\\n]]" } },
      { agents: { ...ORG, fallback: ["qwen"] } },
    );
    expect(res.assignment).toMatchObject({ agent: "qwen", source: "fallback: gemini-cli (run input) was unavailable" });
  });
});

describe("executeTask tracing", () => {
  const bodies: string[] = [];
  let receiver: http.Server;
  beforeAll(async () => {
    receiver = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c) => chunks.push(c));
      req.on("end", () => {
        if (req.url === "/v1/traces") bodies.push(Buffer.concat(chunks).toString("utf8"));
        res.writeHead(200, { "content-type": "application/json" }).end("{}");
      });
    });
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  });
  afterAll(async () => {
    await shutdownTelemetry();
    receiver.closeAllConnections();
    await new Promise<void>((r) => receiver.close(() => r()));
  });

  it("the agent process runs inside a task span → agent span, and gets that agent span as TRACEPARENT", async () => {
    await configureTelemetry({ endpoint: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}` }, { exportDelayMs: 50 });
    const res = await executeTask(
      { ...base(), task: { id: "T020", description: "Traced [[fake:leak]] [[fake:write t.txt=t\\n]]", files: ["src/t.js"] } },
      { agents: ORG },
    );
    await flushTelemetry();
    type Span = { traceId: string; spanId: string; parentSpanId?: string; name: string; attributes?: { key: string; value: { stringValue?: string } }[] };
    const spans: Span[] = bodies.flatMap((b) =>
      JSON.parse(b).resourceSpans.flatMap((rs: { scopeSpans: { spans: Span[] }[] }) => rs.scopeSpans.flatMap((s) => s.spans)),
    );
    const task = spans.find((s) => s.name === "task T020");
    const agent = spans.find((s) => s.name === "agent codex");
    expect(task, spans.map((s) => s.name).join(", ")).toBeDefined();
    expect(agent?.parentSpanId).toBe(task!.spanId);
    const attr = (s: Span, k: string) => s.attributes?.find((a) => a.key === k)?.value.stringValue;
    expect(attr(task!, "devgodzilla.assignment")).toBe("project override: tasks.T020");
    expect(attr(agent!, "gen_ai.request.model")).toBe("gpt-5-codex");
    // The fake agent printed its TRACEPARENT: this trace, with the agent span as parent.
    expect(res.artifacts.logs.agent).toContain(`leaking 00-${agent!.traceId}-${agent!.spanId}-01`);
  });
});
