// A flow job as a tree of what happened to it, read through Windmill's job API (GET jobs_u/get/{id})
// on a live server or on the local runner: each job's kind, success, canceled and result, and for a
// flow job each module's state with the jobs it ran. Ids, times and the user who canceled are
// replaced by placeholders and error stacks left out, so two honest runs of the same flow give equal trees.
import { normalize } from "./compare.ts";

/** The fields of Windmill's job view this tree reads. */
export interface JobView {
  job_kind?: string;
  success?: boolean;
  canceled?: boolean;
  result?: unknown;
  flow_status?: {
    modules?: { id?: string; type?: string; job?: string; flow_jobs?: string[]; flow_jobs_success?: (boolean | null)[]; failed_retries?: string[] }[];
    failure_module?: { type?: string };
  };
}

export interface JobTree {
  kind: string;
  success: boolean;
  canceled: boolean;
  result: unknown;
  modules?: { id: string; type: string; flow_jobs_success?: (boolean | null)[]; jobs?: JobTree[]; failed_retries?: JobTree[] }[];
  failure_module?: string;
}

/** `get` reads one job; `user` is who canceled (their name appears in cancel messages). */
export async function jobTree(get: (id: string) => Promise<JobView>, id: string, user: string, depth = 0): Promise<JobTree> {
  const j = await get(id);
  // A loop iteration is a "flownode" job on Windmill, a branch of a branchall a "flowpreview" one
  // (observed on CE v1.592.1): flow jobs like any other.
  const kind = j.job_kind === "flownode" || j.job_kind === "flowpreview" ? "flow" : String(j.job_kind);
  const byUser = new RegExp(`(\\bby |"canceler":\\s*")${user.replace(/[^\w-]/g, "\\$&")}\\b`, "g");
  // An error's stack names the files and lines of the side that ran it (Windmill's Bun adds one, the runner does not).
  const result = normalize(JSON.parse(JSON.stringify(j.result ?? null, (k, v) => (k === "stack" ? undefined : v)).replace(byUser, "$1<user>")));
  const tree: JobTree = { kind, success: j.success === true, canceled: j.canceled === true, result };
  if (!j.flow_status || depth > 6) return tree;
  tree.modules = [];
  for (const m of j.flow_status.modules ?? []) {
    const ran = m.flow_jobs ?? (m.job && m.type !== "WaitingForPriorSteps" ? [m.job] : []);
    const jobs = await Promise.all(ran.map((c) => jobTree(get, c, user, depth + 1)));
    // A retried step's earlier attempts, each a job of its own.
    const retried = await Promise.all((m.failed_retries ?? []).map((c) => jobTree(get, c, user, depth + 1)));
    tree.modules.push({
      id: String(m.id),
      type: String(m.type),
      ...(m.flow_jobs_success ? { flow_jobs_success: m.flow_jobs_success } : {}),
      ...(jobs.length ? { jobs } : {}),
      ...(retried.length ? { failed_retries: retried } : {}),
    });
  }
  tree.failure_module = String(j.flow_status.failure_module?.type);
  return tree;
}
