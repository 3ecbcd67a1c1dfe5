// The loopback model server must look like the real APIs to the official SDKs (and, by the same
// wire format, to agent CLIs), in both protocols, streaming and not.
import { afterEach, describe, expect, it } from "vitest";
import OpenAI from "openai";
import Anthropic from "@anthropic-ai/sdk";
import { agentTurns, byPrompt, embedText, keyFingerprint, scripted, startLlmServer, type LlmServer } from "../../scripts/fakes/llm-server.ts";

let server: LlmServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const KEY = "sk-test-0123456789abcdefghij";

describe("loopback LLM server, OpenAI protocol", () => {
  it("answers a non-streaming chat completion with text and usage", async () => {
    server = await startLlmServer(scripted([{ text: "hello there", usage: { inputTokens: 11, outputTokens: 3 } }]));
    const client = new OpenAI({ apiKey: KEY, baseURL: server.openaiBaseUrl, maxRetries: 0 });
    const r = await client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] });
    expect(r.choices[0]!.message.content).toBe("hello there");
    expect(r.usage).toMatchObject({ prompt_tokens: 11, completion_tokens: 3, total_tokens: 14 });
    expect(server.requests[0]!.headers.authorization).toBe("[REDACTED]");
    expect(server.requests[0]!.apiKeySha256).toBe(keyFingerprint(KEY));
    expect(JSON.stringify(server.requests)).not.toContain(KEY);
  });

  it("streams text then a usage chunk when include_usage is asked", async () => {
    server = await startLlmServer(scripted([{ text: "a streamed answer of some length" }]));
    const client = new OpenAI({ apiKey: KEY, baseURL: server.openaiBaseUrl, maxRetries: 0 });
    const stream = await client.chat.completions.create({
      model: "m",
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: "user", content: "go" }],
    });
    let text = "";
    let usage: unknown;
    let finish: string | null = null;
    for await (const c of stream) {
      text += c.choices[0]?.delta.content ?? "";
      if (c.choices[0]?.finish_reason) finish = c.choices[0].finish_reason;
      if (c.usage) usage = c.usage;
    }
    expect(text).toBe("a streamed answer of some length");
    expect(finish).toBe("stop");
    expect(usage).toMatchObject({ prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number) });
  });

  it("returns tool calls streamed and not streamed", async () => {
    const call = { toolCalls: [{ name: "write_file", arguments: { file_path: "/tmp/x", content: "y" } }] };
    server = await startLlmServer(scripted([call, call]));
    const client = new OpenAI({ apiKey: KEY, baseURL: server.openaiBaseUrl, maxRetries: 0 });
    const r = await client.chat.completions.create({ model: "m", messages: [{ role: "user", content: "x" }] });
    expect(r.choices[0]!.finish_reason).toBe("tool_calls");
    const tc = r.choices[0]!.message.tool_calls![0]!;
    expect(tc.type === "function" && JSON.parse(tc.function.arguments)).toEqual({ file_path: "/tmp/x", content: "y" });
    const runner = client.chat.completions.stream({ model: "m", messages: [{ role: "user", content: "x" }] });
    const final = await runner.finalChatCompletion();
    const stc = final.choices[0]!.message.tool_calls![0]!;
    expect(stc.type === "function" && stc.function.name).toBe("write_file");
  });

  it("answers after a scripted delay", async () => {
    server = await startLlmServer(scripted([{ delayMs: 200, then: { text: "late" } }]));
    const client = new OpenAI({ apiKey: KEY, baseURL: server.openaiBaseUrl, maxRetries: 0, timeout: 5000 });
    const started = Date.now();
    const r = await client.chat.completions.create({ model: "m", messages: [{ role: "user", content: "x" }] });
    expect(r.choices[0]!.message.content).toBe("late");
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it("sends errors with status and Retry-After", async () => {
    server = await startLlmServer(scripted([{ status: 429, error: "slow down", retryAfterSeconds: 7 }]));
    const res = await fetch(`${server.openaiBaseUrl}/chat/completions`, { method: "POST", body: JSON.stringify({ model: "m", messages: [] }) });
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("7");
    expect(((await res.json()) as any).error.message).toBe("slow down");
  });

  it("routes by prompt and reports when no rule matches", async () => {
    server = await startLlmServer(
      byPrompt([
        [/weather/, { text: "sunny" }],
        [(ex) => ex.body.model === "special", (ex) => ({ text: `model ${ex.body.model}` })],
      ]),
    );
    const client = new OpenAI({ apiKey: KEY, baseURL: server.openaiBaseUrl, maxRetries: 0 });
    const a = await client.chat.completions.create({
      model: "m",
      messages: [
        { role: "system", content: "be nice" },
        { role: "user", content: "the weather?" },
      ],
    });
    expect(a.choices[0]!.message.content).toBe("sunny");
    const b = await client.chat.completions.create({ model: "special", messages: [{ role: "user", content: "?" }] });
    expect(b.choices[0]!.message.content).toBe("model special");
    await expect(client.chat.completions.create({ model: "m", messages: [{ role: "user", content: "nothing" }] })).rejects.toThrow(/no rule matched/);
  });

  it("scripts an agent conversation by the number of tool results, and answers tool-less requests with text", async () => {
    server = await startLlmServer(
      agentTurns([{ toolCalls: [{ name: "write_file", arguments: { file_path: "/w/a.txt", content: "hi" } }] }, { text: "done" }], "A title"),
    );
    const client = new OpenAI({ apiKey: KEY, baseURL: server.openaiBaseUrl, maxRetries: 0 });
    const tools = [{ type: "function" as const, function: { name: "write_file", parameters: { type: "object" } } }];
    const t1 = await client.chat.completions.create({ model: "m", tools, messages: [{ role: "user", content: "write" }] });
    const call = t1.choices[0]!.message.tool_calls![0]!;
    const t2 = await client.chat.completions.create({
      model: "m",
      tools,
      messages: [{ role: "user", content: "write" }, t1.choices[0]!.message, { role: "tool", tool_call_id: call.id, content: "ok" }],
    });
    expect(t2.choices[0]!.message.content).toBe("done");
    const title = await client.chat.completions.create({ model: "m", messages: [{ role: "user", content: "title?" }] });
    expect(title.choices[0]!.message.content).toBe("A title");
  });

  it("serves deterministic embeddings where similar texts are closer", async () => {
    server = await startLlmServer(scripted([]));
    const client = new OpenAI({ apiKey: KEY, baseURL: server.openaiBaseUrl, maxRetries: 0 });
    const r = await client.embeddings.create({
      model: "text-embedding-3-small",
      input: ["user login form", "login form for users", "database migration tool"],
    });
    const [a, b, c] = r.data.map((d) => d.embedding);
    const dot = (x: number[], y: number[]) => x.reduce((s, v, i) => s + v * y[i]!, 0);
    expect(a!.length).toBe(64);
    expect(dot(a!, b!)).toBeGreaterThan(dot(a!, c!));
    // The SDK asks for base64 float32 by default: equal to our vector up to float32 precision.
    embedText("user login form").forEach((x, i) => expect(a![i]).toBeCloseTo(x, 5));
    expect(r.usage.prompt_tokens).toBeGreaterThan(0);
  });
});

