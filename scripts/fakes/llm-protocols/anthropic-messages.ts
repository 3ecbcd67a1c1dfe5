// Anthropic Messages: POST …/messages, streamed as message_start / content_block_* /
// message_delta / message_stop events, or one `message` object.
import { randomUUID } from "node:crypto";
import { argsObject, chunksOf, replyText, replyTools, retryHeaders, sendJson, sse, usageOf, type ProtocolModule } from "./common.ts";

export const anthropicMessages: ProtocolModule = {
  protocol: "anthropic",
  matches: (method, path) => method === "POST" && /\/messages$/.test(path),
  hasTools: (b) => Array.isArray(b?.tools) && b.tools.length > 0,
  toolResults: (b) => {
    let n = 0;
    for (const m of b?.messages ?? []) if (Array.isArray(m?.content)) n += m.content.filter((c: { type?: string }) => c?.type === "tool_result").length;
    return n;
  },
  promptParts: (b) => [b?.system, ...(b?.messages ?? []).map((m: { content?: unknown }) => m?.content)],
  error(res, r) {
    const type =
      r.type ?? (r.status === 429 ? "rate_limit_error" : r.status >= 500 ? "api_error" : r.status === 401 ? "authentication_error" : "invalid_request_error");
    sendJson(res, r.status, { type: "error", error: { type, message: r.error } }, retryHeaders(r));
  },
  answer(res, ex, reply, prompt) {
    const id = `msg_${randomUUID().replace(/-/g, "").slice(0, 24)}`;
    const model = String(ex.body?.model ?? "mock-model");
    const text = replyText(reply);
    const tools = replyTools(reply).map((t) => ({
      type: "tool_use" as const,
      id: `toolu_${randomUUID().slice(0, 8)}`,
      name: t.name,
      input: argsObject(t.arguments),
    }));
    const content: unknown[] = [];
    if (text || !tools.length) content.push({ type: "text", text });
    content.push(...tools);
    const u = usageOf(reply, prompt, text + tools.map((t) => JSON.stringify(t.input)).join(""));
    const stop_reason = tools.length ? "tool_use" : "end_turn";
    if (!ex.body?.stream) {
      sendJson(res, 200, {
        id,
        type: "message",
        role: "assistant",
        model,
        content,
        stop_reason,
        stop_sequence: null,
        usage: { input_tokens: u.input, output_tokens: u.output },
      });
      return;
    }
    const s = sse(res);
    s.send(
      {
        type: "message_start",
        message: {
          id,
          type: "message",
          role: "assistant",
          model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: u.input, output_tokens: 1 },
        },
      },
      "message_start",
    );
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
  },
};
