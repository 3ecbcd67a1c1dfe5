// The step jobs of task_with_qa's rounds, read from Windmill (lib/llm/spent.ts): the loop's finish
// reads the failed attempts of its retried steps; its failure module reads what every round spent
// from the loop's jobs alone — the earlier rounds' usage in the flow job's args (`spent`), this
// round's step jobs (failed ones included: their errors carry their usage) and the deeper rounds'
// subflow jobs — because a failure module may run where the step failed (a loop iteration), where
// the flow's own results are not in reach. Reading them is accounting: when Windmill cannot be
// read the loop still ends, and says so.

import { getJob } from "../platform/windmill.ts";
import { failedSubflowAccount, flowJobResults, moduleResults, modulesOf } from "../llm/spent.ts";
import { partOf, UsagePartsSchema, type LoopStep, type UsagePart } from "./loop_usage.ts";
import type { StepJobResults } from "./feedback-step.ts";

/** The round's steps whose jobs make model calls (module ids of task_with_qa). */
const STEPS = ["execute", "qa", "decide", "replan"] as const satisfies readonly LoopStep[];

/** This round's failed attempts of retried steps, by step (the loop's finish adds them). */
export async function failedAttempts(flowJobId: string): Promise<{ jobs: StepJobResults; unread: string | null }> {
  if (!flowJobId) return { jobs: {}, unread: null };
  try {
    return { jobs: await flowJobResults(flowJobId, { modules: [...STEPS], failedOnly: true }), unread: null };
  } catch (e) {
    return { jobs: {}, unread: (e as Error).message };
  }
}

/** Every usage part of the loop from the task_with_qa flow job that holds `flowJobId` (itself, or a loop iteration of it) down. */
export async function loopSpend(flowJobId: string): Promise<{ parts: UsagePart[]; unread: string | null }> {
  if (!flowJobId) return { parts: [], unread: "not running in a flow" };
  try {
    let job = await getJob(flowJobId);
    // The failure module ran in a loop iteration (of `again`): the loop is its parent flow job.
    if (!modulesOf(job).some((m) => m.id === "execute") && job.parent_job) job = await getJob(job.parent_job);
    return { parts: await partsFrom(job), unread: null };
  } catch (e) {
    return { parts: [], unread: (e as Error).message };
  }
}

async function partsFrom(job: Awaited<ReturnType<typeof getJob>>): Promise<UsagePart[]> {
  const args = (job.args ?? {}) as { spent?: unknown; history?: unknown };
  const earlier = UsagePartsSchema.safeParse(args.spent);
  const round = (Array.isArray(args.history) ? args.history.length : 0) + 1;
  const parts: UsagePart[] = earlier.success ? [...earlier.data] : [];
  for (const m of modulesOf(job)) {
    if ((STEPS as readonly string[]).includes(m.id)) {
      for (const r of await moduleResults(m, false)) {
        const p = partOf(m.id as LoopStep, round, r);
        if (p) parts.push(p);
      }
    } else if (m.id === "again") {
      // The deeper rounds: each iteration's subflow job (this flow again).
      for (const iteration of m.flow_jobs ?? [])
        for (const inner of modulesOf(await getJob(iteration))) if (inner.job) parts.push(...(await partsFrom(await getJob(inner.job))));
    }
  }
  return parts;
}

const isLoopResult = (r: unknown) => !!r && typeof r === "object" && (r as { task_with_qa?: unknown }).task_with_qa === true;

/**
 * execute_tasks' entries of a task_with_qa loop (`loop` running the flow as `step`): as given, or,
 * when the task flow failed and the last entry is not its own account (the enclosing flow's failure
 * module ran in the iteration), that account read from the task flow's failure module job — it
 * counts what the loop spent. Unreadable: the entries as given.
 */
export async function taskLoopEntries(entries: unknown[], flowJobId: string, loop: string, step: string): Promise<unknown[]> {
  if (!entries.length || isLoopResult(entries[entries.length - 1]) || !flowJobId) return entries;
  const account = await failedSubflowAccount(flowJobId, loop, step).catch(() => undefined);
  return isLoopResult(account) ? [...entries.slice(0, -1), account] : entries;
}
