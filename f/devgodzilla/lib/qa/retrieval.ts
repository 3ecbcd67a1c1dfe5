// Evidence for checklist validation: the repository's retrieval index (lib/project/retrieval.ts)
// over the checkout at head and the step outputs; per checklist item the best chunks (BM25 ×
// coordination, changed files boosted, optionally fused with embeddings) are read again and packed
// under a per-item token budget. The model never sees a dump of the repository.

import { estimateTokens, type Embedder } from "../llm/client.ts";
import { RetrievalIndex, type RankedChunk } from "../project/retrieval.ts";
import { Redactor } from "../redact.ts";

export { RetrievalIndex, chunkText, stemWord, tokenize, type Chunk, type RankedChunk } from "../project/retrieval.ts";
export type { Embedder };

export interface CollectOptions {
  /** Repository checkout at head. */
  dir: string;
  changedFiles: Iterable<string>;
  chunkLines: number;
  /** Step output (agent log, test output…) indexed as pseudo-files `_step/<name>`. */
  stepOutputs?: Record<string, string>;
  /** Path prefixes left out, e.g. the feature's checklists (an item would retrieve itself). */
  exclude?: string[];
}

/** The evidence index: the checkout's files (listed by git) and the step outputs, changed ones marked. */
export function evidenceIndex(opts: CollectOptions): Promise<RetrievalIndex> {
  return RetrievalIndex.ofRepository({
    dir: opts.dir,
    changedFiles: opts.changedFiles,
    chunkLines: opts.chunkLines,
    exclude: opts.exclude,
    documents: Object.entries(opts.stepOutputs ?? {}).map(([name, text]) => ({ file: `_step/${name}`, text })),
  });
}

export interface RetrieveOptions {
  /** Evidence tokens per item (the rendered evidence block, headers included). */
  budgetTokens: number;
  /** Ranked candidates considered for packing. */
  topK: number;
  changedBoost: number;
  embedder?: Embedder;
  /** BM25 candidates re-ranked with embeddings. */
  embeddingCandidates?: number;
  /** Redacts secrets from the evidence (default: token shapes). */
  redactor?: Redactor;
  /** Evidence only from the files this keeps (SearchOptions.only). */
  only?: (file: string) => boolean;
}

export interface Retrieved {
  ranked: RankedChunk[];
  selected: RankedChunk[];
  /** The block sent to the model. */
  evidence: string;
  tokens: number;
}

export function renderChunk(c: RankedChunk["chunk"], text: string): string {
  return `--- ${c.id}${c.changed ? " (changed)" : ""}\n${text}\n`;
}

function cosine(a: number[], b: number[]): number {
  let d = 0,
    na = 0,
    nb = 0;
  for (let i = 0; i < a.length; i++) {
    d += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return d / (Math.sqrt(na * nb) || 1);
}

const embedCache = new WeakMap<Embedder, Map<string, number[]>>();

/** Reciprocal-rank fusion of the BM25 order and the embedding order over the BM25 candidates. */
async function fuseWithEmbeddings(query: string, candidates: RankedChunk[], texts: Map<string, string>, embedder: Embedder): Promise<RankedChunk[]> {
  let cache = embedCache.get(embedder);
  if (!cache) embedCache.set(embedder, (cache = new Map()));
  const missing = candidates.filter((c) => !cache!.has(c.chunk.id) && texts.has(c.chunk.id));
  const [qv, ...vs] = await embedder.embed([query, ...missing.map((c) => texts.get(c.chunk.id)!.slice(0, 8000))]);
  missing.forEach((c, i) => cache!.set(c.chunk.id, vs[i]!));
  const similarity = (c: RankedChunk) => (cache!.has(c.chunk.id) ? cosine(qv!, cache!.get(c.chunk.id)!) : -1);
  const byEmb = [...candidates].sort((a, b) => similarity(b) - similarity(a));
  const rank = new Map(byEmb.map((c, i) => [c.chunk.id, i]));
  const K = 60;
  return candidates
    .map((c, i) => ({ chunk: c.chunk, score: 1 / (K + i) + 1 / (K + rank.get(c.chunk.id)!) }))
    .sort((a, b) => b.score - a.score || a.chunk.ordinal - b.chunk.ordinal);
}

/** Texts of ranked chunks by chunk id, read again from their files (a changed file's chunk is left out). */
async function textsOf(index: RetrievalIndex, ranked: RankedChunk[], into = new Map<string, string>()): Promise<Map<string, string>> {
  const missing = ranked.filter((r) => !into.has(r.chunk.id));
  const texts = await index.read(missing.map((r) => r.chunk));
  missing.forEach((r, i) => texts[i] !== null && into.set(r.chunk.id, texts[i]!));
  return into;
}

export async function retrieve(index: RetrievalIndex, query: string, opts: RetrieveOptions): Promise<Retrieved> {
  let ranked = index.search(query, Math.max(opts.topK, opts.embedder ? (opts.embeddingCandidates ?? 60) : 0), {
    changedBoost: opts.changedBoost,
    only: opts.only,
  });
  let texts = new Map<string, string>();
  if (opts.embedder && ranked.length > 1) {
    texts = await textsOf(index, ranked);
    ranked = await fuseWithEmbeddings(query, ranked, texts, opts.embedder);
  }
  ranked = ranked.slice(0, opts.topK);
  await textsOf(index, ranked, texts);
  const redactor = opts.redactor ?? new Redactor();
  const selected: RankedChunk[] = [];
  let evidence = "";
  for (const r of ranked) {
    const text = texts.get(r.chunk.id);
    if (text === undefined) continue;
    const block = renderChunk(r.chunk, redactor.redact(text));
    // A chunk larger than the remaining budget is skipped, a smaller lower-ranked one may fit.
    if (estimateTokens(evidence + block) > opts.budgetTokens) continue;
    evidence += block;
    selected.push(r);
  }
  return { ranked, selected, evidence, tokens: estimateTokens(evidence) };
}
