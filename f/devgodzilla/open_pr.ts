// Pushes the run branch (if it is not already at the commit) and opens — or updates — the GitHub
// pull request / GitLab merge request for it. Safe to retry: one branch, one PR.
import { openPr } from "./lib/platform/open_pr.ts";

export async function main(
  repo: string,
  branch: string,
  commit = "",
  base_branch = "",
  forge: "auto" | "github" | "gitlab" = "auto",
  github?: RT.Github,
  gitlab?: RT.Gitlab,
  repository = "",
  api_base_url = "",
  title = "",
  spec_dir = "",
  qa_report = "",
  qa_verdict = "",
  issue_number = 0,
  draft = false,
) {
  // Link the run (root flow job): stable across step retries and resumes, so a retry leaves the
  // PR body unchanged. A standalone run has no flow to link (its own job id changes every time).
  const runId = process.env.WM_ROOT_FLOW_JOB_ID || "";
  const base = process.env.WM_BASE_URL;
  return await openPr({
    repo, branch, commit, base_branch, forge, github, gitlab, repository, api_base_url,
    title, spec_dir, qa_report, qa_verdict, issue_number, draft,
    run_id: runId,
    run_url: base && runId ? `${base.replace(/\/+$/, "")}/run/${runId}?workspace=${process.env.WM_WORKSPACE ?? ""}` : "",
  });
}
