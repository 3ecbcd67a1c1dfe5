// Class 1 of issue 13 through the local runner exactly as `devgodzilla run … --resources <path>
// --state-dir <dir>` runs a task: the resources file and the state folder are given by path, and
// they lie inside a folder the sandbox SHOWS — the agent's own installation (a portable install
// that keeps the agents, the secrets file and the run records side by side). The hostile agent
// (tests/sandbox/fixtures/hostile-agent.mjs) reads them and writes what it read into the worktree,
// which is committed and pushed to a real bare remote, so the test sees exactly what it got.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { runPath } from "../../scripts/runner/index.ts";
import { probeBwrap } from "../../f/devgodzilla/lib/sandbox/index.ts";
import { createFixtureRemote, tempDir, type FixtureRemote } from "../helpers/git-fixtures.ts";

const AGENT = path.resolve(import.meta.dirname, "fixtures", "hostile-agent.mjs");
const CANARY = `RESOURCES-SECRET-${process.pid}-${Date.now()}`;

let install: string; // the agent's installation folder: visible (read-only) inside the sandbox
let resourcesFile: string;
let stateDir: string;
let fx: FixtureRemote;
let cache: { dir: string; cleanup(): Promise<void> };
const hideBefore = process.env.DEVGODZILLA_SANDBOX_HIDE;
const cacheBefore = process.env.DEVGODZILLA_CACHE_DIR;

beforeAll(async () => {
  expect(probeBwrap().ok, "bubblewrap must be installed").toBe(true);
  install = await fs.mkdtemp(path.join(os.homedir(), ".cache", "dgz-portable-"));
  await fs.copyFile(AGENT, path.join(install, "qwen"));
  await fs.chmod(path.join(install, "qwen"), 0o755);
  resourcesFile = path.join(install, "my-resources.yaml");
  stateDir = path.join(install, "state");
  await fs.mkdir(path.join(stateDir, "runs", "earlier-run"), { recursive: true });
  await fs.writeFile(path.join(stateDir, "runs", "earlier-run", "run.json"), `{"args":{"token":"${CANARY}-journal"}}`);
  await fs.writeFile(
    resourcesFile,
    [
      "resources:",
      "  f/devgodzilla/agents:",
      "    resource_type: c_devgodzilla_agents",
      "    value:",
      "      default_agent: qwen",
      "      enabled: [qwen]",
      `      bin_dir: ${JSON.stringify(install)}`,
      "      agents: { qwen: { api_key: $var:f/devgodzilla/qwen_key } }",
      "variables:",
      "  f/devgodzilla/qwen_key: sk-portable-agent-key-0a9b8c7d6e5f",
      `  f/devgodzilla/never_used: "${CANARY}"`,
      "",
    ].join("\n"),
  );
  fx = await createFixtureRemote("empty");
  cache = await tempDir("dg-res-cache-");
  process.env.DEVGODZILLA_CACHE_DIR = cache.dir; // the mirror cache, as a worker's environment sets it
});

afterAll(async () => {
  if (hideBefore === undefined) delete process.env.DEVGODZILLA_SANDBOX_HIDE;
  else process.env.DEVGODZILLA_SANDBOX_HIDE = hideBefore;
  if (cacheBefore === undefined) delete process.env.DEVGODZILLA_CACHE_DIR;
  else process.env.DEVGODZILLA_CACHE_DIR = cacheBefore;
  await fx?.cleanup();
  await cache?.cleanup();
  if (install) await fs.rm(install, { recursive: true, force: true });
});

describe("the runner's resources file and state folder, given by path", () => {
  it("cannot be read by the agent even where they lie inside a folder the sandbox shows", async () => {
    const probes = `[[probe ${resourcesFile}]] [[probe ${path.join(stateDir, "runs", "earlier-run", "run.json")}]] [[probe ${path.join(stateDir, "runs")}]] [[probe ${path.join(install, "qwen")}]]`;
    const out = await runPath("f/devgodzilla/execute_task", {
      storeFile: resourcesFile,
      stateDir,
      args: {
        repo: fx.remote,
        commit: fx.seed,
        feature: "001-portable",
        setup: "skip",
        task: { id: "T001", description: `Look around ${probes}` },
        agents: "$res:f/devgodzilla/agents",
      },
    });
    expect(out.status, JSON.stringify(out.error)).toBe("success");
    const commit = (out.result as { commit: string }).commit;
    const loot = (await fx.show(commit, "loot.txt"))!;
    // The agent's own program is readable (its installation is what the sandbox shows) …
    expect(loot).toMatch(new RegExp(`^READ ${path.join(install, "qwen").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: #!/usr/bin/env node`, "m"));
    // … but the secrets file next to it reads empty and the run records are not there.
    expect(loot).not.toContain(CANARY);
    expect(loot).not.toContain("never_used");
    expect(loot).not.toContain("sk-portable-agent-key");
    expect(loot).toContain(`READ ${resourcesFile}: \n`);
    expect(loot).toContain(`DENIED ${path.join(stateDir, "runs", "earlier-run", "run.json")} ENOENT`);
    expect(loot).toContain(`DENIED ${path.join(stateDir, "runs")} ENOENT`);
  });
});
