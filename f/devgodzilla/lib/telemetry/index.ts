// Tracing API for DevGodzilla: a span per flow run, step, task, agent process and LLM call.
// OFF by default and free when off: `configureTelemetry` starts ./otel.ts (the official JS SDK +
// OTLP/HTTP JSON exporter) only when an endpoint is given — the `c_devgodzilla_otlp` resource
// {endpoint, headers?}. Imported statically: Windmill's lock generation sees only static imports. Every attribute goes through a Redactor,
// keys that look secret are dropped, and the trace context reaches agent processes as TRACEPARENT.
//
//   await configureTelemetry(otlpResource, { redactor });       // once per process/run (null = off)
//   await withSpan("task", { "devgodzilla.task": "T001" }, async (span) => { …; span.setAttributes({ … }) });
//   env.TRACEPARENT = currentTraceparent();                       // for a child process

import type { OtlpConfig, SpanAttrs, SpanHandle, TelemetryImpl, TelemetryOptions } from "./types.ts";
import { createOtelImpl } from "./otel.ts";

export type { AttrValue, OtlpConfig, SpanAttrs, SpanHandle, TelemetryImpl, TelemetryOptions } from "./types.ts";

export const OTLP_RESOURCE_TYPE = "c_devgodzilla_otlp";

const NOOP_SPAN: SpanHandle = { setAttributes() {}, traceparent: () => undefined };

let impl: TelemetryImpl | null = null;
let pending: Promise<TelemetryImpl | null> | null = null;

export function telemetryEnabled(): boolean {
  return impl !== null;
}

/**
 * Turns tracing on for this process (or off with null/undefined). Reconfiguring with the same
 * endpoint keeps the current exporter. Returns whether tracing is on.
 */
export async function configureTelemetry(cfg: OtlpConfig | null | undefined, opts: TelemetryOptions = {}): Promise<boolean> {
  if (!cfg || !cfg.endpoint) {
    const old = impl;
    impl = null;
    await old?.shutdown();
    return false;
  }
  if (impl && impl.endpoint === cfg.endpoint) {
    if (opts.redactor) impl.addSecrets(opts.redactor.secrets());
    return true;
  }
  pending = (async () => {
    await impl?.shutdown();
    return createOtelImpl(cfg, opts);
  })();
  impl = await pending;
  pending = null;
  return true;
}

/** Runs fn inside a span (a child of the current one). When telemetry is off it just runs fn. */
export async function withSpan<T>(name: string, attrs: SpanAttrs, fn: (span: SpanHandle) => T | Promise<T>): Promise<T> {
  if (!impl) return fn(NOOP_SPAN);
  return impl.withSpan(name, attrs, fn);
}

export function recordSpan(name: string, attrs: SpanAttrs, startMs: number, endMs: number, error?: string): void {
  impl?.recordSpan(name, attrs, startMs, endMs, error);
}

/** Adds attributes (a verdict, a cost…) to the current span; nothing when off. */
export function annotate(attrs: SpanAttrs): void {
  impl?.annotate(attrs);
}

/** W3C traceparent of the current span, for a child process's TRACEPARENT; undefined when off. */
export function currentTraceparent(): string | undefined {
  return impl?.currentTraceparent();
}

/** Exports what is buffered (call before a short-lived process exits). */
export async function flushTelemetry(): Promise<void> {
  await impl?.flush();
}

export async function shutdownTelemetry(): Promise<void> {
  const old = impl;
  impl = null;
  await old?.shutdown();
}
