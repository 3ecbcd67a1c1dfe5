// The retrieval index over a repository's files: one index for QA's evidence (checklist items) and
// for the context given to agents and models. Files are listed by git (tracked files, and untracked
// ones .gitignore does not exclude), read through the repository-files gateway (lib/repo/files.ts:
// links out of the worktree are refused), split into chunks at top-level declarations / headings, and ranked with BM25 ×
// coordination.
//
// Costs grow with the work, not faster (issue 16):
// - the index keeps no text: a chunk is a source, a character range and its lines; only the chunks
//   a query selects are read again, and checked against the content id they were indexed from;
// - token lists are cached per git blob id, so a file unchanged since an earlier index in this
//   process is not even read; postings are flat typed arrays (one row per term);
// - a query walks the postings of its own terms only, finds a term's identifier variants through a
//   prefix table (not by scanning the vocabulary), and keeps its top k in a bounded heap.
//
// BM25 is our own rather than wink-bm25-text-search: wink throws when a collection has fewer than 3
// documents (a tiny change is common), cannot add documents after consolidate(), and its
// prose-oriented preprocessing would need replacing anyway for code identifiers (camelCase /
// snake_case splitting), which is most of what makes ranking code work.

import { createHash } from "node:crypto";
import { realpath } from "node:fs/promises";
import path from "node:path";
import { gitAt, splitZ } from "../git.ts";
import { repoFiles, type RepoFiles } from "../repo/files.ts";

// ---------------------------------------------------------------------------------------------
// Exported types

export interface Chunk {
  /** "<file>:<start>-<end>": stable, readable, and what a report cites. */
  id: string;
  file: string;
  startLine: number;
  endLine: number;
  /** From a changed file (or a step output): QA ranks these higher. */
  changed: boolean;
  /** Position in its index (what `read` looks up). */
  ordinal: number;
}

export interface RankedChunk {
  chunk: Chunk;
  score: number;
}

export interface SearchOptions {
  /** Score multiplier for chunks of changed files. Default 1. */
  changedBoost?: number;
  /** Exponent of the coordination factor (share of the query's idf the chunk covers). Default 2. */
  coordPower?: number;
  /**
   * Only chunks of files this keeps are ranked (e.g. behaviour judged without the spec). Pass the
   * same function for every query: the files it keeps are worked out once per function.
   */
  only?: (file: string) => boolean;
}

/** An in-memory document indexed beside the files (e.g. a step's output as `_step/<name>`). */
export interface TextDocument {
  file: string;
  text: string;
  changed?: boolean;
}

export interface RepositoryIndexOptions {
  /** The repository checkout. */
  dir: string;
  /** Repository-relative paths of changed files. */
  changedFiles?: Iterable<string>;
  /** Longest chunk, in lines. Default 60. */
  chunkLines?: number;
  /** In-memory documents indexed with the files, always as changed. */
  documents?: TextDocument[];
  /** Paths or directory prefixes left out (e.g. the checklists an item would retrieve itself from). */
  exclude?: readonly string[];
}

// ---------------------------------------------------------------------------------------------
// Tokenising

