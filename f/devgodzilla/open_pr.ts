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
  // A flow passes null for an input its caller left out: that means the default.
  forge ??= "auto";
  const useGitlab = forge === "gitlab" || (forge === "auto" && !github && !!gitlab);
  const token = (useGitlab ? gitlab?.token : github?.token) ?? "";
  // Link the run (root flow job): stable across step retries and resumes, so a retry leaves the
  // PR body unchanged. A standalone run has no flow to link (its own job id changes every time).
  const runId = process.env.WM_ROOT_FLOW_JOB_ID || "";
  const base = process.env.WM_BASE_URL;
  return await openPr({
    repo, branch, commit: commit ?? "", base_branch: base_branch ?? "", forge: forge === "auto" && useGitlab ? "gitlab" : forge, token, repository: repository ?? "",
    api_base_url: api_base_url || (useGitlab && gitlab?.baseUrl ? gitlabApi(gitlab.baseUrl) : ""),
    title: title ?? "", spec_dir: spec_dir ?? "", qa_report: qa_report ?? "", qa_verdict: qa_verdict ?? "", issue_number: issue_number ?? 0, draft: draft ?? false,
    run_id: runId,
    run_url: base && runId ? `${base.replace(/\/+$/, "")}/run/${runId}?workspace=${process.env.WM_WORKSPACE ?? ""}` : "",
  });
}

// Windmill's gitlab resource holds either the instance URL or its /api/v4 root.
const gitlabApi = (u: string) => (/\/api\/v4\/?$/.test(u) ? u.replace(/\/+$/, "") : `${u.replace(/\/+$/, "")}/api/v4`);
