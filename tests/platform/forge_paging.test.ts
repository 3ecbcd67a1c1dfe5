// The forge gateway reads every page of a list, as GitHub and GitLab page them (Link headers;
// GitLab's X-Next-Page), and never sends the token to a host outside the API root.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startForgeServer, type FakeForgeServer } from "../../scripts/fakes/github-server.ts";
import { ForgeError, chooseForge, forgeClient, resolveTarget } from "../../f/devgodzilla/lib/platform/forge.ts";

const GH = "ghp_" + "P".repeat(36);
const GL = "glpat-" + "P".repeat(20);
let forge: FakeForgeServer;

beforeAll(async () => {
  forge = await startForgeServer({
    tokens: { github: GH, gitlab: GL },
    repos: [
      { kind: "github", path: "acme/widgets" },
      { kind: "gitlab", path: "acme/tools/widgets" },
    ],
  });
  for (let n = 1; n <= 230; n++) {
    const labels = n % 10 === 0 ? ["bug"] : ["devgodzilla"];
    forge.addIssue("github", "acme/widgets", { number: n, title: `GitHub issue ${n}`, labels });
    forge.addIssue("gitlab", "acme/tools/widgets", { number: n, title: `GitLab issue ${n}`, labels });
  }
});
afterAll(() => forge.close());

describe("forge paging", () => {
  it("lists all 207 labelled GitHub issues across three pages of 100 (one request per page)", async () => {
    const before = forge.requests.length;
    const t = resolveTarget({ kind: "github", repoUrl: "https://github.com/acme/widgets.git", apiBase: forge.githubApiBase, token: GH });
    const issues = await forgeClient(t).listOpenIssues("devgodzilla");
    expect(issues).toHaveLength(207);
    expect(new Set(issues.map((i) => i.number)).size).toBe(207);
    expect(issues.map((i) => i.number)).toContain(229);
    const gets = forge.requests.slice(before).filter((r) => r.path.endsWith("/issues"));
    expect(gets.map((r) => r.query.page ?? "1")).toEqual(["1", "2", "3"]);
  });

  it("lists all 207 labelled GitLab issues across pages", async () => {
    const t = resolveTarget({ kind: "gitlab", repoUrl: "https://gitlab.example.com/acme/tools/widgets.git", apiBase: forge.gitlabApiBase, token: GL });
    const issues = await forgeClient(t).listOpenIssues("devgodzilla");
    expect(issues).toHaveLength(207);
    expect(issues.map((i) => i.number)).toContain(229);
  });

  it("follows GitLab's X-Next-Page when a proxy stripped the Link header", async () => {
    const t = resolveTarget({ kind: "gitlab", repoUrl: "https://gitlab.example.com/acme/tools/widgets.git", apiBase: forge.gitlabApiBase, token: GL });
    const withoutLink: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      const headers = new Headers(res.headers);
      headers.delete("link");
      return new Response(await res.text(), { status: res.status, headers });
    };
    expect(await forgeClient(t, { fetch: withoutLink }).listOpenIssues("devgodzilla")).toHaveLength(207);
  });

  it("refuses a next-page link outside the API root instead of sending the token there", async () => {
    const t = resolveTarget({ kind: "github", repoUrl: "https://github.com/acme/widgets.git", apiBase: forge.githubApiBase, token: GH });
    const seen: string[] = [];
    const hostile: typeof fetch = async (input) => {
      seen.push(String(input));
      return new Response("[]", { status: 200, headers: { link: '<https://evil.example/steal?page=2>; rel="next"' } });
    };
    const err = await forgeClient(t, { fetch: hostile })
      .listOpenIssues("devgodzilla")
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ForgeError);
    expect((err as Error).message).toMatch(/outside .*not followed/);
    expect(seen.every((u) => u.startsWith(forge.githubApiBase))).toBe(true);
  });
});

describe("one rule chooses the forge", () => {
  const gh = { token: GH };
  const gl = { token: GL, baseUrl: "https://gitlab.example.com" };
  it("the named forge wins; else the repository host; else the only resource given", () => {
    expect(chooseForge({ forge: "gitlab", repoUrl: "https://git.example/a/b.git", github: gh, gitlab: gl }).kind).toBe("gitlab");
    expect(chooseForge({ forge: "auto", repoUrl: "https://gitlab.com/a/b.git", github: gh, gitlab: gl })).toMatchObject({ kind: "gitlab", token: GL });
    expect(chooseForge({ repoUrl: "https://github.com/a/b.git", github: gh, gitlab: gl })).toMatchObject({
      kind: "github",
      token: GH,
      apiBase: "https://api.github.com",
    });
    expect(chooseForge({ repoUrl: "/srv/mirror.git", repository: "a/b", gitlab: gl })).toMatchObject({
      kind: "gitlab",
      apiBase: "https://gitlab.example.com/api/v4",
    });
  });
  it("an explicit api base beats the resource's instance URL; per-forge overrides pick the chosen forge's", () => {
    expect(chooseForge({ repoUrl: "https://gitlab.com/a/b.git", gitlab: gl, apiBase: "http://127.0.0.1:1/api/v4" }).apiBase).toBe("http://127.0.0.1:1/api/v4");
    expect(chooseForge({ repoUrl: "https://github.com/a/b.git", github: gh, gitlab: gl, apiBase: { github: "", gitlab: "http://x/api/v4" } }).apiBase).toBe(
      "https://api.github.com",
    );
  });
  it("cannot tell, or has no token for the chosen forge: one InputError naming the field", () => {
    const field = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as { field?: string }).field;
      }
      return undefined;
    };
    expect(field(() => chooseForge({ repoUrl: "https://git.example/a/b.git", github: gh, gitlab: gl }))).toBe("forge");
    expect(field(() => chooseForge({ repoUrl: "https://gitlab.com/a/b.git", github: gh }))).toBe("gitlab");
  });
});
