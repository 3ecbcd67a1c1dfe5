// `agents test <id>`: a tiny REAL task for one agent in a throwaway git repository — create one file
// with one line — then show what the agent did (the diff, its final message, tokens, time). It goes
// through lib/agents' runAgent exactly as a flow task would, so a passing trial means the agent works here.

import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { runAgent } from "../agents/index.ts";
import type { AgentsConfig } from "../agents/config.ts";
import { AGENTS, type AgentId } from "../agents/registry.ts";
import type { LlmConfig } from "../llm/client.ts";
import { InputError } from "../errors.ts";
import { gitAt, splitZ } from "../git.ts";
import { Redactor } from "../redact.ts";
import { currentTraceparent, withSpan } from "../telemetry/index.ts";

export interface TrialResult {
  agent: AgentId;
  ok: boolean;
  /** What the check found: the file exists with the line, or what is wrong. */
  verdict: string;
  finalMessage: string;
  /** `git diff` of everything the agent changed (capped). */
  diff: string;
  filesChanged: string[];
  durationMs: number;
  tokens: { input: number; output: number } | null;
  costUsd: number | null;
  model: string | null;
  error: string | null;
  /** Set when keep: the repository is left for inspection. */
  repoDir: string | null;
}

export interface TrialOptions {
  agent: AgentId;
  config?: AgentsConfig | unknown;
  llm?: LlmConfig;
  keep?: boolean;
  redactor?: Redactor;
  onLine?: (line: string) => void;
}

export const TRIAL_FILE = "DEVGODZILLA_TEST.md";
const MAX_DIFF = 20_000;

export function trialPrompt(agent: AgentId): { prompt: string; line: string } {
  const line = `hello from ${agent}`;
  return {
    line,
    prompt: `Create a file named ${TRIAL_FILE} containing exactly one line: \`${line}\`. Do not change, create or delete any other file. Reply with one sentence saying what you did.`,
  };
}

export async function runAgentTrial(opts: TrialOptions): Promise<TrialResult> {
  const spec = AGENTS[opts.agent];
  const dir = await mkdtemp(path.join(tmpdir(), `dgz-trial-${opts.agent}-`));
  const redactor = opts.redactor ?? new Redactor();
  const started = Date.now();
  const base: TrialResult = {
    agent: opts.agent, ok: false, verdict: "", finalMessage: "", diff: "", filesChanged: [], durationMs: 0,
    tokens: null, costUsd: null, model: null, error: null, repoDir: opts.keep ? dir : null,
  };
  const git = gitAt(dir);
  try {
    await git.run(["init", "-q", "-b", "main"]);
    await writeFile(path.join(dir, "README.md"), "# Trial repository\n\nDevGodzilla checks that an agent can edit files here.\n");
    await git.run(["add", "-A"]);
    await git.run(["-c", "user.name=DevGodzilla", "-c", "user.email=devgodzilla@localhost", "commit", "-q", "-m", "trial: initial commit"]);
    const { prompt, line } = trialPrompt(opts.agent);
    if (spec.kind === "ide") throw new InputError("agent", `${spec.name} is an IDE agent: a person runs it, so it cannot be tried here`, "check its command folder with `agents health --repo <dir>`");
    const res = await withSpan("agent.trial", { "devgodzilla.agent": opts.agent }, () => {
      const tp = currentTraceparent();
      return runAgent({
        agentId: opts.agent, prompt, cwd: dir, config: opts.config, llm: opts.llm, fallback: false, log: false, redactor,
        title: "DevGodzilla agent trial", env: tp ? { TRACEPARENT: tp } : undefined,
        onLine: opts.onLine ? (l) => opts.onLine!(l) : undefined,
      });
    });
    Object.assign(base, { finalMessage: res.finalMessage, tokens: res.tokens, costUsd: res.costUsd, model: res.model });
    await git.run(["add", "-A"]);
    base.filesChanged = splitZ(await git.run(["diff", "--cached", "--name-only", "-z"]));
    const diff = await git.run(["diff", "--cached", "--no-color", "--no-ext-diff"]);
    base.diff = redactor.redact(diff.length > MAX_DIFF ? `${diff.slice(0, MAX_DIFF)}\n… (diff cut at ${MAX_DIFF} characters)` : diff);
    const content = await readFile(path.join(dir, TRIAL_FILE), "utf8").catch(() => null);
    const others = base.filesChanged.filter((f) => f !== TRIAL_FILE);
    if (content === null) base.verdict = `${TRIAL_FILE} was not created`;
    else if (content.trim() !== line) base.verdict = `${TRIAL_FILE} holds ${JSON.stringify(content.trim().slice(0, 80))}, expected ${JSON.stringify(line)}`;
    else if (others.length) base.verdict = `created ${TRIAL_FILE} but also changed ${others.join(", ")}`;
    else {
      base.ok = true;
      base.verdict = `created ${TRIAL_FILE} with the requested line and changed nothing else`;
    }
  } catch (e) {
    base.error = redactor.redact(e instanceof Error ? e.message : String(e));
    base.verdict = "the agent could not run";
  } finally {
    base.durationMs = Date.now() - started;
    if (!opts.keep) await rm(dir, { recursive: true, force: true });
  }
  return base;
}
