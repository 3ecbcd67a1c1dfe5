import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parse } from "yaml";
import { ConfigError } from "../../f/devgodzilla/lib/errors.ts";
import { agentSettings, parseAgentsConfig, redactorFor, resolveAgentForTask } from "../../f/devgodzilla/lib/agents/config.ts";
import { AGENT_IDS, AGENTS, IDE_AGENT_IDS, listAgents } from "../../f/devgodzilla/lib/agents/registry.ts";

describe("agent registry", () => {
  it("has the 18 agents of the design plus the built-in llm agent", () => {
    expect(AGENT_IDS).toHaveLength(19);
    expect(listAgents().map((a) => a.id)).toEqual([...AGENT_IDS]);
    expect(AGENTS.llm.kind).toBe("api");
    expect(AGENTS.jules.kind).toBe("api");
  });

  it("gives each agent the command folder and prompt format it documents", () => {
    const dirs = Object.fromEntries(listAgents().map((a) => [a.id, [a.commandDir, a.promptFormat]]));
    expect(dirs).toMatchObject({
      codex: [".agents/skills/", "skill"],
      "claude-code": [".claude/skills/", "skill"],
      opencode: [".opencode/commands/", "markdown"],
      "gemini-cli": [".gemini/commands/", "toml"],
      qwen: [".qwen/commands/", "markdown"],
      copilot: [".github/skills/", "skill"],
      cursor: [".cursor/skills/", "skill"],
      windsurf: [".windsurf/workflows/", "markdown"],
      qoder: [".qoder/skills/", "skill"],
      q: [".kiro/prompts/", "markdown"],
      auggie: [".augment/commands/", "markdown"],
      codebuddy: [".codebuddy/commands/", "markdown"],
      kilocode: [".kilo/commands/", "markdown"],
      roo: [".roo/commands/", "markdown"],
      amp: [".agents/commands/", "markdown"],
      shai: [".shai/commands/", "markdown"],
      bob: [".bob/skills/", "skill"],
    });
  });

  it("records the key env vars and the IDE command files", () => {
    expect(AGENTS.codex.env.keys[0]).toBe("CODEX_API_KEY");
    expect(AGENTS["claude-code"].env.keys[0]).toBe("ANTHROPIC_API_KEY");
    expect(AGENTS.copilot.env.keys).toEqual(["COPILOT_GITHUB_TOKEN", "GH_TOKEN", "GITHUB_TOKEN"]);
    expect(AGENTS.jules.env.keys).toEqual(["JULES_API_KEY"]);
    for (const id of IDE_AGENT_IDS) expect(AGENTS[id].ideCommand).not.toBeNull();
  });
});

describe("agent registry: modes, pins and install sources", () => {
  it("pins exactly the versions test:agents installs and runs (tests/agents/real/clis.json)", () => {
    const manifest = JSON.parse(readFileSync(resolve(import.meta.dirname, "real/clis.json"), "utf8")) as {
      agents: Record<string, { package: string; version: string; bin: string }>;
    };
    for (const [id, pin] of Object.entries(manifest.agents)) {
      const spec = AGENTS[id as keyof typeof AGENTS];
      expect(spec.install, id).toEqual({ npm: pin.package, npmVersion: pin.version });
      expect(spec.executables, id).toContain(pin.bin);
      expect(spec.mode, id).toBe("headless");
    }
  });

  it("says what each agent takes to run: headless here, a vendor's service, or a person in an IDE", () => {
    const byMode = (m: string) =>
      listAgents()
        .filter((a) => a.mode === m)
        .map((a) => a.id)
        .sort();
    expect(byMode("headless")).toEqual(["claude-code", "codex", "copilot", "gemini-cli", "kilocode", "llm", "opencode", "qwen"]);
    expect(byMode("ide-handoff")).toEqual(["bob", "roo", "windsurf"]);
    for (const a of listAgents()) expect(a.service === null, a.id).toBe(a.mode !== "vendor-service");
    for (const id of ["amp", "auggie", "qoder", "jules"] as const) expect(AGENTS[id].mode).toBe("vendor-service");
  });

  it("an agent no package registry has says where it comes from instead of naming a package", () => {
    for (const id of ["cursor", "q", "shai", "codebuddy", "windsurf", "roo", "bob"] as const) {
      expect(AGENTS[id].install.npm, id).toBeUndefined();
      expect(AGENTS[id].install.other, id).toMatch(/not on (a|the npm) (package )?registry|not a package/);
    }
  });
});

