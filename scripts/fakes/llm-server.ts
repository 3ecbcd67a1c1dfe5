// Loopback model server for tests and the offline demo. Speaks enough of three wire protocols for
// the official SDKs and for agent CLIs (qwen, opencode) to work against it unchanged:
//   POST /v1/chat/completions  — OpenAI Chat Completions, streaming (SSE, include_usage) and not
//   POST /v1/messages          — Anthropic Messages, streaming (SSE events) and not
//   POST /v1/embeddings        — deterministic hashed bag-of-words vectors (no handler involved)
// Every request is recorded (Authorization / x-api-key values are never stored or logged; only a
// short sha256 fingerprint of the key, so a test can check which key was sent).

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createHash, randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import { readText } from "./http.ts";

export type Protocol = "openai" | "anthropic" | "embeddings";

export interface LlmExchange {
  protocol: Protocol;
  path: string;
  /** Lower-cased request headers; credentials replaced by "[REDACTED]". */
  headers: Record<string, string>;
  body: any;
  /** First 16 hex chars of sha256(api key) when a key was sent (Bearer or x-api-key). */
  apiKeySha256?: string;
}

export interface ReplyUsage {
  inputTokens?: number;
  outputTokens?: number;
}

export type LlmReply =
  | { text: string; usage?: ReplyUsage }
  | { toolCalls: { name: string; arguments: unknown }[]; text?: string; usage?: ReplyUsage }
  | { status: number; error: string; retryAfterSeconds?: number; code?: string; type?: string }
  | { delayMs: number; then: LlmReply }
  /** Destroys the socket without answering (a connection reset, as the client sees it). */
  | { hangUp: true };

export type LlmHandler = (ex: LlmExchange) => LlmReply | Promise<LlmReply>;

export interface LlmServer {
  url: string;
  openaiBaseUrl: string;
  requests: LlmExchange[];
  close(): Promise<void>;
}

export interface LlmServerOptions {
  /** Embedding dimension when the request does not ask for one. */
  embeddingDimensions?: number;
}

/** sha256 fingerprint used in LlmExchange.apiKeySha256. */
export function keyFingerprint(key: string): string {
  return createHash("sha256").update(key).digest("hex").slice(0, 16);
}

/** All the prompt text of a request (system + messages + tool results), for routing rules. */
export function promptText(ex: LlmExchange): string {
  const parts: string[] = [];
  const push = (c: unknown): void => {
    if (typeof c === "string") parts.push(c);
    else if (Array.isArray(c)) c.forEach(push);
    else if (c && typeof c === "object") {
      const o = c as Record<string, unknown>;
      if (typeof o.text === "string") parts.push(o.text);
      if (o.content !== undefined) push(o.content);
    }
  };
  const b = ex.body ?? {};
  push(b.system);
  for (const m of b.messages ?? []) push(m?.content);
  push(b.input);
  return parts.join("\n");
}

/** Answers with the given replies in order; the request after the last gets a 500 saying so. */
export function scripted(replies: LlmReply[]): LlmHandler {
  let i = 0;
  return () => {
    if (i >= replies.length) {
      return { status: 500, error: `llm-server: scripted replies exhausted after ${replies.length}` };
    }
    return replies[i++]!;
  };
}

/**
 * A stateless agent conversation: the number of tool results in the
 * request (OpenAI `role: "tool"` messages, Anthropic `tool_result` blocks) picks the turn to
 * answer; a request without `tools` (title generators and the like) gets `plainText`.
 */
export function agentTurns(turns: LlmReply[], plainText = "ok"): LlmHandler {
  return (ex) => {
    const b = ex.body ?? {};
    if (!Array.isArray(b.tools) || b.tools.length === 0) return { text: plainText };
    let done = 0;
    for (const m of b.messages ?? []) {
      if (m?.role === "tool") done++;
      else if (Array.isArray(m?.content)) done += m.content.filter((c: { type?: string }) => c?.type === "tool_result").length;
    }
    return turns[Math.min(done, turns.length - 1)] ?? { text: plainText };
  };
}

