// Pushes the run branch (if it is not already at the commit) and opens — or updates — the GitHub
// pull request / GitLab merge request for it. Safe to retry: one branch, one PR.
import { openPr } from "./lib/platform/open_pr.ts";
import { handingOnBadInput } from "./lib/bad_input.ts";

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
  bad_input: "fail" | "return" = "fail",
) {
  // A flow passes null for an input its caller left out: that means the default.
  const orDefault = <T extends unknown>(v: T | null | undefined) => v ?? undefined;
  // Link the run (root flow job): stable across step retries and resumes, so a retry leaves the
  // PR body unchanged. A standalone run has no flow to link (its own job id changes every time).
  const runId = process.env.WM_ROOT_FLOW_JOB_ID || "";
  const base = process.env.WM_BASE_URL;
  return await handingOnBadInput(bad_input, () =>
    openPr({
      repo,
      branch,
      commit: orDefault(commit),
      base_branch: orDefault(base_branch),
      forge: orDefault(forge),
      github: orDefault(github),
      gitlab: orDefault(gitlab),
      repository: orDefault(repository),
      api_base_url: orDefault(api_base_url),
      title: orDefault(title),
      spec_dir: orDefault(spec_dir),
      qa_report: orDefault(qa_report),
      qa_verdict: orDefault(qa_verdict),
      issue_number: orDefault(issue_number),
      draft: orDefault(draft),
      run_id: runId,
      run_url: base && runId ? `${base.replace(/\/+$/, "")}/run/${runId}?workspace=${process.env.WM_WORKSPACE ?? ""}` : "",
    }),
  );
}
