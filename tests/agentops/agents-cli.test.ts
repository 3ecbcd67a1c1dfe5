import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { runAgentsCommand } from "../../scripts/runner/agents-cli.ts";

const FIX = path.join(import.meta.dirname, "../fixtures/agentops");
const CANARY = "canary-secret-7f3a9c1e5b";
let dir: string;
let bin: string;
const prevFile = process.env.DEVGODZILLA_RESOURCES_FILE;

beforeAll(() => {
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
afterAll(() => rmSync(dir, { recursive: true, force: true }));

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

const CONFIG = { bin_dir: "", default_agent: "claude-code", agents: { "claude-code": { api_key: "$var:f/devgodzilla/claude_key" } } };

describe("devgodzilla agents", () => {
  it("list prints the registry table with every agent", async () => {
    store({ ...CONFIG, bin_dir: bin });
    const r = await run("list");
    expect(r.code).toBe(0);
    expect(r.out).toContain("| claude-code | Claude Code | cli | claude |");
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

  it("test runs a tiny real task in a temporary git repository and shows the diff and final message", async () => {
    store({ ...CONFIG, bin_dir: bin });
    const r = await run("test", "claude-code");
    expect(r.code).toBe(0);
    expect(r.out).toContain("✅ claude-code: created DEVGODZILLA_TEST.md with the requested line and changed nothing else");
    expect(r.out).toContain("+hello from claude-code");
    expect(r.out).toContain("Created DEVGODZILLA_TEST.md with the requested line.");
    expect(r.out).toMatch(/200\+50 tokens, \$0\.0040/);
    expect(r.out + r.err).not.toContain(CANARY);
    const j = JSON.parse((await run("test", "qwen", "--json")).out);
    expect(j).toMatchObject({ agent: "qwen", ok: true, filesChanged: ["DEVGODZILLA_TEST.md"], repoDir: null });
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
