// Starts spec_to_pr for open issues labelled `devgodzilla` that have no run yet (nightly schedule,
// disabled by default: issue_sweep.schedule.yaml).
import { findStoredResource } from "./lib/platform/windmill.ts";
import { chooseForge } from "./lib/platform/forge.ts";
import { sweepLabelledIssues } from "./lib/platform/issues.ts";

export async function main(
  repo: string,
  forge: "auto" | "github" | "gitlab" = "auto",
  github?: RT.Github,
  gitlab?: RT.Gitlab,
  repository = "",
  api_base_url = "",
  base_branch = "",
  label = "devgodzilla",
  max_runs = 3,
  retry_failed = false,
  dry_run = false,
  flow_path = "f/devgodzilla/spec_to_pr",
  // A path, not a resource picker: Windmill hands main a picked resource with the "$res:" references
  // inside it resolved, and the secrets they name would become the started runs' arguments.
  defaults_resource = "f/devgodzilla/webhook_defaults",
) {
  const target = chooseForge({ forge, repoUrl: repo, repository, apiBase: api_base_url, github, gitlab });
  const defaults = defaults_resource ? await findStoredResource<Record<string, unknown>>(defaults_resource) : undefined;
  const r = await sweepLabelledIssues({
    target,
    repoUrl: repo,
    baseBranch: base_branch,
    label,
    maxRuns: max_runs,
    retryFailed: retry_failed,
    dryRun: dry_run,
    flowPath: flow_path,
    defaults,
  });
  return { markdown: r.markdown };
}
