// IDE adapter (cursor, copilot, windsurf, kilocode, roo, bob): a human runs the task in their IDE.
// DevGodzilla writes the task's command/prompt file in the agent's folder and format (committed
// by the caller with the task branch), then the flow suspends on a Windmill approval whose form
// asks "done?" + a note. After approval the work is picked up from the branch.
//
//   step A (script): writeIdeCommand(...) → commit + push → return await ideSuspendPayload(...)
//   step A's module: suspend: { required_events: 1, resume_form: { schema: IDE_RESUME_FORM_SCHEMA } }
//   step B (script, sees `resume`): pickUpFromBranch(...) and ideOutcome(resume, ...)

import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { z } from "zod";
import { InputError } from "../errors.ts";
import { resumeUrls } from "../platform/windmill.ts";
import { GitError, commitAll, gitAt, pushBranch, splitZ, type GitAuthOptions, type PushResult } from "../git.ts";
import { detectBlock } from "./block.ts";
import { agentSettings, type AgentsConfig } from "./config.ts";
import { AGENTS, IDE_AGENT_IDS, type AgentId } from "./registry.ts";
import { AgentUnavailableError, ExecutionBlockedError, type AgentResult } from "./types.ts";

export interface IdeTaskInput {
  agentId: AgentId;
  /** Worktree of the task branch. */
  worktree: string;
  taskId: string;
  title: string;
  /** The full task prompt (what the human pastes or runs as /command). */
  prompt: string;
  /** Branch the human must commit to. */
  branch: string;
}

export interface IdeCommandFile {
  agentId: AgentId;
  /** Repo-relative path of the written file. */
  path: string;
  /** The command name (`/name` in the IDE). */
  name: string;
  content: string;
}

export interface IdeSuspendPayload {
  resume: string;
  cancel: string;
  approvalPage: string;
  description: string;
  default_args: { done: boolean; note: string };
  agent: AgentId;
  task_id: string;
  branch: string;
  command_file: string;
}

export const IdeResumeSchema = z.object({
  done: z.boolean(),
  note: z.string().max(10_000).optional().default(""),
});
export type IdeResume = z.infer<typeof IdeResumeSchema>;

/** The approval form of the suspend step (module-level `suspend.resume_form.schema`). */
export const IDE_RESUME_FORM_SCHEMA = {
  type: "object",
  properties: {
    done: { type: "boolean", description: "The task is done and committed to the task branch", default: false },
    note: { type: "string", description: "What you did, or why the task cannot be done (a question for the spec is fine)", default: "" },
  },
  required: ["done"],
  order: ["done", "note"],
} as const;

/** A person runs this agent's tasks: an IDE-only agent, or one with an IDE mode set to ide_handoff. */
export function usesIdeHandoff(cfg: AgentsConfig, id: AgentId): boolean {
  const spec = AGENTS[id];
  return spec.kind === "ide" || (!!spec.ideCommand && agentSettings(cfg, id).ideHandoff);
}

export function ideCommandName(taskId: string): string {
  const slug = taskId
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  if (!slug) throw new InputError("taskId", "must contain letters or digits");
  return `devgodzilla-${slug}`;
}

function yamlString(s: string): string {
  return JSON.stringify(s.replace(/\s+/g, " ").trim().slice(0, 200));
}

/** The command file for an IDE agent, in that agent's folder and format. */
export function renderIdeCommand(input: Omit<IdeTaskInput, "worktree">): IdeCommandFile {
  const spec = AGENTS[input.agentId];
  if (!IDE_AGENT_IDS.includes(input.agentId) || !spec.ideCommand) {
    throw new AgentUnavailableError(input.agentId, "has no IDE command file", { hint: `IDE agents: ${IDE_AGENT_IDS.join(", ")}` });
  }
  const name = ideCommandName(input.taskId);
  const path = spec.ideCommand.path.replace("{name}", name);
  const description = `DevGodzilla ${input.taskId}: ${input.title}`;
  const footer = [
    "",
    "## When you are done",
    `- Commit your changes to the branch \`${input.branch}\` and push it.`,
    "- Then open the DevGodzilla approval page in Windmill and mark the task done (or say why it cannot be done).",
    ...(spec.argPlaceholder !== "none" ? ["", `Additional instructions: ${spec.argPlaceholder}`] : []),
    "",
  ].join("\n");
  const body = `# ${input.taskId}: ${input.title}\n\n${input.prompt.trim()}\n${footer}`;
  let frontmatter: string;
  if (spec.ideCommand.format === "skill") frontmatter = `---\nname: ${name}\ndescription: ${yamlString(description)}\n---\n\n`;
  else if (input.agentId === "copilot") frontmatter = `---\nmode: agent\ndescription: ${yamlString(description)}\n---\n\n`;
  else frontmatter = `---\ndescription: ${yamlString(description)}\n---\n\n`;
  return { agentId: input.agentId, path, name, content: frontmatter + body };
}

/** Writes the command file into the worktree; the caller commits it with the task branch. */
export async function writeIdeCommand(input: IdeTaskInput): Promise<IdeCommandFile> {
  const file = renderIdeCommand(input);
  const abs = join(input.worktree, file.path);
  await mkdir(dirname(abs), { recursive: true });
  await writeFile(abs, file.content, "utf8");
  return file;
}

