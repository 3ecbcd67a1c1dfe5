// What a flow's jobs spent, read back from Windmill's job state (the only store): a step that throws
// after its model calls keeps its usage in its error (withUsage: Windmill's Bun wrapper copies the
// error's own properties into the job result's `error.extra`), and a retried step's failed attempts
// stay jobs of their own, listed in the flow's flow_status (`failed_retries`). A later step (the
// loop's finish, its failure module, the run summary) reads them here, so a failed or retried
// step's model calls still count in the run's cost.

import { getJob, jobResult } from "../platform/windmill.ts";
import { sumUsage, type UsageTotals } from "./usage.ts";

export interface ModuleStatus {
  id: string;
  job?: string;
  flow_jobs?: string[];
  failed_retries?: string[];
}

export const modulesOf = (job: { flow_status?: unknown }): ModuleStatus[] =>
  ((job.flow_status as { modules?: ModuleStatus[] } | null | undefined)?.modules ?? []).filter((m) => m && typeof m.id === "string");

const resultOf = async (id: string) => (await jobResult(id)).result;

/**
 * The results of the flow's jobs, by top-level module id: with `failedOnly`, only the failed
 * attempts of retried steps; else also each module's job (a loop's: the results of its iterations'
 * steps). Loop iterations are entered (a retried step inside a loop body is found); subflows are
 * not (a subflow accounts for its own jobs in its result).
 */
export async function flowJobResults(flowJobId: string, opts: { modules?: string[]; failedOnly?: boolean } = {}): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const m of modulesOf(await getJob(flowJobId))) {
    if (opts.modules && !opts.modules.includes(m.id)) continue;
    out[m.id] = await moduleResults(m, !!opts.failedOnly);
  }
  return out;
}

export async function moduleResults(m: ModuleStatus, failedOnly: boolean): Promise<unknown[]> {
  const results: unknown[] = [];
  for (const id of m.failed_retries ?? []) results.push(await resultOf(id));
  // A loop (its iterations, none when it ran no iteration) or a single job.
  if (m.flow_jobs) {
    for (const iteration of m.flow_jobs) for (const inner of modulesOf(await getJob(iteration))) results.push(...(await moduleResults(inner, failedOnly)));
  } else if (m.job && !failedOnly) results.push(await resultOf(m.job));
  return results;
}

/** The usage a failed job's result carries in its error (`{error: {extra: {usage, usage_id}}}`), or null. */
export function carriedUsage(result: unknown): { usage: UsageTotals; usage_id: string | null } | null {
  const extra = (result as { error?: { extra?: { usage?: unknown; usage_id?: unknown } } } | null | undefined)?.error?.extra;
  const u = extra?.usage as Partial<UsageTotals> | undefined;
  if (!u || typeof u !== "object" || typeof u.calls !== "number") return null;
  return { usage: sumUsage(u as UsageTotals), usage_id: typeof extra?.usage_id === "string" ? extra.usage_id : null };
}

/** What the failed attempts of the flow's retried steps spent (each failed job once). */
export async function failedAttemptsUsage(flowJobId: string, modules?: string[]): Promise<UsageTotals> {
  const byModule = await flowJobResults(flowJobId, { modules, failedOnly: true });
  return sumUsage(...Object.values(byModule).flatMap((rs) => rs.map((r) => carriedUsage(r)?.usage)));
}

/**
 * What a failed subflow said of itself: the result of its failure module's job, for the subflow
 * that step `step` ran in the last iteration of loop `loop` of flow job `flowJobId` (undefined when
 * there is none). A loop's entry for a failed iteration is not it when the enclosing flow's own
 * failure module ran in the iteration.
 */
export async function failedSubflowAccount(flowJobId: string, loop: string, step: string): Promise<unknown> {
  const iteration = modulesOf(await getJob(flowJobId))
    .find((m) => m.id === loop)
    ?.flow_jobs?.at(-1);
  const subflow = iteration ? modulesOf(await getJob(iteration)).find((m) => m.id === step)?.job : undefined;
  const failure = subflow ? ((await getJob(subflow)).flow_status as { failure_module?: { job?: string } } | null)?.failure_module?.job : undefined;
  return failure ? resultOf(failure) : undefined;
}
