// The built-in `llm` agent: asks the configured OpenAI/Anthropic model (through lib/llm) for a
// unified diff against the worktree and applies it with `git apply` — so DevGodzilla works with no
// agent CLI installed. The diff is checked (`git apply --check`) before anything is touched; a diff
// that does not apply is sent back once with git's error, then fails with a clear error and the
// worktree unchanged.

import { isAbsolute, normalize } from "node:path";
import { Redactor } from "../redact.ts";
import { gitAt } from "../git.ts";
import { createLlm, LlmError, TransientLlmError, type Llm, type LlmConfig } from "../llm/client.ts";
import { selectContext } from "../llm/context.ts";
import { repoFiles } from "../repo/files.ts";
import { BLOCK_INSTRUCTION, detectBlock } from "./block.ts";
import { AgentFailedError, ExecutionBlockedError, TransientAgentError, type AgentResult } from "./types.ts";

export const LLM_AGENT_PROMPT_VERSION = "llm-agent/1";

export const LLM_AGENT_SYSTEM = `You are a careful software engineer working in a git repository.
You cannot run commands. You change the code by answering with ONE unified diff (the format of
\`git diff\`: "diff --git a/<path> b/<path>", "--- a/<path>", "+++ b/<path>", "@@ … @@" hunks with
exact context lines; use "--- /dev/null" for new files) inside a single \`\`\`diff fenced block.
Paths are relative to the repository root. Before the block, write one or two sentences saying what
you changed. Context lines must match the files shown to you exactly.
${BLOCK_INSTRUCTION}`;

export interface LlmAgentOptions {
  prompt: string;
  /** The task's worktree (a git work tree). */
  cwd: string;
  /** An LLM from createLlm, or its config. */
  llm: Llm | LlmConfig;
  /** Repo-relative files to include in full (e.g. those the task names). */
  files?: string[];
  /** Token budget for files picked by relevance on top of `files`. Default 12 000. */
  contextBudgetTokens?: number;
  /** Asks in total (first + repairs after a diff that does not apply). Default 2. */
  attempts?: number;
  redactor?: Redactor;
}

export class DiffApplyError extends AgentFailedError {
  readonly gitError: string;
  constructor(gitError: string, diffExcerpt: string) {
    super(
      "llm",
      null,
      `the model's diff does not apply: ${gitError.trim().split("\n").slice(0, 3).join(" | ")}`,
      `nothing was changed; first lines of the diff: ${diffExcerpt}`,
    );
    this.gitError = gitError;
  }
}

/** The diff inside the answer: a ```diff/```patch block, else from the first diff header on. */
export function extractDiff(answer: string): string | null {
  const fence = /```(?:diff|patch)?[ \t]*\n([\s\S]*?)\n```/g;
  for (const m of answer.matchAll(fence)) {
    if (/^(diff --git |--- |\+\+\+ )/m.test(m[1]!)) return m[1]! + "\n";
  }
  const start = answer.search(/^(diff --git |--- (a\/|\/dev\/null))/m);
  if (start >= 0) return answer.slice(start).replace(/\n```[\s\S]*$/, "") + (answer.endsWith("\n") ? "" : "\n");
  return null;
}

/** Repo-relative paths a diff touches; throws on a path outside the worktree or inside .git. */
export function diffPaths(diff: string): string[] {
  const paths = new Set<string>();
  for (const line of diff.split("\n")) {
    const m = /^(?:--- |\+\+\+ )(.+?)(?:\t.*)?$/.exec(line) ?? /^diff --git a\/(\S+) b\/(\S+)/.exec(line);
    if (!m) continue;
    for (const raw of m.slice(1)) {
      if (!raw || raw === "/dev/null") continue;
      const p = raw.replace(/^[ab]\//, "");
      const n = normalize(p);
      if (isAbsolute(p) || n.startsWith("..") || n === ".git" || n.startsWith(".git/")) {
        throw new AgentFailedError("llm", null, `the model's diff touches ${p}, outside the worktree or inside .git`);
      }
      paths.add(n);
    }
  }
  return [...paths];
}

async function gitApply(cwd: string, diff: string, check: boolean): Promise<{ ok: boolean; error: string }> {
  const args = ["apply", "--recount", "--whitespace=nowarn", ...(check ? ["--check"] : []), "-"];
  // 1: does not apply; 128: not a patch. Either goes back to the model.
  const r = await gitAt(cwd).exec(args, { input: diff, okExitCodes: [1, 128] });
  return { ok: r.exitCode === 0, error: r.stderr || r.stdout };
}

