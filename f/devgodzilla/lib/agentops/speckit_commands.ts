// Installs the `/speckit.*` commands (or skills) for the team's agents into a repository, in each
// agent's folder and format as lib/agents/registry.ts records them (Spec Kit's per-agent
// command layouts):
//   markdown → <dir>/speckit.<cmd>.md, YAML front matter `description`, `$ARGUMENTS` (qwen: `{{args}}`)
//   toml     → <dir>/speckit.<cmd>.toml, `description` + `prompt`, `{{args}}` (gemini)
//   skill    → <dir>/speckit-<cmd>/SKILL.md, front matter name/description/compatibility/metadata,
//              invoked `/speckit-<cmd>` (codex: `$speckit-<cmd>`)
//   legacy   → the agent's command folder instead of its skills (claude .claude/commands, cursor
//              .cursor/commands, qoder, bob); copilot's is `.github/agents/*.agent.md` +
//              `.github/prompts/*.prompt.md` (Spec Kit's `--commands` mode).
// Everything is validated before the first file is written, so a bad agent id leaves nothing behind.

import { existsSync } from "node:fs";
import path from "node:path";
import { repoFiles } from "../repo/files.ts";
import { stringify as tomlStringify } from "smol-toml";
import { stringify as yamlStringify } from "yaml";
import { InputError } from "../errors.ts";
import { AGENTS, AGENT_IDS, isAgentId, type AgentId, type AgentSpec } from "../agents/registry.ts";
import { SPECKIT_COMMANDS, SPECKIT_COMMAND_TEXT, SPECKIT_COMMANDS_VERSION, type SpeckitCommand } from "../../prompts/agents/speckit.ts";

export { SPECKIT_COMMANDS, type SpeckitCommand };

export type CommandStyle = "default" | "legacy";

export interface CommandFile {
  agent: AgentId;
  command: SpeckitCommand;
  /** Repo-relative path. */
  path: string;
  content: string;
  format: "markdown" | "toml" | "skill" | "copilot-agent" | "copilot-prompt";
}

export interface InstallOptions {
  /** Per agent: "legacy" writes the command folder instead of skills where the agent has both. */
  style?: Partial<Record<AgentId, CommandStyle>>;
  commands?: readonly SpeckitCommand[];
  /** Replace files that differ from what we would write (default true: commands follow the bundle). */
  overwrite?: boolean;
}

export interface InstallResult {
  written: CommandFile[];
  unchanged: string[];
  /** Existing files that differ and were kept (overwrite: false). */
  kept: string[];
  /** Per agent: folder and how the commands are invoked. */
  agents: { agent: AgentId; dir: string; invoke: string }[];
}

export interface CommandFolderState {
  agent: AgentId;
  dir: string | null;
  exists: boolean;
  installed: SpeckitCommand[];
  missing: SpeckitCommand[];
}

const trimSlash = (d: string) => d.replace(/\/+$/, "");

function layout(spec: AgentSpec, style: CommandStyle): { dir: string; format: "markdown" | "toml" | "skill" | "copilot" } {
  if (!spec.commandDir || spec.promptFormat === "none") {
    throw new InputError(
      "agents",
      `${spec.id} has no command folder (it is driven through its API)`,
      `agents with command files: ${agentsWithCommands().join(", ")}`,
    );
  }
  if (style === "legacy") {
    if (spec.id === "copilot") return { dir: ".github", format: "copilot" };
    if (!spec.legacyCommandDir) throw new InputError(`style.${spec.id}`, "this agent has only one command format");
    return { dir: trimSlash(spec.legacyCommandDir), format: spec.promptFormat === "toml" ? "toml" : "markdown" };
  }
  return { dir: trimSlash(spec.commandDir), format: spec.promptFormat as "markdown" | "toml" | "skill" };
}

export function agentsWithCommands(): AgentId[] {
  return AGENT_IDS.filter((id) => !!AGENTS[id].commandDir && AGENTS[id].promptFormat !== "none");
}

/** How a person invokes a command in this agent. */
export function invocation(agent: AgentId, command: SpeckitCommand, format: string): string {
  if (format === "skill") return agent === "codex" ? `$speckit-${command}` : `/speckit-${command}`;
  return `/speckit.${command}`;
}

function argumentPlaceholder(spec: AgentSpec, format: string): string {
  if (format === "toml") return "{{args}}";
  if (spec.argPlaceholder === "none") return "the text the user typed after the command (if any)";
  return spec.argPlaceholder;
}

function renderBody(agent: AgentId, spec: AgentSpec, format: string, body: string): string {
  return body
    .replace(/\$ARGUMENTS/g, argumentPlaceholder(spec, format))
    .replace(/__SPECKIT_COMMAND_([A-Z][A-Z0-9_]*)__/g, (_m, name: string) => invocation(agent, name.toLowerCase() as SpeckitCommand, format));
}

const frontMatter = (data: Record<string, unknown>) => `---\n${yamlStringify(data, { lineWidth: 0 }).trimEnd()}\n---\n\n`;

