import { describe, expect, it } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { buildCliArgs, runCliAgent } from "../../f/devgodzilla/lib/agents/cli.ts";
import { parseAgentsConfig } from "../../f/devgodzilla/lib/agents/config.ts";
import { AGENTS, type AgentId } from "../../f/devgodzilla/lib/agents/registry.ts";
import {
  AgentFailedError,
  AgentTimeoutError,
  AgentUnavailableError,
  ExecutionBlockedError,
  TransientAgentError,
} from "../../f/devgodzilla/lib/agents/types.ts";
import { FAKE_BIN, isAlive, readRecords, tempDirsPerTest, waitUntil } from "./helpers.ts";

const dir = tempDirsPerTest();

// The headless command lines the agents document (template + auto-approve),
// with P = prompt and M = model.
const P = "Implement T001: add hello.txt";
const M = "some-model";
const DOCUMENTED: Record<string, string[]> = {
  codex: ["exec", "--skip-git-repo-check", "--dangerously-bypass-approvals-and-sandbox", "-m", M, "--json", P],
  "claude-code": ["-p", P, "--model", M, "--output-format", "stream-json", "--verbose", "--dangerously-skip-permissions"],
  opencode: ["run", "-m", "prov/" + M, "--format", "json", "--auto", P],
  "gemini-cli": ["-p", P, "-m", M, "-o", "json", "--approval-mode", "yolo", "--skip-trust"],
  qwen: ["-p", P, "-m", M, "-o", "json", "--yolo"],
  copilot: ["-p", P, "--model", M, "--allow-all", "--no-ask-user", "--output-format", "json"],
  cursor: ["-p", P, "--model", M, "--output-format", "json", "--force", "--trust", "--approve-mcps"],
  qoder: ["-p", P, "--model", M, "-o", "json", "--permission-mode", "bypass_permissions"],
  q: ["chat", "--no-interactive", "--trust-all-tools", "--model", M, P],
  auggie: ["--print", "--quiet", "--output-format", "json", "-m", M, P],
  codebuddy: ["-p", P, "--model", M, "--output-format", "json", "-y"],
  kilocode: ["run", "--auto", "-m", "prov/" + M, "--format", "json", P],
  amp: ["-x", P, "--dangerously-allow-all", "--stream-json"],
  shai: ["-p", P, "--trace"],
};
const CLI_AGENTS = Object.keys(DOCUMENTED) as AgentId[];
// OpenCode-style agents take "provider/model".
const modelFor = (id: AgentId) => (id === "opencode" || id === "kilocode" ? "prov/" + M : M);

// What each fake prints in the agent's shape: tokens, cost and session id the parser must find.
const EXPECTED: Record<string, { tokens: [number, number]; cost: number | null; session: string | null }> = {
  codex: { tokens: [120, 45], cost: null, session: "sess-codex-1" },
  "claude-code": { tokens: [120, 45], cost: 0.0123, session: "sess-claude-1" },
  opencode: { tokens: [120, 45], cost: 0.0123, session: "sess-opencode-1" },
  "gemini-cli": { tokens: [120, 45], cost: null, session: "sess-gemini-1" },
  qwen: { tokens: [120, 45], cost: null, session: "sess-qwen-1" },
  copilot: { tokens: [0, 0], cost: null, session: "sess-copilot-1" },
  cursor: { tokens: [0, 0], cost: null, session: "sess-cursor-agent-1" },
  qoder: { tokens: [0, 0], cost: null, session: "sess-qodercli-1" },
  q: { tokens: [0, 0], cost: null, session: null },
  auggie: { tokens: [0, 0], cost: null, session: "sess-auggie-1" },
  codebuddy: { tokens: [0, 0], cost: null, session: "sess-codebuddy-1" },
  kilocode: { tokens: [120, 45], cost: 0.0123, session: "sess-kilo-1" },
  amp: { tokens: [120, 45], cost: null, session: "sess-amp-1" },
  shai: { tokens: [0, 0], cost: null, session: null },
};

function config(extra: Record<string, unknown> = {}) {
  return parseAgentsConfig({ bin_dir: FAKE_BIN, ...extra });
}

