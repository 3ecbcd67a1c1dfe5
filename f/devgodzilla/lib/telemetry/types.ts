// The telemetry API's types, shared by ./index.ts (always loaded) and ./otel.ts (loaded on demand).

import type { Redactor } from "../redact.ts";

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

/** What ./otel.ts implements; ./index.ts loads it only when tracing is on, so neither needs the other. */
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
