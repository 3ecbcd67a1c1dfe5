// The LLM client against a real loopback server in both wire protocols: text, structured output
// (native tool answers, fenced/prosy JSON repaired, garbage re-asked then failed with the raw
// answer redacted), transient retries honouring Retry-After, overflow, and the usage ledger.
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { scripted, startLlmServer, type LlmReply, type LlmServer } from "../../scripts/fakes/llm-server.ts";
import { checkApiKey, createLlm, type LlmConfig } from "../../f/devgodzilla/lib/llm/client.ts";
import { ContextOverflowError, LlmRequestError, StructuredOutputError, TransientLlmError } from "../../f/devgodzilla/lib/llm/errors.ts";
import { providerFromResources } from "../../f/devgodzilla/lib/llm/config.ts";
import { sumUsage } from "../../f/devgodzilla/lib/llm/usage.ts";
import { parseJsonLenient } from "../../f/devgodzilla/lib/llm/json.ts";
import { InputError } from "../../f/devgodzilla/lib/errors.ts";

const KEY = "sk-test-abcdefghijklmnop0123";
let server: LlmServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const Person = z.object({ name: z.string(), age: z.number().int() });

async function llmFor(protocol: "openai" | "anthropic", replies: LlmReply[], extra: Partial<LlmConfig> = {}) {
  server = await startLlmServer(scripted(replies));
  const waits: number[] = [];
  const llm = createLlm({
    provider: protocol,
    apiKey: KEY,
    baseUrl: protocol === "openai" ? server.openaiBaseUrl : server.url,
    model: protocol === "openai" ? "gpt-4o-mini" : "claude-sonnet-4-6",
    baseDelayMs: 5,
    sleep: async (ms) => {
      waits.push(ms);
    },
    ...extra,
  });
  return { llm, waits, server };
}

