// Agent health: per agent a status a person can act on, and nothing it cannot back up.
//   CLI agents: installed (resolved path) and working (`--version` exits 0 within the probe time,
//               else "broken"); credentials present in the agents resource (never shown, only
//               which setting holds them; a BYOK provider key counts); the model endpoint it will
//               call (its base_url, else its provider's public API) reachable, with latency.
//   API agents (jules, llm): credentials and the endpoint reachable.
//   Vendor-service agents (cursor, amp, auggie, qoder…): what can be checked is, plus "needs
//               <service>" — a service DevGodzilla cannot reach or verify for them.
//   IDE agents: "manual" (a person runs them), or "not-set-up" when a checkout lacks their commands.
// Probes run one at a time (lib/agents/health.ts says why). Overall is ok when every agent the
// configuration uses is ok, manual or waiting on its vendor's service.

import { performance } from "node:perf_hooks";
import { keyVariables } from "../agents/agent_home.ts";
import { agentEndpoints } from "../agents/cli.ts";
import { agentSettings } from "../agents/config.ts";
import { installStatus, VERSION_TIMEOUT_MS, type InstallStatus } from "../agents/health.ts";
import { JULES_DEFAULT_BASE_URL } from "../agents/jules.ts";
import { AGENTS, AGENT_IDS, type AgentId, type AgentSpec } from "../agents/registry.ts";
import { providerFromResources, type LlmResources } from "../llm/config.ts";
import { parseOrgAgents, type OrgAgents, type ProjectAgents } from "./assignments.ts";
import { SPECKIT_COMMANDS, commandFolderState, type CommandFolderState } from "./speckit_commands.ts";

export type HealthStatus = "ok" | "missing" | "broken" | "no-credentials" | "unreachable" | "needs-service" | "manual" | "not-set-up" | "disabled";

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
  kind: AgentSpec["kind"];
  mode: AgentSpec["mode"];
  enabled: boolean;
  /** The configuration assigns work to it (default, fallback, per task/story/type/phase, review). */
  inUse: boolean;
  status: HealthStatus;
  installed: { found: boolean; path: string | null; version: string | null } | null;
  /** Never the value: whether a credential is configured and which setting holds it. */
  credentials: { required: boolean; present: boolean; via: string | null };
  endpoint: EndpointHealth | null;
  /** The vendor service a vendor-service agent needs ("needs <service>"). */
  needs: string | null;
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
  /** Per `--version` probe. Default 20 s (real CLIs need up to a few seconds alone). */
  versionTimeoutMs?: number;
  /** Per endpoint probe. Default 4000 ms. */
  timeoutMs?: number;
}

const DEFAULT_ENDPOINTS = { openai: "https://api.openai.com/v1", anthropic: "https://api.anthropic.com" } as const;
/** Statuses that do not make the overall state degraded. */
const ACCEPTABLE: ReadonlySet<HealthStatus> = new Set(["ok", "manual", "needs-service"]);

const CANNOT_CONNECT = new Set(["ENOTFOUND", "EAI_AGAIN", "ECONNREFUSED", "ENETUNREACH", "EHOSTUNREACH", "ConnectionRefused", "FailedToOpenSocket"]);

/** HEAD with a timeout; any HTTP answer (even 401/404/405) means reachable. No credentials are sent. */
export async function probeEndpoint(url: string, timeoutMs = 4000): Promise<EndpointHealth> {
  const started = performance.now();
  try {
    const res = await fetch(url, { method: "HEAD", signal: AbortSignal.timeout(timeoutMs), redirect: "manual" });
    await res.body?.cancel().catch(() => {});
    return { url, reachable: true, latencyMs: Math.round(performance.now() - started), httpStatus: res.status, error: null };
  } catch (e) {
    const err = e as Error & { code?: string; cause?: { code?: string; message?: string } };
    const code = err.cause?.code ?? err.code ?? "";
    // The same words under Node and Bun (Windmill's workers): Bun reports a DNS failure, a refused
    // and an unreachable host alike (ConnectionRefused), so they are one case here.
    const why =
      err.name === "TimeoutError"
        ? `no answer within ${timeoutMs} ms`
        : CANNOT_CONNECT.has(code)
          ? "cannot connect (host not found, connection refused or network unreachable)"
          : (err.cause?.message ?? err.message);
    return { url, reachable: false, latencyMs: null, httpStatus: null, error: why };
  }
}

