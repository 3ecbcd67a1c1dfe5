// Typed LLM failures. Each carries what a flow needs to route it (feedback step, retry policy):
// a transient error was already retried; an overflow suggests clarifying/narrowing the input;
// a structured-output failure carries the model's (redacted) raw answer for a person to read.

import { DevGodzillaError } from "../errors.ts";

export type SuggestedAction = "retry" | "clarify" | "fix_config" | "inspect_output";

export class LlmError extends DevGodzillaError {
  readonly provider: string;
  readonly model: string;
  readonly status?: number;
  readonly suggestedAction: SuggestedAction;
  constructor(message: string, o: { provider: string; model: string; status?: number; suggestedAction: SuggestedAction; hint?: string; cause?: unknown }) {
    super(message, { hint: o.hint, cause: o.cause });
    this.provider = o.provider;
    this.model = o.model;
    this.status = o.status;
    this.suggestedAction = o.suggestedAction;
  }
}

/** 429/5xx/timeouts/connection resets that survived all our retries. */
export class TransientLlmError extends LlmError {
  readonly attempts: number;
  constructor(message: string, o: { provider: string; model: string; status?: number; attempts: number; cause?: unknown }) {
    super(message, {
      ...o,
      suggestedAction: "retry",
      hint: `gave up after ${o.attempts} attempts; the provider is rate-limiting or unavailable — retry the step later`,
    });
    this.attempts = o.attempts;
  }
}

/** The prompt does not fit the model's context window: narrow the feature or the context. */
export class ContextOverflowError extends LlmError {
  readonly estimatedInputTokens?: number;
  constructor(message: string, o: { provider: string; model: string; status?: number; estimatedInputTokens?: number; cause?: unknown }) {
    super(message, {
      ...o,
      suggestedAction: "clarify",
      hint: "the prompt exceeds the model's context window — split the feature, narrow it in a clarification, or pick a model with a larger window",
    });
    this.estimatedInputTokens = o.estimatedInputTokens;
  }
}

/** Authentication, permission, unknown model, bad base URL: retrying will not help. */
export class LlmRequestError extends LlmError {
  constructor(message: string, o: { provider: string; model: string; status?: number; cause?: unknown }) {
    super(message, { ...o, suggestedAction: "fix_config", hint: "check the LLM resource (key, base_url, model)" });
  }
}

/** The model never produced JSON matching the schema, even after repair and re-asks. */
export class StructuredOutputError extends LlmError {
  /** The model's last answer, redacted and capped. */
  readonly raw: string;
  readonly issues: string[];
  readonly attempts: number;
  constructor(message: string, o: { provider: string; model: string; raw: string; issues: string[]; attempts: number }) {
    super(message, { ...o, suggestedAction: "inspect_output", hint: "the model's answer did not match the expected structure; see `raw` and `issues`" });
    this.raw = o.raw;
    this.issues = o.issues;
    this.attempts = o.attempts;
  }
}

/** plan: the design violates a constitution principle without a justification. Fails the step loudly. */
export class ConstitutionViolationError extends DevGodzillaError {
  readonly violations: { principle: string; evidence: string }[];
  readonly suggestedAction = "clarify" as const;
  constructor(violations: { principle: string; evidence: string }[]) {
    super(
      `constitution check FAILED: ${violations.length} unjustified violation(s): ${violations.map((v) => `${v.principle}${v.evidence ? ` (${v.evidence})` : ""}`).join("; ")}`,
      { hint: "change the plan so it complies, amend the constitution, or record a justification in Complexity Tracking — then re-run plan" },
    );
    this.violations = violations;
  }
}
