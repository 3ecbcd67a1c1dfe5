// open_pr as Windmill runs it: through the local runner, `github` filled from a `$res:` path,
// twice (a retried step) — one PR, and the token in no run record.
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPath } from "../../scripts/runner/index.ts";
import { startForgeServer, type FakeForgeServer } from "../../scripts/fakes/github-server.ts";
import { makeRemote, type RemoteFixture } from "./_fixtures.ts";

const TOKEN = "ghp_" + "Q".repeat(36);
let fx: RemoteFixture;
let forge: FakeForgeServer;
let stateDir: string;

beforeAll(async () => {
  fx = await makeRemote();
  forge = await startForgeServer({ tokens: { github: TOKEN }, repos: [{ kind: "github", path: "acme/widgets", gitDir: fx.remote }] });
  stateDir = await fs.mkdtemp(path.join(os.tmpdir(), "dg-runner-state-"));
});
afterAll(async () => {
  await forge.close();
  await fx.cleanup();
  await fs.rm(stateDir, { recursive: true, force: true });
});

async function grepDir(dir: string, needle: string): Promise<string[]> {
  const hits: string[] = [];
  for (const e of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const p = path.join(e.parentPath ?? (e as any).path, e.name);
    if ((await fs.readFile(p, "utf8").catch(() => "")).includes(needle)) hits.push(p);
  }
  return hits;
}

describe("open_pr on the local runner", () => {
  it("opens the PR from a $res: github resource, is idempotent across a retry, and leaves no token in the run records", async () => {
    const store = { resources: { "f/devgodzilla/github": { resource_type: "github", value: { token: TOKEN } } }, variables: {} };
    const args = {
      repo: fx.remote,
      branch: fx.runBranch,
      commit: fx.runCommit,
      forge: "github",
      github: "$res:f/devgodzilla/github",
      repository: "acme/widgets",
      api_base_url: forge.githubApiBase,
      spec_dir: "specs/001-greeting",
      qa_report: "QA ok",
      qa_verdict: "pass",
    };
    const first = await runPath("f/devgodzilla/open_pr", { args, store, stateDir });
    expect(first.status, JSON.stringify(first.error)).toBe("success");
    expect(first.result).toMatchObject({ pr: { action: "created", number: 1 }, base: "main" });
    const second = await runPath("f/devgodzilla/open_pr", { args, store, stateDir });
    expect(second.result).toMatchObject({ pr: { action: "unchanged", number: 1 } });
    expect(forge.pulls("github", "acme/widgets")).toHaveLength(1);
    expect(await grepDir(stateDir, TOKEN)).toEqual([]);
  });
});
