import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../f/devgodzilla/lib/errors.ts";
import {
  assignmentsMarkdown,
  configWithModel,
  inferTaskType,
  loadProjectAgents,
  parseOrgAgents,
  parseProjectAgents,
  resolveAssignments,
  resolveReviewer,
  resolveTaskAgent,
  type TaskFacts,
} from "../../f/devgodzilla/lib/agentops/assignments.ts";
import { renderTaskPrompt, resolveTaskPrompt } from "../../f/devgodzilla/lib/agentops/prompts.ts";
import { parseTasksMd } from "../../f/devgodzilla/lib/speckit/tasks.ts";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const tmp = () => {
  const d = mkdtempSync(path.join(tmpdir(), "dg-agentops-"));
  dirs.push(d);
  return d;
};

const ORG = parseOrgAgents({
  default_agent: "codex",
  by_task: { T009: "qwen" },
  by_task_type: { docs: "llm" },
  by_story: { US2: { agent: "opencode", model: "openai/gpt-5" } },
  by_phase: { polish: "claude-code", setup: "gemini-cli" },
  agents: { codex: { model: "gpt-5-codex" }, "claude-code": { model: "sonnet" } },
  review: { agent: "claude-code", weight: 0.3 },
});

const PROJECT = parseProjectAgents(
  `# project overrides
default: { agent: qwen, model: qwen3-coder }
models: { codex: o4-mini }
phases: { "3": kilocode }
stories: { US1: { agent: gemini-cli, model: gemini-2.5-pro } }
task_types: { test: { agent: codex } }
tasks: { T004: { agent: copilot, model: gpt-4.1 } }
`,
  ".devgodzilla/agents.yaml",
  ORG,
);

describe("assignment precedence: task > story > task type > phase > project default > org default", () => {
  // [task, project?, expected agent, expected model, expected source]
  const matrix: [TaskFacts, boolean, string, string | null, string][] = [
    // task id beats everything, project before org
    [
      { id: "T004", story: "US1", files: ["tests/a.test.ts"], phase: { number: "3", kind: "story" } },
      true,
      "copilot",
      "gpt-4.1",
      "project override: tasks.T004",
    ],
    [{ id: "T009", story: "US1", files: ["src/a.ts"] }, true, "qwen", null, "org default: by_task.T009"],
    // story beats task type and phase
    [
      { id: "T010", story: "US1", files: ["tests/a.test.ts"], phase: { number: "3", kind: "story" } },
      true,
      "gemini-cli",
      "gemini-2.5-pro",
      "project override: stories.US1",
    ],
    [{ id: "T011", story: "US2", files: ["tests/a.test.ts"] }, true, "opencode", "openai/gpt-5", "org default: by_story.US2"],
    // task type beats phase; model falls back to the project's per-agent model
    [
      { id: "T012", story: "US3", files: ["tests/unit/x.test.ts"], phase: { number: "3", kind: "story" } },
      true,
      "codex",
      "o4-mini",
      "project override: task_types.test",
    ],
    [{ id: "T013", files: ["README.md", "docs/guide.md"], phase: { number: "9", kind: "polish" } }, true, "llm", null, "org default: by_task_type.docs"],
    // phase: project by number beats org by kind
    [{ id: "T014", files: ["src/x.ts"], phase: { number: "3", kind: "story" } }, true, "kilocode", null, "project override: phases.3"],
    [{ id: "T015", files: ["src/x.ts"], phase: { number: "9", kind: "polish" } }, true, "claude-code", "sonnet", "org default: by_phase.polish"],
    // project default, then org default
    [{ id: "T016", files: ["src/x.ts"], phase: { number: "4", kind: "story" } }, true, "qwen", "qwen3-coder", "project override: default"],
    [{ id: "T016", files: ["src/x.ts"], phase: { number: "4", kind: "story" } }, false, "codex", "gpt-5-codex", "org default: default_agent"],
    // without the project file, the org's levels still apply in order
    [{ id: "T004", story: "US2", files: ["src/x.ts"] }, false, "opencode", "openai/gpt-5", "org default: by_story.US2"],
    [{ id: "T017", files: ["src/x.ts"], phase: { number: "1", kind: "setup" } }, false, "gemini-cli", null, "org default: by_phase.setup"],
  ];
  it.each(matrix)("%# %o (project: %s) → %s %s from %s", (task, withProject, agent, model, source) => {
    const r = resolveTaskAgent(task, ORG, withProject ? PROJECT : null);
    expect(r.agent).toBe(agent);
    expect(r.model).toBe(model);
    expect(r.source).toBe(source);
  });

  it("with no resource at all every task gets the built-in default, and says so", () => {
    const r = resolveTaskAgent({ id: "T001", files: [] }, parseOrgAgents(undefined));
    expect(r).toMatchObject({ agent: "llm", source: "built-in default (no default_agent in the agents resource)", taskType: "code" });
  });

  it("resolves every task of a real tasks.md, with the source shown in a markdown table", () => {
    const dag = parseTasksMd(`# Tasks: Greeting

## Phase 1: Setup (Shared Infrastructure)

- [ ] T001 Add the CI workflow in .github/workflows/ci.yml

## Phase 3: User Story 1 - Greet (Priority: P1) 🎯 MVP

- [ ] T002 [P] [US1] Write the greeting test in tests/greet.test.ts
- [ ] T003 [US1] Implement greet in src/greet.ts
- [ ] T004 [US1] Wire greet into src/cli.ts

## Phase 4: Polish & Cross-Cutting Concerns

- [ ] T005 Document the greeting in docs/greeting.md
`);
    const rows = resolveAssignments(dag, ORG, PROJECT);
    expect(rows.map((r) => [r.taskId, r.taskType, r.agent, r.source])).toEqual([
      ["T001", "config", "gemini-cli", "org default: by_phase.setup"],
      ["T002", "test", "gemini-cli", "project override: stories.US1"],
      ["T003", "code", "gemini-cli", "project override: stories.US1"],
      ["T004", "code", "copilot", "project override: tasks.T004"],
      ["T005", "docs", "llm", "org default: by_task_type.docs"],
    ]);
    expect(assignmentsMarkdown(rows)).toContain("| T004 | code | copilot | gpt-4.1 | project override: tasks.T004 |");
  });
});