type Rule = [RegExp | ((ex: LlmExchange) => boolean), LlmReply | ((ex: LlmExchange) => LlmReply | Promise<LlmReply>)];

/** Routes each request to the first rule whose regexp matches the prompt text (or predicate holds). */
export function byPrompt(rules: Rule[]): LlmHandler {
  return (ex) => {
    const text = promptText(ex);
    for (const [match, reply] of rules) {
      const ok = typeof match === "function" ? match(ex) : match.test(text);
      if (ok) return typeof reply === "function" ? reply(ex) : reply;
    }
    return { status: 500, error: `llm-server: no rule matched prompt starting ${JSON.stringify(text.slice(0, 80))}` };
  };
}

// ---------------------------------------------------------------------------------------------

const estimateTokens = (s: string): number => Math.max(1, Math.ceil(s.length / 4));

function safeHeaders(req: IncomingMessage): { headers: Record<string, string>; apiKeySha256?: string } {
  const headers: Record<string, string> = {};
  let key: string | undefined;
  for (const [k, v] of Object.entries(req.headers)) {
    const value = Array.isArray(v) ? v.join(", ") : (v ?? "");
    const name = k.toLowerCase();
    if (name === "authorization") {
      key = value.replace(/^Bearer\s+/i, "");
      headers[name] = "[REDACTED]";
    } else if (name === "x-api-key" || name === "api-key") {
      key = value;
      headers[name] = "[REDACTED]";
    } else headers[name] = value;
  }
  return { headers, apiKeySha256: key ? keyFingerprint(key) : undefined };
}

function sendJson(res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
  const data = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(data), ...extra });
  res.end(data);
}

function sendError(res: ServerResponse, protocol: Protocol, r: { status: number; error: string; retryAfterSeconds?: number; code?: string; type?: string }): void {
  const extra: Record<string, string> = {};
  if (r.retryAfterSeconds !== undefined) extra["retry-after"] = String(r.retryAfterSeconds);
  // Our own SDK clients must not retry on their own; x-should-retry stays unset on purpose.
  if (protocol === "anthropic") {
    const type = r.type ?? (r.status === 429 ? "rate_limit_error" : r.status >= 500 ? "api_error" : "invalid_request_error");
    sendJson(res, r.status, { type: "error", error: { type, message: r.error } }, extra);
  } else {
    const type = r.type ?? (r.status === 429 ? "rate_limit_exceeded" : r.status >= 500 ? "server_error" : "invalid_request_error");
    sendJson(res, r.status, { error: { message: r.error, type, code: r.code ?? null, param: null } }, extra);
  }
}

function usageOf(reply: { usage?: ReplyUsage }, ex: LlmExchange, output: string): { input: number; output: number } {
  return {
    input: reply.usage?.inputTokens ?? estimateTokens(promptText(ex)),
    output: reply.usage?.outputTokens ?? estimateTokens(output),
  };
}

function sse(res: ServerResponse): { send: (data: unknown, event?: string) => void; end: () => void } {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
  return {
    send: (data, event) => {
      if (event) res.write(`event: ${event}\n`);
      res.write(`data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`);
    },
    end: () => res.end(),
  };
}

