// Picks the repository content most relevant to a query under a token budget, for prompts. The
// repository's retrieval index (lib/project/retrieval.ts: files listed by git, so .gitignore holds;
// secrets, lock files and generated files never indexed) ranks chunks; files are taken best-first
// by their best chunk (READMEs and manifests get a small prior), whole when they fit the per-file
// cap, otherwise their best-matching chunks. Never the whole repository.

import { estimateTokens } from "./client.ts";
import { Redactor } from "../redact.ts";
import { RetrievalIndex, type RankedChunk } from "../project/retrieval.ts";

export interface ContextFile {
  path: string;
  content: string;
  tokens: number;
  score: number;
  /** Only part of the file is included (its best-matching chunks, or its beginning). */
  truncated: boolean;
}

export interface ContextSelection {
  files: ContextFile[];
  totalTokens: number;
  budgetTokens: number;
  /** Files considered (indexed: listed by git, not ignored, not secret, text). */
  considered: number;
  /** Markdown block to paste into a prompt. */
  markdown: string;
}

export interface SelectContextOptions {
  root: string;
  query: string;
  budgetTokens?: number;
  /** Per-file cap before only the best chunks are kept. */
  maxFileTokens?: number;
  /** Repo-relative paths or directory prefixes to leave out (e.g. the spec dir being written). */
  exclude?: string[];
  /** Redacts known secrets and token shapes from file contents (default: token shapes only). */
  redactor?: Redactor;
}

/** The constitution is included separately by the prompts. */
const CONSTITUTION = ".specify/memory/constitution.md";
const PRIOR: [RegExp, number][] = [
  [/(^|\/)README(\.md)?$/i, 3],
  [/(^|\/)(package\.json|pyproject\.toml|Cargo\.toml|go\.mod|Makefile)$/, 2.5],
];
/** Ranked chunks looked at: far more than any budget holds. */
const CANDIDATE_CHUNKS = 400;

const priorOf = (file: string) => PRIOR.reduce((s, [re, w]) => (re.test(file) ? s + w : s), 0);

export async function selectContext(opts: SelectContextOptions): Promise<ContextSelection> {
  const budget = opts.budgetTokens ?? 6000;
  // Token-shaped strings (API keys, private keys) in project files are redacted before any prompt.
  const redactor = opts.redactor ?? new Redactor();
  const maxFileTokens = opts.maxFileTokens ?? Math.max(400, Math.floor(budget / 3));
  const index = await RetrievalIndex.ofRepository({ dir: opts.root, exclude: [...(opts.exclude ?? []), CONSTITUTION] });
  const ranked = index.search(opts.query, CANDIDATE_CHUNKS);
  const byFile = new Map<string, RankedChunk[]>();
  for (const r of ranked) {
    const list = byFile.get(r.chunk.file);
    if (list) list.push(r);
    else byFile.set(r.chunk.file, [r]);
  }
  const scored = new Map<string, number>();
  for (const [file, rs] of byFile) scored.set(file, rs[0]!.score);
  for (const file of index.files) if (priorOf(file)) scored.set(file, (scored.get(file) ?? 0) + priorOf(file));
  const order = [...scored].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));

  const files: ContextFile[] = [];
  let total = 0;
  for (const [file, score] of order) {
    const text = await index.fileText(file);
    if (text === null) continue;
    let content = redactor.redact(text);
    let truncated = false;
    if (estimateTokens(content) > maxFileTokens) {
      content = await excerpt(index, byFile.get(file) ?? [], content, maxFileTokens, redactor);
      truncated = true;
    }
    const tokens = estimateTokens(content) + estimateTokens(file) + 8;
    if (total + tokens > budget) continue; // a smaller, lower-ranked file may still fit
    files.push({ path: file, content, tokens, score: Math.round(score * 100) / 100, truncated });
    total += tokens;
  }
  const markdown = files.length
    ? files.map((f) => `### ${f.path}${f.truncated ? " (truncated)" : ""}\n\`\`\`\n${f.content}\n\`\`\``).join("\n\n")
    : "(no relevant project files found)";
  return { files, totalTokens: total, budgetTokens: budget, considered: index.fileCount, markdown };
}

/** A large file's best-matching chunks in file order, within the cap; its beginning when none matched. */
async function excerpt(index: RetrievalIndex, ranked: RankedChunk[], whole: string, maxTokens: number, redactor: Redactor): Promise<string> {
  const texts = await index.read(ranked.map((r) => r.chunk));
  const kept: { line: number; text: string }[] = [];
  let used = 0;
  ranked.forEach((r, i) => {
    const text = texts[i];
    if (text == null) return;
    const block = `[lines ${r.chunk.startLine}-${r.chunk.endLine}]\n${redactor.redact(text)}`;
    if (used + estimateTokens(block) > maxTokens) return;
    kept.push({ line: r.chunk.startLine, text: block });
    used += estimateTokens(block) + 1;
  });
  if (!kept.length) return whole.slice(0, maxTokens * 4);
  return kept
    .sort((a, b) => a.line - b.line)
    .map((k) => k.text)
    .join("\n…\n");
}
