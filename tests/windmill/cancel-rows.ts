// test:windmill rows for cancel semantics: the conformance flows that cancel themselves or one of
// their loop iterations (between steps, and while a step runs: plain, subflow, sequential and
// parallel loops, with and without skip_failures) run on the local runner and on the server, each
// compared as the tree of jobs it left (job-tree.ts). They are test flows, not the product: pushed
// under f/conformance/ in the workspace for the rows and removed after.
import { readFileSync } from "node:fs";
import path from "node:path";
import YAML from "yaml";
import * as wmill from "windmill-client";
import type { WindmillServer } from "../../scripts/windmill/api.ts";
import { REPO_ROOT } from "../../scripts/runner/bundle.ts";
import { localUser } from "../../scripts/runner/cache.ts";
import { runPath, type RunOptions } from "../../scripts/runner/index.ts";
import { compareOutcomes, NO_V8, type Outcome, type Row } from "./compare.ts";
import { jobTree, type JobView } from "./job-tree.ts";
import { windmillOutcome } from "./runners.ts";
import { removeUnder } from "./workspace.ts";

const ROOT = path.join(REPO_ROOT, "tests", "flows");
export const PREFIX = "f/conformance/";
/** Flows compared, by name under f/conformance/ (the subflows and scripts they use are pushed with them). */
export const CANCEL_FLOWS = [
  "cancel",
  "cancel_child",
  "cancel_fail",
  "cancel_fail_child",
  "cancel_loop",
  "cancel_running",
  "cancel_running_child",
  "cancel_running_loop",
  "cancel_running_iteration",
  "cancel_running_parallel",
  "cancel_iteration",
  "cancel_iteration_no_skip",
  "cancel_parallel_iteration_no_skip",
  "cancel_running_iteration_no_skip",
  "cancel_running_seq_iteration_no_skip",
  "cancel_queued",
  "cancel_queued_step",
  "cancel_sleep",
];
/** Rows whose flow runs two steps at once: on a server with one worker the second waits for the first, so the cancel meets another state. */
const NEEDS_TWO_WORKERS = new Set(["cancel_running_parallel"]);

/** Workers that pinged in the last 20 s (they ping every few seconds) and take Bun jobs (Windmill's standalone default is one). */
async function bunWorkers(server: WindmillServer): Promise<number> {
  const workers = await server.call<{ custom_tags?: string[] | null }[]>("GET", "workers/list?ping_since=20&per_page=1000");
  return workers.filter((w) => !w.custom_tags || w.custom_tags.includes("bun")).length;
}

/** The lock a pushed conformance script runs with: any bundle module's (the workspace's dependencies, windmill-client included). */
const LOCK_OF = path.join(REPO_ROOT, "f", "devgodzilla", "lib", "platform", "windmill.script.lock");

interface FlowFile {
  summary?: string;
  value: unknown;
  schema?: unknown;
}

/** A conformance flow's file, its inline scripts (`content: '!inline <file>'`, as wmill writes them) read in. */
function flowFile(name: string): FlowFile {
  const dir = path.join(ROOT, "f", "conformance", `${name}__flow`);
  return YAML.parse(readFileSync(path.join(dir, "flow.yaml"), "utf8"), (k, v) =>
    k === "content" && typeof v === "string" && v.startsWith("!inline ") ? readFileSync(path.join(dir, v.slice(8).trim()), "utf8") : v,
  ) as FlowFile;
}

/** The flows named (and their subflows) and the scripts they run, by path. */
export function needed(names: string[]): { flows: Map<string, FlowFile>; scripts: Set<string> } {
  const flows = new Map<string, FlowFile>();
  const scripts = new Set<string>();
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(visit);
    if (!v || typeof v !== "object") return;
    const o = v as Record<string, unknown>;
    if (o.type === "script" && typeof o.path === "string") scripts.add(o.path);
    if (o.type === "flow" && typeof o.path === "string") addFlow(o.path);
    Object.values(o).forEach(visit);
  };
  const addFlow = (p: string) => {
    if (flows.has(p)) return;
    const f = flowFile(p.slice(PREFIX.length));
    flows.set(p, f);
    visit(f.value);
  };
  names.forEach((n) => addFlow(PREFIX + n));
  return { flows, scripts };
}

