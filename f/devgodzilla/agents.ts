// Lists DevGodzilla's coding agents with their health — installed, path, version, key present
// (never the key) — as a table on the Windmill run page.
import { parseAgentsConfig } from "./lib/agents/config.ts";
import { agentHealth, healthMarkdown } from "./lib/agents/health.ts";

export async function main(
  agents?: RT.CDevgodzillaAgents,
  openai?: RT.Openai,
  anthropic?: RT.Anthropic,
  check_versions = true,
  only_enabled = false,
) {
  const cfg = parseAgentsConfig(agents ?? undefined);
  const rows = await agentHealth(cfg, {
    checkVersions: check_versions,
    onlyEnabled: only_enabled,
    llmKeyPresent: !!openai?.api_key || !!anthropic?.apiKey,
  });
  return { render_all: [{ markdown: healthMarkdown(rows, cfg) }, { "table-row-object": rows }] };
}
