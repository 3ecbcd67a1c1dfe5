import * as fs from "node:fs/promises";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { InputError } from "../../f/devgodzilla/lib/errors.ts";
import { runOnboard } from "../../f/devgodzilla/lib/onboard/onboard.ts";
import { parseConstitution } from "../../f/devgodzilla/lib/speckit/constitution.ts";
import { ProjectProfileSchema } from "../../f/devgodzilla/lib/project/profile.ts";
import { SPEC_TEMPLATE } from "../../f/devgodzilla/lib/speckit/templates.ts";
import { onboardFixtures } from "./onboard-helpers.ts";
import { gitIn } from "../helpers/git-fixtures.ts";

const { cache, work, remote, io } = onboardFixtures("dg-onb-");

describe("onboard", () => {
  it("profiles a Node project, adds .specify/ scaffolding, commits and pushes devgodzilla/onboard-main", async () => {
    const fx = await remote("node");
    const r = await runOnboard({ repo: fx.remote, base_branch: "main", ...io() });
    expect(r.branch).toBe("devgodzilla/onboard-main");
    expect(r.base_commit).toBe(fx.seed);
    expect(r.push).toBe("created");
    expect(await fx.head("devgodzilla/onboard-main")).toBe(r.commit);
    expect(await fx.head("main")).toBe(fx.seed); // the base branch is never touched
    expect(r.created).toEqual([
      ".specify/memory/constitution.md",
      ".specify/templates/spec-template.md",
      ".specify/templates/plan-template.md",
      ".specify/templates/tasks-template.md",
      ".specify/templates/checklist-template.md",
      ".specify/templates/constitution-template.md",
    ]);
    expect(r.updated).toEqual([".gitignore"]);
    expect(ProjectProfileSchema.parse(r.profile).commands.test[0]!.argv).toEqual(["npm", "run", "test"]);
    expect(r.profile.commands.lint[0]!.argv).toEqual(["npm", "run", "lint"]);
    expect(r.profile.commands.typecheck[0]!.argv).toEqual(["npm", "run", "typecheck"]);

    // What was pushed is a valid Spec Kit layout.
    const constitution = parseConstitution((await fx.show(r.commit, ".specify/memory/constitution.md"))!);
    expect(constitution.title).toBe("demo-node Constitution");
    expect(constitution.version).toBe("1.0.0");
    expect(constitution.ratified).toBe("2026-01-15");
    expect(constitution.articles.map((a) => a.number)).toEqual(["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX"]);
    expect(r.constitution.blocking).toEqual(["III. Test-First", "IV. Security", "IX. Integration Testing"]);
    expect(await fx.show(r.commit, ".specify/templates/spec-template.md")).toBe(SPEC_TEMPLATE);
    expect(await fx.show(r.commit, ".gitignore")).toContain("specs/*/_runtime/");
    const author = await gitIn(fx.remote, ["log", "-1", "--format=%an", r.commit]);
    expect(author.trim()).toBe("DevGodzilla");
    expect(r.markdown).toContain("## Onboarded");
    expect(await fs.readdir(work.dir)).toEqual([]);
  });

  it("is idempotent: a second run creates nothing and leaves the branch where it is", async () => {
    const fx = await remote("python");
    const first = await runOnboard({ repo: fx.url, ...io() });
    const second = await runOnboard({ repo: fx.url, ...io() });
    expect(second.created).toEqual([]);
    expect(second.updated).toEqual([]);
    expect(second.commit).toBe(first.commit);
    expect(second.push).toBe("up-to-date");
    expect(second.profile.packageManager).toBe("uv");
    expect(second.markdown).toContain("already has Spec Kit scaffolding");
  });

  it("keeps a project's own constitution and templates and only adds what is missing", async () => {
    const own =
      "# Mine Constitution\n\n## Core Principles\n\n### I. Keep It Small (NON-NEGOTIABLE)\n\nSmall.\n\n**Version**: 3.2.1 | **Ratified**: 2020-01-01 | **Last Amended**: 2024-01-01\n";
    const fx = await remote("go", {
      extraFiles: { ".specify/memory/constitution.md": own, ".specify/templates/spec-template.md": "# custom\n", ".gitignore": "specs/*/_runtime/\n" },
    });
    const r = await runOnboard({ repo: fx.remote, ...io() });
    expect(r.created).not.toContain(".specify/memory/constitution.md");
    expect(r.created).not.toContain(".specify/templates/spec-template.md");
    expect(r.created).toContain(".specify/templates/plan-template.md");
    expect(r.updated).toEqual([]);
    expect(await fx.show(r.commit, ".specify/memory/constitution.md")).toBe(own);
    expect(r.constitution).toEqual({ version: "3.2.1", articles: 1, blocking: ["I. Keep It Small"] });
    expect(r.profile.primaryLanguage).toBe("go");
  });

  it("rebuilds a stale onboarding branch when the base moved, and pushes a named branch", async () => {
    const fx = await remote("rust");
    const first = await runOnboard({ repo: fx.remote, ...io() });
    const moved = await fx.commit({ "src/lib.rs": "pub fn x() {}\n" }, "base moves on");
    const again = await runOnboard({ repo: fx.remote, ...io() });
    expect(again.base_commit).toBe(moved);
    expect(again.push).toBe("forced"); // our own onboarding branch is regenerated from the new base
    expect(again.commit).not.toBe(first.commit);
    const named = await runOnboard({ repo: fx.remote, branch: "devgodzilla/001-setup", ...io() });
    expect(named.branch).toBe("devgodzilla/001-setup");
    expect(await fx.head("devgodzilla/001-setup")).toBe(named.commit);
  });

  describe("bad input fails with one clear error and leaves nothing behind", () => {
    const cases: [string, () => Promise<Record<string, unknown>>, string, RegExp][] = [
      [
        "a non-git directory",
        async () => {
          const plain = path.join(cache.dir, "plain-dir");
          await fs.mkdir(plain, { recursive: true });
          return { repo: plain };
        },
        "repo",
        /not a git repository/,
      ],
      ["an ext:: URL", async () => ({ repo: "ext::sh -c touch% /tmp/pwned" }), "repo", /transport helper 'ext::'/],
      ["a leading dash", async () => ({ repo: "--upload-pack=evil" }), "repo", /starts with '-'/],
      ["a missing base branch", async () => ({ base_branch: "does-not-exist" }), "base_branch", /'does-not-exist' was not found/],
      ["a base branch that is an option", async () => ({ base_branch: "-x" }), "base_branch", /not a valid branch name/],
      ["a run branch equal to the base", async () => ({ branch: "main" }), "branch", /must differ from base_branch/],
      ["an empty repo", async () => ({ repo: "" }), "repo", /required/],
    ];
    it.each(cases)("%s", async (_name, args, field, message) => {
      const fx = await remote("node");
      const before = await fx.branches();
      const err = await runOnboard({ repo: fx.remote, ...io(), ...(await args()) }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).field).toBe(field);
      expect((err as Error).message).toMatch(message);
      expect(await fx.branches()).toEqual(before);
      expect(await fs.readdir(work.dir)).toEqual([]);
      await expect(fs.access("/tmp/pwned")).rejects.toThrow();
    });
  });

  it("a local non-bare repository path works as the remote", async () => {
    const fx = await remote("empty");
    const local = path.join(fx.root, "seed"); // the fixture's non-bare seed clone
    const r = await runOnboard({ repo: local, ...io() });
    expect(r.repo).toBe(await fs.realpath(local));
    expect(r.profile.units).toEqual([]);
    expect((await gitIn(local, ["rev-parse", "devgodzilla/onboard-main"])).trim()).toBe(r.commit);
  });
});

describe("onboard base branch default", () => {
  it("uses the remote's default branch when base_branch is empty (here: trunk)", async () => {
    const fx = await remote("node", { branch: "trunk" });
    const r = await runOnboard({ repo: fx.remote, base_branch: "", ...io() });
    expect(r.base_branch).toBe("trunk");
    expect(r.branch).toBe("devgodzilla/onboard-trunk");
    expect(r.base_commit).toBe(fx.seed);
  });
});
