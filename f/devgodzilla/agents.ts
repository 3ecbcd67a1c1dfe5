// DevGodzilla's coding agents and their health, as a person can act on it: per enabled agent
// installed and working (`--version`), credentials present (never the key, only which setting
// holds it), model endpoint reachable (latency), what a vendor-service agent needs, IDE agents
// "manual", and an overall ok/degraded for the agents in use.
import { agentsHealth, healthMarkdown } from "./lib/agentops/health.ts";

export async function main(agents?: RT.CDevgodzillaAgents, llm?: RT.CDevgodzillaLlm) {
  const r = await agentsHealth({ config: agents, llm: { llm } });
  return { render_all: [{ markdown: healthMarkdown(r) }, { "table-row-object": r.agents }] };
}
