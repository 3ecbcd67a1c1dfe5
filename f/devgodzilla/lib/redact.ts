// Secret redaction for everything we log, return or write: agent output, LLM errors, reports.
// Known secret values (every resource/variable value a job holds) are replaced exactly; common
// token shapes are replaced even when we were never told about them.

const TOKEN_SHAPES: RegExp[] = [
  /\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{16,}/g, // OpenAI / Anthropic keys
  /\bgh[pousr]_[A-Za-z0-9]{30,}/g, // GitHub tokens
  /\bgithub_pat_[A-Za-z0-9_]{40,}/g,
  /\bglpat-[A-Za-z0-9_-]{20,}/g, // GitLab
  /\bxox[abpr]-[A-Za-z0-9-]{10,}/g, // Slack
  /\bAKIA[0-9A-Z]{16}\b/g, // AWS access key id
  /\bAIza[0-9A-Za-z_-]{35}\b/g, // Google API key
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
  /(?<=\b(?:Bearer|token)\s)[A-Za-z0-9._~+/=-]{20,}/gi, // Authorization headers
];

/** Object keys whose string values are credentials (resource fields, span attributes…). */
export const SECRET_KEY = /(key|token|secret|password|passwd|credential|auth|signature)/i;
/** Environment variable names whose values are credentials (OPENAI_API_KEY, GH_TOKEN…). */
export const SECRET_ENV_NAME = /KEY|TOKEN|SECRET|AUTH|PASSWORD/;
const MIN_SECRET_LENGTH = 6; // shorter values would redact ordinary words

export const REDACTED = "[REDACTED]";

// Every secret value any Redactor of this process was given: the secrets in scope of the job (a
// Windmill job runs in its own process; the local runner's scope is every value it resolved). The
// git gateway refuses a commit or push that contains one of them (lib/git/secret-scan.ts).
const IN_SCOPE = new Set<string>();

/** The secret values this process has handled (resources, variables, agent keys, tokens). */
export function secretsInScope(): string[] {
  return [...IN_SCOPE];
}

export class Redactor {
  private readonly values = new Set<string>();

  constructor(secrets: Iterable<string> = []) {
    for (const s of secrets) this.add(s);
  }

  add(value: unknown): this {
    if (typeof value === "string" && value.length >= MIN_SECRET_LENGTH) {
      this.values.add(value);
      IN_SCOPE.add(value);
    }
    return this;
  }

  /** Registers the string values under secret-looking keys of a resource-like object (recursively). */
  addFrom(obj: unknown, underSecretKey = false): this {
    if (typeof obj === "string") {
      if (underSecretKey) this.add(obj);
    } else if (Array.isArray(obj)) {
      for (const v of obj) this.addFrom(v, underSecretKey);
    } else if (obj && typeof obj === "object") {
      for (const [k, v] of Object.entries(obj)) this.addFrom(v, underSecretKey || SECRET_KEY.test(k));
    }
    return this;
  }

  /** Every known secret value, longest first (so a secret containing another is replaced whole). */
  secrets(): string[] {
    return [...this.values].sort((a, b) => b.length - a.length);
  }

  redact(text: string): string {
    let out = text;
    for (const s of this.secrets()) out = out.split(s).join(REDACTED);
    for (const re of TOKEN_SHAPES) out = out.replace(re, REDACTED);
    return out;
  }

  /** Redacts every string inside a JSON-like value. */
  redactDeep<T>(value: T): T {
    if (typeof value === "string") return this.redact(value) as T;
    if (Array.isArray(value)) return value.map((v) => this.redactDeep(v)) as T;
    if (value && typeof value === "object") {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.redactDeep(v)])) as T;
    }
    return value;
  }
}
