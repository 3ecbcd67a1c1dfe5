// Artifacts of one task: what the agent changed (diff, classified files with sha256 and size) and
// its logs, all redacted. The cost grows with the number of CHANGED files, not with the size of
// the repository: the changed paths come from one machine-readable git listing
// (`--name-status -z` of a tree or index diff — no file contents read), only those files are
// hashed, and the diff is limited to those paths.

import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { lstat, readlink, copyFile, rm } from "node:fs/promises";
import path from "node:path";
import { gitAt, parseNameStatusZ, type ChangeStatus, type FileChange } from "../git.ts";
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
  /** sha256 of the new content (null when deleted). */
  sha256: string | null;
  /** Bytes of the new content (0 when deleted). */
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

async function hashFile(abs: string): Promise<{ sha256: string | null; size: number }> {
  let st;
  try {
    st = await lstat(abs);
  } catch {
    return { sha256: null, size: 0 };
  }
  if (st.isSymbolicLink()) {
    const target = await readlink(abs);
    return { sha256: createHash("sha256").update(target).digest("hex"), size: Buffer.byteLength(target) };
  }
  if (!st.isFile()) return { sha256: null, size: 0 };
  const h = createHash("sha256");
  await new Promise<void>((resolve, reject) => {
    createReadStream(abs).on("data", (c) => h.update(c)).on("end", resolve).on("error", reject);
  });
  return { sha256: h.digest("hex"), size: st.size };
}

function capTail(text: string, max: number): string {
  if (Buffer.byteLength(text) <= max) return text;
  const tail = Buffer.from(text).subarray(-max).toString();
  return `[… earlier output dropped …]\n${tail}`;
}

async function withLimit<T, U>(items: T[], limit: number, fn: (t: T) => Promise<U>): Promise<U[]> {
  const out: U[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]);
      }
    }),
  );
  return out;
}

/**
 * Captures the changes of the working copy against `base`.
 *
 * With `committed: true` (what execute_task does: it commits first, then captures the commit):
 * three git processes, `rev-parse`, `diff-tree --name-status -z base HEAD` and
 * `diff-tree --numstat -p base HEAD`; tree-to-tree diffs skip identical subtrees, so the cost
 * follows the number of changed files, not the size of the repository.
 *
 * Otherwise (uncommitted work: committed changes since base plus worktree changes, untracked files
 * included, ignored files excluded), four git processes, none reading unchanged file contents:
 *  1. `git rev-parse` (git dir, HEAD, base);
 *  2. `git add --all`: a stat pass over the tree (the only part that grows with the repo, as in
 *     `git status`) that hashes only new or modified files. By default into the working copy's
 *     own index — the task commits exactly this right after, and a refreshed index keeps later
 *     stat passes cheap; with `stage: false` into a throwaway copy of the index instead;
 *  3. `git diff --cached -M --name-status -z base`: index vs base tree, pruned by cache-tree;
 *  4. `git diff --cached -M --numstat -p base`: the patch of exactly the changed paths.
 * Then only the changed files are hashed (sha256) from the worktree.
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
  let raw: FileChange[];
  let patch = "";

  if (opts.committed) {
    // The changes are committed: diff two TREES. git prunes every identical subtree, so this
    // reads only the changed paths' trees and blobs — no worktree scan at all.
    const nameStatus = base === head ? "" : await g.run(["diff-tree", "-r", "-M", "--name-status", "-z", base, head]);
    raw = parseNameStatusZ(nameStatus).filter((c) => !excluded(c.path)).sort((a, b) => (a.path < b.path ? -1 : 1));
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
      const nameStatus = await g.run(["diff", "--cached", "-M", "--name-status", "-z", base], index);
      raw = parseNameStatusZ(nameStatus).filter((c) => !excluded(c.path)).sort((a, b) => (a.path < b.path ? -1 : 1));
      if (raw.length > 0) patch = await g.run(["diff", "--cached", "-M", "--no-color", "--no-ext-diff", "--numstat", "-p", base, ...spec], index);
    } finally {
      if (tmpIndex) await rm(tmpIndex, { force: true });
    }
  }

  const files = await withLimit(raw, 8, async (c): Promise<ChangedFile> => {
    const h = c.status === "deleted" ? { sha256: null, size: 0 } : await hashFile(path.join(dir, c.path));
    return { path: c.path, ...(c.from ? { from: c.from } : {}), status: c.status, kind: classifyPath(c.path), ...h };
  });

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
