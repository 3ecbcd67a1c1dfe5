// Tracing API for DevGodzilla: a span per flow run, step, task, agent process and LLM call.
// OFF by default and free when off: `configureTelemetry` starts ./otel.ts (the official JS SDK +
// OTLP/HTTP JSON exporter) only when an endpoint is given — the `c_devgodzilla_otlp` resource
// {endpoint, headers?}. Imported statically: Windmill's lock generation sees only static imports. Every attribute goes through a Redactor,
// keys that look secret are dropped, and the trace context reaches agent processes as TRACEPARENT.
//
//   await configureTelemetry(otlpResource, { redactor });       // once per process/run (null = off)
//   await withSpan("task", { "devgodzilla.task": "T001" }, async (span) => { …; span.setAttributes({ … }) });
//   env.TRACEPARENT = currentTraceparent();                       // for a child process

import type { Redactor } from "../redact.ts";
import { createOtelImpl } from "./otel.ts";

export type AttrValue = string | number | boolean | string[] | null | undefined;
export type SpanAttrs = Record<string, AttrValue>;

export interface SpanHandle {
  setAttributes(attrs: SpanAttrs): void;
  /** W3C traceparent of this span (undefined when telemetry is off). */
  traceparent(): string | undefined;
}

/** The `c_devgodzilla_otlp` resource. */
export interface OtlpConfig {
  /** OTLP/HTTP base URL (…:4318) or the full traces URL (…/v1/traces). */
  endpoint: string;
  /** Sent with each export (e.g. an API key header of the collector). Never put on spans. */
  headers?: Record<string, string>;
}

export interface TelemetryOptions {
  /** Known secrets to scrub from attribute values (token shapes are scrubbed regardless). */
  redactor?: Redactor;
  serviceName?: string;
  /** Max delay before a batch of spans is exported. Default 500 ms. */
  exportDelayMs?: number;
}

/** What ./otel.ts implements; kept here so this file needs no SDK types. */
export interface TelemetryImpl {
  readonly endpoint: string;
  withSpan<T>(name: string, attrs: SpanAttrs, fn: (span: SpanHandle) => T | Promise<T>): Promise<T>;
  /** A span for something that already happened (an LLM call reported after the fact). */
  recordSpan(name: string, attrs: SpanAttrs, startMs: number, endMs: number, error?: string): void;
  /** Adds attributes to the current span (no-op without one). */
  annotate(attrs: SpanAttrs): void;
  currentTraceparent(): string | undefined;
  addSecrets(values: Iterable<string>): void;
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

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
