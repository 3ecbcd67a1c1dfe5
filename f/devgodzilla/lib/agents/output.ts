// Parsers for each agent's machine-readable output (shapes as the real
// CLIs print them), one per output family. Every parser is forgiving: a line that is not JSON is
// skipped, and when nothing parses the final message falls back to the plain stdout, so an
// unexpected format degrades to text. Two more readings of a run's output:
//   fatalEvent      — a line after which the run cannot succeed although the CLI would go on
//                     retrying (claude-code retries a 401 ten times with backoff for minutes);
//   stderrJsonError — the Gemini-CLI family prints its error as a JSON object on stderr.

import type { OutputFormat } from "./registry.ts";

export interface ParsedOutput {
  finalMessage: string;
  tokens: { input: number; output: number };
  costUsd: number | null;
  sessionId: string | null;
  events: number;
  /** The agent reported an error in its output (turn.failed, is_error, error event…). */
  error: string | null;
}

type Json = Record<string, any>;

function jsonLines(stdout: string): Json[] {
  const out: Json[] = [];
  for (const raw of stdout.split("\n")) {
    const line = raw.trim();
    if (!line.startsWith("{")) continue;
    try {
      const v = JSON.parse(line);
      if (v && typeof v === "object" && !Array.isArray(v)) out.push(v);
    } catch {
      /* a log line that only looks like JSON */
    }
  }
  return out;
}

/** The whole stdout as one JSON value; tolerates log lines before the first `{`/`[`. */
function wholeJson(stdout: string): unknown {
  const t = stdout.trim();
  try {
    return JSON.parse(t);
  } catch {
    for (const open of ["[", "{"]) {
      const i = t.indexOf(`\n${open}`);
      if (i >= 0) {
        try {
          return JSON.parse(t.slice(i + 1));
        } catch {
          /* keep trying */
        }
      }
    }
    return undefined;
  }
}

const num = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) ? v : 0);
const str = (v: unknown): string | null => (typeof v === "string" && v.length > 0 ? v : null);

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content
      .map((c) => (typeof c === "string" ? c : c && typeof c === "object" && c.type !== "thinking" && typeof c.text === "string" ? c.text : ""))
      .filter(Boolean)
      .join("\n");
  }
  return "";
}

function empty(stdout: string): ParsedOutput {
  return { finalMessage: stdout.trim(), tokens: { input: 0, output: 0 }, costUsd: null, sessionId: null, events: 0, error: null };
}

/** Claude-style objects: system/init, assistant{message{content,usage}}, result{…}. */
function claudeStyle(events: Json[], stdout: string): ParsedOutput {
  if (events.length === 0) return empty(stdout);
  const out = empty("");
  out.events = events.length;
  let lastAssistant = "";
  let assistantIn = 0;
  let assistantOut = 0;
  for (const e of events) {
    out.sessionId = str(e.session_id) ?? str(e.sessionId) ?? out.sessionId;
    if (e.type === "assistant") {
      const t = textOf(e.message?.content);
      if (t) lastAssistant = t;
      assistantIn += num(e.message?.usage?.input_tokens);
      assistantOut += num(e.message?.usage?.output_tokens);
    } else if (e.type === "result") {
      if (typeof e.result === "string") out.finalMessage = e.result;
      if (e.usage) out.tokens = { input: num(e.usage.input_tokens), output: num(e.usage.output_tokens) };
      const cost = e.total_cost_usd ?? e.cost_usd;
      if (typeof cost === "number") out.costUsd = cost;
      if (e.is_error === true || (typeof e.subtype === "string" && e.subtype.startsWith("error"))) {
        out.error = str(e.result) ?? str(e.error) ?? String(e.subtype ?? "error");
      }
    } else if (e.type === "error") {
      out.error = str(e.message) ?? str(e.error?.message) ?? "error";
    }
  }
  if (!out.finalMessage) out.finalMessage = lastAssistant;
  if (out.tokens.input === 0 && out.tokens.output === 0) out.tokens = { input: assistantIn, output: assistantOut };
  return out;
}

