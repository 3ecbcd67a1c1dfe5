// CLI adapter: builds each agent's real headless command line (argument arrays from the
// registry's documented template), gives keys ONLY through the child's environment, runs it with
// runProcess (own process group, timeouts, capped redacted output) and turns the output into an
// AgentResult or a typed error.

import { accessSync, constants, statSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, dirname, isAbsolute, join } from "node:path";
import { InputError } from "../errors.ts";
import { Redactor, SECRET_ENV_NAME } from "../redact.ts";
import { baseEnv, ProcessSpawnError, runProcess, type ProcessResult, type StreamName } from "../process.ts";
import { headlessSetup, keyVariables, type HeadlessSetup } from "./agent_home.ts";
import { detectBlock } from "./block.ts";
import { agentSettings, redactorFor, type AgentSettings, type AgentsConfig } from "./config.ts";
import { fatalEvent, parseAgentOutput, stderrJsonError, type ParsedOutput } from "./output.ts";
import { AGENTS, type AgentId, type AgentSpec } from "./registry.ts";
import {
  AgentFailedError,
  AgentTimeoutError,
  AgentUnavailableError,
  ExecutionBlockedError,
  TransientAgentError,
  type AgentCommand,
  type AgentResult,
  type WrappedAgentCommand,
} from "./types.ts";

export interface CliRunOptions {
  agentId: AgentId;
  prompt: string;
  /** The task's worktree. */
  cwd: string;
  config: AgentsConfig;
  /** Overrides the configured model. */
  model?: string;
  /** Session title where the agent takes one (saves opencode a title request). */
  title?: string;
  /**
   * Extra env for the child (e.g. proxy settings from the sandbox). Without a HOME here the agent
   * gets a fresh temp HOME for this run (removed afterwards): no state or login of the worker's
   * HOME leaks into it, and nothing it writes there survives the job.
   */
  env?: Record<string, string>;
  redactor?: Redactor;
  onLine?: (line: string, stream: StreamName) => void;
  log?: boolean;
  /**
   * Lets the sandbox rewrite the command (e.g. wrapInSandbox from lib/sandbox) before it runs;
   * its dispose() is called after the process ended, whatever happened.
   */
  wrap?: (cmd: AgentCommand) => WrappedAgentCommand | Promise<WrappedAgentCommand>;
  timeoutMs?: number;
  idleTimeoutMs?: number;
  maxOutputBytes?: number;
}

// Linux limits one argv string to 128 KiB; long context belongs in files the prompt names.
const MAX_PROMPT_BYTES = 120_000;

/** The argv (without the executable) for an agent, from its documented template. */
export function buildCliArgs(spec: AgentSpec, p: { prompt: string; model?: string | null; title?: string | null }): string[] {
  if (!spec.cli) throw new AgentUnavailableError(spec.id, `${spec.name} has no headless CLI`, { hint: "use the IDE adapter or another agent" });
  if (Buffer.byteLength(p.prompt) > MAX_PROMPT_BYTES) {
    throw new InputError("prompt", `longer than ${MAX_PROMPT_BYTES} bytes`, "put context in files in the worktree and name them in the prompt");
  }
  // A prompt starting with "-" would be read as a flag.
  const prompt = p.prompt.startsWith("-") ? ` ${p.prompt}` : p.prompt;
  const values: Record<string, string | null> = {
    "{prompt}": prompt,
    "{model}": p.model ?? null,
    "{title}": p.title ?? null,
  };
  const t = spec.cli.template;
  const out: string[] = [];
  for (let i = 0; i < t.length; i++) {
    const tok = t[i]!;
    const next = t[i + 1];
    if (tok.startsWith("-") && next !== undefined && next in values && next !== "{prompt}" && values[next] === null) {
      i++; // drop the flag and its missing value
      continue;
    }
    if (tok in values) {
      const v = values[tok];
      if (v === null) continue;
      out.push(v);
    } else out.push(tok);
  }
  return out;
}

