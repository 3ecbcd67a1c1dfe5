// Makes runs, working copies, mirror locks and run branches agree with Windmill's job state.
// Scheduled every 5 minutes (reconcile.schedule.yaml); run it by hand with dry_run to preview.
import { reconcile } from "./lib/platform/reconcile.ts";
import { chooseForge } from "./lib/platform/forge.ts";
import { InputError } from "./lib/errors.ts";

export async function main(
  dry_run = false,
  max_flow_runtime_minutes = 360,
  max_script_runtime_minutes = 120,
  idle_limit_minutes = 15,
  check_git = true,
  run_flow_paths: string[] = ["f/devgodzilla/spec_to_pr"],
  github?: RT.Github,
  gitlab?: RT.Gitlab,
  github_api_base_url = "",
  gitlab_api_base_url = "",
  since = "",
) {
  const from = since.trim() ? new Date(since.trim()) : undefined;
  if (from && Number.isNaN(from.getTime()))
    throw new InputError(
      "since",
      `"${since.slice(0, 60)}" is not a date`,
      "give an ISO 8601 time like 2026-01-31T12:00:00Z, or leave it empty for the recent history",
    );
  // With a token, open PRs/MRs of failed or orphaned run branches are looked up and reported.
  const forgeFor = (repoUrl: string) =>
    github || gitlab ? chooseForge({ repoUrl, github, gitlab, apiBase: { github: github_api_base_url, gitlab: gitlab_api_base_url } }) : undefined;
  const r = await reconcile({
    dryRun: dry_run,
    maxFlowRuntimeS: max_flow_runtime_minutes * 60,
    maxScriptRuntimeS: max_script_runtime_minutes * 60,
    idleLimitS: idle_limit_minutes * 60,
    checkGit: check_git,
    runFlowPaths: run_flow_paths,
    forgeFor,
    redact: [github?.token ?? "", gitlab?.token ?? ""],
    since: from?.toISOString(),
  });
  return { markdown: r.markdown };
}
