// IDE handoff: a task whose agent is an IDE agent (windsurf, roo, bob, or cursor/copilot/kilocode
// with ide_handoff) is done by a person. Three steps, each its own script:
//   1. execute_task → startIdeHandoff: the task's prompt as a command file in that agent's folder
//      and format, committed on the task branch and pushed; outcome "ide_handoff".
//   2. ide_handoff (a suspend step): the approval page tells the person which branch to check out
//      and which command to run; its form asks done + a note.
//   3. ide_pickup → pickUpIdeWork: fetches what the person pushed to the task branch, removes the
//      command file again, and returns an execute_task result (changed / no_change / blocked) that
//      QA and feedback judge like any agent's work.

import { existsSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { commitAll, gitAt, pushBranch } from "../git.ts";
import { InputError } from "../errors.ts";
import { Redactor } from "../redact.ts";
import { ideOutcome, ideSuspendPayload, pickUpFromBranch, writeIdeCommand } from "../agents/ide.ts";
import { resumeSelf, windmillApprovals, type ApprovalDeps, type ResumeUrls } from "../platform/windmill.ts";
import { AGENTS, type AgentId } from "../agents/registry.ts";
import { captureArtifacts } from "./artifacts.ts";
import { prepareTaskWorkspace, runtimeDir, validateTaskId, type TaskWorkspace } from "./task.ts";
import { IdeHandoffSchema, type ExecuteTaskResult, type IdeHandoff, type TaskAssignmentInfo } from "./task_result.ts";

export { IdeHandoffSchema, type IdeHandoff } from "./task_result.ts";

/** Step 1, inside execute_task: writes, commits and pushes the command file on the task branch. */
export async function startIdeHandoff(p: {
  ws: TaskWorkspace;
  repo: string;
  feature: string;
  taskId: string;
  title: string;
  agent: AgentId;
  prompt: string;
  assignment: TaskAssignmentInfo;
  token?: string;
}): Promise<IdeHandoff> {
  const file = await writeIdeCommand({ agentId: p.agent, worktree: p.ws.dir, taskId: p.taskId, title: p.title, prompt: p.prompt, branch: p.ws.branch });
  const commit = await commitAll(
    p.ws.dir,
    `${p.taskId}: ${AGENTS[p.agent].name} command for "${p.title}"\n\nDevGodzilla-Task: ${p.taskId}\nDevGodzilla-Handoff: ${p.agent}`,
  );
  if (!commit) throw new InputError("task", `the command file ${file.path} is already on the branch unchanged`);
  await pushBranch(p.ws.dir, p.ws.branch, "origin", { token: p.token, force: true });
  return {
    agent: p.agent,
    repo: p.repo,
    feature: p.feature,
    task_id: p.taskId,
    title: p.title,
    branch: p.ws.branch,
    base_commit: p.ws.base,
    commit,
    command_file: file.path,
    command_name: file.name,
    assignment: { ...p.assignment },
  };
}

/** execute_task's result for a handed-off task: nothing done yet, the handoff for the next steps. */
export function handoffResult(h: IdeHandoff, assignment: TaskAssignmentInfo): ExecuteTaskResult {
  const name = AGENTS[h.agent].name;
  return {
    task_id: h.task_id,
    outcome: "ide_handoff",
    branch: h.branch,
    commit: h.commit,
    base_commit: h.base_commit,
    changed: false,
    push: "forced",
    artifacts: {
      base: h.base_commit,
      files: [],
      summary: { code: 0, test: 0, doc: 0, config: 0, other: 0, total: 0, insertions: 0, deletions: 0 },
      diff: "",
      diffTruncated: false,
      logs: {},
    },
    agent: {
      agentId: h.agent,
      finalMessage: `Handed to a person in ${name}: run /${h.command_name} (${h.command_file}) on ${h.branch}.`,
      tokens: { input: 0, output: 0 },
      costUsd: null,
      sessionId: null,
      events: 0,
      exitCode: null,
      durationMs: 0,
      model: null,
      block: null,
      via: "ide",
      truncated: false,
    },
    assignment,
    usage: { input_tokens: 0, output_tokens: 0, tokens: 0, cost_usd: null },
    sandbox: { sandboxed: false, warning: `IDE handoff: a person runs this task in ${name}` },
    blocked: false,
    block: null,
    handoff: h,
    summary: `IDE HANDOFF: waiting for a person to run ${h.command_file} in ${name} and push to ${h.branch}.`,
  };
}

export interface PickUpOptions {
  handoff: unknown;
  /** The approval form's answer: { done, note }. */
  resume: unknown;
  token?: string;
  cacheDir?: string;
  workRoot?: string;
}

/**
 * Step 3: what the person pushed to the task branch, as an execute_task result. The command file
 * is removed again (it is DevGodzilla's, not the project's); the changes are measured from the
 * task's base commit. A "not done" answer that reads as a question is a clarify block.
 */
export async function pickUpIdeWork(opts: PickUpOptions): Promise<ExecuteTaskResult> {
  const parsed = IdeHandoffSchema.safeParse(opts.handoff);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new InputError(`handoff.${i.path.join(".")}`, i.message, "pass execute_task's `handoff` result unchanged");
  }
  const h = parsed.data;
  validateTaskId(h.task_id, "handoff.task_id");
  const started = Date.now();
  const agent = ideOutcome(opts.resume, { agentId: h.agent, taskId: h.task_id, startedAt: started });
  const redactor = new Redactor().add(opts.token);
  const ws = await prepareTaskWorkspace({
    repo: h.repo,
    commit: h.commit,
    feature: h.feature,
    taskId: h.task_id,
    cacheDir: opts.cacheDir,
    workRoot: opts.workRoot,
    token: opts.token,
  });
  try {
    if (ws.branch !== h.branch) throw new InputError("handoff.branch", `expected ${ws.branch}, got ${h.branch}`);
    await pickUpFromBranch(ws.dir, ws.branch, "origin", { token: opts.token });
    if (existsSync(path.join(ws.dir, h.command_file))) {
      await gitAt(ws.dir).run(["rm", "-q", "--", h.command_file]);
      await commitAll(ws.dir, `${h.task_id}: remove the ${AGENTS[h.agent].name} command file\n\nDevGodzilla-Task: ${h.task_id}`);
    }
    const commit = (await gitAt(ws.dir).run(["rev-parse", "HEAD"])).trim();
    const artifacts = await captureArtifacts({ dir: ws.dir, base: h.base_commit, redactor, committed: true, exclude: [runtimeDir(h.feature, h.task_id)] });
    const changed = artifacts.files.length > 0;
    const push = commit !== h.commit ? (await pushBranch(ws.dir, ws.branch, "origin", { token: opts.token })).status : "skipped";
    const outcome = agent.block ? "blocked" : changed ? "changed" : "no_change";
    const files = artifacts.files.map((f) => f.path);
    return redactor.redactDeep({
      task_id: h.task_id,
      outcome,
      branch: ws.branch,
      commit: agent.block ? h.base_commit : commit,
      base_commit: h.base_commit,
      changed,
      push,
      artifacts,
      agent,
      assignment: h.assignment as unknown as TaskAssignmentInfo,
      usage: { input_tokens: 0, output_tokens: 0, tokens: 0, cost_usd: null },
      sandbox: { sandboxed: false, warning: `a person did this task in ${AGENTS[h.agent].name} (IDE handoff)` },
      blocked: !!agent.block,
      block: agent.block,
      summary: `${outcome === "no_change" ? `NO CHANGE: the task was marked done in ${AGENTS[h.agent].name} but nothing was pushed to ${ws.branch}.\n` : ""}${agent.finalMessage.trim().slice(0, 600)}${files.length ? `\nChanged: ${files.slice(0, 30).join(", ")}` : ""}`,
    });
  } finally {
    await ws.cleanup().catch(() => undefined);
  }
}

