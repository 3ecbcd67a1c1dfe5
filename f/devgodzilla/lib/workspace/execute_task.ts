// executeTask: one task of the DAG, end to end, in a fresh working copy and the sandbox.
//   checkout the exact commit on the task branch → agent assignment (lib/agentops: agent, model and
//   why; the agent's prompt template for the task type) → context files + prompt → setup phase (the
//   project's install command, network on) → the agent (execute phase: network only to its model
//   endpoints, writes only in the worktree + temp dir) → artifacts (diff, classified files, logs,
//   redacted) → block signal as data → commit naming the task → push the task branch.
// Input is validated before anything is touched; the working copy and temp dir are always removed.

import { createHash } from "node:crypto";
import { readFile, rm, mkdir } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { InputError, DevGodzillaError } from "../errors.ts";
import { Redactor } from "../redact.ts";
import { runProcess } from "../process.ts";
import { commitAll, gitAt, parseStatusZ, pushBranch, type PushStatus } from "../git.ts";
import { validateFeatureName, featurePaths, CONSTITUTION_PATH } from "../speckit/paths.ts";
import { limitError, wrapInSandbox, makeTaskTmpDir, type SandboxLimits, type SandboxPolicy, type WrappedCommand } from "../sandbox/index.ts";
import { runAgent, agentEndpoints, githubRepoOf, usesIdeHandoff, AGENT_IDS, type AgentId, type AgentResult, type AgentCommand, type BlockSignal } from "../agents/index.ts";
import { prepareTaskAgent, parseOrgAgents, TASK_TYPES, type TaskType } from "../agentops/index.ts";
import { traceAgent, traceTask } from "../telemetry/spans.ts";
import type { Llm, LlmConfig } from "../llm/client.ts";
import { providerFromResources } from "../llm/config.ts";
import { prepareTaskWorkspace, writeTaskContext, validateTaskId, type DependencySummary } from "./task.ts";
import { captureArtifacts, type Artifacts } from "./artifacts.ts";
import { repoFiles } from "../repo/files.ts";
import { handoffResult, startIdeHandoff } from "./ide_handoff.ts";
import type { ExecuteTaskResult, TaskAssignmentInfo, TaskOutcome, TaskUsage } from "./task_result.ts";

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
  dependencies: z.array(z.object({
    id: z.string(), description: z.string().optional(), summary: z.string().optional(),
    changedFiles: z.array(z.string()).optional(), commit: z.string().optional(),
  })).default([]),
  /** Install commands for the setup phase (default: the profile's first install command per directory). */
  install: z.array(CommandSchema).optional(),
  profile: z.object({ commands: z.object({ install: z.array(CommandSchema).default([]) }).partial().optional() }).passthrough().optional(),
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

/** The project's install step failed in the setup phase. */
export class SetupFailedError extends DevGodzillaError {
  constructor(argv: string[], detail: string) {
    super(`setup phase: ${argv.join(" ")} failed: ${detail}`, { hint: "fix the project's install command (onboard profile) or pass install: [] to skip it" });
  }
}

// ---------------------------------------------------------------------------------------------

