// Starting spec_to_pr for a forge issue, once: the nightly sweep of labelled issues and the webhook
// both go through startIssueRun. "Has a run" is asked of Windmill (jobs of the flow whose args name
// this repo + issue), so the sweep, the webhook and manual runs never duplicate each other and no
// state of ours is kept.

import { runsOf, startFlow } from "./windmill.ts";
import { DevGodzillaError } from "../errors.ts";
import { forgeClient, type ForgeClientOptions, type ForgeTarget, type IssueInfo } from "./forge.ts";

// ---------------------------------------------------------------------------------------------
// Exported types

/** An earlier run of the flow for the same repository and issue, as Windmill reports it. */
export interface IssueRun {
  id: string;
  state: "live" | "succeeded" | "failed";
}

/**
 * Which earlier runs stop a new one. A live (queued, running, suspended) run always does; the
 * webhook starts again after any finished run, the sweep only where it has never run (or, with
 * retry_failed, where the runs failed).
 */
export type PriorRunPolicy = "live" | "live-or-succeeded" | "any";

export interface IssueRunRequest {
  flow: string;
  /** The flow's inputs; `repo` and `issue_number` identify the issue's runs. */
  args: Record<string, unknown> & { repo: string; issue_number: number };
  blockedBy: PriorRunPolicy;
  /** Test seams: Windmill's job listing and flow start. */
  listRuns?: ListIssueRuns;
  runFlow?: (path: string, args: Record<string, unknown>) => Promise<string>;
}

export type ListIssueRuns = (flow: string, repo: string, issueNumber: number) => Promise<IssueRun[]>;

/** The earlier run that stops a new one, and why. */
export interface BlockingRun extends IssueRun {
  reason: string;
}

export type IssueRunOutcome = { status: "started"; job_id: string } | ({ status: "blocked" } & BlockingRun);

// ---------------------------------------------------------------------------------------------

/** Runs of `flow` for this repository and issue, newest first (the gateway's run lookup, every page). */
export async function windmillIssueRuns(flow: string, repo: string, issueNumber: number): Promise<IssueRun[]> {
  return (await runsOf(flow, { repo, issue_number: issueNumber })).map((j) => ({ id: j.id, state: j.state }));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const BLOCKING: Record<PriorRunPolicy, ReadonlySet<IssueRun["state"]>> = {
  live: new Set(["live"]),
  "live-or-succeeded": new Set(["live", "succeeded"]),
  any: new Set(["live", "succeeded", "failed"]),
};

/** The earlier run of `flow` for the issue that stops a new one under `policy`, if any. */
export async function blockingIssueRun(
  flow: string,
  repo: string,
  issueNumber: number,
  policy: PriorRunPolicy,
  listRuns: ListIssueRuns = windmillIssueRuns,
): Promise<BlockingRun | undefined> {
  const runs = await listRuns(flow, repo, issueNumber);
  const blocking = runs.find((r) => r.state === "live") ?? runs.find((r) => BLOCKING[policy].has(r.state));
  if (!blocking) return undefined;
  const what = blocking.state === "live" ? "is still in progress" : blocking.state;
  return { ...blocking, reason: `run ${blocking.id} for issue #${issueNumber} ${what}` };
}

/** Starts `flow` for the issue unless an earlier run blocks it (see PriorRunPolicy). */
export async function startIssueRun(req: IssueRunRequest): Promise<IssueRunOutcome> {
  const blocking = await blockingIssueRun(req.flow, req.args.repo, req.args.issue_number, req.blockedBy, req.listRuns);
  if (blocking) return { status: "blocked", ...blocking };
  const jobId = await (req.runFlow ?? startFlow)(req.flow, req.args);
  if (!UUID.test(jobId)) {
    throw new DevGodzillaError(`Windmill did not start ${req.flow}: ${jobId.slice(0, 300)}`, {
      hint: `check that the flow ${req.flow} is deployed and this script may run it`,
    });
  }
  return { status: "started", job_id: jobId };
}

// ---------------------------------------------------------------------------------------------
// The nightly sweep

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

/** spec_to_pr's inputs for an issue the sweep found (the webhook fills the same fields). */
function sweepArgs(o: SweepOptions, issue: IssueInfo, base: string) {
  return {
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
}

export async function sweepLabelledIssues(o: SweepOptions): Promise<SweepResult> {
  const label = o.label ?? "devgodzilla";
  const flow = o.flowPath ?? "f/devgodzilla/spec_to_pr";
  const client = forgeClient(o.target, o.forge);
  const issues = await client.listOpenIssues(label);
  const base = o.baseBranch || (issues.length ? await client.defaultBranch() : "");
  const maxRuns = o.maxRuns ?? 3;
  const policy: PriorRunPolicy = o.retryFailed ? "live-or-succeeded" : "any";
  const items: SweepItem[] = [];
  let started = 0;
  for (const issue of issues.sort((a, b) => a.number - b.number)) {
    const item = { issue: issue.number, title: issue.title };
    const skipped = (b: BlockingRun): SweepItem => {
      const why = b.state === "failed" ? "failed (retry_failed is off)" : b.state === "live" ? "running" : b.state;
      return { ...item, action: "skipped", reason: `run ${b.id} ${why}`, job_id: b.id };
    };
    if (o.dryRun || started >= maxRuns) {
      const blocking = await blockingIssueRun(flow, o.repoUrl, issue.number, policy);
      if (blocking) items.push(skipped(blocking));
      else if (started >= maxRuns) items.push({ ...item, action: "skipped", reason: `max_runs (${maxRuns}) reached; next sweep` });
      else {
        started++; // a dry run counts what it would start, so it shows what a real sweep would do
        items.push({ ...item, action: "would-start", reason: "labelled, no run yet" });
      }
      continue;
    }
    const outcome = await startIssueRun({ flow, args: sweepArgs(o, issue, base), blockedBy: policy, runFlow: o.runFlow });
    if (outcome.status === "blocked") items.push(skipped(outcome));
    else {
      started++;
      items.push({ ...item, action: "started", reason: "labelled, no run yet", job_id: outcome.job_id });
    }
  }
  const lines = [`## Issues labelled \`${label}\` in ${o.target.repoPath}${o.dryRun ? " (dry run)" : ""}`, ""];
  if (!items.length) lines.push("No open issues carry the label.");
  else {
    lines.push("| issue | title | action | why |", "|---|---|---|---|");
    for (const i of items) lines.push(`| #${i.issue} | ${i.title.replace(/\|/g, "\\|")} | ${i.action} | ${i.reason} |`);
  }
  return { items, markdown: lines.join("\n") };
}
