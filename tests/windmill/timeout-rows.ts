// test:windmill rows for step timeouts: the runner's timeout_* conformance flows (a step past its
// timeout, a script past its own .script.yaml timeout, a timeout given by an expression, a loop
// iteration's step, and a timeout on a subflow step, a loop and branches) run on the local runner and on the server, each compared as
// the tree of jobs it left (job-tree.ts). Pushed under f/conformance/ for the rows and removed after.
import type { WindmillServer } from "../../scripts/windmill/api.ts";
import { localTree, PREFIX, pushConformance, windmillTree } from "./cancel-rows.ts";
import { compareOutcomes, type Row } from "./compare.ts";
import { removeUnder } from "./workspace.ts";

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
  log(`pushing the timeout conformance flows under ${PREFIX}`);
  await pushConformance(server, names);
  const rows: Row[] = [];
  try {
    for (const name of names) {
      const item = `timeout: flow ${PREFIX}${name}`;
      log(`${item}: local runner`);
      const local = await localTree(name, stateDir, TIMEOUT_FLOWS[name]);
      log(`${item}: windmill`);
      const wm = await windmillTree(server, name, user, TIMEOUT_FLOWS[name]);
      rows.push({ item, local, windmill: wm, ...compareOutcomes(local, wm) });
    }
  } finally {
    await removeUnder(server, PREFIX);
  }
  return rows;
}