describe("CLI adapter command lines", () => {
  it("covers every agent the registry marks as a headless CLI", () => {
    const cli = Object.values(AGENTS)
      .filter((a) => a.kind === "cli")
      .map((a) => a.id)
      .sort();
    expect(cli).toEqual([...CLI_AGENTS].sort());
  });

  it.each(CLI_AGENTS)("%s: builds the documented headless argv", (id) => {
    expect(buildCliArgs(AGENTS[id], { prompt: P, model: AGENTS[id].cli!.template.includes("{model}") ? modelFor(id) : null })).toEqual(DOCUMENTED[id]);
  });

  it("drops the model flag when no model is configured, and never lets a prompt pose as a flag", () => {
    expect(buildCliArgs(AGENTS.qwen, { prompt: P, model: null })).toEqual(["-p", P, "-o", "json", "--yolo"]);
    const args = buildCliArgs(AGENTS.codex, { prompt: "--help me", model: null });
    expect(args.at(-1)).toBe(" --help me");
    // opencode takes a session title (saves it a title request to the model)
    expect(buildCliArgs(AGENTS.opencode, { prompt: P, model: "p/m", title: "T001" })).toEqual([
      "run",
      "-m",
      "p/m",
      "--format",
      "json",
      "--auto",
      "--title",
      "T001",
      P,
    ]);
  });

  it("IDE and API agents have no headless command line", () => {
    for (const id of ["windsurf", "roo", "bob", "jules", "llm"] as AgentId[]) {
      expect(() => buildCliArgs(AGENTS[id], { prompt: P })).toThrow(AgentUnavailableError);
    }
  });
});

