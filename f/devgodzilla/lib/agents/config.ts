// Agent configuration: the `c_devgodzilla_agents` resource (schema in
// resources/c_devgodzilla_agents.resource-type.yaml). Which agents are enabled, per-agent model,
// timeouts and credentials, and which agent runs a task (per task id, per task type, default).
// Every field is optional; an unknown field or agent id is a ConfigError naming it.

import { z } from "zod";
import { ConfigError } from "../errors.ts";
import { Redactor, SECRET_ENV_NAME } from "../redact.ts";
import { AGENT_IDS, AGENTS, isAgentId, type AgentId } from "./registry.ts";
import { SandboxLimitFields } from "../sandbox/limits.ts";

export interface AgentSettings {
  model: string | null;
  timeoutMs: number;
  idleTimeoutMs: number;
  apiKey: string | null;
  baseUrl: string | null;
  /** Extra env for this agent's process (e.g. COPILOT_PROVIDER_TYPE, OPENCODE_CONFIG_CONTENT). */
  env: Record<string, string>;
  /** A person runs this agent's tasks in the IDE (agents that have an IDE mode). */
  ideHandoff: boolean;
}

export interface AgentsConfig {
  defaultAgent: AgentId;
  enabled: AgentId[];
  fallback: AgentId[];
  byTaskType: Record<string, AgentId>;
  byTask: Record<string, AgentId>;
  binDir: string | null;
  agents: Partial<Record<AgentId, AgentSettings>>;
  defaults: { timeoutMs: number; idleTimeoutMs: number };
  /** Process and memory limits of the agents' sandbox (lib/sandbox; its defaults when absent). */
  sandbox?: { maxProcesses?: number; maxMemoryMb?: number };
}

export const DEFAULT_TIMEOUT_SECONDS = 1800;
export const DEFAULT_IDLE_TIMEOUT_SECONDS = 600;

// Env names a resource may not set: they would change how the process or the sandbox runs.
const FORBIDDEN_ENV = /^(PATH|HOME|LD_[A-Z_]+|NODE_OPTIONS|DYLD_[A-Z_]+|BASH_ENV|ENV|SHELL|IFS)$/;

/** A timeout in seconds, at most a day. */
const Seconds = z
  .number()
  .int()
  .min(1)
  .max(24 * 3600)
  .optional();

const AgentIdField = z.string().refine(isAgentId, { message: `unknown agent (known: ${AGENT_IDS.join(", ")})` });

const AgentEntrySchema = z
  .object({
    model: z.string().min(1).optional(),
    timeout_seconds: Seconds,
    idle_timeout_seconds: Seconds,
    /** Goes into the agent's first key env var (registry env.keys[0]). */
    api_key: z.string().min(1).optional(),
    base_url: z.string().url().optional(),
    ide_handoff: z.boolean().optional(),
    env: z
      .record(
        z
          .string()
          .regex(/^[A-Z_][A-Z0-9_]*$/, "env names are UPPER_SNAKE_CASE")
          .refine((k) => !FORBIDDEN_ENV.test(k), {
            message: "this variable cannot be set from the resource",
          }),
        z.string(),
      )
      .optional(),
  })
  .strict();

export const AgentsConfigSchema = z
  .object({
    default_agent: AgentIdField.optional(),
    enabled: z.array(AgentIdField).optional(),
    fallback: z.array(AgentIdField).optional(),
    by_task_type: z.record(z.string(), AgentIdField).optional(),
    by_task: z.record(z.string(), AgentIdField).optional(),
    bin_dir: z.string().min(1).optional(),
    timeout_seconds: Seconds,
    idle_timeout_seconds: Seconds,
    sandbox: z.object(SandboxLimitFields).strict().optional(),
    agents: z
      .record(z.string(), AgentEntrySchema)
      .superRefine((rec, ctx) => {
        for (const k of Object.keys(rec)) {
          if (!isAgentId(k)) ctx.addIssue({ code: "custom", path: [k], message: `unknown agent (known: ${AGENT_IDS.join(", ")})` });
        }
      })
      .optional(),
    // Assignment fields of the same resource validated by lib/agentops/assignments.ts (which
    // builds on this parser); accepted here so one resource serves both.
    by_phase: z.unknown().optional(),
    by_story: z.unknown().optional(),
    review: z.unknown().optional(),
  })
  .strict();

export type AgentsConfigInput = z.input<typeof AgentsConfigSchema>;

function issuePath(issue: z.core.$ZodIssue): string {
  const base = issue.path.map(String).join(".");
  if (issue.code === "unrecognized_keys") {
    const keys = (issue as { keys?: string[] }).keys ?? [];
    return [base, keys.join(",")].filter(Boolean).join(".");
  }
  return base;
}

