// Task prompt per agent and task type: the project's override
// (`.devgodzilla/prompts/<agent>/<type>.md`, then `.devgodzilla/prompts/default/<type>.md`) wins over
// the bundle's template (f/devgodzilla/prompts/agents/tasks.ts). Rendering fills {{placeholders}};
// an unknown placeholder in a project file is a ConfigError naming the file and placeholder.

import { repoFiles } from "../repo/files.ts";
import { ConfigError } from "../errors.ts";
import { BLOCK_INSTRUCTION } from "../agents/block.ts";
import {
  AGENT_TASK_PROMPTS_VERSION,
  TASK_PROMPT_PLACEHOLDERS,
  bundledTaskPrompt,
  type TaskPromptPlaceholder,
  type TaskType,
} from "../../prompts/agents/tasks.ts";
import { rejectSecrets } from "./assignments.ts";

export interface ResolvedPrompt {
  template: string;
  /** "project override: .devgodzilla/prompts/codex/test.md" or "bundle: prompts/agents/default/test". */
  source: string;
  version: string;
}

export type PromptValues = Partial<Record<TaskPromptPlaceholder, string | string[] | null | undefined>>;

export const PROJECT_PROMPTS_DIR = ".devgodzilla/prompts";
const PLACEHOLDER = /\{\{\s*([a-zA-Z_][\w]*)\s*\}\}/g;

function checkPlaceholders(template: string, file: string): void {
  for (const m of template.matchAll(PLACEHOLDER)) {
    if (!(TASK_PROMPT_PLACEHOLDERS as readonly string[]).includes(m[1]!)) {
      throw new ConfigError(file, `{{${m[1]}}}`, "unknown placeholder", `known: ${TASK_PROMPT_PLACEHOLDERS.map((p) => `{{${p}}}`).join(", ")}`);
    }
  }
}

/** The template for an agent and task type in this checkout (repoDir may be null: bundle only). */
export function resolveTaskPrompt(agent: string, type: TaskType, repoDir: string | null = null): ResolvedPrompt {
  if (repoDir) {
    for (const dir of [agent, "default"]) {
      const rel = `${PROJECT_PROMPTS_DIR}/${dir}/${type}.md`;
      const text = repoFiles(repoDir).readTextSync(rel);
      if (text === null) continue;
      if (!text.trim()) throw new ConfigError(rel, undefined, "the prompt file is empty");
      checkPlaceholders(text, rel);
      // A prompt file is sent to an agent and committed: no credentials in it.
      rejectSecrets(text, rel);
      return { template: text, source: `project override: ${rel}`, version: `project:${rel}` };
    }
  }
  const b = bundledTaskPrompt(agent, type);
  return { template: b.template, source: b.source, version: AGENT_TASK_PROMPTS_VERSION };
}

/** Fills the placeholders; lists become comma-separated, missing values read "(none)". */
export function renderTaskPrompt(template: string, values: PromptValues): string {
  const all: PromptValues = { block_instruction: BLOCK_INSTRUCTION, ...values };
  return template
    .replace(PLACEHOLDER, (_m, name: string) => {
      const v = all[name as TaskPromptPlaceholder];
      if (Array.isArray(v)) return v.length ? v.join(", ") : "(none)";
      return v === undefined || v === null || v === "" ? "(none)" : v;
    })
    .trim();
}