/** Splits text into a few chunks so clients really assemble a stream. */
function chunksOf(text: string, n = 3): string[] {
  if (text.length === 0) return [];
  const size = Math.max(1, Math.ceil(text.length / n));
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

const argsString = (a: unknown): string => (typeof a === "string" ? a : JSON.stringify(a ?? {}));

function answerOpenai(res: ServerResponse, ex: LlmExchange, reply: Exclude<LlmReply, { status: number } | { delayMs: number } | { hangUp: true }>): void {
  const id = `chatcmpl-${randomUUID()}`;
  const created = Math.floor(Date.now() / 1000);
  const model = String(ex.body?.model ?? "mock-model");
  const toolCalls = "toolCalls" in reply ? reply.toolCalls.map((t, i) => ({ index: i, id: `call_${randomUUID().slice(0, 8)}`, type: "function" as const, function: { name: t.name, arguments: argsString(t.arguments) } })) : [];
  const text = reply.text ?? "";
  const u = usageOf(reply, ex, text + toolCalls.map((t) => t.function.arguments).join(""));
  const usage = { prompt_tokens: u.input, completion_tokens: u.output, total_tokens: u.input + u.output };
  const finish = toolCalls.length ? "tool_calls" : "stop";
  if (ex.body?.stream) {
    const s = sse(res);
    const chunk = (delta: unknown, finish_reason: string | null = null) => ({ id, object: "chat.completion.chunk", created, model, choices: [{ index: 0, delta, finish_reason, logprobs: null }] });
    s.send(chunk({ role: "assistant", content: "" }));
    for (const c of chunksOf(text)) s.send(chunk({ content: c }));
    if (toolCalls.length) s.send(chunk({ tool_calls: toolCalls }));
    s.send(chunk({}, finish));
    if (ex.body?.stream_options?.include_usage) s.send({ id, object: "chat.completion.chunk", created, model, choices: [], usage });
    s.send("[DONE]");
    s.end();
    return;
  }
  const message: Record<string, unknown> = { role: "assistant", content: toolCalls.length && !text ? null : text, refusal: null };
  if (toolCalls.length) message.tool_calls = toolCalls.map(({ index: _i, ...t }) => t);
  sendJson(res, 200, { id, object: "chat.completion", created, model, choices: [{ index: 0, message, finish_reason: finish, logprobs: null }], usage });
}

function answerAnthropic(res: ServerResponse, ex: LlmExchange, reply: Exclude<LlmReply, { status: number } | { delayMs: number } | { hangUp: true }>): void {
  const id = `msg_${randomUUID().replace(/-/g, "").slice(0, 24)}`;
  const model = String(ex.body?.model ?? "mock-model");
  const text = reply.text ?? "";
  const tools = "toolCalls" in reply ? reply.toolCalls.map((t) => ({ type: "tool_use" as const, id: `toolu_${randomUUID().slice(0, 8)}`, name: t.name, input: (typeof t.arguments === "string" ? JSON.parse(t.arguments) : t.arguments) ?? {} })) : [];
  const content: unknown[] = [];
  if (text || !tools.length) content.push({ type: "text", text });
  content.push(...tools);
  const u = usageOf(reply, ex, text + tools.map((t) => JSON.stringify(t.input)).join(""));
  const stop_reason = tools.length ? "tool_use" : "end_turn";
  if (ex.body?.stream) {
    const s = sse(res);
    s.send({ type: "message_start", message: { id, type: "message", role: "assistant", model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: u.input, output_tokens: 1 } } }, "message_start");
    let index = 0;
    if (text || !tools.length) {
      s.send({ type: "content_block_start", index, content_block: { type: "text", text: "" } }, "content_block_start");
      for (const c of chunksOf(text)) s.send({ type: "content_block_delta", index, delta: { type: "text_delta", text: c } }, "content_block_delta");
      s.send({ type: "content_block_stop", index }, "content_block_stop");
      index++;
    }
    for (const t of tools) {
      s.send({ type: "content_block_start", index, content_block: { type: "tool_use", id: t.id, name: t.name, input: {} } }, "content_block_start");
      s.send({ type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json: JSON.stringify(t.input) } }, "content_block_delta");
      s.send({ type: "content_block_stop", index }, "content_block_stop");
      index++;
    }
    s.send({ type: "message_delta", delta: { stop_reason, stop_sequence: null }, usage: { output_tokens: u.output } }, "message_delta");
    s.send({ type: "message_stop" }, "message_stop");
    s.end();
    return;
  }
  sendJson(res, 200, { id, type: "message", role: "assistant", model, content, stop_reason, stop_sequence: null, usage: { input_tokens: u.input, output_tokens: u.output } });
}