/** Parses the resource (or undefined = all defaults). Throws ConfigError naming the field. */
export function parseAgentsConfig(raw: unknown, file = "c_devgodzilla_agents"): AgentsConfig {
  const parsed = AgentsConfigSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issuePath(issue) || "(root)";
    throw new ConfigError(file, field, issue.message, "fix the agents resource; see resources/c_devgodzilla_agents.resource-type.yaml");
  }
  const c = parsed.data;
  const defaults = {
    timeoutMs: (c.timeout_seconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000,
    idleTimeoutMs: (c.idle_timeout_seconds ?? DEFAULT_IDLE_TIMEOUT_SECONDS) * 1000,
  };
  const agents: Partial<Record<AgentId, AgentSettings>> = {};
  for (const [id, e] of Object.entries(c.agents ?? {})) {
    const agentId = id as AgentId;
    if (e.api_key && AGENTS[agentId].env.keys.length === 0 && agentId !== "llm") {
      throw new ConfigError(file, `agents.${id}.api_key`, `${id} takes no key through the environment`);
    }
    if (e.ide_handoff && !AGENTS[agentId].ideCommand) {
      throw new ConfigError(
        file,
        `agents.${id}.ide_handoff`,
        `${id} has no IDE mode`,
        "IDE handoff works for cursor, copilot, kilocode, windsurf, roo and bob",
      );
    }
    agents[agentId] = {
      model: e.model ?? null,
      timeoutMs: (e.timeout_seconds ?? c.timeout_seconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000,
      idleTimeoutMs: (e.idle_timeout_seconds ?? c.idle_timeout_seconds ?? DEFAULT_IDLE_TIMEOUT_SECONDS) * 1000,
      apiKey: e.api_key ?? null,
      baseUrl: e.base_url ?? null,
      env: e.env ?? {},
      ideHandoff: e.ide_handoff ?? false,
    };
  }
  const enabled = (c.enabled ?? [...AGENT_IDS]) as AgentId[];
  const defaultAgent = (c.default_agent ?? "llm") as AgentId;
  const check = (field: string, id: AgentId) => {
    if (!enabled.includes(id)) throw new ConfigError(file, field, `agent ${id} is not in enabled`, `add it to enabled or choose another agent`);
  };
  check("default_agent", defaultAgent);
  (c.fallback ?? []).forEach((id, i) => check(`fallback.${i}`, id as AgentId));
  for (const [k, id] of Object.entries(c.by_task_type ?? {})) check(`by_task_type.${k}`, id as AgentId);
  for (const [k, id] of Object.entries(c.by_task ?? {})) check(`by_task.${k}`, id as AgentId);
  return {
    defaultAgent,
    enabled,
    fallback: (c.fallback ?? []) as AgentId[],
    byTaskType: (c.by_task_type ?? {}) as Record<string, AgentId>,
    byTask: (c.by_task ?? {}) as Record<string, AgentId>,
    binDir: c.bin_dir ?? null,
    agents,
    defaults,
    ...(c.sandbox ? { sandbox: { maxProcesses: c.sandbox.max_processes, maxMemoryMb: c.sandbox.max_memory_mb } } : {}),
  };
}

/** Settings of one agent with defaults filled in. */
export function agentSettings(cfg: AgentsConfig, id: AgentId): AgentSettings {
  return (
    cfg.agents[id] ?? {
      model: null,
      timeoutMs: cfg.defaults.timeoutMs,
      idleTimeoutMs: cfg.defaults.idleTimeoutMs,
      apiKey: null,
      baseUrl: null,
      env: {},
      ideHandoff: false,
    }
  );
}

/**
 * Which agent runs a task: an explicit per-call choice, then by task id, then by task type, then
 * the default. Throws ConfigError when the choice is not enabled.
 */
export function resolveAgentForTask(cfg: AgentsConfig, task: { id?: string; type?: string; agent?: string }): AgentId {
  if (task.agent) {
    if (!isAgentId(task.agent)) throw new ConfigError("task", "agent", `unknown agent ${task.agent}`, `known: ${AGENT_IDS.join(", ")}`);
    if (!cfg.enabled.includes(task.agent)) throw new ConfigError("task", "agent", `agent ${task.agent} is not enabled`);
    return task.agent;
  }
  if (task.id && cfg.byTask[task.id]) return cfg.byTask[task.id]!;
  if (task.type && cfg.byTaskType[task.type]) return cfg.byTaskType[task.type]!;
  return cfg.defaultAgent;
}

/** Registers every credential of the config with a redactor. */
export function redactorFor(cfg: AgentsConfig, redactor = new Redactor()): Redactor {
  for (const s of Object.values(cfg.agents)) {
    if (!s) continue;
    redactor.add(s.apiKey);
    for (const [k, v] of Object.entries(s.env)) {
      if (SECRET_ENV_NAME.test(k)) redactor.add(v);
      // JSON config passed by env (OPENCODE_CONFIG_CONTENT…) may embed keys under apiKey-like names.
      if (v.trimStart().startsWith("{")) {
        try {
          redactor.addFrom(JSON.parse(v));
        } catch {
          /* not JSON */
        }
      }
    }
  }
  return redactor;
}
