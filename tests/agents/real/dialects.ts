// How each real agent CLI is pointed at the loopback model server and which of ITS OWN tools the
// scripted model calls to create, read and edit a file (tool names and argument shapes as each CLI
// declares them in its requests). The conversation is stateless: the number of tool results in a
// request picks the turn (scripts/fakes/llm-server.ts agentTurns).
import type { AgentId } from "../../../f/devgodzilla/lib/agents/registry.ts";
import type { LlmReply, Protocol, ToolCall } from "../../../scripts/fakes/llm-server.ts";

export interface Dialect {
  protocol: Exclude<Protocol, "embeddings">;
  /** Path appended to the server's URL for the agent's base_url. */
  basePath: "" | "/v1";
  /** Distinct per agent: the model server tells the agents apart by it. */
  model: string;
  /** Whether the CLI's JSON output carries token counts. */
  reportsTokens: boolean;
  create(file: string, content: string): ToolCall;
  read(file: string): ToolCall;
  edit(file: string, from: string, to: string): ToolCall;
}

const sh = (cmd: string): ToolCall => ({ name: "exec_command", arguments: { cmd } });
const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export const DIALECTS: Partial<Record<AgentId, Dialect>> = {
  "claude-code": {
    protocol: "anthropic",
    basePath: "",
    model: "claude-sonnet-4-5",
    reportsTokens: true,
    create: (file_path, content) => ({ name: "Write", arguments: { file_path, content } }),
    read: (file_path) => ({ name: "Read", arguments: { file_path } }),
    edit: (file_path, old_string, new_string) => ({ name: "Edit", arguments: { file_path, old_string, new_string } }),
  },
  codex: {
    protocol: "responses",
    basePath: "/v1",
    model: "gpt-5-codex",
    reportsTokens: true,
    create: (file, content) => sh(`printf '%s' ${q(content)} > ${q(file)}`),
    read: (file) => sh(`cat ${q(file)}`),
    edit: (file, from, to) =>
      sh(
        `node -e ${q(`const fs=require("fs");const f=process.argv[1];fs.writeFileSync(f,fs.readFileSync(f,"utf8").replace(process.argv[2],process.argv[3]))`)} ${q(file)} ${q(from)} ${q(to)}`,
      ),
  },
  copilot: {
    protocol: "openai",
    basePath: "/v1",
    model: "gpt-4.1",
    reportsTokens: false,
    create: (path, file_text) => ({ name: "create", arguments: { path, file_text } }),
    read: (path) => ({ name: "view", arguments: { path } }),
    edit: (path, old_str, new_str) => ({ name: "edit", arguments: { path, old_str, new_str } }),
  },
  "gemini-cli": {
    protocol: "gemini",
    basePath: "",
    model: "gemini-2.5-flash",
    reportsTokens: true,
    create: (file_path, content) => ({ name: "write_file", arguments: { file_path, content } }),
    read: (file_path) => ({ name: "read_file", arguments: { file_path } }),
    edit: (file_path, old_string, new_string) => ({ name: "replace", arguments: { file_path, old_string, new_string, instruction: "Greet the world" } }),
  },
  kilocode: {
    protocol: "openai",
    basePath: "/v1",
    model: "mock/kilo-model",
    reportsTokens: true,
    create: (filePath, content) => ({ name: "write", arguments: { filePath, content } }),
    read: (filePath) => ({ name: "read", arguments: { filePath } }),
    edit: (filePath, oldString, newString) => ({ name: "edit", arguments: { filePath, oldString, newString } }),
  },
  opencode: {
    protocol: "openai",
    basePath: "/v1",
    model: "mock/opencode-model",
    reportsTokens: true,
    create: (filePath, content) => ({ name: "write", arguments: { filePath, content } }),
    read: (filePath) => ({ name: "read", arguments: { filePath } }),
    edit: (filePath, oldString, newString) => ({ name: "edit", arguments: { filePath, oldString, newString } }),
  },
  qwen: {
    protocol: "openai",
    basePath: "/v1",
    model: "qwen3-coder",
    reportsTokens: true,
    create: (file_path, content) => ({ name: "write_file", arguments: { file_path, content } }),
    read: (file_path) => ({ name: "read_file", arguments: { file_path } }),
    edit: (file_path, old_string, new_string) => ({ name: "edit", arguments: { file_path, old_string, new_string } }),
  },
};

export const FILE = "greet.js";
export const CREATED = 'export const greet = () => "hello";\n';
export const EDITED = 'export const greet = () => "hello, world";\n';
export const FINAL = "Created greet.js and made greet() say hello, world.";

/** The scripted conversation: create the file, read it back, edit it, then say what was done. */
export function editTurns(d: Dialect, worktree: string): LlmReply[] {
  const file = `${worktree}/${FILE}`;
  return [
    { toolCalls: [d.create(file, CREATED)], usage: { inputTokens: 1200, outputTokens: 40 } },
    { toolCalls: [d.read(file)], usage: { inputTokens: 1300, outputTokens: 20 } },
    { toolCalls: [d.edit(file, '"hello"', '"hello, world"')], usage: { inputTokens: 1400, outputTokens: 30 } },
    { text: FINAL, usage: { inputTokens: 1500, outputTokens: 25 } },
  ];
}
