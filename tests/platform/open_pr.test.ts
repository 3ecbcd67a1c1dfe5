import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startForgeServer, type FakeForgeServer } from "../../scripts/fakes/github-server.ts";
import { openPr } from "../../f/devgodzilla/lib/platform/open_pr.ts";
import {
  ForgeAuthError,
  ForgeNotFoundError,
  ForgePermissionError,
  ForgeValidationError,
  openOrUpdatePr,
  resolveTarget,
} from "../../f/devgodzilla/lib/platform/forge.ts";
import { InputError } from "../../f/devgodzilla/lib/errors.ts";
import { git, makeRemote, type RemoteFixture } from "./_fixtures.ts";

const GH_TOKEN = "ghp_" + "T".repeat(36);
const GL_TOKEN = "glpat-" + "L".repeat(24);

let fx: RemoteFixture;
let forge: FakeForgeServer;
let cacheDir: string;

beforeEach(async () => {
  fx = await makeRemote();
  cacheDir = await fs.mkdtemp(path.join(os.tmpdir(), "dg-cache-"));
  forge = await startForgeServer({
    tokens: { github: GH_TOKEN, gitlab: GL_TOKEN },
    repos: [
      { kind: "github", path: "acme/widgets", gitDir: fx.remote },
      { kind: "gitlab", path: "acme/tools/widgets", gitDir: fx.remote },
    ],
  });
});
afterEach(async () => {
  await forge.close();
  await fx.cleanup();
  await fs.rm(cacheDir, { recursive: true, force: true });
});

const ghInput = () => ({
  repo: fx.remote,
  branch: fx.runBranch,
  commit: fx.runCommit,
  forge: "github" as const,
  github: { token: GH_TOKEN },
  repository: "acme/widgets",
  api_base_url: forge.githubApiBase,
  spec_dir: "specs/001-greeting",
  qa_report: "## QA\nAll gates passed.",
  qa_verdict: "pass",
  issue_number: 7,
  cache_dir: cacheDir,
});

describe("open_pr against the fake GitHub API and a real bare remote", () => {
  it("opens one pull request with a body built from spec, tasks and QA report", async () => {
    const out = await openPr(ghInput());
    expect(out.pr.action).toBe("created");
    expect(out.base).toBe("main"); // the forge's default branch
    expect(out.push).toBe("skipped"); // branch already at the commit
    const pulls = forge.pulls("github", "acme/widgets");
    expect(pulls).toHaveLength(1);
    expect(pulls[0].title).toBe("Greeting endpoint");
    expect(pulls[0].body).toContain("Add a /hello endpoint that greets the user by name");
    expect(pulls[0].body).toContain("Tasks (2/3 done)");
    expect(pulls[0].body).toContain("- [ ] T003 Document the endpoint in README.md");
    expect(pulls[0].body).toContain("verdict **pass**");
    expect(pulls[0].body).toContain("All gates passed.");
    expect(pulls[0].body).toContain("Closes #7");
    expect(out.markdown).toContain(out.pr.url);
  });

  it("is idempotent: a second call finds the open PR and creates no duplicate; a changed report updates it", async () => {
    const first = await openPr(ghInput());
    const second = await openPr(ghInput());
    expect(second.pr.action).toBe("unchanged");
    expect(second.pr.number).toBe(first.pr.number);
    const third = await openPr({ ...ghInput(), qa_report: "## QA\nOne flaky test re-run." });
    expect(third.pr.action).toBe("updated");
    expect(third.pr.number).toBe(first.pr.number);
    const pulls = forge.pulls("github", "acme/widgets");
    expect(pulls).toHaveLength(1);
    expect(pulls[0].body).toContain("One flaky test re-run.");
    expect(forge.requests.filter((r) => r.method === "POST" && r.path.endsWith("/pulls"))).toHaveLength(1);
  });

  it("pushes the run branch when the remote does not have it at the commit yet", async () => {
    const newer = await fx.commitFile("src/hello.ts", "export const hello = (n: string) => `Hello, ${n}`;\n", "impl");
    // The commit must be fetchable: publish it under a scratch ref, the run branch stays behind.
    await git(fx.work, "push", "--quiet", "origin", `${newer}:refs/heads/scratch`);
    const out = await openPr({ ...ghInput(), commit: newer });
    expect(out.push).toBe("updated");
    expect(await git(fx.remote, "rev-parse", `refs/heads/${fx.runBranch}`)).toBe(newer);
    expect(out.commit).toBe(newer);
  });

  it("never rewinds a run branch that already moved past the given commit", async () => {
    const newer = await fx.commitFile("src/later.ts", "export {};\n", "later step");
    await git(fx.work, "push", "--quiet", "origin", `${newer}:refs/heads/${fx.runBranch}`);
    const out = await openPr(ghInput()); // commit = the older fx.runCommit
    expect(out.push).toBe("branch-ahead");
    expect(await git(fx.remote, "rev-parse", `refs/heads/${fx.runBranch}`)).toBe(newer);
    expect(out.pr.action).toBe("created");
  });

  it("never puts the token in a URL, the result or the recorded requests' bodies", async () => {
    const out = await openPr(ghInput());
    const dump = JSON.stringify({ out, requests: forge.requests });
    expect(dump).not.toContain(GH_TOKEN);
    expect(forge.requests.every((r) => r.auth === "valid")).toBe(true);
    expect(forge.requests.every((r) => !r.path.includes(GH_TOKEN) && !JSON.stringify(r.query).includes(GH_TOKEN))).toBe(true);
  });

  it("opens a GitLab merge request once for a nested group project", async () => {
    const input = {
      ...ghInput(),
      forge: "gitlab" as const,
      gitlab: { token: GL_TOKEN },
      repository: "acme/tools/widgets",
      api_base_url: forge.gitlabApiBase,
      base_branch: "main",
    };
    const a = await openPr(input);
    const b = await openPr(input);
    expect(a.pr.action).toBe("created");
    expect(b.pr.action).toBe("unchanged");
    expect(forge.pulls("gitlab", "acme/tools/widgets")).toHaveLength(1);
    expect(a.markdown).toContain("Merge request created");
  });
});

