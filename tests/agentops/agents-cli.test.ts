import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { runAgentsCommand } from "../../scripts/runner/agents-cli.ts";

const FIX = path.join(import.meta.dirname, "../fixtures/agentops");
const CANARY = "canary-secret-7f3a9c1e5b";
let dir: string;
let bin: string;
let model: http.Server;
let CONFIG: Record<string, unknown>;
const prevFile = process.env.DEVGODZILLA_RESOURCES_FILE;

beforeAll(async () => {
  // The model endpoint health probes: any HTTP answer means reachable.
  model = http.createServer((_req, res) => res.writeHead(401).end());
  await new Promise<void>((r) => model.listen(0, "127.0.0.1", r));
  const baseUrl = `http://127.0.0.1:${(model.address() as AddressInfo).port}`;
  CONFIG = { bin_dir: "", default_agent: "claude-code", agents: { "claude-code": { api_key: "$var:f/devgodzilla/claude_key", base_url: baseUrl } } };
  dir = mkdtempSync(path.join(tmpdir(), "dg-agents-cli-"));
  bin = path.join(dir, "bin");
  mkdirSync(bin);
  symlinkSync(path.join(FIX, "fake-cli.mjs"), path.join(bin, "claude"));
  symlinkSync(path.join(FIX, "fake-cli.mjs"), path.join(bin, "qwen"));
  symlinkSync(path.join(FIX, "broken-cli.mjs"), path.join(bin, "codex"));
});
afterEach(() => {
  if (prevFile === undefined) delete process.env.DEVGODZILLA_RESOURCES_FILE;
  else process.env.DEVGODZILLA_RESOURCES_FILE = prevFile;
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await new Promise<void>((r) => model.close(() => r()));
});

function store(agents: Record<string, unknown>): void {
  const file = path.join(dir, `local-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(
    file,
    JSON.stringify({
      resources: { "f/devgodzilla/agents": { resource_type: "c_devgodzilla_agents", value: agents } },
      variables: { "f/devgodzilla/claude_key": CANARY },
    }),
  );
  process.env.DEVGODZILLA_RESOURCES_FILE = file;
}

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await runAgentsCommand(argv, { out: (s) => (out += s + "\n"), err: (s) => (err += s + "\n") });
  return { code, out, err };
}

describe("devgodzilla agents", () => {
  it("list prints the registry table with every agent, its mode and what it needs", async () => {
    store({ ...CONFIG, bin_dir: bin });
    const r = await run("list");
    expect(r.code).toBe(0);
    expect(r.out).toContain("| claude-code | Claude Code | headless | – | claude | npm @anthropic-ai/claude-code@2.1.328 |");
    expect(r.out).toContain("| amp | Amp | vendor service | needs Amp (ampcode.com account) |");
    expect(r.out).toContain("| windsurf | Windsurf | IDE handoff | – |");
    expect(r.out).toContain("| cursor | Cursor | vendor service (+ IDE handoff) |");
    expect(r.out.match(/^\| [a-z-]+/gm)!.length).toBe(19 + 1);
    const j = JSON.parse((await run("agents", "list", "--json")).out);
    expect(j.map((a: { id: string }) => a.id)).toContain("jules");
  });

  it("health prints statuses; --json is machine-readable; the key never shows", async () => {
    store({ ...CONFIG, bin_dir: bin });
    const text = await run("health", "claude-code", "codex", "shai");
    expect(text.code).toBe(1); // codex is broken/keyless and shai missing: named agents all count
    expect(text.out).toMatch(/claude-code.*✅ ok/);
    expect(text.out).toMatch(/shai.*❌ missing/);
    const j = await run("health", "claude-code", "--json");
    expect(j.code).toBe(0);
    const report = JSON.parse(j.out);
    expect(report.agents[0]).toMatchObject({ id: "claude-code", status: "ok", credentials: { present: true } });
    expect(text.out + j.out).not.toContain(CANARY);
  });

  it("test runs a tiny real task through execute_task in the sandbox and shows the committed diff and final message", async () => {
    store({ ...CONFIG, bin_dir: bin });
    const r = await run("test", "claude-code");
    expect(r.code).toBe(0);
    expect(r.out).toContain("✅ claude-code: created DEVGODZILLA_TEST.md with the requested line and changed nothing else");
    expect(r.out).toContain("+hello from claude-code");
    expect(r.out).toContain("Created DEVGODZILLA_TEST.md with the requested line.");
    expect(r.out).toMatch(/sandboxed, .*200\+50 tokens, \$0\.0040/);
    expect(r.out + r.err).not.toContain(CANARY);
    const j = JSON.parse((await run("test", "qwen", "--json")).out);
    expect(j).toMatchObject({ agent: "qwen", ok: true, outcome: "changed", sandboxed: true, filesChanged: ["DEVGODZILLA_TEST.md"], repoDir: null });
  });

  it("a missing agent fails the test with the reason; bad ids and bad configuration exit 2 naming the field", async () => {
    store({ ...CONFIG, bin_dir: bin });
    const missing = await run("test", "shai");
    expect(missing.code).toBe(1);
    expect(missing.out).toMatch(/shai: the agent could not run/);
    expect(missing.out).toMatch(/error: shai: executable shai not found/);
    expect((await run("test", "devin")).code).toBe(2);
    expect((await run("frobnicate")).code).toBe(2);
    store({ default_agent: "devin" });
    const bad = await run("health");
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/f\/devgodzilla\/agents .*\(default_agent\): unknown agent/);
  });
});
