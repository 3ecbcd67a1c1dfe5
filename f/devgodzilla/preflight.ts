// The first step of every flow whose later steps retry: checks the run's inputs, resources,
// remote and forge access once, without retries, so bad input fails the run at once instead of
// being retried by Windmill in a later step (lib/preflight.ts says why and what).
import { preflight } from "./lib/preflight.ts";

export async function main(
  repo: string,
  base_branch = "",
  branch = "",
  commit = "",
  feature_description?: string,
  short_name = "",
  llm?: RT.CDevgodzillaLlm,
  llm_required = false,
  github?: RT.Github,
  gitlab?: RT.Gitlab,
  opens_pr = false,
  forge: "auto" | "github" | "gitlab" = "auto",
  repository = "",
  api_base_url = "",
) {
  // A flow passes null for an input its caller left out: that means the default.
  return await preflight({
    repo,
    base_branch,
    branch,
    commit,
    feature_description,
    short_name,
    llm,
    llm_required,
    github,
    gitlab,
    pull_request: opens_pr ? { forge, repository, api_base_url } : undefined,
  });
}
