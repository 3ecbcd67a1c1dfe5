// A run's inputs, checked before any step that retries. Windmill retries a failed step whatever
// its error (only `retry_if` could tell, and it needs V8, which the bundle does not assume), so
// bad input first met by a later step would be retried — the same error again after a wait. Met
// here, in a step without retries, the run fails once, at once, before anything is cloned, asked,
// spent or pushed. Only what is certainly wrong fails: a remote, forge or model provider that cannot
// be reached now is noted and left to the steps, whose retries are there for exactly that.

import { z } from "zod";
import { InputError } from "./errors.ts";
import { assertValidBranchName, listRemoteBranches, refusedByRemote, remoteDefaultBranch, remoteHasCommit, validateRepoUrl } from "./git.ts";
import { checkApiKey } from "./llm/client.ts";
import { providerFromResources } from "./llm/config.ts";
import { validateFeatureDescription, validateShortName } from "./llm/steps/specify.ts";
import { mdCell } from "./markdown.ts";
import { ForgeAuthError, ForgeNotFoundError, ForgePermissionError, chooseForge, forgeClient, safeUrl, type ForgeClientOptions } from "./platform/forge.ts";

export const PreflightInput = z.object({
  repo: z.string(),
  /** Spec flows: the branch to start from; must exist on the remote when given. */
  base_branch: z.string().nullish(),
  /** execute_tasks: the run branch (its plan step creates it when missing: only its name is checked). */
  branch: z.string().nullish(),
  /** execute_tasks: the commit the run starts from; must be in the remote. */
  commit: z.string().nullish(),
  /** Spec flows: checked as specify checks it (undefined: the flow has none). */
  feature_description: z.string().nullish(),
  short_name: z.string().nullish(),
  llm: z.unknown().optional(),
  /** The run calls the model (the spec flows): an llm resource is then required. */
  llm_required: z.boolean().nullish(),
  github: z.object({ token: z.string() }).passthrough().nullish(),
  gitlab: z.object({ token: z.string(), baseUrl: z.string().optional() }).passthrough().nullish(),
  /** spec_to_pr: it opens a PR/MR when a github or gitlab resource is given (pr_plan's rule); the forge is then chosen and the token's access checked. */
  pull_request: z
    .object({
      forge: z.enum(["auto", "github", "gitlab"]).nullish(),
      repository: z.string().nullish(),
      api_base_url: z.string().nullish(),
    })
    .nullish(),
});
export type PreflightInput = z.input<typeof PreflightInput>;

export interface PreflightResult {
  /** What was checked and found right. */
  checked: string[];
  /** What could not be checked now (unreachable, or not answerable with this key), left to the steps and their retries. */
  unchecked: string[];
  markdown: string;
}

export async function preflight(raw: PreflightInput, opts: ForgeClientOptions = {}): Promise<PreflightResult> {
  const parsed = PreflightInput.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InputError(issue.path.join(".") || "input", issue.message);
  }
  const p = parsed.data;
  const checked: string[] = [];
  const unchecked: string[] = [];

  // Without the network: every input's shape, as the steps that use it check it.
  const repo = await validateRepoUrl(p.repo, "repo");
  if (p.base_branch) assertValidBranchName(p.base_branch, "base_branch");
  if (p.branch) assertValidBranchName(p.branch, "branch");
  if (p.commit && !/^[0-9a-f]{7,64}$/i.test(p.commit)) throw new InputError("commit", `'${p.commit.slice(0, 80)}' is not a commit sha`);
  if (p.feature_description !== undefined) validateFeatureDescription(p.feature_description);
  validateShortName(p.short_name ?? undefined);
  const llm = p.llm || p.llm_required ? providerFromResources({ llm: p.llm ?? undefined }) : undefined;
  const target =
    p.pull_request && (p.github?.token || p.gitlab?.token)
      ? chooseForge({
          forge: p.pull_request.forge ?? undefined,
          repoUrl: p.repo,
          repository: p.pull_request.repository ?? undefined,
          apiBase: p.pull_request.api_base_url ?? undefined,
          github: p.github ?? undefined,
          gitlab: p.gitlab ?? undefined,
        })
      : undefined;
  checked.push("inputs");

  // The remote: it answers with these credentials and has what the run starts from.
  const shown = safeUrl(repo.url);
  try {
    const heads = await listRemoteBranches(p.repo, "", { token: p.github?.token });
    if (p.base_branch && !(p.base_branch in heads)) {
      const head = await remoteDefaultBranch(p.repo, { token: p.github?.token }).catch(() => null);
      throw new InputError(
        "base_branch",
        `'${p.base_branch}' was not found in ${shown}${head ? ` (its default branch is ${head})` : ""}`,
        "leave base_branch empty to use the default branch, or name another of its branches",
      );
    }
    if (p.commit && !(await remoteHasCommit(p.repo, p.commit, { token: p.github?.token })))
      throw new InputError("commit", `${p.commit} is not in ${shown}`, "pass the commit the previous step returned (spec_to_tasks' result)");
    checked.push("repository");
  } catch (e) {
    if (e instanceof InputError) throw e;
    if (refusedByRemote(e))
      throw new InputError("repo", `${shown} refused access: ${(e as Error).message}`, "check the URL and that the github resource's token may read it");
    unchecked.push(`repository (${(e as Error).message.split("\n")[0]})`);
  }

  // The forge: the token is accepted, sees the repository and may push and open the PR/MR.
  if (target) {
    try {
      const canWrite = await forgeClient(target, opts).canWrite();
      if (canWrite === false)
        throw new ForgePermissionError(
          target.kind,
          403,
          `the ${target.kind} token may read ${target.repoPath} but not push to it`,
          `give the token write access to ${target.repoPath}: the run pushes its branch and opens the ${target.kind === "github" ? "pull request" : "merge request"}`,
        );
      checked.push(`${target.kind} access`);
    } catch (e) {
      if (e instanceof ForgeAuthError || e instanceof ForgePermissionError || e instanceof ForgeNotFoundError) throw e;
      unchecked.push(`${target.kind} access (${(e as Error).message.split("\n")[0]})`);
    }
  }

  // The model provider: it accepts the key (asked of its model list: nothing is spent).
  if (llm) {
    const access = await checkApiKey(llm);
    if (access.refused) throw new InputError("llm", access.refused, "check the api_key of the llm resource (and its base_url)");
    if (access.unchecked) unchecked.push(`model provider (${access.unchecked})`);
    else checked.push("model provider");
  }

  const rows = [
    ...checked.map((c) => `| ${mdCell(c)} | ok |`),
    ...unchecked.map((c) => `| ${mdCell(c)} | not checked now: left to the steps and their retries |`),
  ];
  return { checked, unchecked, markdown: ["### Preflight", "", "| check | result |", "|---|---|", ...rows, ""].join("\n") };
}
