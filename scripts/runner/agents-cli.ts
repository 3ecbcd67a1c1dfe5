// `npx devgodzilla agents …` on the local runner: the product command (f/devgodzilla/lib/agentops/
// command.ts) with its configuration from the runner's store (resources/local.yaml or
// $DEVGODZILLA_RESOURCES_FILE): the first resource of type c_devgodzilla_agents (or --config
// <path>), and for the built-in llm agent the first c_devgodzilla_llm / openai / anthropic resource.
import path from "node:path";
import { parseOrgAgents } from "../../f/devgodzilla/lib/agentops/assignments.ts";
import { runAgentsCommand as run, type AgentsCommandConfig, type Io } from "../../f/devgodzilla/lib/workspace/agents_command.ts";
import { OTLP_RESOURCE_TYPE, type OtlpConfig } from "../../f/devgodzilla/lib/telemetry/index.ts";
import { Resolver, loadStore } from "./store.ts";

function loadConfig(configPath: string | undefined): AgentsCommandConfig {
  const { store, file } = loadStore();
  const resolver = new Resolver(store, file);
  const ofType = (...types: string[]) => Object.entries(store.resources).find(([, r]) => r.resource_type && types.includes(r.resource_type))?.[0];
  const agentsPath = configPath ?? ofType("c_devgodzilla_agents");
  const raw = agentsPath ? resolver.resource(agentsPath) : undefined;
  const org = parseOrgAgents(raw, agentsPath ? `${agentsPath} (${path.relative(process.cwd(), file) || file})` : "c_devgodzilla_agents");
  const llm: Record<string, unknown> = {};
  for (const [key, type] of [
    ["llm", "c_devgodzilla_llm"],
    ["openai", "openai"],
    ["anthropic", "anthropic"],
  ] as const) {
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

export function runAgentsCommand(
  argv: string[],
  io: Io = { out: (s) => process.stdout.write(s + "\n"), err: (s) => process.stderr.write(s + "\n") },
): Promise<number> {
  return run(argv, loadConfig, io);
}
