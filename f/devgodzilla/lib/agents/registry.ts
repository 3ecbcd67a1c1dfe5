// The 18 coding agents of the design (plus the built-in `llm` agent) and how each one runs
// headless. Every flag, env var, folder and output shape here is the agent's documented interface
// (as of Aug–Oct 2026); the comment above an entry gives its quirks and what its documentation
// leaves unconfirmed.

import { z } from "zod";

export const AGENT_IDS = [
  "codex",
  "claude-code",
  "opencode",
  "gemini-cli",
  "qwen",
  "copilot",
  "cursor",
  "windsurf",
  "qoder",
  "q",
  "auggie",
  "codebuddy",
  "kilocode",
  "roo",
  "amp",
  "shai",
  "bob",
  "jules",
  "llm",
] as const;
export type AgentId = (typeof AGENT_IDS)[number];
export const AgentIdSchema = z.enum(AGENT_IDS);

/** Shapes of machine-readable output the CLI adapter can parse (see cli.ts). */
export const OUTPUT_FORMATS = [
  "codex-jsonl", // thread.started / item.completed / turn.completed
  "claude-stream-json", // system/assistant/result lines (claude stream-json, amp --stream-json)
  "claude-result-json", // one {type:"result",...} object (cursor, auggie, codebuddy, qoder)
  "opencode-jsonl", // {type,timestamp,sessionID,part} (opencode, kilo)
  "gemini-json", // {session_id,response,stats}
  "qwen-json", // Claude-style array [system, assistant…, result]
  "copilot-jsonl", // assistant.message{data.content} … result{sessionId}
  "shai-trace", // pretty JSON message array
  "text", // plain final message on stdout
] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export const AgentSpecSchema = z.object({
  id: AgentIdSchema,
  name: z.string(),
  /** Primary way DevGodzilla drives it. */
  kind: z.enum(["cli", "ide", "api"]),
  /**
   * What running it takes: `headless` runs here against the configured (or its provider's) model
   * endpoint; `vendor-service` runs only against its vendor's own service (`service`), which
   * needs that account and network; `ide-handoff` is run by a person in an IDE (command file on
   * the task branch + an approval step).
   */
  mode: z.enum(["headless", "vendor-service", "ide-handoff"]),
  /** The vendor service a `vendor-service` agent needs ("needs <service>"). */
  service: z.string().nullable(),
  /** Executable name on PATH (cli kinds), first match wins. */
  executables: z.array(z.string()),
  /** npm package and the pinned version that installs (tests/agents/real/clis.json), or where it comes from when no registry has it. */
  install: z.object({
    npm: z.string().optional(),
    npmVersion: z.string().optional(),
    other: z.string().optional(),
  }),
  /** null = the agent's own default (no model flag is passed unless configured). */
  defaultModel: z.string().nullable(),
  capabilities: z.object({
    jsonOutput: z.boolean(),
    tokens: z.boolean(),
    cost: z.boolean(),
  }),
  commandDir: z.string().nullable(),
  legacyCommandDir: z.string().nullable(),
  promptFormat: z.enum(["markdown", "toml", "skill", "none"]),
  /** Placeholder the command file uses for the arguments. */
  argPlaceholder: z.enum(["$ARGUMENTS", "{{args}}", "none"]),
  /** File the IDE adapter writes for a task a human runs in the IDE ({name} = task command name). */
  ideCommand: z.object({ path: z.string(), format: z.enum(["markdown", "skill"]) }).nullable(),
  cli: z
    .object({
      /**
       * The headless command line as the agent documents it (template + auto-approve), with
       * placeholders {prompt}, {model} and {title}. A flag right before {model}/{title} is dropped
       * together with it when there is no value.
       */
      template: z.array(z.string()),
      output: z.enum(OUTPUT_FORMATS),
      /** Documented exit codes with a meaning beyond 0/1. */
      exitCodes: z.record(z.string(), z.enum(["auth", "input", "config", "turn-limit", "cancelled", "mcp", "not-found"])),
    })
    .nullable(),
  env: z.object({
    /** Env vars that carry the key, preferred first; the configured api_key goes into the first. */
    keys: z.array(z.string()),
    baseUrl: z.string().nullable(),
    model: z.string().nullable(),
    /** Fixed env the agent needs headless (trust, telemetry, update checks). */
    fixed: z.record(z.string(), z.string()),
  }),
  /**
   * Public API endpoints the agent calls by default (the sandbox allow-list when no base_url is
   * configured; allowed only for an enabled agent a task runs). [] = none documented.
   */
  endpoints: z.array(z.string()),
});
export type AgentSpec = z.infer<typeof AgentSpecSchema>;

