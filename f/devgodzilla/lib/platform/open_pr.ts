// The open_pr step: make sure the run branch is on the remote at the commit the previous step
// produced, read spec.md / tasks.md from that commit, and open (or update) the PR/MR.
// Deterministic on retry: the same inputs give the same branch state and the same single PR.

import { repoFiles } from "../repo/files.ts";
import * as path from "node:path";
import { z } from "zod";
import { InputError } from "../errors.ts";
import { Redactor } from "../redact.ts";
import { GitError, checkout, listRemoteBranches, pushBranch, validateRepoUrl, type PushStatus } from "../git.ts";
import { chooseForge, forgeClient, gitAuthFor, openOrUpdatePr, renderPrBody, safeUrl, type ForgeClientOptions, type PrResult } from "./forge.ts";

// ---------------------------------------------------------------------------------------------
// Exported types

export const OpenPrInput = z.object({
  repo: z.string().min(1),
  branch: z.string().min(1),
  base_branch: z.string().default(""),
  commit: z
    .string()
    .regex(/^([0-9a-f]{7,64})?$/i, "must be a commit sha")
    .default(""),
  forge: z.enum(["auto", "github", "gitlab"]).default("auto"),
  github: z.object({ token: z.string() }).optional(),
  gitlab: z.object({ token: z.string(), baseUrl: z.string().optional() }).optional(),
  repository: z.string().default(""),
  api_base_url: z.string().default(""),
  title: z.string().default(""),
  spec_dir: z.string().default(""),
  qa_report: z.string().default(""),
  qa_verdict: z.string().default(""),
  qa_score: z.number().optional(),
  issue_number: z.number().int().nonnegative().default(0),
  draft: z.boolean().default(false),
  run_url: z.string().default(""),
  run_id: z.string().default(""),
  cache_dir: z.string().optional(),
});
export type OpenPrInput = z.input<typeof OpenPrInput>;

export interface OpenPrOutput {
  pr: PrResult;
  branch: string;
  base: string;
  commit: string;
  /** skipped: the branch was already at the commit; branch-ahead: it already contains it. */
  push: PushStatus | "skipped" | "branch-ahead";
  repo: string;
  markdown: string;
}

// ---------------------------------------------------------------------------------------------

export async function openPr(raw: OpenPrInput, opts: ForgeClientOptions = {}): Promise<OpenPrOutput> {
  const parsed = OpenPrInput.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(issue.path.join(".") || "input", issue.message);
  }
  const i = parsed.data;
  const repo = await validateRepoUrl(i.repo, "repo");
  if (i.spec_dir && (path.isAbsolute(i.spec_dir) || i.spec_dir.split(/[\\/]/).includes(".."))) {
    throw new InputError("spec_dir", "must be a relative path inside the repository (e.g. specs/001-feature)");
  }
  const target = chooseForge({ forge: i.forge, repoUrl: i.repo, repository: i.repository, apiBase: i.api_base_url, github: i.github, gitlab: i.gitlab });
  const redactor = new Redactor([target.token]);
  const gitAuth = gitAuthFor(target, repo.url);

  // 1. Where is the run branch on the remote?
  const heads = await listRemoteBranches(i.repo, "", gitAuth);
  const remoteHead = heads[i.branch];
  const commit = i.commit || remoteHead;
  if (!commit) {
    throw new InputError(
      "branch",
      `"${i.branch}" does not exist on ${safeUrl(repo.url)} and no commit was given`,
      "pass the commit the previous step returned",
    );
  }

  // 2. Base branch: explicit, else the forge's default branch (not guessed).
  const base = i.base_branch || (await forgeClient(target, opts).defaultBranch());

  // 3. Read the spec artifacts at that exact commit, and push the branch if it is not there yet.
  let spec = "";
  let tasks = "";
  let push: OpenPrOutput["push"] = "skipped";
  let fullCommit = commit;
  const wc = await checkout({ repo: i.repo, commit, branch: i.branch, cacheDir: i.cache_dir, ...gitAuth });
  try {
    fullCommit = wc.commit;
    if (i.spec_dir) {
      // Through the repository-files gateway: the PR body never carries a file linked from outside.
      const files = repoFiles(wc.dir);
      spec = (await files.readText(`${i.spec_dir}/spec.md`)) ?? "";
      tasks = (await files.readText(`${i.spec_dir}/tasks.md`)) ?? "";
    }
    // (A remote head force-pushed away since the listing is gone from the mirror: not an ancestor.)
    const remoteContains = async (head: string) =>
      wc.git.test(["merge-base", "--is-ancestor", wc.commit, head]).catch((e) => {
        if (e instanceof GitError) return false;
        throw e;
      });
    if (remoteHead && remoteHead !== wc.commit && (await remoteContains(remoteHead))) {
      // The branch already moved past this commit (a later step pushed): never rewind it.
      push = "branch-ahead";
    } else if (remoteHead !== wc.commit) push = (await pushBranch(wc.dir, i.branch, "origin", gitAuth)).status;
  } finally {
    await wc.cleanup();
  }

  // 4. Open or update the PR/MR.
  const featureTitle = i.title || titleFromSpec(spec) || i.branch;
  const body = redactor.redact(
    renderPrBody({
      forge: target.kind,
      featureTitle,
      spec,
      tasks,
      qaReport: i.qa_report || undefined,
      qaVerdict: i.qa_verdict || undefined,
      qaScore: i.qa_score,
      specDir: i.spec_dir || undefined,
      commit: fullCommit,
      issueNumber: i.issue_number || undefined,
      runUrl: i.run_url || undefined,
      runId: i.run_id || undefined,
    }),
  );
  const pr = await openOrUpdatePr(target, { head: i.branch, base, title: redactor.redact(featureTitle), body, draft: i.draft }, opts);
  const noun = target.kind === "github" ? "Pull request" : "Merge request";
  const markdown = `**${noun} ${pr.action}:** [${target.kind === "github" ? "#" : "!"}${pr.number}](${pr.url}) \`${i.branch}\` → \`${base}\` at \`${fullCommit.slice(0, 12)}\` (push: ${push})`;
  return { pr, branch: i.branch, base, commit: fullCommit, push, repo: safeUrl(repo.url), markdown };
}

/** "# Feature Specification: User login" → "User login". */
export function titleFromSpec(spec: string): string | undefined {
  const h = /^#\s+(.+)$/m.exec(spec)?.[1]?.trim();
  if (!h) return undefined;
  return h.replace(/^Feature Specification:\s*/i, "").trim() || undefined;
}

/** spec_to_pr's PR decision: open one only with a forge resource; a draft when asked or when QA failed. */
export function prPlan(p: { qaPassed: boolean; draftAsked: boolean; forgeGiven: boolean }) {
  return {
    runs: p.forgeGiven ? [1] : [],
    draft: p.draftAsked || !p.qaPassed,
    qa_verdict: p.qaPassed ? "passed" : "failed",
    skipped: p.forgeGiven ? null : "no github or gitlab resource was given",
  };
}
