import { describe, expect, it } from "vitest";
import { parseRepoUrl, renderPrBody, resolveTarget, safeUrl } from "../../f/devgodzilla/lib/platform/forge.ts";
import { InputError } from "../../f/devgodzilla/lib/errors.ts";
import { SPEC_MD, TASKS_MD } from "./_fixtures.ts";

describe("forge targets from repository URLs", () => {
  it("parses https, ssh and scp-like URLs", () => {
    expect(parseRepoUrl("https://github.com/acme/widgets.git")).toEqual({ host: "github.com", repoPath: "acme/widgets" });
    expect(parseRepoUrl("git@github.com:acme/widgets.git")).toEqual({ host: "github.com", repoPath: "acme/widgets" });
    expect(parseRepoUrl("ssh://git@gitlab.example.com/acme/tools/widgets.git")).toEqual({ host: "gitlab.example.com", repoPath: "acme/tools/widgets" });
    expect(parseRepoUrl("/tmp/remote.git")).toBeUndefined();
  });
  it("derives the API root: api.github.com, GitHub Enterprise /api/v3, GitLab /api/v4; an explicit base wins", () => {
    expect(resolveTarget({ repoUrl: "https://github.com/acme/widgets", token: "t" }).apiBase).toBe("https://api.github.com");
    expect(resolveTarget({ kind: "github", repoUrl: "https://ghe.corp.example/acme/widgets.git", token: "t" }).apiBase).toBe("https://ghe.corp.example/api/v3");
    const gl = resolveTarget({ repoUrl: "https://gitlab.example.com/acme/tools/widgets.git", token: "t" });
    expect(gl).toMatchObject({ kind: "gitlab", apiBase: "https://gitlab.example.com/api/v4", repoPath: "acme/tools/widgets" });
    expect(resolveTarget({ kind: "github", repoUrl: "/tmp/r.git", repoPath: "a/b", apiBase: "http://127.0.0.1:9/api/v3/", token: "t" }).apiBase).toBe(
      "http://127.0.0.1:9/api/v3",
    );
  });
  it("bad input is one InputError naming the field", () => {
    const err = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e as InputError;
      }
    };
    expect(err(() => resolveTarget({ repoUrl: "https://git.example.com/a/b.git", token: "t" }))?.field).toBe("forge");
    expect(err(() => resolveTarget({ kind: "github", repoUrl: "/tmp/r.git", token: "t" }))?.field).toBe("repository");
    expect(err(() => resolveTarget({ kind: "github", repoUrl: "https://github.com/a/b", token: "" }))?.field).toBe("github");
    expect(err(() => resolveTarget({ kind: "github", repoUrl: "https://github.com/a/b", token: "t", apiBase: "https://u:p@api.github.com" }))?.field).toBe(
      "api_base_url",
    );
  });
  it("safeUrl strips credentials", () => {
    expect(safeUrl("https://x-access-token:ghp_secret@github.com/a/b.git")).toBe("https://github.com/a/b.git");
  });
});

describe("PR body", () => {
  it("summarises the spec input, lists tasks with progress, folds the QA report and links the issue", () => {
    const body = renderPrBody({
      forge: "github",
      featureTitle: "Greeting endpoint",
      spec: SPEC_MD,
      tasks: TASKS_MD,
      qaReport: "# QA\nAll good",
      qaVerdict: "pass",
      qaScore: 0.9,
      issueNumber: 3,
      commit: "a".repeat(40),
      specDir: "specs/001-greeting",
    });
    expect(body).toContain("Add a /hello endpoint that greets the user by name");
    expect(body).toContain("### Tasks (2/3 done)");
    expect(body).toContain("### QA — verdict **pass**, score 0.9");
    expect(body).toContain("<details><summary>QA report</summary>");
    expect(body).toContain("#### QA"); // headings demoted inside the fold
    expect(body).toContain("Closes #3");
    expect(body).toContain("`aaaaaaaaaaaa`");
  });
});
