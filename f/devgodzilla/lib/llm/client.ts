// The LLM client every DevGodzilla script uses: one interface over the official OpenAI and
// Anthropic SDKs, with OUR retry policy (SDK retries are disabled so there is exactly one),
// structured output validated by zod (repair, then bounded re-asks), overflow detection and a
// usage/cost ledger.

import OpenAI from "openai";
import Anthropic from "@anthropic-ai/sdk";
import { z } from "zod";
import { Redactor } from "../redact.ts";
import { ContextOverflowError, LlmRequestError, StructuredOutputError, TransientLlmError, LlmError } from "./errors.ts";
import { parseJsonLenient } from "./json.ts";
import { TracingLedger, UsageLedger, type UsageEntry } from "./usage.ts";
import type { ProviderConfig } from "./config.ts";

export interface LlmOptions {
  /** Total attempts for transient failures (429, 5xx, timeouts, resets). Default 4. */
  maxAttempts?: number;
  /** First backoff delay; doubles each attempt (with jitter). Default 1000 ms. */
  baseDelayMs?: number;
  /** Cap for one wait, including a server's Retry-After. Default 30 s. */
  maxDelayMs?: number;
  /** Per-request timeout. Default 180 s. */
  timeoutMs?: number;
  /** Total asks for one structured answer (first ask + re-asks). Default 3. */
  structuredAttempts?: number;
  maxOutputTokens?: number;
  temperature?: number;
  /** Overrides the built-in context-window table for the pre-flight overflow check. */
  contextWindowTokens?: number;
  /** "native": json_schema response_format (OpenAI) / forced tool (Anthropic); "prompt": schema in the prompt only. */
  jsonMode?: "native" | "prompt";
  ledger?: UsageLedger;
  redactor?: Redactor;
  /** Injected in tests to observe waits without sleeping. */
  sleep?: (ms: number) => Promise<void>;
}

export interface TextRequest {
  system?: string;
  prompt: string;
  /** Recorded in the ledger ("specify", "plan"…). */
  purpose?: string;
}

export interface StructuredRequest<T> extends TextRequest {
  schema: z.ZodType<T>;
  /** Name of the output object, shown to the model. */
  schemaName?: string;
}

export interface Llm {
  readonly provider: ProviderConfig["provider"];
  readonly model: string;
  readonly ledger: UsageLedger;
  text(req: TextRequest): Promise<string>;
  /** Alias of text(). */
  complete(req: TextRequest): Promise<string>;
  structured<T>(req: StructuredRequest<T>): Promise<T>;
}

export type LlmConfig = ProviderConfig & LlmOptions;

/** Known context windows (tokens); unknown models skip the pre-flight check. */
export const CONTEXT_WINDOWS: Record<string, number> = {
  "gpt-5": 400_000,
  "gpt-5-mini": 400_000,
  "gpt-5-nano": 400_000,
  "gpt-4.1": 1_047_576,
  "gpt-4.1-mini": 1_047_576,
  "gpt-4.1-nano": 1_047_576,
  "gpt-4o": 128_000,
  "gpt-4o-mini": 128_000,
  o3: 200_000,
  "o3-mini": 200_000,
  "o4-mini": 200_000,
  "claude-opus-4-5": 200_000,
  "claude-opus-4-1": 200_000,
  "claude-opus-4": 200_000,
  "claude-sonnet-4-6": 200_000,
  "claude-opus-4-6": 200_000,
  "claude-sonnet-4-5": 200_000,
  "claude-sonnet-4": 200_000,
  "claude-haiku-4-5": 200_000,
  "claude-3-5-haiku": 200_000,
};

/** Rough token estimate (≈4 chars/token for English and code); good enough for budgets. */
export const estimateTokens = (s: string): number => Math.ceil(s.length / 4);

