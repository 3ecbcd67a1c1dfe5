// Class 3 of issue 13: a hostile repository's links must not carry host files into a profile, a
// model's context or QA evidence. Every reader goes through the repository-files gateway; these
// tests use the real readers on a real repository whose committed links lead out of it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { detectProject } from "../../f/devgodzilla/lib/project/detect.ts";
import { selectContext } from "../../f/devgodzilla/lib/llm/context.ts";
import { evidenceIndex } from "../../f/devgodzilla/lib/qa/retrieval.ts";
import { ensureSpeckitScaffold } from "../../f/devgodzilla/lib/speckit/scaffold.ts";
import { installSpeckitCommands } from "../../f/devgodzilla/lib/agentops/speckit_commands.ts";
import { checklistItems } from "../../f/devgodzilla/lib/qa/run.ts";
import { repoSources } from "../../f/devgodzilla/lib/qa/sources.ts";
import { runChecks } from "../../f/devgodzilla/lib/qa/checks.ts";
import { parseQaConfig } from "../../f/devgodzilla/lib/qa/config.ts";
import { featurePaths, listFeatureDirs } from "../../f/devgodzilla/lib/speckit/paths.ts";
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
    for (const p of ["README.md", "package.json", "Cargo.toml", "docs/guide.md", "src/chain.ts", "docs/hop.ts", "vendor/notes.md", "requirements.txt"])
      expect(paths).not.toContain(p);
  });

  it("QA evidence retrieval chunks no tracked link that leads out of the repository", async () => {
    const index = await evidenceIndex({ dir: repo.dir, changedFiles: [], chunkLines: 40 });
    const chunks = index.files.flatMap((f) => index.chunksOf(f));
    expect(leaked(await index.read(chunks), repo)).toEqual([]);
    expect(index.files).toContain("src/index.ts");
  });

  it("QA reads no acceptance scenario from a spec linked out of the repository, and no head version through a link", async () => {
    const items = await checklistItems(repo.dir, featurePaths("001-hostile"), true);
    expect(leaked(items, repo)).toEqual([]);
    const sources = repoSources(repo.dir, repo.seed, repo.seed);
    const heads = await Promise.all(
      ["README.md", "Cargo.toml", "docs/guide.md", "src/chain.ts", "specs/001-hostile/spec.md", "vendor/notes.md"].map((p) => sources.head(p)),
    );
    expect(heads).toEqual([null, null, null, null, null, null]);
    expect(await sources.head("docs/alias.md")).toContain("dark mode");
  });

  it("a test command that replaces its result file by a link to a host file gets nothing of that file into the QA results", async () => {
    const config = parseQaConfig({ checks: { timeout_seconds: 60 } }).checks;
    const test = [{ argv: [process.execPath, "steal-results.mjs", path.join(repo.hostDir, "report.xml")], cwd: ".", source: "test", inferred: false }];
    const runs = await runChecks({ dir: repo.dir, commands: { lint: [], typecheck: [], test }, config });
    const run = runs.find((r) => r.kind === "test")!;
    expect(run.sandboxed).toBe(true);
    expect(run.outputTail).toContain("all good"); // the command did run
    expect(leaked(runs, repo)).toEqual([]);
  });

  it("feature numbering lists no host folder through a linked specs/", async () => {
    const dir = await fs.mkdtemp(path.join(repo.hostDir, "..", "specs-link-"));
    await fs.mkdir(path.join(repo.hostDir, `001-${repo.canary}`), { recursive: true });
    await fs.symlink(repo.hostDir, path.join(dir, "specs"));
    expect(await listFeatureDirs(dir)).toEqual([]);
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
