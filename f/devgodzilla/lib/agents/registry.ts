// The 18 coding agents of the design (plus the built-in `llm` agent) and how each one runs
// headless. Every flag, env var, folder and output shape here comes from
// shared/reference/agents.md (snapshot Aug–Oct 2026); what that reference marks as unconfirmed
// is listed in `unconfirmed` so a person choosing an agent sees it in the `agents` script.

import { z } from "zod";

export const AGENT_IDS = [
  "codex", "claude-code", "opencode", "gemini-cli", "qwen", "copilot", "cursor", "windsurf", "qoder",
  "q", "auggie", "codebuddy", "kilocode", "roo", "amp", "shai", "bob", "jules", "llm",
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
  /** Executable name on PATH (cli kinds), first match wins. */
  executables: z.array(z.string()),
  install: z.object({
    npm: z.string().optional(),
    npmVersion: z.string().optional(),
    other: z.string().optional(),
  }),
  /** null = the agent's own default (no model flag is passed unless configured). */
  defaultModel: z.string().nullable(),
  /** "provider/model" for opencode-style agents. */
  modelFormat: z.enum(["model", "provider/model", "none"]),
  capabilities: z.object({
    headless: z.boolean(),
    /** Can be driven through an IDE command/prompt file + human approval. */
    ide: z.boolean(),
    jsonOutput: z.boolean(),
    tokens: z.boolean(),
    cost: z.boolean(),
    sessionId: z.boolean(),
    stdinPrompt: z.boolean(),
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
       * The headless command line as agents.md documents it (template + auto-approve), with
       * placeholders {prompt}, {model} and {title}. A flag right before {model}/{title} is dropped
       * together with it when there is no value.
       */
      template: z.array(z.string()),
      /** Leading subcommand/flags, e.g. ["exec", "--skip-git-repo-check"]. */
      base: z.array(z.string()),
      /** How the prompt goes in: after a flag, or as the last positional argument. */
      prompt: z.union([z.object({ flag: z.string() }), z.object({ positional: z.literal(true) })]),
      /** Flag carrying the model, or null when the CLI has none. */
      modelFlag: z.string().nullable(),
      autoApprove: z.array(z.string()),
      json: z.array(z.string()),
      /** Flags the reference says are needed headless (trust, no-ask-user…). */
      extra: z.array(z.string()),
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
  /** Public API endpoints the agent calls by default (for the sandbox allow-list); [] = unknown. */
  endpoints: z.array(z.string()),
  unconfirmed: z.array(z.string()),
  notes: z.string(),
});
export type AgentSpec = z.infer<typeof AgentSpecSchema>;

type Caps = AgentSpec["capabilities"];
const caps = (c: Partial<Caps>): Caps => ({
  headless: false, ide: false, jsonOutput: false, tokens: false, cost: false, sessionId: false, stdinPrompt: false, ...c,
});

const SPECS: AgentSpec[] = [
  {
    id: "codex", name: "OpenAI Codex CLI", kind: "cli", executables: ["codex"],
    install: { npm: "@openai/codex", npmVersion: "0.169.0" },
    defaultModel: null, modelFormat: "model",
    capabilities: caps({ headless: true, jsonOutput: true, tokens: true, sessionId: true, stdinPrompt: true }),
    commandDir: ".agents/skills/", legacyCommandDir: null, promptFormat: "skill", argPlaceholder: "$ARGUMENTS",
    ideCommand: null,
    cli: {
      // Its own sandbox cannot start bubblewrap inside ours (read-only file system): DevGodzilla's
      // sandbox is the boundary, so codex's is bypassed.
      template: ["exec", "--skip-git-repo-check", "--dangerously-bypass-approvals-and-sandbox", "-m", "{model}", "--json", "{prompt}"],
      base: ["exec", "--skip-git-repo-check"], prompt: { positional: true }, modelFlag: "-m",
      autoApprove: ["--dangerously-bypass-approvals-and-sandbox"], json: ["--json"], extra: [], output: "codex-jsonl", exitCodes: {},
    },
    env: { keys: ["CODEX_API_KEY"], baseUrl: null, model: null, fixed: {} },
    endpoints: ["https://api.openai.com"],
    unconfirmed: ["OPENAI_BASE_URL env (base URL is set in config.toml openai_base_url/model_providers)"],
    notes: "Waits for EOF on an open stdin pipe: stdin is closed. No cost field. Inside an outer sandbox, --dangerously-bypass-approvals-and-sandbox is the alternative to --sandbox workspace-write.",
  },
  {
    id: "claude-code", name: "Claude Code", kind: "cli", executables: ["claude"],
    install: { npm: "@anthropic-ai/claude-code", npmVersion: "2.1.328" },
    defaultModel: null, modelFormat: "model",
    capabilities: caps({ headless: true, jsonOutput: true, tokens: true, cost: true, sessionId: true, stdinPrompt: true }),
    commandDir: ".claude/skills/", legacyCommandDir: ".claude/commands/", promptFormat: "skill", argPlaceholder: "$ARGUMENTS",
    ideCommand: null,
    cli: {
      template: ["-p", "{prompt}", "--model", "{model}", "--output-format", "stream-json", "--verbose", "--dangerously-skip-permissions"],
      base: [], prompt: { flag: "-p" }, modelFlag: "--model",
      autoApprove: ["--dangerously-skip-permissions"], json: ["--output-format", "stream-json", "--verbose"], extra: [],
      output: "claude-stream-json", exitCodes: {},
    },
    env: {
      keys: ["ANTHROPIC_API_KEY", "CLAUDE_CODE_OAUTH_TOKEN"], baseUrl: "ANTHROPIC_BASE_URL", model: null,
      // No auto-update, telemetry or error reporting from a sandboxed worker.
      fixed: { CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1" },
    },
    endpoints: ["https://api.anthropic.com"],
    unconfirmed: [],
    notes: "stream-json with -p requires --verbose. As root, bypass mode exits 1 unless IS_SANDBOX=1 (set automatically when running as root). ANTHROPIC_BASE_URL must speak the Anthropic API.",
  },
  {
    id: "opencode", name: "OpenCode", kind: "cli", executables: ["opencode"],
    install: { npm: "opencode-ai", npmVersion: "1.18.33" },
    defaultModel: null, modelFormat: "provider/model",
    capabilities: caps({ headless: true, jsonOutput: true, tokens: true, cost: true, sessionId: true, stdinPrompt: true }),
    commandDir: ".opencode/commands/", legacyCommandDir: ".opencode/command/", promptFormat: "markdown", argPlaceholder: "$ARGUMENTS",
    ideCommand: null,
    cli: {
      template: ["run", "-m", "{model}", "--format", "json", "--auto", "--title", "{title}", "{prompt}"],
      base: ["run"], prompt: { positional: true }, modelFlag: "-m",
      autoApprove: ["--auto"], json: ["--format", "json"], extra: [], output: "opencode-jsonl", exitCodes: {},
    },
    env: {
      keys: ["OPENAI_API_KEY", "ANTHROPIC_API_KEY"], baseUrl: null, model: null,
      // No update check, models.dev fetch or LSP download: each waits on a network the sandbox
      // does not have.
      fixed: { OPENCODE_DISABLE_AUTOUPDATE: "1", OPENCODE_DISABLE_MODELS_FETCH: "1", OPENCODE_DISABLE_LSP_DOWNLOAD: "1" },
    },
    endpoints: [],
    unconfirmed: ["step_finish token/cost field names (per SDK part types, not re-verified)"],
    notes: "Non-interactive run auto-rejects permissions unless --auto (older builds: OPENCODE_PERMISSION). Custom OpenAI-compatible provider via OPENCODE_CONFIG_CONTENT. Install script must be approved (platform binary).",
  },
  {
    id: "gemini-cli", name: "Gemini CLI", kind: "cli", executables: ["gemini"],
    install: { npm: "@google/gemini-cli", npmVersion: "0.61.0" },
    defaultModel: null, modelFormat: "model",
    capabilities: caps({ headless: true, jsonOutput: true, tokens: true, sessionId: true, stdinPrompt: true }),
    commandDir: ".gemini/commands/", legacyCommandDir: null, promptFormat: "toml", argPlaceholder: "{{args}}",
    ideCommand: null,
    cli: {
      template: ["-p", "{prompt}", "-m", "{model}", "-o", "json", "--approval-mode", "yolo", "--skip-trust"],
      base: [], prompt: { flag: "-p" }, modelFlag: "-m",
      autoApprove: ["--approval-mode", "yolo"], json: ["-o", "json"], extra: ["--skip-trust"], output: "gemini-json",
      exitCodes: { "41": "auth", "42": "input", "52": "config", "53": "turn-limit", "130": "cancelled" },
    },
    env: {
      keys: ["GEMINI_API_KEY", "GOOGLE_API_KEY"], baseUrl: "GOOGLE_GEMINI_BASE_URL", model: "GEMINI_MODEL",
      fixed: { GEMINI_CLI_TRUST_WORKSPACE: "true" },
    },
    endpoints: ["https://generativelanguage.googleapis.com"],
    unconfirmed: [],
    notes: "Untrusted folder ⇒ FatalUntrustedWorkspaceError: --skip-trust / GEMINI_CLI_TRUST_WORKSPACE=true. GOOGLE_GEMINI_BASE_URL is a Gemini API proxy, not OpenAI.",
  },
  {
    id: "qwen", name: "Qwen Code", kind: "cli", executables: ["qwen"],
    install: { npm: "@qwen-code/qwen-code", npmVersion: "0.24.4 (0.15.10 is the last for Node 20)" },
    defaultModel: null, modelFormat: "model",
    capabilities: caps({ headless: true, jsonOutput: true, tokens: true, sessionId: true, stdinPrompt: true }),
    commandDir: ".qwen/commands/", legacyCommandDir: null, promptFormat: "markdown", argPlaceholder: "{{args}}",
    ideCommand: null,
    cli: {
      template: ["-p", "{prompt}", "-m", "{model}", "-o", "json", "--yolo"],
      base: [], prompt: { flag: "-p" }, modelFlag: "-m",
      autoApprove: ["--yolo"], json: ["-o", "json"], extra: [], output: "qwen-json", exitCodes: {},
    },
    env: {
      keys: ["OPENAI_API_KEY", "DASHSCOPE_API_KEY"], baseUrl: "OPENAI_BASE_URL", model: "OPENAI_MODEL",
      fixed: { QWEN_CODE_SUPPRESS_YOLO_WARNING: "1" },
    },
    endpoints: [],
    unconfirmed: ["exit codes are not enumerated"],
    notes: "Gemini-CLI fork; OpenAI-compatible base URL. A failed tool does not fail the run: check the files. OAuth is unusable headless.",
  },
  {
    id: "copilot", name: "GitHub Copilot CLI", kind: "cli", executables: ["copilot"],
    install: { npm: "@github/copilot", npmVersion: "1.0.102" },
    defaultModel: null, modelFormat: "model",
    capabilities: caps({ headless: true, ide: true, jsonOutput: true, sessionId: true, stdinPrompt: true }),
    commandDir: ".github/skills/", legacyCommandDir: ".github/prompts/", promptFormat: "skill", argPlaceholder: "$ARGUMENTS",
    ideCommand: { path: ".github/prompts/{name}.prompt.md", format: "markdown" },
    cli: {
      template: ["-p", "{prompt}", "--model", "{model}", "--allow-all", "--no-ask-user", "--output-format", "json"],
      base: [], prompt: { flag: "-p" }, modelFlag: "--model",
      autoApprove: ["--allow-all"], json: ["--output-format", "json"], extra: ["--no-ask-user"], output: "copilot-jsonl", exitCodes: {},
    },
    env: {
      keys: ["COPILOT_GITHUB_TOKEN", "GH_TOKEN", "GITHUB_TOKEN"], baseUrl: "COPILOT_PROVIDER_BASE_URL", model: "COPILOT_MODEL",
      fixed: {},
    },
    endpoints: ["https://api.githubcopilot.com", "https://api.github.com"],
    unconfirmed: ["--output-format json schema is undocumented (observed: assistant.message{data.content}, tool.execution_*, result{sessionId})"],
    notes: "Fine-grained PAT, not ghp_. BYOK: COPILOT_PROVIDER_TYPE, COPILOT_PROVIDER_API_KEY. IDE form: .github/prompts/*.prompt.md (VS Code agent mode).",
  },
  {
    id: "cursor", name: "Cursor", kind: "cli", executables: ["cursor-agent", "agent"],
    install: { other: "curl installer cursor.com/install (no npm package)" },
    defaultModel: null, modelFormat: "model",
    capabilities: caps({ headless: true, ide: true, jsonOutput: true, sessionId: true, stdinPrompt: true }),
    commandDir: ".cursor/skills/", legacyCommandDir: ".cursor/commands/", promptFormat: "skill", argPlaceholder: "$ARGUMENTS",
    ideCommand: { path: ".cursor/commands/{name}.md", format: "markdown" },
    cli: {
      template: ["-p", "{prompt}", "--model", "{model}", "--output-format", "json", "--force", "--trust", "--approve-mcps"],
      base: [], prompt: { flag: "-p" }, modelFlag: "--model",
      autoApprove: ["--force"], json: ["--output-format", "json"], extra: ["--trust", "--approve-mcps"],
      output: "claude-result-json", exitCodes: {},
    },
    env: { keys: ["CURSOR_API_KEY"], baseUrl: null, model: null, fixed: {} },
    endpoints: [],
    unconfirmed: [],
    notes: "Without --trust exits non-zero; without --approve-mcps MCP calls are dropped. JSON has no tokens/cost; on failure non-zero exit + stderr, no JSON. Commands are deprecated in favour of skills, but a human still runs /name from .cursor/commands/*.md in the IDE.",
  },
  {
    id: "windsurf", name: "Windsurf", kind: "ide", executables: [],
    install: { other: "IDE (Windsurf / Devin)" },
    defaultModel: null, modelFormat: "none",
    capabilities: caps({ ide: true }),
    commandDir: ".windsurf/workflows/", legacyCommandDir: null, promptFormat: "markdown", argPlaceholder: "$ARGUMENTS",
    ideCommand: { path: ".windsurf/workflows/{name}.md", format: "markdown" },
    cli: null,
    env: { keys: [], baseUrl: null, model: null, fixed: {} },
    endpoints: [],
    unconfirmed: [],
    notes: "IDE only; dropped by Spec Kit on 2026-06-30 (absorbed into Cognition Devin).",
  },
  {
    id: "qoder", name: "Qoder CLI", kind: "cli", executables: ["qodercli"],
    install: { npm: "@qoder-ai/qodercli", npmVersion: "1.1.52" },
    defaultModel: null, modelFormat: "model",
    capabilities: caps({ headless: true, jsonOutput: true, sessionId: true, stdinPrompt: true }),
    commandDir: ".qoder/skills/", legacyCommandDir: ".qoder/commands/", promptFormat: "skill", argPlaceholder: "$ARGUMENTS",
    ideCommand: null,
    cli: {
      template: ["-p", "{prompt}", "--model", "{model}", "-o", "json", "--permission-mode", "bypass_permissions"],
      base: [], prompt: { flag: "-p" }, modelFlag: "--model",
      autoApprove: ["--permission-mode", "bypass_permissions"], json: ["-o", "json"], extra: [],
      output: "claude-result-json", exitCodes: {},
    },
    env: { keys: ["QODER_PERSONAL_ACCESS_TOKEN"], baseUrl: null, model: null, fixed: {} },
    endpoints: [],
    unconfirmed: ["JSON field names", "QODER_PERSONAL_ACCESS_TOKEN (3rd-party source)"],
    notes: "Non-default permission modes only apply in trusted folders (a new worktree may need trust). Ask-type actions are auto-denied headless.",
  },
  {
    id: "q", name: "Amazon Q / Kiro CLI", kind: "cli", executables: ["kiro-cli", "q"],
    install: { other: "installer (kiro.dev); Amazon Q CLI `q` uses the same flags" },
    defaultModel: null, modelFormat: "model",
    capabilities: caps({ headless: true, stdinPrompt: true }),
    commandDir: ".kiro/prompts/", legacyCommandDir: ".amazonq/prompts/", promptFormat: "markdown", argPlaceholder: "none",
    ideCommand: null,
    cli: {
      template: ["chat", "--no-interactive", "--trust-all-tools", "--model", "{model}", "{prompt}"],
      base: ["chat", "--no-interactive"], prompt: { positional: true }, modelFlag: "--model",
      autoApprove: ["--trust-all-tools"], json: [], extra: [], output: "text",
      exitCodes: { "3": "mcp", "4": "not-found" },
    },
    env: { keys: ["KIRO_API_KEY"], baseUrl: null, model: null, fixed: {} },
    endpoints: [],
    unconfirmed: ["no JSON output found: the final message is the plain stdout"],
    notes: "Without trust: 'Tool approval required but --no-interactive…'. Prompt files have no argument substitution.",
  },
  {
    id: "auggie", name: "Augment Code (auggie)", kind: "cli", executables: ["auggie"],
    install: { npm: "@augmentcode/auggie", npmVersion: "0.36.0" },
    defaultModel: null, modelFormat: "model",
    capabilities: caps({ headless: true, jsonOutput: true, sessionId: true, stdinPrompt: true }),
    commandDir: ".augment/commands/", legacyCommandDir: null, promptFormat: "markdown", argPlaceholder: "$ARGUMENTS",
    ideCommand: null,
    cli: {
      template: ["--print", "--quiet", "--output-format", "json", "-m", "{model}", "{prompt}"],
      base: ["--print", "--quiet"], prompt: { positional: true }, modelFlag: "-m",
      autoApprove: [], json: ["--output-format", "json"], extra: [], output: "claude-result-json", exitCodes: {},
    },
    env: { keys: ["AUGMENT_SESSION_AUTH"], baseUrl: null, model: null, fixed: {} },
    endpoints: [],
    unconfirmed: ["-m model flag (3rd-party wrappers only)", "no auto-approve flag: toolPermissions in ~/.augment/settings.json"],
    notes: "AUGMENT_SESSION_AUTH is the JSON printed by `auggie token print`. Missing auth ⇒ exit 1.",
  },
  {
    id: "codebuddy", name: "CodeBuddy Code", kind: "cli", executables: ["codebuddy", "cbc"],
    install: { npm: "@tencent-ai/codebuddy-code" },
    defaultModel: null, modelFormat: "model",
    capabilities: caps({ headless: true, jsonOutput: true, sessionId: true, stdinPrompt: true }),
    commandDir: ".codebuddy/commands/", legacyCommandDir: null, promptFormat: "markdown", argPlaceholder: "$ARGUMENTS",
    ideCommand: null,
    cli: {
      template: ["-p", "{prompt}", "--model", "{model}", "--output-format", "json", "-y"],
      base: [], prompt: { flag: "-p" }, modelFlag: "--model",
      autoApprove: ["-y"], json: ["--output-format", "json"], extra: [], output: "claude-result-json", exitCodes: {},
    },
    env: { keys: ["CODEBUDDY_AUTH_TOKEN", "CODEBUDDY_API_KEY"], baseUrl: null, model: null, fixed: {} },
    endpoints: [],
    unconfirmed: ["JSON shape (likely Claude-style)", "base URL env var name", "npm package not in the local registry list"],
    notes: "-y is mandatory for tools in -p mode. Auth precedence CODEBUDDY_AUTH_TOKEN > apiKeyHelper > CODEBUDDY_API_KEY.",
  },
  {
    id: "kilocode", name: "Kilo Code", kind: "cli", executables: ["kilo"],
    install: { npm: "@kilocode/cli", npmVersion: "7.8.1" },
    defaultModel: null, modelFormat: "provider/model",
    capabilities: caps({ headless: true, ide: true, jsonOutput: true, tokens: true, cost: true, sessionId: true, stdinPrompt: true }),
    commandDir: ".kilo/commands/", legacyCommandDir: ".kilocode/workflows/", promptFormat: "markdown", argPlaceholder: "$ARGUMENTS",
    ideCommand: { path: ".kilo/commands/{name}.md", format: "markdown" },
    cli: {
      template: ["run", "--auto", "-m", "{model}", "--format", "json", "{prompt}"],
      base: ["run"], prompt: { positional: true }, modelFlag: "-m",
      autoApprove: ["--auto"], json: ["--format", "json"], extra: [], output: "opencode-jsonl", exitCodes: {},
    },
    env: {
      keys: ["OPENAI_API_KEY", "ANTHROPIC_API_KEY"], baseUrl: null, model: null,
      // As opencode's, under its own names (outside a sandbox a run waited ~20 s on models.dev).
      fixed: { KILO_DISABLE_AUTOUPDATE: "1", KILO_DISABLE_MODELS_FETCH: "1", KILO_DISABLE_LSP_DOWNLOAD: "1" },
    },
    endpoints: [],
    unconfirmed: [],
    notes: "OpenCode fork: same run flags and JSON events.",
  },
  {
    id: "roo", name: "Roo Code", kind: "ide", executables: [],
    install: { other: "VS Code extension (shut down)" },
    defaultModel: null, modelFormat: "none",
    capabilities: caps({ ide: true }),
    commandDir: ".roo/commands/", legacyCommandDir: null, promptFormat: "markdown", argPlaceholder: "$ARGUMENTS",
    ideCommand: { path: ".roo/commands/{name}.md", format: "markdown" },
    cli: null,
    env: { keys: [], baseUrl: null, model: null, fixed: {} },
    endpoints: [],
    unconfirmed: ["no CLI confirmed"],
    notes: "Extension shut down; dropped by Spec Kit on 2026-06-30.",
  },
  {
    id: "amp", name: "Amp", kind: "cli", executables: ["amp"],
    install: { npm: "@sourcegraph/amp (renamed @ampcode/cli)" },
    defaultModel: null, modelFormat: "none",
    capabilities: caps({ headless: true, jsonOutput: true, tokens: true, sessionId: true, stdinPrompt: true }),
    commandDir: ".agents/commands/", legacyCommandDir: null, promptFormat: "markdown", argPlaceholder: "$ARGUMENTS",
    ideCommand: null,
    cli: {
      template: ["-x", "{prompt}", "--dangerously-allow-all", "--stream-json"],
      base: [], prompt: { flag: "-x" }, modelFlag: null,
      autoApprove: ["--dangerously-allow-all"], json: ["--stream-json"], extra: [], output: "claude-stream-json", exitCodes: {},
    },
    env: { keys: ["AMP_API_KEY"], baseUrl: null, model: null, fixed: {} },
    endpoints: [],
    unconfirmed: [],
    notes: "No model flag (--mode smart|rush…). No cost in the stream. Execute mode turns on when stdout is redirected.",
  },
  {
    id: "shai", name: "SHAI (OVHcloud)", kind: "cli", executables: ["shai"],
    install: { other: "install.sh from ovh/shai" },
    defaultModel: null, modelFormat: "none",
    capabilities: caps({ headless: true, jsonOutput: true, stdinPrompt: true }),
    commandDir: ".shai/commands/", legacyCommandDir: null, promptFormat: "markdown", argPlaceholder: "$ARGUMENTS",
    ideCommand: null,
    cli: {
      template: ["-p", "{prompt}", "--trace"],
      base: [], prompt: { flag: "-p" }, modelFlag: null,
      autoApprove: [], json: ["--trace"], extra: [], output: "shai-trace", exitCodes: {},
    },
    env: { keys: ["OVHAI_API_KEY"], baseUrl: null, model: null, fixed: {} },
    endpoints: [],
    unconfirmed: ["trace JSON field names", "provider keys are read from ~/.config/shai/auth.config.json env_vars"],
    notes: "Always auto-approves headless. Agent errors only go to stderr and it still exits 0: stderr is checked for errors.",
  },
  {
    id: "bob", name: "IBM Bob", kind: "ide", executables: ["bob"],
    install: { other: "IDE (+ Bob Shell CLI, unconfirmed)" },
    defaultModel: null, modelFormat: "none",
    capabilities: caps({ ide: true }),
    commandDir: ".bob/skills/", legacyCommandDir: ".bob/commands/", promptFormat: "skill", argPlaceholder: "$ARGUMENTS",
    ideCommand: { path: ".bob/skills/{name}/SKILL.md", format: "skill" },
    cli: null,
    env: { keys: ["BOBSHELL_API_KEY"], baseUrl: null, model: null, fixed: {} },
    endpoints: [],
    unconfirmed: ["Bob Shell CLI flags, approval mode and JSON output (3rd-party only)", "BOBSHELL_API_KEY (3rd-party)"],
    notes: "Spec Kit dual-mode integration; driven here as an IDE agent.",
  },
  {
    id: "jules", name: "Google Jules", kind: "api", executables: [],
    install: { npm: "@google/jules (CLI), @google/jules-sdk" },
    defaultModel: null, modelFormat: "none",
    capabilities: caps({ headless: true, jsonOutput: true, sessionId: true }),
    commandDir: null, legacyCommandDir: null, promptFormat: "none", argPlaceholder: "none",
    ideCommand: null,
    cli: null,
    env: { keys: ["JULES_API_KEY"], baseUrl: null, model: null, fixed: {} },
    endpoints: ["https://jules.googleapis.com"],
    unconfirmed: [],
    notes: "REST v1alpha: POST /sessions with sourceContext for the GitHub repo, poll GET /sessions/{id}, outputs pullRequest and/or changeSet.gitPatch. Header X-Goog-Api-Key. Works on the GitHub copy of the repo.",
  },
  {
    id: "llm", name: "Built-in LLM (unified diff)", kind: "api", executables: [],
    install: { other: "built in: uses the OpenAI or Anthropic resource given to the flow" },
    defaultModel: null, modelFormat: "model",
    capabilities: caps({ headless: true, jsonOutput: true, tokens: true, cost: true }),
    commandDir: null, legacyCommandDir: null, promptFormat: "none", argPlaceholder: "none",
    ideCommand: null,
    cli: null,
    env: { keys: [], baseUrl: null, model: null, fixed: {} },
    endpoints: [],
    unconfirmed: [],
    notes: "Asks the configured model for a unified diff and applies it with `git apply`; works with no agent CLI installed.",
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