const OVERFLOW =
  /context[_ ]length[_ ]exceeded|maximum context length|context window|prompt is too long|too many tokens|input length .*exceed|exceeds? the (?:model's )?context|request too large/i;

interface RawAnswer {
  text: string;
  /** Arguments of a forced tool call / function call, when the model answered that way. */
  toolInput?: unknown;
  inputTokens: number;
  outputTokens: number;
  finishReason?: string;
}

interface CallShape {
  system?: string;
  prompt: string;
  json?: { name: string; schema: Record<string, unknown> };
}

function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> | undefined {
  try {
    const s = z.toJSONSchema(schema, { unrepresentable: "any" }) as Record<string, unknown>;
    delete s.$schema;
    return s;
  } catch {
    return undefined;
  }
}

function headerOf(err: unknown, name: string): string | undefined {
  const h = (err as { headers?: unknown })?.headers;
  if (h && typeof (h as Headers).get === "function") return (h as Headers).get(name) ?? undefined;
  if (h && typeof h === "object") return (h as Record<string, string>)[name];
  return undefined;
}

/** Retry-After in ms (retry-after-ms, seconds, or an HTTP date). */
export function retryAfterMs(err: unknown): number | undefined {
  const ms = headerOf(err, "retry-after-ms");
  if (ms && Number.isFinite(Number(ms))) return Number(ms);
  const ra = headerOf(err, "retry-after");
  if (!ra) return undefined;
  if (Number.isFinite(Number(ra))) return Number(ra) * 1000;
  const at = Date.parse(ra);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}

type Classified = { kind: "transient" | "overflow" | "request"; status?: number; message: string };

export function classifyError(err: unknown): Classified {
  const e = err as { status?: number; message?: string; code?: string; error?: { code?: string; type?: string } };
  const message = String(e?.message ?? err);
  const isConn = err instanceof OpenAI.APIConnectionError || err instanceof Anthropic.APIConnectionError;
  if (isConn) return { kind: "transient", message };
  const status = typeof e?.status === "number" ? e.status : undefined;
  if (status === undefined) {
    // Errors raised below the SDK (socket reset mid-body, aborted fetch) are transient too.
    if (/ECONNRESET|socket hang up|terminated|fetch failed|ETIMEDOUT|EPIPE|other side closed/i.test(message)) return { kind: "transient", message };
    return { kind: "request", message };
  }
  const code = e?.code ?? e?.error?.code;
  if ((status === 400 || status === 413 || status === 422) && (code === "context_length_exceeded" || OVERFLOW.test(message)))
    return { kind: "overflow", status, message };
  if (status === 429 && code === "insufficient_quota") return { kind: "request", status, message };
  if (status === 408 || status === 409 || status === 429 || status >= 500) return { kind: "transient", status, message };
  return { kind: "request", status, message };
}

/** The base URL a provider's SDK calls (its default when none is set), without credentials or query. */
export function endpointOf(provider: string, baseUrl?: string): string {
  const url = baseUrl || (provider === "anthropic" ? "https://api.anthropic.com" : "https://api.openai.com/v1");
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname.replace(/\/$/, "")}`;
  } catch {
    return "(an invalid base_url)";
  }
}

/** What one request needs to know of the client's settings. */
interface CallSettings {
  model: string;
  maxOutputTokens: number;
  temperature?: number;
  /** An OpenAI-compatible server (a base_url), not OpenAI itself. */
  compatible: boolean;
  nativeJson: boolean;
}

async function askOpenAi(client: OpenAI, s: CallSettings, c: CallShape): Promise<RawAnswer> {
  const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [];
  if (c.system) messages.push({ role: "system", content: c.system });
  messages.push({ role: "user", content: c.prompt });
  const r = await client.chat.completions.create({
    model: s.model,
    messages,
    // OpenAI itself wants max_completion_tokens (o-series, gpt-5); compatible servers know max_tokens.
    ...(s.compatible ? { max_tokens: s.maxOutputTokens } : { max_completion_tokens: s.maxOutputTokens }),
    ...(s.temperature !== undefined ? { temperature: s.temperature } : {}),
    ...(c.json && s.nativeJson
      ? { response_format: { type: "json_schema" as const, json_schema: { name: c.json.name, schema: c.json.schema, strict: false } } }
      : {}),
  });
  const choice = r.choices[0];
  const call = choice?.message.tool_calls?.find((t) => t.type === "function");
  return {
    text: choice?.message.content ?? "",
    toolInput: call && call.type === "function" ? call.function.arguments : undefined,
    inputTokens: r.usage?.prompt_tokens ?? estimateTokens((c.system ?? "") + c.prompt),
    outputTokens: r.usage?.completion_tokens ?? estimateTokens(choice?.message.content ?? ""),
    finishReason: choice?.finish_reason ?? undefined,
  };
}

async function askAnthropic(client: Anthropic, s: CallSettings, c: CallShape): Promise<RawAnswer> {
  const useTool = c.json && s.nativeJson && c.json.schema.type === "object";
  const r = await client.messages.create({
    model: s.model,
    max_tokens: s.maxOutputTokens,
    ...(c.system ? { system: c.system } : {}),
    messages: [{ role: "user", content: c.prompt }],
    ...(s.temperature !== undefined ? { temperature: s.temperature } : {}),
    ...(useTool
      ? {
          tools: [{ name: c.json!.name, description: "Return the result as this tool's input.", input_schema: c.json!.schema as Anthropic.Tool.InputSchema }],
          tool_choice: { type: "tool" as const, name: c.json!.name },
        }
      : {}),
  });
  const text = r.content
    .filter((b): b is Anthropic.TextBlock => b.type === "text")
    .map((b) => b.text)
    .join("");
  const tool = r.content.find((b): b is Anthropic.ToolUseBlock => b.type === "tool_use");
  return { text, toolInput: tool?.input, inputTokens: r.usage.input_tokens, outputTokens: r.usage.output_tokens, finishReason: r.stop_reason ?? undefined };
}

/** The provider's SDK client. maxRetries: 0 — createLlm's loop is the only retry policy (and honours Retry-After itself). */
function sdkClient(config: ProviderConfig, timeoutMs: number): OpenAI | Anthropic {
  return config.provider === "openai"
    ? new OpenAI({ apiKey: config.apiKey, baseURL: config.baseUrl, organization: config.organization ?? null, maxRetries: 0, timeout: timeoutMs })
    : new Anthropic({ apiKey: config.apiKey, baseURL: config.baseUrl, maxRetries: 0, timeout: timeoutMs });
}

/**
 * Whether the provider accepts the API key, asked of its model list (GET …/models: no tokens
 * spent). Only a 401 is a refusal: a key may be valid yet not allowed to list models (403, as
 * OpenAI's restricted keys), and a compatible server may not have the route (404); those, and a
 * provider that cannot be reached now, are "unchecked". Messages never hold the key.
 */
export async function checkApiKey(config: ProviderConfig, timeoutMs = 15_000): Promise<{ refused?: string; unchecked?: string }> {
  const redactor = new Redactor([config.apiKey]);
  const where = `${config.provider} at ${endpointOf(config.provider, config.baseUrl)}`;
  try {
    await sdkClient(config, timeoutMs).models.list();
    return {};
  } catch (err) {
    const { status, message } = classifyError(err);
    const said = redactor.redact(message.split("\n")[0]!);
    return status === 401 ? { refused: `${where} refused the API key (401: ${said})` } : { unchecked: `${where}: ${said}` };
  }
}

export function createLlm(config: LlmConfig): Llm {
  const o = {
    maxAttempts: Math.max(1, config.maxAttempts ?? 4),
    baseDelayMs: config.baseDelayMs ?? 1000,
    maxDelayMs: config.maxDelayMs ?? 30_000,
    timeoutMs: config.timeoutMs ?? 180_000,
    structuredAttempts: Math.max(1, config.structuredAttempts ?? 3),
    maxOutputTokens: config.maxOutputTokens ?? 8192,
    jsonMode: config.jsonMode ?? "native",
    sleep: config.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms))),
  };
  // A TracingLedger is a UsageLedger that also emits an `llm` span per call when tracing is on.
  const ledger = config.ledger ?? new TracingLedger();
  const redactor = config.redactor ?? new Redactor();
  redactor.add(config.apiKey);
  const { provider, model } = config;
  // Errors name the endpoint they could not reach (never the key; credentials in the URL are dropped).
  const where = `${provider} at ${endpointOf(provider, config.baseUrl)}`;
  const baseModel = model
    .toLowerCase()
    .replace(/^.*\//, "")
    .replace(/-(\d{8}|latest)$/, "");
  const window = config.contextWindowTokens ?? CONTEXT_WINDOWS[baseModel];

  const sdk = sdkClient(config, o.timeoutMs);

  // Downgraded to "prompt" for the rest of this client's life when a server rejects native JSON mode.
  let jsonMode = o.jsonMode;

  const callOnce = (c: CallShape): Promise<RawAnswer> => {
    const s: CallSettings = {
      model,
      maxOutputTokens: o.maxOutputTokens,
      temperature: config.temperature,
      compatible: !!config.baseUrl,
      nativeJson: jsonMode === "native",
    };
    return sdk instanceof OpenAI ? askOpenAi(sdk, s, c) : askAnthropic(sdk, s, c);
  };

  /** One logical call: pre-flight size check, transient retries with backoff, ledger entry. */
  async function call(c: CallShape, purpose?: string): Promise<RawAnswer> {
    const estimated = estimateTokens((c.system ?? "") + c.prompt);
    if (window && estimated + o.maxOutputTokens > window) {
      throw new ContextOverflowError(`prompt of ~${estimated} tokens plus ${o.maxOutputTokens} output tokens exceeds ${model}'s ${window}-token window`, {
        provider,
        model,
        estimatedInputTokens: estimated,
      });
    }
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      try {
        const a = await callOnce(c);
        ledger.record({
          provider,
          model,
          purpose,
          inputTokens: a.inputTokens,
          outputTokens: a.outputTokens,
          durationMs: Date.now() - started,
          attempts: attempt,
        });
        return a;
      } catch (err) {
        const k = classifyError(err);
        const msg = redactor.redact(k.message);
        if (k.kind === "overflow")
          throw new ContextOverflowError(`${where} rejected the prompt as too long: ${msg}`, {
            provider,
            model,
            status: k.status,
            estimatedInputTokens: estimated,
          });
        if (
          k.kind === "request" &&
          k.status === 400 &&
          c.json &&
          jsonMode === "native" &&
          /response_format|json_schema|tool_choice|tools? (are|is) not supported|unsupported/i.test(k.message)
        ) {
          // An OpenAI-compatible server without structured-output support: ask with the schema in the prompt only.
          jsonMode = "prompt";
          attempt--;
          continue;
        }
        if (k.kind === "request")
          throw new LlmRequestError(`${where}: request failed${k.status ? ` (HTTP ${k.status})` : ""}: ${msg}`, { provider, model, status: k.status });
        if (attempt >= o.maxAttempts)
          throw new TransientLlmError(`${where} kept failing${k.status ? ` (HTTP ${k.status})` : ""}: ${msg}`, {
            provider,
            model,
            status: k.status,
            attempts: attempt,
          });
        const backoff = o.baseDelayMs * 2 ** (attempt - 1) * (0.75 + Math.random() * 0.5);
        await o.sleep(Math.min(o.maxDelayMs, retryAfterMs(err) ?? backoff));
      }
    }
  }

  const text = async (req: TextRequest): Promise<string> => (await call({ system: req.system, prompt: req.prompt }, req.purpose)).text;

  async function structured<T>(req: StructuredRequest<T>): Promise<T> {
    const name = (req.schemaName ?? "output").replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 64);
    const jsonSchema = jsonSchemaOf(req.schema);
    const schemaText = jsonSchema
      ? `\n\nReturn ONLY a JSON object (no prose, no code fences) matching this JSON Schema:\n${JSON.stringify(jsonSchema)}`
      : "\n\nReturn ONLY a JSON object, no prose, no code fences.";
    const system = (req.system ?? "") + schemaText;
    let prompt = req.prompt;
    let raw = "";
    let issues: string[] = [];
    for (let attempt = 1; attempt <= o.structuredAttempts; attempt++) {
      const a = await call({ system, prompt, json: jsonSchema ? { name, schema: jsonSchema } : undefined }, req.purpose);
      const candidate = a.toolInput !== undefined ? a.toolInput : a.text;
      raw = typeof candidate === "string" ? candidate : JSON.stringify(candidate);
      const parsed = typeof candidate === "string" ? parseJsonLenient(candidate) : { ok: true as const, value: candidate, repaired: false };
      if (!parsed.ok) {
        issues = [
          `not valid JSON: ${parsed.error}${a.finishReason === "length" || a.finishReason === "max_tokens" ? " (the answer was cut off at the output-token limit)" : ""}`,
        ];
      } else {
        const v = req.schema.safeParse(parsed.value);
        if (v.success) return v.data;
        issues = v.error.issues.slice(0, 20).map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
      }
      // Re-ask with the faults named: models fix a listed fault far more often than a bare retry.
      prompt = `${req.prompt}\n\n---\nYour previous answer was rejected:\n${issues.map((i) => `- ${i}`).join("\n")}\nPrevious answer (for reference):\n${raw.slice(0, 4000)}\n---\nAnswer again with ONLY the corrected JSON object.`;
    }
    throw new StructuredOutputError(
      `${provider}/${model} did not return valid ${name} JSON after ${o.structuredAttempts} attempts: ${issues.slice(0, 3).join("; ")}`,
      {
        provider,
        model,
        raw: redactor.redact(raw).slice(0, 8000),
        issues: issues.map((i) => redactor.redact(i)),
        attempts: o.structuredAttempts,
      },
    );
  }

  return { provider, model, ledger, text, complete: text, structured };
}