/** Deterministic embedding: hashed bag of lower-cased words, L2-normalised. */
export function embedText(text: string, dims = 64): number[] {
  const v = new Array<number>(dims).fill(0);
  for (const w of text.toLowerCase().match(/[a-z0-9_]+/g) ?? []) {
    const h = createHash("sha256").update(w).digest();
    const i = h.readUInt32BE(0) % dims;
    v[i] += h[4]! & 1 ? 1 : -1;
  }
  const norm = Math.sqrt(v.reduce((a, x) => a + x * x, 0)) || 1;
  return v.map((x) => x / norm);
}

function answerEmbeddings(res: ServerResponse, ex: LlmExchange, dims: number): void {
  const input = ex.body?.input;
  const texts: string[] = Array.isArray(input) ? input.map(String) : [String(input ?? "")];
  const d = Number(ex.body?.dimensions) || dims;
  const tokens = texts.reduce((a, t) => a + estimateTokens(t), 0);
  const asBase64 = ex.body?.encoding_format === "base64";
  const data = texts.map((t, index) => {
    const vec = embedText(t, d);
    const embedding = asBase64 ? Buffer.from(new Float32Array(vec).buffer).toString("base64") : vec;
    return { object: "embedding", index, embedding };
  });
  sendJson(res, 200, { object: "list", data, model: String(ex.body?.model ?? "mock-embedding"), usage: { prompt_tokens: tokens, total_tokens: tokens } });
}

export async function startLlmServer(handler: LlmHandler, options: LlmServerOptions = {}): Promise<LlmServer> {
  const requests: LlmExchange[] = [];
  const sockets = new Set<import("node:net").Socket>();
  const server = createServer(async (req, res) => {
    try {
      const path = (req.url ?? "/").split("?")[0]!;
      const raw = await readText(req);
      let body: any = {};
      try {
        body = raw ? JSON.parse(raw) : {};
      } catch {
        return sendJson(res, 400, { error: { message: "llm-server: request body is not JSON" } });
      }
      const protocol: Protocol | undefined =
        req.method === "POST" && /\/chat\/completions$/.test(path) ? "openai"
        : req.method === "POST" && /\/messages$/.test(path) ? "anthropic"
        : req.method === "POST" && /\/embeddings$/.test(path) ? "embeddings"
        : undefined;
      if (!protocol) return sendJson(res, 404, { error: { message: `llm-server: no route ${req.method} ${path}` } });
      const { headers, apiKeySha256 } = safeHeaders(req);
      const ex: LlmExchange = { protocol, path, headers, body, ...(apiKeySha256 ? { apiKeySha256 } : {}) };
      requests.push(ex);
      if (protocol === "embeddings") return answerEmbeddings(res, ex, options.embeddingDimensions ?? 64);
      // The request stream ends (and may auto-destroy) once read; only the response side tells
      // whether the client is still there.
      let gone = false;
      res.once("close", () => (gone = !res.writableFinished));
      let reply: LlmReply = await handler(ex);
      while ("delayMs" in reply) {
        await new Promise((r) => setTimeout(r, reply && "delayMs" in reply ? reply.delayMs : 0));
        if (gone || res.destroyed) return;
        reply = reply.then;
      }
      if ("hangUp" in reply) return void req.socket.destroy();
      if ("status" in reply) return sendError(res, protocol, reply);
      if (protocol === "openai") answerOpenai(res, ex, reply);
      else answerAnthropic(res, ex, reply);
    } catch (e) {
      if (!res.headersSent) sendJson(res, 500, { error: { message: `llm-server: handler failed: ${(e as Error).message}` } });
      else res.end();
    }
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    openaiBaseUrl: `${url}/v1`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

// `npx tsx scripts/fakes/llm-server.ts` — a standalone echo server for manual agent tries.
if (import.meta.url === `file://${process.argv[1]}`) {
  const s = await startLlmServer((ex) => ({ text: `echo: ${promptText(ex).slice(-200)}` }));
  console.log(JSON.stringify({ url: s.url, openaiBaseUrl: s.openaiBaseUrl }));
}
