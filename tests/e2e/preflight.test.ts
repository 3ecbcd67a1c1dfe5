// Bad input fails a run at its preflight step, once, before anything is cloned, asked, spent or
// pushed — on Windmill too, where every later step that has a `retry` would retry it whatever the
// error. The demo's real bare remote, loopback model and loopback GitHub API; a real smart-HTTP git
// server for a remote that refuses the token.
import { execa } from "execa";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { acceptRecommended, setUpDemo, type Demo } from "../../scripts/demo/index.ts";
import { startForgeServer } from "../../scripts/fakes/github-server.ts";
import { runPath, RunStore, type LocalStore, type RunResult } from "../../scripts/runner/index.ts";
import { preflight } from "../../f/devgodzilla/lib/preflight.ts";
import { startGitHttpServer, writeFiles } from "../helpers/git-fixtures.ts";

let demo: Demo;
let tmp: string;
const refs = () => execa("git", ["--git-dir", demo.remote, "for-each-ref", "--format=%(refname)"]).then((r) => r.stdout.split("\n").sort());

beforeAll(async () => {
  demo = await setUpDemo();
  tmp = mkdtempSync(path.join(os.tmpdir(), "dgz-preflight-"));
  process.env.DEVGODZILLA_CACHE_DIR = path.join(tmp, "cache");
}, 60_000);
afterAll(async () => {
  await demo?.close();
  rmSync(tmp, { recursive: true, force: true });
  if (demo) rmSync(demo.dir, { recursive: true, force: true });
});

/** Runs a flow of the bundle on the demo's servers; returns the result and the steps that ran (id, attempts). */
async function run(flow: string, args: Record<string, unknown>, store: LocalStore = demo.store): Promise<{ out: RunResult; steps: [string, number][] }> {
  const stateDir = mkdtempSync(path.join(tmp, "state-"));
  const out = await runPath(flow, { args, store, stateDir, ask: acceptRecommended });
  const steps = new RunStore(stateDir)
    .journal(out.runId)
    .flatMap((e) => (e.type === "step" && e.parent_job === out.runId ? [[e.step_id, e.attempts] as [string, number]] : []));
  return { out, steps };
}

/** The run failed at preflight with this error, and nothing after it ran: no model call, no new ref on the remote. */
async function expectStoppedAtPreflight(r: { out: RunResult; steps: [string, number][] }, name: string, message: RegExp, refsBefore: string[]) {
  expect(r.out.status).toBe("failure");
  expect(r.steps.map(([id]) => id)).toEqual(["preflight", "failure"]); // the identity step leaves no job; the failure module reports
  expect(r.steps.find(([id]) => id === "preflight")![1]).toBe(1);
  expect(JSON.stringify(r.out.error ?? r.out.result)).toMatch(name);
  expect(JSON.stringify(r.out.error ?? r.out.result)).toMatch(message);
  // The failure module's report points at no run branch: there is none.
  const report = (r.out.result as { markdown?: string } | undefined)?.markdown ?? "";
  expect(report).toMatch(/failed at `preflight`[\s\S]*Nothing ran after the preflight check/);
  expect(report).not.toMatch(/run branch/);
  expect(demo.llm.requests).toHaveLength(0);
  expect(await refs()).toEqual(refsBefore);
}

