// Evidence retrieval for checklist validation: the changed code, the step output and the rest of
// the repository are split into chunks (at function/class/heading boundaries, capped in lines),
// ranked per checklist item with BM25 (optionally fused with embeddings), and the best chunks are
// packed under a per-item token budget. The model never sees a dump of the repository.
//
// BM25 is our own (~60 lines) rather than wink-bm25-text-search: wink throws when a collection has
// fewer than 3 documents (a tiny change is common), cannot add documents after consolidate(), and
// its prose-oriented preprocessing would need replacing anyway for code identifiers (camelCase /
// snake_case splitting), which is most of what makes ranking code work.

import { gitAt, splitZ } from "../git.ts";
import { repoFiles } from "../repo/files.ts";
import { estimateTokens, type Embedder } from "../llm/client.ts";

export interface Chunk {
  /** "<file>:<start>-<end>" — stable, readable, and what the report cites. */
  id: string;
  file: string;
  startLine: number;
  endLine: number;
  text: string;
  /** From a file changed between base and head, or from the step output. */
  changed: boolean;
}

export interface RankedChunk {
  chunk: Chunk;
  score: number;
}

export type { Embedder };

export interface RetrieveOptions {
  /** Evidence tokens per item (the rendered evidence block, headers included). */
  budgetTokens: number;
  /** Ranked candidates considered for packing. */
  topK: number;
  changedBoost: number;
  embedder?: Embedder;
  /** BM25 candidates re-ranked with embeddings. */
  embeddingCandidates?: number;
}

export interface Retrieved {
  ranked: RankedChunk[];
  selected: RankedChunk[];
  /** The block sent to the model. */
  evidence: string;
  tokens: number;
}

// ---------------------------------------------------------------- tokenising

const STOP = new Set(
  ("a an and are as at be been but by can could do does for from has have if in into is it its may must no not of on or our shall " +
    "should so such than that the their then there these this those to was were what when where which while who why will with would " +
    "you your we all any each every other some same also only via per given then").split(" "),
);

/**
 * Light suffix stripping so "validates" / "validation" / "validated" / "validate" all meet, and
 * prose ("paginated", "expires") meets identifiers ("paginate", "expire"): strip the inflection,
 * then a final silent "e".
 */
export function stemWord(w: string): string {
  let s = w;
  if (s.length > 5 && s.endsWith("ies")) s = s.slice(0, -3) + "y";
  else if (s.length > 6 && s.endsWith("ation")) s = s.slice(0, -5);
  else if (s.length > 5 && s.endsWith("ing")) s = s.slice(0, -3);
  else if (s.length > 4 && s.endsWith("ed")) s = s.slice(0, -2);
  else if (s.length > 4 && /(ss|sh|ch|x)es$/.test(s)) s = s.slice(0, -2);
  else if (s.length > 3 && s.endsWith("s") && !s.endsWith("ss")) s = s.slice(0, -1);
  if (s.length > 4 && s.endsWith("e")) s = s.slice(0, -1);
  return s;
}

/** Words of code or prose: identifiers split at camelCase, snake_case, digits; lower-cased, stemmed. */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  const words = text.match(/[A-Za-z][A-Za-z0-9]*|\d{2,}/g) ?? [];
  for (const w of words) {
    const parts = w.replace(/([a-z0-9])([A-Z])/g, "$1 $2").replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2").split(" ");
    for (const p of parts) {
      const l = p.toLowerCase();
      if (l.length < 2 || STOP.has(l)) continue;
      out.push(stemWord(l));
    }
  }
  return out;
}

// ---------------------------------------------------------------- BM25

export class Bm25Index {
  private readonly postings = new Map<string, { doc: Int32Array; tf: Float32Array; n: number }>();
  private readonly lengths: Float32Array;
  private readonly avgLen: number;
  constructor(readonly chunks: Chunk[], private readonly k1 = 1.2, private readonly b = 0.75) {
    this.lengths = new Float32Array(chunks.length);
    const grow = (p: { doc: Int32Array; tf: Float32Array; n: number }) => {
      const doc = new Int32Array(p.doc.length * 2);
      doc.set(p.doc);
      const tf = new Float32Array(p.tf.length * 2);
      tf.set(p.tf);
      p.doc = doc;
      p.tf = tf;
    };
    let total = 0;
    chunks.forEach((c, i) => {
      // Path words count as part of the chunk: "auth/session.ts" is evidence for "session".
      const toks = tokenize(`${c.file} ${c.text}`);
      this.lengths[i] = toks.length;
      total += toks.length;
      const tf = new Map<string, number>();
      for (const t of toks) tf.set(t, (tf.get(t) ?? 0) + 1);
      for (const [t, n] of tf) {
        let p = this.postings.get(t);
        if (!p) this.postings.set(t, (p = { doc: new Int32Array(4), tf: new Float32Array(4), n: 0 }));
        if (p.n === p.doc.length) grow(p);
        p.doc[p.n] = i;
        p.tf[p.n] = n;
        p.n++;
      }
    });
    this.avgLen = chunks.length ? total / chunks.length : 1;
  }