for (const protocol of ["openai", "anthropic"] as const) {
  describe(`LLM client over the ${protocol} protocol`, () => {
    it("returns text and records tokens and cost in the ledger", async () => {
      const { llm } = await llmFor(protocol, [{ text: "hi!", usage: { inputTokens: 1000, outputTokens: 500 } }]);
      expect(await llm.text({ system: "s", prompt: "p", purpose: "greet" })).toBe("hi!");
      const t = llm.ledger.totals();
      expect(t).toMatchObject({ calls: 1, inputTokens: 1000, outputTokens: 500, unpricedModels: [] });
      expect(t.costUsd).toBeGreaterThan(0);
      expect(llm.ledger.entries[0]).toMatchObject({ purpose: "greet", priceKnown: true, attempts: 1 });
    });

    it("accepts a structured answer given as a tool call", async () => {
      const { llm, server } = await llmFor(protocol, [{ toolCalls: [{ name: "person", arguments: { name: "Ada", age: 36 } }] }]);
      expect(await llm.structured({ prompt: "who?", schema: Person, schemaName: "person" })).toEqual({ name: "Ada", age: 36 });
      // native structured mode was requested from the provider
      const body = server.requests[0]!.body;
      if (protocol === "openai") expect(body.response_format.type).toBe("json_schema");
      else expect(body.tool_choice).toEqual({ type: "tool", name: "person" });
    });

    it("repairs JSON wrapped in fences and prose without asking again", async () => {
      const { llm, server } = await llmFor(protocol, [{ text: 'Sure! Here it is:\n```json\n{"name": "Bob", "age": 4,}\n```\nAnything else?' }]);
      expect(await llm.structured({ prompt: "who?", schema: Person })).toEqual({ name: "Bob", age: 4 });
      expect(server.requests).toHaveLength(1);
    });

    it("re-asks with the validation faults named, then succeeds", async () => {
      const { llm, server } = await llmFor(protocol, [{ text: '{"name": "Cy", "age": "old"}' }, { text: '{"name": "Cy", "age": 70}' }]);
      expect(await llm.structured({ prompt: "who?", schema: Person })).toEqual({ name: "Cy", age: 70 });
      expect(server.requests).toHaveLength(2);
      expect(JSON.stringify(server.requests[1]!.body.messages)).toMatch(/rejected[\s\S]*age/);
      expect(llm.ledger.totals().calls).toBe(2);
    });

    it("fails with a StructuredOutputError carrying the redacted raw answer after bounded attempts", async () => {
      const garbage = { text: `I cannot do JSON today, my key is ${KEY}` };
      const { llm, server } = await llmFor(protocol, [garbage, garbage, garbage, garbage], { structuredAttempts: 3 });
      const err = await llm.structured({ prompt: "who?", schema: Person }).catch((e) => e);
      expect(err).toBeInstanceOf(StructuredOutputError);
      expect(err.attempts).toBe(3);
      expect(err.raw).toContain("I cannot do JSON today");
      expect(err.raw).not.toContain(KEY);
      expect(err.suggestedAction).toBe("inspect_output");
      expect(server.requests).toHaveLength(3);
    });

    it("retries 429 honouring Retry-After, with SDK retries disabled", async () => {
      const { llm, waits, server } = await llmFor(protocol, [{ status: 429, error: "rate limited", retryAfterSeconds: 2 }, { text: "ok" }]);
      expect(await llm.text({ prompt: "x" })).toBe("ok");
      expect(waits).toEqual([2000]);
      expect(server.requests).toHaveLength(2);
      expect(server.requests.every((r) => r.headers["x-stainless-retry-count"] === "0")).toBe(true);
      expect(llm.ledger.entries[0]!.attempts).toBe(2);
    });

    it("backs off exponentially on 5xx and gives up with a TransientLlmError", async () => {
      const e500 = { status: 500, error: "boom" };
      const { llm, waits, server } = await llmFor(protocol, [e500, e500, e500, e500], { maxAttempts: 3 });
      const err = await llm.text({ prompt: "x" }).catch((e) => e);
      expect(err).toBeInstanceOf(TransientLlmError);
      expect(err.attempts).toBe(3);
      expect(server.requests).toHaveLength(3);
      expect(waits).toHaveLength(2);
      expect(waits[1]!).toBeGreaterThan(waits[0]!);
    });

    it("an unreachable endpoint is named in the error with the provider and base URL, never the key", async () => {
      // a port nothing listens on: the server is started to learn a free port, then closed
      const probe = await startLlmServer(scripted([]));
      const dead = protocol === "openai" ? probe.openaiBaseUrl : probe.url;
      await probe.close();
      const llm = createLlm({
        provider: protocol,
        apiKey: KEY,
        baseUrl: dead.replace("http://", `http://user:${KEY}@`),
        model: "m",
        baseDelayMs: 1,
        maxAttempts: 2,
        sleep: async () => undefined,
      });
      const err = await llm.text({ prompt: "x" }).catch((e) => e);
      expect(err).toBeInstanceOf(TransientLlmError);
      expect(err.message).toMatch(new RegExp(`^${protocol} at ${dead.replace(/[.]/g, "\\.")} kept failing: Connection error`));
      expect(err.message).not.toContain(KEY);
    });

    it("retries a connection reset and a timeout", async () => {
      const { llm, server } = await llmFor(protocol, [{ hangUp: true }, { delayMs: 1500, then: { text: "late" } }, { text: "finally" }], { timeoutMs: 400 });
      expect(await llm.text({ prompt: "x" })).toBe("finally");
      expect(server.requests).toHaveLength(3);
    });

    it("maps a context-window rejection to ContextOverflowError suggesting clarify", async () => {
      const msg = protocol === "openai" ? "This model's maximum context length is 128000 tokens." : "prompt is too long: 250000 tokens > 200000 maximum";
      const { llm, server } = await llmFor(protocol, [{ status: 400, error: msg, code: protocol === "openai" ? "context_length_exceeded" : undefined }]);
      const err = await llm.text({ prompt: "x" }).catch((e) => e);
      expect(err).toBeInstanceOf(ContextOverflowError);
      expect(err.suggestedAction).toBe("clarify");
      expect(server.requests).toHaveLength(1);
    });

    it("falls back to schema-in-prompt when a compatible server rejects native structured output", async () => {
      const { llm, server } = await llmFor(protocol, [
        { status: 400, error: "response_format json_schema is not supported by this server" },
        { text: '{"name": "Dee", "age": 9}' },
        { text: '{"name": "Eve", "age": 10}' },
      ]);
      expect(await llm.structured({ prompt: "who?", schema: Person })).toEqual({ name: "Dee", age: 9 });
      expect(await llm.structured({ prompt: "who?", schema: Person })).toEqual({ name: "Eve", age: 10 });
      const [first, second, third] = server.requests.map((r) => r.body);
      expect(first.response_format ?? first.tool_choice).toBeDefined();
      for (const b of [second, third]) expect(b.response_format ?? b.tool_choice).toBeUndefined();
      expect(JSON.stringify(second.system ?? second.messages)).toMatch(/JSON Schema/);
    });

    it("does not retry an authentication failure", async () => {
      const { llm, server } = await llmFor(protocol, [{ status: 401, error: "bad key" }, { text: "never" }]);
      const err = await llm.text({ prompt: "x" }).catch((e) => e);
      expect(err).toBeInstanceOf(LlmRequestError);
      expect(err.suggestedAction).toBe("fix_config");
      expect(server.requests).toHaveLength(1);
    });

    it("checks the API key against the provider's model list, spending nothing; a wrong key is refused without being echoed", async () => {
      server = await startLlmServer(scripted([]), { acceptedKeys: [KEY] });
      const config = (apiKey: string) => ({ provider: protocol, apiKey, baseUrl: protocol === "openai" ? server!.openaiBaseUrl : server!.url, model: "m" });
      expect(await checkApiKey(config(KEY))).toEqual({});
      const wrong = await checkApiKey(config("sk-wrong-key-0000000000"));
      expect(wrong.refused).toMatch(new RegExp(`^${protocol} at http://127\\.0\\.0\\.1:\\d+.* refused the API key \\(401`));
      expect(JSON.stringify(wrong)).not.toContain("sk-wrong-key");
      expect(server.requests).toHaveLength(0); // no model call
    });
  });
}

