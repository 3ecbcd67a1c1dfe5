// LLM judgements over retrieved evidence (retrieval.ts), never the whole repository:
//   checklist items from the feature's checklists/*.md (CHK### lines) and the spec's acceptance
//   scenarios, each PASSED / FAILED / UNCLEAR (required items that fail block). An item about
//   behaviour (an acceptance scenario) is judged on the code, its tests and the test results — not
//   on the spec or the agent's own account, which only restate what is expected;
//   the constitution's principles no mechanical check covers (principles.ts).

import { z } from "zod";
import type { Llm } from "../llm/client.ts";
import { retrieve, type Embedder, type RetrievalIndex } from "./retrieval.ts";
import { CHECKLIST_SYSTEM, checklistPrompt, PRINCIPLE_SYSTEM, principlePrompt, QA_PROMPTS_VERSION } from "./prompts.ts";
import type { PlannedPrinciple, PrincipleJudge } from "./principles.ts";
import type { ChecklistItem, ChecklistResult, EvidenceRef } from "./types.ts";
import type { QaConfig } from "./config.ts";

export const JudgementSchema = z.object({
  status: z.enum(["PASSED", "FAILED", "UNCLEAR"]),
  explanation: z.string(),
  evidence: z.array(z.string()).default([]),
});
export type Judgement = z.infer<typeof JudgementSchema>;

/** The judging call; an Llm from lib/llm satisfies it through llmJudge(). */
export type Judge = (req: { system: string; prompt: string; item: ChecklistItem }) => Promise<Judgement>;

export function llmJudge(llm: Llm): Judge {
  return ({ system, prompt }) => llm.structured({ system, prompt, schema: JudgementSchema, schemaName: "checklist_judgement", purpose: "qa-checklist" });
}

const OPTIONAL = /\((optional|nice[- ]to[- ]have)\)|\[optional\]/i;

/** `- [ ] CHK001 Is … [Spec §FR-1]` lines of one checklist file. */
export function parseChecklist(source: string, text: string, requiredByDefault: boolean): ChecklistItem[] {
  const items: ChecklistItem[] = [];
  for (const line of text.split("\n")) {
    const m = /^\s*[-*]\s+\[[ xX]\]\s+(CHK\d{3,})\b[:.]?\s*(.+?)\s*$/.exec(line);
    if (!m) continue;
    items.push({ id: m[1], text: m[2], source, required: requiredByDefault && !OPTIONAL.test(m[2]) });
  }
  return items;
}

/** Acceptance scenarios of spec.md: `1. **Given** …, **When** …, **Then** …` under `### User Story N`. */
export function parseAcceptanceScenarios(source: string, spec: string): ChecklistItem[] {
  const items: ChecklistItem[] = [];
  let story: { n: string; title: string } | null = null;
  let k = 0;
  for (const line of spec.split("\n")) {
    const h = /^###\s+User Story\s+(\d+)\s*[-–—:]\s*(.+?)\s*(\(Priority.*)?$/i.exec(line);
    if (h) {
      story = { n: h[1], title: h[2] };
      k = 0;
      continue;
    }
    if (/^##\s/.test(line)) story = null;
    const s = /^\s*\d+\.\s+(\*\*Given\*\*.+)$/.exec(line);
    if (story && s) {
      k++;
      items.push({ id: `US${story.n}-AS${k}`, text: `${story.title}: ${s[1].replace(/\*\*/g, "")}`, source, required: true });
    }
  }
  return items;
}

export interface ValidateOptions {
  items: ChecklistItem[];
  /** The evidence index (evidenceIndex). */
  index: RetrievalIndex;
  /** The files behaviour items (acceptance scenarios) are judged on: not the spec, not the agent's account. */
  behaviourFiles?: (file: string) => boolean;
  judge: Judge;
  config: QaConfig["checklist"];
  embedder?: Embedder;
  /** Concurrent LLM calls. */
  concurrency?: number;
}

/** Acceptance scenarios are about behaviour; CHK items are about how the requirements are written. */
const isBehaviour = (item: ChecklistItem) => item.source === "spec.md";

export async function validateChecklist(opts: ValidateOptions): Promise<ChecklistResult[]> {
  const results: ChecklistResult[] = new Array(opts.items.length);
  let next = 0;
  const worker = async () => {
    while (next < opts.items.length) {
      const i = next++;
      const item = opts.items[i];
      const r = await retrieve(opts.index, item.text, {
        only: isBehaviour(item) ? opts.behaviourFiles : undefined,
        budgetTokens: opts.config.token_budget,
        topK: opts.config.top_k,
        changedBoost: opts.config.changed_boost,
        embedder: opts.embedder,
        embeddingCandidates: opts.config.embeddings.candidates,
      });
      const evidence: EvidenceRef[] = r.selected.map((s) => ({
        chunkId: s.chunk.id,
        file: s.chunk.file,
        startLine: s.chunk.startLine,
        endLine: s.chunk.endLine,
        changed: s.chunk.changed,
        score: Math.round(s.score * 1000) / 1000,
      }));
      let j: Judgement;
      try {
        j = await opts.judge({ system: CHECKLIST_SYSTEM, prompt: checklistPrompt(item, r.evidence), item });
      } catch (e) {
        // A judge that cannot answer leaves the item UNCLEAR (it does not pass, and does not block).
        j = { status: "UNCLEAR", explanation: `judge failed: ${(e as Error).message.slice(0, 300)}`, evidence: [] };
      }
      results[i] = { ...item, status: j.status, explanation: j.explanation, evidence, tokensSent: r.tokens };
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 4) }, worker));
  return results;
}

/** Items nobody judged (no LLM): listed, never passed, left out of the score. */
export function notJudged(items: ChecklistItem[]): ChecklistResult[] {
  return items.map((i) => ({
    ...i,
    status: "NOT_JUDGED" as const,
    explanation: "not judged: no LLM resource was given to the qa step (the criteria table shows what the tests prove)",
    evidence: [],
    tokensSent: 0,
  }));
}

/** A principle judged by the model over evidence retrieved for its statements. */
export function principleJudge(
  judge: Judge,
  index: RetrievalIndex,
  only: ((file: string) => boolean) | undefined,
  config: QaConfig["checklist"],
  embedder?: Embedder,
): PrincipleJudge {
  return async (p: PlannedPrinciple) => {
    const query = `${p.title}\n${p.article.statements.join("\n")}`;
    const r = await retrieve(index, query, {
      only,
      budgetTokens: config.token_budget,
      topK: config.top_k,
      changedBoost: config.changed_boost,
      embedder,
      embeddingCandidates: config.embeddings.candidates,
    });
    const item: ChecklistItem = {
      id: `principle ${p.id}`,
      text: `${p.title}: ${p.article.statements.join(" ").slice(0, 1500)}`,
      source: "constitution",
      required: true,
    };
    const j = await judge({ system: PRINCIPLE_SYSTEM, prompt: principlePrompt(p.id, p.title, p.article.statements, r.evidence), item });
    return { status: j.status, explanation: j.explanation, files: [...new Set(r.selected.map((s) => s.chunk.file))] };
  };
}

export { QA_PROMPTS_VERSION };
