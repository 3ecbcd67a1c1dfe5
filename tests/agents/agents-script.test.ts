import { afterEach, describe, expect, it } from "vitest";
import { runPath } from "../../scripts/runner/index.ts";
import { FAKE_BIN, tempDir } from "./helpers.ts";

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

describe("f/devgodzilla/agents", () => {
  it("lists every agent with health on the local runner and never shows a key", async () => {
    const state = tempDir();
    cleanups.push(state.cleanup);
    const KEY = "sk-agents-script-secret-000000000";
    const out = await runPath("f/devgodzilla/agents", {
      args: { agents: "$res:f/devgodzilla/agents_config", openai: "$res:f/devgodzilla/openai" },
      store: {
        resources: {
          "f/devgodzilla/agents_config": { resource_type: "c_devgodzilla_agents", value: { bin_dir: FAKE_BIN, default_agent: "qwen", agents: { qwen: { api_key: KEY, model: "qwen3-coder" } } } },
          "f/devgodzilla/openai": { resource_type: "openai", value: { api_key: "sk-openai-secret-1111111111" } },
        },
        variables: {},
      },
      stateDir: state.path,
    });
    expect(out.status).toBe("success");
    const result = out.result as { render_all: [{ markdown: string }, { "table-row-object": any[] }] };
    const rows = result.render_all[1]["table-row-object"];
    expect(rows.map((r) => r.agent)).toHaveLength(19);
    const qwen = rows.find((r) => r.agent === "qwen");
    expect(qwen).toMatchObject({ installed: true, key_present: true, model: "qwen3-coder", version: "qwen 9.9.9-fake", key_env: "OPENAI_API_KEY | DASHSCOPE_API_KEY" });
    expect(rows.find((r) => r.agent === "codex")).toMatchObject({ key_present: false, installed: true });
    expect(rows.find((r) => r.agent === "windsurf")).toMatchObject({ kind: "ide", installed: null });
    expect(rows.find((r) => r.agent === "llm")).toMatchObject({ kind: "api", key_present: true });
    expect(result.render_all[0].markdown).toContain("Ready to run headless (enabled, installed, key configured): qwen, llm");
    const text = JSON.stringify(out);
    expect(text).not.toContain(KEY);
    expect(text).not.toContain("sk-openai-secret");
  });

  it("a bad agents resource fails with the field named", async () => {
    const state = tempDir();
    cleanups.push(state.cleanup);
    const out = await runPath("f/devgodzilla/agents", {
      args: { agents: { agents: { codx: {} } } },
      store: { resources: {}, variables: {} },
      stateDir: state.path,
    });
    expect(out.status).toBe("failure");
    expect(JSON.stringify(out.error)).toMatch(/agents\.codx/);
  });
});