describe("LLM client without a server round trip", () => {
  it("refuses a prompt larger than the model's window before sending it", async () => {
    const { llm, server } = await llmFor("openai", [{ text: "never" }], { contextWindowTokens: 1000, maxOutputTokens: 100 });
    const err = await llm.text({ prompt: "word ".repeat(2000) }).catch((e) => e);
    expect(err).toBeInstanceOf(ContextOverflowError);
    expect(err.estimatedInputTokens).toBeGreaterThan(1000);
    expect(server.requests).toHaveLength(0);
  });

  it("counts an unknown model at zero cost and flags it", async () => {
    const { llm } = await llmFor("openai", [{ text: "x", usage: { inputTokens: 10, outputTokens: 10 } }], { model: "llama3.1:8b" });
    await llm.text({ prompt: "x" });
    const t = llm.ledger.totals();
    expect(t.costUsd).toBe(0);
    expect(t.unpricedModels).toEqual(["llama3.1:8b"]);
    expect(sumUsage(t, t, null).calls).toBe(2);
  });

  it("repairs common JSON faults but not prose", () => {
    expect(parseJsonLenient('```\n{"a": [1, 2,],}\n```')).toMatchObject({ ok: true, value: { a: [1, 2] } });
    expect(parseJsonLenient('The answer: {"a": "}"} done')).toMatchObject({ ok: true, value: { a: "}" } });
    expect(parseJsonLenient("no json here").ok).toBe(false);
  });
});

describe("LLM credentials from resources", () => {
  it("builds a provider config from exactly one resource", () => {
    expect(providerFromResources({ openai: { api_key: "k1", organization_id: "org", base_url: "http://127.0.0.1:1/v1" } })).toMatchObject({
      provider: "openai",
      apiKey: "k1",
      organization: "org",
      baseUrl: "http://127.0.0.1:1/v1",
      model: "gpt-4.1",
    });
    expect(providerFromResources({ anthropic: { apiKey: "k2" }, model: "claude-haiku-4-5" })).toMatchObject({
      provider: "anthropic",
      apiKey: "k2",
      model: "claude-haiku-4-5",
    });
    expect(providerFromResources({ llm: { provider: "openai", api_key: "k3", base_url: "http://localhost:11434/v1", model: "qwen2.5" } })).toMatchObject({
      provider: "openai",
      model: "qwen2.5",
      baseUrl: "http://localhost:11434/v1",
    });
  });

  it("rejects none, several, or a malformed resource without echoing the key", () => {
    expect(() => providerFromResources({})).toThrow(InputError);
    expect(() => providerFromResources({ openai: { api_key: "a" }, anthropic: { apiKey: "b" } })).toThrow(/several/);
    let err: unknown;
    try {
      providerFromResources({ llm: { provider: "mistral", api_key: "supersecretvalue" } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).not.toContain("supersecretvalue");
  });
});