describe("loopback LLM server, Anthropic protocol", () => {
  it("answers messages non-streaming and streaming with usage", async () => {
    server = await startLlmServer(scripted([{ text: "plain", usage: { inputTokens: 5, outputTokens: 2 } }, { text: "streamed reply" }]));
    const client = new Anthropic({ apiKey: KEY, baseURL: server.url, maxRetries: 0 });
    const r = await client.messages.create({ model: "claude-sonnet-4-6", max_tokens: 100, messages: [{ role: "user", content: "hi" }] });
    expect(r.content[0]).toMatchObject({ type: "text", text: "plain" });
    expect(r.usage).toMatchObject({ input_tokens: 5, output_tokens: 2 });
    const final = await client.messages.stream({ model: "claude-sonnet-4-6", max_tokens: 100, messages: [{ role: "user", content: "hi" }] }).finalMessage();
    expect(final.content[0]).toMatchObject({ type: "text", text: "streamed reply" });
    expect(final.usage.output_tokens).toBeGreaterThan(0);
    const h = server.requests[0]!.headers;
    expect(h["x-api-key"] ?? h.authorization).toBe("[REDACTED]");
    expect(JSON.stringify(server.requests)).not.toContain(KEY);
    expect(server.requests[0]!.apiKeySha256).toBe(keyFingerprint(KEY));
  });

  it("returns tool_use blocks streamed and not streamed", async () => {
    const call = { toolCalls: [{ name: "edit", arguments: { path: "a.ts" } }] };
    server = await startLlmServer(scripted([call, call]));
    const client = new Anthropic({ apiKey: KEY, baseURL: server.url, maxRetries: 0 });
    const r = await client.messages.create({ model: "m", max_tokens: 10, messages: [{ role: "user", content: "x" }] });
    expect(r.stop_reason).toBe("tool_use");
    expect(r.content[0]).toMatchObject({ type: "tool_use", name: "edit", input: { path: "a.ts" } });
    const s = await client.messages.stream({ model: "m", max_tokens: 10, messages: [{ role: "user", content: "x" }] }).finalMessage();
    expect(s.content[0]).toMatchObject({ type: "tool_use", name: "edit", input: { path: "a.ts" } });
  });

  it("sends Anthropic-shaped errors", async () => {
    server = await startLlmServer(scripted([{ status: 400, error: "prompt is too long: 300000 tokens > 200000 maximum" }]));
    const client = new Anthropic({ apiKey: KEY, baseURL: server.url, maxRetries: 0 });
    const err = await client.messages.create({ model: "m", max_tokens: 10, messages: [{ role: "user", content: "x" }] }).catch((e) => e);
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    expect(err.message).toMatch(/prompt is too long/);
  });
});

