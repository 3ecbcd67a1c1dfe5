// Agent health: per agent a structured status a person can act on —
//   CLI agents: installed (resolved path, `--version` through runProcess with a short timeout) and
//               credentials present in the agents resource (never shown, only where they come from);
//   API agents (jules, llm): credentials and the endpoint reachable, with latency (HEAD, timeout);
//   IDE agents: the Spec Kit command folder state in a given checkout.
// Overall is ok when every agent the configuration actually uses is ok, else degraded.

import { performance } from "node:perf_hooks";
import { agentSettings } from "../agents/config.ts";
import { installStatus, type InstallStatus } from "../agents/health.ts";
import { JULES_DEFAULT_BASE_URL } from "../agents/jules.ts";
import { AGENTS, AGENT_IDS, type AgentId } from "../agents/registry.ts";
import { providerFromResources, type LlmResources } from "../llm/config.ts";
import { parseOrgAgents, type OrgAgents, type ProjectAgents } from "./assignments.ts";
import { SPECKIT_COMMANDS, commandFolderState, type CommandFolderState } from "./speckit_commands.ts";

export type HealthStatus = "ok" | "missing" | "no-credentials" | "unreachable" | "not-set-up" | "disabled";

export interface EndpointHealth {
  url: string;
  reachable: boolean;
  latencyMs: number | null;
  /** HTTP status of the probe (any status means the endpoint answered). */
  httpStatus: number | null;
  error: string | null;
}

export interface AgentHealth {
  id: AgentId;
  name: string;
  kind: "cli" | "ide" | "api";
  enabled: boolean;
  /** The configuration assigns work to it (default, fallback, per task/story/type/phase, review). */
  inUse: boolean;
  status: HealthStatus;
  installed: { found: boolean; path: string | null; version: string | null } | null;
  /** Never the value: whether a credential is configured and which setting holds it. */
  credentials: { required: boolean; present: boolean; via: string | null };
  endpoint: EndpointHealth | null;
  commandFolder: CommandFolderState | null;
  problems: string[];
}

export interface HealthReport {
  overall: "ok" | "degraded";
  checkedAt: string;
  inUse: AgentId[];
  agents: AgentHealth[];
}

export interface HealthOptions {
  /** The c_devgodzilla_agents resource value (raw) or already parsed. */
  config?: unknown;
  org?: OrgAgents;
  project?: ProjectAgents | null;
  /** LLM resources for the built-in llm agent (c_devgodzilla_llm / openai / anthropic). */
  llm?: LlmResources;
  /** A checkout: IDE agents' command folders are checked in it. */
  repoDir?: string;
  /** Only these agents (default: every enabled agent). */
  agents?: AgentId[];
  /** Per probe (version, endpoint). Default 4000 ms. */
  timeoutMs?: number;
}

const DEFAULT_ENDPOINTS = { openai: "https://api.openai.com/v1", anthropic: "https://api.anthropic.com" } as const;

/** HEAD with a timeout; any HTTP answer (even 401/404/405) means reachable. No credentials are sent. */
export async function probeEndpoint(url: string, timeoutMs = 4000): Promise<EndpointHealth> {
  const started = performance.now();
  try {
    const res = await fetch(url, { method: "HEAD", signal: AbortSignal.timeout(timeoutMs), redirect: "manual" });
    await res.body?.cancel().catch(() => {});
    return { url, reachable: true, latencyMs: Math.round(performance.now() - started), httpStatus: res.status, error: null };
  } catch (e) {
    const err = e as Error & { cause?: { code?: string; message?: string } };
    const why = err.name === "TimeoutError" ? `no answer within ${timeoutMs} ms` : err.cause?.code ?? err.cause?.message ?? err.message;
    return { url, reachable: false, latencyMs: null, httpStatus: null, error: why };
  }
}

/** Agents the configuration assigns work to. */
export function agentsInUse(org: OrgAgents, project: ProjectAgents | null = null): AgentId[] {
  const s = new Set<AgentId>([org.base.defaultAgent, ...org.base.fallback, ...Object.values(org.base.byTask), ...Object.values(org.base.byTaskType)]);
  for (const c of [...Object.values(org.byPhase), ...Object.values(org.byStory)]) s.add(c.agent);
  if (org.review) s.add(org.review.agent);
  if (project) {
    for (const c of [project.default, project.review, ...Object.values(project.phases), ...Object.values(project.stories), ...Object.values(project.taskTypes), ...Object.values(project.tasks)]) {
      if (c) s.add(c.agent);
    }
  }
  return AGENT_IDS.filter((id) => s.has(id));
}

function credentialOf(org: OrgAgents, id: AgentId): { present: boolean; via: string | null } {
  const spec = AGENTS[id];
  const s = agentSettings(org.base, id);
  if (s.apiKey) return { present: true, via: `${org.file}: agents.${id}.api_key` };
  const inEnv = spec.env.keys.find((k) => s.env[k]);
  if (inEnv) return { present: true, via: `${org.file}: agents.${id}.env.${inEnv}` };
  return { present: false, via: null };
}

