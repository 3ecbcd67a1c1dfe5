// What each agent CLI needs in its (fresh, per-run) HOME and environment to run headless against
// the configured endpoint — facts checked with the real CLIs (npm run test:agents, tests/agents/real):
//   codex       ignores OPENAI_BASE_URL: a model provider in $CODEX_HOME/config.toml (base_url,
//               env_key, wire_api = "responses"); CODEX_HOME must be writable.
//   gemini-cli  with GOOGLE_GEMINI_BASE_URL it picks auth type "gateway", which headless mode
//               rejects (exit 41): settings select "gemini-api-key". Telemetry and usage stats off.
//   qwen        usage statistics off (it would try an outside host).
//   opencode,   an OpenAI-compatible provider given inline: OPENCODE_CONFIG_CONTENT for opencode,
//   kilocode    KILO_CONFIG_CONTENT for kilo (its fork reads only its own variable).
//   copilot     BYOK: with a base URL the key goes to COPILOT_PROVIDER_API_KEY (type openai by
//               default), not to the GitHub token variables.
//   claude-code bypass mode refuses to run as root unless IS_SANDBOX=1.
// Nothing here reads the worker's own HOME: the agent sees only what is written here.

import { stringify as tomlStringify } from "smol-toml";
import type { AgentSettings } from "./config.ts";
import type { AgentId, AgentSpec } from "./registry.ts";

export interface HeadlessSetup {
  /** Env for the agent process (on top of the registry's fixed env and the key/base URL/model). */
  env: Record<string, string>;
  /** Files to write under the agent's HOME (relative path → content). */
  files: Record<string, string>;
}

/** The provider name DevGodzilla gives a configured endpoint in codex's config.toml. */
export const CODEX_PROVIDER = "devgodzilla";

/** Env variables that carry the agent's key for this configuration (first = where api_key goes). */
export function keyVariables(spec: AgentSpec, settings: Pick<AgentSettings, "baseUrl">): string[] {
  if (spec.id === "copilot" && settings.baseUrl) return ["COPILOT_PROVIDER_API_KEY", ...spec.env.keys];
  return spec.env.keys;
}

/** An OpenCode-style inline provider for an OpenAI-compatible endpoint ("provider/model"). */
function opencodeProvider(settings: AgentSettings, model: string | null): string | null {
  if (!settings.baseUrl || !model?.includes("/")) return null;
  const [provider, ...rest] = model.split("/");
  const modelName = rest.join("/");
  return JSON.stringify({
    provider: {
      [provider!]: {
        npm: "@ai-sdk/openai-compatible",
        name: provider,
        options: { baseURL: settings.baseUrl, ...(settings.apiKey ? { apiKey: settings.apiKey } : {}) },
        models: { [modelName]: { name: modelName, tool_call: true } },
      },
    },
  });
}

const json = (v: unknown) => JSON.stringify(v, null, 2) + "\n";

export function headlessSetup(spec: AgentSpec, settings: AgentSettings, model: string | null, home: string): HeadlessSetup {
  const env: Record<string, string> = {};
  const files: Record<string, string> = {};
  const id: AgentId = spec.id;
  if (id === "claude-code" && process.getuid?.() === 0) env.IS_SANDBOX = "1";
  if (id === "qwen") files[".qwen/settings.json"] = json({ privacy: { usageStatisticsEnabled: false } });
  if (id === "gemini-cli") {
    files[".gemini/settings.json"] = json({
      security: { auth: { selectedType: "gemini-api-key" } },
      privacy: { usageStatisticsEnabled: false },
      telemetry: { enabled: false },
    });
  }
  if (id === "opencode" || id === "kilocode") {
    const provider = opencodeProvider(settings, model);
    if (provider) env[id === "kilocode" ? "KILO_CONFIG_CONTENT" : "OPENCODE_CONFIG_CONTENT"] = provider;
  }
  if (id === "copilot" && settings.baseUrl) env.COPILOT_PROVIDER_TYPE = "openai";
  if (id === "codex") {
    env.CODEX_HOME = `${home}/.codex`;
    const config: Record<string, unknown> = { check_for_update_on_startup: false, analytics: { enabled: false } };
    if (settings.baseUrl) {
      config.model_provider = CODEX_PROVIDER;
      config.model_providers = {
        [CODEX_PROVIDER]: {
          name: "DevGodzilla endpoint",
          base_url: settings.baseUrl,
          env_key: spec.env.keys[0],
          wire_api: "responses",
          // One quick retry per request: a retry loop against a dead endpoint would outlast the task.
          request_max_retries: 1,
          stream_max_retries: 1,
          supports_websockets: false,
        },
      };
    }
    files[".codex/config.toml"] = tomlStringify(config) + "\n";
  }
  return { env, files };
}
