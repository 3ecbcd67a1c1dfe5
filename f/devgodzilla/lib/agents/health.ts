// Agent health for the `agents` script: installed? where? which version? key configured?
// Never returns or logs a key — only whether one is present.

import { delimiter } from "node:path";
import { baseEnv } from "../process.ts";
import { agentVersion, installHint, resolveExecutable } from "./cli.ts";
import { agentSettings, type AgentsConfig } from "./config.ts";
import { listAgents, type AgentId } from "./registry.ts";

export interface AgentHealth {
  agent: AgentId;
  name: string;
  kind: "cli" | "ide" | "api";
  enabled: boolean;
  installed: boolean | null;
  path: string | null;
  version: string | null;
  key_env: string;
  key_present: boolean;
  model: string;
  command_dir: string;
  format: string;
  unconfirmed: string;
  install: string;
}

export async function agentHealth(
  cfg: AgentsConfig,
  opts: { checkVersions?: boolean; versionTimeoutMs?: number; llmKeyPresent?: boolean; onlyEnabled?: boolean } = {},
): Promise<AgentHealth[]> {
  const path = [cfg.binDir, baseEnv().PATH].filter(Boolean).join(delimiter);
  const rows = await Promise.all(
    listAgents()
      .filter((a) => !opts.onlyEnabled || cfg.enabled.includes(a.id))
      .map(async (a): Promise<AgentHealth> => {
        const s = agentSettings(cfg, a.id);
        const exe = a.kind === "cli" ? resolveExecutable(a, { binDir: cfg.binDir, path }) : null;
        const version = exe && opts.checkVersions !== false ? await agentVersion(exe, opts.versionTimeoutMs ?? 5000) : null;
        const keyVars = a.env.keys;
        const keyPresent = a.id === "llm" ? !!opts.llmKeyPresent : !!s.apiKey || keyVars.some((k) => !!s.env[k]);
        return {
          agent: a.id,
          name: a.name,
          kind: a.kind,
          enabled: cfg.enabled.includes(a.id),
          installed: a.kind === "cli" ? exe !== null : a.kind === "api" ? true : null,
          path: exe,
          version,
          key_env: a.id === "llm" ? "openai / anthropic resource" : keyVars.join(" | ") || "-",
          key_present: keyPresent,
          model: s.model ?? a.defaultModel ?? "(agent default)",
          command_dir: a.commandDir ?? "-",
          format: a.promptFormat,
          unconfirmed: a.unconfirmed.join("; "),
          install: a.kind === "cli" ? (exe ? "" : installHint(a)) : (a.install.other ?? a.install.npm ?? ""),
        };
      }),
  );
  return rows;
}

export function healthMarkdown(rows: AgentHealth[], cfg: AgentsConfig): string {
  const ready = rows.filter((r) => r.kind !== "ide" && r.enabled && r.installed && r.key_present);
  const cliInstalled = rows.filter((r) => r.kind === "cli" && r.installed);
  const lines = [
    `## Agents`,
    "",
    `- Default agent: **${cfg.defaultAgent}**${cfg.fallback.length ? `, fallback: ${cfg.fallback.join(" → ")}` : ""}`,
    `- CLI agents installed: ${cliInstalled.length ? cliInstalled.map((r) => `${r.agent}${r.version ? ` (${r.version})` : ""}`).join(", ") : "none"}`,
    `- Ready to run headless (enabled, installed, key configured): ${ready.length ? ready.map((r) => r.agent).join(", ") : "none"}`,
    `- IDE agents (run by a person, approval step): ${rows.filter((r) => r.kind === "ide" || ["cursor", "copilot", "kilocode"].includes(r.agent)).map((r) => r.agent).join(", ")}`,
  ];
  if (cfg.binDir) lines.push(`- Executables are looked up in \`${cfg.binDir}\` first, then PATH.`);
  return lines.join("\n");
}
