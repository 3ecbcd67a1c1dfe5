// Artifacts of one task: what the agent changed (diff, classified files with their git object id
// and size) and its logs, all redacted. The cost grows with the number of CHANGED files, not with
// the size of the repository: the changed paths and their object ids come from one
// machine-readable git listing (`--raw -z` of a tree or index diff), sizes from one
// `cat-file --batch-check` — no file is read or hashed again after git hashed it for the commit —
// and the diff is limited to those paths.

import { copyFile, rm } from "node:fs/promises";
import path from "node:path";
import { gitAt, parseRawZ, type ChangeStatus, type Git, type RawChange } from "../git.ts";
import { classifyPath, type FileKind } from "../project/files.ts";
import { Redactor } from "../redact.ts";

// ---------------------------------------------------------------------------------------------
// Exported types

export type { ChangeStatus, FileKind };

export interface ChangedFile {
  path: string;
  /** For renames: where it came from. */
  from?: string;
  status: ChangeStatus;
  kind: FileKind;
  /** git's object id of the new content (`git cat-file -p <blob>` prints it); null when deleted. */
  blob: string | null;
  /** Bytes of the new content (0 when deleted; a symlink's target length). */
  size: number;
}

export interface Artifacts {
  /** Commit the changes are measured against. */
  base: string;
  files: ChangedFile[];
  /** Count per kind. */
  summary: Record<FileKind, number> & { total: number; insertions: number; deletions: number };
  /** Unified diff (text files; binaries as "Binary files differ"), redacted, capped. */
  diff: string;
  diffTruncated: boolean;
  /** Redacted, capped agent/setup logs by name. */
  logs: Record<string, string>;
}

export interface CaptureOptions {
  /** The working copy. */
  dir: string;
  /** Base commit (what the task started from). Default HEAD. */
  base?: string;
  redactor?: Redactor;
  /** Raw logs to include (redacted and capped here). */
  logs?: Record<string, string>;
  /** Cap on the diff text. Default 1 MiB. */
  maxDiffBytes?: number;
  /** Cap per log. Default 256 KiB (the tail is kept). */
  maxLogBytes?: number;
  /**
   * The task's changes are already committed (HEAD, clean worktree): capture `base..HEAD` from
   * the two trees only — cost follows the changed files, whatever the size of the repository.
   */
  committed?: boolean;
  /**
   * Stage the changes in the working copy's index (default true: the commit that follows takes
   * exactly what was captured). false = leave the index as it was.
   */
  stage?: boolean;
  /** Paths (prefixes) never reported, e.g. the task's own context dir. */
  exclude?: readonly string[];
}

// ---------------------------------------------------------------------------------------------

/** Sizes of git objects by id, from one `cat-file --batch-check` (object headers only). */
async function objectSizes(g: Git, ids: readonly string[]): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  const unique = [...new Set(ids)];
  if (!unique.length) return sizes;
  const out = await g.run(["cat-file", "--batch-check=%(objectname) %(objecttype) %(objectsize)"], { input: unique.join("\n") + "\n" });
  for (const line of out.split("\n")) {
    const [id, type, size] = line.split(" ");
    if (id && type === "blob") sizes.set(id, Number(size));
  }
  return sizes;
}

function capTail(text: string, max: number): string {
  if (Buffer.byteLength(text) <= max) return text;
  const tail = Buffer.from(text).subarray(-max).toString();
  return `[… earlier output dropped …]\n${tail}`;
}

/**
 * Captures the changes of the working copy against `base`.
 *
 * With `committed: true` (what execute_task does: it commits first, then captures the commit):
 * four git processes, `rev-parse`, `diff-tree --raw -z base HEAD`,
 * `diff-tree --numstat -p base HEAD` and `cat-file --batch-check` (sizes); tree-to-tree diffs skip identical subtrees, so the cost
 * follows the number of changed files, not the size of the repository.
 *
 * Otherwise (uncommitted work: committed changes since base plus worktree changes, untracked files
 * included, ignored files excluded), five git processes, none reading unchanged file contents:
 *  1. `git rev-parse` (git dir, HEAD, base);
 *  2. `git add --all`: a stat pass over the tree (the only part that grows with the repo, as in
 *     `git status`) that hashes only new or modified files. By default into the working copy's
 *     own index — the task commits exactly this right after, and a refreshed index keeps later
 *     stat passes cheap; with `stage: false` into a throwaway copy of the index instead;
 *  3. `git diff --cached -M --raw -z base`: index vs base tree, pruned by cache-tree, with the
 *     object ids `git add` just computed;
 *  4. `git diff --cached -M --numstat -p base`: the patch of exactly the changed paths;
 *  5. `git cat-file --batch-check`: the changed objects' sizes.
 * (`git diff <base> -- paths` against the worktree was measured ~10× slower on 20,000 files.)
 */
