// Resource types the bundle's scripts take as parameters. In a Windmill workspace this file is
// what `wmill resource-type generate-namespace` writes; the built-in ones below match Windmill's,
// the `c_devgodzilla_*` ones are the custom types shipped under f/devgodzilla/ (*.resource-type.yaml).
declare namespace RT {
  type Openai = { api_key: string; organization_id?: string };
  type Anthropic = { apiKey: string; base_url?: string; platform?: string; enable_1M_context?: boolean };
  type Github = { token: string };
  type Gitlab = { token: string; baseUrl?: string };
}
