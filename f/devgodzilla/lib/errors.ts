// Typed errors. Each one says what is wrong and what to do next, so a person reading the
// Windmill run page (or the local runner's JSON error) can act without reading code.

/**
 * The name of every DevGodzilla error class. A job's error reaches a failure module, a retry rule
 * or another job as JSON, where `name` is all that is left of the class: match on these constants
 * (`e.name === ERROR_NAMES.InputError`), never on a name typed again. An error's name is its
 * class name; tests/errors.test.ts checks each class against this list.
 */
const NAMES = [
  "DevGodzillaError",
  "InputError",
  "ConfigError",
  "GitError",
  "PushRejectedError",
  "LockTimeoutError",
  "ProcessSpawnError",
  "SecretInChangeError",
  "RepoPathError",
  "DagError",
  "TaskCycleError",
  "TaskAttemptsError",
  "RunDeadlineError",
  "SetupFailedError",
  "SandboxUnavailableError",
  "SandboxLimitError",
  "LlmError",
  "TransientLlmError",
  "ContextOverflowError",
  "LlmRequestError",
  "StructuredOutputError",
  "ConstitutionViolationError",
  "AgentError",
  "AgentUnavailableError",
  "ExecutionBlockedError",
  "AgentTimeoutError",
  "TransientAgentError",
  "AgentFailedError",
  "DiffApplyError",
  "ReviewOutputError",
  "ResultFormatError",
  "ForgeError",
  "ForgeAuthError",
  "ForgePermissionError",
  "ForgeNotFoundError",
  "ForgeValidationError",
  "WebhookAuthError",
  "WindmillError",
] as const;

export type ErrorName = (typeof NAMES)[number];
export const ERROR_NAMES = Object.freeze(Object.fromEntries(NAMES.map((n) => [n, n]))) as { readonly [N in ErrorName]: N };

export class DevGodzillaError extends Error {
  /** What the person should do about it. */
  readonly hint?: string;
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(options.hint ? `${message} — ${options.hint}` : message, { cause: options.cause });
    this.name = new.target.name;
    this.hint = options.hint;
  }
}

/** Bad input to a script or flow: names the field. Nothing has been changed when it is thrown. */
export class InputError extends DevGodzillaError {
  readonly field: string;
  constructor(field: string, problem: string, hint?: string) {
    super(`${field}: ${problem}`, { hint });
    this.field = field;
  }
}

/** Invalid configuration (resource, override file): names the file and the field. */
export class ConfigError extends DevGodzillaError {
  readonly file: string;
  readonly field?: string;
  constructor(file: string, field: string | undefined, problem: string, hint?: string) {
    super(`${file}${field ? ` (${field})` : ""}: ${problem}`, { hint });
    this.file = file;
    this.field = field;
  }
}

/**
 * Errors no retry can cure: the input, the repository's content or a resource stays wrong until a
 * person changes it — and a plan the constitution rejects is a person's call, not one to roll
 * again until a model passes it. By name, so the class is known across module copies and JSON.
 * Not here: errors a later attempt may not meet (a model's malformed or secret-bearing answer, a
 * forge's 403/409/422, which a rate limit or a just-pushed branch also cause).
 */
const NEEDS_A_PERSON: ReadonlySet<string> = new Set<ErrorName>([
  "InputError",
  "ConfigError",
  "RepoPathError",
  "DagError",
  "TaskCycleError",
  "ContextOverflowError",
  "LlmRequestError",
  "ConstitutionViolationError",
  "ForgeAuthError",
  "ForgeNotFoundError",
]);

export function needsAPerson(e: unknown): boolean {
  return e instanceof Error && NEEDS_A_PERSON.has(e.name);
}