export async function captureArtifacts(opts: CaptureOptions): Promise<Artifacts> {
  const dir = opts.dir;
  // Optional locks stay ON: status may then store refreshed stat data and the untracked cache in
  // the index, which makes the next capture cheaper.
  const g = gitAt(dir);
  const redactor = opts.redactor ?? new Redactor();
  const maxDiff = opts.maxDiffBytes ?? 1024 * 1024;
  const [gitDir, head, baseSha] = (await g.run(["rev-parse", "--absolute-git-dir", "HEAD", `${opts.base ?? "HEAD"}^{commit}`])).trim().split("\n");
  const base = baseSha ?? head;
  const excluded = (p: string) => (opts.exclude ?? []).some((e) => p === e || p.startsWith(e.endsWith("/") ? e : `${e}/`));
  const spec = (opts.exclude ?? []).length ? ["--", ".", ...(opts.exclude ?? []).map((e) => `:(exclude)${e}`)] : [];
  let raw: RawChange[];
  let patch = "";

  if (opts.committed) {
    // The changes are committed: diff two TREES. git prunes every identical subtree, so this
    // reads only the changed paths' trees and blobs — no worktree scan at all.
    const listing = base === head ? "" : await g.run(["diff-tree", "-r", "-M", "--raw", "-z", "--no-abbrev", base, head]);
    raw = parseRawZ(listing)
      .filter((c) => !excluded(c.path))
      .sort((a, b) => (a.path < b.path ? -1 : 1));
    if (raw.length > 0) patch = await g.run(["diff-tree", "-r", "-M", "--no-color", "--no-ext-diff", "--numstat", "-p", base, head, ...spec]);
  } else {
    const stage = opts.stage ?? true;
    const tmpIndex = stage ? null : path.join(gitDir, `devgodzilla-capture-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.index`);
    const index = tmpIndex ? { indexFile: tmpIndex } : {};
    try {
      if (tmpIndex) await copyFile(path.join(gitDir, "index"), tmpIndex).catch(() => undefined);
      // Index v4 (prefix-compressed paths: a smaller index to read and write) and the untracked
      // cache (unchanged directories are not re-read) keep the one full pass cheap on big trees.
      await g.run(["-c", "core.untrackedCache=true", "-c", "index.version=4", "add", "--all"], index);
      const listing = await g.run(["diff", "--cached", "-M", "--raw", "-z", "--no-abbrev", base], index);
      raw = parseRawZ(listing)
        .filter((c) => !excluded(c.path))
        .sort((a, b) => (a.path < b.path ? -1 : 1));
      if (raw.length > 0) patch = await g.run(["diff", "--cached", "-M", "--no-color", "--no-ext-diff", "--numstat", "-p", base, ...spec], index);
    } finally {
      if (tmpIndex) await rm(tmpIndex, { force: true });
    }
  }

  const sizes = await objectSizes(
    g,
    raw.flatMap((c) => (c.blob ? [c.blob] : [])),
  );
  const files = raw.map((c): ChangedFile => ({
    path: c.path,
    ...(c.from ? { from: c.from } : {}),
    status: c.status,
    kind: classifyPath(c.path),
    blob: c.blob,
    size: c.blob ? (sizes.get(c.blob) ?? 0) : 0,
  }));

  // --numstat lines come first, then the patch.
  let insertions = 0;
  let deletions = 0;
  const firstDiff = patch.search(/^diff --git /m);
  for (const line of (firstDiff >= 0 ? patch.slice(0, firstDiff) : patch).split("\n")) {
    const m = /^(\d+|-)\t(\d+|-)\t/.exec(line);
    if (m) {
      insertions += m[1] === "-" ? 0 : Number(m[1]);
      deletions += m[2] === "-" ? 0 : Number(m[2]);
    }
  }
  let diff = firstDiff >= 0 ? patch.slice(firstDiff) : "";
  const diffTruncated = Buffer.byteLength(diff) > maxDiff;
  if (diffTruncated) diff = Buffer.from(diff).subarray(0, maxDiff).toString() + "\n[… diff truncated …]\n";
  diff = redactor.redact(diff);

  const logs: Record<string, string> = {};
  for (const [k, v] of Object.entries(opts.logs ?? {})) logs[k] = capTail(redactor.redact(v), opts.maxLogBytes ?? 256 * 1024);

  const summary = { code: 0, test: 0, doc: 0, config: 0, other: 0, total: files.length, insertions, deletions };
  for (const f of files) summary[f.kind]++;
  return { base, files, summary, diff, diffTruncated, logs };
}
