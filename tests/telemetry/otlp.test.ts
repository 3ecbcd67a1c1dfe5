import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPath } from "../../scripts/runner/index.ts";
import { startLlmServer, type LlmServer } from "../../scripts/fakes/llm-server.ts";
import { configureTelemetry, currentTraceparent, flushTelemetry, shutdownTelemetry, withSpan } from "../../f/devgodzilla/lib/telemetry/index.ts";
import { Redactor } from "../../f/devgodzilla/lib/redact.ts";

const FIX = path.join(import.meta.dirname, "../fixtures/agentops");
const ROOT = path.join(FIX, "root");
const CANARY = "canary-7c1d2e3f4a5b6c7d8e9f";

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes?: { key: string; value: Record<string, unknown> }[];
  status?: { code?: number };
}
let dir: string;
let bin: string;
let receiver: http.Server;
let otlpUrl: string;
let llm: LlmServer;
const bodies: { headers: http.IncomingHttpHeaders; text: string }[] = [];

const spans = (): OtlpSpan[] =>
  bodies.flatMap((b) =>
    (JSON.parse(b.text).resourceSpans ?? []).flatMap((rs: { scopeSpans: { spans: OtlpSpan[] }[] }) => rs.scopeSpans.flatMap((ss) => ss.spans)),
  );