// ---------------------------------------------------------------------------------------------
// The two steps of task_with_qa after `execute` (a flow runs them for every attempt; they act only
// when execute_task handed the task off, so the flow needs no branch predicate and no V8).

const given = (v: unknown) => !!v && typeof v === "object" && Object.keys(v as object).length > 0;

/**
 * The approval step (suspended, form {done, note}): with a handoff, the approval page's payload —
 * which branch to check out, which command to run in which IDE; without one the step resumes
 * itself at once and the flow goes on.
 */
export async function ideApproval(handoff: unknown, deps: ApprovalDeps = windmillApprovals) {
  if (!given(handoff)) {
    await resumeSelf(deps);
    return { handed_off: false };
  }
  const parsed = IdeHandoffSchema.safeParse(handoff);
  if (!parsed.success)
    throw new InputError(
      `handoff.${parsed.error.issues[0]!.path.join(".")}`,
      parsed.error.issues[0]!.message,
      "pass execute_task's `handoff` result unchanged",
    );
  const h = parsed.data;
  const payload = await ideSuspendPayload(
    {
      agentId: h.agent,
      taskId: h.task_id,
      title: h.title,
      branch: h.branch,
      repoUrl: h.repo,
      commandFile: { agentId: h.agent, path: h.command_file, name: h.command_name, content: "" },
    },
    async () => (await deps.resumeUrls()) as ResumeUrls,
  );
  return { handed_off: true, ...payload, ide: AGENTS[h.agent].name };
}

/**
 * After the approval: execute_task's result unchanged when it handed nothing off; otherwise what
 * the person pushed, as an execute_task result (changed / no_change / blocked) for QA and feedback.
 */
export async function workAfterHandoff(p: { execute: unknown; resume: unknown; token?: string; cacheDir?: string; workRoot?: string }): Promise<unknown> {
  const handoff =
    (p.execute as { outcome?: string; handoff?: unknown } | null)?.outcome === "ide_handoff" ? (p.execute as { handoff?: unknown }).handoff : undefined;
  if (!given(handoff)) return p.execute ?? {};
  return pickUpIdeWork({ handoff, resume: p.resume, token: p.token, cacheDir: p.cacheDir, workRoot: p.workRoot });
}
