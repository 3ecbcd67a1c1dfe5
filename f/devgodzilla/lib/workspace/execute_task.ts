// executeTask: one task of the DAG, end to end, in a fresh working copy and the sandbox.
//   checkout the exact commit on the task branch → agent assignment (lib/agentops: agent, model and
//   why; the agent's prompt template for the task type) → context files + prompt → setup phase (the
//   project's install command, network on) → the agent (execute phase: network only to its model
//   endpoints, writes only in the worktree + temp dir) → artifacts (diff, classified files, logs,
//   redacted) → block signal as data → commit naming the task → push the task branch.
// Input is validated before anything is touched; the working copy and temp dir are always removed.

import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { InputError } from "../errors.ts";
import { Redactor } from "../redact.ts";
import { commitAll, pushBranch, type PushStatus } from "../git.ts";
import { validateFeatureName, featurePaths, CONSTITUTION_PATH } from "../speckit/paths.ts";
import { makeTaskTmpDir } from "../sandbox/index.ts";
import { runAgent, agentEndpoints, githubRepoOf, usesIdeHandoff, AGENT_IDS, type AgentId, type AgentResult, type AgentCommand } from "../agents/index.ts";
import { prepareTaskAgent, parseOrgAgents, TASK_TYPES, type OrgAgents, type PreparedTaskAgent, type TaskType } from "../agentops/index.ts";
import { traceAgent, traceTask } from "../telemetry/spans.ts";
import type { LlmConfig } from "../llm/client.ts";
import { providerFromResources } from "../llm/config.ts";
import { withUsage } from "../llm/usage.ts";
import { prepareTaskWorkspace, writeTaskContext, validateTaskId, type DependencySummary, type TaskContext, type TaskWorkspace } from "./task.ts";
import { captureArtifacts, type Artifacts } from "./artifacts.ts";
import { repoFiles } from "../repo/files.ts";
import { handoffResult, startIdeHandoff } from "./ide_handoff.ts";
import { changedBySetupOnly, installCommands, runSetup, type SetupOutcome } from "./setup_phase.ts";
import { TaskSandbox } from "./task_sandbox.ts";
import type { ExecuteTaskResult, TaskAssignmentInfo, TaskOutcome } from "./task_result.ts";

// ---------------------------------------------------------------------------------------------
// Exported types

export const TaskInputSchema = z
  .object({
    id: z.string(),
    description: z.string().default(""),
    files: z.array(z.string()).default([]),
    story: z.string().nullable().optional(),
    phase: z.union([z.string(), z.number()]).optional(),
    parallel: z.boolean().optional(),
    /** Explicit agent for this task (else the agents resource decides). */
    agent: z.string().optional(),
    type: z.string().optional(),
    /** The phase's number ("3") and kind ("setup"…) when `phase` is an index into the DAG's phases (execute_dag sets them). */
    phase_number: z.string().nullable().optional(),
    phase_kind: z.string().nullable().optional(),
  })
  .passthrough();

const CommandSchema = z.object({ argv: z.array(z.string().min(1)).min(1), cwd: z.string().default(".") });

export const ExecuteTaskInputSchema = z.object({
  repo: z.string().trim().min(1, "is required"),
  commit: z.string().regex(/^[0-9a-f]{7,64}$/i, "must be a commit sha"),
  feature: z.string(),
  task: TaskInputSchema,
  /** Run branch (informational; the task pushes its own task branch). */
  branch: z.string().default(""),
  note: z.string().default(""),
  dependencies: z
    .array(
      z.object({
        id: z.string(),
        description: z.string().optional(),
        summary: z.string().optional(),
        changedFiles: z.array(z.string()).optional(),
        commit: z.string().optional(),
      }),
    )
    .default([]),
  /** Install commands for the setup phase (default: the profile's first install command per directory). */
  install: z.array(CommandSchema).optional(),
  profile: z
    .object({
      commands: z
        .object({ install: z.array(CommandSchema).default([]) })
        .partial()
        .optional(),
    })
    .passthrough()
    .optional(),
  sandbox_policy: z.enum(["refuse", "allow_unsandboxed"]).default("refuse"),
  setup_timeout_seconds: z.number().int().positive().default(900),
  agent: z.string().optional(),
  push: z.boolean().default(true),
  cache_dir: z.string().optional(),
  work_root: z.string().optional(),
});
export type ExecuteTaskInput = z.input<typeof ExecuteTaskInputSchema>;

export type { ExecuteTaskResult, TaskAssignmentInfo, TaskOutcome, TaskUsage } from "./task_result.ts";