/** The files one agent gets for one command (copilot legacy: two). */
export function renderCommandFiles(agent: AgentId, command: SpeckitCommand, style: CommandStyle = "default"): CommandFile[] {
  const spec = AGENTS[agent];
  const { dir, format } = layout(spec, style);
  const text = SPECKIT_COMMAND_TEXT[command];
  const body = renderBody(agent, spec, format, text.body);
  switch (format) {
    case "toml":
      return [
        {
          agent,
          command,
          format,
          path: `${dir}/speckit.${command}.toml`,
          content: `# ${SPECKIT_COMMANDS_VERSION}\n${tomlStringify({ description: text.description, prompt: body })}\n`,
        },
      ];
    case "skill":
      return [
        {
          agent,
          command,
          format,
          path: `${dir}/speckit-${command}/SKILL.md`,
          content:
            frontMatter({
              name: `speckit-${command}`,
              description: text.description,
              compatibility: "Requires a Spec Kit project (.specify/ and specs/)",
              metadata: { author: "devgodzilla", source: SPECKIT_COMMANDS_VERSION },
            }) +
            body +
            "\n",
        },
      ];
    case "copilot":
      return [
        {
          agent,
          command,
          format: "copilot-agent",
          path: `${dir}/agents/speckit.${command}.agent.md`,
          content: frontMatter({ description: text.description }) + body + "\n",
        },
        {
          agent,
          command,
          format: "copilot-prompt",
          path: `${dir}/prompts/speckit.${command}.prompt.md`,
          content: frontMatter({ agent: `speckit.${command}` }),
        },
      ];
    default:
      return [
        { agent, command, format: "markdown", path: `${dir}/speckit.${command}.md`, content: frontMatter({ description: text.description }) + body + "\n" },
      ];
  }
}

/**
 * Checks a list of agent ids for installSpeckitCommands: known, and with a command folder.
 * `field` names the list in the InputError (e.g. "speckit_agents" for onboard's parameter).
 */
export function validateSpeckitAgents(agents: readonly unknown[], field = "agents"): AgentId[] {
  return agents.map((a, i) => {
    if (typeof a !== "string" || !isAgentId(a)) throw new InputError(`${field}.${i}`, `unknown agent ${JSON.stringify(a)}`, `known: ${AGENT_IDS.join(", ")}`);
    if (!agentsWithCommands().includes(a))
      throw new InputError(
        `${field}.${i}`,
        `${a} has no command folder (it is driven through its API)`,
        `agents with command files: ${agentsWithCommands().join(", ")}`,
      );
    return a;
  });
}

/** Writes the commands for the given agents. Validates everything first; nothing is written on bad input. */
export async function installSpeckitCommands(repoDir: string, agents: readonly string[], opts: InstallOptions = {}): Promise<InstallResult> {
  if (!path.isAbsolute(repoDir) || !existsSync(repoDir)) throw new InputError("repoDir", `not an existing absolute directory: ${repoDir}`);
  if (!agents.length) throw new InputError("agents", "name at least one agent", `agents with command files: ${agentsWithCommands().join(", ")}`);
  const commands = opts.commands ?? SPECKIT_COMMANDS;
  for (const c of commands)
    if (!(SPECKIT_COMMANDS as readonly string[]).includes(c)) throw new InputError("commands", `unknown command ${c}`, `known: ${SPECKIT_COMMANDS.join(", ")}`);
  const files: CommandFile[] = [];
  const out: InstallResult = { written: [], unchanged: [], kept: [], agents: [] };
  for (const a of validateSpeckitAgents(agents)) {
    const style = opts.style?.[a] ?? "default";
    const { dir, format } = layout(AGENTS[a], style);
    for (const c of commands) files.push(...renderCommandFiles(a, c, style));
    out.agents.push({ agent: a, dir, invoke: invocation(a, "specify", format) });
  }
  const root = path.resolve(repoDir);
  for (const f of files) {
    const abs = path.resolve(root, f.path);
    if (!abs.startsWith(root + path.sep)) throw new InputError("path", `${f.path} is outside the repository`);
  }
  // Through the repository-files gateway: an existing command file that is a link is never followed.
  const repo = repoFiles(root);
  for (const f of files) {
    const current = repo.readTextSync(f.path);
    if (current !== null) {
      if (current === f.content) {
        out.unchanged.push(f.path);
        continue;
      }
      if (opts.overwrite === false) {
        out.kept.push(f.path);
        continue;
      }
    }
    repo.writeText(f.path, f.content);
    out.written.push(f);
  }
  return out;
}

/** Which Spec Kit commands an agent has in a checkout (either style counts). */
export function commandFolderState(repoDir: string, agent: AgentId): CommandFolderState {
  const spec = AGENTS[agent];
  if (!spec.commandDir || spec.promptFormat === "none") return { agent, dir: null, exists: false, installed: [], missing: [] };
  const styles: CommandStyle[] = spec.legacyCommandDir || agent === "copilot" ? ["default", "legacy"] : ["default"];
  const installed = new Set<SpeckitCommand>();
  const repo = repoFiles(repoDir);
  for (const style of styles) {
    for (const c of SPECKIT_COMMANDS) {
      const files = renderCommandFiles(agent, c, style);
      if (files.every((f) => repo.exists(f.path))) installed.add(c);
    }
  }
  const dir = trimSlash(spec.commandDir);
  const exists = repo.exists(dir) || (!!spec.legacyCommandDir && repo.exists(trimSlash(spec.legacyCommandDir)));
  return { agent, dir, exists, installed: SPECKIT_COMMANDS.filter((c) => installed.has(c)), missing: SPECKIT_COMMANDS.filter((c) => !installed.has(c)) };
}