  /** Okapi BM25 with the Lucene idf (always positive). */
  idf(term: string): number {
    const n = this.postings.get(term)?.n ?? 0;
    return Math.log(1 + (this.chunks.length - n + 0.5) / (n + 0.5));
  }

  /** Plain Okapi BM25 per chunk. */
  scores(query: string): Map<number, number> {
    return this.scoreWithCoverage(query).scores;
  }

  private vocabulary: string[] | null = null;

  /**
   * Index terms a query term should also match, with a weight: itself (1), and identifiers that
   * extend it by one or two characters ("health" → "healthz", "uuid" → "uuids") at a discount.
   */
  expand(term: string): [string, number][] {
    const out: [string, number][] = [];
    if (this.postings.has(term)) out.push([term, 1]);
    if (term.length >= 4) {
      this.vocabulary ??= [...this.postings.keys()];
      for (const v of this.vocabulary) if (v.length > term.length && v.length <= term.length + 2 && v.startsWith(term)) out.push([v, 0.6]);
    }
    return out;
  }

  private scoreWithCoverage(query: string): { scores: Map<number, number>; covered: Map<number, number>; weight: number } {
    const out = new Map<number, number>();
    const covered = new Map<number, number>();
    let weight = 0;
    for (const t of new Set(tokenize(query))) {
      const variants = this.expand(t);
      if (!variants.length) continue;
      const termIdf = this.idf(variants[0][0]);
      weight += termIdf;
      // A chunk is credited once per query term, with its best-matching variant.
      const best = new Map<number, number>();
      for (const [v, w] of variants) {
        const p = this.postings.get(v)!;
        const idf = this.idf(v) * w;
        for (let j = 0; j < p.n; j++) {
          const d = p.doc[j];
          const f = p.tf[j];
          const s = (idf * f * (this.k1 + 1)) / (f + this.k1 * (1 - this.b + (this.b * this.lengths[d]) / this.avgLen));
          if (s > (best.get(d) ?? 0)) best.set(d, s);
        }
      }
      for (const [d, s] of best) {
        out.set(d, (out.get(d) ?? 0) + s);
        covered.set(d, (covered.get(d) ?? 0) + termIdf);
      }
    }
    return { scores: out, covered, weight };
  }

  /**
   * BM25 × coordination: the score is scaled by the (idf-weighted) share of the query's terms the
   * chunk contains, squared — Lucene's classic coord() factor. A chunk that mentions some of the
   * item's words many times (a comment restating half of it) ranks below one that covers the item.
   */
  search(query: string, k: number, changedBoost = 1, coordPower = 2): RankedChunk[] {
    const { scores, covered, weight } = this.scoreWithCoverage(query);
    const ranked: RankedChunk[] = [];
    for (const [d, raw] of scores) {
      const coord = weight > 0 ? Math.pow((covered.get(d) ?? 0) / weight, coordPower) : 1;
      const s = raw * coord;
      ranked.push({ chunk: this.chunks[d], score: this.chunks[d].changed ? s * changedBoost : s });
    }
    ranked.sort((a, b) => b.score - a.score || a.chunk.id.localeCompare(b.chunk.id));
    return ranked.slice(0, k);
  }
}

// ---------------------------------------------------------------- chunking

const BOUNDARY = /^(?:export\s+)?(?:default\s+)?(?:async\s+)?(?:function\*?|class|interface|type|enum|const|let|var|def|func|fn|pub(?:\(crate\))?\s+(?:fn|struct|enum|trait)|struct|trait|impl|module|namespace|describe|it|test)\b|^(?:public|private|protected|internal|static)\s|^@\w|^#{1,4}\s|^func\s/;

/** Splits a file into chunks at top-level declarations / headings, at most maxLines each. */
export function chunkText(file: string, text: string, maxLines: number, changed = false): Chunk[] {
  const lines = text.split("\n");
  if (lines.length && lines[lines.length - 1] === "") lines.pop();
  const chunks: Chunk[] = [];
  const minLines = Math.max(3, Math.floor(maxLines / 6));
  let start = 0;
  const flush = (end: number) => {
    if (end <= start) return;
    const body = lines.slice(start, end).join("\n");
    if (body.trim()) chunks.push({ id: `${file}:${start + 1}-${end}`, file, startLine: start + 1, endLine: end, text: body, changed });
    start = end;
  };
  for (let i = 0; i < lines.length; i++) {
    const len = i - start;
    if (len >= minLines && BOUNDARY.test(lines[i])) flush(i);
    else if (len >= maxLines) {
      // Prefer cutting at a blank line in the last quarter of the window.
      let cut = i;
      for (let j = i; j > i - Math.floor(maxLines / 4); j--) if (lines[j - 1]?.trim() === "") { cut = j; break; }
      flush(cut);
    }
  }
  flush(lines.length);
  return chunks;
}