describe("task type inference from file paths", () => {
  it.each([
    [["tests/a.test.ts", "tests/b.test.ts"], "test"],
    [["src/a.ts", "tests/a.test.ts"], "code"],
    [["README.md"], "docs"],
    [["package.json", ".github/workflows/ci.yml"], "config"],
    [[], "code"],
  ] as const)("%o → %s", (files, type) => {
    expect(inferTaskType(files).type).toBe(type);
  });
});

describe("bad configuration is one ConfigError naming the file and field", () => {
  const bad = (text: string) => {
    try {
      parseProjectAgents(text, ".devgodzilla/agents.yaml", ORG);
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return e as ConfigError;
    }
    throw new Error("expected a ConfigError");
  };
  it("unknown agent id", () => {
    const e = bad("tasks: { T004: { agent: devin } }");
    expect(e).toMatchObject({ file: ".devgodzilla/agents.yaml", field: "tasks.T004.agent" });
    expect(e.message).toMatch(/unknown agent/);
  });
  it("unknown field in a choice (modle instead of model)", () => {
    expect(bad("stories: { US1: { agent: codex, modle: gpt-5 } }")).toMatchObject({ field: "stories.US1.modle" });
  });
  it("unknown top-level field", () => {
    expect(bad("defaults: codex")).toMatchObject({ field: "defaults" });
  });
  it("unknown agent under models", () => {
    expect(bad("models: { devin: x }")).toMatchObject({ field: "models.devin" });
  });
  it("bad task id key and bad task type", () => {
    expect(bad("tasks: { task4: codex }").field).toBe("tasks.task4");
    expect(bad("task_types: { tests: codex }").field).toBe("task_types.tests");
  });
  it("malformed YAML names the line", () => {
    const e = bad("tasks:\n  T004: { agent: codex\nstories: [");
    expect(e.field).toMatch(/^line \d+, column \d+$/);
    expect(e.message).toMatch(/malformed YAML/);
  });
  it("secret-looking keys and values are refused (no secrets in the repository)", () => {
    expect(bad("api_key: abc123456").field).toBe("api_key");
    expect(bad("tasks: { T004: { agent: codex, token: xyz123456 } }").field).toBe("tasks.T004.token");
    const e = bad("default: { agent: codex, model: sk-proj-abcdefghijklmnopqrstuvwxyz }");
    expect(e.field).toBe("default.model");
    expect(e.message).not.toContain("sk-proj-abcdefghijklmnopqrstuvwxyz");
  });
  it("an agent the organisation did not enable", () => {
    const org = parseOrgAgents({ enabled: ["codex", "llm"], default_agent: "codex" });
    expect(() => parseProjectAgents("default: qwen", "x.yaml", org)).toThrow(/default\.agent.*not enabled/);
  });
  it("org extension fields are validated too (and the agents config's fields still by its schema)", () => {
    expect(() => parseOrgAgents({ by_story: { US1: "devin" } })).toThrow(ConfigError);
    expect(() => parseOrgAgents({ by_story: { US1: "devin" } })).toThrow(/by_story\.US1\.agent/);
    expect(() => parseOrgAgents({ by_phase: { later: "codex" } })).toThrow(/by_phase\.later/);
    expect(() => parseOrgAgents({ default_agent: "devin" })).toThrow(/default_agent/);
  });
  it("loads the file from a checkout, and a missing file means no overrides", () => {
    const repo = tmp();
    expect(loadProjectAgents(repo, ORG)).toBeNull();
    mkdirSync(path.join(repo, ".devgodzilla"));
    writeFileSync(path.join(repo, ".devgodzilla/agents.yaml"), "tasks: { T001: kilocode }\n");
    expect(resolveTaskAgent({ id: "T001" }, ORG, loadProjectAgents(repo, ORG)).source).toBe("project override: tasks.T001");
  });
});