/** Pushes the named conformance flows and what they run into the workspace (after removing what an earlier run left there). */
export async function pushConformance(server: WindmillServer, names: string[]): Promise<void> {
  await removeUnder(server, PREFIX);
  await server.call("POST", "w/folders/create", { name: "conformance" }).catch(() => undefined); // already there
  const { flows, scripts } = needed(names);
  const lock = readFileSync(LOCK_OF, "utf8");
  for (const p of scripts) {
    const file = path.join(ROOT, p);
    const meta = YAML.parse(readFileSync(`${file}.script.yaml`, "utf8")) as { summary?: string; schema?: unknown; timeout?: number };
    const content = readFileSync(`${file}.ts`, "utf8");
    await server.call("POST", "w/scripts/create", {
      path: p,
      summary: meta.summary ?? "",
      description: "",
      content,
      language: "bun",
      schema: meta.schema,
      lock,
      // The script's own timeout, which its jobs and the flow steps that set none run under.
      ...(meta.timeout !== undefined ? { timeout: meta.timeout } : {}),
    });
  }
  // Subflows before the flows that call them.
  for (const [p, f] of [...flows].reverse())
    await server.call("POST", "w/flows/create", { path: p, summary: f.summary ?? "", description: "", value: f.value, schema: f.schema });
}

const ok = (result: unknown): Outcome => ({ status: "success", result });

/** The job tree a conformance flow leaves on the local runner (`opts`: a store, who answers approvals). */
export async function localTree(name: string, stateDir: string, args: Record<string, unknown> = {}, opts: RunOptions = {}): Promise<Outcome> {
  const out = await runPath(PREFIX + name, { root: ROOT, stateDir, store: { resources: {}, variables: {} }, ...opts, args });
  // runPath points windmill-client at the runner's own job API.
  const get = (id: string) => wmill.JobService.getJob({ workspace: process.env.DEVGODZILLA_WORKSPACE || "local", id }) as Promise<JobView>;
  return ok(await jobTree(get, out.runId, localUser()));
}

/** The job tree a conformance flow (pushed) leaves on the server; `user`: the server's canceling user. */
export async function windmillTree(server: WindmillServer, name: string, user: string, args: Record<string, unknown> = {}): Promise<Outcome> {
  const jobId = String(await server.call("POST", `w/jobs/run/f/${PREFIX}${name}`, args)).replace(/"/g, "");
  const end = await windmillOutcome(server, "flow", jobId, 180_000);
  if (end.status !== "success" && end.status !== "failure") return end;
  if (end.status === "failure" && end.error.name === "Timeout") return end;
  const tree = await jobTree((id) => server.call<JobView>("GET", `w/jobs_u/get/${id}`), jobId, user);
  // A step whose input needed V8 on a server built without it (its iteration's error is in the tree).
  const noV8 = NO_V8.exec(JSON.stringify(tree));
  return noV8 ? { status: "needs-v8", error: { message: noV8[0] } } : ok(tree);
}

/** A set of conformance flows compared on both sides as job trees: one row per flow. */
export interface FlowRowSet {
  /** The rows' prefix: "cancel", "timeout", "conformance". */
  label: string;
  names: string[];
  /** A flow's inputs (the same on both sides); none by default. */
  args?: (name: string) => Record<string, unknown>;
  /** The local runner's options (store, how approvals are answered). */
  local?: RunOptions;
  /** Applied to both trees before they are compared (values that differ by run, not by behaviour). */
  mask?: (o: Outcome) => Outcome;
  /** Why a flow cannot be compared on this server, if it cannot. */
  skip?: (name: string) => string | undefined;
}

/**
 * Pushes the set's flows, runs each on the local runner and on the server, compares the job trees
 * they leave (the same?), and removes the pushed flows. `user`: the server's user (cancel messages name it).
 */
export async function flowRows(server: WindmillServer, user: string, stateDir: string, log: (l: string) => void, set: FlowRowSet): Promise<Row[]> {
  const { label, names, args = () => ({}), local: localOpts = {}, mask = (o: Outcome) => o, skip = () => undefined } = set;
  log(`pushing the ${label} conformance flows under ${PREFIX}`);
  await pushConformance(server, names);
  const rows: Row[] = [];
  try {
    for (const name of names) {
      const item = `${label}: flow ${PREFIX}${name}`;
      const reason = skip(name);
      if (reason) {
        rows.push({ item, local: { status: "skipped", reason }, windmill: { status: "skipped", reason }, verdict: "not run" });
        continue;
      }
      log(`${item}: local runner`);
      const local = mask(await localTree(name, stateDir, args(name), localOpts));
      log(`${item}: windmill`);
      const wm = mask(await windmillTree(server, name, user, args(name)));
      rows.push({ item, local, windmill: wm, ...compareOutcomes(local, wm) });
    }
  } finally {
    await removeUnder(server, PREFIX);
  }
  return rows;
}

/** One row per cancel flow. */
export async function cancelRows(server: WindmillServer, user: string, stateDir: string, log: (l: string) => void, names = CANCEL_FLOWS): Promise<Row[]> {
  const workers = await bunWorkers(server);
  return flowRows(server, user, stateDir, log, {
    label: "cancel",
    names,
    skip: (name) => (NEEDS_TWO_WORKERS.has(name) && workers < 2 ? `needs two workers taking Bun jobs; the server has ${workers}` : undefined),
  });
}
