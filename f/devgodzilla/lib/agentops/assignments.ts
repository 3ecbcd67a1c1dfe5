// Which agent and model run each task, and WHY. Two layers of configuration:
//   * organisation defaults — the `c_devgodzilla_agents` resource (its schema in lib/agents/config.ts)
//     plus the assignment fields this module adds on top of it: by_phase, by_story, review;
//   * project overrides — `.devgodzilla/agents.yaml` in the target repository (no secrets allowed).
// Precedence per task: task id > story > task type > phase > project default > org default; at each
// level the project's entry wins over the organisation's. Every resolved choice carries its source
// ("project override: tasks.T004") so the run result can show where it came from.

import { repoFiles } from "../repo/files.ts";
import { parseDocument } from "yaml";
import { z } from "zod";
import { ConfigError } from "../errors.ts";
import { Redactor } from "../redact.ts";
import { parseAgentsConfig, type AgentsConfig } from "../agents/config.ts";
import { AGENT_IDS, AGENTS, isAgentId, type AgentId } from "../agents/registry.ts";
import { classifyPath } from "../project/files.ts";
import { TASK_TYPES, type TaskType } from "../../prompts/agents/tasks.ts";

export { TASK_TYPES, type TaskType };

/** An agent (and optionally its model) chosen by one configuration entry. */
export interface Choice {
  agent: AgentId;
  model?: string;
}

export interface OrgAgents {
  /** The parsed agents resource (enabled, default, fallback, by_task, by_task_type, per-agent settings). */
  base: AgentsConfig;
  byPhase: Record<string, Choice>;
  byStory: Record<string, Choice>;
  /** The agent that reviews diffs (engine-based review); null = no engine review. */
  review: (Choice & { weight: number }) | null;
  /** True when the resource set default_agent (else the built-in default applies). */
  defaultGiven: boolean;
  file: string;
}

export interface ProjectAgents {
  file: string;
  default?: Choice;
  models: Partial<Record<AgentId, string>>;
  phases: Record<string, Choice>;
  stories: Record<string, Choice>;
  taskTypes: Partial<Record<TaskType, Choice>>;
  tasks: Record<string, Choice>;
  review?: Choice & { weight?: number };
}

/** What resolution needs to know about a task (a TaskDag task fits, with its phase looked up). */
export interface TaskFacts {
  id: string;
  story?: string | null;
  /** Phase number ("3") and kind ("setup" | "foundational" | "story" | "polish" | "other"). */
  phase?: { number?: string | null; kind?: string | null } | null;
  files?: string[];
  /** Explicit type; otherwise inferred from the files. */
  type?: TaskType;
}

export interface ResolvedAgent {
  agent: AgentId;
  /** null = the agent's own default model. */
  model: string | null;
  /** Where the agent came from, e.g. "project override: tasks.T004" or "org default: default_agent". */
  source: string;
  modelSource: string;
}

export interface TaskAssignment extends ResolvedAgent {
  taskId: string;
  taskType: TaskType;
  taskTypeSource: string;
}

export const PROJECT_AGENTS_FILE = ".devgodzilla/agents.yaml";
export const ORG_RESOURCE = "c_devgodzilla_agents";
/** Fields this module adds to the org resource (lib/agents/config.ts's strict schema does not know them). */
export const ORG_EXTENSION_KEYS = ["by_phase", "by_story", "review"] as const;
export const DEFAULT_REVIEW_WEIGHT = 0.2;

// ---------------------------------------------------------------------------------------------
// Schemas

const agentField = z.string().refine(isAgentId, { message: `unknown agent (known: ${AGENT_IDS.join(", ")})` });
const modelField = z.string().min(1, "must not be empty").max(200);

/** "codex" or {agent: codex, model: gpt-5}. */
const ChoiceSchema = z.preprocess((v) => (typeof v === "string" ? { agent: v } : v), z.object({ agent: agentField, model: modelField.optional() }).strict());
const weightField = z.number().min(0).max(1);
const ReviewSchema = z.preprocess(
  (v) => (typeof v === "string" ? { agent: v } : v),
  z.object({ agent: agentField, model: modelField.optional(), weight: weightField.optional() }).strict(),
);

