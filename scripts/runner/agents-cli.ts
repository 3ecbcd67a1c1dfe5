// `npx devgodzilla agents list | health [ids…] | test <id>` — agent management at the terminal.
// The lead wires `devgodzilla agents …` (scripts/runner/cli.ts) to runAgentsCommand(argv).
// Configuration comes from the local runner's store (resources/local.yaml or
// $DEVGODZILLA_RESOURCES_FILE): the first resource of type c_devgodzilla_agents (or --config <path>),
// and for the built-in llm agent the first c_devgodzilla_llm / openai / anthropic resource.
// Exit codes: 0 ok, 1 degraded / failed trial, 2 usage or configuration error.

import { parseArgs } from "node:util";
import path from "node:path";
import { AGENTS, AGENT_IDS, isAgentId, listAgents, type AgentId } from "../../f/devgodzilla/lib/agents/registry.ts";
import { DevGodzillaError } from "../../f/devgodzilla/lib/errors.ts";
import { Redactor } from "../../f/devgodzilla/lib/redact.ts";
import { providerFromResources } from "../../f/devgodzilla/lib/llm/config.ts";
import { loadProjectAgents, parseOrgAgents, type OrgAgents } from "../../f/devgodzilla/lib/agentops/assignments.ts";
import { agentsHealth, healthMarkdown } from "../../f/devgodzilla/lib/agentops/health.ts";
import { runAgentTrial } from "../../f/devgodzilla/lib/agentops/trial.ts";
import { configureTelemetry, OTLP_RESOURCE_TYPE, shutdownTelemetry, type OtlpConfig } from "../../f/devgodzilla/lib/telemetry/index.ts";
import { Resolver, loadStore } from "./store.ts";

const USAGE = `usage: devgodzilla agents <command> [options]

  list                       the agent registry (kind, executable, command folder, output)
  health [<id>…]             per-agent status: installed + version, credentials present,
                             API endpoint reachable + latency, IDE command folders (--repo)
  test <id>                  run a tiny real task in a temporary git repository and show
                             what the agent did (diff, final message)

options:
  --json                     machine-readable output
  --config <resource path>   the c_devgodzilla_agents resource to use (default: the first of that type)
  --repo <dir>               a checkout: IDE command folders and .devgodzilla/agents.yaml overrides
  --timeout <ms>             per probe in health (default 4000)
  --keep                     test: keep the temporary repository and print its path
`;

interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

function loadConfig(configPath: string | undefined): { org: OrgAgents; raw: unknown; llm: Record<string, unknown>; redactor: Redactor; otlp: OtlpConfig | null } {
  const { store, file } = loadStore();
  const resolver = new Resolver(store, file);
  const ofType = (...types: string[]) => Object.entries(store.resources).find(([, r]) => r.resource_type && types.includes(r.resource_type))?.[0];
  const agentsPath = configPath ?? ofType("c_devgodzilla_agents");
  const raw = agentsPath ? resolver.resource(agentsPath) : undefined;
  const org = parseOrgAgents(raw, agentsPath ? `${agentsPath} (${path.relative(process.cwd(), file) || file})` : "c_devgodzilla_agents");
  const llm: Record<string, unknown> = {};
  for (const [key, type] of [["llm", "c_devgodzilla_llm"], ["openai", "openai"], ["anthropic", "anthropic"]] as const) {
    const p = ofType(type);
    if (p && !Object.keys(llm).length) {
      try {
        llm[key] = resolver.resource(p);
      } catch {
        /* an unresolvable LLM resource = no LLM credentials */
      }
    }
  }
  const otlpPath = ofType(OTLP_RESOURCE_TYPE);
  const otlp = otlpPath ? (resolver.resource(otlpPath) as OtlpConfig) : null;
  // Every variable is a secret in Windmill's model: scrub them all from what we print.
  for (const v of Object.values(store.variables)) resolver.redactor.add(v);
  return { org, raw, llm, redactor: resolver.redactor, otlp };
}

function listTable(enabled: AgentId[] | null): string {
  const rows = ["| id | name | kind | executable | install | command folder | format | json | tokens/cost | unconfirmed |", "|---|---|---|---|---|---|---|---|---|---|"];
  for (const a of listAgents()) {
    const on = enabled && !enabled.includes(a.id) ? " (disabled)" : "";
    const install = a.install.npm ? `npm ${a.install.npm}${a.install.npmVersion ? `@${a.install.npmVersion.split(" ")[0]}` : ""}` : a.install.other ?? "";
    rows.push(
      `| ${a.id}${on} | ${a.name} | ${a.kind} | ${a.executables.join(" / ") || "–"} | ${install.replace(/\|/g, "/")} | ${a.commandDir ?? "–"} | ${a.promptFormat} | ${a.capabilities.jsonOutput ? "yes" : "no"} | ${a.capabilities.tokens ? "tokens" : "–"}${a.capabilities.cost ? "+cost" : ""} | ${a.unconfirmed.length} |`,
    );
  }
  return rows.join("\n");
}