/**
 * The child's environment: the minimal base, the agent's fixed headless env, its key/base URL/
 * model from the resource, what the CLI needs to reach that endpoint headless (agent_home.ts),
 * per-agent extra env, then the caller's env. Nothing else of this process's environment
 * reaches the agent.
 */
export function buildAgentEnv(
  spec: AgentSpec,
  settings: AgentSettings,
  opts: { binDir?: string | null; model?: string | null; extra?: Record<string, string>; setup?: HeadlessSetup } = {},
): Record<string, string> {
  const env: Record<string, string> = baseEnv();
  if (opts.binDir) env.PATH = `${opts.binDir}${delimiter}${env.PATH ?? ""}`;
  Object.assign(env, spec.env.fixed);
  const keyVar = keyVariables(spec, settings)[0];
  if (settings.apiKey && keyVar) env[keyVar] = settings.apiKey;
  if (settings.baseUrl && spec.env.baseUrl) env[spec.env.baseUrl] = settings.baseUrl;
  const model = opts.model ?? settings.model;
  if (model && spec.env.model) env[spec.env.model] = model;
  Object.assign(env, (opts.setup ?? headlessSetup(spec, settings, model ?? null, opts.extra?.HOME ?? env.HOME ?? "")).env);
  Object.assign(env, settings.env);
  Object.assign(env, opts.extra ?? {});
  return env;
}

