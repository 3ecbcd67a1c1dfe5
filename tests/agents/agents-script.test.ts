import { symlinkSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { runPath } from "../../scripts/runner/index.ts";
import { FAKE_BIN, tempDir } from "./helpers.ts";

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

// A loopback "model endpoint" for the built-in llm agent's reachability probe (any answer = reachable).
let server: http.Server;
let baseUrl: string;
beforeAll(async () => {
  server = http.createServer((_req, res) => res.writeHead(401).end());
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

describe("f/devgodzilla/agents", () => {
  it("shows each enabled agent's health on the local runner (installed, credentials, endpoint) and never a key", async () => {
    const state = tempDir();
    cleanups.push(state.cleanup);
    // Only qwen and codex are installed in this bin dir; shai is not.
    const bin = tempDir("dg-agents-bin-");
    cleanups.push(bin.cleanup);
    for (const exe of ["qwen", "codex"]) symlinkSync(join(FAKE_BIN, exe), join(bin.path, exe));
    const KEY = "sk-agents-script-secret-000000000";
    const LLM_KEY = "sk-llm-secret-1111111111";
    const out = await runPath("f/devgodzilla/agents", {
      args: { agents: "$res:f/devgodzilla/agents_config", llm: "$res:f/devgodzilla/llm" },
      store: {
        resources: {
          "f/devgodzilla/agents_config": {
            resource_type: "c_devgodzilla_agents",
            value: {
              bin_dir: bin.path,
              default_agent: "qwen",
              fallback: ["codex"],
              enabled: ["qwen", "codex", "shai", "windsurf", "llm"],
              agents: { qwen: { api_key: KEY, model: "qwen3-coder" } },
            },
          },
          "f/devgodzilla/llm": { resource_type: "c_devgodzilla_llm", value: { provider: "openai", api_key: LLM_KEY, base_url: baseUrl, model: "gpt-4.1" } },
        },
        variables: {},
      },
      stateDir: state.path,
    });
    expect(out.status, JSON.stringify(out.error ?? null)).toBe("success");
    const result = out.result as { render_all: [{ markdown: string }, { "table-row-object": any[] }] };
    const rows = result.render_all[1]["table-row-object"];
    const by = Object.fromEntries(rows.map((r) => [r.id, r]));
    expect(rows.map((r) => r.id)).toEqual(["codex", "qwen", "windsurf", "shai", "llm"]);
    expect(by.qwen).toMatchObject({
      status: "ok",
      inUse: true,
      installed: { found: true, version: "qwen 9.9.9-fake" },
      credentials: { present: true, via: "c_devgodzilla_agents: agents.qwen.api_key" },
    });
    expect(by.codex).toMatchObject({ status: "no-credentials", inUse: true, installed: { found: true } });
    expect(by.shai).toMatchObject({ status: "missing", inUse: false, installed: { found: false } });
    expect(by.shai.problems.join(" ")).toMatch(/not found on PATH or in .*: install it/);
    expect(by.windsurf).toMatchObject({ kind: "ide", installed: null });
    expect(by.llm).toMatchObject({ kind: "api", status: "ok", credentials: { present: true }, endpoint: { url: baseUrl, reachable: true, httpStatus: 401 } });
    // codex is in use (fallback) without a key: degraded, and the page says so.
    expect(result.render_all[0].markdown).toContain("**Agents: ⚠️ degraded** (in use: codex, qwen)");
    const text = JSON.stringify(out);
    expect(text).not.toContain(KEY);
    expect(text).not.toContain(LLM_KEY);
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
