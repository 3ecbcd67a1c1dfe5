// OpenAI Responses: POST …/responses, streamed as response.created / response.output_item.added /
// response.output_text.delta / response.output_item.done / response.completed events (what codex
// reads: every output item must be closed by output_item.done, and the stream by response.completed
// with usage), or one `response` object.
import { randomUUID } from "node:crypto";
import { argsString, chunksOf, replyText, replyTools, retryHeaders, sendJson, sse, usageOf, type ProtocolModule } from "./common.ts";

type Item = Record<string, unknown>;

export const openaiResponses: ProtocolModule = {
  protocol: "responses",
  matches: (method, path) => method === "POST" && /\/responses$/.test(path),
  hasTools: (b) => Array.isArray(b?.tools) && b.tools.length > 0,
  toolResults: (b) => (Array.isArray(b?.input) ? b.input.filter((i: { type?: string }) => /_call_output$/.test(i?.type ?? "")).length : 0),
  promptParts: (b) => [b?.instructions, b?.input],
  error(res, r) {
    const type =
      r.type ?? (r.status === 429 ? "rate_limit_exceeded" : r.status >= 500 ? "server_error" : r.status === 401 ? "invalid_api_key" : "invalid_request_error");
    sendJson(res, r.status, { error: { message: r.error, type, code: r.code ?? null, param: null } }, retryHeaders(r));
  },
  answer(res, ex, reply, prompt) {
    const id = `resp_${randomUUID().replace(/-/g, "")}`;
    const model = String(ex.body?.model ?? "mock-model");
    const text = replyText(reply);
    const items: Item[] = [];
    if (text)
      items.push({
        type: "message",
        id: `msg_${randomUUID().slice(0, 8)}`,
        role: "assistant",
        status: "completed",
        content: [{ type: "output_text", text, annotations: [] }],
      });
    for (const t of replyTools(reply)) {
      items.push({
        type: "function_call",
        id: `fc_${randomUUID().slice(0, 8)}`,
        call_id: `call_${randomUUID().slice(0, 8)}`,
        name: t.name,
        arguments: argsString(t.arguments),
        status: "completed",
      });
    }
    const u = usageOf(reply, prompt, text + items.map((i) => String(i.arguments ?? "")).join(""));
    const usage = {
      input_tokens: u.input,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: u.output,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: u.input + u.output,
    };
    const response = (status: string, output: Item[], withUsage: boolean) => ({
      id,
      object: "response",
      created_at: Math.floor(Date.now() / 1000),
      status,
      model,
      output,
      ...(withUsage ? { usage } : { usage: null }),
    });
    if (!ex.body?.stream) {
      sendJson(res, 200, { ...response("completed", items, true), output_text: text });
      return;
    }
    const s = sse(res);
    let seq = 0;
    const send = (type: string, data: Record<string, unknown>) => s.send({ type, sequence_number: seq++, ...data }, type);
    send("response.created", { response: response("in_progress", [], false) });
    send("response.in_progress", { response: response("in_progress", [], false) });
    items.forEach((item, output_index) => {
      if (item.type === "message") {
        send("response.output_item.added", { output_index, item: { ...item, status: "in_progress", content: [] } });
        send("response.content_part.added", { output_index, item_id: item.id, content_index: 0, part: { type: "output_text", text: "", annotations: [] } });
        for (const delta of chunksOf(text)) send("response.output_text.delta", { output_index, item_id: item.id, content_index: 0, delta });
        send("response.output_text.done", { output_index, item_id: item.id, content_index: 0, text });
        send("response.content_part.done", { output_index, item_id: item.id, content_index: 0, part: { type: "output_text", text, annotations: [] } });
      } else {
        send("response.output_item.added", { output_index, item: { ...item, status: "in_progress", arguments: "" } });
        send("response.function_call_arguments.delta", { output_index, item_id: item.id, delta: item.arguments });
        send("response.function_call_arguments.done", { output_index, item_id: item.id, arguments: item.arguments });
      }
      send("response.output_item.done", { output_index, item });
    });
    send("response.completed", { response: response("completed", items, true) });
    s.end();
  },
};
