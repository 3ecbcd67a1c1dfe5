// test:windmill rows for step timeouts: the runner's timeout_* conformance flows (a step past its
// timeout, a script past its own .script.yaml timeout, a timeout given by an expression, a loop
// iteration's step, and a timeout on a subflow step, a loop and branches) run on the local runner and on the server, each compared as
// the tree of jobs it left (job-tree.ts). Pushed under f/conformance/ for the rows and removed after.
import type { WindmillServer } from "../../scripts/windmill/api.ts";
import { flowRows } from "./cancel-rows.ts";
import type { Row } from "./compare.ts";

/** Flows compared, by name under f/conformance/, with their inputs. Their timeouts are 2 s or less, so each row takes seconds. */
export const TIMEOUT_FLOWS: Record<string, Record<string, unknown>> = {
  timeout_step: {},
  timeout_script: {},
  timeout_expr: { limit: 1 },
  timeout_iteration: {},
  timeout_subflow: {},
  timeout_loop: {},
  timeout_branches: {},
};

/** One row per timeout flow: the job tree on the local runner and on the server, the same? `user`: the server's user. */
export async function timeoutRows(
  server: WindmillServer,
  user: string,
  stateDir: string,
  log: (l: string) => void,
  names = Object.keys(TIMEOUT_FLOWS),
): Promise<Row[]> {
  return flowRows(server, user, stateDir, log, { label: "timeout", names, args: (name) => TIMEOUT_FLOWS[name] ?? {} });
}