export interface ExecuteTaskDeps {
  /** Credentials/resources the job holds: all go into the redactor. */
  agents?: unknown;
  llm?: unknown;
  openai?: unknown;
  anthropic?: unknown;
  model?: string;
  gitToken?: string;
  /** Test seam: replaces lib/agents' runAgent. */
  runAgent?: typeof runAgent;
  onProgress?: (pct: number) => void;
}

export { SetupFailedError } from "./setup_phase.ts";

// ---------------------------------------------------------------------------------------------

type TaskInput = z.infer<typeof ExecuteTaskInputSchema>;

/** What every stage of one task's run shares. */
interface TaskRun {
  input: TaskInput;
  taskId: string;
  deps: ExecuteTaskDeps;
  /** The org resource (lib/agents' fields + by_phase/by_story/review). */
  org: OrgAgents;
  llm: LlmConfig | undefined;
  redactor: Redactor;
  progress: (pct: number) => void;
  ws: TaskWorkspace;
  /** The task's temp dir: HOME and caches of both phases, writable in the sandbox. */
  tmpDir: string;
  home: string;
  /** Output of the setup commands and the agent, for the artifacts. */
  logs: Record<string, string>;
}

export async function executeTask(rawInput: ExecuteTaskInput, deps: ExecuteTaskDeps = {}): Promise<ExecuteTaskResult> {
  const job = prepare(rawInput, deps);
  const ws = await prepareTaskWorkspace({
    repo: job.input.repo,
    commit: job.input.commit,
    feature: job.input.feature,
    taskId: job.taskId,
    cacheDir: job.input.cache_dir,
    workRoot: job.input.work_root,
    token: deps.gitToken,
  });
  const tmpDir = await makeTaskTmpDir();
  const run: TaskRun = { ...job, ws, tmpDir, home: path.join(tmpDir, "home"), logs: {} };
  let sandbox: TaskSandbox | undefined;
  try {
    await mkdir(run.home, { recursive: true });
    run.progress(5);
    const prepared = assignAgent(run);
    if (usesIdeHandoff(prepared.config, prepared.agent)) return await handOffToIde(run, prepared);
    const ctx = await writeContext(run);
    sandbox = openSandbox(run, ctx);
    const setup = await runSetup({
      commands: installCommands(run.input.install, run.input.profile?.commands?.install ?? []),
      dir: ws.dir,
      home: run.home,
      tmpDir,
      timeoutSeconds: run.input.setup_timeout_seconds,
      sandbox,
      redactor: run.redactor,
      logs: run.logs,
    });
    run.progress(20);
    const result = await runTaskAgent(run, prepared, ctx, sandbox);
    run.progress(75);
    try {
      const work = await recordWork(run, result, ctx, setup);
      const push = await pushTaskBranch(run, work.commit);
      run.progress(100);
      return taskResult(run, prepared, result, work, push, sandboxReport(sandbox, setup, result));
    } catch (e) {
      // The agent's run was spent: a commit or push that fails after it still counts its tokens.
      throw withUsage(e, agentUsage(result));
    }
  } finally {
    await sandbox?.dispose();
    await ws.cleanup().catch(() => undefined);
    await rm(tmpDir, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** Input, org resource and credentials, checked before anything is touched; every secret goes into the redactor. */
function prepare(rawInput: ExecuteTaskInput, deps: ExecuteTaskDeps): Omit<TaskRun, "ws" | "tmpDir" | "home" | "logs"> {
  const input = parseInput(rawInput);
  // A bad org resource fails before any checkout.
  const org = parseOrgAgents(deps.agents);
  const redactor = new Redactor();
  for (const r of [deps.agents, deps.llm, deps.openai, deps.anthropic]) redactor.addFrom(r);
  redactor.add(deps.gitToken);
  const llm = llmFrom(deps);
  if (llm && "apiKey" in llm) redactor.add(llm.apiKey);
  const progress = (n: number) => {
    try {
      deps.onProgress?.(n);
    } catch {
      /* progress never fails the job */
    }
  };
  return { input, taskId: input.task.id, deps, org, llm, redactor, progress };
}

function parseInput(input: unknown): TaskInput {
  const r = ExecuteTaskInputSchema.safeParse(input);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new InputError(i.path.join(".") || "input", i.message);
  }
  validateFeatureName(r.data.feature, "feature");
  validateTaskId(r.data.task.id, "task.id");
  if (r.data.agent && !(AGENT_IDS as readonly string[]).includes(r.data.agent)) {
    throw new InputError("agent", `unknown agent ${r.data.agent}`, `known: ${AGENT_IDS.join(", ")}`);
  }
  for (const c of r.data.install ?? []) {
    if (path.isAbsolute(c.cwd) || c.cwd.split(/[\\/]/).includes("..")) throw new InputError("install.cwd", `must stay inside the repository: ${c.cwd}`);
  }
  return r.data;
}

function llmFrom(deps: ExecuteTaskDeps): LlmConfig | undefined {
  try {
    return providerFromResources({ llm: deps.llm, openai: deps.openai, anthropic: deps.anthropic, model: deps.model });
  } catch {
    return undefined; // no LLM resource: only CLI agents can run
  }
}

/**
 * Agent + model + prompt template, from the org resource and the checkout's .devgodzilla/agents.yaml
 * and .devgodzilla/prompts/ (an explicit agent wins: "run input").
 */
function assignAgent(run: TaskRun): PreparedTaskAgent {
  const { input } = run;
  const fp = featurePaths(input.feature);
  const profileCommands = (input.profile?.commands ?? {}) as Record<string, unknown>;
  return prepareTaskAgent(
    {
      id: run.taskId,
      story: input.task.story ?? null,
      files: input.task.files,
      phase: phaseFacts(input.task),
      type: (TASK_TYPES as readonly string[]).includes(input.task.type ?? "") ? (input.task.type as TaskType) : undefined,
    },
    {
      org: run.org,
      repoDir: run.ws.dir,
      agent: (input.agent ?? input.task.agent) as AgentId | undefined,
      values: {
        description: input.task.description,
        spec_path: fp.spec,
        plan_path: fp.plan,
        tasks_path: fp.tasks,
        feature_dir: fp.dir,
        test_command: firstCommand(profileCommands.test),
        lint_command: firstCommand(profileCommands.lint),
      },
    },
  );
}

/** What agentops needs to know about the task's phase: its number and/or kind. */
function phaseFacts(t: z.infer<typeof TaskInputSchema>): { number?: string | null; kind?: string | null } | null {
  if (t.phase_number || t.phase_kind) return { number: t.phase_number ?? null, kind: t.phase_kind ?? null };
  // A string phase given by hand: "3" / "3.1" is a number, "setup" / "polish"… a kind. (A bare
  // number is task_dag's index into its phases, which means nothing on its own.)
  if (typeof t.phase === "string") return /^\d+(\.\d+)*$/.test(t.phase) ? { number: t.phase } : { kind: t.phase };
  return null;
}

function firstCommand(cmds: unknown): string | undefined {
  const c = Array.isArray(cmds) ? (cmds[0] as { argv?: unknown } | undefined) : undefined;
  return Array.isArray(c?.argv) ? c.argv.join(" ") : undefined;
}

/** A person does this task in the IDE: the command file goes on the task branch, nothing runs here. */
async function handOffToIde(run: TaskRun, prepared: PreparedTaskAgent): Promise<ExecuteTaskResult> {
  const { input, taskId } = run;
  const assignment: TaskAssignmentInfo = {
    agent: prepared.agent,
    model: prepared.model,
    source: prepared.source,
    model_source: prepared.modelSource,
    task_type: prepared.taskType,
    prompt_source: prepared.promptSource,
    prompt_version: prepared.promptVersion,
  };
  const handoff = await startIdeHandoff({
    ws: run.ws,
    repo: input.repo,
    feature: input.feature,
    taskId,
    title: input.task.description.slice(0, 120) || taskId,
    agent: prepared.agent,
    prompt: prepared.prompt,
    assignment,
    token: run.deps.gitToken,
  });
  run.progress(100);
  return run.redactor.redactDeep(handoffResult(handoff, assignment));
}

/** The task's context files (spec, plan, constitution, dependencies' summaries) in the working copy. */
async function writeContext(run: TaskRun): Promise<TaskContext> {
  const { input, taskId } = run;
  const fp = featurePaths(input.feature);
  // Through the repository-files gateway: a spec or plan linked from outside the checkout is not read.
  const repo = repoFiles(run.ws.dir);
  const read = async (p: string) => (await repo.readText(p)) ?? undefined;
  return writeTaskContext(run.ws.dir, {
    feature: input.feature,
    task: {
      id: taskId,
      description: input.task.description,
      files: input.task.files,
      story: input.task.story ?? null,
      phase: input.task.phase === undefined ? undefined : String(input.task.phase),
    },
    spec: await read(fp.spec),
    plan: await read(fp.plan),
    constitution: await read(CONSTITUTION_PATH),
    dependencies: input.dependencies as DependencySummary[],
    note: input.note || undefined,
  });
}

/** What the sandbox lets the project's toolchain and the agent use, in both phases. */
function openSandbox(run: TaskRun, ctx: TaskContext): TaskSandbox {
  return new TaskSandbox({
    worktree: run.ws.dir,
    tmpDir: run.tmpDir,
    policy: run.input.sandbox_policy,
    // .git stays read-only inside the sandbox: a writable .git/config (core.fsmonitor, hooks,
    // core.sshCommand, diff/filter drivers…) would make OUR later git commands, which run outside
    // the sandbox, execute whatever the agent put there. (The mirror objects the copy borrows are
    // visible read-only through the sandbox's own view of .git/objects/info/alternates.)
    readOnly: [ctx.dir, ".git"],
    languages: languagesOf(run.input.profile),
    limits: run.org.base.sandbox ?? {},
  });
}

/** The agent, in the execute phase: network only to the endpoints of the agents this run may use. */
async function runTaskAgent(run: TaskRun, prepared: PreparedTaskAgent, ctx: TaskContext, sandbox: TaskSandbox): Promise<AgentResult> {
  const { input, taskId, home } = run;
  // The assigned agent's endpoints and its fallbacks': the execute phase's allow-list.
  const candidates = [prepared.agent, ...run.org.base.fallback.filter((a) => a !== prepared.agent)];
  const allowHosts = [...new Set(candidates.flatMap((a) => agentEndpoints(prepared.config, a)))];
  const lines: string[] = [];
  let bytes = 0;
  const agent = run.deps.runAgent ?? runAgent;
  const github = githubRepoOf(input.repo);
  // task span → agent span; the agent process gets the agent span's TRACEPARENT.
  const result = await traceTask(
    taskId,
    () =>
      traceAgent(prepared.agent, prepared.model, (traceEnv) =>
        agent({
          agentId: prepared.agent,
          model: prepared.model,
          task: { id: taskId, type: prepared.taskType },
          prompt: `${prepared.prompt}\n\n${ctx.contextNote}`,
          cwd: run.ws.dir,
          config: prepared.config,
          llm: run.llm,
          title: `${taskId}: ${input.task.description}`.slice(0, 80),
          // Jules works on the GitHub copy, from the run branch this task's commit is on.
          github: github ? { repo: github, branch: input.branch || undefined } : undefined,
          env: {
            HOME: home,
            XDG_CONFIG_HOME: path.join(home, ".config"),
            XDG_DATA_HOME: path.join(home, ".local/share"),
            XDG_CACHE_HOME: path.join(home, ".cache"),
            XDG_STATE_HOME: path.join(home, ".local/state"),
            ...traceEnv,
          },
          redactor: run.redactor,
          onLine: (line, stream) => {
            if (bytes < 512 * 1024) lines.push(stream === "stderr" ? `[stderr] ${line}` : line);
            bytes += line.length + 1;
          },
          wrap: async (cmd: AgentCommand): Promise<AgentCommand> => {
            const w = await sandbox.wrap({ file: cmd.file, args: cmd.args, cwd: cmd.cwd, env: cmd.env }, "execute", { allowHosts, programs: [cmd.file] });
            const env: Record<string, string> = {};
            for (const [k, v] of Object.entries(w.env)) if (v !== undefined) env[k] = v;
            return { file: w.file, args: w.args, cwd: w.cwd, env };
          },
        }),
      ),
    { agent: prepared.agent, model: prepared.model, source: prepared.source },
  ).catch((e: unknown) => {
    // A sandbox stopped by its limits fails the task naming the limit, not as a crashed agent.
    throw sandbox.limitError("execute", e) ?? e;
  });
  // An agent may exit 0 after the limit refused it a fork, before the watcher stopped it: its
  // work is then whatever it managed without those processes, so the task fails the same way.
  const stopped = sandbox.limitError("execute");
  if (stopped) throw stopped;
  run.logs.agent = lines.join("\n");
  return result;
}

/** The task's commit (the base when nothing was committed) and its artifacts: exactly what was committed. */
async function recordWork(run: TaskRun, result: AgentResult, ctx: TaskContext, setup: SetupOutcome): Promise<{ commit: string; artifacts: Artifacts }> {
  const { ws, redactor, logs, taskId } = run;
  const capture = { dir: ws.dir, base: ws.base, redactor, logs, exclude: [ctx.dir] };
  // Nothing is committed for a blocked task; its artifacts still show what the agent did.
  if (result.block) return { commit: ws.base, artifacts: await captureArtifacts({ ...capture, stage: false }) };
  const subject = `${taskId}: ${run.input.task.description}`.replace(/\s+/g, " ").trim().slice(0, 72);
  const body = `Task ${taskId} of ${run.input.feature}, by agent ${result.agentId}${result.model ? ` (${result.model})` : ""}.\n\nDevGodzilla-Task: ${taskId}\nDevGodzilla-Base: ${ws.base}`;
  // What the install step changed and the agent did not (a lock file, say) is left out of the commit.
  const setupOnly = await changedBySetupOnly(ws.dir, setup);
  if (setupOnly.length) logs.setup = `${logs.setup ?? ""}\nleft out of the commit (changed by the install step only): ${setupOnly.join(", ")}`.trim();
  const commit = (await commitAll(ws.dir, `${subject}\n\n${body}`, { exclude: setupOnly })) ?? ws.base;
  // Captured FROM the commit (tree-to-tree): the artifacts are exactly what was committed,
  // and their cost follows the changed files only.
  return { commit, artifacts: await captureArtifacts({ ...capture, committed: true }) };
}

async function pushTaskBranch(run: TaskRun, commit: string): Promise<PushStatus | "skipped"> {
  if (!run.input.push || commit === run.ws.base) return "skipped";
  // The task branch is DevGodzilla's scratch branch for this attempt: a retry replaces it.
  return (await pushBranch(run.ws.dir, run.ws.branch, "origin", { token: run.deps.gitToken, force: true })).status;
}

/** How the task's commands were sandboxed, and what the setup phase ran. */
function sandboxReport(sandbox: TaskSandbox, setup: SetupOutcome, result: AgentResult): ExecuteTaskResult["sandbox"] {
  // The built-in llm agent / API agents run no process here: nothing to sandbox.
  const info =
    !sandbox.ran("execute") && sandbox.info.sandboxed
      ? { sandboxed: false, warning: `agent ${result.agentId} ran no local process (no sandbox needed)` }
      : { ...sandbox.info };
  return setup.commands.length ? { ...info, setup: { commands: setup.commands.map((c) => c.argv), durationMs: setup.durationMs } } : info;
}

function taskResult(
  run: TaskRun,
  prepared: PreparedTaskAgent,
  result: AgentResult,
  work: { commit: string; artifacts: Artifacts },
  push: PushStatus | "skipped",
  sandbox: ExecuteTaskResult["sandbox"],
): ExecuteTaskResult {
  const { ws } = run;
  const { commit, artifacts } = work;
  const block = result.block ?? null;
  const files = artifacts.files.map((f) => f.path);
  const outcome: TaskOutcome = block ? "blocked" : commit === ws.base ? "no_change" : "changed";
  const noChange =
    outcome === "no_change" ? `NO CHANGE: agent ${result.agentId} exited ${result.exitCode ?? 0} without changing any file; the task is not done.\n` : "";
  const assigned = result.agentId === prepared.agent;
  return run.redactor.redactDeep({
    task_id: run.taskId,
    outcome,
    branch: ws.branch,
    commit,
    base_commit: ws.base,
    changed: commit !== ws.base,
    push,
    artifacts,
    agent: { ...result, finalMessage: result.finalMessage.slice(0, 8000) },
    assignment: {
      agent: result.agentId,
      model: assigned ? prepared.model : null,
      source: assigned ? prepared.source : `fallback: ${prepared.agent} (${prepared.source}) was unavailable`,
      model_source: assigned ? prepared.modelSource : "fallback agent's own settings",
      task_type: prepared.taskType,
      prompt_source: prepared.promptSource,
      prompt_version: prepared.promptVersion,
    },
    usage: agentUsage(result),
    sandbox,
    blocked: !!block,
    block,
    summary: `${noChange}${result.finalMessage.trim().slice(0, 600)}${files.length ? `\nChanged: ${files.slice(0, 30).join(", ")}` : ""}`,
  });
}

/** The agent run's usage, as execute_task reports it (tokens = input + output; cost only when the agent reported one). */
function agentUsage(result: AgentResult) {
  const input_tokens = result.tokens?.input ?? 0;
  const output_tokens = result.tokens?.output ?? 0;
  return { input_tokens, output_tokens, tokens: input_tokens + output_tokens, cost_usd: result.costUsd };
}

/** The project's languages from the onboarding profile the flow passes along (empty when absent). */
function languagesOf(profile: unknown): string[] {
  const langs = (profile as { languages?: unknown } | undefined)?.languages;
  return Array.isArray(langs) ? langs.filter((l): l is string => typeof l === "string") : [];
}
