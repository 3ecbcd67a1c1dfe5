// checklists/<domain>.md: CHK### "unit tests for English" about how the requirements are written.
import { runChecklist } from "./lib/llm/steps/checklist.ts";

export async function main(
  repo: string,
  branch: string,
  commit: string,
  domain: string,
  focus = "",
  feature = "",
  llm?: RT.CDevgodzillaLlm,
  github?: RT.Github,
) {
  return await runChecklist({ repo, branch, commit, domain, focus, feature, llm, git_token: github?.token });
}
