// onboard: point DevGodzilla at a repository. Fresh working copy of the base branch (mirror cache),
// detect the project profile, add Spec Kit scaffolding where missing, commit, push the onboarding
// branch (with the /speckit.* commands for the team's agents when asked), return
// `{ profile, branch, commit, created }`. All validation happens before anything is
// written; any failure removes the working copy and pushes nothing.

import * as path from "node:path";
import { z } from "zod";
import { setProgress } from "../platform/windmill.ts";
import { InputError } from "../errors.ts";
import {
  assertValidBranchName,
  checkout,
  commitAll,
  onboardBranchName,
  pushBranch,
  remoteDefaultBranch,
  splitZ,
  validateRepoUrl,
  ONBOARD_BRANCH_PREFIX,
  type PushStatus,
} from "../git.ts";
import { parseConstitution } from "../speckit/constitution.ts";
import { CONSTITUTION_PATH } from "../speckit/paths.ts";
import { ensureSpeckitScaffold } from "../speckit/scaffold.ts";
import { installSpeckitCommands, validateSpeckitAgents } from "../agentops/speckit_commands.ts";
import { detectProject } from "../project/detect.ts";
import type { ProjectProfile } from "../project/profile.ts";
import { repoFiles } from "../repo/files.ts";

export const OnboardInputSchema = z.object({
  repo: z.string().trim().min(1, "a git URL or local repository path is required"),
  /** Branch to onboard from; "" = the remote's default branch. */
  base_branch: z.string().trim().default(""),
  /** Branch to push the onboarding commit to; default devgodzilla/onboard-<base_branch>. */
  branch: z.string().trim().default(""),
  project_name: z.string().trim().default(""),
  /** Agents whose /speckit.* command files are added, so the feature can be continued from the IDE. */
  speckit_agents: z.array(z.string()).default([]),
  git_token: z.string().optional(),
  /** Test hooks: mirror cache root and where working copies are made. */
  cacheDir: z.string().optional(),
  workRoot: z.string().optional(),
  /** ISO date written into a new constitution (default today). */
  date: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional(),
});
export type OnboardInput = z.input<typeof OnboardInputSchema>;

export interface OnboardResult {
  /** Credential-free repository URL or absolute path (what later steps pass as `repo`). */
  repo: string;
  base_branch: string;
  base_commit: string;
  branch: string;
  commit: string;
  push: PushStatus;
  created: string[];
  updated: string[];
  /** The /speckit.* command files written for `speckit_agents` (also listed in created/updated). */
  speckit_commands: { files: string[]; agents: { agent: string; dir: string; invoke: string }[] };
  profile: ProjectProfile;
  constitution: { version: string | null; articles: number; blocking: string[] };
  markdown: string;
}

async function progress(n: number): Promise<void> {
  setProgress(n);
}

