import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentsHealth, healthMarkdown, probeEndpoint } from "../../f/devgodzilla/lib/agentops/health.ts";
import { installSpeckitCommands } from "../../f/devgodzilla/lib/agentops/speckit_commands.ts";

const FIX = path.join(import.meta.dirname, "../fixtures/agentops");
let bin: string;
let repo: string;
let server: http.Server;
let up: string;
let down: string;
const hits: { method: string; auth: string | undefined; key: string | undefined }[] = [];

beforeAll(async () => {
  bin = mkdtempSync(path.join(tmpdir(), "dg-health-bin-"));
  repo = mkdtempSync(path.join(tmpdir(), "dg-health-repo-"));
  symlinkSync(path.join(FIX, "fake-cli.mjs"), path.join(bin, "codex"));
  symlinkSync(path.join(FIX, "fake-cli.mjs"), path.join(bin, "claude"));
  symlinkSync(path.join(FIX, "broken-cli.mjs"), path.join(bin, "kiro-cli"));
  server = http.createServer((req, res) => {
    hits.push({ method: req.method!, auth: req.headers.authorization, key: req.headers["x-goog-api-key"] as string | undefined });
    res.writeHead(401).end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  up = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1alpha`;
  // A port nobody listens on: bind, note it, close.
  const tmp = http.createServer();
  await new Promise<void>((r) => tmp.listen(0, "127.0.0.1", r));
  down = `http://127.0.0.1:${(tmp.address() as AddressInfo).port}/v1`;
  await new Promise<void>((r) => tmp.close(() => r()));
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(bin, { recursive: true, force: true });
  rmSync(repo, { recursive: true, force: true });
});

const SECRET = "jules-key-0123456789abcdef";

describe("agent health", () => {
  it("distinguishes installed, missing, broken, no credentials and unreachable endpoints", async () => {
    const report = await agentsHealth({
      config: {
        bin_dir: bin,
        default_agent: "codex",
        fallback: ["claude-code"],
        agents: { codex: { api_key: "codex-key-abcdef123", base_url: up }, "claude-code": { base_url: up }, jules: { api_key: SECRET, base_url: up } },
      },
      llm: { openai: { api_key: "sk-local-llm-key-000000000", base_url: down } },
      agents: ["codex", "claude-code", "shai", "q", "jules", "llm"],
      timeoutMs: 3000,
    });
    const by = Object.fromEntries(report.agents.map((a) => [a.id, a]));
    expect(by.codex).toMatchObject({
      status: "ok",
      installed: { found: true, path: path.join(bin, "codex"), version: "codex 1.2.3-agentops" },
      credentials: { required: true, present: true, via: "c_devgodzilla_agents: agents.codex.api_key" },
    });
    // The agent's base_url is probed (any HTTP answer, 401 included, means it is there).
    expect(by.codex.endpoint).toMatchObject({ url: up, reachable: true, httpStatus: 401 });
    expect(by["claude-code"]).toMatchObject({
      status: "no-credentials",
      installed: { found: true, version: "claude 1.2.3-agentops" },
      credentials: { present: false, via: null },
    });
    expect(by.shai).toMatchObject({ status: "missing", installed: { found: false, path: null } });
    // Installed but broken: found, `--version` fails, and the status and the problem say so.
    expect(by.q).toMatchObject({ status: "broken", installed: { found: true, path: path.join(bin, "kiro-cli"), version: null } });
    expect(by.q.problems[0]).toMatch(/--version exited 127: error while loading shared libraries/);
    expect(by.jules).toMatchObject({ status: "ok", credentials: { present: true }, endpoint: { url: up, reachable: true, httpStatus: 401 } });
    expect(by.jules.endpoint!.latencyMs).toBeGreaterThanOrEqual(0);
    expect(by.llm).toMatchObject({ status: "unreachable", credentials: { present: true }, endpoint: { url: down, reachable: false, latencyMs: null } });
    expect(by.llm.endpoint!.error).toBe("cannot connect (host not found, connection refused or network unreachable)"); // the same words under Node and Bun
    expect(report.overall).toBe("degraded");
    // The probe carried no credentials, and no key appears anywhere in the report.
    expect(hits.length).toBeGreaterThan(0);
    expect(hits.every((h) => h.method === "HEAD" && !h.auth && !h.key)).toBe(true);
    const text = JSON.stringify(report) + healthMarkdown(report);
    for (const s of [SECRET, "codex-key-abcdef123", "sk-local-llm-key-000000000"]) expect(text).not.toContain(s);
  });

  it("overall counts only the agents the configuration uses", async () => {
    const ok = await agentsHealth({
      config: { bin_dir: bin, default_agent: "codex", enabled: ["codex", "shai"], agents: { codex: { api_key: "codex-key-abcdef123", base_url: up } } },
    });
    expect(ok.inUse).toEqual(["codex"]);
    expect(ok.agents.map((a) => `${a.id}:${a.status}`)).toEqual(["codex:ok", "shai:missing"]);
    expect(ok.overall).toBe("ok");
    const bad = await agentsHealth({
      config: {
        bin_dir: bin,
        default_agent: "codex",
        fallback: ["shai"],
        enabled: ["codex", "shai"],
        agents: { codex: { api_key: "codex-key-abcdef123", base_url: up } },
      },
    });
    expect(bad.overall).toBe("degraded");
  });

  it("no LLM resource: the llm agent has no credentials", async () => {
    const r = await agentsHealth({ agents: ["llm"], timeoutMs: 300 });
    expect(r.agents[0]).toMatchObject({ id: "llm", status: "no-credentials", credentials: { required: true, present: false } });
  });

  it("IDE agents are manual (a person runs them), never ok; a checkout without their commands is not set up", async () => {
    expect((await agentsHealth({ agents: ["windsurf", "roo", "bob"] })).agents.map((a) => a.status)).toEqual(["manual", "manual", "manual"]);
    const before = await agentsHealth({ agents: ["windsurf"], repoDir: repo });
    expect(before.agents[0]).toMatchObject({ status: "not-set-up", commandFolder: { dir: ".windsurf/workflows", exists: false } });
    await installSpeckitCommands(repo, ["windsurf"]);
    const after = await agentsHealth({ agents: ["windsurf"], repoDir: repo });
    expect(after.agents[0]).toMatchObject({ status: "manual", mode: "ide-handoff", commandFolder: { exists: true, missing: [] } });
    expect(after.overall).toBe("ok");
  });

  it("a BYOK provider key counts as the agent's credential", async () => {
    const r = await agentsHealth({
      config: { bin_dir: bin, agents: { copilot: { base_url: up, env: { COPILOT_PROVIDER_API_KEY: "sk-byok-0123456789abcdef" } } } },
      agents: ["copilot"],
    });
    expect(r.agents[0]!.credentials).toEqual({ required: true, present: true, via: "c_devgodzilla_agents: agents.copilot.env.COPILOT_PROVIDER_API_KEY" });
  });

  it("a vendor-service agent that is installed and has its key still says which service it needs", async () => {
    const r = await agentsHealth({ config: { bin_dir: bin, agents: { "claude-code": { api_key: "k-0123456789abcdef" } } }, agents: ["amp"] });
    expect(r.agents[0]).toMatchObject({ id: "amp", mode: "vendor-service", needs: "Amp (ampcode.com account)" });
    expect(healthMarkdown(r)).toContain("needs Amp (ampcode.com account)");
  });

  it("a timeout is reported as unreachable with the time waited", async () => {
    const slow = http.createServer(() => {}); // never answers
    await new Promise<void>((r) => slow.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/`;
    const p = await probeEndpoint(url, 200);
    slow.closeAllConnections();
    await new Promise<void>((r) => slow.close(() => r()));
    expect(p).toMatchObject({ reachable: false, error: "no answer within 200 ms" });
  });
});
