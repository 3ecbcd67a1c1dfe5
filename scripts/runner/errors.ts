// Errors a retry cannot cure: the input or the configuration stays wrong until a person changes it.
// The engine does not retry them (a missing resource was retried with 5–10 s waits and printed
// three times), and the CLI prints them as one line with exit 2: they are the user's to fix.
import { ConfigError, InputError } from "../../f/devgodzilla/lib/errors.ts";

/** A command line that cannot work as given. */
export class UsageError extends Error {
  name = "UsageError";
}

/** An answer that does not fit the open question; the run was not touched. */
export class AnswerRejectedError extends UsageError {
  name = "AnswerRejectedError";
}

/** A script's required parameter got no value. */
export class MissingArgumentError extends UsageError {
  name = "MissingArgumentError";
}

/** Errors the runner and the bundle raise for wrong input (store.ts and bundle.ts mark theirs with `userError`). */
export function cannotFixItself(e: unknown): boolean {
  return (
    e instanceof UsageError || e instanceof InputError || e instanceof ConfigError || (e instanceof Error && (e as { userError?: unknown }).userError === true)
  );
}
