// The OpenTelemetry side of lib/telemetry: loaded ONLY by configureTelemetry when an OTLP endpoint
// is configured. Official JS SDK (BasicTracerProvider, BatchSpanProcessor) + the OTLP/HTTP exporter
// (JSON). The tracer provider is NOT registered globally: nothing else in the process is affected.
// The current span travels in our own AsyncLocalStorage (no context-manager package needed); with
// no current span, a TRACEPARENT in the environment (set by a parent process) becomes the parent.

import { AsyncLocalStorage } from "node:async_hooks";
import { ROOT_CONTEXT, SpanStatusCode, TraceFlags, trace, type Attributes, type Context, type Span } from "@opentelemetry/api";
import { BasicTracerProvider, BatchSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { Redactor, SECRET_KEY } from "../redact.ts";
import type { OtlpConfig, SpanAttrs, SpanHandle, TelemetryImpl, TelemetryOptions } from "./types.ts";

// Redactor's credential keys, plus cookies (an HTTP span attribute may carry a session).
const isSecretAttrKey = (k: string) => SECRET_KEY.test(k) || /cookie/i.test(k);
const MAX_ATTR_CHARS = 4096;
const TRACEPARENT_RE = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

export function tracesUrl(endpoint: string): string {
  const e = endpoint.replace(/\/+$/, "");
  return /\/v1\/traces$/.test(e) ? e : `${e}/v1/traces`;
}

function parentFromEnv(): Context {
  const m = TRACEPARENT_RE.exec(process.env.TRACEPARENT ?? "");
  if (!m || /^0+$/.test(m[1]!) || /^0+$/.test(m[2]!)) return ROOT_CONTEXT;
  return trace.setSpanContext(ROOT_CONTEXT, { traceId: m[1]!, spanId: m[2]!, traceFlags: parseInt(m[3]!, 16) & TraceFlags.SAMPLED, isRemote: true });
}

function traceparentOf(span: Span | undefined): string | undefined {
  const c = span?.spanContext();
  if (!c || !trace.isSpanContextValid(c)) return undefined;
  return `00-${c.traceId}-${c.spanId}-${(c.traceFlags & TraceFlags.SAMPLED ? 1 : 0).toString(16).padStart(2, "0")}`;
}

export function createOtelImpl(cfg: OtlpConfig, opts: TelemetryOptions = {}): TelemetryImpl {
  // Lets a test (and a curious operator) see whether the SDK was ever started in this process.
  (globalThis as { __devgodzillaOtelStarted?: boolean }).__devgodzillaOtelStarted = true;
  const redactor = new Redactor();
  if (opts.redactor) for (const s of opts.redactor.secrets()) redactor.add(s);
  // The exporter's own headers are credentials of the collector: never let them onto a span.
  for (const v of Object.values(cfg.headers ?? {})) redactor.add(v);

  const clean = (attrs: SpanAttrs): Attributes => {
    const out: Attributes = {};
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null) continue;
      // A string under a credential-like key is dropped whole; counts like gen_ai.usage.input_tokens stay.
      if (isSecretAttrKey(k) && typeof v !== "number" && typeof v !== "boolean") continue;
      if (typeof v === "string") out[k] = redactor.redact(v).slice(0, MAX_ATTR_CHARS);
      else if (Array.isArray(v)) out[k] = v.map((x) => redactor.redact(String(x)).slice(0, MAX_ATTR_CHARS));
      else if (typeof v === "number" ? Number.isFinite(v) : true) out[k] = v;
    }
    return out;
  };

  const exporter = new OTLPTraceExporter({ url: tracesUrl(cfg.endpoint), headers: { ...(cfg.headers ?? {}) }, timeoutMillis: 10_000 });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ "service.name": opts.serviceName ?? "devgodzilla" }),
    spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: opts.exportDelayMs ?? 500 })],
  });
  const tracer = provider.getTracer("devgodzilla");
  const als = new AsyncLocalStorage<Context>();
  const current = () => als.getStore() ?? parentFromEnv();

  const handle = (span: Span): SpanHandle => ({
    setAttributes: (a) => span.setAttributes(clean(a)),
    traceparent: () => traceparentOf(span),
  });

  return {
    endpoint: cfg.endpoint,
    async withSpan(name, attrs, fn) {
      const parent = current();
      const isRoot = !trace.getSpan(parent);
      const span = tracer.startSpan(name, { attributes: clean(attrs) }, parent);
      try {
        const result = await als.run(trace.setSpan(parent, span), () => fn(handle(span)));
        span.setStatus({ code: SpanStatusCode.OK });
        return result;
      } catch (e) {
        const msg = redactor.redact(e instanceof Error ? `${e.name}: ${e.message}` : String(e)).slice(0, MAX_ATTR_CHARS);
        span.setStatus({ code: SpanStatusCode.ERROR, message: msg });
        span.setAttribute("error.type", e instanceof Error ? e.name : "Error");
        throw e;
      } finally {
        span.end();
        // A job may end right after its outermost span: export it now rather than on a timer.
        if (isRoot) await provider.forceFlush().catch(() => {});
      }
    },
    recordSpan(name, attrs, startMs, endMs, error) {
      const span = tracer.startSpan(name, { attributes: clean(attrs), startTime: startMs }, current());
      if (error) span.setStatus({ code: SpanStatusCode.ERROR, message: redactor.redact(error).slice(0, MAX_ATTR_CHARS) });
      span.end(endMs);
    },
    annotate(attrs) {
      const span = als.getStore() ? trace.getSpan(als.getStore()!) : undefined;
      span?.setAttributes(clean(attrs));
    },
    currentTraceparent: () => traceparentOf(trace.getSpan(current())),
    addSecrets: (values) => {
      for (const v of values) redactor.add(v);
    },
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}
