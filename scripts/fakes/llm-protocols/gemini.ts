// Gemini API: POST …/models/{model}:generateContent and :streamGenerateContent (?alt=sse: one
// GenerateContentResponse per event), tools as functionDeclarations, answers as
// candidates[0].content.parts (text / functionCall) with usageMetadata. Errors are Google's
// `{ error: { code, message, status } }`.
import { argsObject, chunksOf, replyText, replyTools, retryHeaders, sendJson, sse, usageOf, type ProtocolModule } from "./common.ts";

const STATUS: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL",
  503: "UNAVAILABLE",
};

export const gemini: ProtocolModule = {
  protocol: "gemini",
  matches: (method, path) => method === "POST" && /\/models\/[^/]+:(stream)?[gG]enerateContent$/.test(path),
  hasTools: (b) => Array.isArray(b?.tools) && b.tools.some((t: { functionDeclarations?: unknown[] }) => (t?.functionDeclarations ?? []).length > 0),
  toolResults: (b) => {
    let n = 0;
    for (const c of b?.contents ?? []) for (const p of c?.parts ?? []) if (p?.functionResponse) n++;
    return n;
  },
  promptParts: (b) => [
    ...(b?.systemInstruction?.parts ?? []).map((p: { text?: string }) => p?.text),
    ...(b?.contents ?? []).flatMap((c: { parts?: { text?: string; functionResponse?: unknown }[] }) =>
      (c?.parts ?? []).map((p) => p?.text ?? (p?.functionResponse ? JSON.stringify(p.functionResponse) : undefined)),
    ),
  ],
  error(res, r) {
    // Google puts the HTTP status in error.code and its canonical name in error.status.
    sendJson(res, r.status, { error: { code: r.status, message: r.error, status: r.type ?? STATUS[r.status] ?? "UNKNOWN" } }, retryHeaders(r));
  },
  answer(res, ex, reply, prompt) {
    const text = replyText(reply);
    const calls = replyTools(reply).map((t) => ({ functionCall: { name: t.name, args: argsObject(t.arguments) } }));
    const u = usageOf(reply, prompt, text + calls.map((c) => JSON.stringify(c.functionCall.args)).join(""));
    const usageMetadata = { promptTokenCount: u.input, candidatesTokenCount: u.output, totalTokenCount: u.input + u.output };
    const model = ex.model ?? "mock-model";
    const candidate = (parts: unknown[], finishReason?: string) => ({ content: { role: "model", parts }, index: 0, ...(finishReason ? { finishReason } : {}) });
    const whole = { candidates: [candidate([...(text ? [{ text }] : []), ...calls], "STOP")], usageMetadata, modelVersion: model };
    if (!/:streamGenerateContent$/.test(ex.path)) {
      sendJson(res, 200, whole);
      return;
    }
    const s = sse(res);
    const pieces = chunksOf(text);
    pieces.forEach((t, i) => {
      const last = i === pieces.length - 1 && calls.length === 0;
      s.send({ candidates: [candidate([{ text: t }], last ? "STOP" : undefined)], ...(last ? { usageMetadata } : {}), modelVersion: model });
    });
    if (calls.length || pieces.length === 0)
      s.send({ candidates: [candidate(calls.length ? calls : [{ text: "" }], "STOP")], usageMetadata, modelVersion: model });
    s.end();
  },
};
