// Loopback model server for tests, the offline demo and the real-agent conformance suite. One
// server speaks every wire protocol the agents and SDKs use, each implemented once in
// ./llm-protocols/ and routed by path:
//   POST …/chat/completions                        — OpenAI Chat Completions (qwen, opencode, kilo, copilot BYOK, our SDK)
//   POST …/responses                               — OpenAI Responses (codex)
//   POST …/messages                                — Anthropic Messages (claude-code, our SDK)
//   POST …/models/{model}:(stream)generateContent  — Gemini API (gemini-cli)
//   POST …/embeddings                              — deterministic hashed bag-of-words vectors (no handler involved)
//   GET  …/models                                  — the model list, OpenAI's or Anthropic's shape (no handler; not recorded)
// A handler answers in one protocol-neutral shape (LlmReply: text, tool calls, an error, a delay),
// so one scripted conversation drives any agent. Every request is recorded (key values are never
// stored or logged; only a short sha256 fingerprint, so a test can check which key was sent).

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createHash } from "node:crypto";
import type { AddressInfo } from "node:net";
import { readText } from "./http.ts";
import { sendJson, estimateTokens, textParts, type LlmExchange, type LlmReply, type ProtocolModule } from "./llm-protocols/common.ts";
import { openaiChat } from "./llm-protocols/openai-chat.ts";
import { openaiResponses } from "./llm-protocols/openai-responses.ts";
import { anthropicMessages } from "./llm-protocols/anthropic-messages.ts";
import { gemini } from "./llm-protocols/gemini.ts";

export type { Protocol, LlmExchange, LlmReply, ReplyUsage, ToolCall } from "./llm-protocols/common.ts";

const PROTOCOLS: ProtocolModule[] = [openaiChat, openaiResponses, anthropicMessages, gemini];
const moduleOf = (ex: LlmExchange): ProtocolModule | undefined => PROTOCOLS.find((m) => m.protocol === ex.protocol);

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
  /** 0 (default) = any free port; a taken port rejects with EADDRINUSE. */
  port?: number;
  /** When given, a request with any other key gets the provider's 401 (as a real provider answers a wrong key). */
  acceptedKeys?: string[];
}

/** sha256 fingerprint used in LlmExchange.apiKeySha256. */
export function keyFingerprint(key: string): string {
  return createHash("sha256").update(key).digest("hex").slice(0, 16);
}

/** All the prompt text of a request (system + messages + tool results), in any protocol. */
export function promptText(ex: LlmExchange): string {
  const m = moduleOf(ex);
  return textParts(m ? m.promptParts(ex.body ?? {}) : [ex.body?.input]).join("\n");
}

/** The request offers tools: an agent's working turn (not a title or summary request). */
export function hasTools(ex: LlmExchange): boolean {
  return moduleOf(ex)?.hasTools(ex.body ?? {}) ?? false;
}

/** How many tool results the request carries (OpenAI tool messages, Responses *_call_output items, Anthropic tool_result blocks, Gemini functionResponse parts). */
export function toolResultCount(ex: LlmExchange): number {
  return moduleOf(ex)?.toolResults(ex.body ?? {}) ?? 0;
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
 * request picks the turn to answer, in whichever protocol the agent speaks; a request without
 * tools (title generators and the like) gets `plainText`.
 */
export function agentTurns(turns: LlmReply[] | ((ex: LlmExchange) => LlmReply[]), plainText = "ok"): LlmHandler {
  return (ex) => {
    if (!hasTools(ex)) return { text: plainText };
    const list = typeof turns === "function" ? turns(ex) : turns;
    return list[Math.min(toolResultCount(ex), list.length - 1)] ?? { text: plainText };
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

const KEY_HEADERS = new Set(["authorization", "x-api-key", "api-key", "x-goog-api-key"]);

function safeHeaders(req: IncomingMessage, query: URLSearchParams): { headers: Record<string, string>; apiKeySha256?: string } {
  const headers: Record<string, string> = {};
  let key: string | undefined = query.get("key") ?? undefined;
  for (const [k, v] of Object.entries(req.headers)) {
    const value = Array.isArray(v) ? v.join(", ") : (v ?? "");
    const name = k.toLowerCase();
    if (KEY_HEADERS.has(name)) {
      key = value.replace(/^Bearer\s+/i, "");
      headers[name] = "[REDACTED]";
    } else headers[name] = value;
  }
  return { headers, apiKeySha256: key ? keyFingerprint(key) : undefined };
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

/** GET …/models as OpenAI or Anthropic answer it (what a key check asks for). */
function answerModels(res: ServerResponse, anthropicShape: boolean): void {
  const ids = ["fake-model"];
  if (anthropicShape)
    return sendJson(res, 200, {
      data: ids.map((id) => ({ type: "model", id, display_name: id, created_at: "2026-01-01T00:00:00Z" })),
      has_more: false,
      first_id: ids[0],
      last_id: ids[ids.length - 1],
    });
  sendJson(res, 200, { object: "list", data: ids.map((id) => ({ id, object: "model", created: 1767225600, owned_by: "llm-server" })) });
}

export async function startLlmServer(handler: LlmHandler, options: LlmServerOptions = {}): Promise<LlmServer> {
  const requests: LlmExchange[] = [];
  const accepted = options.acceptedKeys && new Set(options.acceptedKeys.map(keyFingerprint));
  const sockets = new Set<import("node:net").Socket>();
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? "/", "http://loopback");
      const path = url.pathname;
      const raw = await readText(req);
      let body: any = {};
      try {
        body = raw ? JSON.parse(raw) : {};
      } catch {
        return sendJson(res, 400, { error: { message: "llm-server: request body is not JSON" } });
      }
      const method = req.method ?? "GET";
      const module = PROTOCOLS.find((m) => m.matches(method, path));
      const embeddings = method === "POST" && /\/embeddings$/.test(path);
      const modelList = method === "GET" && /\/models$/.test(path);
      if (!module && !embeddings && !modelList) return sendJson(res, 404, { error: { message: `llm-server: no route ${method} ${path}` } });
      const { headers, apiKeySha256 } = safeHeaders(req, url.searchParams);
      const anthropicClient = "anthropic-version" in headers;
      if (accepted && !(apiKeySha256 && accepted.has(apiKeySha256)))
        return (module ?? (anthropicClient ? anthropicMessages : openaiChat)).error(res, { status: 401, error: "invalid api key" });
      if (modelList) return answerModels(res, anthropicClient);
      const model = /\/models\/([^/:]+):/.exec(path)?.[1] ?? (typeof body?.model === "string" ? body.model : undefined);
      const ex: LlmExchange = {
        protocol: module?.protocol ?? "embeddings",
        path,
        headers,
        body,
        ...(apiKeySha256 ? { apiKeySha256 } : {}),
        ...(model ? { model } : {}),
      };
      requests.push(ex);
      if (!module) return answerEmbeddings(res, ex, options.embeddingDimensions ?? 64);
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
      if ("status" in reply) return module.error(res, reply);
      module.answer(res, ex, reply, promptText(ex));
    } catch (e) {
      if (!res.headersSent) sendJson(res, 500, { error: { message: `llm-server: handler failed: ${(e as Error).message}` } });
      else res.end();
    }
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", resolve);
  });
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
