import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setClient } from "windmill-client";
import { startWindmillApi, type FakeWindmillApi } from "../../scripts/fakes/windmill-api.ts";
import { startForgeServer, type FakeForgeServer } from "../../scripts/fakes/github-server.ts";
import { main } from "../../f/devgodzilla/issue_sweep.ts";

const TOKEN = "ghp_" + "S".repeat(36);
const REPO = "https://github.com/acme/widgets.git";
let wm: FakeWindmillApi;
let forge: FakeForgeServer;

beforeAll(async () => {
  wm = await startWindmillApi({ token: "wm", workspace: "dg" });
  process.env.WM_WORKSPACE = "dg";
  setClient("wm", wm.baseUrl);
  forge = await startForgeServer({ tokens: { github: TOKEN }, repos: [{ kind: "github", path: "acme/widgets", defaultBranch: "trunk" }] });
  forge.addIssue("github", "acme/widgets", { number: 1, title: "Dark mode", body: "toggle", labels: ["devgodzilla"] });
  forge.addIssue("github", "acme/widgets", { number: 2, title: "CSV export", labels: ["devgodzilla", "feature"] });
  forge.addIssue("github", "acme/widgets", { number: 3, title: "Unrelated bug", labels: ["bug"] });
  forge.addIssue("github", "acme/widgets", { number: 4, title: "Old request", labels: ["devgodzilla"] });
  // Issue 4 already has a run (e.g. started by the webhook).
  wm.addJob({ script_path: "f/devgodzilla/spec_to_pr", job_kind: "flow", running: true, args: { repo: REPO, issue_number: 4 } });
});
afterAll(async () => {
  await wm.close();
  await forge.close();
});

describe("nightly issue sweep", () => {
  const run = (dry_run: boolean) =>
    main(REPO, "github", { token: TOKEN }, undefined, "acme/widgets", forge.githubApiBase, "", "devgodzilla", 3, false, dry_run);

  it("dry run lists what it would start and starts nothing", async () => {
    const out = await run(true);
    expect(out.markdown).toContain("| #1 | Dark mode | would-start |");
    expect(wm.runs()).toHaveLength(0);
  });
  it("starts spec_to_pr for labelled issues without a run, skips the one Windmill already has, and a second sweep starts nothing", async () => {
    const out = await run(false);
    const runs = wm.runs();
    expect(runs.map((r) => r.args?.issue_number).sort()).toEqual([1, 2]);
    expect(runs[0].args).toMatchObject({ repo: REPO, base_branch: "trunk", forge: "github", repository: "acme/widgets" });
    expect(out.markdown).toMatch(/\| #4 \| Old request \| skipped \| run .* running \|/);
    expect(out.markdown).not.toContain("Unrelated bug");
    await run(false);
    expect(wm.runs()).toHaveLength(2);
  });
  it("an issue whose run failed is skipped unless retry_failed; one whose run succeeded is skipped either way; more than 100 labelled issues are all seen", async () => {
    forge.addIssue("github", "acme/widgets", { number: 5, title: "Failed before", labels: ["devgodzilla"] });
    forge.addIssue("github", "acme/widgets", { number: 6, title: "Done before", labels: ["devgodzilla"] });
    for (let n = 100; n < 210; n++) forge.addIssue("github", "acme/widgets", { number: n, title: `Backlog ${n}`, labels: ["devgodzilla"] });
    wm.addJob({ script_path: "f/devgodzilla/spec_to_pr", job_kind: "flow", success: false, args: { repo: REPO, issue_number: 5 } });
    wm.addJob({ script_path: "f/devgodzilla/spec_to_pr", job_kind: "flow", success: true, args: { repo: REPO, issue_number: 6 } });
    const sweep = (retry_failed: boolean) =>
      main(REPO, "github", { token: TOKEN }, undefined, "acme/widgets", forge.githubApiBase, "", "devgodzilla", 3, retry_failed, true);
    const strict = await sweep(false);
    expect(strict.markdown).toMatch(/\| #5 \| Failed before \| skipped \| run .* failed \(retry_failed is off\) \|/);
    expect(strict.markdown).toMatch(/\| #6 \| Done before \| skipped \| run .* succeeded \|/);
    expect(strict.markdown).toContain("| #209 | Backlog 209 | skipped | max_runs (3) reached; next sweep |");
    const lenient = await sweep(true);
    expect(lenient.markdown).toContain("| #5 | Failed before | would-start |");
    expect(lenient.markdown).toMatch(/\| #6 \| Done before \| skipped \| run .* succeeded \|/);
  });
});
