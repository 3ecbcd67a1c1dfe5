// Picks the repository files most relevant to a query under a token budget, for prompts.
// Never the whole repo: files are ranked by term overlap (path words weigh more than body words,
// rare terms more than common ones), manifests/READMEs get a small prior, and files are added
// best-first until the budget is spent. Large files are cut to a per-file cap.

import { estimateTokens } from "./client.ts";
import { Redactor } from "../redact.ts";
import { repoFiles, type RepoFiles } from "../repo/files.ts";

export interface ContextFile {
  path: string;
  content: string;
  tokens: number;
  score: number;
  truncated: boolean;
}

export interface ContextSelection {
  files: ContextFile[];
  totalTokens: number;
  budgetTokens: number;
  /** Files considered (after ignore rules). */
  considered: number;
  /** Markdown block to paste into a prompt. */
  markdown: string;
}

export interface SelectContextOptions {
  root: string;
  query: string;
  budgetTokens?: number;
  /** Per-file cap before truncation. */
  maxFileTokens?: number;
  /** Repo-relative path prefixes to leave out (e.g. the spec dir being written). */
  exclude?: string[];
  /** Redacts known secrets and token shapes from file contents (default: token shapes only). */
  redactor?: Redactor;
}

const IGNORED_DIRS = new Set([".git", "node_modules", "dist", "build", "out", "target", "vendor", ".venv", "venv", "__pycache__", ".next", "coverage", ".devgodzilla", ".cache", ".idea", ".vscode"]);
const TEXT_EXT = /\.(ts|tsx|js|jsx|mjs|cjs|py|go|rs|java|kt|rb|php|cs|c|h|cpp|hpp|swift|scala|sql|md|txt|json|ya?ml|toml|ini|cfg|sh|html|css|scss|vue|svelte|graphql|proto|lock)$/i;
const PRIOR: [RegExp, number][] = [
  [/^README(\.md)?$/i, 3],
  [/^(package\.json|pyproject\.toml|Cargo\.toml|go\.mod|Makefile)$/, 2.5],
  [/^\.specify\/memory\/constitution\.md$/, -100], // included separately by the prompts
  [/(^|\/)(package-lock\.json|yarn\.lock|pnpm-lock\.yaml|Cargo\.lock|poetry\.lock|go\.sum)$/, -100],
];
/** Never sent to a model, whatever their extension. */
const SECRET_FILE = /(^|\/)(\.env(\..*)?|.*\.(pem|key|p12|pfx|keystore)|id_(rsa|ed25519|ecdsa)(\.pub)?|\.npmrc|\.pypirc|\.netrc|credentials(\.json)?|secrets?\.(json|ya?ml|toml))$/i;
const MAX_FILES = 4000;
const MAX_BYTES = 400_000;

const STOP = new Set("the a an and or of to in for on with by is are be as at it this that from into via add new use using should must can will when not our we you user users feature".split(" "));

export function terms(text: string): string[] {
  return (text.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase().match(/[a-z][a-z0-9]{2,}/g) ?? []).filter((w) => !STOP.has(w));
}

/** Candidate files, through the repository-files gateway (links out of the repository are never read). */
async function listFiles(files: RepoFiles): Promise<string[]> {
  const all = await files.walk({ skipDir: (name) => IGNORED_DIRS.has(name) });
  const name = (p: string) => p.slice(p.lastIndexOf("/") + 1);
  return all.filter((p) => !SECRET_FILE.test(name(p)) && (TEXT_EXT.test(name(p)) || /^(Makefile|Dockerfile|README)$/.test(name(p)))).slice(0, MAX_FILES);
}

export async function selectContext(opts: SelectContextOptions): Promise<ContextSelection> {
  const budget = opts.budgetTokens ?? 6000;
  // Token-shaped strings (API keys, private keys) in project files are redacted before any prompt.
  const redactor = opts.redactor ?? new Redactor();
  const maxFileTokens = opts.maxFileTokens ?? Math.max(400, Math.floor(budget / 3));
  const q = [...new Set(terms(opts.query))];
  const repo = repoFiles(opts.root);
  const paths = (await listFiles(repo)).filter((p) => !(opts.exclude ?? []).some((x) => p === x || p.startsWith(x.endsWith("/") ? x : `${x}/`)));
  const docs: { path: string; content: string; bodyTerms: Map<string, number>; pathTerms: Set<string> }[] = [];
  for (const path of paths) {
    const text = await repo.readText(path, { maxBytes: MAX_BYTES });
    if (text === null) continue;
    if (text.includes("\u0000")) continue; // binary
    const content = redactor.redact(text);
    const bodyTerms = new Map<string, number>();
    for (const t of terms(content)) bodyTerms.set(t, (bodyTerms.get(t) ?? 0) + 1);
    docs.push({ path, content, bodyTerms, pathTerms: new Set(terms(path)) });
  }
  const df = new Map<string, number>();
  for (const d of docs) for (const t of q) if (d.bodyTerms.has(t) || d.pathTerms.has(t)) df.set(t, (df.get(t) ?? 0) + 1);
  const scored = docs.map((d) => {
    let score = 0;
    for (const t of q) {
      const idf = Math.log(1 + docs.length / (1 + (df.get(t) ?? 0)));
      if (d.pathTerms.has(t)) score += 3 * idf;
      const tf = d.bodyTerms.get(t) ?? 0;
      if (tf) score += idf * (1 + Math.log(tf));
    }
    const name = d.path.split("/").pop()!;
    for (const [re, w] of PRIOR) if (re.test(d.path) || re.test(name)) score += w;
    return { ...d, score };
  });
  scored.sort((a, b) => b.score - a.score || a.path.localeCompare(b.path));
  const files: ContextFile[] = [];
  let total = 0;
  for (const d of scored) {
    if (d.score <= 0) break;
    let content = d.content;
    let truncated = false;
    if (estimateTokens(content) > maxFileTokens) {
      content = content.slice(0, maxFileTokens * 4);
      truncated = true;
    }
    const tokens = estimateTokens(content) + estimateTokens(d.path) + 8;
    if (total + tokens > budget) continue; // a smaller, lower-ranked file may still fit
    files.push({ path: d.path, content, tokens, score: Math.round(d.score * 100) / 100, truncated });
    total += tokens;
  }
  const markdown = files.length
    ? files.map((f) => `### ${f.path}${f.truncated ? " (truncated)" : ""}\n\`\`\`\n${f.content}\n\`\`\``).join("\n\n")
    : "(no relevant project files found)";
  return { files, totalTokens: total, budgetTokens: budget, considered: docs.length, markdown };
}
