// Running one item (a script or flow by Windmill path) on each side and turning what happened into
// an Outcome: the local runner in this process, and a live Windmill through its HTTP API — with
// approval steps answered through the step's resume URL with the form's pre-filled answer, as a
// person clicking "Approve" in the Windmill UI would.
import { acceptRecommended } from "../../scripts/demo/index.ts";
import { runPath, type LocalStore } from "../../scripts/runner/index.ts";
import type { WindmillServer } from "../../scripts/windmill/api.ts";
import { NO_V8, type Outcome } from "./compare.ts";

export async function runLocal(
  itemPath: string,
  args: Record<string, unknown>,
  store: LocalStore,
  stateDir: string,
  event?: Record<string, unknown>,
): Promise<{ outcome: Outcome; jobId: string }> {
  const out = await runPath(itemPath, { args, store, stateDir, ask: acceptRecommended, ...(event ? { event } : {}) });
  if (out.status === "success") return { outcome: { status: "success", result: out.result }, jobId: out.runId };
  return { outcome: { status: "failure", error: { name: out.error?.name ?? out.status, message: out.error?.message } }, jobId: out.runId };
}

interface FlowModuleStatus {
  type?: string;
  job?: string;
  flow_jobs?: string[];
}
interface JobView {
  id: string;
  type?: string;
  job_kind?: string;
  success?: boolean;
  result?: unknown;
  flow_status?: { modules?: FlowModuleStatus[]; failure_module?: FlowModuleStatus };
}

/** The suspended step anywhere under a flow job: the job whose result holds the resume URLs. */
async function findApproval(server: WindmillServer, jobId: string, depth = 0): Promise<{ resume: string; answer: unknown } | undefined> {
  if (depth > 4) return undefined;
  const job = await server.call<JobView>("GET", `w/jobs_u/get/${jobId}`);
  const mods = job.flow_status?.modules ?? [];
  for (let i = 0; i < mods.length; i++) {
    const m = mods[i]!;
    if (m.type === "WaitingForEvents" && i > 0 && mods[i - 1]!.job) {
      const step = await server.call<{ resume?: string; default_args?: unknown }>("GET", `w/jobs_u/completed/get_result/${mods[i - 1]!.job}`);
      if (typeof step?.resume === "string") return { resume: step.resume, answer: step.default_args ?? {} };
    }
    if (m.type === "InProgress") {
      for (const child of [m.job, ...(m.flow_jobs ?? [])].filter((x): x is string => !!x)) {
        const found = await findApproval(server, child, depth + 1);
        if (found) return found;
      }
    }
  }
  return undefined;
}

/** Runs a script (`kind` script) or flow on Windmill and waits for its end, answering approvals. */
export async function runWindmill(
  server: WindmillServer,
  kind: "script" | "flow",
  itemPath: string,
  args: Record<string, unknown>,
  timeoutMs: number,
): Promise<{ outcome: Outcome; jobId: string }> {
  // skip_preprocessor: run `main` with these arguments, as the local runner does (a webhook-style
  // run of a script that has a preprocessor would hand it a trigger event instead).
  const jobId = String(
    await server.call("POST", `w/jobs/run/${kind === "flow" ? "f" : "p"}/${itemPath}${kind === "script" ? "?skip_preprocessor=true" : ""}`, args),
  ).replace(/"/g, "");
  return { outcome: await windmillOutcome(server, kind, jobId, timeoutMs), jobId };
}

/** Waits for a Windmill job's end (answering a flow's approvals) and returns what happened. */
export async function windmillOutcome(server: WindmillServer, kind: "script" | "flow", jobId: string, timeoutMs: number): Promise<Outcome> {
  const until = Date.now() + timeoutMs;
  const answered = new Set<string>();
  for (;;) {
    const r = await server.call<{ completed: boolean; result?: unknown; success?: boolean }>(
      "GET",
      `w/jobs_u/completed/get_result_maybe/${jobId}?get_started=false`,
    );
    if (r.completed) {
      const outcome = toOutcome(r.success === true, r.result);
      // A step whose input expression needed V8 fails first with Windmill's message; the flow may
      // then fail later (a retry with empty inputs, the failure module): look at the steps.
      if (outcome.status === "failure" && kind === "flow" && (await stepNeedsV8(server, jobId)))
        return { status: "needs-v8", error: { message: outcome.error.message } };
      return outcome;
    }
    if (Date.now() > until) {
      await server.call("POST", `w/jobs/queue/cancel/${jobId}`, { reason: "test:windmill timeout" }).catch(() => undefined);
      return {
        status: "failure",
        error: {
          name: "Timeout",
          message: `not finished after ${timeoutMs / 1000} s (cancelled) — a worker held by a waiting job, or no worker for its tag?`,
        },
      };
    }
    if (kind === "flow") {
      const approval = await findApproval(server, jobId);
      if (approval && !answered.has(approval.resume)) {
        answered.add(approval.resume);
        const res = await fetch(approval.resume, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(approval.answer),
          signal: AbortSignal.timeout(30_000),
        });
        if (!res.ok) return { status: "failure", error: { name: "ResumeFailed", message: `resume URL answered HTTP ${res.status}` } };
      }
    }
    await new Promise((res) => setTimeout(res, 1000));
  }
}

/** Did any failed step job under this flow fail because the server has no V8? */
async function stepNeedsV8(server: WindmillServer, flowJobId: string, depth = 0): Promise<boolean> {
  if (depth > 3) return false;
  const children = await server
    .call<{ id: string; success?: boolean; job_kind?: string }[]>("GET", `w/jobs/completed/list?parent_job=${flowJobId}&per_page=200`)
    .catch(() => []);
  for (const c of children.filter((x) => !x.success)) {
    const job = await server.call<{ result?: unknown }>("GET", `w/jobs_u/get/${c.id}`).catch(() => ({}) as { result?: unknown });
    if (NO_V8.test(JSON.stringify(job.result ?? ""))) return true;
    if (String(c.job_kind ?? "").includes("flow") && (await stepNeedsV8(server, c.id, depth + 1))) return true;
  }
  return false;
}

function toOutcome(success: boolean, result: unknown): Outcome {
  if (success) return { status: "success", result };
  const err = ((result as { error?: { name?: string; message?: string } })?.error ?? {}) as { name?: string; message?: string };
  if (NO_V8.test(JSON.stringify(result ?? ""))) return { status: "needs-v8", error: { message: err.message } };
  return { status: "failure", error: { name: err.name, message: err.message } };
}
