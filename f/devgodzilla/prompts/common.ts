// Shared prompt pieces: every spec prompt carries the project's constitution and a token-budgeted
// selection of relevant project files (never the whole repository).

export const COMMON_VERSION = "1.0.0";

export interface PromptContext {
  /** .specify/memory/constitution.md, or undefined when the repository has none. */
  constitution?: string;
  /** Markdown of selected files (lib/llm/context.ts selectContext().markdown). */
  projectContext?: string;
}

export function contextBlock(c: PromptContext): string {
  return [
    "<constitution>",
    c.constitution?.trim() || "(this project has no constitution; apply ordinary engineering judgement)",
    "</constitution>",
    "",
    "<project_context>",
    c.projectContext?.trim() || "(no project files selected)",
    "</project_context>",
  ].join("\n");
}

export const ROLE =
  "You are DevGodzilla's specification engine, following GitHub Spec Kit's spec-driven development method. " +
  "You write structured JSON content only; the caller renders it into Spec Kit markdown, assigns ids (FR-001, SC-001, T001, CHK001) and numbering. " +
  "Never include ids, markdown headings or numbering in the text fields unless asked.";
