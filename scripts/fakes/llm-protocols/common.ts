// What every protocol of the loopback model server shares: the reply model a handler returns,
// JSON and server-sent-event responses, token estimates. One module per wire protocol sits beside
// this file (openai-chat, openai-responses, anthropic-messages, gemini); llm-server.ts routes to them.
import type { ServerResponse } from "node:http";

export type Protocol = "openai" | "responses" | "anthropic" | "gemini" | "embeddings";

export interface LlmExchange {
  protocol: Protocol;
  path: string;
  /** Lower-cased request headers; credentials replaced by "[REDACTED]". */
  headers: Record<string, string>;
  body: any;
  /** First 16 hex chars of sha256(api key) when a key was sent (Bearer, x-api-key, x-goog-api-key or ?key=). */
  apiKeySha256?: string;
  /** The model named in the path (Gemini: /models/{model}:generateContent), else the body's `model`. */
  model?: string;
}

export interface ReplyUsage {
  inputTokens?: number;
  outputTokens?: number;
}

export interface ToolCall {
  name: string;
  arguments: unknown;
}

export type ErrorReply = { status: number; error: string; retryAfterSeconds?: number; code?: string; type?: string };
export type AnswerReply = { text: string; usage?: ReplyUsage } | { toolCalls: ToolCall[]; text?: string; usage?: ReplyUsage };

export type LlmReply =
  | AnswerReply
  | ErrorReply
  | { delayMs: number; then: LlmReply }
  /** Destroys the socket without answering (a connection reset, as the client sees it). */
  | { hangUp: true };

/** One wire protocol: which requests are its, how it answers, and what a request carries. */
export interface ProtocolModule {
  protocol: Exclude<Protocol, "embeddings">;
  matches(method: string, path: string): boolean;
  /** Whether the request offers tools (an agent turn) or not (title generators, summaries). */
  hasTools(body: any): boolean;
  /** Tool results the request carries: the conversation's turn number, for stateless scripts. */
  toolResults(body: any): number;
  /** The request's prompt text pieces (system, messages, tool results). */
  promptParts(body: any): unknown[];
  /** `prompt` is the request's prompt text (for token estimates when the reply names no usage). */
  answer(res: ServerResponse, ex: LlmExchange, reply: AnswerReply, prompt: string): void;
  error(res: ServerResponse, reply: ErrorReply): void;
}

export const estimateTokens = (s: string): number => Math.max(1, Math.ceil(s.length / 4));

export function sendJson(res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
  const data = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(data), ...extra });
  res.end(data);
}

export function retryHeaders(r: ErrorReply): Record<string, string> {
  return r.retryAfterSeconds !== undefined ? { "retry-after": String(r.retryAfterSeconds) } : {};
}

export function sse(res: ServerResponse): { send: (data: unknown, event?: string) => void; end: () => void } {
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
export function chunksOf(text: string, n = 3): string[] {
  if (text.length === 0) return [];
  const size = Math.max(1, Math.ceil(text.length / n));
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

export const argsString = (a: unknown): string => (typeof a === "string" ? a : JSON.stringify(a ?? {}));
export const argsObject = (a: unknown): Record<string, unknown> => ((typeof a === "string" ? JSON.parse(a) : a) ?? {}) as Record<string, unknown>;

/** Flattens text out of strings, arrays and `{ text }` / `{ content }` objects. */
export function textParts(c: unknown, out: string[] = []): string[] {
  if (typeof c === "string") out.push(c);
  else if (Array.isArray(c)) c.forEach((x) => textParts(x, out));
  else if (c && typeof c === "object") {
    const o = c as Record<string, unknown>;
    if (typeof o.text === "string") out.push(o.text);
    if (o.content !== undefined) textParts(o.content, out);
    if (typeof o.output === "string") out.push(o.output);
  }
  return out;
}

export function usageOf(reply: AnswerReply, promptText: string, output: string): { input: number; output: number } {
  return {
    input: reply.usage?.inputTokens ?? estimateTokens(promptText),
    output: reply.usage?.outputTokens ?? estimateTokens(output),
  };
}

export const replyText = (r: AnswerReply): string => r.text ?? "";
export const replyTools = (r: AnswerReply): ToolCall[] => ("toolCalls" in r ? r.toolCalls : []);
