// Class 5 of issue 13 with a real agent process: `devgodzilla run f/devgodzilla/execute_tasks` (a
// real runner process) starts the task's execute_task child job, whose agent (the hostile-agent fixture
// as `qwen`, in bubblewrap) is blocked on a request to its model endpoint — a loopback HTTP server
// of this test. The runner is killed with SIGKILL at that moment. The agent process must die with
// it (its held request closes), and `devgodzilla resume` must run the interrupted task step again and
// finish the run instead of waiting on it forever.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execa } from "execa";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { RunStore } from "../../scripts/runner/runs.ts";
import { probeBwrap } from "../../f/devgodzilla/lib/sandbox/index.ts";
import { createFixtureRemote, type FixtureRemote } from "../helpers/git-fixtures.ts";

const repoRoot = path.resolve(import.meta.dirname, "../..");
const bin = path.join(repoRoot, "scripts", "devgodzilla.mjs");
const tmp = mkdtempSync(path.join(os.tmpdir(), "dgz-resume-agent-"));
const resources = path.join(tmp, "resources.yaml");
let fx: FixtureRemote;
let server: http.Server;
let holdUrl = "";
const requests: string[] = [];
let agentHeld!: () => void;
const held = new Promise<void>((r) => (agentHeld = r));
let agentGone!: () => void;
const gone = new Promise<void>((r) => (agentGone = r));

const cli = (...args: string[]) => {
  const env = { DEVGODZILLA_CACHE_DIR: path.join(tmp, "cache") };
  return execa("node", [bin, ...args, "--state-dir", tmp, "--resources", resources], { reject: false, cwd: tmp, stdin: "ignore", env });
};

beforeAll(async () => {
  expect(probeBwrap().ok, "bubblewrap must be installed").toBe(true);
  // The agent's "model endpoint": the first request is held open (the agent waits on it); later ones are answered.
  server = http.createServer((req, res) => {
    requests.push(req.url ?? "");
    if (requests.length === 1) {
      req.socket.on("close", () => agentGone());
      agentHeld();
      return;
    }
    res.end("go");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  holdUrl = `http://127.0.0.1:${port}/v1/hold`;
  writeFileSync(
    resources,
    [
      "resources:",
      "  f/devgodzilla/agents:",
      "    resource_type: c_devgodzilla_agents",
      "    value:",
      "      default_agent: qwen",
      "      enabled: [qwen]",
      `      bin_dir: ${JSON.stringify(path.join(repoRoot, "tests", "sandbox", "fixtures", "bin"))}`,
      `      agents: { qwen: { api_key: sk-resume-agent-key-4c2e8a, base_url: "http://127.0.0.1:${port}/v1" } }`,
      "variables: {}",
      "",
    ].join("\n"),
  );
  const tasksMd = `# Tasks: resume\n\n## Phase 1\n\n- [ ] T001 Wait for the model [[hold ${holdUrl}]]\n`;
  fx = await createFixtureRemote("empty", { tmpRoot: tmp, extraFiles: { "specs/001-resume/tasks.md": tasksMd } });
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise<void>((r) => server?.close(() => r()));
  rmSync(tmp, { recursive: true, force: true });
});

describe("a run killed while a child job's agent process ran", () => {
  it("loses the agent process with the runner, and resume restarts the dead child job and finishes", async () => {
    const args = {
      repo: fx.remote,
      branch: "devgodzilla/001-resume",
      commit: fx.seed,
      feature: "001-resume",
      concurrency: 1,
      retries: 0,
      setup: "skip",
      agents: "$res:f/devgodzilla/agents",
    };
    const run = cli("run", "f/devgodzilla/execute_tasks", "-d", JSON.stringify(args));
    // The agent process is alive, inside the child job, waiting on its model (or the run ended early: say why).
    let killed = false;
    const endedEarly = run.then((r) => {
      if (!killed) throw new Error(`the run ended before the agent held its request:\n${r.stderr}`);
    });
    await Promise.race([held, endedEarly]);
    killed = true;
    run.kill("SIGKILL");
    await run;
    await gone; // the sandboxed agent died with the runner: its request was closed, not answered

    const store = new RunStore(tmp);
    const parent = store.list().find((r) => r.path === "f/devgodzilla/execute_tasks")!;
    expect(parent.status).toBe("running"); // what the dead runner left behind

    const resumed = await cli("resume", parent.id);
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    // The step whose agent died is run again (not waited on): the restarted agent asked again and got its answer.
    expect(requests).toHaveLength(2);
    expect(store.load(parent.id).status).toBe("success");
    expect((store.load(parent.id).result as { tasks: { id: string; status: string }[] }).tasks).toMatchObject([{ id: "T001", status: "succeeded" }]);
    const taskBranch = (await fx.branches()).find((b) => b.endsWith("/T001"));
    expect(taskBranch).toBeDefined();
    expect(await fx.show(taskBranch!, "loot.txt")).toContain("HOLD 200 go");
  }, 180_000);
});
