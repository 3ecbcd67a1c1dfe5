// The step after each retried step of DevGodzilla's flows, itself without retries: fails the run
// once with the bad input the retried step handed on (lib/bad_input.ts), or passes its result on.
import { failOnBadInput } from "./lib/bad_input.ts";

export async function main(step_result: unknown = null) {
  return failOnBadInput(step_result);
}
