// The spans DevGodzilla emits, as small wrappers over lib/telemetry's API so every producer names
// and attributes them the same way. All are pass-through when telemetry is off.
//   run  <path>            flow or script run (local runner: scripts/runner/engine.ts; Windmill: the job)
//   step <id>              one flow step's job
//   task <id>              one tasks.md task (execute_task)
//   agent <id>             one agent process; its TRACEPARENT env carries this span's context
//   llm <provider>/<model> one LLM call (lib/llm/usage.ts TracingLedger, after the fact)
// Attributes: devgodzilla.* plus the OpenTelemetry gen_ai.* names for model and tokens.
// Infrastructure: what a span needs from an agent's result is typed here (AgentOutcome), so
// telemetry imports no domain module.

import { Redactor } from "../redact.ts";
import { OTLP_RESOURCE_TYPE, annotate, configureTelemetry, telemetryEnabled, withSpan, type OtlpConfig } from "./index.ts";

/** The part of an agent's result that lands on its span (lib/agents' AgentResult has it). */
export interface AgentOutcome {
  model: string | null;
  tokens: { input: number; output: number };
  costUsd: number | null;
  exitCode: number | null;
  durationMs: number;
  block: { kind: string } | null;
}

export async function traceTask<T>(taskId: string, fn: () => Promise<T>, attrs: { agent?: string; model?: string | null; source?: string } = {}): Promise<T> {
  return withSpan(
    `task ${taskId}`,
    { "devgodzilla.task": taskId, "devgodzilla.agent": attrs.agent, "devgodzilla.model": attrs.model, "devgodzilla.assignment": attrs.source },
    () => fn(),
  );
}

/**
 * One agent process. fn gets the env to add to the process (TRACEPARENT of this span); the
 * result's model, tokens and cost land on the span.
 */
export async function traceAgent<R extends AgentOutcome>(
  agent: string,
  model: string | null,
  fn: (env: Record<string, string> | undefined) => Promise<R>,
): Promise<R> {
  return withSpan(`agent ${agent}`, { "devgodzilla.agent": agent, "gen_ai.request.model": model }, async (span) => {
    const tp = span.traceparent();
    const r = await fn(tp ? { TRACEPARENT: tp } : undefined);
    span.setAttributes({
      "gen_ai.response.model": r.model,
      "gen_ai.usage.input_tokens": r.tokens.input,
      "gen_ai.usage.output_tokens": r.tokens.output,
      "devgodzilla.cost_usd": r.costUsd,
      "devgodzilla.exit_code": r.exitCode,
      "devgodzilla.duration_ms": r.durationMs,
      "devgodzilla.blocked": r.block ? r.block.kind : undefined,
    });
    return r;
  });
}

/** Puts a QA verdict on the current span (the qa step). */
export async function traceVerdict(v: { status?: string; score?: number } | null | undefined): Promise<void> {
  if (!v) return;
  annotate({ "devgodzilla.verdict": v.status, "devgodzilla.qa_score": v.score });
}

// ---------------------------------------------------------------------------------------------
// Local runner hooks (scripts/runner/engine.ts calls these; typed structurally so bundle code
// does not import the runner).

export interface StoreLike {
  store: { resources: Record<string, { resource_type?: string; value: unknown }>; variables: Record<string, string> };
  resource(path: string): unknown;
  redactor: Redactor;
}

/** Turns tracing on when the store holds a c_devgodzilla_otlp resource (off otherwise). */
export async function configureFromStore(s: StoreLike): Promise<boolean> {
  const entry = Object.entries(s.store.resources).find(([, r]) => r.resource_type === OTLP_RESOURCE_TYPE);
  if (!entry) {
    if (telemetryEnabled()) await configureTelemetry(null);
    return false;
  }
  const cfg = s.resource(entry[0]) as OtlpConfig;
  // Every variable is a secret; so is every secret-looking field of every resource.
  const redactor = new Redactor(s.redactor.secrets());
  for (const v of Object.values(s.store.variables)) redactor.add(v);
  for (const r of Object.values(s.store.resources)) redactor.addFrom(r.value);
  return configureTelemetry(cfg, { redactor });
}

/** A run span around a local-runner run; the outcome's status lands on it. */
export async function traceRun<T extends { status: string }>(s: StoreLike, run: { id: string; path: string; kind: string }, fn: () => Promise<T>): Promise<T> {
  if (!(await configureFromStore(s))) return fn();
  return withSpan(`run ${run.path}`, { "devgodzilla.run_id": run.id, "devgodzilla.path": run.path, "devgodzilla.kind": run.kind }, async (span) => {
    const out = await fn();
    span.setAttributes({ "devgodzilla.status": out.status });
    return out;
  });
}

/** A step span around one flow step's job. */
export async function traceStep<T>(stepId: string, scriptPath: string, fn: () => Promise<T>): Promise<T> {
  return withSpan(`step ${stepId}`, { "devgodzilla.step": stepId, "devgodzilla.script": scriptPath }, () => fn());
}