function isExecutableFile(p: string): boolean {
  try {
    if (!statSync(p).isFile()) return false;
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Absolute path of the agent's executable: binDir first, then PATH. null when missing. */
export function resolveExecutable(spec: AgentSpec, opts: { binDir?: string | null; path?: string } = {}): string | null {
  const dirs = [...(opts.binDir ? [opts.binDir] : []), ...(opts.path ?? process.env.PATH ?? "").split(delimiter).filter(Boolean)];
  for (const exe of spec.executables) {
    if (isAbsolute(exe)) {
      if (isExecutableFile(exe)) return exe;
      continue;
    }
    for (const d of dirs) {
      const candidate = join(d, exe);
      if (isExecutableFile(candidate)) return candidate;
    }
  }
  return null;
}

export function installHint(spec: AgentSpec): string {
  if (spec.install.npm)
    return `install it: npm install -g ${spec.install.npm}${spec.install.npmVersion ? `@${spec.install.npmVersion}` : ""}, or set bin_dir in the agents resource`;
  return `install it (${spec.install.other ?? "see the agent's docs"}), or set bin_dir in the agents resource`;
}

/** The full command (executable resolved, args, env) for one CLI agent run. */
export function prepareCliCommand(opts: CliRunOptions): {
  command: AgentCommand;
  spec: AgentSpec;
  settings: AgentSettings;
  model: string | null;
  homeFiles: Record<string, string>;
} {
  const spec = AGENTS[opts.agentId];
  if (!opts.config.enabled.includes(opts.agentId)) {
    throw new AgentUnavailableError(opts.agentId, "is not enabled in the agents resource", { hint: "add it to enabled" });
  }
  if (spec.kind !== "cli" || !spec.cli) {
    throw new AgentUnavailableError(opts.agentId, `${spec.name} is a${spec.kind === "ide" ? "n IDE" : "n API"} agent, not a headless CLI`);
  }
  const settings = agentSettings(opts.config, opts.agentId);
  const model = opts.model ?? settings.model ?? spec.defaultModel;
  const setup = headlessSetup(spec, settings, model, opts.env?.HOME ?? "");
  const env = buildAgentEnv(spec, settings, { binDir: opts.config.binDir, model, extra: opts.env, setup });
  const file = resolveExecutable(spec, { binDir: opts.config.binDir, path: env.PATH });
  if (!file) {
    throw new AgentUnavailableError(opts.agentId, `executable ${spec.executables.join(" / ")} not found`, { hint: installHint(spec) });
  }
  const args = buildCliArgs(spec, { prompt: opts.prompt, model, title: opts.title ?? null });
  return { command: { file, args, cwd: opts.cwd, env }, spec, settings, model, homeFiles: setup.files };
}

/** Writes the files a headless run needs into the agent's HOME (see agent_home.ts). */
async function writeHomeFiles(home: string, files: Record<string, string>): Promise<void> {
  for (const [rel, content] of Object.entries(files)) {
    const file = join(home, rel);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, content, { mode: 0o600 });
  }
}

const TRANSIENT =
  /\b(rate[ -]?limit(?:ed)?|429|too many requests|overloaded|529|50[234]\b|service unavailable|bad gateway|ECONNRESET|ETIMEDOUT|EAI_AGAIN|ECONNREFUSED|socket hang up|temporarily unavailable|network error|fetch failed|connection (?:reset|refused|error))/i;
const AUTH =
  /\b(401|403|unauthori[sz]ed|forbidden|invalid (?:api )?key|invalid x-api-key|authentication (?:failed|error|required)|not (?:logged|signed) in|login required|missing (?:api )?key|no api key)/i;
const PERMISSION =
  /(approval required|requires? approval|permission (?:denied|request(?:ed)? rejected)|auto-?reject|--dangerously-skip-permissions cannot be used|not allowed in non-interactive|needs? --yolo)/i;
const TRUST = /(untrusted (?:folder|workspace)|not trusted|UntrustedWorkspace|workspace (?:is )?not trusted)/i;

function classifyFailure(agentId: AgentId, spec: AgentSpec, res: ProcessResult, parsed: ParsedOutput): Error {
  const code = res.exitCode;
  const documented = code !== null ? spec.cli?.exitCodes[String(code)] : undefined;
  // The JSON error on stderr (gemini, qwen) is the real cause; their stdout says only "error".
  const reported = stderrJsonError(res.stderr) ?? parsed.error;
  const text = [reported ?? "", res.stderr.split("\n").slice(-20).join("\n"), parsed.finalMessage].join("\n");
  const snippet = (reported ?? res.stderr.trim().split("\n").slice(-3).join(" | ") ?? "").slice(0, 400);
  const what = `exited with ${code === null ? `signal ${res.signal}` : `code ${code}`}${snippet ? `: ${snippet}` : ""}`;
  if (documented === "auth") return new ExecutionBlockedError(agentId, "auth", what, "check the agent's key in the agents resource");
  if (documented === "config" || documented === "mcp") return new ExecutionBlockedError(agentId, "config", what);
  if (documented === "input") return new ExecutionBlockedError(agentId, "input", what);
  if (documented === "not-found") return new AgentUnavailableError(agentId, what);
  if (TRUST.test(text)) return new ExecutionBlockedError(agentId, "trust", what, "the worktree must be trusted (see the agent's notes in the registry)");
  if (PERMISSION.test(text)) return new ExecutionBlockedError(agentId, "permission", what, "the agent needs its auto-approve flag in headless mode");
  if (TRANSIENT.test(text)) return new TransientAgentError(agentId, what, { hint: "retry with backoff" });
  if (AUTH.test(text)) return new ExecutionBlockedError(agentId, "auth", what, "check the agent's key in the agents resource");
  return new AgentFailedError(agentId, code, what);
}

/** Runs one CLI agent in `cwd`. Resolves with the result (incl. a detected block) or throws a typed error. */
export async function runCliAgent(opts: CliRunOptions): Promise<AgentResult> {
  if (opts.env?.HOME) return runCliAgentIn(opts, opts.env.HOME);
  const home = await mkdtemp(join(tmpdir(), `dg-agent-home-`));
  try {
    return await runCliAgentIn({ ...opts, env: { ...opts.env, HOME: home } }, home);
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

async function runCliAgentIn(opts: CliRunOptions, home: string): Promise<AgentResult> {
  const { command, spec, settings, model, homeFiles } = prepareCliCommand(opts);
  await writeHomeFiles(home, homeFiles);
  const redactor = redactorFor(opts.config, opts.redactor ?? new Redactor());
  // Every secret-looking value of the child's env is redacted from its output too.
  redactor.addFrom(Object.fromEntries(Object.entries(command.env).filter(([k]) => SECRET_ENV_NAME.test(k))), true);
  const cmd: WrappedAgentCommand = opts.wrap ? await opts.wrap(command) : command;
  if (cmd.warning) console.log(`[${opts.agentId}] ${cmd.warning}`);
  const timeoutMs = opts.timeoutMs ?? settings.timeoutMs;
  const idleTimeoutMs = opts.idleTimeoutMs ?? settings.idleTimeoutMs;
  // Stop at a line after which the run cannot succeed, rather than wait out the CLI's retries.
  const fatal = new AbortController();
  let fatalReason: string | null = null;
  const onLine = (line: string, stream: StreamName) => {
    if (!fatalReason && stream === "stdout") {
      fatalReason = fatalEvent(spec.cli!.output, line);
      if (fatalReason) fatal.abort();
    }
    opts.onLine?.(line, stream);
  };
  let res: ProcessResult;
  try {
    res = await runProcess({
      file: cmd.file,
      args: cmd.args,
      cwd: cmd.cwd,
      env: cmd.env,
      timeoutMs,
      idleTimeoutMs,
      maxOutputBytes: opts.maxOutputBytes,
      redactor,
      onLine,
      log: opts.log,
      logPrefix: `[${opts.agentId}] `,
      signal: fatal.signal,
    });
  } catch (e) {
    if (e instanceof ProcessSpawnError) throw new AgentUnavailableError(opts.agentId, e.message, { hint: installHint(spec), cause: e });
    throw e;
  } finally {
    await cmd.dispose?.().catch(() => {});
  }
  if (fatalReason) throw new ExecutionBlockedError(opts.agentId, "auth", `stopped: ${fatalReason}`, "check the agent's key in the agents resource");
  if (res.timedOut) throw new AgentTimeoutError(opts.agentId, "wall", timeoutMs);
  if (res.idleKilled) throw new AgentTimeoutError(opts.agentId, "idle", idleTimeoutMs);

  const parsed = parseAgentOutput(spec.cli!.output, res.stdout);
  const block = detectBlock(parsed.finalMessage);
  // shai exits 0 even when the agent failed: an empty answer with errors on stderr is a failure.
  const silentFailure = res.exitCode === 0 && !parsed.finalMessage.trim() && /\berror\b/i.test(res.stderr);
  if (!block && (res.exitCode !== 0 || parsed.error || silentFailure)) throw classifyFailure(opts.agentId, spec, res, parsed);

  return {
    agentId: opts.agentId,
    finalMessage: parsed.finalMessage,
    tokens: parsed.tokens,
    costUsd: parsed.costUsd,
    sessionId: parsed.sessionId,
    events: parsed.events,
    exitCode: res.exitCode,
    durationMs: res.durationMs,
    model,
    block,
    via: command.file,
    truncated: res.truncated,
  };
}

/**
 * Endpoints the agent must reach in the sandbox's execute phase: the configured base URL, else
 * the provider's public API where the reference names it. An empty list means "unknown": the
 * sandbox configuration has to allow the agent's hosts explicitly.
 */
export function agentEndpoints(cfg: AgentsConfig, agentId: AgentId): string[] {
  const s = agentSettings(cfg, agentId);
  const out = new Set<string>();
  if (s.baseUrl) out.add(s.baseUrl);
  for (const [k, v] of Object.entries(s.env)) if (/BASE_URL$/.test(k) && /^https?:\/\//.test(v)) out.add(v);
  if (out.size === 0) for (const e of AGENTS[agentId].endpoints) out.add(e);
  return [...out];
}