describe("forge errors are typed and say what to do", () => {
  const target = (token = GH_TOKEN, repo = "acme/widgets") =>
    resolveTarget({ kind: "github", repoUrl: "https://github.com/acme/widgets.git", repoPath: repo, apiBase: forge.githubApiBase, token });
  const spec = () => ({ head: fx.runBranch, base: "main", title: "t", body: "b" });

  it("401 → ForgeAuthError naming the resource, without echoing the token", async () => {
    const bad = "ghp_" + "X".repeat(36);
    const err = await openOrUpdatePr(target(bad), spec()).catch((e) => e);
    expect(err).toBeInstanceOf(ForgeAuthError);
    expect(err.message).toMatch(/invalid or expired/);
    expect(err.message).not.toContain(bad);
  });
  it("403 → ForgePermissionError naming the scopes needed", async () => {
    forge.addRepo({ kind: "github", path: "acme/secret", forbidden: true });
    const err = await openOrUpdatePr(target(GH_TOKEN, "acme/secret"), spec()).catch((e) => e);
    expect(err).toBeInstanceOf(ForgePermissionError);
    expect(err.message).toMatch(/pull_requests: write/);
  });
  it("404 → ForgeNotFoundError naming the repository", async () => {
    const err = await openOrUpdatePr(target(GH_TOKEN, "acme/nope"), spec()).catch((e) => e);
    expect(err).toBeInstanceOf(ForgeNotFoundError);
    expect(err.message).toContain("acme/nope");
  });
  it("422 (branch not pushed) → ForgeValidationError", async () => {
    const err = await openOrUpdatePr(target(), { ...spec(), head: "devgodzilla/never-pushed" }).catch((e) => e);
    expect(err).toBeInstanceOf(ForgeValidationError);
    expect(err.message).toMatch(/does not exist/);
  });
  it("a lost create race (422 already exists) resolves to the existing PR", async () => {
    await openOrUpdatePr(target(), spec());
    // Simulate the race: the lookup misses once, create then reports "already exists".
    const realFetch = fetch;
    let first = true;
    const racyFetch: typeof fetch = async (url, init) => {
      if (first && (init?.method ?? "GET") === "GET" && String(url).includes("/pulls?")) {
        first = false;
        return new Response("[]", { status: 200, headers: { "content-type": "application/json" } });
      }
      return realFetch(url, init);
    };
    const again = await openOrUpdatePr(target(), spec(), { fetch: racyFetch });
    expect(again.action).toBe("unchanged");
    expect(forge.pulls("github", "acme/widgets")).toHaveLength(1);
  });
  it("bad input is one InputError and nothing is sent", async () => {
    const before = forge.requests.length;
    const err = await openPr({ ...ghInput(), spec_dir: "../etc" }).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err.field).toBe("spec_dir");
    expect(forge.requests.length).toBe(before);
  });
});

describe("GitLab specifics", () => {
  it("a draft MR keeps its Draft: prefix across updates, and a 409 'already exists' race resolves to the open MR", async () => {
    const t = resolveTarget({ kind: "gitlab", repoUrl: "https://gitlab.example.com/acme/tools/widgets.git", apiBase: forge.gitlabApiBase, token: GL_TOKEN });
    const spec = { head: fx.runBranch, base: "main", title: "Greeting", body: "v1", draft: true };
    const a = await openOrUpdatePr(t, spec);
    expect(forge.pulls("gitlab", "acme/tools/widgets")[0].title).toBe("Draft: Greeting");
    const b = await openOrUpdatePr(t, spec);
    expect(b.action).toBe("unchanged");
    const realFetch = fetch;
    let first = true;
    const racy: typeof fetch = async (url, init) => {
      if (first && (init?.method ?? "GET") === "GET" && String(url).includes("/merge_requests?")) {
        first = false;
        return new Response("[]", { status: 200 });
      }
      return realFetch(url, init);
    };
    const c = await openOrUpdatePr(t, { ...spec, body: "v2" }, { fetch: racy });
    expect(c).toMatchObject({ action: "updated", number: a.number });
    expect(forge.pulls("gitlab", "acme/tools/widgets")).toHaveLength(1);
    expect(forge.pulls("gitlab", "acme/tools/widgets")[0].body).toBe("v2");
  });
});
