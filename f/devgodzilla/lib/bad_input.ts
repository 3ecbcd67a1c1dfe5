// Bad input met by a step that Windmill retries. Windmill retries a failed step whatever its error
// (retry_if needs V8, which a server may lack), so such a step of our flows hands an error no retry
// can cure (needsAPerson) on as its result; the flow's next step, f/devgodzilla/fail_on_bad_input,
// has no retries and fails the run with it: one clear error, once. Run on its own, the script
// fails as usual (`bad_input` "fail", the default).

import { DevGodzillaError, needsAPerson } from "./errors.ts";

export type BadInputMode = "fail" | "return";

/** What a step hands on: the error's name, its message (hint included) and its own fields (usage, field, …). */
export interface BadInputResult {
  bad_input: { name: string; message: string; fields: Record<string, unknown> };
}

/** Runs a step's work; with `mode` "return", an error that needs a person becomes the result. */
export async function handingOnBadInput<T>(mode: BadInputMode | null | undefined, work: () => Promise<T>): Promise<T | BadInputResult> {
  try {
    return await work();
  } catch (e) {
    if (mode !== "return" || !needsAPerson(e)) throw e;
    const { name, message } = e as Error;
    // Own fields only (JSON-safe): what Windmill would keep of the thrown error as `error.extra`.
    const fields = JSON.parse(JSON.stringify({ ...(e as object) })) as Record<string, unknown>;
    delete fields.cause;
    delete fields.name;
    return { bad_input: { name, message, fields } };
  }
}

/** The handed-on error, raised as it was thrown (same name, message and fields); any other result is returned as it is. */
export function failOnBadInput<T>(stepResult: T): T {
  const handed = (stepResult as Partial<BadInputResult> | null | undefined)?.bad_input;
  if (!handed || typeof handed.name !== "string" || typeof handed.message !== "string") return stepResult;
  const e = new DevGodzillaError(handed.message);
  Object.assign(e, handed.fields ?? {});
  e.name = handed.name;
  throw e;
}