const PHASE_KEY = /^(setup|foundational|story|polish|other|\d+(?:\.\d+)*)$/;
const STORY_KEY = /^US\d+$/;
const TASK_KEY = /^T\d{3,}$/;
const keyed = (re: RegExp, what: string) => z.record(z.string().regex(re, `not a ${what}`), ChoiceSchema);

const OrgExtensionSchema = z
  .object({
    by_phase: keyed(PHASE_KEY, "phase (setup, foundational, story, polish, other or a phase number)").optional(),
    by_story: keyed(STORY_KEY, "story label (US1, US2…)").optional(),
    review: ReviewSchema.optional(),
  })
  .strict();

const ProjectSchema = z
  .object({
    default: ChoiceSchema.optional(),
    models: z
      .record(z.string(), modelField)
      .superRefine((rec, ctx) => {
        for (const k of Object.keys(rec))
          if (!isAgentId(k)) ctx.addIssue({ code: "custom", path: [k], message: `unknown agent (known: ${AGENT_IDS.join(", ")})` });
      })
      .optional(),
    phases: keyed(PHASE_KEY, "phase (setup, foundational, story, polish, other or a phase number)").optional(),
    stories: keyed(STORY_KEY, "story label (US1, US2…)").optional(),
    task_types: z
      .record(z.string(), ChoiceSchema)
      .superRefine((rec, ctx) => {
        for (const k of Object.keys(rec)) {
          if (!(TASK_TYPES as readonly string[]).includes(k))
            ctx.addIssue({ code: "custom", path: [k], message: `unknown task type (known: ${TASK_TYPES.join(", ")})` });
        }
      })
      .optional(),
    tasks: keyed(TASK_KEY, "task id (T001…)").optional(),
    review: ReviewSchema.optional(),
  })
  .strict();

function issueField(issue: z.core.$ZodIssue): string {
  const base = issue.path.map(String).join(".");
  if (issue.code === "unrecognized_keys") {
    const keys = (issue as { keys?: string[] }).keys ?? [];
    return [base, keys.join(",")].filter(Boolean).join(".");
  }
  if (issue.code === "invalid_key") return base;
  return base || "(root)";
}

function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === "unrecognized_keys") return "unknown field";
  if (issue.code === "invalid_key") {
    const inner = (issue as { issues?: z.core.$ZodIssue[] }).issues?.[0];
    return inner?.message ?? issue.message;
  }
  return issue.message;
}

function toConfigError(file: string, error: z.ZodError, hint: string): ConfigError {
  const issue = error.issues[0]!;
  return new ConfigError(file, issueField(issue), issueMessage(issue), hint);
}

// ---------------------------------------------------------------------------------------------
// Secrets never belong in a repository file

const SECRET_KEY = /(api[_-]?key|apikey|token|secret|password|passwd|credential|private[_-]?key|auth)/i;

/** Throws ConfigError at the first key or value that looks like a secret. */
export function rejectSecrets(value: unknown, file: string, at: string[] = []): void {
  const redactor = new Redactor();
  const walk = (v: unknown, p: string[]) => {
    if (typeof v === "string") {
      if (redactor.redact(v) !== v) {
        throw new ConfigError(
          file,
          p.join(".") || "(root)",
          "the value looks like a credential",
          "secrets live in Windmill resources, never in the repository",
        );
      }
      return;
    }
    if (Array.isArray(v)) return v.forEach((x, i) => walk(x, [...p, String(i)]));
    if (v && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) {
        if (SECRET_KEY.test(k)) {
          throw new ConfigError(
            file,
            [...p, k].join("."),
            "secret-looking keys are not allowed in this file",
            "secrets live in Windmill resources (c_devgodzilla_agents), never in the repository",
          );
        }
        walk(x, [...p, k]);
      }
    }
  };
  walk(value, at);
}

// ---------------------------------------------------------------------------------------------
// Parsing