describe("c_devgodzilla_agents config", () => {
  it("fills defaults when the resource is silent", () => {
    const c = parseAgentsConfig(undefined);
    expect(c.defaultAgent).toBe("llm");
    expect(c.enabled).toEqual([...AGENT_IDS]);
    expect(agentSettings(c, "codex")).toMatchObject({ model: null, timeoutMs: 1_800_000, idleTimeoutMs: 600_000, apiKey: null });
  });

  it("applies per-agent model, timeouts and credentials", () => {
    const c = parseAgentsConfig({ timeout_seconds: 100, agents: { qwen: { model: "qwen3-coder", idle_timeout_seconds: 5, api_key: "k-123456789" } } });
    expect(agentSettings(c, "qwen")).toMatchObject({ model: "qwen3-coder", timeoutMs: 100_000, idleTimeoutMs: 5000, apiKey: "k-123456789" });
    expect(redactorFor(c).redact("key k-123456789")).toBe("key [REDACTED]");
  });

  it("chooses the agent per task id, then task type, then default", () => {
    const c = parseAgentsConfig({ default_agent: "codex", by_task_type: { test: "qwen" }, by_task: { T007: "claude-code" } });
    expect(resolveAgentForTask(c, { id: "T007", type: "test" })).toBe("claude-code");
    expect(resolveAgentForTask(c, { id: "T008", type: "test" })).toBe("qwen");
    expect(resolveAgentForTask(c, { id: "T009", type: "code" })).toBe("codex");
    expect(resolveAgentForTask(c, { agent: "amp" })).toBe("amp");
  });

  it("accepts the assignment fields lib/agentops reads from the same resource", () => {
    expect(parseAgentsConfig({ by_phase: { setup: "codex" }, by_story: { US1: { agent: "qwen" } }, review: "claude-code" }).defaultAgent).toBe("llm");
  });

  it.each([
    [{ agents: { "not-an-agent": {} } }, "agents.not-an-agent"],
    [{ default_agent: "gpt" }, "default_agent"],
    [{ agents: { codex: { modle: "x" } } }, "agents.codex.modle"],
    [{ colour: "blue" }, "colour"],
    [{ by_task: { T1: "nope" } }, "by_task.T1"],
    [{ agents: { codex: { env: { PATH: "/evil" } } } }, "agents.codex.env.PATH"],
    [{ agents: { codex: { timeout_seconds: -5 } } }, "agents.codex.timeout_seconds"],
    [{ enabled: ["codex"], default_agent: "qwen" }, "default_agent"],
    [{ agents: { windsurf: { api_key: "abcdefgh" } } }, "agents.windsurf.api_key"],
  ])("rejects %j naming the field", (raw, field) => {
    let err: unknown;
    try {
      parseAgentsConfig(raw);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).field).toBe(field);
  });

  it("the resource-type schema lists the same agent ids and top-level fields", () => {
    const rt = parse(readFileSync(resolve(import.meta.dirname, "../../resources/c_devgodzilla_agents.resource-type.yaml"), "utf8"));
    expect(rt.schema.$defs.agent_id.enum).toEqual([...AGENT_IDS]);
    expect(Object.keys(rt.schema.properties).sort()).toEqual(
      [
        "agents",
        "bin_dir",
        "by_phase",
        "by_story",
        "by_task",
        "by_task_type",
        "default_agent",
        "enabled",
        "fallback",
        "idle_timeout_seconds",
        "review",
        "sandbox",
        "timeout_seconds",
      ].sort(),
    );
    expect(Object.keys(rt.schema.properties.agents.additionalProperties.properties).sort()).toEqual([
      "api_key",
      "base_url",
      "env",
      "ide_handoff",
      "idle_timeout_seconds",
      "model",
      "timeout_seconds",
    ]);
  });
});
