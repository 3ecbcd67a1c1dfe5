// `devgodzilla agents list | health [ids…] | test <id>` — agent management at the terminal. The
// command is product code; where its configuration comes from is the caller's (the local runner
// reads resources/local.yaml: scripts/runner/agents-cli.ts), so the bundle imports no harness code.
// Exit codes: 0 ok, 1 degraded / failed trial, 2 usage or configuration error.

import { parseArgs } from "node:util";
import path from "node:path";
import { AGENTS, AGENT_IDS, isAgentId, listAgents, type AgentId, type AgentSpec } from "../agents/registry.ts";
import { DevGodzillaError } from "../errors.ts";
import type { Redactor } from "../redact.ts";
import { configureTelemetry, shutdownTelemetry, type OtlpConfig } from "../telemetry/index.ts";
import { loadProjectAgents, type OrgAgents } from "../agentops/assignments.ts";
import { agentsHealth, healthMarkdown } from "../agentops/health.ts";
import { runAgentTrial } from "./agent_trial.ts";

export const AGENTS_USAGE = `usage: devgodzilla agents <command> [options]

  list                       the agent registry: mode (headless / vendor service / IDE handoff),
                             executable, where it installs from, command folder, output
  health [<id>…]             per-agent status: installed and working (--version), credentials
                             present, model endpoint reachable + latency, what it needs
  test <id>                  run a tiny real task through execute_task (sandbox, fresh working
                             copy, commit) in a throwaway repository and show what the agent did

options:
  --json                     machine-readable output
  --config <resource path>   the c_devgodzilla_agents resource to use (default: the first of that type)
  --repo <dir>               a checkout: IDE command folders and .devgodzilla/agents.yaml overrides
  --timeout <ms>             per endpoint probe in health (default 4000)
  --keep                     test: keep the throwaway repository and print its path
`;

/** What the command needs from its host: the agents resource (raw and parsed), LLM resources, a redactor. */
export interface AgentsCommandConfig {
  org: OrgAgents;
  raw: unknown;
  llm: { llm?: unknown; openai?: unknown; anthropic?: unknown };
  redactor: Redactor;
  otlp: OtlpConfig | null;
}

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

const MODE: Record<AgentSpec["mode"], string> = { headless: "headless", "vendor-service": "vendor service", "ide-handoff": "IDE handoff" };

function installOf(a: AgentSpec): string {
  return a.install.npm ? `npm ${a.install.npm}${a.install.npmVersion ? `@${a.install.npmVersion}` : ""}` : (a.install.other ?? "");
}

export function listTable(enabled: AgentId[] | null): string {
  const rows = [
    "| id | name | mode | needs | executable | install | command folder | format | json | tokens/cost |",
    "|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const a of listAgents()) {
    const on = enabled && !enabled.includes(a.id) ? " (disabled)" : "";
    const mode = `${MODE[a.mode]}${a.mode !== "ide-handoff" && a.ideCommand ? " (+ IDE handoff)" : ""}`;
    rows.push(
      `| ${a.id}${on} | ${a.name} | ${mode} | ${a.service ? `needs ${a.service}` : "–"} | ${a.executables.join(" / ") || "–"} | ${installOf(a).replace(/\|/g, "/")} | ${a.commandDir ?? "–"} | ${a.promptFormat} | ${a.capabilities.jsonOutput ? "yes" : "no"} | ${a.capabilities.tokens ? "tokens" : "–"}${a.capabilities.cost ? "+cost" : ""} |`,
    );
  }
  return rows.join("\n");
}

async function health(cfg: AgentsCommandConfig, ids: AgentId[], o: { json?: boolean; repo?: string; timeout?: string }, io: Io): Promise<number> {
  const repoDir = o.repo ? path.resolve(o.repo) : undefined;
  const project = repoDir ? loadProjectAgents(repoDir, cfg.org) : null;
  const timeoutMs = o.timeout ? Number(o.timeout) : undefined;
  if (timeoutMs !== undefined && !(timeoutMs > 0)) {
    io.err("--timeout must be a positive number of milliseconds");
    return 2;
  }
  const report = await agentsHealth({ org: cfg.org, project, repoDir, timeoutMs, llm: cfg.llm as never, agents: ids.length ? ids : undefined });
  io.out(o.json ? JSON.stringify(cfg.redactor.redactDeep(report), null, 2) : cfg.redactor.redact(healthMarkdown(report)));
  return report.overall === "ok" ? 0 : 1;
}