/** The org resource: lib/agents' fields through parseAgentsConfig, ours (by_phase, by_story, review) here. */
export function parseOrgAgents(raw: unknown, file = ORG_RESOURCE): OrgAgents {
  if (raw !== undefined && raw !== null && (typeof raw !== "object" || Array.isArray(raw))) {
    throw new ConfigError(file, "(root)", "must be an object");
  }
  const obj = (raw ?? {}) as Record<string, unknown>;
  const ext: Record<string, unknown> = {};
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) ((ORG_EXTENSION_KEYS as readonly string[]).includes(k) ? ext : rest)[k] = v;
  const base = parseAgentsConfig(rest, file);
  const parsed = OrgExtensionSchema.safeParse(ext);
  if (!parsed.success) throw toConfigError(file, parsed.error, "fix the agents resource");
  const e = parsed.data;
  const out: OrgAgents = {
    base,
    byPhase: (e.by_phase ?? {}) as Record<string, Choice>,
    byStory: (e.by_story ?? {}) as Record<string, Choice>,
    review: e.review ? { agent: e.review.agent as AgentId, model: e.review.model, weight: e.review.weight ?? DEFAULT_REVIEW_WEIGHT } : null,
    defaultGiven: obj.default_agent !== undefined,
    file,
  };
  const check = (field: string, c: Choice) => {
    if (!base.enabled.includes(c.agent)) throw new ConfigError(file, field, `agent ${c.agent} is not in enabled`, "add it to enabled or choose another agent");
  };
  for (const [k, c] of Object.entries(out.byPhase)) check(`by_phase.${k}.agent`, c);
  for (const [k, c] of Object.entries(out.byStory)) check(`by_story.${k}.agent`, c);
  if (out.review) check("review.agent", out.review);
  return out;
}

/** Parses the text of `.devgodzilla/agents.yaml`. `file` names it in errors. */
export function parseProjectAgents(text: string, file = PROJECT_AGENTS_FILE, org?: OrgAgents): ProjectAgents {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) {
    const err = doc.errors[0]!;
    const pos = err.linePos?.[0];
    throw new ConfigError(file, pos ? `line ${pos.line}, column ${pos.col}` : "(yaml)", `malformed YAML: ${err.message.split("\n")[0]}`, "fix the YAML syntax");
  }
  const raw = doc.toJS() ?? {};
  if (typeof raw !== "object" || Array.isArray(raw))
    throw new ConfigError(file, "(root)", "must be a mapping of fields (default, models, phases, stories, task_types, tasks, review)");
  rejectSecrets(raw, file);
  const parsed = ProjectSchema.safeParse(raw);
  if (!parsed.success) throw toConfigError(file, parsed.error, "see resources/project-agents.example.yaml");
  const p = parsed.data;
  const out: ProjectAgents = {
    file,
    default: p.default as Choice | undefined,
    models: (p.models ?? {}) as Partial<Record<AgentId, string>>,
    phases: (p.phases ?? {}) as Record<string, Choice>,
    stories: (p.stories ?? {}) as Record<string, Choice>,
    taskTypes: (p.task_types ?? {}) as Partial<Record<TaskType, Choice>>,
    tasks: (p.tasks ?? {}) as Record<string, Choice>,
    review: p.review as ProjectAgents["review"],
  };
  if (org) {
    const check = (field: string, c: Choice | undefined) => {
      if (c && !org.base.enabled.includes(c.agent)) {
        throw new ConfigError(
          file,
          field,
          `agent ${c.agent} is not enabled in the organisation's agents resource`,
          `enable it in ${org.file} or choose another agent`,
        );
      }
    };
    check("default.agent", out.default);
    for (const [k, c] of Object.entries(out.phases)) check(`phases.${k}.agent`, c);
    for (const [k, c] of Object.entries(out.stories)) check(`stories.${k}.agent`, c);
    for (const [k, c] of Object.entries(out.taskTypes)) check(`task_types.${k}.agent`, c);
    for (const [k, c] of Object.entries(out.tasks)) check(`tasks.${k}.agent`, c);
    check("review.agent", out.review);
  }
  return out;
}

