// onboard with `speckit_agents`: the onboarding commit also carries each agent's /speckit.* command
// files (agentops installSpeckitCommands), so a person can continue the feature from their IDE.
// Real bare remote; the files are read back from what was pushed.
import * as fs from "node:fs/promises";
import { parse as parseToml } from "smol-toml";
import { describe, expect, it } from "vitest";
import { InputError } from "../../f/devgodzilla/lib/errors.ts";
import { runOnboard } from "../../f/devgodzilla/lib/onboard/onboard.ts";
import { SPECKIT_COMMANDS } from "../../f/devgodzilla/prompts/agents/speckit.ts";
import { onboardFixtures } from "./onboard-helpers.ts";
import { gitIn } from "../helpers/git-fixtures.ts";

const onb = onboardFixtures("dg-onb-ide-");
const { work, io } = onb;
const remote = (files: Record<string, string> = {}) => onb.remote("node", { extraFiles: files });

describe("onboard speckit_agents", () => {
  it("commits Claude Code skills and Gemini TOML commands with the scaffolding, and lists them", async () => {
    const fx = await remote();
    const r = await runOnboard({ repo: fx.remote, base_branch: "main", speckit_agents: ["claude-code", "gemini-cli"], ...io() });
    const claude = SPECKIT_COMMANDS.map((c) => `.claude/skills/speckit-${c}/SKILL.md`);
    const gemini = SPECKIT_COMMANDS.map((c) => `.gemini/commands/speckit.${c}.toml`);
    expect(r.speckit_commands.files.sort()).toEqual([...claude, ...gemini].sort());
    expect(r.speckit_commands.agents).toEqual([
      { agent: "claude-code", dir: ".claude/skills", invoke: "/speckit-specify" },
      { agent: "gemini-cli", dir: ".gemini/commands", invoke: "/speckit.specify" },
    ]);
    expect(r.created).toEqual(expect.arrayContaining([".specify/memory/constitution.md", ...claude, ...gemini]));
    expect(r.markdown).toContain("**IDE commands**: claude-code (`.claude/skills`, `/speckit-specify`)");

    // They are in the pushed onboarding commit, in each agent's own format.
    expect(await fx.head("devgodzilla/onboard-main")).toBe(r.commit);
    const skill = (await fx.show(r.commit, ".claude/skills/speckit-specify/SKILL.md"))!;
    expect(skill).toMatch(/^---\nname: speckit-specify\ndescription: /);
    const toml = parseToml((await fx.show(r.commit, ".gemini/commands/speckit.plan.toml"))!) as { description: string; prompt: string };
    expect(toml.description).toBeTruthy();
    expect(toml.prompt).toContain("{{args}}");
    const message = await gitIn(fx.remote, ["log", "-1", "--format=%B", r.commit]);
    expect(message).toContain("- .gemini/commands/speckit.plan.toml");
  });

  it("re-onboarding rewrites only command files that changed, and reports an edited one as updated", async () => {
    const fx = await remote({ ".gemini/commands/speckit.plan.toml": 'description = "old"\nprompt = "old"\n' });
    const r = await runOnboard({ repo: fx.remote, base_branch: "main", speckit_agents: ["gemini-cli"], ...io() });
    expect(r.updated).toContain(".gemini/commands/speckit.plan.toml");
    expect(r.created).not.toContain(".gemini/commands/speckit.plan.toml");
    const again = await runOnboard({ repo: fx.remote, base_branch: "main", speckit_agents: ["gemini-cli"], ...io() });
    expect(again.speckit_commands.files).toEqual([]);
    expect(again.commit).toBe(r.commit);
  });

  it("an unknown or API-only agent is one InputError naming the list entry, before anything is cloned or pushed", async () => {
    const fx = await remote();
    const before = await fx.branches();
    const entries = async () => (await fs.readdir(work.dir)).filter((n) => n.startsWith("devgodzilla-wc-"));
    const wcBefore = await entries();
    for (const [agents, field] of [
      [["claude-code", "claud"], "speckit_agents.1"],
      [["jules"], "speckit_agents.0"],
    ] as const) {
      const err = await runOnboard({ repo: fx.remote, base_branch: "main", speckit_agents: [...agents], ...io() }).catch((e) => e);
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).field).toBe(field);
    }
    expect(await fx.branches()).toEqual(before);
    expect(await entries()).toEqual(wcBefore);
  });
});