async function contextBlock(opts: LlmAgentOptions): Promise<string> {
  const parts: string[] = [];
  const named = new Set<string>();
  for (const f of opts.files ?? []) {
    const n = normalize(f);
    if (isAbsolute(n) || n.startsWith("..")) continue;
    // Through the repository-files gateway: a named file that is a link out of the worktree reads as absent.
    const content = await repoFiles(opts.cwd).readText(n);
    if (content !== null) {
      parts.push(`### ${n}\n\`\`\`\n${content}\n\`\`\``);
      named.add(n);
    } else {
      parts.push(`### ${n}\n(does not exist yet)`);
    }
  }
  const sel = await selectContext({ root: opts.cwd, query: opts.prompt, budgetTokens: opts.contextBudgetTokens ?? 12_000 });
  for (const f of sel.files) {
    if (named.has(f.path)) continue;
    parts.push(`### ${f.path}${f.truncated ? " (truncated)" : ""}\n\`\`\`\n${f.content}\n\`\`\``);
  }
  return parts.length ? parts.join("\n\n") : "(the repository has no readable files yet)";
}

/** The LLM client's typed failures as the agent layer's (retryable / blocked / failed). */
function asAgentError(e: unknown): Error {
  if (e instanceof TransientLlmError) return new TransientAgentError("llm", e.message, { cause: e });
  if (e instanceof LlmError && (e.status === 401 || e.status === 403)) {
    return new ExecutionBlockedError("llm", "auth", e.message, "check the OpenAI/Anthropic resource");
  }
  if (e instanceof LlmError) return new AgentFailedError("llm", null, e.message, e.hint);
  return e instanceof Error ? e : new AgentFailedError("llm", null, String(e));
}

export async function runLlmAgent(opts: LlmAgentOptions): Promise<AgentResult> {
  const started = Date.now();
  const llm = "text" in opts.llm ? opts.llm : createLlm({ ...opts.llm, redactor: opts.redactor });
  const redactor = opts.redactor ?? new Redactor();
  const attempts = Math.max(1, opts.attempts ?? 2);
  const before = llm.ledger.totals();
  const context = await contextBlock(opts);
  let prompt = `## Task\n${opts.prompt}\n\n## Repository files\n${context}\n\nAnswer with the diff now.`;
  let lastError = "";
  let lastDiff = "";
  for (let i = 0; i < attempts; i++) {
    const answer = await llm.text({ system: LLM_AGENT_SYSTEM, prompt, purpose: "llm-agent" }).catch((e: unknown) => {
      throw asAgentError(e);
    });
    const diff = extractDiff(answer);
    const summary = redactor.redact((diff ? answer.replace(/```(?:diff|patch)?[ \t]*\n[\s\S]*?\n```/, "") : answer).trim());
    const usage = () => {
      const after = llm.ledger.totals();
      return {
        tokens: { input: after.inputTokens - before.inputTokens, output: after.outputTokens - before.outputTokens },
        costUsd: Number((after.costUsd - before.costUsd).toFixed(6)),
      };
    };
    const result = (finalMessage: string): AgentResult => ({
      agentId: "llm",
      finalMessage,
      ...usage(),
      sessionId: null,
      events: i + 1,
      exitCode: 0,
      durationMs: Date.now() - started,
      model: llm.model,
      block: detectBlock(finalMessage),
      via: `${llm.provider}:${llm.model}`,
      truncated: false,
    });
    if (!diff) {
      const r = result(summary);
      if (r.block) return r;
      lastError = "the answer contained no unified diff";
      prompt = `${prompt}\n\nYour previous answer contained no unified diff. Answer with one \`\`\`diff block.`;
      continue;
    }
    diffPaths(diff); // refuses paths outside the worktree before git sees them
    const check = await gitApply(opts.cwd, diff, true);
    if (check.ok) {
      const applied = await gitApply(opts.cwd, diff, false);
      if (!applied.ok) throw new DiffApplyError(redactor.redact(applied.error), diff.split("\n").slice(0, 4).join(" | "));
      return result(summary || `Applied a diff to ${diffPaths(diff).join(", ")}`);
    }
    lastError = redactor.redact(check.error);
    lastDiff = diff;
    prompt = `${prompt}\n\nYour previous diff does not apply. git apply said:\n${lastError}\nAnswer again with a corrected diff whose context lines match the files exactly.`;
  }
  if (lastDiff) throw new DiffApplyError(lastError, redactor.redact(lastDiff.split("\n").slice(0, 4).join(" | ")));
  throw new AgentFailedError("llm", null, lastError || "no usable answer from the model");
}
