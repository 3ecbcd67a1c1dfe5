// Nightly sweep: start spec_to_pr for open issues carrying the label that have no run yet.
// "Has a run" is asked of Windmill (jobs of the flow whose args name this repo + issue), so the
// sweep, the webhook and manual runs never duplicate each other and no state of ours is kept.

import * as wmill from "windmill-client";
import { forgeClient, type ForgeClientOptions, type ForgeTarget } from "./forge.ts";

// ---------------------------------------------------------------------------------------------
// Exported types

export interface SweepOptions {
  target: ForgeTarget;
  repoUrl: string;
  /** Empty = the forge's default branch. */
  baseBranch?: string;
  label?: string;
  maxRuns?: number;
  /** Start again for issues whose only runs failed. */
  retryFailed?: boolean;
  dryRun?: boolean;
  flowPath?: string;
  defaults?: Record<string, unknown>;
  workspace?: string;
  runFlow?: (path: string, args: Record<string, unknown>) => Promise<string>;
  forge?: ForgeClientOptions;
}

export interface SweepItem {
  issue: number;
  title: string;
  action: "started" | "would-start" | "skipped";
  reason: string;
  job_id?: string;
}

export interface SweepResult {
  items: SweepItem[];
  markdown: string;
}

export async function sweepLabelledIssues(o: SweepOptions): Promise<SweepResult> {
  const label = o.label ?? "devgodzilla";
  const flow = o.flowPath ?? "f/devgodzilla/spec_to_pr";
  const workspace = o.workspace ?? process.env.WM_WORKSPACE ?? "";
  const client = forgeClient(o.target, o.forge);
  const issues = await client.listOpenIssues(label);
  const base = o.baseBranch || (issues.length ? await client.defaultBranch() : "");
  const run = o.runFlow ?? (async (p: string, a: Record<string, unknown>) => String(await wmill.runFlowAsync(p, a, null, true)).trim().replace(/^"|"$/g, ""));
  const items: SweepItem[] = [];
  let started = 0;
  for (const issue of issues.sort((a, b) => a.number - b.number)) {
    const prior = (await wmill.JobService.listJobs({ workspace, scriptPathExact: flow, args: JSON.stringify({ repo: o.repoUrl, issue_number: issue.number }), perPage: 20 })) as any[];
    const blocking = prior.find((j) => j.type === "QueuedJob" || j.success || !o.retryFailed);
    if (blocking) {
      const st = blocking.type === "QueuedJob" ? "running" : blocking.success ? "succeeded" : "failed (retry_failed is off)";
      items.push({ issue: issue.number, title: issue.title, action: "skipped", reason: `run ${blocking.id} ${st}`, job_id: blocking.id });
      continue;
    }
    if (started >= (o.maxRuns ?? 3)) {
      items.push({ issue: issue.number, title: issue.title, action: "skipped", reason: `max_runs (${o.maxRuns ?? 3}) reached; next sweep` });
      continue;
    }
    started++;
    const args = {
      ...(o.defaults ?? {}),
      repo: o.repoUrl,
      base_branch: base,
      feature_description: [issue.title.trim(), issue.body.trim()].filter(Boolean).join("\n\n"),
      forge: o.target.kind,
      repository: o.target.repoPath,
      issue_number: issue.number,
      issue_url: issue.url,
      requested_by: "schedule",
    };
    if (o.dryRun) {
      items.push({ issue: issue.number, title: issue.title, action: "would-start", reason: "labelled, no run yet" });
      continue;
    }
    const id = await run(flow, args);
    items.push({ issue: issue.number, title: issue.title, action: "started", reason: "labelled, no run yet", job_id: id });
  }
  const lines = [`## Issues labelled \`${label}\` in ${o.target.repoPath}${o.dryRun ? " (dry run)" : ""}`, ""];
  if (!items.length) lines.push("No open issues carry the label.");
  else {
    lines.push("| issue | title | action | why |", "|---|---|---|---|");
    for (const i of items) lines.push(`| #${i.issue} | ${i.title.replace(/\|/g, "\\|")} | ${i.action} | ${i.reason} |`);
  }
  return { items, markdown: lines.join("\n") };
}