async function checkOne(id: AgentId, org: OrgAgents, opts: HealthOptions, inUse: boolean, install: InstallStatus | undefined): Promise<AgentHealth> {
  const spec = AGENTS[id];
  const timeoutMs = opts.timeoutMs ?? 4000;
  const h: AgentHealth = {
    id, name: spec.name, kind: spec.kind, enabled: org.base.enabled.includes(id), inUse, status: "ok",
    installed: null, credentials: { required: false, present: false, via: null }, endpoint: null, commandFolder: null, problems: [],
  };
  if (!h.enabled) {
    h.status = "disabled";
    return h;
  }
  if (opts.repoDir && spec.commandDir) h.commandFolder = commandFolderState(opts.repoDir, id);

  if (spec.kind === "cli") {
    // Installed / path / --version come from lib/agents/health.ts (runProcess, short timeout).
    const file = install?.path ?? null;
    const binDir = org.base.binDir;
    h.installed = { found: !!file, path: file, version: install?.version ?? null };
    if (!file) {
      h.status = "missing";
      h.problems.push(`${spec.executables.join(" / ")} not found on PATH${binDir ? ` or in ${binDir}` : ""}${install?.install ? `: ${install.install}` : ""}`);
    } else if (!h.installed.version) h.problems.push(`${file} --version did not answer within ${timeoutMs} ms or failed`);
    h.credentials = { required: spec.env.keys.length > 0, ...credentialOf(org, id) };
    if (h.credentials.required && !h.credentials.present) {
      if (file) h.problems.push(`no key configured: set agents.${id}.api_key (goes into ${spec.env.keys[0]}) in the agents resource`);
      if (h.status === "ok") h.status = "no-credentials";
    }
    return h;
  }

  if (spec.kind === "api") {
    let url: string;
    if (id === "jules") {
      const s = agentSettings(org.base, id);
      url = s.baseUrl ?? JULES_DEFAULT_BASE_URL;
      h.credentials = { required: true, ...credentialOf(org, id) };
    } else {
      // The built-in llm agent uses the flow's LLM resource.
      let base: string | undefined;
      let present = false;
      let provider: keyof typeof DEFAULT_ENDPOINTS = "openai";
      try {
        const p = providerFromResources(opts.llm ?? {});
        present = !!p.apiKey;
        base = p.baseUrl;
        provider = p.provider;
      } catch {
        present = false;
      }
      url = base ?? DEFAULT_ENDPOINTS[provider];
      h.credentials = { required: true, present, via: present ? "the flow's LLM resource (llm / openai / anthropic)" : null };
    }
    h.endpoint = await probeEndpoint(url, timeoutMs);
    if (!h.credentials.present) {
      h.status = "no-credentials";
      h.problems.push(id === "jules" ? "no key configured: set agents.jules.api_key in the agents resource" : "no LLM resource given (c_devgodzilla_llm, openai or anthropic)");
    }
    if (!h.endpoint.reachable) {
      h.problems.push(`${url} unreachable: ${h.endpoint.error}`);
      if (h.status === "ok") h.status = "unreachable";
    }
    return h;
  }

  // IDE agents: a human runs them; what we can check is the command folder in the repository.
  if (h.commandFolder && h.commandFolder.missing.length) {
    h.status = "not-set-up";
    h.problems.push(`Spec Kit commands missing in ${h.commandFolder.dir}: ${h.commandFolder.missing.join(", ")} (install them with installSpeckitCommands)`);
  }
  return h;
}

/** Health of every enabled agent (or `opts.agents`), checked in parallel. */
export async function agentsHealth(opts: HealthOptions = {}): Promise<HealthReport> {
  const org = opts.org ?? parseOrgAgents(opts.config);
  const inUse = agentsInUse(org, opts.project ?? null);
  const ids = opts.agents ?? AGENT_IDS.filter((id) => org.base.enabled.includes(id));
  const rows = await installStatus(org.base, ids.filter((id) => org.base.enabled.includes(id)), { versionTimeoutMs: opts.timeoutMs ?? 4000 });
  const agents = await Promise.all(ids.map((id) => checkOne(id, org, opts, inUse.includes(id), rows.find((r) => r.agent === id))));
  // Explicitly named agents all count; otherwise only the ones the configuration uses.
  const counted = opts.agents ? agents : agents.filter((a) => a.inUse);
  return {
    overall: counted.every((a) => a.status === "ok") ? "ok" : "degraded",
    checkedAt: new Date().toISOString(),
    inUse,
    agents,
  };
}

const ICON: Record<HealthStatus, string> = { ok: "✅", missing: "❌", "no-credentials": "🔑", unreachable: "📡", "not-set-up": "⚠️", disabled: "⏸️" };

/** A table for the terminal or a Windmill markdown result. */
export function healthMarkdown(r: HealthReport): string {
  const out = [`**Agents: ${r.overall === "ok" ? "✅ ok" : "⚠️ degraded"}** (in use: ${r.inUse.join(", ") || "none"})`, "", "| agent | kind | status | installed | credentials | endpoint | notes |", "|---|---|---|---|---|---|---|"];
  for (const a of r.agents) {
    const inst = a.installed ? (a.installed.found ? `${a.installed.path}${a.installed.version ? ` (${a.installed.version})` : ""}` : "not found") : "";
    const cred = a.credentials.required ? (a.credentials.present ? `present (${a.credentials.via})` : "missing") : "";
    const ep = a.endpoint ? (a.endpoint.reachable ? `${a.endpoint.url} ${a.endpoint.latencyMs} ms` : `${a.endpoint.url} unreachable`) : "";
    const notes = [a.commandFolder ? `${a.commandFolder.dir}: ${a.commandFolder.installed.length}/${SPECKIT_COMMANDS.length} commands` : "", ...a.problems].filter(Boolean).join("; ");
    out.push(`| ${a.id}${a.inUse ? " *" : ""} | ${a.kind} | ${ICON[a.status]} ${a.status} | ${inst} | ${cred} | ${ep} | ${notes.replace(/\|/g, "\\|")} |`);
  }
  return out.join("\n");
}
