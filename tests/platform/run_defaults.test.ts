// The runs the webhook and the issue sweep start take extra spec_to_pr inputs from the optional
// defaults resource. Provider resources in it are "$res:" references: the started run gets the
// reference (Windmill resolves it when that run starts), never the secret it names. On the local
// runner, which resolves references in job arguments and inside resource values as Windmill does.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPath } from "../../scripts/runner/index.ts";
import { RunStore } from "../../scripts/runner/runs.ts";
import { startForgeServer, type FakeForgeServer } from "../../scripts/fakes/github-server.ts";

const KEY = "sk-" + "K".repeat(40);
const TOKEN = "ghp_" + "T".repeat(36);
const REPO = "https://github.com/acme/widgets.git";
// The started job is a harmless script (the real flow would need a model and a forge); its recorded arguments are what matters.
const STARTED = "f/devgodzilla/run_status";
const store = {
  resources: {
    "f/devgodzilla/webhook_defaults": { resource_type: "object", value: { agent: "llm", llm: "$res:f/devgodzilla/llm" } },
    "f/devgodzilla/llm": { resource_type: "c_devgodzilla_llm", value: { provider: "openai", api_key: KEY } },
    "f/devgodzilla/github": { resource_type: "github", value: { token: TOKEN } },
  },
  variables: {},
};

let root: string;
let forge: FakeForgeServer;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "dg-run-defaults-"));
  forge = await startForgeServer({ tokens: { github: TOKEN }, repos: [{ kind: "github", path: "acme/widgets", defaultBranch: "trunk" }] });
  forge.addIssue("github", "acme/widgets", { number: 7, title: "Dark mode", body: "toggle", labels: ["devgodzilla"] });
});
afterAll(async () => {
  await forge.close();
  rmSync(root, { recursive: true, force: true });
});

/** The arguments of the one run started in this state folder. */
function startedArgs(stateDir: string): Record<string, unknown> {
  const started = new RunStore(stateDir).list().filter((r) => r.path === STARTED);
  expect(started).toHaveLength(1);
  return started[0]!.args as Record<string, unknown>;
}

describe("defaults for the runs DevGodzilla starts", () => {
  it("a webhook delivery starts the run with the defaults' resource references, not the key they name", async () => {
    const stateDir = join(root, "webhook");
    const decision = {
      action: "start",
      provider: "github",
      event: "issues",
      delivery_id: "0d9e8f7a-0000-4000-8000-000000000078",
      reason: "issue #8 labelled",
      // Not issue 7: the sweep below would see this run of it as live and start none.
      inputs: {
        repo: REPO,
        base_branch: "trunk",
        feature_description: "CSV export",
        forge: "github",
        repository: "acme/widgets",
        issue_number: 8,
        issue_url: "https://github.com/acme/widgets/issues/8",
        requested_by: "ada",
      },
    };
    const out = await runPath("f/devgodzilla/webhook", { args: { decision, flow_path: STARTED }, store, stateDir });
    expect(out.status, JSON.stringify(out.error)).toBe("success");
    const args = startedArgs(stateDir);
    expect(args).toMatchObject({ agent: "llm", llm: "$res:f/devgodzilla/llm", issue_number: 8 });
    expect(JSON.stringify(args)).not.toContain(KEY);
  });

  it("the issue sweep starts the run with the defaults' resource references, not the key they name", async () => {
    const stateDir = join(root, "sweep");
    const out = await runPath("f/devgodzilla/issue_sweep", {
      args: {
        repo: REPO,
        forge: "github",
        github: "$res:f/devgodzilla/github",
        repository: "acme/widgets",
        api_base_url: forge.githubApiBase,
        flow_path: STARTED,
      },
      store,
      stateDir,
    });
    expect(out.status, JSON.stringify(out.error)).toBe("success");
    const args = startedArgs(stateDir);
    expect(args).toMatchObject({ agent: "llm", llm: "$res:f/devgodzilla/llm", issue_number: 7, repo: REPO });
    expect(JSON.stringify(args)).not.toContain(KEY);
  });
});