const SKIP_PATH = /(^|\/)(node_modules|\.git|dist|build|out|target|vendor|\.venv|venv|__pycache__|coverage|\.next)\/|(^|\/)(package-lock\.json|yarn\.lock|pnpm-lock\.yaml|Cargo\.lock|poetry\.lock|go\.sum)$|\.(png|jpe?g|gif|ico|pdf|zip|gz|tgz|woff2?|ttf|eot|mp[34]|wasm|so|dylib|dll|exe|bin|jar|class|min\.js|map)$/i;
const MAX_FILE_BYTES = 512 * 1024;

export interface CollectOptions {
  /** Repository checkout at head. */
  dir: string;
  changedFiles: Iterable<string>;
  chunkLines: number;
  /** Step output (agent log, test output…) chunked as pseudo-files `_step/<name>`. */
  stepOutputs?: Record<string, string>;
  /** Path prefixes left out, e.g. the feature's checklists (an item would retrieve itself). */
  exclude?: string[];
}

/** Chunks of every tracked text file (git ls-files; a plain directory walk is not needed). */
export async function collectChunks(opts: CollectOptions): Promise<Chunk[]> {
  const changed = new Set(opts.changedFiles);
  const listed = splitZ(await gitAt(opts.dir).run(["ls-files", "-z", "--cached", "--others", "--exclude-standard"]));
  const files = listed.filter((p) => !SKIP_PATH.test(p) && !(opts.exclude ?? []).some((x) => p.startsWith(x)));
  const chunks: Chunk[] = [];
  // Through the repository-files gateway: a tracked link out of the repository is never read.
  const repo = repoFiles(opts.dir);
  const BATCH = 64;
  for (let i = 0; i < files.length; i += BATCH) {
    const part = await Promise.all(
      files.slice(i, i + BATCH).map(async (p) => {
        const buf = await repo.readBytes(p, { maxBytes: MAX_FILE_BYTES });
        if (!buf) return [];
        if (buf.subarray(0, 8000).includes(0)) return []; // binary
        return chunkText(p, buf.toString("utf8"), opts.chunkLines, changed.has(p));
      }),
    );
    for (const c of part) chunks.push(...c);
  }
  for (const [name, out] of Object.entries(opts.stepOutputs ?? {})) chunks.push(...chunkText(`_step/${name}`, out, opts.chunkLines, true));
  return chunks;
}

// ---------------------------------------------------------------- per-item retrieval

export function renderChunk(c: Chunk): string {
  return `--- ${c.id}${c.changed ? " (changed)" : ""}\n${c.text}\n`;
}

function cosine(a: number[], b: number[]): number {
  let d = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    d += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return d / (Math.sqrt(na * nb) || 1);
}

const embedCache = new WeakMap<Embedder, Map<string, number[]>>();

/** Reciprocal-rank fusion of the BM25 order and the embedding order over the BM25 candidates. */
async function fuseWithEmbeddings(query: string, candidates: RankedChunk[], embedder: Embedder): Promise<RankedChunk[]> {
  let cache = embedCache.get(embedder);
  if (!cache) embedCache.set(embedder, (cache = new Map()));
  const missing = candidates.filter((c) => !cache!.has(c.chunk.id));
  const [qv, ...vs] = await embedder.embed([query, ...missing.map((c) => c.chunk.text.slice(0, 8000))]);
  missing.forEach((c, i) => cache!.set(c.chunk.id, vs[i]));
  const byEmb = [...candidates].sort((a, b) => cosine(qv, cache!.get(b.chunk.id)!) - cosine(qv, cache!.get(a.chunk.id)!));
  const rank = new Map(byEmb.map((c, i) => [c.chunk.id, i]));
  const K = 60;
  return candidates
    .map((c, i) => ({ chunk: c.chunk, score: 1 / (K + i) + 1 / (K + rank.get(c.chunk.id)!) }))
    .sort((a, b) => b.score - a.score || a.chunk.id.localeCompare(b.chunk.id));
}

export async function retrieve(index: Bm25Index, query: string, opts: RetrieveOptions): Promise<Retrieved> {
  let ranked = index.search(query, Math.max(opts.topK, opts.embedder ? opts.embeddingCandidates ?? 60 : 0), opts.changedBoost);
  if (opts.embedder && ranked.length > 1) ranked = await fuseWithEmbeddings(query, ranked, opts.embedder);
  ranked = ranked.slice(0, opts.topK);
  const selected: RankedChunk[] = [];
  let evidence = "";
  for (const r of ranked) {
    const block = renderChunk(r.chunk);
    // A chunk larger than the remaining budget is skipped, a smaller lower-ranked one may fit.
    if (estimateTokens(evidence + block) > opts.budgetTokens) continue;
    evidence += block;
    selected.push(r);
  }
  return { ranked, selected, evidence, tokens: estimateTokens(evidence) };
}
