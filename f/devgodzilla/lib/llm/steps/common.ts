// Parameters every LLM-driven spec script shares, and the prompt context they all build.

import { InputError } from "../../errors.ts";
import { selectContext } from "../context.ts";
import type { LlmOptions } from "../client.ts";
import { llmFrom, type Workspace } from "../artifacts/step.ts";
import type { PromptContext } from "../../../prompts/common.ts";

export interface CommonParams {
  repo: string;
  branch: string;
  commit: string;
  /** One of these three LLM resources. */
  llm?: unknown;
  openai?: unknown;
  anthropic?: unknown;
  model?: string;
  /** Token for private https remotes (RT.Github.token). */
  git_token?: string;
  /** Token budget for the project files put in prompts. */
  context_budget_tokens?: number;
  /** Retry/timeout tuning (tests, slow local models). */
  llm_options?: LlmOptions;
}

/** The step's LLM client (from whichever LLM resource was given) and a redactor holding its secrets. */
export function stepLlm(p: CommonParams): ReturnType<typeof llmFrom> {
  return llmFrom({ llm: p.llm, openai: p.openai, anthropic: p.anthropic, model: p.model, options: p.llm_options });
}

export async function promptContext(ws: Workspace, query: string, budget = 6000, exclude: string[] = []): Promise<PromptContext & { files: string[] }> {
  if (!Number.isFinite(budget) || budget < 0) throw new InputError("context_budget_tokens", "must be a non-negative number");
  const sel = budget > 0 ? await selectContext({ root: ws.dir, query, budgetTokens: budget, exclude: ["specs", ...exclude] }) : undefined;
  return { constitution: await ws.constitution(), projectContext: sel?.markdown, files: sel?.files.map((f) => f.path) ?? [] };
}

/** Reads a required artifact or fails with an InputError saying which step makes it. */
export async function requireArtifact(ws: Workspace, rel: string, madeBy: string): Promise<string> {
  const text = await ws.read(rel);
  if (text === undefined) throw new InputError("feature", `${rel} does not exist at this commit`, `run ${madeBy} first (or pass the commit it returned)`);
  return text;
}