describe("the shipped example override file", () => {
  it("parses and resolves", () => {
    const text = readFileSync(path.join(import.meta.dirname, "../../resources/project-agents.example.yaml"), "utf8");
    const p = parseProjectAgents(text, "resources/project-agents.example.yaml", parseOrgAgents({}));
    expect(resolveTaskAgent({ id: "T004" }, parseOrgAgents({}), p)).toMatchObject({ agent: "gemini-cli", model: "gemini-2.5-pro" });
    expect(resolveTaskAgent({ id: "T005", files: ["tests/x.test.ts"] }, parseOrgAgents({}), p)).toMatchObject({ agent: "claude-code", model: "opus" });
  });
});

describe("reviewer and model plumbing", () => {
  it("project review beats org review; weight falls back to the org's", () => {
    expect(resolveReviewer(ORG, null)).toMatchObject({ agent: "claude-code", model: "sonnet", weight: 0.3, source: "org default: review" });
    const p = parseProjectAgents("review: { agent: codex }", "a.yaml", ORG);
    expect(resolveReviewer(ORG, p)).toMatchObject({ agent: "codex", model: "gpt-5-codex", weight: 0.3, source: "project override: review" });
  });
  it("configWithModel sets the resolved model for runAgent without touching other agents", () => {
    const c = configWithModel(ORG.base, "qwen", "qwen3-coder");
    expect(c.agents.qwen?.model).toBe("qwen3-coder");
    expect(c.agents.codex?.model).toBe("gpt-5-codex");
    expect(ORG.base.agents.qwen).toBeUndefined();
  });
});

describe("prompt templates per agent and task type", () => {
  it("bundle defaults per type, agent-specific where shipped", () => {
    expect(resolveTaskPrompt("qwen", "test").source).toBe("bundle: prompts/agents/default/test");
    expect(resolveTaskPrompt("llm", "code").source).toBe("bundle: prompts/agents/llm/code");
    const text = renderTaskPrompt(resolveTaskPrompt("qwen", "test").template, {
      task_id: "T002",
      description: "Write the test",
      files: ["tests/a.test.ts"],
      spec_path: "specs/001-x/spec.md",
    });
    expect(text).toContain("task T002");
    expect(text).toContain("tests/a.test.ts");
    expect(text).toContain("BLOCKED(clarify)");
    expect(text).not.toMatch(/\{\{/);
  });
  it("a project override wins (agent folder before default folder), and unknown placeholders are refused", () => {
    const repo = tmp();
    mkdirSync(path.join(repo, ".devgodzilla/prompts/codex"), { recursive: true });
    mkdirSync(path.join(repo, ".devgodzilla/prompts/default"), { recursive: true });
    writeFileSync(path.join(repo, ".devgodzilla/prompts/codex/test.md"), "Codex tests for {{task_id}} in {{files}}");
    writeFileSync(path.join(repo, ".devgodzilla/prompts/default/test.md"), "Any agent: {{task_id}}");
    expect(resolveTaskPrompt("codex", "test", repo)).toMatchObject({ source: "project override: .devgodzilla/prompts/codex/test.md" });
    expect(resolveTaskPrompt("qwen", "test", repo).source).toBe("project override: .devgodzilla/prompts/default/test.md");
    expect(resolveTaskPrompt("qwen", "code", repo).source).toBe("bundle: prompts/agents/default/code");
    writeFileSync(path.join(repo, ".devgodzilla/prompts/codex/docs.md"), "Docs for {{ticket}}");
    expect(() => resolveTaskPrompt("codex", "docs", repo)).toThrow(ConfigError);
    expect(() => resolveTaskPrompt("codex", "docs", repo)).toThrow(/codex\/docs\.md \(\{\{ticket\}\}\)/);
  });
});

describe("prepareTaskAgent: assignment + prompt + config in one call", () => {
  it("resolves from the checkout's override file and renders that agent's prompt for the task type", async () => {
    const { prepareTaskAgent } = await import("../../f/devgodzilla/lib/agentops/index.ts");
    const repo = tmp();
    mkdirSync(path.join(repo, ".devgodzilla/prompts/copilot"), { recursive: true });
    writeFileSync(path.join(repo, ".devgodzilla/agents.yaml"), "tasks: { T004: { agent: copilot, model: gpt-4.1 } }\n");
    writeFileSync(path.join(repo, ".devgodzilla/prompts/copilot/code.md"), "Do {{task_id}}: {{description}} ({{agent}}, {{task_type}})");
    const p = prepareTaskAgent({ id: "T004", files: ["src/a.ts"] }, { org: { default_agent: "codex" }, repoDir: repo, values: { description: "wire it" } });
    expect(p).toMatchObject({
      agent: "copilot",
      model: "gpt-4.1",
      source: "project override: tasks.T004",
      promptSource: "project override: .devgodzilla/prompts/copilot/code.md",
      prompt: "Do T004: wire it (copilot, code)",
    });
    expect(p.config.agents.copilot?.model).toBe("gpt-4.1");
    expect(prepareTaskAgent({ id: "T005", files: ["tests/a.test.ts"] }, { org: { default_agent: "codex" }, repoDir: repo })).toMatchObject({
      agent: "codex",
      source: "org default: default_agent",
      promptSource: "bundle: prompts/agents/default/test",
    });
  });
});
