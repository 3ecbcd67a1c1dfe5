// API adapter for Google Jules (REST v1alpha, per google-labs-code/jules-sdk): find the
// repository's source, create a session, poll it, and return the patch and/or pull request. The
// base URL is a parameter so a loopback fake stands in for jules.googleapis.com in tests. The key
// goes only in the X-Goog-Api-Key header and is redacted from every error.

import { Redactor } from "../redact.ts";
import { InputError } from "../errors.ts";
import { gitAt } from "../git.ts";
import { detectBlock } from "./block.ts";
import { AgentFailedError, AgentTimeoutError, ExecutionBlockedError, TransientAgentError, type AgentResult } from "./types.ts";

export const JULES_DEFAULT_BASE_URL = "https://jules.googleapis.com/v1alpha";

/**
 * "owner/name" of a GitHub repository URL (https://github.com/o/n(.git), git@github.com:o/n.git,
 * ssh://git@github.com/o/n), or null for any other remote: Jules works only on GitHub copies.
 */
export function githubRepoOf(url: string): string | null {
  const m = /^(?:https?:\/\/(?:[^@/]+@)?github\.com\/|git@github\.com:|ssh:\/\/git@github\.com\/)([\w.-]+)\/([\w.-]+?)(?:\.git)?\/?$/i.exec(url.trim());
  return m ? `${m[1]}/${m[2]}` : null;
}

export type JulesState = "QUEUED" | "PLANNING" | "AWAITING_PLAN_APPROVAL" | "AWAITING_USER_FEEDBACK" | "IN_PROGRESS" | "PAUSED" | "FAILED" | "COMPLETED";

export interface JulesOptions {
  apiKey: string;
  /** "owner/name" of the GitHub repository Jules works on. */
  repo: string;
  startingBranch?: string;
  prompt: string;
  title?: string;
  baseUrl?: string;
  /** AUTO_CREATE_PR (default) or none (patch only). */
  createPr?: boolean;
  pollIntervalMs?: number;
  timeoutMs?: number;
  /** When given, the session's patch is applied here with `git apply`. */
  applyTo?: string;
  redactor?: Redactor;
  onProgress?: (state: JulesState, sessionId: string) => void;
}

