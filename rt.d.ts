// Resource types the bundle's scripts take as parameters. In a Windmill workspace this file is
// what `wmill resource-type generate-namespace` writes; the built-in ones below match Windmill's,
// the `c_devgodzilla_*` ones are the custom types shipped under f/devgodzilla/ (*.resource-type.yaml).
declare namespace RT {
  type Openai = { api_key: string; organization_id?: string };
  type Anthropic = { apiKey: string; base_url?: string; platform?: string; enable_1M_context?: boolean };
  type Github = { token: string };
  type Gitlab = { token: string; baseUrl?: string };
  type CDevgodzillaQa = { gates?: Record<string, "blocking" | "warning" | "off">; weights?: { gates?: number; checklist?: number; checks?: number }; threshold?: number; checklist?: { enabled?: boolean; token_budget?: number; top_k?: number; chunk_lines?: number; required_by_default?: boolean; changed_boost?: number; embeddings?: { enabled?: boolean; model?: string; candidates?: number } }; checks?: { install?: boolean; lint?: boolean; typecheck?: boolean; test?: boolean; timeout_seconds?: number; allow_unsandboxed?: boolean } };
  type CDevgodzillaAgents = { default_agent?: string; enabled?: string[]; fallback?: string[]; by_task_type?: Record<string, string>; by_task?: Record<string, string>; by_phase?: Record<string, string | { agent: string; model?: string }>; by_story?: Record<string, string | { agent: string; model?: string }>; review?: string | { agent: string; model?: string; weight?: number }; bin_dir?: string; timeout_seconds?: number; idle_timeout_seconds?: number; agents?: Record<string, { model?: string; timeout_seconds?: number; idle_timeout_seconds?: number; api_key?: string; base_url?: string; env?: Record<string, string> }> };
  type CDevgodzillaLlm = { provider: "openai" | "anthropic"; api_key: string; base_url?: string; model?: string };
  type CDevgodzillaOtlp = { endpoint: string; headers?: Record<string, string> };
}