/**
 * Step A in one call: writes the command file, commits it on the task branch (as DevGodzilla) and
 * pushes the branch, so the human finds the command in their clone.
 */
export async function prepareIdeTask(
  input: IdeTaskInput & { remote?: string; auth?: GitAuthOptions },
): Promise<{ commandFile: IdeCommandFile; commit: string | null; push: PushResult }> {
  const commandFile = await writeIdeCommand(input);
  const commit = await commitAll(input.worktree, `${input.taskId}: ${AGENTS[input.agentId].name} command for "${input.title}"`);
  const push = await pushBranch(input.worktree, input.branch, input.remote ?? "origin", input.auth ?? {});
  return { commandFile, commit, push };
}

import type { ResumeUrls } from "../platform/windmill.ts";

/**
 * What the suspend step returns: the resume/cancel URLs of this job, a description for the
 * approval page and the form's default answer. `getResumeUrls` defaults to the Windmill gateway's.
 */
export async function ideSuspendPayload(
  input: { agentId: AgentId; taskId: string; title: string; branch: string; commandFile: IdeCommandFile; repoUrl?: string },
  getResumeUrls?: (approver?: string) => Promise<ResumeUrls>,
): Promise<IdeSuspendPayload> {
  const get = getResumeUrls ?? resumeUrls;
  const urls = await get();
  const spec = AGENTS[input.agentId];
  const run = input.commandFile.path.endsWith("SKILL.md") ? `the skill \`${input.commandFile.name}\`` : `\`/${input.commandFile.name}\``;
  const description = [
    `**${input.taskId}: ${input.title}** waits for you in ${spec.name}.`,
    "",
    `1. Check out \`${input.branch}\`${input.repoUrl ? ` of ${input.repoUrl}` : ""}.`,
    `2. In ${spec.name}, run ${run} (file \`${input.commandFile.path}\`).`,
    `3. Commit and push to \`${input.branch}\`, then answer here: done = true. If it cannot be done, answer done = false with a note saying why.`,
  ].join("\n");
  return {
    ...urls,
    description,
    default_args: { done: false, note: "" },
    agent: input.agentId,
    task_id: input.taskId,
    branch: input.branch,
    command_file: input.commandFile.path,
  };
}

/**
 * Reads the approval answer. done → an AgentResult (the work is on the branch); not done → a
 * block when the note reads as one (clarify / re-plan / re-specify), else ExecutionBlockedError.
 */
export function ideOutcome(resume: unknown, ctx: { agentId: AgentId; taskId: string; startedAt?: number }): AgentResult {
  const parsed = IdeResumeSchema.safeParse(resume);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new InputError(`resume.${i.path.join(".") || "done"}`, i.message, "answer the approval form with done (true/false) and an optional note");
  }
  const { done, note } = parsed.data;
  const base: AgentResult = {
    agentId: ctx.agentId,
    finalMessage: note,
    tokens: { input: 0, output: 0 },
    costUsd: null,
    sessionId: null,
    events: 1,
    exitCode: done ? 0 : 1,
    durationMs: ctx.startedAt ? Date.now() - ctx.startedAt : 0,
    model: null,
    block: null,
    via: "ide",
    truncated: false,
  };
  if (done) return base;
  const block =
    detectBlock(note) ??
    (note.trim().endsWith("?") ? { kind: "clarify" as const, reason: "human-question", question: note.trim(), excerpt: note.trim() } : null);
  if (block) return { ...base, block };
  throw new ExecutionBlockedError(ctx.agentId, "rejected", `${ctx.taskId} was marked not done in the IDE${note ? `: ${note}` : ""}`);
}

/**
 * Fetches the task branch after the human pushed and fast-forwards the worktree to it (a token in
 * `auth` goes to git as an http extra header, never on the command line). Returns the new HEAD and
 * the files changed since the previous HEAD.
 */
export async function pickUpFromBranch(
  worktree: string,
  branch: string,
  remote = "origin",
  auth: GitAuthOptions = {},
): Promise<{ commit: string; changed: string[] }> {
  const plain = gitAt(worktree);
  const url = (await plain.exec(["remote", "get-url", "--", remote], { okExitCodes: [2] })).stdout.trim();
  const git =
    auth.token && /^https?:/.test(url)
      ? gitAt(worktree, { credentials: { username: auth.username ?? "x-access-token", password: auth.token }, authUrl: url })
      : plain;
  const run = async (args: string[]) => {
    try {
      return (await git.run(args)).trim();
    } catch (e) {
      // GitError's text is already redacted (the token included).
      throw new ExecutionBlockedError("ide", "input", e instanceof GitError ? e.detail : String(e), `was ${branch} pushed to ${remote}?`);
    }
  };
  const before = await run(["rev-parse", "HEAD"]);
  await run(["fetch", "--quiet", remote, `refs/heads/${branch}`]);
  await run(["merge", "--ff-only", "--quiet", "FETCH_HEAD"]);
  const after = await run(["rev-parse", "HEAD"]);
  const changed = before === after ? [] : splitZ(await run(["diff", "--name-only", "-z", before, after]));
  return { commit: after, changed };
}