function parseInput(input: unknown): z.infer<typeof ExecuteTaskInputSchema> {
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

export async function executeTask(rawInput: ExecuteTaskInput, deps: ExecuteTaskDeps = {}): Promise<ExecuteTaskResult> {
  const input = parseInput(rawInput);
  // The org resource (lib/agents' fields + by_phase/by_story/review); a bad one fails before any checkout.
  const org = parseOrgAgents(deps.agents);
  const config = org.base;
  const redactor = new Redactor();
  for (const r of [deps.agents, deps.llm, deps.openai, deps.anthropic]) redactor.addFrom(r);
  redactor.add(deps.gitToken);
  const llm: Llm | LlmConfig | undefined = llmFrom(deps);
  if (llm && "apiKey" in llm) redactor.add(llm.apiKey);
  const progress = (n: number) => {
    try {
      deps.onProgress?.(n);
    } catch {
      /* progress never fails the job */
    }
  };

  const taskId = input.task.id;
  const explicit = (input.agent ?? input.task.agent) as AgentId | undefined;

  const ws = await prepareTaskWorkspace({
    repo: input.repo, commit: input.commit, feature: input.feature, taskId,
    cacheDir: input.cache_dir, workRoot: input.work_root, token: deps.gitToken,
  });
  const tmpDir = await makeTaskTmpDir();
  const home = path.join(tmpDir, "home");
  await mkdir(home, { recursive: true });
  const wrapped: WrappedCommand[] = [];
  try {
    progress(5);
    // ---- assignment: agent + model + prompt template, from the org resource and the checkout's
    // .devgodzilla/agents.yaml and .devgodzilla/prompts/ (an explicit agent wins: "run input")
    const fp = featurePaths(input.feature);
    const profileCommands = (input.profile?.commands ?? {}) as Record<string, unknown>;
    const prepared = prepareTaskAgent(
      {
        id: taskId, story: input.task.story ?? null, files: input.task.files, phase: phaseFacts(input.task),
        type: (TASK_TYPES as readonly string[]).includes(input.task.type ?? "") ? (input.task.type as TaskType) : undefined,
      },
      {
        org, repoDir: ws.dir, agent: explicit,
        values: {
          description: input.task.description, spec_path: fp.spec, plan_path: fp.plan, tasks_path: fp.tasks, feature_dir: fp.dir,
          test_command: firstCommand(profileCommands.test), lint_command: firstCommand(profileCommands.lint),
        },
      },
    );
    if (usesIdeHandoff(prepared.config, prepared.agent)) {
      // A person does this task in the IDE: the command file goes on the task branch, nothing runs here.
      const assignment: TaskAssignmentInfo = {
        agent: prepared.agent, model: prepared.model, source: prepared.source, model_source: prepared.modelSource,
        task_type: prepared.taskType, prompt_source: prepared.promptSource, prompt_version: prepared.promptVersion,
      };
      const handoff = await startIdeHandoff({
        ws, repo: input.repo, feature: input.feature, taskId, title: input.task.description.slice(0, 120) || taskId, agent: prepared.agent,
        prompt: prepared.prompt, assignment, token: deps.gitToken,
      });
      progress(100);
      return redactor.redactDeep(handoffResult(handoff, assignment));
    }
    // Endpoints of every agent this run may use (assigned one + fallbacks): the execute phase's allow-list.
    const candidates = [prepared.agent, ...config.fallback.filter((a) => a !== prepared.agent)];
    const allowHosts = [...new Set(candidates.flatMap((a) => agentEndpoints(prepared.config, a)))];

    // ---- context + prompt
    // Through the repository-files gateway: a spec or plan linked from outside the checkout is not read.
    const repo = repoFiles(ws.dir);
    const read = async (p: string) => (await repo.readText(p)) ?? undefined;
    const ctx = await writeTaskContext(ws.dir, {
      feature: input.feature,
      task: { id: taskId, description: input.task.description, files: input.task.files, story: input.task.story ?? null, phase: input.task.phase === undefined ? undefined : String(input.task.phase) },
      spec: await read(fp.spec),
      plan: await read(fp.plan),
      constitution: await read(CONSTITUTION_PATH),
      dependencies: input.dependencies as DependencySummary[],
      note: input.note || undefined,
    });

    // .git stays read-only inside the sandbox: a writable .git/config (core.fsmonitor, hooks,
    // core.sshCommand, diff/filter drivers…) would make OUR later git commands, which run outside
    // the sandbox, execute whatever the agent put there. (The mirror objects the copy borrows are
    // visible read-only through the sandbox's own view of .git/objects/info/alternates.)
    const readOnly = [ctx.dir, ".git"];
    // What the sandbox lets the project's toolchain and the agent use, in both phases.
    const languages = languagesOf(input.profile);
    const limits: Partial<SandboxLimits> = config.sandbox ?? {};

    // ---- setup phase: the project's own install command, network on (HUSKY=0: git-hook
    // installers would try to write the read-only .git/config)
    const installs = input.install ?? firstPerDir(input.profile?.commands?.install ?? []);
    const setupStart = Date.now();
    const logs: Record<string, string> = {};
    let sandboxInfo: ExecuteTaskResult["sandbox"] = { sandboxed: true };
    for (const c of installs) {
      const cwd = path.join(ws.dir, c.cwd);
      const w = await wrapInSandbox(
        { file: c.argv[0]!, args: c.argv.slice(1), cwd, env: { HOME: home, CI: "true", npm_config_cache: path.join(tmpDir, "npm-cache"), HUSKY: "0" } },
        { phase: "setup", worktree: ws.dir, tmpDir, policy: input.sandbox_policy, readOnly, languages, limits },
      );
      wrapped.push(w);
      sandboxInfo = w.sandboxed ? { ...sandboxInfo, limits: w.limits } : { sandboxed: false, warning: w.warning };
      const r = await runProcess({ file: w.file, args: w.args, env: w.env, cwd: w.cwd, timeoutMs: input.setup_timeout_seconds * 1000, redactor, logPrefix: "[setup] " });
      logs[`setup: ${c.argv.join(" ")}`] = `${r.stdout}\n${r.stderr}`;
      const stopped = limitError([w], "setup");
      if (stopped) throw stopped;
      if (r.exitCode !== 0) throw new SetupFailedError(c.argv, r.timedOut ? `timed out after ${input.setup_timeout_seconds} s` : redactor.redact(r.stderr.trim().split("\n").slice(-5).join(" | ") || `exit ${r.exitCode}`));
    }
    // What the install step changed in the work tree (a lock file it wrote, say): left out of the
    // task's commit unless the agent changes it too.
    const afterSetup = installs.length ? await workTreeChanges(ws.dir) : new Map<string, string>();
    progress(20);

    // ---- the agent, in the execute phase
    let usedSandbox = false;
    const agentLines: string[] = [];
    let agentBytes = 0;
    const run = deps.runAgent ?? runAgent;
    // task span → agent span; the agent process gets the agent span's TRACEPARENT.
    const result = await traceTask(taskId, () => traceAgent(prepared.agent, prepared.model, (traceEnv) => run({
      agentId: prepared.agent,
      model: prepared.model,
      task: { id: taskId, type: prepared.taskType },
      prompt: `${prepared.prompt}\n\n${ctx.contextNote}`,
      cwd: ws.dir,
      config: prepared.config,
      llm,
      title: `${taskId}: ${input.task.description}`.slice(0, 80),
      // Jules works on the GitHub copy, from the run branch this task's commit is on.
      github: githubRepoOf(input.repo) ? { repo: githubRepoOf(input.repo)!, branch: input.branch || undefined } : undefined,
      env: { HOME: home, XDG_CONFIG_HOME: path.join(home, ".config"), XDG_DATA_HOME: path.join(home, ".local/share"), XDG_CACHE_HOME: path.join(home, ".cache"), XDG_STATE_HOME: path.join(home, ".local/state"), ...traceEnv },
      redactor,
      onLine: (line, stream) => {
        if (agentBytes < 512 * 1024) agentLines.push(stream === "stderr" ? `[stderr] ${line}` : line);
        agentBytes += line.length + 1;
      },
      wrap: async (cmd: AgentCommand): Promise<AgentCommand> => {
        const w = await wrapInSandbox(
          { file: cmd.file, args: cmd.args, cwd: cmd.cwd, env: cmd.env },
          { phase: "execute", worktree: ws.dir, tmpDir, allowHosts, policy: input.sandbox_policy, readOnly, languages, limits, programs: [cmd.file] },
        );
        wrapped.push(w);
        usedSandbox = true;
        sandboxInfo = w.sandboxed ? { ...sandboxInfo, limits: w.limits } : { sandboxed: false, warning: w.warning };
        const env: Record<string, string> = {};
        for (const [k, v] of Object.entries(w.env)) if (v !== undefined) env[k] = v;
        return { file: w.file, args: w.args, cwd: w.cwd, env };
      },
    })), { agent: prepared.agent, model: prepared.model, source: prepared.source }).catch((e: unknown) => {
      // A sandbox stopped by its limits fails the task naming the limit, not as a crashed agent.
      throw limitError(wrapped, "execute", e) ?? e;
    });
    if (!usedSandbox && sandboxInfo.sandboxed) {
      // The built-in llm agent / API agents run no process here: nothing to sandbox.
      sandboxInfo = { sandboxed: false, warning: `agent ${result.agentId} ran no local process (no sandbox needed)` };
    }
    if (installs.length) sandboxInfo.setup = { commands: installs.map((c) => c.argv), durationMs: Date.now() - setupStart };
    logs.agent = agentLines.join("\n");
    progress(75);

    // ---- block, commit, artifacts, push
    const block = result.block ?? null;
    let commit = ws.base;
    let artifacts: Artifacts;
    if (block) {
      // Nothing is committed for a blocked task; its artifacts still show what the agent did.
      artifacts = await captureArtifacts({ dir: ws.dir, base: ws.base, redactor, logs, exclude: [ctx.dir], stage: false });
    } else {
      const subject = `${taskId}: ${input.task.description}`.replace(/\s+/g, " ").trim().slice(0, 72);
      const body = `Task ${taskId} of ${input.feature}, by agent ${result.agentId}${result.model ? ` (${result.model})` : ""}.\n\nDevGodzilla-Task: ${taskId}\nDevGodzilla-Base: ${ws.base}`;
      const now = await workTreeChanges(ws.dir);
      const setupOnly = [...afterSetup].filter(([p, hash]) => now.get(p) === hash).map(([p]) => p);
      if (setupOnly.length) logs.setup = `${logs.setup ?? ""}\nleft out of the commit (changed by the install step only): ${setupOnly.join(", ")}`.trim();
      commit = (await commitAll(ws.dir, `${subject}\n\n${body}`, { exclude: setupOnly })) ?? ws.base;
      // Captured FROM the commit (tree-to-tree): the artifacts are exactly what was committed,
      // and their cost follows the changed files only.
      artifacts = await captureArtifacts({ dir: ws.dir, base: ws.base, redactor, logs, exclude: [ctx.dir], committed: true });
    }
    let push: ExecuteTaskResult["push"] = "skipped";
    if (input.push && commit !== ws.base) {
      // The task branch is DevGodzilla's scratch branch for this attempt: a retry replaces it.
      push = (await pushBranch(ws.dir, ws.branch, "origin", { token: deps.gitToken, force: true })).status;
    }
    progress(100);

    const tokens = (result.tokens?.input ?? 0) + (result.tokens?.output ?? 0);
    const files = artifacts.files.map((f) => f.path);
    const outcome: TaskOutcome = block ? "blocked" : commit === ws.base ? "no_change" : "changed";
    const noChange = outcome === "no_change"
      ? `NO CHANGE: agent ${result.agentId} exited ${result.exitCode ?? 0} without changing any file; the task is not done.\n`
      : "";
    return redactor.redactDeep({
      task_id: taskId,
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
        model: result.agentId === prepared.agent ? prepared.model : null,
        source: result.agentId === prepared.agent ? prepared.source : `fallback: ${prepared.agent} (${prepared.source}) was unavailable`,
        model_source: result.agentId === prepared.agent ? prepared.modelSource : "fallback agent's own settings",
        task_type: prepared.taskType,
        prompt_source: prepared.promptSource,
        prompt_version: prepared.promptVersion,
      },
      usage: { input_tokens: result.tokens?.input ?? 0, output_tokens: result.tokens?.output ?? 0, tokens, cost_usd: result.costUsd },
      sandbox: sandboxInfo,
      blocked: !!block,
      block,
      summary: `${noChange}${result.finalMessage.trim().slice(0, 600)}${files.length ? `\nChanged: ${files.slice(0, 30).join(", ")}` : ""}`,
    });
  } finally {
    for (const w of wrapped) await w.dispose().catch(() => undefined);
    await ws.cleanup().catch(() => undefined);
    await rm(tmpDir, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** The project's languages from the onboarding profile the flow passes along (empty when absent). */
function languagesOf(profile: unknown): string[] {
  const langs = (profile as { languages?: unknown } | undefined)?.languages;
  return Array.isArray(langs) ? langs.filter((l): l is string => typeof l === "string") : [];
}

function firstPerDir(cmds: { argv: string[]; cwd?: string }[]): { argv: string[]; cwd: string }[] {
  const seen = new Set<string>();
  const out: { argv: string[]; cwd: string }[] = [];
  for (const c of cmds) {
    const cwd = c.cwd ?? ".";
    if (seen.has(cwd)) continue;
    seen.add(cwd);
    out.push({ argv: c.argv, cwd });
  }
  return out;
}

/** Paths that differ from HEAD in the work tree (modified or new, not ignored), with a hash of their content. */
async function workTreeChanges(dir: string): Promise<Map<string, string>> {
  const out = await gitAt(dir).run(["status", "--porcelain=v1", "-z", "--untracked-files=all"]);
  const changes = new Map<string, string>();
  for (const { path: file } of parseStatusZ(out)) {
    const content = await readFile(path.join(dir, file)).catch(() => null);
    changes.set(file, content ? createHash("sha256").update(content).digest("hex") : "deleted");
  }
  return changes;
}
