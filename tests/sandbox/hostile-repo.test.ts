// Class 3 of issue 13: a hostile repository's links must not carry host files into a profile, a
// model's context or QA evidence. Every reader goes through the repository-files gateway; these
// tests use the real readers on a real repository whose committed links lead out of it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { detectProject } from "../../f/devgodzilla/lib/project/detect.ts";
import { selectContext } from "../../f/devgodzilla/lib/llm/context.ts";
import { collectChunks } from "../../f/devgodzilla/lib/qa/retrieval.ts";
import { ensureSpeckitScaffold } from "../../f/devgodzilla/lib/speckit/scaffold.ts";
import { installSpeckitCommands } from "../../f/devgodzilla/lib/agentops/speckit_commands.ts";
import { createHostileRepo, leaked, type HostileRepo } from "./hostile.ts";

let repo: HostileRepo;
beforeAll(async () => {
  repo = await createHostileRepo();
});
afterAll(async () => repo?.cleanup());

describe("readers of a hostile repository", () => {
  it("onboarding detection reads no manifest through a link out of the repository, and still sees the honest ones", async () => {
    const profile = await detectProject(repo.dir);
    expect(leaked(profile, repo)).toEqual([]);
    expect(profile.units.map((u) => u.name)).toContain("honest-py");
    // package.json is a link to a host file: not a Node project here.
    expect(profile.units.some((u) => u.manifest === "package.json")).toBe(false);
  });

  it("the agent context builder sends the model no host file, /proc/self/cwd or /proc/self/environ content", async () => {
    const ctx = await selectContext({ root: repo.dir, query: "dark mode feature notes secret package readme guide chain", budgetTokens: 50_000 });
    expect(leaked(ctx.markdown, repo)).toEqual([]);
    const paths = ctx.files.map((f) => f.path);
    expect(paths).toContain("docs/real.md");
    expect(paths).toContain("docs/alias.md"); // a link that stays inside is read
    for (const p of ["README.md", "package.json", "Cargo.toml", "docs/guide.md", "src/chain.ts", "docs/hop.ts", "vendor/notes.md", "requirements.txt"]) expect(paths).not.toContain(p);
  });

  it("QA evidence retrieval chunks no tracked link that leads out of the repository", async () => {
    const chunks = await collectChunks({ dir: repo.dir, changedFiles: [], chunkLines: 40 });
    expect(leaked(chunks, repo)).toEqual([]);
    expect(chunks.map((c) => c.file)).toContain("src/index.ts");
  });

  it("Spec Kit scaffolding refuses a constitution that is a link out of the repository and writes nothing through it", async () => {
    const before = await fs.readFile(path.join(repo.hostDir, "notes.md"), "utf8");
    await expect(ensureSpeckitScaffold(repo.dir)).rejects.toThrow(/\.specify\/memory\/constitution\.md.*link/);
    expect(await fs.readFile(path.join(repo.hostDir, "notes.md"), "utf8")).toBe(before);
  });

  it("installing agent command files never writes through a linked folder", async () => {
    const dir = await fs.mkdtemp(path.join(repo.hostDir, "..", "cmds-"));
    await fs.symlink(repo.hostDir, path.join(dir, ".qwen"));
    const before = (await fs.readdir(repo.hostDir)).sort();
    await expect(installSpeckitCommands(dir, ["qwen"])).rejects.toThrow(/\.qwen is a link/);
    expect((await fs.readdir(repo.hostDir)).sort()).toEqual(before);
  });
});
