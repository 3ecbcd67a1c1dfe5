import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parse as parseToml } from "smol-toml";
import { parse as parseYaml } from "yaml";
import { InputError } from "../../f/devgodzilla/lib/errors.ts";
import { SPECKIT_COMMANDS, agentsWithCommands, commandFolderState, installSpeckitCommands } from "../../f/devgodzilla/lib/agentops/speckit_commands.ts";

let repo: string;
afterEach(() => rmSync(repo, { recursive: true, force: true }));
const fresh = () => (repo = mkdtempSync(path.join(tmpdir(), "dg-speckit-cmds-")));
const read = (rel: string) => readFileSync(path.join(repo, rel), "utf8");

/** Splits `---\nyaml\n---\nbody` and parses the YAML. */
function frontMatter(text: string): { data: Record<string, unknown>; body: string } {
  const m = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(text);
  if (!m) throw new Error(`no front matter in:\n${text.slice(0, 200)}`);
  return { data: parseYaml(m[1]!) as Record<string, unknown>, body: m[2]! };
}

describe("Spec Kit command files per agent", () => {
  it("claude gets SKILL.md folders in .claude/skills with name/description front matter and $ARGUMENTS", async () => {
    fresh();
    const r = await installSpeckitCommands(repo, ["claude-code"]);
    expect(r.agents).toEqual([{ agent: "claude-code", dir: ".claude/skills", invoke: "/speckit-specify" }]);
    expect(readdirSync(path.join(repo, ".claude/skills")).sort()).toEqual(SPECKIT_COMMANDS.map((c) => `speckit-${c}`).sort());
    const { data, body } = frontMatter(read(".claude/skills/speckit-plan/SKILL.md"));
    expect(data).toMatchObject({
      name: "speckit-plan",
      description: expect.stringContaining("implementation plan"),
      compatibility: expect.any(String),
      metadata: { author: "devgodzilla" },
    });
    expect(body).toContain("$ARGUMENTS");
    expect(body).toContain("/speckit-tasks"); // references use the skill form
    expect(body).not.toMatch(/__SPECKIT_COMMAND_/);
  });

  it("claude legacy style writes .claude/commands/speckit.<cmd>.md", async () => {
    fresh();
    await installSpeckitCommands(repo, ["claude-code"], { style: { "claude-code": "legacy" } });
    const { data, body } = frontMatter(read(".claude/commands/speckit.specify.md"));
    expect(data.description).toMatch(/specification/);
    expect(body).toContain("/speckit.clarify");
  });

  it("gemini gets TOML in .gemini/commands with description, prompt and {{args}} (parsed with smol-toml)", async () => {
    fresh();
    await installSpeckitCommands(repo, ["gemini-cli"]);
    for (const c of SPECKIT_COMMANDS) {
      const toml = parseToml(read(`.gemini/commands/speckit.${c}.toml`)) as { description: string; prompt: string };
      expect(Object.keys(toml).sort()).toEqual(["description", "prompt"]);
      expect(toml.description.length).toBeGreaterThan(10);
      expect(toml.prompt).toContain("{{args}}");
      expect(toml.prompt).not.toContain("$ARGUMENTS");
    }
    // Quotes, backslashes and triple quotes in the body survive the round trip.
    expect((parseToml(read(".gemini/commands/speckit.checklist.toml")) as { prompt: string }).prompt).toContain("Is 'fast loading' quantified");
  });

  it("opencode gets markdown in .opencode/commands with a description and $ARGUMENTS", async () => {
    fresh();
    await installSpeckitCommands(repo, ["opencode"]);
    const files = readdirSync(path.join(repo, ".opencode/commands")).sort();
    expect(files).toEqual(SPECKIT_COMMANDS.map((c) => `speckit.${c}.md`).sort());
    const { data, body } = frontMatter(read(".opencode/commands/speckit.tasks.md"));
    expect(Object.keys(data)).toEqual(["description"]);
    expect(body).toContain("$ARGUMENTS");
    expect(body).toContain("- [ ] T001 [P] [US1]");
  });

  it("copilot gets skills in .github/skills by default, and prompt + agent files in --commands style", async () => {
    fresh();
    await installSpeckitCommands(repo, ["copilot"]);
    expect(frontMatter(read(".github/skills/speckit-implement/SKILL.md")).data.name).toBe("speckit-implement");
    await installSpeckitCommands(repo, ["copilot"], { style: { copilot: "legacy" } });
    const prompt = frontMatter(read(".github/prompts/speckit.analyze.prompt.md"));
    expect(prompt.data).toEqual({ agent: "speckit.analyze" });
    const agent = frontMatter(read(".github/agents/speckit.analyze.agent.md"));
    expect(agent.data.description).toMatch(/Read-only/);
    expect(agent.body).toContain("READ-ONLY");
  });

  it("qwen markdown uses {{args}}, codex skills are invoked with $speckit-…", async () => {
    fresh();
    const r = await installSpeckitCommands(repo, ["qwen", "codex"]);
    expect(read(".qwen/commands/speckit.specify.md")).toContain("{{args}}");
    expect(r.agents.find((a) => a.agent === "codex")).toEqual({ agent: "codex", dir: ".agents/skills", invoke: "$speckit-specify" });
    expect(read(".agents/skills/speckit-plan/SKILL.md")).toContain("$speckit-tasks");
  });

  it("every agent with a command folder renders parseable files", async () => {
    fresh();
    const agents = agentsWithCommands();
    expect(agents).toEqual(expect.arrayContaining(["claude-code", "gemini-cli", "opencode", "copilot", "windsurf", "roo", "bob", "amp"]));
    const r = await installSpeckitCommands(repo, agents);
    expect(r.written.length).toBe(agents.length * SPECKIT_COMMANDS.length);
    for (const f of r.written) {
      if (f.format === "toml") parseToml(f.content);
      else frontMatter(f.content);
    }
  });

  it("is idempotent, and keeps a file the project changed when overwrite is false", async () => {
    fresh();
    await installSpeckitCommands(repo, ["opencode"]);
    const again = await installSpeckitCommands(repo, ["opencode"]);
    expect(again.written).toEqual([]);
    expect(again.unchanged.length).toBe(SPECKIT_COMMANDS.length);
    writeFileSync(path.join(repo, ".opencode/commands/speckit.plan.md"), "---\ndescription: ours\n---\nour plan command\n");
    const kept = await installSpeckitCommands(repo, ["opencode"], { overwrite: false });
    expect(kept.kept).toEqual([".opencode/commands/speckit.plan.md"]);
    expect(read(".opencode/commands/speckit.plan.md")).toContain("our plan command");
  });

  it("an unknown agent or an API agent is one InputError and nothing is written", async () => {
    fresh();
    await expect(installSpeckitCommands(repo, ["opencode", "devin"])).rejects.toMatchObject({ field: "agents.1" });
    await expect(installSpeckitCommands(repo, ["claude-code", "jules"])).rejects.toBeInstanceOf(InputError);
    expect(readdirSync(repo)).toEqual([]);
  });

  it("reports the command folder state of an agent in a checkout", async () => {
    fresh();
    expect(commandFolderState(repo, "windsurf")).toMatchObject({ dir: ".windsurf/workflows", exists: false, installed: [] });
    await installSpeckitCommands(repo, ["windsurf"], { commands: ["specify", "plan"] });
    const s = commandFolderState(repo, "windsurf");
    expect(s).toMatchObject({ exists: true, installed: ["specify", "plan"] });
    expect(s.missing).toContain("implement");
    mkdirSync(path.join(repo, ".cursor/commands"), { recursive: true });
    await installSpeckitCommands(repo, ["cursor"], { style: { cursor: "legacy" } });
    expect(commandFolderState(repo, "cursor").installed.length).toBe(SPECKIT_COMMANDS.length);
    expect(existsSync(path.join(repo, ".cursor/commands/speckit.implement.md"))).toBe(true);
  });
});