const attr = (s: OtlpSpan, key: string) => {
  const v = s.attributes?.find((a) => a.key === key)?.value;
  return v ? (v.stringValue ?? v.intValue ?? v.doubleValue ?? v.boolValue) : undefined;
};

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "dg-otlp-"));
  bin = path.join(dir, "bin");
  mkdirSync(bin);
  symlinkSync(path.join(FIX, "fake-cli.mjs"), path.join(bin, "claude"));
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      if (req.url === "/v1/traces") bodies.push({ headers: req.headers, text: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  otlpUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  llm = await startLlmServer(() => ({ text: "T001 adds a greeting.", usage: { inputTokens: 42, outputTokens: 7 } }));
});
afterAll(async () => {
  await shutdownTelemetry();
  await llm.close();
  receiver.closeAllConnections();
  await new Promise<void>((r) => receiver.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

function worktree(): string {
  const wt = mkdtempSync(path.join(dir, "wt-"));
  execFileSync("git", ["init", "-q", wt]);
  return wt;
}

function store(withOtlp: boolean, tpFile: string) {
  return {
    resources: {
      ...(withOtlp
        ? { "f/t/otlp": { resource_type: "c_devgodzilla_otlp", value: { endpoint: otlpUrl, headers: { "x-collector-key": "$var:f/t/otlp_key" } } } }
        : {}),
      "f/t/llm": {
        resource_type: "c_devgodzilla_llm",
        value: { provider: "openai", api_key: "$var:f/t/llm_key", base_url: llm.openaiBaseUrl, model: "gpt-4.1" },
      },
      "f/t/agents": {
        resource_type: "c_devgodzilla_agents",
        value: { bin_dir: bin, agents: { "claude-code": { api_key: "$var:f/t/claude_key", env: { FAKE_TRACEPARENT_FILE: tpFile } } } },
      },
      "f/t/misc": { resource_type: "object", value: { note: CANARY, password: CANARY } },
    },
    variables: { "f/t/otlp_key": CANARY, "f/t/llm_key": CANARY, "f/t/claude_key": CANARY },
  };
}

const ARGS = (cwd: string) => ({ cwd, agents: "$res:f/t/agents", llm: "$res:f/t/llm" });

describe("telemetry", () => {
  it("is off by default: no OTLP resource → nothing exported, the SDK never started, no TRACEPARENT", async () => {
    const tp = path.join(dir, "tp-off.txt");
    const out = await runPath("f/agentops/traced", { root: ROOT, stateDir: path.join(dir, "state-off"), store: store(false, tp), args: ARGS(worktree()) });
    expect(out.status, JSON.stringify(out.error)).toBe("success");
    expect(bodies).toEqual([]);
    expect((globalThis as { __devgodzillaOtelStarted?: boolean }).__devgodzillaOtelStarted).toBeUndefined();
    expect(readFileSync(tp, "utf8")).toBe("\n"); // the agent ran, with an empty TRACEPARENT
    expect(await withSpan("x", {}, () => 41 + 1)).toBe(42);
    expect(currentTraceparent()).toBeUndefined();
  });

  it("exports the span tree of a flow run (run → steps → task → agent, llm call, verdict) with no secret in any attribute", async () => {
    const tp = path.join(dir, "tp-on.txt");
    const out = await runPath("f/agentops/traced", { root: ROOT, stateDir: path.join(dir, "state-on"), store: store(true, tp), args: ARGS(worktree()) });
    expect(out.status, JSON.stringify(out.error)).toBe("success");
    const all = spans();
    const byName = (n: string) => {
      const s = all.filter((x) => x.name === n);
      expect(s, `span ${n} in ${all.map((x) => x.name).join(", ")}`).toHaveLength(1);
      return s[0]!;
    };
    const run = byName("run f/agentops/traced");
    const [execute, summarize, qa] = ["step execute", "step summarize", "step qa"].map(byName);
    const task = byName("task T001");
    const agent = byName("agent claude-code");
    const llmSpan = byName("llm openai/gpt-4.1");
    expect(new Set(all.map((s) => s.traceId)).size).toBe(1);
    expect(run.parentSpanId ?? "").toBe("");
    for (const s of [execute, summarize, qa]) expect(s.parentSpanId).toBe(run.spanId);
    expect(task.parentSpanId).toBe(execute.spanId);
    expect(agent.parentSpanId).toBe(task.spanId);
    expect(llmSpan.parentSpanId).toBe(summarize.spanId);
    expect(all).toHaveLength(7);

    expect(attr(run, "devgodzilla.status")).toBe("success");
    expect(attr(agent, "devgodzilla.agent")).toBe("claude-code");
    expect(Number(attr(agent, "gen_ai.usage.input_tokens"))).toBe(200);
    expect(attr(agent, "devgodzilla.cost_usd")).toBe(0.004);
    expect(attr(llmSpan, "gen_ai.request.model")).toBe("gpt-4.1");
    expect(Number(attr(llmSpan, "gen_ai.usage.output_tokens"))).toBe(7);
    expect(attr(qa, "devgodzilla.verdict")).toBe("passed");

    // The agent process got this trace's context, as a child of its agent span.
    expect(readFileSync(tp, "utf8").trim()).toBe(`00-${run.traceId}-${agent.spanId}-01`);

    // The collector's header reached the collector, but no secret is on any span.
    expect(bodies[0]!.headers["x-collector-key"]).toBe(CANARY);
    expect(bodies.every((b) => !b.text.includes(CANARY))).toBe(true);
    expect(bodies[0]!.headers["content-type"]).toMatch(/application\/json/);
  });

  it("a failing step marks its span and the run as errors, without the secret in the message", async () => {
    bodies.length = 0;
    const out = await runPath("f/agentops/traced", {
      root: ROOT,
      stateDir: path.join(dir, "state-fail"),
      store: store(true, path.join(dir, "tp-fail.txt")),
      args: { ...ARGS(worktree()), agents: { bin_dir: path.join(dir, "nowhere"), agents: { "claude-code": { api_key: CANARY } } } },
    });
    expect(out.status).toBe("failure");
    const all = spans();
    const step = all.find((s) => s.name === "step execute")!;
    expect(step.status?.code).toBe(2);
    expect(
      attr(
        all.find((s) => s.name === "run f/agentops/traced")!,
        "devgodzilla.status",
      ),
    ).toBe("failure");
    expect(bodies.every((b) => !b.text.includes(CANARY))).toBe(true);
  });

  it("scrubs attribute values and error messages, drops credential-like keys, and continues a parent's TRACEPARENT", async () => {
    bodies.length = 0;
    await configureTelemetry({ endpoint: `${otlpUrl}/v1/traces` }, { redactor: new Redactor([CANARY]) });
    const parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    const prev = process.env.TRACEPARENT;
    process.env.TRACEPARENT = parent;
    try {
      await expect(
        withSpan(
          "manual",
          { "devgodzilla.note": `got ${CANARY} and sk-proj-abcdefghijklmnopqrstuvwx`, "x.api_key": "abcdefgh", "y.token": "zzzzzzzz", "z.count": 3 },
          async () => {
            expect(currentTraceparent()).toMatch(/^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01$/);
            throw new Error(`boom ${CANARY}`);
          },
        ),
      ).rejects.toThrow("boom");
    } finally {
      if (prev === undefined) delete process.env.TRACEPARENT;
      else process.env.TRACEPARENT = prev;
    }
    await flushTelemetry();
    const s = spans().find((x) => x.name === "manual")!;
    expect(s.traceId).toBe("0af7651916cd43dd8448eb211c80319c");
    expect(s.parentSpanId).toBe("b7ad6b7169203331");
    expect(attr(s, "devgodzilla.note")).toBe("got [REDACTED] and [REDACTED]");
    expect(attr(s, "x.api_key")).toBeUndefined();
    expect(attr(s, "y.token")).toBeUndefined();
    expect(Number(attr(s, "z.count"))).toBe(3);
    expect(JSON.stringify(s.status)).toContain("boom [REDACTED]");
    expect(bodies.every((b) => !b.text.includes(CANARY))).toBe(true);
  });
});