export interface JulesOutcome {
  result: AgentResult;
  sessionId: string;
  state: JulesState;
  pullRequest: { url: string; title?: string; headRef?: string; baseRef?: string } | null;
  patch: string | null;
  suggestedCommitMessage: string | null;
  applied: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runJules(opts: JulesOptions): Promise<JulesOutcome> {
  const started = Date.now();
  if (!/^[\w.-]+\/[\w.-]+$/.test(opts.repo)) throw new InputError("repo", "must be owner/name of a GitHub repository");
  if (!opts.apiKey) throw new ExecutionBlockedError("jules", "auth", "no JULES_API_KEY configured", "set agents.jules.api_key in the agents resource");
  const base = (opts.baseUrl ?? JULES_DEFAULT_BASE_URL).replace(/\/+$/, "");
  const redactor = (opts.redactor ?? new Redactor()).add(opts.apiKey);
  const timeoutMs = opts.timeoutMs ?? 60 * 60_000;
  const pollMs = opts.pollIntervalMs ?? 10_000;

  async function call(method: "GET" | "POST", path: string, body?: unknown): Promise<any> {
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, {
        method,
        headers: { "X-Goog-Api-Key": opts.apiKey, ...(body !== undefined ? { "Content-Type": "application/json" } : {}) },
        body: body !== undefined ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(60_000),
      });
    } catch (e) {
      throw new TransientAgentError("jules", `${method} ${path}: ${redactor.redact(String((e as Error).message ?? e))}`, { cause: e });
    }
    const text = await res.text();
    if (!res.ok) {
      const msg = `${method} ${path} → HTTP ${res.status}: ${redactor.redact(text).slice(0, 300)}`;
      if (res.status === 401 || res.status === 403) throw new ExecutionBlockedError("jules", "auth", msg, "check agents.jules.api_key");
      if (res.status === 429 || res.status >= 500) throw new TransientAgentError("jules", msg, { hint: "retry later" });
      throw new AgentFailedError("jules", null, msg);
    }
    return text ? JSON.parse(text) : {};
  }

  // 1. The repository must be connected to Jules.
  const wanted = `sources/github/${opts.repo}`;
  let pageToken = "";
  let found = false;
  for (let page = 0; page < 50 && !found; page++) {
    const q = new URLSearchParams({ pageSize: "100", ...(pageToken ? { pageToken } : {}) });
    const r = await call("GET", `/sources?${q}`);
    found = (r.sources ?? []).some((s: { name?: string }) => s.name === wanted);
    pageToken = r.nextPageToken ?? "";
    if (!pageToken) break;
  }
  if (!found) throw new ExecutionBlockedError("jules", "config", `${opts.repo} is not connected to Jules`, "install the Jules GitHub app on the repository");

  // 2. Create the session.
  const session = await call("POST", "/sessions", {
    prompt: opts.prompt,
    ...(opts.title ? { title: opts.title } : {}),
    sourceContext: { source: wanted, githubRepoContext: { startingBranch: opts.startingBranch ?? "main" } },
    ...(opts.createPr === false ? {} : { automationMode: "AUTO_CREATE_PR" }),
    requirePlanApproval: false,
  });
  const sessionId: string = session.id ?? String(session.name ?? "").replace(/^sessions\//, "");
  if (!sessionId) throw new AgentFailedError("jules", null, "the created session has no id");

  // 3. Poll until it ends.
  let s: any = session;
  let state: JulesState = s.state ?? "QUEUED";
  for (;;) {
    opts.onProgress?.(state, sessionId);
    if (state === "COMPLETED" || state === "FAILED" || state === "AWAITING_USER_FEEDBACK") break;
    if (state === "AWAITING_PLAN_APPROVAL") await call("POST", `/sessions/${sessionId}:approvePlan`, {});
    if (Date.now() - started > timeoutMs) throw new AgentTimeoutError("jules", "wall", timeoutMs);
    await sleep(pollMs);
    s = await call("GET", `/sessions/${sessionId}`);
    state = s.state ?? state;
  }

  // The last thing the agent said (a question when it waits for feedback).
  let lastMessage = "";
  try {
    const acts = await call("GET", `/sessions/${sessionId}/activities?pageSize=100`);
    for (const a of acts.activities ?? []) {
      const m = a.agentMessaged?.agentMessage ?? a.progressUpdated?.description ?? a.sessionFailed?.reason;
      if (typeof m === "string" && m) lastMessage = m;
    }
  } catch {
    /* activities are informative only */
  }
  lastMessage = redactor.redact(lastMessage);

  if (state === "FAILED") throw new AgentFailedError("jules", null, `session ${sessionId} failed${lastMessage ? `: ${lastMessage}` : ""}`);

  let pullRequest: JulesOutcome["pullRequest"] = null;
  let patch: string | null = null;
  let suggestedCommitMessage: string | null = null;
  for (const o of s.outputs ?? []) {
    if (o.pullRequest?.url)
      pullRequest = { url: o.pullRequest.url, title: o.pullRequest.title, headRef: o.pullRequest.headRef, baseRef: o.pullRequest.baseRef };
    const gp = o.changeSet?.gitPatch;
    if (gp?.unidiffPatch) {
      patch = gp.unidiffPatch;
      suggestedCommitMessage = gp.suggestedCommitMessage ?? null;
    }
  }

  const finalMessage = lastMessage || pullRequest?.title || suggestedCommitMessage || `Jules session ${sessionId} ${state.toLowerCase()}`;
  const block =
    state === "AWAITING_USER_FEEDBACK"
      ? (detectBlock(finalMessage) ?? {
          kind: "clarify" as const,
          reason: "awaiting-user-feedback",
          question: finalMessage,
          excerpt: finalMessage.slice(0, 500),
        })
      : detectBlock(finalMessage);

  let applied = false;
  if (patch && opts.applyTo && !block) {
    const text = patch.endsWith("\n") ? patch : patch + "\n";
    const git = gitAt(opts.applyTo);
    const check = await git.exec(["apply", "--check", "-"], { input: text, okExitCodes: [1, 128] }); // 1: does not apply; 128: not a patch
    if (check.exitCode !== 0)
      throw new AgentFailedError("jules", null, `the session's patch does not apply: ${check.stderr.trim().split("\n")[0] ?? ""}`, "nothing was changed");
    await git.run(["apply", "-"], { input: text });
    applied = true;
  }

  return {
    result: {
      agentId: "jules",
      finalMessage,
      tokens: { input: 0, output: 0 },
      costUsd: null,
      sessionId,
      events: 1,
      exitCode: 0,
      durationMs: Date.now() - started,
      model: null,
      block,
      via: base,
      truncated: false,
    },
    sessionId,
    state,
    pullRequest,
    patch,
    suggestedCommitMessage,
    applied,
  };
}
