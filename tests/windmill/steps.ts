// Scripts that only make sense as a step of a flow (they read the flow's state, register a resume
// URL, or take the previous steps' results) are compared inside their flow: the results of every
// job of that script in the flow's run — on the local runner from its run records, on Windmill from
// the flow's job tree — as two lists, each sorted, so the order in which parallel iterations ran
// does not matter. Each step job got its arguments from the flow, on both sides the same way.
import { readFileSync } from "node:fs";
import path from "node:path";
import YAML from "yaml";
import { RunStore } from "../../scripts/runner/index.ts";
import type { WindmillServer } from "../../scripts/windmill/api.ts";
import { normalize, type Outcome } from "./compare.ts";

/** One step job's end: its result, or the name of its error. */
export interface StepEnd {
  success: boolean;
  result?: unknown;
  error?: string;
}

/** Script paths each flow (by folder) runs as a step, anywhere in its modules. */
export function flowStepScripts(flowFolder: string): Set<string> {
  const out = new Set<string>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (!v || typeof v !== "object") return;
    const o = v as Record<string, unknown>;
    if (o.type === "script" && typeof o.path === "string") out.add(o.path);
    Object.values(o).forEach(walk);
  };
  walk((YAML.parse(readFileSync(path.join(flowFolder, "flow.yaml"), "utf8")) as { value?: unknown }).value);
  return out;
}

/** The step jobs of `scriptPath` in a local run (its subflows' runs included), from the journal. */
export function localStepEnds(stateDir: string, rootRunId: string, scriptPath: string): StepEnd[] {
  const runs = new RunStore(stateDir);
  const out: StepEnd[] = [];
  for (const r of runs.list().filter((x) => x.id === rootRunId || x.root_job === rootRunId)) {
    for (const e of runs.journal(r.id)) {
      if (e.type !== "step" || e.path !== scriptPath) continue;
      out.push(
        e.success ? { success: true, result: e.result } : { success: false, error: (e.result as { error?: { name?: string } })?.error?.name ?? "Error" },
      );
    }
  }
  return out;
}

interface ListedJob {
  id: string;
  script_path?: string;
  job_kind?: string;
  success?: boolean;
}

/** The completed step jobs of `scriptPath` under a finished Windmill flow job (loop iterations, branches and subflows included). */
export async function windmillStepEnds(server: WindmillServer, flowJobId: string, scriptPath: string): Promise<StepEnd[]> {
  const found: ListedJob[] = [];
  const visit = async (parent: string, depth: number): Promise<void> => {
    const children = await server.call<ListedJob[]>("GET", `w/jobs/completed/list?parent_job=${parent}&per_page=1000`);
    for (const c of children) {
      if (c.job_kind === "script" && c.script_path === scriptPath) found.push(c);
      else if (String(c.job_kind ?? "").includes("flow") && depth < 8) await visit(c.id, depth + 1);
    }
  };
  await visit(flowJobId, 0);
  const out: StepEnd[] = [];
  for (const j of found) {
    const result = await server.call<unknown>("GET", `w/jobs_u/completed/get_result/${j.id}`);
    out.push(j.success ? { success: true, result } : { success: false, error: (result as { error?: { name?: string } })?.error?.name ?? "Error" });
  }
  return out;
}

/** A side's step jobs as one comparable outcome: normalised, in a stable order. */
export function stepsOutcome(ends: StepEnd[]): Outcome {
  const sorted = ends.map((e) => normalize(e)).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  return { status: "success", result: sorted };
}