/** Agents the configuration assigns work to. */
export function agentsInUse(org: OrgAgents, project: ProjectAgents | null = null): AgentId[] {
  const s = new Set<AgentId>([org.base.defaultAgent, ...org.base.fallback, ...Object.values(org.base.byTask), ...Object.values(org.base.byTaskType)]);
  for (const c of [...Object.values(org.byPhase), ...Object.values(org.byStory)]) s.add(c.agent);
  if (org.review) s.add(org.review.agent);
  if (project) {
    for (const c of [
      project.default,
      project.review,
      ...Object.values(project.phases),
      ...Object.values(project.stories),
      ...Object.values(project.taskTypes),
      ...Object.values(project.tasks),
    ]) {
      if (c) s.add(c.agent);
    }
  }
  return AGENT_IDS.filter((id) => s.has(id));
}

/** Where the agent's key is configured: api_key, or any of its key variables (a BYOK provider key included) in env. */
function credentialOf(org: OrgAgents, id: AgentId): { present: boolean; via: string | null } {
  const s = agentSettings(org.base, id);
  if (s.apiKey) return { present: true, via: `${org.file}: agents.${id}.api_key` };
  const inEnv = keyVariables(AGENTS[id], s).find((k) => s.env[k]);
  if (inEnv) return { present: true, via: `${org.file}: agents.${id}.env.${inEnv}` };
  return { present: false, via: null };
}

type Check = (h: AgentHealth, org: OrgAgents, opts: HealthOptions, install: InstallStatus | undefined) => Promise<void>;

/** The first problem decides the status; later checks only add notes. */
function fail(h: AgentHealth, status: HealthStatus, problem: string): void {
  if (h.status === "ok") h.status = status;
  h.problems.push(problem);
}

const checkCli: Check = async (h, org, opts, install) => {
  const spec = AGENTS[h.id];
  const file = install?.path ?? null;
  h.installed = { found: !!file, path: file, version: install?.version ?? null };
  if (!file)
    fail(
      h,
      "missing",
      `${spec.executables.join(" / ")} not found on PATH${org.base.binDir ? ` or in ${org.base.binDir}` : ""}: ${install?.install ?? "install it"}`,
    );
  else if (!install?.version) fail(h, "broken", `${file}: ${install?.versionError ?? "--version failed"}`);
  h.credentials = { required: spec.env.keys.length > 0, ...credentialOf(org, h.id) };
  if (h.credentials.required && !h.credentials.present) {
    fail(
      h,
      "no-credentials",
      `no key configured: set agents.${h.id}.api_key (goes into ${keyVariables(spec, agentSettings(org.base, h.id))[0]}) in the agents resource`,
    );
  }
  const url = agentEndpoints(org.base, h.id)[0];
  if (url) {
    h.endpoint = await probeEndpoint(url, opts.timeoutMs);
    if (!h.endpoint.reachable) fail(h, "unreachable", `${url} unreachable: ${h.endpoint.error}`);
  }
};