describe("preflight: bad input stops a run before its first retried step", () => {
  it("spec_to_pr: a base branch the remote does not have is named, with the remote's default branch", async () => {
    const before = await refs();
    const r = await run("f/devgodzilla/spec_to_pr", { ...demo.args, base_branch: "mian" });
    await expectStoppedAtPreflight(r, "InputError", /base_branch: 'mian' was not found in .* \(its default branch is main\)/, before);
  });

  it("spec_to_pr: a GitHub token the forge rejects fails before the spec is written, not after the agents ran", async () => {
    const before = await refs();
    const store: LocalStore = { ...demo.store, variables: { ...demo.store.variables, "f/devgodzilla/demo_github_token": "ghp_revoked0000000000000000" } };
    const r = await run("f/devgodzilla/spec_to_pr", demo.args, store);
    await expectStoppedAtPreflight(r, "ForgeAuthError", /github API 401/, before);
    expect(JSON.stringify(r.out)).not.toContain("ghp_revoked");
  });

  it("spec_to_pr: a token that may read but not push the repository is refused with what to change", async () => {
    const forge = await startForgeServer({
      tokens: { github: "ghp_readonly0000000000000000" },
      repos: [{ kind: "github", path: "demo/textkit", defaultBranch: "main", gitDir: demo.remote, readOnly: true }],
    });
    try {
      const before = await refs();
      const store: LocalStore = { ...demo.store, variables: { ...demo.store.variables, "f/devgodzilla/demo_github_token": "ghp_readonly0000000000000000" } };
      const r = await run("f/devgodzilla/spec_to_pr", { ...demo.args, api_base_url: forge.githubApiBase }, store);
      await expectStoppedAtPreflight(r, "ForgePermissionError", /may read demo\/textkit but not push to it/, before);
    } finally {
      await forge.close();
    }
  });

  it("spec_to_tasks: an empty feature description and an llm resource missing its key are caught before the clone", async () => {
    const before = await refs();
    const empty = await run("f/devgodzilla/spec_to_tasks", { repo: demo.remote, feature_description: "   ", llm: demo.args.llm });
    await expectStoppedAtPreflight(empty, "InputError", /feature_description: is empty/, before);
    const noLlm = await run("f/devgodzilla/spec_to_tasks", { repo: demo.remote, feature_description: "Add a truncate helper" });
    await expectStoppedAtPreflight(noLlm, "InputError", /llm: no LLM credentials given/, before);
  });

  it("spec_to_tasks: an API key the model provider refuses fails before the clone, and the key appears nowhere", async () => {
    const before = await refs();
    const store: LocalStore = { ...demo.store, variables: { ...demo.store.variables, "f/devgodzilla/demo_llm_key": "sk-revoked000000000000000000" } };
    const r = await run("f/devgodzilla/spec_to_tasks", { repo: demo.remote, feature_description: "Add a truncate helper", llm: demo.args.llm }, store);
    await expectStoppedAtPreflight(r, "InputError", /llm: openai at http:\/\/127\.0\.0\.1:\d+\/v1 refused the API key \(401/, before);
    expect(JSON.stringify(r.out)).not.toContain("sk-revoked");
  });

  it("execute_tasks: a commit the remote does not have is named before the task DAG is read", async () => {
    const before = await refs();
    const r = await run("f/devgodzilla/execute_tasks", {
      repo: demo.remote,
      branch: "devgodzilla/001-truncate-helper",
      commit: "0123456789abcdef0123456789abcdef01234567",
      feature: "001-truncate-helper",
      llm: demo.args.llm,
    });
    await expectStoppedAtPreflight(r, "InputError", /commit: 0123456789abcdef0123456789abcdef01234567 is not in /, before);
  });

  it("execute_tasks: a dependency cycle in tasks.md fails the DAG step once, with the cycle named, and starts no task", async () => {
    const work = mkdtempSync(path.join(tmp, "cycle-"));
    await execa("git", ["clone", "-q", demo.remote, work]);
    const tasks = "## Phase 1\n\n- [ ] T001 write `src/a.js` (depends on T002)\n- [ ] T002 write `src/b.js` (depends on T001)\n";
    await writeFiles(work, { "specs/009-cycle/tasks.md": tasks });
    await execa("git", ["add", "-A"], { cwd: work });
    await execa("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "tasks with a cycle"], { cwd: work });
    await execa("git", ["push", "-q", "origin", "HEAD:refs/heads/cycle"], { cwd: work });
    const commit = (await execa("git", ["rev-parse", "HEAD"], { cwd: work })).stdout;
    const r = await run("f/devgodzilla/execute_tasks", { repo: demo.remote, branch: "devgodzilla/009-cycle", commit, feature: "009-cycle" });
    expect(r.out.status).toBe("failure");
    expect(r.out.error).toMatchObject({ name: "TaskCycleError", step_id: "dag" });
    expect(r.out.error?.message).toMatch(/T001.*T002|T002.*T001/);
    // preflight passed; the DAG step ran once (no retry: past preflight, what fails there is the file); then the failure module
    expect(r.steps).toEqual([
      ["preflight", 1],
      ["dag", 1],
      ["failure", 1],
    ]);
  });

  it("a sound run passes every check (the demo's inputs)", async () => {
    const r = await preflight({
      repo: demo.remote,
      base_branch: "main",
      feature_description: "Add a truncate helper",
      llm: { provider: "openai", api_key: String(demo.store.variables["f/devgodzilla/demo_llm_key"]), base_url: demo.llm.openaiBaseUrl, model: "demo-model" },
      llm_required: true,
      github: { token: String(demo.store.variables["f/devgodzilla/demo_github_token"]) },
      pull_request: { forge: "github", repository: "demo/textkit", api_base_url: demo.forge.githubApiBase },
    });
    expect(r.checked).toEqual(["inputs", "repository", "github access", "model provider"]);
    expect(r.unchecked).toEqual([]);
  });
});

describe("preflight: only what is certainly wrong fails", () => {
  it("a git remote over HTTP that refuses the token is bad input; one that cannot be reached is left to the steps", async () => {
    const root = mkdtempSync(path.join(tmp, "http-"));
    await execa("git", ["clone", "-q", "--bare", demo.remote, path.join(root, "textkit.git")]);
    const server = await startGitHttpServer(root, "right-token");
    try {
      const url = `${server.url}/textkit.git`;
      const refused = await preflight({ repo: url, base_branch: "main", github: { token: "wrong-token" } }).catch((e) => e);
      expect(refused).toMatchObject({ name: "InputError", field: "repo" });
      expect(refused.message).toMatch(/refused access/);
      expect(refused.message).not.toContain("wrong-token");
      const ok = await preflight({ repo: url, base_branch: "main", github: { token: "right-token" } });
      expect(ok.checked).toEqual(["inputs", "repository"]);
    } finally {
      await server.close();
    }
    // A port nobody listens on (the server above, now closed): unreachable, not refused.
    const gone = await preflight({ repo: `${server.url}/textkit.git`, base_branch: "main" });
    expect(gone.checked).toEqual(["inputs"]);
    expect(gone.unchecked).toHaveLength(1);
    expect(gone.markdown).toMatch(/repository .*not checked now/);
  });

  it("a model provider that cannot be reached, or has no model list to ask, is left to the steps", async () => {
    const llm = (base_url: string) => ({ provider: "openai", api_key: "sk-unknown", base_url, model: "demo-model" });
    const gone = await preflight({ repo: demo.remote, llm: llm("http://127.0.0.1:9/v1"), llm_required: true });
    expect(gone.checked).toEqual(["inputs", "repository"]);
    expect(gone.unchecked).toEqual([expect.stringMatching(/^model provider \(openai at http:\/\/127\.0\.0\.1:9\/v1: /)]);
    // A server that answers, but not GET /models (some OpenAI-compatible servers): a 404 says nothing of the key.
    const server = createServer((_req, res) => res.writeHead(404, { "content-type": "application/json" }).end('{"error":"not found"}'));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
      const noList = await preflight({ repo: demo.remote, llm: llm(base), llm_required: true });
      expect(noList.unchecked).toEqual([expect.stringMatching(/^model provider \(.*404/)]);
      expect(noList.markdown).toMatch(/model provider .*not checked now/);
    } finally {
      server.close();
    }
  });

  it("a forge that cannot be reached now is noted, not fatal", async () => {
    const r = await preflight({
      repo: demo.remote,
      github: { token: "ghp_x" },
      pull_request: { forge: "github", repository: "demo/textkit", api_base_url: "http://127.0.0.1:9/api/v3" },
    });
    expect(r.checked).toEqual(["inputs", "repository"]);
    expect(r.unchecked).toEqual([expect.stringMatching(/^github access/)]);
  });
});