const STOP = new Set(
  (
    "a an and are as at be been but by can could do does for from has have if in into is it its may must no not of on or our shall " +
    "should so such than that the their then there these this those to was were what when where which while who why will with would " +
    "you your we all any each every other some same also only via per given then"
  ).split(" "),
);
/** Longer "words" are hashes, base64 or minified code: never what a person searches for. */
const MAX_TERM_LENGTH = 40;

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
    const parts = w
      .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
      .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
      .split(" ");
    for (const p of parts) {
      const l = p.toLowerCase();
      if (l.length < 2 || l.length > MAX_TERM_LENGTH || STOP.has(l)) continue;
      out.push(stemWord(l));
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Chunking

const BOUNDARY =
  /^(?:export\s+)?(?:default\s+)?(?:async\s+)?(?:function\*?|class|interface|type|enum|const|let|var|def|func|fn|pub(?:\(crate\))?\s+(?:fn|struct|enum|trait)|struct|trait|impl|module|namespace|describe|it|test)\b|^(?:public|private|protected|internal|static)\s|^@\w|^#{1,4}\s|^func\s/;

interface Bounds {
  startLine: number;
  endLine: number;
  /** Character range of the chunk's text (its lines, without the last newline). */
  from: number;
  to: number;
}

/** Splits a text at top-level declarations / headings into chunks of at most maxLines lines. */
function chunkBounds(text: string, maxLines: number): Bounds[] {
  const lines = text.split("\n");
  if (lines.length && lines[lines.length - 1] === "") lines.pop();
  const lineStart = new Uint32Array(lines.length + 1);
  for (let i = 0; i < lines.length; i++) lineStart[i + 1] = lineStart[i]! + lines[i]!.length + 1;
  const out: Bounds[] = [];
  const minLines = Math.max(3, Math.floor(maxLines / 6));
  let start = 0;
  const flush = (end: number) => {
    if (end <= start) return;
    const from = lineStart[start]!;
    const to = lineStart[end]! - 1;
    if (text.slice(from, to).trim()) out.push({ startLine: start + 1, endLine: end, from, to });
    start = end;
  };
  for (let i = 0; i < lines.length; i++) {
    const len = i - start;
    if (len >= minLines && BOUNDARY.test(lines[i]!)) flush(i);
    else if (len >= maxLines) {
      // Prefer cutting at a blank line in the last quarter of the window.
      let cut = i;
      for (let j = i; j > i - Math.floor(maxLines / 4); j--)
        if (lines[j - 1]?.trim() === "") {
          cut = j;
          break;
        }
      flush(cut);
    }
  }
  flush(lines.length);
  return out;
}

/** The chunks of one text with their content (for in-memory use and tests). */
export function chunkText(file: string, text: string, maxLines: number): (Omit<Chunk, "ordinal" | "changed"> & { text: string })[] {
  return chunkBounds(text, maxLines).map((b) => ({
    id: `${file}:${b.startLine}-${b.endLine}`,
    file,
    startLine: b.startLine,
    endLine: b.endLine,
    text: text.slice(b.from, b.to),
  }));
}

// ---------------------------------------------------------------------------------------------
// Code and comments

/**
 * A checklist item or a task is about what the code does: a word in a comment weighs a quarter of
 * the same word in code (BM25F-style field weights; in prose files every word is "code"). A chunk
 * whose comment restates the item ranks below the code that implements it.
 */
const CODE_UNITS = 4;
const COMMENT_UNITS = 1;

type CommentSyntax = "c" | "hash" | "dash" | "none";
const SYNTAX: [RegExp, CommentSyntax][] = [
  [/\.(c|h|cc|cpp|cxx|hpp|cs|java|kt|kts|scala|swift|go|rs|js|jsx|mjs|cjs|ts|tsx|mts|cts|php|dart|groovy|gradle|proto|css|scss|less)$/i, "c"],
  [/(\.(py|pyi|rb|sh|bash|zsh|ya?ml|toml|pl|r|ex|exs|nim|cmake|tf|ini|cfg|conf)|(^|\/)(Dockerfile|Makefile|CMakeLists\.txt))$/i, "hash"],
  [/\.(sql|lua|hs|elm)$/i, "dash"],
];
const syntaxOf = (file: string): CommentSyntax => SYNTAX.find(([re]) => re.test(file))?.[1] ?? "none";

/** Which lines of a text are comments (leading line comments, block comments, Python docstrings). */
function commentLines(lines: string[], syntax: CommentSyntax): Uint8Array {
  const out = new Uint8Array(lines.length);
  if (syntax === "none") return out;
  let closer: string | null = null;
  lines.forEach((line, i) => {
    const t = line.trimStart();
    if (closer !== null) {
      out[i] = 1;
      if (t.includes(closer)) closer = null;
      return;
    }
    if (syntax === "c") {
      if (t.startsWith("//")) out[i] = 1;
      else if (t.startsWith("/*")) {
        out[i] = 1;
        if (!t.includes("*/", 2)) closer = "*/";
      }
    } else if (syntax === "hash") {
      if (t.startsWith("#") && !t.startsWith("#!")) out[i] = 1;
      else if (t.startsWith('"""') || t.startsWith("'''")) {
        out[i] = 1;
        if (!t.includes(t.slice(0, 3), 3)) closer = t.slice(0, 3);
      }
    } else if (t.startsWith("--")) out[i] = 1;
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Which files are indexed

/**
 * Generated, vendored, binary and lock files, and DevGodzilla's own run records (specs/<feature>/_runtime/:
 * QA reports with their timings, agents' context files): never evidence, never context.
 */
const SKIP_PATH =
  /(^|\/)(node_modules|\.git|dist|build|out|target|vendor|\.venv|venv|__pycache__|coverage|\.next|\.devgodzilla|\.cache|\.idea|\.vscode|specs\/[^/]+\/_runtime)\/|(^|\/)(package-lock\.json|yarn\.lock|pnpm-lock\.yaml|Cargo\.lock|poetry\.lock|go\.sum|bun\.lockb?)$|\.(png|jpe?g|gif|ico|webp|pdf|zip|gz|tgz|bz2|xz|7z|woff2?|ttf|eot|otf|mp[34]|mov|wasm|so|dylib|dll|exe|bin|jar|class|pyc|min\.js|map)$/i;
/** Never sent to a model, whatever their content. */
const SECRET_FILE =
  /(^|\/)(\.env(\..*)?|[^/]*\.(pem|key|p12|pfx|keystore|jks)|id_(rsa|ed25519|ecdsa|dsa)(\.pub)?|\.npmrc|\.pypirc|\.netrc|\.git-credentials|credentials(\.json)?|secrets?\.(json|ya?ml|toml))$/i;
const MAX_FILE_BYTES = 512 * 1024;

/** Whether a repository path is ever indexed (text that people write, not secrets). */
export function indexable(file: string): boolean {
  return !SKIP_PATH.test(file) && !SECRET_FILE.test(file);
}

const excludedBy = (exclude: readonly string[]) => (p: string) => exclude.some((x) => p === x || p.startsWith(x.endsWith("/") ? x : `${x}/`));

interface Listed {
  path: string;
  /** git's blob id when the work tree holds exactly the indexed blob; null when it must be read. */
  blob: string | null;
}

/** Tracked files (with their blob id when unmodified) and untracked files .gitignore does not exclude. */
async function listRepository(dir: string): Promise<{ files: Listed[]; objectFormat: "sha1" | "sha256" }> {
  const git = gitAt(dir);
  const [staged, dirty] = await Promise.all([
    git.run(["ls-files", "-z", "--stage"]),
    git.run(["ls-files", "-z", "--modified", "--others", "--exclude-standard"]),
  ]);
  const blobs = new Map<string, string | null>();
  let objectFormat: "sha1" | "sha256" = "sha1";
  for (const entry of splitZ(staged)) {
    // "<mode> <object> <stage>\t<path>": regular files at stage 0 keep their blob id; a link is
    // read (through the gateway, which follows it only inside the repository); submodules and
    // conflicted paths are not indexed.
    const tab = entry.indexOf("\t");
    const [mode, oid, stageNo] = entry.slice(0, tab).split(" ");
    const file = entry.slice(tab + 1);
    if (oid!.length === 64) objectFormat = "sha256";
    const regular = mode === "100644" || mode === "100755";
    blobs.set(file, stageNo !== "0" || !(regular || mode === "120000") ? "" : regular ? oid! : null);
  }
  for (const file of splitZ(dirty)) if (blobs.get(file) !== "") blobs.set(file, null);
  const files: Listed[] = [];
  for (const [file, blob] of blobs) if (blob !== "") files.push({ path: file, blob });
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, objectFormat };
}

/** git's object id of a blob: the hash of "blob <size>\0" and the content. */
function blobId(content: Buffer, format: "sha1" | "sha256"): string {
  return createHash(format).update(`blob ${content.length}\0`).update(content).digest("hex");
}

// ---------------------------------------------------------------------------------------------
// Vocabulary and the token cache

/**
 * The chunks of one file's content, packed into one array (one object per file, not six):
 * [n, startLine/endLine × n, from/to × n, weight × n, termStart × (n + 1), term | weight << 24 …],
 * weights in units (CODE_UNITS a word in code), a term's weight capped at 255 units (BM25
 * saturates long before).
 */
type FileTokens = Uint32Array;
const TERM_BITS = 24;
const TERM_MASK = (1 << TERM_BITS) - 1;
const MAX_TF = 255;

const chunkCount = (f: FileTokens) => f[0]!;
const startLineOf = (f: FileTokens, i: number) => f[1 + 2 * i]!;
const endLineOf = (f: FileTokens, i: number) => f[2 + 2 * i]!;
const fromOf = (f: FileTokens, i: number) => f[1 + 2 * f[0]! + 2 * i]!;
const toOf = (f: FileTokens, i: number) => f[2 + 2 * f[0]! + 2 * i]!;
/** Row i of the packed terms is f[termsFrom(f, i) .. termsFrom(f, i + 1)). */
const termsFrom = (f: FileTokens, i: number) => f[1 + 5 * f[0]! + i]!;

const NO_CHUNKS: FileTokens = new Uint32Array([0, 0]);
const CACHE_BYTE_LIMIT = 256 * 1024 * 1024;

/** Term ids, and token lists cached by content id. Indexes built from one table share its ids. */
class TermTable {
  readonly ids = new Map<string, number>();
  readonly words: string[] = [];
  private readonly byContent = new Map<string, FileTokens>();
  private cachedBytes = 0;
  private counts: Uint32Array<ArrayBuffer> = new Uint32Array(1024);

  id(word: string): number {
    let id = this.ids.get(word);
    if (id === undefined) {
      id = this.words.length;
      this.ids.set(word, id);
      this.words.push(word);
    }
    return id;
  }

  /** Too much cached, or term ids about to outgrow their bits: the next index starts a new table. */
  get full(): boolean {
    return this.cachedBytes > CACHE_BYTE_LIMIT || this.words.length > TERM_MASK / 2;
  }

  cached(key: string): FileTokens | undefined {
    return this.byContent.get(key);
  }

  remember(key: string, tokens: FileTokens): void {
    this.byContent.set(key, tokens);
    this.cachedBytes += tokens.byteLength;
  }

  /** Chunks a text and weighs each chunk's terms (in CODE_UNITS per word in code). */
  tokens(text: string, chunkLines: number, syntax: CommentSyntax): FileTokens {
    const bounds = chunkBounds(text, chunkLines);
    const lines = text.split("\n");
    const comment = commentLines(lines, syntax);
    const n = bounds.length;
    const rows: number[][] = [];
    const lengths: number[] = [];
    let entries = 0;
    for (const b of bounds) {
      const distinct: number[] = [];
      let units = 0;
      for (let li = b.startLine - 1; li < b.endLine; li++) {
        const weight = comment[li] ? COMMENT_UNITS : CODE_UNITS;
        for (const w of tokenize(lines[li]!)) {
          const t = this.id(w);
          if (t >= this.counts.length) this.counts = grow(this.counts, t + 1);
          if (this.counts[t] === 0) distinct.push(t);
          this.counts[t] += weight;
          units += weight;
        }
      }
      lengths.push(units);
      for (let k = 0; k < distinct.length; k++) {
        const t = distinct[k]!;
        distinct[k] = t | (Math.min(this.counts[t]!, MAX_TF) << TERM_BITS);
        this.counts[t] = 0;
      }
      rows.push(distinct);
      entries += distinct.length;
    }
    const head = 2 + 6 * n;
    const f = new Uint32Array(head + entries);
    f[0] = n;
    let k = head;
    bounds.forEach((b, i) => {
      f[1 + 2 * i] = b.startLine;
      f[2 + 2 * i] = b.endLine;
      f[1 + 2 * n + 2 * i] = b.from;
      f[2 + 2 * n + 2 * i] = b.to;
      f[1 + 4 * n + i] = lengths[i]!;
      f[1 + 5 * n + i] = k;
      f.set(rows[i]!, k);
      k += rows[i]!.length;
    });
    f[1 + 6 * n] = k;
    return f;
  }
}

function grow(a: Uint32Array, atLeast: number): Uint32Array<ArrayBuffer> {
  const b = new Uint32Array(Math.max(atLeast, a.length * 2));
  b.set(a);
  return b;
}

let sharedTable = new TermTable();

/** The process's term table; a new one once the cache is full (indexes keep the table they were built with). */
function termTable(): TermTable {
  if (sharedTable.full) sharedTable = new TermTable();
  return sharedTable;
}

// ---------------------------------------------------------------------------------------------
// The index

interface Source {
  file: string;
  changed: boolean;
  /** Content id the chunks were computed from (files), checked when a chunk is read again. */
  blob: string | null;
  /** In-memory documents only. */
  text: string | null;
  tokens: FileTokens;
  firstChunk: number;
}

/** A min-heap of (score, ordinal) keeping the k best; ties go to the lower ordinal. */
class TopK {
  private readonly score: Float64Array;
  private readonly ord: Int32Array;
  size = 0;
  constructor(private readonly k: number) {
    this.score = new Float64Array(k);
    this.ord = new Int32Array(k);
  }
  private worse(i: number, j: number): boolean {
    return this.score[i]! < this.score[j]! || (this.score[i] === this.score[j] && this.ord[i]! > this.ord[j]!);
  }
  private swap(i: number, j: number) {
    [this.score[i], this.score[j]] = [this.score[j]!, this.score[i]!];
    [this.ord[i], this.ord[j]] = [this.ord[j]!, this.ord[i]!];
  }
  offer(score: number, ord: number): void {
    if (this.k === 0) return;
    if (this.size < this.k) {
      let i = this.size++;
      this.score[i] = score;
      this.ord[i] = ord;
      while (i > 0 && this.worse(i, (i - 1) >> 1)) {
        this.swap(i, (i - 1) >> 1);
        i = (i - 1) >> 1;
      }
      return;
    }
    if (score < this.score[0]! || (score === this.score[0] && ord > this.ord[0]!)) return;
    this.score[0] = score;
    this.ord[0] = ord;
    for (let i = 0; ;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < this.size && this.worse(l, m)) m = l;
      if (r < this.size && this.worse(r, m)) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
  }
  /** Best first. */
  sorted(): { score: number; ord: number }[] {
    const out = Array.from({ length: this.size }, (_, i) => ({ score: this.score[i]!, ord: this.ord[i]! }));
    return out.sort((a, b) => b.score - a.score || a.ord - b.ord);
  }
}

/** Per-query scratch arrays, one slot per chunk, reset after each query (only the touched slots). */
interface Scratch {
  score: Float64Array;
  covered: Float64Array;
  best: Float64Array;
  credit: Float64Array;
  touched: Int32Array;
  bestTouched: Int32Array;
}

export class RetrievalIndex {
  private readonly sources: Source[];
  /** Source of each chunk. */
  private readonly chunkSource: Uint32Array;
  private readonly chunkLength: Float32Array;
  private readonly avgLength: number;
  /** Postings of term t: postChunk/postTf[termStart[t] .. termStart[t+1]). */
  private readonly termStart: Uint32Array;
  private readonly postChunk: Uint32Array;
  private readonly postTf: Uint8Array;
  private prefixes: Map<string, number[]> | null = null;
  private byFile: Map<string, Source> | null = null;
  private scratch: Scratch | null = null;
  readonly k1 = 1.2;
  readonly b = 0.75;
  /** Files listed for indexing, and how many of them were read (the others' token lists were cached). */
  built = { files: 0, read: 0 };

  private constructor(
    private readonly table: TermTable,
    private readonly repo: RepoFiles | null,
    sources: Source[],
  ) {
    this.sources = sources;
    const pathTerms = sources.map((s) => weighTerms(tokenize(s.file), table));
    let chunks = 0;
    for (const s of sources) {
      s.firstChunk = chunks;
      chunks += chunkCount(s.tokens);
    }
    this.chunkSource = new Uint32Array(chunks);
    this.chunkLength = new Float32Array(chunks);
    const vocab = table.words.length;
    // Path words count as part of every chunk of the file ("auth/session.ts" is evidence for
    // "session"): merged into the chunk's own counts, two passes (count, then fill) over the rows.
    const seen = new Int32Array(vocab).fill(-1);
    const df = new Uint32Array(vocab + 1);
    const visit = (emit: (t: number, c: number, tf: number) => void) => {
      sources.forEach((s, si) => {
        const p = pathTerms[si]!;
        const tk = s.tokens;
        for (let i = 0; i < chunkCount(tk); i++) {
          const c = s.firstChunk + i;
          for (let j = termsFrom(tk, i); j < termsFrom(tk, i + 1); j++) {
            const t = tk[j]! & TERM_MASK;
            seen[t] = c;
            emit(t, c, (tk[j]! >>> TERM_BITS) + (p.get(t) ?? 0));
          }
          for (const [t, n] of p) if (seen[t] !== c) emit(t, c, n);
        }
      });
    };
    visit((t) => df[t]++);
    this.termStart = new Uint32Array(vocab + 1);
    for (let t = 0; t < vocab; t++) this.termStart[t + 1] = this.termStart[t]! + df[t]!;
    this.postChunk = new Uint32Array(this.termStart[vocab]!);
    this.postTf = new Uint8Array(this.termStart[vocab]!);
    const fill = df.subarray(0, vocab);
    fill.set(this.termStart.subarray(0, vocab));
    seen.fill(-1);
    let total = 0;
    visit((t, c, tf) => {
      const k = fill[t]!++;
      this.postChunk[k] = c;
      this.postTf[k] = Math.min(tf, MAX_TF);
      this.chunkLength[c] += tf;
      total += tf;
    });
    sources.forEach((s, si) => this.chunkSource.fill(si, s.firstChunk, s.firstChunk + chunkCount(s.tokens)));
    this.avgLength = chunks && total ? total / chunks : 1;
  }

  /** Indexes a repository's files (and in-memory documents beside them). */
  static async ofRepository(opts: RepositoryIndexOptions): Promise<RetrievalIndex> {
    const root = await realpath(opts.dir);
    const repo = repoFiles(root);
    const chunkLines = opts.chunkLines ?? 60;
    const changed = new Set(opts.changedFiles ?? []);
    const excluded = excludedBy(opts.exclude ?? []);
    const { files, objectFormat } = await listRepository(root);
    const table = termTable();
    const wanted = files.filter((f) => indexable(f.path) && !excluded(f.path));
    const sources: Source[] = new Array(wanted.length);
    let read = 0;
    const BATCH = 64;
    for (let i = 0; i < wanted.length; i += BATCH) {
      await Promise.all(
        wanted.slice(i, i + BATCH).map(async (f, j) => {
          let blob = f.blob;
          const syntax = syntaxOf(f.path);
          const key = (id: string) => `${id}:${chunkLines}:${syntax}`;
          let tokens = blob ? table.cached(key(blob)) : undefined;
          if (!tokens) {
            // Read: the content's own id keys the cache (whatever the index said about the file).
            const content = await repo.readBytes(f.path, { maxBytes: MAX_FILE_BYTES });
            read++;
            blob = content ? blobId(content, objectFormat) : null;
            tokens = blob ? table.cached(key(blob)) : undefined;
            if (!tokens) {
              // Binary files (a NUL byte near the start) and unreadable ones have no chunks.
              tokens = content && !content.subarray(0, 8000).includes(0) ? table.tokens(content.toString("utf8"), chunkLines, syntax) : NO_CHUNKS;
              if (blob) table.remember(key(blob), tokens);
            }
          }
          sources[i + j] = { file: f.path, changed: changed.has(f.path), blob, text: null, tokens, firstChunk: 0 };
        }),
      );
    }
    for (const d of opts.documents ?? []) sources.push(documentSource(table, d, chunkLines, true));
    const index = new RetrievalIndex(
      table,
      repo,
      sources.filter((s) => chunkCount(s.tokens) > 0),
    );
    index.built = { files: wanted.length, read };
    return index;
  }

  /** Indexes in-memory documents only (tests, texts that are not files). */
  static ofDocuments(documents: TextDocument[], chunkLines = 60): RetrievalIndex {
    const table = termTable();
    return new RetrievalIndex(
      table,
      null,
      documents.map((d) => documentSource(table, d, chunkLines, d.changed ?? false)),
    );
  }

  /** Chunks in the index. */
  get size(): number {
    return this.chunkSource.length;
  }

  /** Files and documents with at least one chunk. */
  get fileCount(): number {
    return this.sources.length;
  }

  /** Indexed files, in path order. */
  get files(): string[] {
    return this.sources.map((s) => s.file);
  }

  chunk(ordinal: number): Chunk {
    const s = this.sources[this.chunkSource[ordinal]!]!;
    const i = ordinal - s.firstChunk;
    const startLine = startLineOf(s.tokens, i);
    const endLine = endLineOf(s.tokens, i);
    return { id: `${s.file}:${startLine}-${endLine}`, file: s.file, startLine, endLine, changed: s.changed, ordinal };
  }

  /** The chunks of one file, in file order. */
  chunksOf(file: string): Chunk[] {
    const s = this.source(file);
    return s ? Array.from({ length: chunkCount(s.tokens) }, (_, i) => this.chunk(s.firstChunk + i)) : [];
  }

  private source(file: string): Source | undefined {
    this.byFile ??= new Map(this.sources.map((s) => [s.file, s]));
    return this.byFile.get(file);
  }

  /** Okapi BM25 with the Lucene idf (always positive). */
  idf(term: string): number {
    const t = this.table.ids.get(term);
    return this.idfOf(t === undefined ? -1 : t);
  }

  private df(t: number): number {
    return t >= 0 && t + 1 < this.termStart.length ? this.termStart[t + 1]! - this.termStart[t]! : 0;
  }

  private idfOf(t: number): number {
    const n = this.df(t);
    return Math.log(1 + (this.size - n + 0.5) / (n + 0.5));
  }

  /**
   * Index terms a query term should also match, with a weight: itself (1), and identifiers that
   * extend it by one or two characters ("health" → "healthz", "uuid" → "uuids") at a discount.
   */
  expand(term: string): [number, number][] {
    const out: [number, number][] = [];
    const t = this.table.ids.get(term);
    if (t !== undefined && this.df(t) > 0) out.push([t, 1]);
    if (term.length >= 4) for (const v of this.prefixTable().get(term) ?? []) out.push([v, 0.6]);
    return out;
  }

  /** Terms of this index by their prefixes one and two characters shorter (built on first use). */
  private prefixTable(): Map<string, number[]> {
    if (this.prefixes) return this.prefixes;
    const table = new Map<string, number[]>();
    const words = this.table.words;
    for (let t = 0; t + 1 < this.termStart.length; t++) {
      if (this.df(t) === 0) continue;
      const w = words[t]!;
      for (let cut = 1; cut <= 2 && w.length - cut >= 4; cut++) {
        const p = w.slice(0, w.length - cut);
        const list = table.get(p);
        if (list) list.push(t);
        else table.set(p, [t]);
      }
    }
    return (this.prefixes = table);
  }

  private scratchArrays(): Scratch {
    const n = this.size;
    this.scratch ??= {
      score: new Float64Array(n),
      covered: new Float64Array(n),
      best: new Float64Array(n),
      credit: new Float64Array(n),
      touched: new Int32Array(n),
      bestTouched: new Int32Array(n),
    };
    return this.scratch;
  }

  /**
   * Adds each query term's BM25 contribution (its best-matching variant) to the chunks containing
   * it; calls `visit` for every touched chunk with its raw score and covered idf, then resets.
   */
  private accumulate(query: string, visit: (chunk: number, raw: number, covered: number, weight: number) => void): void {
    const sc = this.scratchArrays();
    let touched = 0;
    let weight = 0;
    const { k1, b } = this;
    for (const term of new Set(tokenize(query))) {
      const variants = this.expand(term);
      if (!variants.length) continue;
      const termIdf = this.idfOf(variants[0]![0]);
      weight += termIdf;
      // A chunk is credited once per query term, with its best-matching variant.
      let bestTouched = 0;
      for (const [v, w] of variants) {
        const idf = this.idfOf(v) * w;
        for (let j = this.termStart[v]!; j < this.termStart[v + 1]!; j++) {
          const d = this.postChunk[j]!;
          const f = this.postTf[j]! / CODE_UNITS;
          const s = (idf * f * (k1 + 1)) / (f + k1 * (1 - b + (b * this.chunkLength[d]!) / this.avgLength));
          if (sc.best[d] === 0) sc.bestTouched[bestTouched++] = d;
          if (s > sc.best[d]!) {
            sc.best[d] = s;
            // Coverage credit: full for a word in code, partial for one only in comments.
            sc.credit[d] = Math.min(1, f);
          }
        }
      }
      for (let j = 0; j < bestTouched; j++) {
        const d = sc.bestTouched[j]!;
        if (sc.score[d] === 0) sc.touched[touched++] = d;
        sc.score[d] += sc.best[d]!;
        sc.covered[d] += termIdf * sc.credit[d]!;
        sc.best[d] = 0;
      }
    }
    for (let j = 0; j < touched; j++) {
      const d = sc.touched[j]!;
      visit(d, sc.score[d]!, sc.covered[d]!, weight);
      sc.score[d] = 0;
      sc.covered[d] = 0;
    }
  }

  /** Plain Okapi BM25 per chunk ordinal. */
  scores(query: string): Map<number, number> {
    const out = new Map<number, number>();
    this.accumulate(query, (d, raw) => out.set(d, raw));
    return out;
  }

  /**
   * The k best chunks for a query: BM25 × coordination — the score scaled by the (idf-weighted)
   * share of the query's terms the chunk contains, to the power `coordPower` (Lucene's classic
   * coord()). A chunk that repeats some of the query's words many times ranks below one that
   * covers the query.
   */
  search(query: string, k: number, opts: SearchOptions = {}): RankedChunk[] {
    const boost = opts.changedBoost ?? 1;
    const power = opts.coordPower ?? 2;
    const top = new TopK(Math.max(0, Math.min(k, this.size)));
    const kept = opts.only ? this.keptSources(opts.only) : null;
    this.accumulate(query, (d, raw, covered, weight) => {
      const si = this.chunkSource[d]!;
      if (kept && !kept[si]) return;
      const s = raw * (weight > 0 ? Math.pow(covered / weight, power) : 1);
      top.offer(this.sources[si]!.changed ? s * boost : s, d);
    });
    return top.sorted().map(({ score, ord }) => ({ chunk: this.chunk(ord), score }));
  }

  private readonly kept = new WeakMap<(file: string) => boolean, Uint8Array>();

  /** Which sources a file filter keeps (1) — computed once per filter function. */
  private keptSources(only: (file: string) => boolean): Uint8Array {
    let mask = this.kept.get(only);
    if (!mask) this.kept.set(only, (mask = Uint8Array.from(this.sources, (s) => (only(s.file) ? 1 : 0))));
    return mask;
  }

  /**
   * The texts of chunks, read again from their files (each file once). A chunk whose file no
   * longer holds the content it was indexed from reads as null.
   */
  async read(chunks: readonly Chunk[]): Promise<(string | null)[]> {
    const bySource = new Map<number, Promise<string | null>>();
    const contentOf = (si: number) => {
      let p = bySource.get(si);
      if (!p) bySource.set(si, (p = this.sourceText(this.sources[si]!)));
      return p;
    };
    return Promise.all(
      chunks.map(async (c) => {
        const si = this.chunkSource[c.ordinal]!;
        const text = await contentOf(si);
        const s = this.sources[si]!;
        const i = c.ordinal - s.firstChunk;
        return text === null ? null : text.slice(fromOf(s.tokens, i), toOf(s.tokens, i));
      }),
    );
  }

  /** A whole indexed file's text (null when it changed since it was indexed). */
  async fileText(file: string): Promise<string | null> {
    const s = this.source(file);
    return s ? this.sourceText(s) : null;
  }

  private async sourceText(s: Source): Promise<string | null> {
    if (s.text !== null) return s.text;
    if (this.repo === null || s.blob === null) return null;
    const content = await this.repo.readBytes(s.file, { maxBytes: MAX_FILE_BYTES });
    if (!content || blobId(content, s.blob.length === 64 ? "sha256" : "sha1") !== s.blob) return null;
    return content.toString("utf8");
  }
}

function documentSource(table: TermTable, d: TextDocument, chunkLines: number, changed: boolean): Source {
  return { file: d.file, changed, blob: null, text: d.text, tokens: table.tokens(d.text, chunkLines, syntaxOf(d.file)), firstChunk: 0 };
}

/** Path words weigh as words in code. */
function weighTerms(words: string[], table: TermTable): Map<number, number> {
  const out = new Map<number, number>();
  for (const w of words) {
    const t = table.id(w);
    out.set(t, (out.get(t) ?? 0) + CODE_UNITS);
  }
  return out;
}