const checkApi: Check = async (h, org, opts) => {
  let url: string;
  if (h.id === "jules") {
    url = agentSettings(org.base, h.id).baseUrl ?? JULES_DEFAULT_BASE_URL;
    h.credentials = { required: true, ...credentialOf(org, h.id) };
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
  if (!h.credentials.present) {
    fail(
      h,
      "no-credentials",
      h.id === "jules"
        ? "no key configured: set agents.jules.api_key in the agents resource"
        : "no LLM resource given (c_devgodzilla_llm, openai or anthropic)",
    );
  }
  h.endpoint = await probeEndpoint(url, opts.timeoutMs);
  if (!h.endpoint.reachable) fail(h, "unreachable", `${url} unreachable: ${h.endpoint.error}`);
};

async function checkOne(id: AgentId, org: OrgAgents, opts: HealthOptions, inUse: boolean, install: InstallStatus | undefined): Promise<AgentHealth> {
  const spec = AGENTS[id];
  const h: AgentHealth = {
    id,
    name: spec.name,
    kind: spec.kind,
    mode: spec.mode,
    enabled: org.base.enabled.includes(id),
    inUse,
    status: "ok",
    installed: null,
    credentials: { required: false, present: false, via: null },
    endpoint: null,
    needs: spec.service,
    commandFolder: null,
    problems: [],
  };
  if (!h.enabled) {
    h.status = "disabled";
    return h;
  }
  if (opts.repoDir && spec.commandDir) h.commandFolder = commandFolderState(opts.repoDir, id);
  if (spec.kind === "ide") {
    // A person runs it; nothing here can say it works. What can be checked is the checkout.
    h.status = "manual";
    if (h.commandFolder?.missing.length) {
      h.status = "not-set-up";
      h.problems.push(`Spec Kit commands missing in ${h.commandFolder.dir}: ${h.commandFolder.missing.join(", ")} (install them with installSpeckitCommands)`);
    }
    return h;
  }
  await (spec.kind === "cli" ? checkCli : checkApi)(h, org, opts, install);
  // Everything checkable is fine, but the work happens on a service nobody here can verify.
  if (h.status === "ok" && spec.mode === "vendor-service" && !h.endpoint?.reachable) h.status = "needs-service";
  return h;
}

/** Health of every enabled agent (or `opts.agents`), probed one at a time. */
export async function agentsHealth(opts: HealthOptions = {}): Promise<HealthReport> {
  const org = opts.org ?? parseOrgAgents(opts.config);
  const inUse = agentsInUse(org, opts.project ?? null);
  const ids = opts.agents ?? AGENT_IDS.filter((id) => org.base.enabled.includes(id));
  const rows = await installStatus(
    org.base,
    ids.filter((id) => org.base.enabled.includes(id)),
    { versionTimeoutMs: opts.versionTimeoutMs ?? VERSION_TIMEOUT_MS },
  );
  const agents: AgentHealth[] = [];
  for (const id of ids)
    agents.push(
      await checkOne(
        id,
        org,
        opts,
        inUse.includes(id),
        rows.find((r) => r.agent === id),
      ),
    );
  // Explicitly named agents all count; otherwise only the ones the configuration uses.
  const counted = opts.agents ? agents : agents.filter((a) => a.inUse);
  return {
    overall: counted.every((a) => ACCEPTABLE.has(a.status)) ? "ok" : "degraded",
    checkedAt: new Date().toISOString(),
    inUse,
    agents,
  };
}

const ICON: Record<HealthStatus, string> = {
  ok: "✅",
  missing: "❌",
  broken: "💥",
  "no-credentials": "🔑",
  unreachable: "📡",
  "needs-service": "☁️",
  manual: "🧑",
  "not-set-up": "⚠️",
  disabled: "⏸️",
};

/** A table for the terminal or a Windmill markdown result. */
export function healthMarkdown(r: HealthReport): string {
  const out = [
    `**Agents: ${r.overall === "ok" ? "✅ ok" : "⚠️ degraded"}** (in use: ${r.inUse.join(", ") || "none"})`,
    "",
    "| agent | mode | status | installed | credentials | endpoint | notes |",
    "|---|---|---|---|---|---|---|",
  ];
  for (const a of r.agents) {
    const inst = a.installed ? (a.installed.found ? `${a.installed.path}${a.installed.version ? ` (${a.installed.version})` : ""}` : "not found") : "";
    const cred = a.credentials.required ? (a.credentials.present ? `present (${a.credentials.via})` : "missing") : "";
    const ep = a.endpoint ? (a.endpoint.reachable ? `${a.endpoint.url} ${a.endpoint.latencyMs} ms` : `${a.endpoint.url} unreachable`) : "";
    const notes = [
      a.needs ? `needs ${a.needs}` : "",
      a.commandFolder ? `${a.commandFolder.dir}: ${a.commandFolder.installed.length}/${SPECKIT_COMMANDS.length} commands` : "",
      ...a.problems,
    ]
      .filter(Boolean)
      .join("; ");
    out.push(`| ${a.id}${a.inUse ? " *" : ""} | ${a.mode} | ${ICON[a.status]} ${a.status} | ${inst} | ${cred} | ${ep} | ${notes.replace(/\|/g, "\\|")} |`);
  }
  return out.join("\n");
}
