// Errors a retry cannot cure: the input or the configuration stays wrong until a person changes it.
// The engine does not retry them (a missing resource was retried with 5–10 s waits and printed
// three times), and the CLI prints them as one line: they are the user's to fix, not a crash.
import { ConfigError, InputError } from "../../f/devgodzilla/lib/errors.ts";

/** Names of the runner's own input errors (store.ts, bundle.ts, engine.ts) and the bundle's. */
const PERMANENT = new Set(["MissingReferenceError", "MissingArgumentError", "UnknownPathError", "InputError", "ConfigError", "AnswerRejectedError", "UsageError"]);

export function cannotFixItself(e: unknown): boolean {
  return e instanceof InputError || e instanceof ConfigError || (e instanceof Error && PERMANENT.has(e.name));
}

/** An answer that does not fit the open question; the run was not touched. */
export class AnswerRejectedError extends Error {
  name = "AnswerRejectedError";
}

/** A command line that cannot work as given (exit 2). */
export class UsageError extends Error {
  name = "UsageError";
}
