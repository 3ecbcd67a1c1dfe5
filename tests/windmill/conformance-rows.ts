// test:windmill rows for the rest of the runner's conformance flows (approvals, branches and loops,
// retries, the failure module, suspends, flow_status, what a job sees): each runs on the local
// runner and on the server and is compared as the tree of jobs it left (job-tree.ts), approvals
// answered on both sides as a person using the step's approval link would: its pre-filled values
// posted to its resume URL. Most flows needing V8 have a `*_native` variant a server without V8 can
// run. Pushed under f/conformance/ for the rows and removed after, with the resource and variable
// the `context` flows read.
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { LocalStore } from "../../scripts/runner/index.ts";
import type { AskFn } from "../../scripts/runner/engine.ts";
import type { WindmillServer } from "../../scripts/windmill/api.ts";
import { flowRows, PREFIX } from "./cancel-rows.ts";
import type { Outcome, Row } from "./compare.ts";

/** A fresh directory for the files a flow's steps count their runs in (one per side and row: the worker runs on this machine). */
const scratch = () => mkdtempSync(path.join(os.tmpdir(), "conformance-row-"));

/** Flows compared, by name under f/conformance/, with their inputs (made per side: some name files the steps write). */
export const CONFORMANCE_FLOWS: Record<string, () => Record<string, unknown>> = {
  approval: () => ({}),
  approval_native: () => ({}),
  clarify_approval: () => ({}),
  nested_approval: () => ({}),
  nested_approval_native: () => ({}),
  self_approval: () => ({}),
  waits: () => ({}),
  rendezvous: () => ({ roles: ["waiter", "poster"], parallelism: 2 }),
  context: () => ({ creds: `$res:${PREFIX}llm` }),
  context_native: () => ({ creds: `$res:${PREFIX}llm` }),
  control: () => ({ n: 20 }),
  early_stop: () => ({ mode: "go" }),
  failure_module: () => ({}),
  failure_module_native: () => ({}),
  first_step: () => ({ given: "x" }),
  flow_status: () => ({}),
  flow_status_native: () => ({}),
  loop_failure: () => ({}),
  loop_failure_no_skip: () => ({}),
  loop_failure_parallel_no_skip: () => ({}),
  loop_failure_no_skip_unhandled: () => ({}),
  loop_failure_while_no_skip: () => ({}),
  loop_failure_parallel_no_skip_unhandled: () => ({}),
  parallel_loop: () => ({ items: ["a", "b", "c"] }),
  parallel_loop_native: () => ({ items: ["a", "b", "c"] }),
  retry: () => ({ counter_file: path.join(scratch(), "runs"), succeed_on: 3 }),
  retry_if: () => {
    const dir = scratch();
    return { veto_file: path.join(dir, "veto"), allow_file: path.join(dir, "allow") };
  },
};

/** Conformance flows with no row, and why. */
export const NOT_COMPARED: Record<string, string> = {
  interrupted: "tests a runner process killed mid-step and restarted (a local-runner concern; a Windmill worker's restart is not in scope)",
  interruptible: "tests a runner process stopped while a step holds a working copy (local runner only)",
  // Measured on CE v1.592.1: the server retries the step (3 attempts, "Not found: Resource … not
  // found for `creds`"). The runner fails it at once on purpose (bad input is not retried), so the
  // row would only restate a documented choice; tests/runner/conformance.test.ts holds the runner to it.
  missing_resource: "differs by design: Windmill retries a step whose resource is missing, the runner fails it at once naming where to define it",
};

/** The resource and variable the `context` flow reads, the same on both sides (a canary, not a secret). */
const TOKEN = "sk-canary-conformance-0123456789";
const STORE: LocalStore = {
  resources: { [`${PREFIX}llm`]: { resource_type: "openai", value: { api_key: `$var:${PREFIX}token`, organization_id: "org-1" } } },
  variables: { [`${PREFIX}token`]: TOKEN },
};

async function pushStore(server: WindmillServer): Promise<void> {
  await removeStore(server);
  await server.call("POST", "w/folders/create", { name: "conformance" }).catch(() => undefined); // already there
  await server.call("POST", "w/variables/create", { path: `${PREFIX}token`, value: TOKEN, is_secret: true, description: "conformance canary" });
  const { resource_type, value } = STORE.resources[`${PREFIX}llm`]!;
  await server.call("POST", "w/resources/create", { path: `${PREFIX}llm`, resource_type, value, description: "" });
}

async function removeStore(server: WindmillServer): Promise<void> {
  await server.call("DELETE", `w/resources/delete/${PREFIX}llm`).catch(() => undefined); // not there
  await server.call("DELETE", `w/variables/delete/${PREFIX}token`).catch(() => undefined);
}

/**
 * A person who takes the form's pre-filled values and sends them through the step's resume URL, as
 * the server side does (runners.ts): the approver is the one the URL names, on both sides.
 */
const prefilled: AskFn = async (pending) => {
  const step = (pending.step_result ?? {}) as { resume?: string; default_args?: Record<string, unknown> };
  if (typeof step.resume !== "string") return step.default_args ?? {};
  const res = await fetch(step.resume, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(step.default_args ?? {}) });
  if (!res.ok) throw new Error(`resume URL answered HTTP ${res.status}: ${await res.text()}`);
  return undefined; // answered through the URL: the run goes on with that event
};

/** A resume URL's resume id (a random number) and its signature: they differ between two honest runs. */
const RESUME_SIGNED = /\/\d+\/[0-9a-f]{64}\b/g;

/** What differs between two honest runs beyond compare.ts's placeholders: resume URLs' ids, and the wall-clock times sleep reports. */
function maskRunValues(o: Outcome): Outcome {
  if (o.status !== "success") return o;
  const walk = (v: unknown, key = ""): unknown => {
    if (typeof v === "string") return v.replace(RESUME_SIGNED, "/<resume_id>/<signature>");
    if (typeof v === "number" && (key === "start" || key === "end")) return "<time>";
    if (Array.isArray(v)) return v.map((x) => walk(x));
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, k)]));
    return v;
  };
  return { status: "success", result: walk(o.result) };
}

/** One row per conformance flow (and a `not run` row per NOT_COMPARED flow). `user`: the server's user. */
export async function conformanceRows(
  server: WindmillServer,
  user: string,
  stateDir: string,
  log: (l: string) => void,
  names = Object.keys(CONFORMANCE_FLOWS),
): Promise<Row[]> {
  await pushStore(server);
  let rows: Row[];
  try {
    rows = await flowRows(server, user, stateDir, log, {
      label: "conformance",
      names,
      args: (name: string) => CONFORMANCE_FLOWS[name]!(),
      local: { store: STORE, ask: prefilled },
      mask: maskRunValues,
    });
  } finally {
    await removeStore(server);
  }
  for (const [name, reason] of Object.entries(NOT_COMPARED))
    rows.push({
      item: `conformance: flow ${PREFIX}${name}`,
      local: { status: "skipped", reason },
      windmill: { status: "skipped", reason },
      verdict: "not run",
    });
  return rows;
}