/** Reads `.devgodzilla/agents.yaml` (or .yml) from a checkout; null when the project has none. */
export function loadProjectAgents(repoDir: string, org?: OrgAgents): ProjectAgents | null {
  for (const rel of [PROJECT_AGENTS_FILE, PROJECT_AGENTS_FILE.replace(/\.yaml$/, ".yml")]) {
    const text = repoFiles(repoDir).readTextSync(rel);
    if (text !== null) return parseProjectAgents(text, rel, org);
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Resolution

const TYPE_OF_KIND: Record<string, TaskType | undefined> = { code: "code", test: "test", doc: "docs", config: "config" };
const TYPE_PRIORITY: TaskType[] = ["code", "test", "config", "docs"];

/** test / code / docs / config from the task's file paths (classifyPath); majority wins, ties by code > test > config > docs. */
export function inferTaskType(files: readonly string[] = []): { type: TaskType; source: string } {
  const counts = new Map<TaskType, number>();
  for (const f of files) {
    const t = TYPE_OF_KIND[classifyPath(f.replace(/\/$/, "/x"))];
    if (t) counts.set(t, (counts.get(t) ?? 0) + 1);
  }
  if (!counts.size)
    return { type: "code", source: files.length ? "inferred: no recognisable file type, code assumed" : "inferred: no file paths, code assumed" };
  const best = [...counts.entries()].sort((a, b) => b[1] - a[1] || TYPE_PRIORITY.indexOf(a[0]) - TYPE_PRIORITY.indexOf(b[0]))[0]![0];
  return { type: best, source: `inferred from file paths (${[...counts.entries()].map(([t, n]) => `${n} ${t}`).join(", ")})` };
}

function pickModel(
  agent: AgentId,
  choice: Choice,
  choiceSource: string,
  org: OrgAgents,
  project: ProjectAgents | null,
): { model: string | null; modelSource: string } {
  if (choice.model) return { model: choice.model, modelSource: choiceSource };
  const pm = project?.models[agent];
  if (pm) return { model: pm, modelSource: `project override: models.${agent}` };
  const om = org.base.agents[agent]?.model;
  if (om) return { model: om, modelSource: `org default: agents.${agent}.model` };
  const dm = AGENTS[agent].defaultModel;
  if (dm) return { model: dm, modelSource: "registry default" };
  return { model: null, modelSource: "agent's own default" };
}

/** Resolves one task. `org` defaults to the resource's defaults; `project` may be null. */
export function resolveTaskAgent(task: TaskFacts, org: OrgAgents, project: ProjectAgents | null = null): TaskAssignment {
  const inferred = task.type ? { type: task.type, source: "given" } : inferTaskType(task.files ?? []);
  const candidates: [Choice | undefined, string][] = [];
  const P = (field: string) => `project override: ${field}`;
  const O = (field: string) => `org default: ${field}`;
  candidates.push([project?.tasks[task.id], P(`tasks.${task.id}`)]);
  const byTask = org.base.byTask[task.id];
  candidates.push([byTask ? { agent: byTask } : undefined, O(`by_task.${task.id}`)]);
  if (task.story) {
    candidates.push([project?.stories[task.story], P(`stories.${task.story}`)]);
    candidates.push([org.byStory[task.story], O(`by_story.${task.story}`)]);
  }
  candidates.push([project?.taskTypes[inferred.type], P(`task_types.${inferred.type}`)]);
  const byType = org.base.byTaskType[inferred.type];
  candidates.push([byType ? { agent: byType } : undefined, O(`by_task_type.${inferred.type}`)]);
  const phaseKeys = [task.phase?.number, task.phase?.kind].filter((k): k is string => !!k);
  for (const k of phaseKeys) candidates.push([project?.phases[k], P(`phases.${k}`)]);
  for (const k of phaseKeys) candidates.push([org.byPhase[k], O(`by_phase.${k}`)]);
  candidates.push([project?.default, P("default")]);
  candidates.push([{ agent: org.base.defaultAgent }, org.defaultGiven ? O("default_agent") : "built-in default (no default_agent in the agents resource)"]);

  for (const [choice, source] of candidates) {
    if (!choice) continue;
    if (!org.base.enabled.includes(choice.agent)) {
      // Org entries were checked at parse time; this is a project entry parsed without the org.
      throw new ConfigError(
        project?.file ?? org.file,
        source.replace(/^.*?: /, ""),
        `agent ${choice.agent} is not enabled in the organisation's agents resource`,
      );
    }
    return {
      taskId: task.id,
      taskType: inferred.type,
      taskTypeSource: inferred.source,
      agent: choice.agent,
      source,
      ...pickModel(choice.agent, choice, source, org, project),
    };
  }
  // Unreachable while the org default agent is enabled (parseOrgAgents checks it).
  throw new ConfigError(org.file, "default_agent", `no enabled agent is left for task ${task.id}`, "enable the default agent in the agents resource");
}

/**
 * A task whose agent was given explicitly (a run input, or the DAG executor's fallback agent): that
 * agent with source "run input"; its model still resolves the usual way (project models, org model).
 */
export function explicitTaskAgent(task: TaskFacts, agent: AgentId, org: OrgAgents, project: ProjectAgents | null = null, source = "run input"): TaskAssignment {
  const inferred = task.type ? { type: task.type, source: "given" } : inferTaskType(task.files ?? []);
  // Not checked against `enabled` here: runAgent refuses a disabled agent and moves along `fallback`.
  return { taskId: task.id, taskType: inferred.type, taskTypeSource: inferred.source, agent, source, ...pickModel(agent, { agent }, source, org, project) };
}

/** Minimal shape of the TaskDag (lib/speckit/tasks.ts) that resolution reads. */
export interface DagLike {
  tasks: { id: string; story: string | null; phase: number; files: string[] }[];
  phases: { index: number; number: string | null; kind: string }[];
}

/** Resolves every task of a parsed tasks.md; the list goes into the run result as-is. */
export function resolveAssignments(dag: DagLike, org: OrgAgents, project: ProjectAgents | null = null): TaskAssignment[] {
  return dag.tasks.map((t) => {
    const ph = dag.phases.find((p) => p.index === t.phase) ?? dag.phases[t.phase];
    return resolveTaskAgent({ id: t.id, story: t.story, files: t.files, phase: ph ? { number: ph.number, kind: ph.kind } : null }, org, project);
  });
}

/** The reviewer for the engine-based review: project review > org review > none. */
export function resolveReviewer(org: OrgAgents, project: ProjectAgents | null = null): (ResolvedAgent & { weight: number }) | null {
  const choice = project?.review ?? org.review;
  if (!choice) return null;
  const source = project?.review ? "project override: review" : "org default: review";
  if (!org.base.enabled.includes(choice.agent))
    throw new ConfigError(project?.review ? project.file : org.file, "review.agent", `agent ${choice.agent} is not enabled`);
  const weight = project?.review?.weight ?? org.review?.weight ?? DEFAULT_REVIEW_WEIGHT;
  return { agent: choice.agent, source, weight, ...pickModel(choice.agent, choice, source, org, project) };
}

/** An AgentsConfig with one agent's model replaced (runAgent takes no model argument). */
export function configWithModel(cfg: AgentsConfig, agent: AgentId, model: string | null): AgentsConfig {
  if (!model) return cfg;
  const current = cfg.agents[agent] ?? {
    model: null,
    timeoutMs: cfg.defaults.timeoutMs,
    idleTimeoutMs: cfg.defaults.idleTimeoutMs,
    apiKey: null,
    baseUrl: null,
    env: {},
  };
  return { ...cfg, agents: { ...cfg.agents, [agent]: { ...current, model } } };
}

/** One markdown table of the assignments, for the run page. */
export function assignmentsMarkdown(rows: TaskAssignment[]): string {
  const out = ["| task | type | agent | model | from |", "|---|---|---|---|---|"];
  for (const r of rows) out.push(`| ${r.taskId} | ${r.taskType} | ${r.agent} | ${r.model ?? "(agent default)"} | ${r.source} |`);
  return out.join("\n");
}
