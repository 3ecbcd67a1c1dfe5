// Point DevGodzilla at a repository: fresh working copy of the base branch (per-worker mirror
// cache), detect languages / frameworks / package manager and the project's own install, lint,
// typecheck and test commands, add .specify/ (constitution + templates) where missing and the
// /speckit.* commands for `speckit_agents` (continue the feature from the IDE), commit and push the
// onboarding branch. Returns the profile plus { branch, commit } for the next step.
import { runOnboard } from "./lib/onboard/onboard.ts";
import { handingOnBadInput } from "./lib/bad_input.ts";

export async function main(
  repo: string,
  base_branch = "",
  branch = "",
  project_name = "",
  speckit_agents: string[] = [],
  github?: RT.Github,
  bad_input: "fail" | "return" = "fail",
) {
  // A flow passes null for an input its caller left out: that means the default.
  return await handingOnBadInput(bad_input, () =>
    runOnboard({
      repo,
      base_branch: base_branch ?? "",
      branch: branch ?? "",
      project_name: project_name ?? "",
      speckit_agents: speckit_agents ?? [],
      git_token: github?.token,
    }),
  );
}
