// `agents test <id>`: a tiny REAL task for one agent — create one file with one line — run through
// execute_task exactly as a flow's task runs (fresh working copy of a throwaway repository with a
// bare remote, the agent's prompt template, the bubblewrap sandbox with network only to its
// endpoints, a fresh HOME, the commit), then what the agent did: the committed diff, its final
// message, tokens, time. A passing trial means the agent works here the way tasks use it.

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { AGENTS, type AgentId } from "../agents/registry.ts";
import type { SandboxPolicy } from "../sandbox/index.ts";
import { InputError } from "../errors.ts";
import { gitAt } from "../git.ts";
import { Redactor } from "../redact.ts";
import { withSpan } from "../telemetry/index.ts";
import { executeTask, type TaskOutcome } from "./execute_task.ts";

export interface TrialResult {
  agent: AgentId;
  ok: boolean;
  /** What the check found: the file exists with the line, or what is wrong. */
  verdict: string;
  outcome: TaskOutcome | null;
  finalMessage: string;
  /** The committed diff (capped, redacted). */
  diff: string;
  filesChanged: string[];
  durationMs: number;
  tokens: { input: number; output: number } | null;
  costUsd: number | null;
  model: string | null;
  sandboxed: boolean;
  error: string | null;
  /** Set when keep: the throwaway repository (bare remote + seed) is left for inspection. */
  repoDir: string | null;
}

export interface TrialOptions {
  agent: AgentId;
  /** The raw c_devgodzilla_agents resource (as a task gets it). */
  config?: unknown;
  /** LLM resources for the built-in llm agent. */
  llm?: { llm?: unknown; openai?: unknown; anthropic?: unknown };
  sandboxPolicy?: SandboxPolicy;
  keep?: boolean;
  redactor?: Redactor;
}

export const TRIAL_FILE = "DEVGODZILLA_TEST.md";
const TRIAL_FEATURE = "000-agent-trial";
const MAX_DIFF = 20_000;

// Through the git gateway (timeouts, scrubbed environment, typed errors); commits name DevGodzilla.
const git = (cwd: string, ...args: string[]) => gitAt(cwd).run(["-c", "user.name=DevGodzilla", "-c", "user.email=devgodzilla@localhost", ...args]);

export function trialPrompt(agent: AgentId): { prompt: string; line: string } {
  const line = `hello from ${agent}`;
  return {
    line,
    prompt: `Create a file named ${TRIAL_FILE} containing exactly one line: \`${line}\`. Do not change, create or delete any other file. Reply with one sentence saying what you did.`,
  };
}

/** A bare remote with one seed commit; returns the seed's sha. */
async function throwawayRepository(root: string): Promise<{ remote: string; seed: string }> {
  const remote = path.join(root, "remote.git");
  const seed = path.join(root, "seed");
  await git(root, "init", "-q", "--bare", "-b", "main", remote);
  await git(root, "init", "-q", "-b", "main", seed);
  await writeFile(path.join(seed, "README.md"), "# Trial repository\n\nDevGodzilla checks that an agent can edit files here.\n");
  await git(seed, "add", "-A");
  await git(seed, "commit", "-q", "-m", "trial: initial commit");
  await git(seed, "push", "-q", remote, "main");
  return { remote, seed: (await git(seed, "rev-parse", "HEAD")).trim() };
}

export async function runAgentTrial(opts: TrialOptions): Promise<TrialResult> {
  const spec = AGENTS[opts.agent];
  const root = await mkdtemp(path.join(tmpdir(), `dgz-trial-${opts.agent}-`));
  const redactor = opts.redactor ?? new Redactor();
  const started = Date.now();
  const out: TrialResult = {
    agent: opts.agent,
    ok: false,
    verdict: "",
    outcome: null,
    finalMessage: "",
    diff: "",
    filesChanged: [],
    durationMs: 0,
    tokens: null,
    costUsd: null,
    model: null,
    sandboxed: false,
    error: null,
    repoDir: opts.keep ? root : null,
  };
  try {
    if (spec.kind === "ide")
      throw new InputError(
        "agent",
        `${spec.name} is an IDE agent: a person runs it (IDE handoff), so it cannot be tried here`,
        "check its command folder with `agents health --repo <dir>`",
      );
    const { remote, seed } = await throwawayRepository(root);
    const { prompt, line } = trialPrompt(opts.agent);
    // The task and agent spans of execute_task nest under this one.
    const res = await withSpan("agent.trial", { "devgodzilla.agent": opts.agent }, () =>
      executeTask(
        {
          repo: remote,
          commit: seed,
          feature: TRIAL_FEATURE,
          task: { id: "T000", description: prompt },
          agent: opts.agent,
          install: [],
          sandbox_policy: opts.sandboxPolicy ?? "refuse",
          cache_dir: path.join(root, "cache"),
          work_root: path.join(root, "work"),
        },
        { agents: opts.config, ...opts.llm },
      ),
    );
    Object.assign(out, {
      outcome: res.outcome,
      finalMessage: res.agent.finalMessage,
      tokens: res.agent.tokens,
      costUsd: res.agent.costUsd,
      model: res.agent.model,
      sandboxed: res.sandbox.sandboxed,
      filesChanged: res.artifacts.files.map((f) => f.path),
    });
    const diff = res.artifacts.diff;
    out.diff = redactor.redact(diff.length > MAX_DIFF ? `${diff.slice(0, MAX_DIFF)}\n… (diff cut at ${MAX_DIFF} characters)` : diff);
    const content = res.outcome === "changed" ? await git(root, "--git-dir", remote, "show", `${res.commit}:${TRIAL_FILE}`).catch(() => null) : null;
    const others = out.filesChanged.filter((f) => f !== TRIAL_FILE);
    if (res.agent.agentId !== opts.agent)
      out.verdict = `${opts.agent} was unavailable; the fallback agent ${res.agent.agentId} ran instead (${res.assignment.source})`;
    else if (res.outcome === "blocked") out.verdict = `the agent said it cannot proceed: ${res.block?.question ?? res.block?.excerpt ?? ""}`;
    else if (content === null) out.verdict = `${TRIAL_FILE} was not created${res.outcome === "no_change" ? " (the agent changed nothing)" : ""}`;
    else if (content.trim() !== line) out.verdict = `${TRIAL_FILE} holds ${JSON.stringify(content.trim().slice(0, 80))}, expected ${JSON.stringify(line)}`;
    else if (others.length) out.verdict = `created ${TRIAL_FILE} but also changed ${others.join(", ")}`;
    else {
      out.ok = true;
      out.verdict = `created ${TRIAL_FILE} with the requested line and changed nothing else`;
    }
  } catch (e) {
    out.error = redactor.redact(e instanceof Error ? e.message : String(e));
    out.verdict = "the agent could not run";
  } finally {
    out.durationMs = Date.now() - started;
    if (!opts.keep) await rm(root, { recursive: true, force: true });
  }
  return out;
}