describe("loopback LLM server, OpenAI Responses protocol", () => {
  it("streams a function call and then text with usage, as the Responses API does", async () => {
    const call = { toolCalls: [{ name: "exec_command", arguments: { cmd: "ls" } }], usage: { inputTokens: 30, outputTokens: 4 } };
    server = await startLlmServer(agentTurns([call, { text: "listed", usage: { inputTokens: 40, outputTokens: 2 } }]));
    const client = new OpenAI({ apiKey: KEY, baseURL: server.openaiBaseUrl, maxRetries: 0 });
    const tools = [{ type: "function" as const, name: "exec_command", parameters: { type: "object", properties: { cmd: { type: "string" } } }, strict: false }];
    const first = await client.responses.create({ model: "gpt-5-codex", input: "list files", tools, stream: true });
    const types: string[] = [];
    let done: any;
    for await (const e of first) {
      types.push(e.type);
      if (e.type === "response.completed") done = e.response;
    }
    expect(types[0]).toBe("response.created");
    expect(types).toContain("response.output_item.done");
    expect(done.output[0]).toMatchObject({ type: "function_call", name: "exec_command", arguments: '{"cmd":"ls"}' });
    expect(done.usage).toMatchObject({ input_tokens: 30, output_tokens: 4, total_tokens: 34 });
    // The tool's output goes back as a function_call_output item: the next scripted turn answers.
    const second = await client.responses.create({
      model: "gpt-5-codex",
      tools,
      input: [
        { role: "user", content: "list files" },
        { type: "function_call", call_id: done.output[0].call_id, name: "exec_command", arguments: '{"cmd":"ls"}' },
        { type: "function_call_output", call_id: done.output[0].call_id, output: "a.txt" },
      ],
    });
    expect(second.output_text).toBe("listed");
    expect(server.requests[1]!.protocol).toBe("responses");
  });
});

describe("loopback LLM server, Gemini protocol", () => {
  const post = (path: string, body: unknown, key = KEY) =>
    fetch(`${server!.url}/v1beta/models/gemini-2.5-flash:${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-goog-api-key": key },
      body: JSON.stringify(body),
    });
  const tools = [{ functionDeclarations: [{ name: "write_file", parameters: { type: "object" } }] }];

  it("streams a functionCall as server-sent GenerateContentResponses with usageMetadata, then text once the functionResponse is back", async () => {
    server = await startLlmServer(
      agentTurns([
        { toolCalls: [{ name: "write_file", arguments: { file_path: "/w/a.txt", content: "x" } }], usage: { inputTokens: 50, outputTokens: 5 } },
        { text: "written" },
      ]),
    );
    const res = await post("streamGenerateContent?alt=sse", { contents: [{ role: "user", parts: [{ text: "write it" }] }], tools });
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const events = (await res.text())
      .split("\n")
      .filter((l) => l.startsWith("data: "))
      .map((l) => JSON.parse(l.slice(6)));
    const last = events.at(-1);
    expect(last.candidates[0]).toMatchObject({
      finishReason: "STOP",
      content: { role: "model", parts: [{ functionCall: { name: "write_file", args: { file_path: "/w/a.txt", content: "x" } } }] },
    });
    expect(last.usageMetadata).toEqual({ promptTokenCount: 50, candidatesTokenCount: 5, totalTokenCount: 55 });
    const next = await post("generateContent", {
      contents: [
        { role: "user", parts: [{ text: "write it" }] },
        { role: "model", parts: [{ functionCall: { name: "write_file", args: {} } }] },
        { role: "user", parts: [{ functionResponse: { name: "write_file", response: { output: "ok" } } }] },
      ],
      tools,
    });
    expect(((await next.json()) as any).candidates[0].content.parts).toEqual([{ text: "written" }]);
    expect(server.requests.map((r) => [r.protocol, r.model, r.apiKeySha256])).toEqual([
      ["gemini", "gemini-2.5-flash", keyFingerprint(KEY)],
      ["gemini", "gemini-2.5-flash", keyFingerprint(KEY)],
    ]);
    expect(server.requests[0]!.headers["x-goog-api-key"]).toBe("[REDACTED]");
  });

  it("sends Google-shaped errors", async () => {
    server = await startLlmServer(() => ({ status: 401, error: "API key not valid" }));
    const res = await post("generateContent", { contents: [] }, "bad");
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: { code: 401, message: "API key not valid", status: "UNAUTHENTICATED" } });
  });
});
