// A step script run on its own: with `bad_input` at its default ("fail") bad input is thrown, so
// the result is the step's own — a handed-on error here is a bug, and fails the test.
import type { BadInputResult } from "../../f/devgodzilla/lib/bad_input.ts";

export function standalone<A extends unknown[], R>(main: (...args: A) => Promise<R | BadInputResult>): (...args: A) => Promise<R> {
  return async (...args) => {
    const result = await main(...args);
    if (result && typeof result === "object" && "bad_input" in result) throw new Error(`handed bad input on when run on its own: ${JSON.stringify(result)}`);
    return result as R;
  };
}