function codex(stdout: string): ParsedOutput {
  const events = jsonLines(stdout);
  if (events.length === 0) return empty(stdout);
  const out = empty("");
  out.events = events.length;
  for (const e of events) {
    if (e.type === "thread.started") out.sessionId = str(e.thread_id) ?? out.sessionId;
    else if (e.type === "item.completed" && e.item?.type === "agent_message") out.finalMessage = String(e.item.text ?? "");
    else if (e.type === "turn.completed" && e.usage) {
      out.tokens.input += num(e.usage.input_tokens);
      out.tokens.output += num(e.usage.output_tokens);
    } else if (e.type === "turn.failed") out.error = str(e.error?.message) ?? out.error ?? "turn failed";
    else if (e.type === "error" && !CODEX_RETRY.test(String(e.message ?? ""))) out.error = str(e.message) ?? "error";
  }
  return out;
}

// codex reports each reconnect as {"type":"error","message":"Reconnecting... 2/5 (…)"}: a retry,
// not the end of the run (turn.failed says when it gave up).
const CODEX_RETRY = /^Reconnecting\.\.\.\s*\d+\/\d+/;
const AUTH_STATUS = /\b(401|403)\b|Unauthori[sz]ed|Forbidden/i;

/**
 * A stdout line that means the run will fail whatever the CLI does next: a rejected key it
 * would otherwise retry for minutes. Returns the reason, or null.
 */
export function fatalEvent(format: OutputFormat, line: string): string | null {
  if (!line.startsWith("{")) return null;
  let e: Json;
  try {
    e = JSON.parse(line);
  } catch {
    return null;
  }
  if (format === "claude-stream-json" && e.type === "system" && e.subtype === "api_retry" && (e.error_status === 401 || e.error_status === 403)) {
    return `the model endpoint rejected the key (HTTP ${e.error_status}: ${String(e.error ?? "authentication failed")})`;
  }
  if (format === "codex-jsonl" && e.type === "error" && CODEX_RETRY.test(String(e.message ?? "")) && AUTH_STATUS.test(String(e.message))) {
    return `the model endpoint rejected the key: ${String(e.message)
      .replace(CODEX_RETRY, "")
      .trim()
      .replace(/^\(|\)$/g, "")}`;
  }
  return null;
}

/** An API error body passed on as the message (`{"error":{"code":401,"message":"…"}}`) → its message, with the code. */
function unwrapJsonMessage(m: string): string {
  if (!m.trimStart().startsWith("{")) return m;
  try {
    const e = JSON.parse(m)?.error;
    if (typeof e?.message === "string") return `${e.code ? `HTTP ${e.code}${e.status ? ` ${e.status}` : ""}: ` : ""}${e.message}`;
  } catch {
    /* not JSON after all */
  }
  return m;
}

/** The message of the last `{ "error": { "message" } }` JSON object on stderr (gemini, qwen), or null. */
export function stderrJsonError(stderr: string): string | null {
  const t = stderr.trimEnd();
  for (let i = t.lastIndexOf("{"); i >= 0; i = t.lastIndexOf("{", i - 1)) {
    if (i > 0 && t[i - 1] !== "\n") continue;
    try {
      const v = JSON.parse(t.slice(i));
      const m = v?.error?.message ?? (typeof v?.error === "string" ? v.error : null);
      return typeof m === "string" && m ? unwrapJsonMessage(m) : null;
    } catch {
      /* not the start of the object: look further up */
    }
  }
  return null;
}

function opencode(stdout: string): ParsedOutput {
  const events = jsonLines(stdout);
  if (events.length === 0) return empty(stdout);
  const out = empty("");
  out.events = events.length;
  let cost = 0;
  let sawCost = false;
  for (const e of events) {
    out.sessionId = str(e.sessionID) ?? out.sessionId;
    const p = e.part ?? {};
    if (e.type === "text" && typeof p.text === "string") out.finalMessage = p.text;
    else if (e.type === "step_finish") {
      out.tokens.input += num(p.tokens?.input);
      out.tokens.output += num(p.tokens?.output);
      if (typeof p.cost === "number") {
        cost += p.cost;
        sawCost = true;
      }
    } else if (e.type === "error") out.error = str(e.error?.data?.message) ?? str(e.error?.message) ?? str(p.message) ?? "error";
  }
  out.costUsd = sawCost ? cost : null;
  return out;
}