export { LlmError, ContextOverflowError, StructuredOutputError, TransientLlmError, LlmRequestError, UsageLedger };
export type { UsageEntry };

// ---------------------------------------------------------------------------------------------
// Embeddings

/** Turns texts into vectors, in order (QA fuses them with BM25 to rank evidence). */
export interface Embedder {
  embed(texts: string[]): Promise<number[][]>;
}

/**
 * Embeddings through an OpenAI-compatible /embeddings endpoint (the configured provider), 96
 * texts per request. Failures are typed and redacted like createLlm's; with a `ledger`, every
 * answered request is recorded there (its tokens, priced per model like a completion).
 */
export function createEmbedder(cfg: { apiKey: string; baseUrl?: string; model: string; timeoutMs?: number; ledger?: UsageLedger }): Embedder {
  const client = new OpenAI({ apiKey: cfg.apiKey, baseURL: cfg.baseUrl, maxRetries: 2, timeout: cfg.timeoutMs ?? 60_000 });
  const redactor = new Redactor([cfg.apiKey]);
  const failed = (e: unknown): LlmError => {
    const k = classifyError(e);
    const o = { provider: "openai", model: cfg.model, status: k.status };
    const msg = redactor.redact(k.message);
    return k.kind === "transient"
      ? new TransientLlmError(`embeddings kept failing: ${msg}`, { ...o, attempts: 3 })
      : new LlmRequestError(`embeddings request failed: ${msg}`, o);
  };
  return {
    async embed(texts) {
      const out: number[][] = [];
      for (let i = 0; i < texts.length; i += 96) {
        const started = Date.now();
        const r = await client.embeddings.create({ model: cfg.model, input: texts.slice(i, i + 96) }).catch((e: unknown) => {
          throw failed(e);
        });
        // Each request the endpoint answered is a call of the run: its `usage` counts (priced per model).
        cfg.ledger?.record({
          provider: "openai",
          model: cfg.model,
          purpose: "embeddings",
          inputTokens: r.usage?.prompt_tokens ?? 0,
          outputTokens: 0,
          durationMs: Date.now() - started,
          attempts: 1,
        });
        for (const d of r.data.sort((a, b) => a.index - b.index)) out.push(d.embedding as number[]);
      }
      return out;
    },
  };
}