type Caps = AgentSpec["capabilities"];
const caps = (c: Partial<Caps>): Caps => ({ jsonOutput: false, tokens: false, cost: false, ...c });

const SPECS: AgentSpec[] = [
  // Ignores OPENAI_BASE_URL: a configured base_url becomes a model provider in
  // $CODEX_HOME/config.toml (wire_api responses). Waits for EOF on an open stdin pipe: stdin is
  // closed. No cost field. Its own sandbox is bypassed inside DevGodzilla's.
  {
    id: "codex",
    name: "OpenAI Codex CLI",
    kind: "cli",
    mode: "headless",
    service: null,
    executables: ["codex"],
    install: { npm: "@openai/codex", npmVersion: "0.169.0" },
    defaultModel: null,
    capabilities: caps({ jsonOutput: true, tokens: true }),
    commandDir: ".agents/skills/",
    legacyCommandDir: null,
    promptFormat: "skill",
    argPlaceholder: "$ARGUMENTS",
    ideCommand: null,
    cli: {
      // Its own sandbox cannot start bubblewrap inside ours (read-only file system): DevGodzilla's
      // sandbox is the boundary, so codex's is bypassed.
      template: ["exec", "--skip-git-repo-check", "--dangerously-bypass-approvals-and-sandbox", "-m", "{model}", "--json", "{prompt}"],
      output: "codex-jsonl",
      exitCodes: {},
    },
    env: { keys: ["CODEX_API_KEY"], baseUrl: null, model: null, fixed: {} },
    endpoints: ["https://api.openai.com"],
  },
  // stream-json with -p requires --verbose. As root, bypass mode exits 1 unless IS_SANDBOX=1 (set
  // automatically when running as root). ANTHROPIC_BASE_URL must speak the Anthropic API.
  {
    id: "claude-code",
    name: "Claude Code",
    kind: "cli",
    mode: "headless",
    service: null,
    executables: ["claude"],
    install: { npm: "@anthropic-ai/claude-code", npmVersion: "2.1.328" },
    defaultModel: null,
    capabilities: caps({ jsonOutput: true, tokens: true, cost: true }),
    commandDir: ".claude/skills/",
    legacyCommandDir: ".claude/commands/",
    promptFormat: "skill",
    argPlaceholder: "$ARGUMENTS",
    ideCommand: null,
    cli: {
      template: ["-p", "{prompt}", "--model", "{model}", "--output-format", "stream-json", "--verbose", "--dangerously-skip-permissions"],
      output: "claude-stream-json",
      exitCodes: {},
    },
    env: {
      keys: ["ANTHROPIC_API_KEY", "CLAUDE_CODE_OAUTH_TOKEN"],
      baseUrl: "ANTHROPIC_BASE_URL",
      model: null,
      // No auto-update, telemetry or error reporting from a sandboxed worker.
      fixed: { CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1" },
    },
    endpoints: ["https://api.anthropic.com"],
  },
  // Non-interactive run auto-rejects permissions unless --auto (older builds:
  // OPENCODE_PERMISSION). Custom OpenAI-compatible provider via OPENCODE_CONFIG_CONTENT. Install
  // script must be approved (platform binary). Unconfirmed: step_finish token/cost field names
  // (per SDK part types, not re-verified).
  {
    id: "opencode",
    name: "OpenCode",
    kind: "cli",
    mode: "headless",
    service: null,
    executables: ["opencode"],
    install: { npm: "opencode-ai", npmVersion: "1.18.33" },
    defaultModel: null,
    capabilities: caps({ jsonOutput: true, tokens: true, cost: true }),
    commandDir: ".opencode/commands/",
    legacyCommandDir: ".opencode/command/",
    promptFormat: "markdown",
    argPlaceholder: "$ARGUMENTS",
    ideCommand: null,
    cli: {
      template: ["run", "-m", "{model}", "--format", "json", "--auto", "--title", "{title}", "{prompt}"],
      output: "opencode-jsonl",
      exitCodes: {},
    },
    env: {
      keys: ["OPENAI_API_KEY", "ANTHROPIC_API_KEY"],
      baseUrl: null,
      model: null,
      // No update check, models.dev fetch or LSP download: each waits on a network the sandbox
      // does not have.
      fixed: { OPENCODE_DISABLE_AUTOUPDATE: "1", OPENCODE_DISABLE_MODELS_FETCH: "1", OPENCODE_DISABLE_LSP_DOWNLOAD: "1" },
    },
    endpoints: [],
  },
  // Untrusted folder ⇒ FatalUntrustedWorkspaceError: --skip-trust /
  // GEMINI_CLI_TRUST_WORKSPACE=true. GOOGLE_GEMINI_BASE_URL is a Gemini API proxy, not OpenAI.
  {
    id: "gemini-cli",
    name: "Gemini CLI",
    kind: "cli",
    mode: "headless",
    service: null,
    executables: ["gemini"],
    install: { npm: "@google/gemini-cli", npmVersion: "0.61.0" },
    defaultModel: null,
    capabilities: caps({ jsonOutput: true, tokens: true }),
    commandDir: ".gemini/commands/",
    legacyCommandDir: null,
    promptFormat: "toml",
    argPlaceholder: "{{args}}",
    ideCommand: null,
    cli: {
      template: ["-p", "{prompt}", "-m", "{model}", "-o", "json", "--approval-mode", "yolo", "--skip-trust"],
      output: "gemini-json",
      exitCodes: { "41": "auth", "42": "input", "52": "config", "53": "turn-limit", "130": "cancelled" },
    },
    env: {
      keys: ["GEMINI_API_KEY", "GOOGLE_API_KEY"],
      baseUrl: "GOOGLE_GEMINI_BASE_URL",
      model: "GEMINI_MODEL",
      fixed: { GEMINI_CLI_TRUST_WORKSPACE: "true" },
    },
    endpoints: ["https://generativelanguage.googleapis.com"],
  },
  // Gemini-CLI fork; OpenAI-compatible base URL. A failed tool does not fail the run: check the
  // files. OAuth is unusable headless. Unconfirmed: exit codes are not enumerated.
  {
    id: "qwen",
    name: "Qwen Code",
    kind: "cli",
    mode: "headless",
    service: null,
    executables: ["qwen"],
    install: { npm: "@qwen-code/qwen-code", npmVersion: "0.24.4" },
    defaultModel: null,
    capabilities: caps({ jsonOutput: true, tokens: true }),
    commandDir: ".qwen/commands/",
    legacyCommandDir: null,
    promptFormat: "markdown",
    argPlaceholder: "{{args}}",
    ideCommand: null,
    cli: {
      template: ["-p", "{prompt}", "-m", "{model}", "-o", "json", "--yolo"],
      output: "qwen-json",
      exitCodes: {},
    },
    env: {
      keys: ["OPENAI_API_KEY", "DASHSCOPE_API_KEY"],
      baseUrl: "OPENAI_BASE_URL",
      model: "OPENAI_MODEL",
      fixed: { QWEN_CODE_SUPPRESS_YOLO_WARNING: "1" },
    },
    endpoints: [],
  },
  // Fine-grained PAT, not ghp_. BYOK: COPILOT_PROVIDER_TYPE, COPILOT_PROVIDER_API_KEY. IDE form:
  // .github/prompts/*.prompt.md (VS Code agent mode). Unconfirmed: --output-format json schema is
  // undocumented (observed: assistant.message{data.content}, tool.execution_*, result{sessionId}).
  {
    id: "copilot",
    name: "GitHub Copilot CLI",
    kind: "cli",
    mode: "headless",
    service: null,
    executables: ["copilot"],
    install: { npm: "@github/copilot", npmVersion: "1.0.102" },
    defaultModel: null,
    capabilities: caps({ jsonOutput: true }),
    commandDir: ".github/skills/",
    legacyCommandDir: ".github/prompts/",
    promptFormat: "skill",
    argPlaceholder: "$ARGUMENTS",
    ideCommand: { path: ".github/prompts/{name}.prompt.md", format: "markdown" },
    cli: {
      template: ["-p", "{prompt}", "--model", "{model}", "--allow-all", "--no-ask-user", "--output-format", "json"],
      output: "copilot-jsonl",
      exitCodes: {},
    },
    env: {
      keys: ["COPILOT_GITHUB_TOKEN", "GH_TOKEN", "GITHUB_TOKEN"],
      baseUrl: "COPILOT_PROVIDER_BASE_URL",
      model: "COPILOT_MODEL",
      fixed: {},
    },
    endpoints: ["https://api.githubcopilot.com", "https://api.github.com"],
  },
  // Without --trust exits non-zero; without --approve-mcps MCP calls are dropped. JSON has no
  // tokens/cost; on failure non-zero exit + stderr, no JSON. Commands are deprecated in favour of
  // skills, but a human still runs /name from .cursor/commands/*.md in the IDE.
  {
    id: "cursor",
    name: "Cursor",
    kind: "cli",
    mode: "vendor-service",
    service: "Cursor (cursor.com account; no custom model endpoint)",
    executables: ["cursor-agent", "agent"],
    install: { other: "not on a package registry: the vendor's installer script (cursor.com/install)" },
    defaultModel: null,
    capabilities: caps({ jsonOutput: true }),
    commandDir: ".cursor/skills/",
    legacyCommandDir: ".cursor/commands/",
    promptFormat: "skill",
    argPlaceholder: "$ARGUMENTS",
    ideCommand: { path: ".cursor/commands/{name}.md", format: "markdown" },
    cli: {
      template: ["-p", "{prompt}", "--model", "{model}", "--output-format", "json", "--force", "--trust", "--approve-mcps"],
      output: "claude-result-json",
      exitCodes: {},
    },
    env: { keys: ["CURSOR_API_KEY"], baseUrl: null, model: null, fixed: {} },
    endpoints: [],
  },
  // IDE only; dropped by Spec Kit on 2026-06-30 (absorbed into Cognition Devin).
  {
    id: "windsurf",
    name: "Windsurf",
    kind: "ide",
    mode: "ide-handoff",
    service: null,
    executables: [],
    install: { other: "an IDE, not a package: Windsurf (now part of Cognition Devin)" },
    defaultModel: null,
    capabilities: caps({}),
    commandDir: ".windsurf/workflows/",
    legacyCommandDir: null,
    promptFormat: "markdown",
    argPlaceholder: "$ARGUMENTS",
    ideCommand: { path: ".windsurf/workflows/{name}.md", format: "markdown" },
    cli: null,
    env: { keys: [], baseUrl: null, model: null, fixed: {} },
    endpoints: [],
  },
  // Non-default permission modes only apply in trusted folders (a new worktree may need trust).
  // Ask-type actions are auto-denied headless. Unconfirmed: JSON field names;
  // QODER_PERSONAL_ACCESS_TOKEN (3rd-party source).
  {
    id: "qoder",
    name: "Qoder CLI",
    kind: "cli",
    mode: "vendor-service",
    service: "Qoder (qoder.com account)",
    executables: ["qodercli"],
    install: { npm: "@qoder-ai/qodercli", npmVersion: "1.1.52" },
    defaultModel: null,
    capabilities: caps({ jsonOutput: true }),
    commandDir: ".qoder/skills/",
    legacyCommandDir: ".qoder/commands/",
    promptFormat: "skill",
    argPlaceholder: "$ARGUMENTS",
    ideCommand: null,
    cli: {
      template: ["-p", "{prompt}", "--model", "{model}", "-o", "json", "--permission-mode", "bypass_permissions"],
      output: "claude-result-json",
      exitCodes: {},
    },
    env: { keys: ["QODER_PERSONAL_ACCESS_TOKEN"], baseUrl: null, model: null, fixed: {} },
    endpoints: [],
  },
  // Without trust: 'Tool approval required but --no-interactive…'. Prompt files have no argument
  // substitution. Unconfirmed: no JSON output found: the final message is the plain stdout.
  {
    id: "q",
    name: "Amazon Q / Kiro CLI",
    kind: "cli",
    mode: "vendor-service",
    service: "Kiro / Amazon Q (KIRO_API_KEY; no custom model endpoint)",
    executables: ["kiro-cli", "q"],
    install: { other: "not on a package registry: the vendor's installer (kiro.dev); the older Amazon Q CLI `q` takes the same flags" },
    defaultModel: null,
    capabilities: caps({}),
    commandDir: ".kiro/prompts/",
    legacyCommandDir: ".amazonq/prompts/",
    promptFormat: "markdown",
    argPlaceholder: "none",
    ideCommand: null,
    cli: {
      template: ["chat", "--no-interactive", "--trust-all-tools", "--model", "{model}", "{prompt}"],
      output: "text",
      exitCodes: { "3": "mcp", "4": "not-found" },
    },
    env: { keys: ["KIRO_API_KEY"], baseUrl: null, model: null, fixed: {} },
    endpoints: [],
  },
  // AUGMENT_SESSION_AUTH is the JSON printed by `auggie token print`. Missing auth ⇒ exit 1.
  // Unconfirmed: -m model flag (3rd-party wrappers only); no auto-approve flag: toolPermissions in
  // ~/.augment/settings.json.
  {
    id: "auggie",
    name: "Augment Code (auggie)",
    kind: "cli",
    mode: "vendor-service",
    service: "Augment Code (augmentcode.com account)",
    executables: ["auggie"],
    install: { npm: "@augmentcode/auggie", npmVersion: "0.36.0" },
    defaultModel: null,
    capabilities: caps({ jsonOutput: true }),
    commandDir: ".augment/commands/",
    legacyCommandDir: null,
    promptFormat: "markdown",
    argPlaceholder: "$ARGUMENTS",
    ideCommand: null,
    cli: {
      template: ["--print", "--quiet", "--output-format", "json", "-m", "{model}", "{prompt}"],
      output: "claude-result-json",
      exitCodes: {},
    },
    env: { keys: ["AUGMENT_SESSION_AUTH"], baseUrl: null, model: null, fixed: {} },
    endpoints: [],
  },
  // -y is mandatory for tools in -p mode. Auth precedence CODEBUDDY_AUTH_TOKEN > apiKeyHelper >
  // CODEBUDDY_API_KEY. Unconfirmed: JSON shape (likely Claude-style); base URL env var name.
  {
    id: "codebuddy",
    name: "CodeBuddy Code",
    kind: "cli",
    mode: "vendor-service",
    service: "Tencent CodeBuddy (its model endpoint variable is unconfirmed)",
    executables: ["codebuddy", "cbc"],
    install: {
      other:
        "not on the npm registry (@tencent-ai/codebuddy-code does not exist there): install it per Tencent CodeBuddy's docs (cloud.tencent.com/document/product/1831)",
    },
    defaultModel: null,
    capabilities: caps({ jsonOutput: true }),
    commandDir: ".codebuddy/commands/",
    legacyCommandDir: null,
    promptFormat: "markdown",
    argPlaceholder: "$ARGUMENTS",
    ideCommand: null,
    cli: {
      template: ["-p", "{prompt}", "--model", "{model}", "--output-format", "json", "-y"],
      output: "claude-result-json",
      exitCodes: {},
    },
    env: { keys: ["CODEBUDDY_AUTH_TOKEN", "CODEBUDDY_API_KEY"], baseUrl: null, model: null, fixed: {} },
    endpoints: [],
  },
  // OpenCode fork: same run flags and JSON events.
  {
    id: "kilocode",
    name: "Kilo Code",
    kind: "cli",
    mode: "headless",
    service: null,
    executables: ["kilo"],
    install: { npm: "@kilocode/cli", npmVersion: "7.7.7" },
    defaultModel: null,
    capabilities: caps({ jsonOutput: true, tokens: true, cost: true }),
    commandDir: ".kilo/commands/",
    legacyCommandDir: ".kilocode/workflows/",
    promptFormat: "markdown",
    argPlaceholder: "$ARGUMENTS",
    ideCommand: { path: ".kilo/commands/{name}.md", format: "markdown" },
    cli: {
      template: ["run", "--auto", "-m", "{model}", "--format", "json", "{prompt}"],
      output: "opencode-jsonl",
      exitCodes: {},
    },
    env: {
      keys: ["OPENAI_API_KEY", "ANTHROPIC_API_KEY"],
      baseUrl: null,
      model: null,
      // As opencode's, under its own names (outside a sandbox a run waited ~20 s on models.dev).
      fixed: { KILO_DISABLE_AUTOUPDATE: "1", KILO_DISABLE_MODELS_FETCH: "1", KILO_DISABLE_LSP_DOWNLOAD: "1" },
    },
    endpoints: [],
  },
  // Extension shut down; dropped by Spec Kit on 2026-06-30. Unconfirmed: no CLI confirmed.
  {
    id: "roo",
    name: "Roo Code",
    kind: "ide",
    mode: "ide-handoff",
    service: null,
    executables: [],
    install: { other: "an IDE extension, not a package: Roo Code for VS Code (shut down)" },
    defaultModel: null,
    capabilities: caps({}),
    commandDir: ".roo/commands/",
    legacyCommandDir: null,
    promptFormat: "markdown",
    argPlaceholder: "$ARGUMENTS",
    ideCommand: { path: ".roo/commands/{name}.md", format: "markdown" },
    cli: null,
    env: { keys: [], baseUrl: null, model: null, fixed: {} },
    endpoints: [],
  },
  // No model flag (--mode smart|rush…). No cost in the stream. Execute mode turns on when stdout
  // is redirected.
  {
    id: "amp",
    name: "Amp",
    kind: "cli",
    mode: "vendor-service",
    service: "Amp (ampcode.com account)",
    executables: ["amp"],
    install: { npm: "@ampcode/cli" },
    defaultModel: null,
    capabilities: caps({ jsonOutput: true, tokens: true }),
    commandDir: ".agents/commands/",
    legacyCommandDir: null,
    promptFormat: "markdown",
    argPlaceholder: "$ARGUMENTS",
    ideCommand: null,
    cli: {
      template: ["-x", "{prompt}", "--dangerously-allow-all", "--stream-json"],
      output: "claude-stream-json",
      exitCodes: {},
    },
    env: { keys: ["AMP_API_KEY"], baseUrl: null, model: null, fixed: {} },
    endpoints: [],
  },
  // Always auto-approves headless. Agent errors only go to stderr and it still exits 0: stderr is
  // checked for errors. Unconfirmed: trace JSON field names; provider keys are read from
  // ~/.config/shai/auth.config.json env_vars.
  {
    id: "shai",
    name: "SHAI (OVHcloud)",
    kind: "cli",
    mode: "vendor-service",
    service: "OVHcloud AI Endpoints (provider keys in its own auth.config.json)",
    executables: ["shai"],
    install: { other: "not on a package registry: install.sh from the ovh/shai GitHub releases" },
    defaultModel: null,
    capabilities: caps({ jsonOutput: true }),
    commandDir: ".shai/commands/",
    legacyCommandDir: null,
    promptFormat: "markdown",
    argPlaceholder: "$ARGUMENTS",
    ideCommand: null,
    cli: {
      template: ["-p", "{prompt}", "--trace"],
      output: "shai-trace",
      exitCodes: {},
    },
    env: { keys: ["OVHAI_API_KEY"], baseUrl: null, model: null, fixed: {} },
    endpoints: [],
  },
  // Spec Kit dual-mode integration; driven here as an IDE agent. Unconfirmed: Bob Shell CLI flags,
  // approval mode and JSON output (3rd-party only); BOBSHELL_API_KEY (3rd-party).
  {
    id: "bob",
    name: "IBM Bob",
    kind: "ide",
    mode: "ide-handoff",
    service: null,
    executables: ["bob"],
    install: { other: "an IDE, not a package: IBM Bob (its Bob Shell CLI is unconfirmed)" },
    defaultModel: null,
    capabilities: caps({}),
    commandDir: ".bob/skills/",
    legacyCommandDir: ".bob/commands/",
    promptFormat: "skill",
    argPlaceholder: "$ARGUMENTS",
    ideCommand: { path: ".bob/skills/{name}/SKILL.md", format: "skill" },
    cli: null,
    env: { keys: ["BOBSHELL_API_KEY"], baseUrl: null, model: null, fixed: {} },
    endpoints: [],
  },
  // REST v1alpha: POST /sessions with sourceContext for the GitHub repo, poll GET /sessions/{id},
  // outputs pullRequest and/or changeSet.gitPatch. Header X-Goog-Api-Key. Works on the GitHub copy
  // of the repo.
  {
    id: "jules",
    name: "Google Jules",
    kind: "api",
    mode: "vendor-service",
    service: "Google Jules (jules.googleapis.com; works on the GitHub copy of the repository)",
    executables: [],
    install: { other: "nothing to install: DevGodzilla calls the Jules REST API (its npm CLI @google/jules downloads a binary at run time)" },
    defaultModel: null,
    capabilities: caps({ jsonOutput: true }),
    commandDir: null,
    legacyCommandDir: null,
    promptFormat: "none",
    argPlaceholder: "none",
    ideCommand: null,
    cli: null,
    env: { keys: ["JULES_API_KEY"], baseUrl: null, model: null, fixed: {} },
    endpoints: ["https://jules.googleapis.com"],
  },
  // Asks the configured model for a unified diff and applies it with `git apply`; works with no
  // agent CLI installed.
  {
    id: "llm",
    name: "Built-in LLM (unified diff)",
    kind: "api",
    mode: "headless",
    service: null,
    executables: [],
    install: { other: "built in: uses the OpenAI or Anthropic resource given to the flow" },
    defaultModel: null,
    capabilities: caps({ jsonOutput: true, tokens: true, cost: true }),
    commandDir: null,
    legacyCommandDir: null,
    promptFormat: "none",
    argPlaceholder: "none",
    ideCommand: null,
    cli: null,
    env: { keys: [], baseUrl: null, model: null, fixed: {} },
    endpoints: [],
  },
];

export const AGENTS: Readonly<Record<AgentId, AgentSpec>> = Object.freeze(
  Object.fromEntries(SPECS.map((s) => [s.id, AgentSpecSchema.parse(s)])) as Record<AgentId, AgentSpec>,
);

export function isAgentId(id: string): id is AgentId {
  return (AGENT_IDS as readonly string[]).includes(id);
}

export function getAgent(id: AgentId): AgentSpec {
  return AGENTS[id];
}

export function listAgents(): AgentSpec[] {
  return AGENT_IDS.map((id) => AGENTS[id]);
}

/** Agents that can be driven through an IDE command file + approval. */
export const IDE_AGENT_IDS: AgentId[] = ["cursor", "copilot", "windsurf", "kilocode", "roo", "bob"];