async function trial(cfg: AgentsCommandConfig, agent: AgentId, o: { json?: boolean; keep?: boolean }, io: Io): Promise<number> {
  await configureTelemetry(cfg.otlp, { redactor: cfg.redactor });
  if (!o.json) io.err(`running a tiny task with ${AGENTS[agent].name} through execute_task (sandboxed)…`);
  const r = await runAgentTrial({ agent, config: cfg.raw, llm: cfg.llm, keep: o.keep, redactor: cfg.redactor });
  await shutdownTelemetry();
  const safe = cfg.redactor.redactDeep(r);
  if (o.json) io.out(JSON.stringify(safe, null, 2));
  else {
    io.out(
      `${safe.ok ? "✅" : "❌"} ${agent}: ${safe.verdict} (${(safe.durationMs / 1000).toFixed(1)} s${safe.sandboxed ? ", sandboxed" : ""}${safe.model ? `, model ${safe.model}` : ""}${safe.tokens ? `, ${safe.tokens.input}+${safe.tokens.output} tokens` : ""}${safe.costUsd !== null ? `, $${safe.costUsd.toFixed(4)}` : ""})`,
    );
    if (safe.error) io.out(`error: ${safe.error}`);
    io.out(`\nfinal message:\n${safe.finalMessage || "(none)"}`);
    io.out(`\ndiff (${safe.filesChanged.length} file${safe.filesChanged.length === 1 ? "" : "s"}):\n${safe.diff || "(no changes)"}`);
    if (safe.repoDir) io.out(`\nrepository kept at ${safe.repoDir}`);
  }
  return r.ok ? 0 : 1;
}

export async function runAgentsCommand(argv: string[], load: (configPath?: string) => AgentsCommandConfig, io: Io): Promise<number> {
  const args = argv[0] === "agents" ? argv.slice(1) : argv;
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        json: { type: "boolean", default: false },
        config: { type: "string" },
        repo: { type: "string" },
        timeout: { type: "string" },
        keep: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (e) {
    io.err(`${(e as Error).message}\n\n${AGENTS_USAGE}`);
    return 2;
  }
  const [cmd, ...rest] = parsed.positionals;
  const o = parsed.values;
  if (o.help || !cmd) {
    (o.help ? io.out : io.err)(AGENTS_USAGE);
    return o.help ? 0 : 2;
  }
  const badIds = rest.filter((id) => !isAgentId(id));
  if (badIds.length) {
    io.err(`unknown agent ${badIds.map((b) => JSON.stringify(b)).join(", ")} — known: ${AGENT_IDS.join(", ")}`);
    return 2;
  }
  try {
    const cfg = load(o.config);
    switch (cmd) {
      case "list":
        if (o.json)
          io.out(
            JSON.stringify(
              listAgents().map((a) => ({ ...a, enabled: cfg.org.base.enabled.includes(a.id) })),
              null,
              2,
            ),
          );
        else io.out(listTable(cfg.org.base.enabled));
        return 0;
      case "health":
        return await health(cfg, rest as AgentId[], o, io);
      case "test":
        if (rest.length !== 1) {
          io.err(`test takes exactly one agent id\n\n${AGENTS_USAGE}`);
          return 2;
        }
        return await trial(cfg, rest[0] as AgentId, o, io);
      default:
        io.err(`unknown command "${cmd}"\n\n${AGENTS_USAGE}`);
        return 2;
    }
  } catch (e) {
    // Configuration problems (ConfigError, a missing $var:) are the user's to fix: one line, exit 2.
    io.err(`${e instanceof DevGodzillaError ? "" : `${(e as Error).name}: `}${(e as Error).message}`);
    return 2;
  }
}