export async function runOnboard(input: OnboardInput): Promise<OnboardResult> {
  const parsed = OnboardInputSchema.safeParse(input);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new InputError(String(i.path[0] ?? "input"), i.message);
  }
  const a = parsed.data;
  // Everything that can be checked without touching git is checked first.
  if (a.base_branch) assertValidBranchName(a.base_branch, "base_branch");
  if (a.branch) assertValidBranchName(a.branch, "branch");
  validateSpeckitAgents(a.speckit_agents, "speckit_agents");
  const repo = await validateRepoUrl(a.repo, "repo");
  if (!a.base_branch) {
    const head = await remoteDefaultBranch(a.repo, { token: a.git_token });
    if (!head) throw new InputError("base_branch", `${repo.url} has no default branch`, "name the branch to onboard from");
    a.base_branch = head;
  }
  const branch = a.branch || onboardBranchName(a.base_branch);
  if (branch === a.base_branch) {
    throw new InputError(
      "branch",
      `must differ from base_branch '${a.base_branch}'`,
      "onboarding never pushes to the base branch; leave branch empty for devgodzilla/onboard-<base>",
    );
  }
  await progress(5);

  let wc;
  try {
    wc = await checkout({ repo: a.repo, ref: a.base_branch, token: a.git_token, cacheDir: a.cacheDir, workRoot: a.workRoot });
  } catch (e) {
    if (e instanceof InputError && e.field === "ref") {
      // Name the remote's default branch (the branch a person most likely meant), once.
      const head = await remoteDefaultBranch(a.repo, { token: a.git_token }).catch(() => null);
      throw new InputError(
        "base_branch",
        `'${a.base_branch}' was not found in ${repo.url}${head ? ` (its default branch is ${head})` : ""}`,
        head ? `leave base_branch empty to use ${head}, or name another of its branches` : e.hint,
      );
    }
    throw e;
  }
  try {
    await progress(30);
    const baseCommit = wc.commit;
    // Re-onboarding: continue on the existing onboarding branch when it already contains the base.
    const existing = (await wc.git.exec(["rev-parse", "--verify", "--quiet", `refs/remotes/origin/${branch}^{commit}`], { okExitCodes: [1] })).stdout.trim();
    const builtOnBase = existing !== "" && (await wc.git.test(["merge-base", "--is-ancestor", baseCommit, existing]));
    await wc.git.run(["checkout", "--quiet", "-B", branch, builtOnBase ? existing : baseCommit]);

    const profile = await detectProject(wc.dir);
    const trackedBefore = new Set(splitZ(await wc.git.run(["ls-files", "-z"])));
    const projectName = a.project_name || profile.units[0]?.name || path.basename(repo.url).replace(/\.git$/, "") || "Project";
    const scaffold = await ensureSpeckitScaffold(wc.dir, { projectName, date: a.date });
    // The team's agents get the /speckit.* commands in this same commit.
    const commands = a.speckit_agents.length ? await installSpeckitCommands(wc.dir, a.speckit_agents) : null;
    const commandFiles = commands?.written.map((f) => f.path) ?? [];
    const created = [...scaffold.created, ...commandFiles.filter((f) => !scaffold.created.includes(f) && !trackedBefore.has(f))];
    const updated = [...scaffold.updated, ...commandFiles.filter((f) => trackedBefore.has(f))];
    await progress(60);
    const changed = [...created, ...updated];
    const sha =
      (changed.length ? await commitAll(wc.dir, `DevGodzilla onboarding: Spec Kit scaffolding\n\n${changed.map((f) => `- ${f}`).join("\n")}\n`) : null) ??
      (await wc.git.run(["rev-parse", "HEAD"])).trim();
    // Our own onboarding branch is regenerated from the base, so replacing a stale one is fine;
    // a branch the caller named is never overwritten.
    const ours = branch.startsWith(ONBOARD_BRANCH_PREFIX) && !a.branch;
    const push = await pushBranch(wc.dir, branch, "origin", { token: a.git_token, force: ours });
    await progress(90);

    // The profile reflects the scaffolding just added.
    const finalProfile = { ...profile, speckit: { ...profile.speckit, hasConstitution: true, hasTemplates: true } };
    const constitution = parseConstitution((await repoFiles(wc.dir).readText(CONSTITUTION_PATH)) ?? "");
    const result: Omit<OnboardResult, "markdown"> = {
      repo: repo.url,
      base_branch: a.base_branch,
      base_commit: baseCommit,
      branch,
      commit: sha,
      push: push.status,
      created,
      updated,
      speckit_commands: { files: commandFiles, agents: commands?.agents ?? [] },
      profile: finalProfile,
      constitution: {
        version: constitution.version,
        articles: constitution.articles.length,
        blocking: constitution.articles.filter((x) => x.severity === "blocking").map((x) => `${x.number}. ${x.title}`),
      },
    };
    return { ...result, markdown: renderOnboardMarkdown(result) };
  } finally {
    await wc.cleanup();
  }
}

export function renderOnboardMarkdown(r: Omit<OnboardResult, "markdown">): string {
  const p = r.profile;
  const cmd = (k: keyof ProjectProfile["commands"]) =>
    p.commands[k][0]
      ? `\`${p.commands[k][0].argv.join(" ")}\`${p.commands[k][0].cwd !== "." ? ` (in ${p.commands[k][0].cwd})` : ""}${p.commands[k][0].inferred ? " _(inferred)_" : ""}`
      : "—";
  return [
    `## Onboarded ${r.repo}`,
    "",
    `Branch \`${r.branch}\` at \`${r.commit.slice(0, 12)}\` (${r.push}), based on \`${r.base_branch}\` @ \`${r.base_commit.slice(0, 12)}\`.`,
    "",
    "| | |",
    "|---|---|",
    `| Languages | ${p.languages.join(", ") || "—"} |`,
    `| Frameworks | ${p.frameworks.join(", ") || "—"} |`,
    `| Package manager | ${p.packageManager ?? "—"} |`,
    `| Units | ${p.units.map((u) => `${u.dir} (${u.language}${u.packageManager ? `, ${u.packageManager}` : ""})`).join("; ") || "—"} |`,
    `| Install | ${cmd("install")} |`,
    `| Lint | ${cmd("lint")} |`,
    `| Typecheck | ${cmd("typecheck")} |`,
    `| Test | ${cmd("test")} |`,
    `| Constitution | v${r.constitution.version ?? "?"}, ${r.constitution.articles} articles; blocking: ${r.constitution.blocking.join(", ") || "none"} |`,
    "",
    r.created.length || r.updated.length
      ? `**Created**: ${r.created.map((f) => `\`${f}\``).join(", ") || "—"}${r.updated.length ? ` · **Updated**: ${r.updated.map((f) => `\`${f}\``).join(", ")}` : ""}`
      : "Nothing to create: the repository already has Spec Kit scaffolding.",
    ...(r.speckit_commands.agents.length
      ? ["", `**IDE commands**: ${r.speckit_commands.agents.map((x) => `${x.agent} (\`${x.dir}\`, \`${x.invoke}\`)`).join(", ")}`]
      : []),
  ].join("\n");
}