function gemini(stdout: string): ParsedOutput {
  const v = wholeJson(stdout);
  if (v && typeof v === "object" && !Array.isArray(v) && ("response" in v || "stats" in v || "error" in v)) {
    const j = v as Json;
    const out = empty("");
    out.events = 1;
    out.finalMessage = typeof j.response === "string" ? j.response : "";
    out.sessionId = str(j.session_id);
    const stats = j.stats ?? {};
    if (typeof stats.input_tokens === "number" || typeof stats.output_tokens === "number") {
      out.tokens = { input: num(stats.input_tokens), output: num(stats.output_tokens) };
    } else if (stats.models && typeof stats.models === "object") {
      for (const m of Object.values(stats.models) as Json[]) {
        out.tokens.input += num(m?.tokens?.prompt ?? m?.tokens?.input);
        out.tokens.output += num(m?.tokens?.candidates ?? m?.tokens?.output);
      }
    }
    if (j.error) out.error = str(j.error.message) ?? (typeof j.error === "string" ? j.error : "error");
    return out;
  }
  // stream-json: init{session_id}, message{role,content}, result{stats}
  const events = jsonLines(stdout);
  if (events.length === 0) return empty(stdout);
  const out = empty("");
  out.events = events.length;
  let text = "";
  for (const e of events) {
    if (e.type === "init") out.sessionId = str(e.session_id) ?? out.sessionId;
    else if (e.type === "message" && e.role === "assistant") text = e.delta ? text + String(e.content ?? "") : String(e.content ?? "");
    else if (e.type === "result") out.tokens = { input: num(e.stats?.input_tokens), output: num(e.stats?.output_tokens) };
    else if (e.type === "error") out.error = str(e.message) ?? "error";
  }
  out.finalMessage = text;
  return out;
}

function qwen(stdout: string): ParsedOutput {
  const v = wholeJson(stdout);
  if (Array.isArray(v))
    return claudeStyle(
      v.filter((x) => x && typeof x === "object"),
      stdout,
    );
  if (v && typeof v === "object") return claudeStyle([v as Json], stdout);
  return claudeStyle(jsonLines(stdout), stdout); // stream-json
}

function claudeResult(stdout: string): ParsedOutput {
  const v = wholeJson(stdout);
  if (Array.isArray(v)) return claudeStyle(v, stdout);
  if (v && typeof v === "object") return claudeStyle([v as Json], stdout);
  return claudeStyle(jsonLines(stdout), stdout);
}

function copilot(stdout: string): ParsedOutput {
  const events = jsonLines(stdout);
  if (events.length === 0) return empty(stdout);
  const out = empty("");
  out.events = events.length;
  for (const e of events) {
    if (e.type === "assistant.message") {
      const t = textOf(e.data?.content);
      if (t) out.finalMessage = t;
      out.tokens.output += num(e.data?.outputTokens);
    } else if (e.type === "result") {
      out.sessionId = str(e.sessionId) ?? str(e.data?.sessionId) ?? out.sessionId;
      if (e.usage) out.tokens = { input: num(e.usage.input_tokens ?? e.usage.inputTokens), output: num(e.usage.output_tokens ?? e.usage.outputTokens) };
    } else if (e.type === "session.error" || e.type === "error") out.error = str(e.data?.message) ?? str(e.message) ?? "error";
  }
  return out;
}

function shai(stdout: string): ParsedOutput {
  const v = wholeJson(stdout);
  if (!Array.isArray(v)) return empty(stdout);
  const out = empty("");
  out.events = v.length;
  for (const m of v as Json[]) {
    const role = m?.role ?? m?.type;
    if (role === "assistant") {
      const t = textOf(m.content);
      if (t) out.finalMessage = t;
    }
  }
  return out;
}

export function parseAgentOutput(format: OutputFormat, stdout: string): ParsedOutput {
  switch (format) {
    case "codex-jsonl":
      return codex(stdout);
    case "claude-stream-json":
      return claudeStyle(jsonLines(stdout), stdout);
    case "claude-result-json":
      return claudeResult(stdout);
    case "opencode-jsonl":
      return opencode(stdout);
    case "gemini-json":
      return gemini(stdout);
    case "qwen-json":
      return qwen(stdout);
    case "copilot-jsonl":
      return copilot(stdout);
    case "shai-trace":
      return shai(stdout);
    case "text":
      return empty(stdout);
  }
}