export async function runAgentsCommand(argv: string[], io: Io = { out: (s) => process.stdout.write(s + "\n"), err: (s) => process.stderr.write(s + "\n") }): Promise<number> {
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
    io.err(`${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const [cmd, ...rest] = parsed.positionals;
  const o = parsed.values;
  if (o.help || !cmd) {
    (o.help ? io.out : io.err)(USAGE);
    return o.help ? 0 : 2;
  }
  const badIds = rest.filter((id) => !isAgentId(id));
  if (badIds.length) {
    io.err(`unknown agent ${badIds.map((b) => JSON.stringify(b)).join(", ")} — known: ${AGENT_IDS.join(", ")}`);
    return 2;
  }
  try {
    const cfg = loadConfig(o.config);
    switch (cmd) {
      case "list": {
        if (o.json) io.out(JSON.stringify(listAgents().map((a) => ({ ...a, enabled: cfg.org.base.enabled.includes(a.id) })), null, 2));
        else io.out(listTable(cfg.org.base.enabled));
        return 0;
      }
      case "health": {
        const repoDir = o.repo ? path.resolve(o.repo) : undefined;
        const project = repoDir ? loadProjectAgents(repoDir, cfg.org) : null;
        const timeoutMs = o.timeout ? Number(o.timeout) : undefined;
        if (timeoutMs !== undefined && !(timeoutMs > 0)) {
          io.err("--timeout must be a positive number of milliseconds");
          return 2;
        }
        const report = await agentsHealth({
          org: cfg.org, project, repoDir, timeoutMs,
          llm: cfg.llm as never, agents: rest.length ? (rest as AgentId[]) : undefined,
        });
        const safe = cfg.redactor.redactDeep(report);
        io.out(o.json ? JSON.stringify(safe, null, 2) : cfg.redactor.redact(healthMarkdown(report)));
        return report.overall === "ok" ? 0 : 1;
      }
      case "test": {
        if (rest.length !== 1) {
          io.err(`test takes exactly one agent id\n\n${USAGE}`);
          return 2;
        }
        const agent = rest[0] as AgentId;
        await configureTelemetry(cfg.otlp, { redactor: cfg.redactor });
        let llm;
        if (agent === "llm") {
          try {
            llm = providerFromResources(cfg.llm);
          } catch (e) {
            io.err(cfg.redactor.redact((e as Error).message));
            return 2;
          }
        }
        if (!o.json) io.err(`running a tiny task with ${AGENTS[agent].name}…`);
        const r = await runAgentTrial({ agent, config: cfg.org.base, llm, keep: o.keep, redactor: cfg.redactor });
        await shutdownTelemetry();
        const safe = cfg.redactor.redactDeep(r);
        if (o.json) io.out(JSON.stringify(safe, null, 2));
        else {
          io.out(`${safe.ok ? "✅" : "❌"} ${agent}: ${safe.verdict} (${(safe.durationMs / 1000).toFixed(1)} s${safe.model ? `, model ${safe.model}` : ""}${safe.tokens ? `, ${safe.tokens.input}+${safe.tokens.output} tokens` : ""}${safe.costUsd !== null ? `, $${safe.costUsd.toFixed(4)}` : ""})`);
          if (safe.error) io.out(`error: ${safe.error}`);
          io.out(`\nfinal message:\n${safe.finalMessage || "(none)"}`);
          io.out(`\ndiff (${safe.filesChanged.length} file${safe.filesChanged.length === 1 ? "" : "s"}):\n${safe.diff || "(no changes)"}`);
          if (safe.repoDir) io.out(`\nrepository kept at ${safe.repoDir}`);
        }
        return r.ok ? 0 : 1;
      }
      default:
        io.err(`unknown command "${cmd}"\n\n${USAGE}`);
        return 2;
    }
  } catch (e) {
    // Configuration problems (ConfigError, a missing $var:) are the user's to fix: one line, exit 2.
    io.err(`${e instanceof DevGodzillaError ? "" : `${(e as Error).name}: `}${(e as Error).message}`);
    return 2;
  }
}
