// spec_to_pr, step `pr_plan`: whether to open a pull/merge request (only with a github or gitlab
// resource: `runs` is then [1], else [] and the PR step does not run), as a draft (asked for, or
// QA failed), and the verdict line for its body.
import { prPlan } from "./lib/platform/open_pr.ts";

export async function main(run_qa: { passed?: boolean } = {}, draft_pr = false, github?: RT.Github, gitlab?: RT.Gitlab) {
  return prPlan({ qaPassed: !!run_qa?.passed, draftAsked: !!draft_pr, forgeGiven: !!(github?.token || gitlab?.token) });
}