describe("CLI adapter runs (fake agent executables)", () => {
  it.each(CLI_AGENTS)("%s: runs with the documented argv, edits the worktree and parses its JSON output", async (id) => {
    const cwd = dir();
    const record = join(dir(), "record.jsonl");
    const cfg = config({ agents: { [id]: { model: modelFor(id) } } });
    const res = await runCliAgent({ agentId: id, prompt: P, cwd, config: cfg, env: { FAKE_AGENT_RECORD: record }, log: false });
    const [rec] = readRecords(record);
    expect(rec!.argv).toEqual(DOCUMENTED[id]);
    expect(rec!.cwd).toBe(cwd);
    const exe = AGENTS[id].executables[0]!;
    expect(existsSync(join(cwd, `fake-${exe}.txt`))).toBe(true);
    expect(res.finalMessage).toContain("Done: edited files");
    expect([res.tokens.input, res.tokens.output]).toEqual(EXPECTED[id]!.tokens);
    expect(res.costUsd === null ? null : Number(res.costUsd.toFixed(4))).toEqual(EXPECTED[id]!.cost);
    expect(res.sessionId).toBe(EXPECTED[id]!.session);
    expect(res.block).toBeNull();
    expect(res.exitCode).toBe(0);
    if (AGENTS[id].capabilities.jsonOutput) expect(res.events).toBeGreaterThan(0);
  });

  it("keys reach the agent only through its env var, never argv, and are redacted from output", async () => {
    const key = "sk-test-FAKEKEY-0123456789abcdef";
    const record = join(dir(), "record.jsonl");
    const cfg = config({ agents: { qwen: { api_key: key, base_url: "http://127.0.0.1:9/v1", model: "m1" } } });
    const lines: string[] = [];
    const res = await runCliAgent({
      agentId: "qwen",
      prompt: "[[fake:leak]] do it",
      cwd: dir(),
      config: cfg,
      log: false,
      env: { FAKE_AGENT_RECORD: record, FAKE_AGENT_LEAK_VAR: "OPENAI_API_KEY" },
      onLine: (l) => lines.push(l),
    });
    const [rec] = readRecords(record);
    expect(rec!.env.OPENAI_API_KEY).toBe(key);
    expect(rec!.env.OPENAI_BASE_URL).toBe("http://127.0.0.1:9/v1");
    expect(rec!.env.OPENAI_MODEL).toBe("m1");
    expect(rec!.argv.join(" ")).not.toContain(key);
    expect(lines.join("\n")).toContain("leaking [REDACTED]");
    expect(JSON.stringify(res)).not.toContain(key);
  });

  it("sets the headless env each agent needs (trust, sandbox flag, OpenAI-compatible provider)", async () => {
    const record = join(dir(), "r.jsonl");
    const cfg = config({ agents: { opencode: { model: "mock/mock-model", base_url: "http://127.0.0.1:9/v1", api_key: "sk-oc-0123456789abcdef" } } });
    for (const id of ["gemini-cli", "claude-code", "opencode"] as AgentId[]) {
      await runCliAgent({ agentId: id, prompt: P, cwd: dir(), config: cfg, env: { FAKE_AGENT_RECORD: record }, log: false });
    }
    const [gem, claude, oc] = readRecords(record);
    expect(gem!.env.GEMINI_CLI_TRUST_WORKSPACE).toBe("true");
    if (process.getuid?.() === 0) expect(claude!.env.IS_SANDBOX).toBe("1");
    expect(oc!.env.OPENCODE_DISABLE_AUTOUPDATE).toBe("1");
    expect(JSON.parse(oc!.env.OPENCODE_CONFIG_CONTENT!)).toEqual({
      provider: {
        mock: {
          npm: "@ai-sdk/openai-compatible",
          name: "mock",
          options: { baseURL: "http://127.0.0.1:9/v1", apiKey: "sk-oc-0123456789abcdef" },
          models: { "mock-model": { name: "mock-model", tool_call: true } },
        },
      },
    });
    expect(oc!.argv).toEqual(["run", "-m", "mock/mock-model", "--format", "json", "--auto", P]);
  });

  it("points each CLI at the configured endpoint the way it reads one (codex provider, kilo's own variable, copilot BYOK, gemini API-key auth)", async () => {
    const record = join(dir(), "r.jsonl");
    const url = "http://127.0.0.1:9/v1";
    const home = dir();
    const cfg = config({
      agents: {
        codex: { model: "m", base_url: url, api_key: "sk-cx-0123456789abcdef" },
        kilocode: { model: "mock/m", base_url: url, api_key: "sk-kc-0123456789abcdef" },
        copilot: { model: "gpt-4.1", base_url: url, api_key: "sk-cp-0123456789abcdef" },
        "gemini-cli": { model: "gemini-2.5-flash", base_url: "http://127.0.0.1:9", api_key: "g-0123456789abcdef" },
      },
    });
    for (const id of ["codex", "kilocode", "copilot", "gemini-cli"] as AgentId[]) {
      await runCliAgent({ agentId: id, prompt: P, cwd: dir(), config: cfg, env: { FAKE_AGENT_RECORD: record, HOME: home }, log: false });
    }
    const [codex, kilo, copilot, gemini] = readRecords(record);
    expect(codex!.env.CODEX_HOME).toBe(join(home, ".codex"));
    expect(codex!.env.CODEX_API_KEY).toBe("sk-cx-0123456789abcdef");
    const toml = readFileSync(join(home, ".codex/config.toml"), "utf8");
    expect(toml).toMatch(/model_provider = "devgodzilla"/);
    expect(toml).toMatch(
      /\[model_providers\.devgodzilla\][^[]*base_url = "http:\/\/127\.0\.0\.1:9\/v1"[^[]*env_key = "CODEX_API_KEY"[^[]*wire_api = "responses"/s,
    );
    expect(JSON.parse(kilo!.env.KILO_CONFIG_CONTENT!).provider.mock.options.baseURL).toBe(url);
    expect(kilo!.env.OPENCODE_CONFIG_CONTENT).toBeUndefined();
    expect(copilot!.env).toMatchObject({
      COPILOT_PROVIDER_BASE_URL: url,
      COPILOT_PROVIDER_TYPE: "openai",
      COPILOT_PROVIDER_API_KEY: "sk-cp-0123456789abcdef",
      COPILOT_MODEL: "gpt-4.1",
    });
    expect(copilot!.env.COPILOT_GITHUB_TOKEN).toBeUndefined();
    expect(gemini!.env.GOOGLE_GEMINI_BASE_URL).toBe("http://127.0.0.1:9");
    expect(JSON.parse(readFileSync(join(home, ".gemini/settings.json"), "utf8")).security.auth.selectedType).toBe("gemini-api-key");
  });

  it("each run gets a fresh HOME that is removed afterwards, unless the caller gives one", async () => {
    const record = join(dir(), "r.jsonl");
    await runCliAgent({ agentId: "gemini-cli", prompt: P, cwd: dir(), config: config(), env: { FAKE_AGENT_RECORD: record }, log: false });
    const home = readRecords(record)[0]!.env.HOME;
    expect(home).not.toBe(process.env.HOME);
    expect(existsSync(home)).toBe(false);
    const mine = dir();
    await runCliAgent({ agentId: "gemini-cli", prompt: P, cwd: dir(), config: config(), env: { FAKE_AGENT_RECORD: record, HOME: mine }, log: false });
    expect(readRecords(record)[1]!.env.HOME).toBe(mine);
    expect(JSON.parse(readFileSync(join(mine, ".gemini/settings.json"), "utf8")).privacy.usageStatisticsEnabled).toBe(false);
  });

  it("the agent does not inherit this process's environment", async () => {
    process.env.DG_PARENT_ONLY_SECRET = "parent-only-secret-value";
    try {
      const record = join(dir(), "record.jsonl");
      await runCliAgent({ agentId: "codex", prompt: P, cwd: dir(), config: config(), env: { FAKE_AGENT_RECORD: record }, log: false });
      const [rec] = readRecords(record);
      expect(rec!.env.DG_PARENT_ONLY_SECRET).toBeUndefined();
      expect(Object.keys(rec!.env).filter((k) => /KEY|TOKEN/.test(k))).toEqual([]);
    } finally {
      delete process.env.DG_PARENT_ONLY_SECRET;
    }
  });

  it("a missing executable is AgentUnavailableError with an install hint", async () => {
    const cfg = parseAgentsConfig({ bin_dir: dir() });
    const old = process.env.PATH;
    process.env.PATH = "/usr/bin:/bin";
    try {
      await expect(runCliAgent({ agentId: "claude-code", prompt: P, cwd: dir(), config: cfg, log: false })).rejects.toThrow(
        /claude.*not found.*@anthropic-ai\/claude-code/,
      );
    } finally {
      process.env.PATH = old;
    }
  });

  it("a disabled agent is unavailable", async () => {
    const cfg = config({ enabled: ["codex", "llm"] });
    await expect(runCliAgent({ agentId: "qwen", prompt: P, cwd: dir(), config: cfg, log: false })).rejects.toBeInstanceOf(AgentUnavailableError);
  });

  it("a hanging agent is stopped by the idle watchdog and no process of its group survives", async () => {
    const lines: string[] = [];
    const err = await runCliAgent({
      agentId: "claude-code",
      prompt: "[[fake:grandchild]]",
      cwd: dir(),
      config: config({ agents: { "claude-code": { idle_timeout_seconds: 1 } } }),
      log: false,
      onLine: (l) => lines.push(l),
    }).catch((e) => e);
    expect(err).toBeInstanceOf(AgentTimeoutError);
    expect(err.kind).toBe("idle");
    const gc = Number(/GRANDCHILD_PID=(\d+)/.exec(lines.join("\n"))![1]);
    expect(await waitUntil(() => !isAlive(gc))).toBe(true);
  });

  it("the wall-clock timeout is AgentTimeoutError(wall)", async () => {
    const err = await runCliAgent({ agentId: "gemini-cli", prompt: "[[fake:chatty]]", cwd: dir(), config: config(), timeoutMs: 700, log: false }).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(AgentTimeoutError);
    expect(err.kind).toBe("wall");
  });

  it("maps failures to typed errors: transient, auth, permission, documented exit codes, plain failure", async () => {
    const run = (id: AgentId, stderr: string, code: number) =>
      runCliAgent({ agentId: id, prompt: `[[fake:exit ${code}]]`, cwd: dir(), config: config(), env: { FAKE_AGENT_STDERR: stderr }, log: false }).catch(
        (e) => e,
      );
    expect(await run("codex", "stream error: 429 Too Many Requests, rate limit reached", 1)).toBeInstanceOf(TransientAgentError);
    const auth = await run("claude-code", "Invalid API key · Please run /login", 1);
    expect(auth).toBeInstanceOf(ExecutionBlockedError);
    expect(auth.reason).toBe("auth");
    const q = await run("q", "Tool approval required but --no-interactive was specified", 1);
    expect(q).toBeInstanceOf(ExecutionBlockedError);
    expect(q.reason).toBe("permission");
    const gem = await run("gemini-cli", "something", 41);
    expect(gem).toBeInstanceOf(ExecutionBlockedError);
    expect(gem.reason).toBe("auth");
    const plain = await run("qwen", "TypeError: x is undefined", 2);
    expect(plain).toBeInstanceOf(AgentFailedError);
    expect(plain.exitCode).toBe(2);
    expect(plain.message).toContain("TypeError");
  });

  it("an error reported inside the JSON fails the run even with exit 0", async () => {
    const err = await runCliAgent({ agentId: "codex", prompt: "[[fake:error-json]]", cwd: dir(), config: config(), log: false }).catch((e) => e);
    expect(err).toBeInstanceOf(AgentFailedError);
    expect(err.message).toContain("model error: boom");
  });

  it("an agent asking for clarification returns a clarify block as data", async () => {
    const res = await runCliAgent({ agentId: "opencode", prompt: "[[fake:clarify]] export", cwd: dir(), config: config(), log: false });
    expect(res.block).toMatchObject({ kind: "clarify", reason: "needs-clarification" });
    expect(res.block!.question).toContain("CSV or JSON?");
  });

  it("a config's bin_dir wins over PATH", async () => {
    const record = join(dir(), "r.jsonl");
    const res = await runCliAgent({ agentId: "amp", prompt: P, cwd: dir(), config: config(), env: { FAKE_AGENT_RECORD: record }, log: false });
    expect(res.via).toBe(join(FAKE_BIN, "amp"));
    expect(readRecords(record)[0]!.env.PATH.startsWith(FAKE_BIN)).toBe(true);
    expect(readFileSync(join(FAKE_BIN, "amp"), "utf8")).toContain("fake coding-agent");
  });
});

describe("CLI adapter sandbox hook", () => {
  it("a wrap hook can rewrite the command, and its dispose runs after the process ends", async () => {
    const record = join(dir(), "r.jsonl");
    let disposed = false;
    const res = await runCliAgent({
      agentId: "qwen",
      prompt: P,
      cwd: dir(),
      config: config(),
      env: { FAKE_AGENT_RECORD: record },
      log: false,
      // Stands in for lib/sandbox wrapInSandbox: run the same command through /usr/bin/env.
      wrap: (cmd) => ({
        ...cmd,
        file: "/usr/bin/env",
        args: ["DG_WRAPPED=yes", cmd.file, ...cmd.args],
        dispose: async () => {
          disposed = true;
        },
      }),
    });
    expect(res.exitCode).toBe(0);
    const [rec] = readRecords(record);
    expect(rec!.env.DG_WRAPPED).toBe("yes");
    expect(rec!.argv).toEqual(DOCUMENTED.qwen.filter((a) => a !== "-m" && a !== M));
    expect(disposed).toBe(true);
  });

  it("names the endpoints the sandbox must allow: the configured base URL, else the known API", async () => {
    const { agentEndpoints } = await import("../../f/devgodzilla/lib/agents/cli.ts");
    expect(agentEndpoints(config(), "codex")).toEqual(["https://api.openai.com"]);
    expect(agentEndpoints(config({ agents: { qwen: { base_url: "http://127.0.0.1:8080/v1" } } }), "qwen")).toEqual(["http://127.0.0.1:8080/v1"]);
    expect(agentEndpoints(config(), "amp")).toEqual([]);
  });
});
