// OpenAI Chat Completions: POST …/chat/completions, streamed as `chat.completion.chunk` events
// (with a usage chunk when stream_options.include_usage) or one `chat.completion` object.
import { randomUUID } from "node:crypto";
import { argsString, chunksOf, replyText, replyTools, retryHeaders, sendJson, sse, textParts, usageOf, type ProtocolModule } from "./common.ts";

export const openaiChat: ProtocolModule = {
  protocol: "openai",
  matches: (method, path) => method === "POST" && /\/chat\/completions$/.test(path),
  hasTools: (b) => Array.isArray(b?.tools) && b.tools.length > 0,
  toolResults: (b) => (b?.messages ?? []).filter((m: { role?: string }) => m?.role === "tool").length,
  promptParts: (b) => [b?.system, ...(b?.messages ?? []).map((m: { content?: unknown }) => m?.content)],
  error(res, r) {
    const type =
      r.type ?? (r.status === 429 ? "rate_limit_exceeded" : r.status >= 500 ? "server_error" : r.status === 401 ? "invalid_api_key" : "invalid_request_error");
    sendJson(res, r.status, { error: { message: r.error, type, code: r.code ?? null, param: null } }, retryHeaders(r));
  },
  answer(res, ex, reply, prompt) {
    const id = `chatcmpl-${randomUUID()}`;
    const created = Math.floor(Date.now() / 1000);
    const model = String(ex.body?.model ?? "mock-model");
    const toolCalls = replyTools(reply).map((t, i) => ({
      index: i,
      id: `call_${randomUUID().slice(0, 8)}`,
      type: "function" as const,
      function: { name: t.name, arguments: argsString(t.arguments) },
    }));
    const text = replyText(reply);
    const u = usageOf(reply, prompt, text + toolCalls.map((t) => t.function.arguments).join(""));
    const usage = { prompt_tokens: u.input, completion_tokens: u.output, total_tokens: u.input + u.output };
    const finish = toolCalls.length ? "tool_calls" : "stop";
    if (ex.body?.stream) {
      const s = sse(res);
      const chunk = (delta: unknown, finish_reason: string | null = null) => ({
        id,
        object: "chat.completion.chunk",
        created,
        model,
        choices: [{ index: 0, delta, finish_reason, logprobs: null }],
      });
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
  },
};

export const chatPromptText = (b: any): string => textParts(openaiChat.promptParts(b)).join("\n");
