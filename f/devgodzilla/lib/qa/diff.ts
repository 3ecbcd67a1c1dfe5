// What changed between base and head, read from git's machine-readable output: changed files,
// added lines with their line numbers in the head version, removed lines with their numbers in the
// base version (test integrity shows what was taken out), and the per-commit file lists
// (Test-First needs the ORDER in which code and tests arrived on the branch).

import { gitAt, parseNameStatusZ, type FileChange } from "../git.ts";

/** A changed file (renames are off here: a rename shows as a delete and an add). */
export type ChangedFile = FileChange;

export interface AddedLine {
  file: string;
  /** 1-based line number in the head version. */
  line: number;
  text: string;
}

/** A line taken out: its 1-based number in the base version. */
export type RemovedLine = AddedLine;

export interface CommitFiles {
  sha: string;
  subject: string;
  files: ChangedFile[];
}

export interface BranchDiff {
  base: string;
  head: string;
  files: ChangedFile[];
  added: AddedLine[];
  removed: RemovedLine[];
  commits: CommitFiles[];
}

/** Parses `git diff -U0` output into added lines (head line numbers) and removed lines (base line numbers). */
export function parseDiffLines(diff: string): { added: AddedLine[]; removed: RemovedLine[] } {
  const added: AddedLine[] = [];
  const removed: RemovedLine[] = [];
  let oldFile: string | null = null;
  let newFile: string | null = null;
  let nextOld = 0;
  let nextNew = 0;
  // `--- a/x` / `+++ b/x` are headers only between `diff --git` and the first hunk: inside a hunk
  // they are a removed "-- …" or an added "++ …" line.
  let header = false;
  for (const raw of diff.split("\n")) {
    if (raw.startsWith("diff --git ")) {
      header = true;
      oldFile = newFile = null;
      continue;
    }
    if (header && raw.startsWith("--- ")) {
      const p = raw.slice(4);
      oldFile = p === "/dev/null" ? null : p.replace(/^a\//, "");
      continue;
    }
    if (header && raw.startsWith("+++ ")) {
      const p = raw.slice(4);
      newFile = p === "/dev/null" ? null : p.replace(/^b\//, "");
      continue;
    }
    if (raw.startsWith("@@")) {
      header = false;
      const m = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(raw);
      nextOld = m ? Number(m[1]) : 0;
      nextNew = m ? Number(m[2]) : 0;
      continue;
    }
    if (newFile && raw.startsWith("+")) added.push({ file: newFile, line: nextNew++, text: raw.slice(1) });
    else if (oldFile && raw.startsWith("-")) removed.push({ file: oldFile, line: nextOld++, text: raw.slice(1) });
  }
  return { added, removed };
}

// git's output is used unredacted here: the Security gate must see committed secrets verbatim to
// report them (its findings quote redacted text only).
export async function readBranchDiff(dir: string, base: string, head: string): Promise<BranchDiff> {
  const git = gitAt(dir);
  const files = parseNameStatusZ(await git.run(["diff", "--no-renames", "--name-status", "-z", base, head]));
  const { added, removed } = parseDiffLines(
    await git.run(["-c", "core.quotepath=off", "diff", "--no-renames", "--no-color", "--no-ext-diff", "-U0", base, head]),
  );
  const shas = (await git.run(["rev-list", "--reverse", "--topo-order", `${base}..${head}`])).split("\n").filter(Boolean);
  const commits: CommitFiles[] = [];
  for (const sha of shas) {
    const subject = (await git.run(["log", "-1", "--format=%s", sha])).trim();
    const list = parseNameStatusZ(await git.run(["diff-tree", "--no-commit-id", "--no-renames", "--name-status", "-r", "-z", "--root", sha]));
    commits.push({ sha, subject, files: list });
  }
  return { base, head, files, added, removed, commits };
}

/** A file's content at a commit; null when the commit does not have it. */
export async function readAtCommit(dir: string, commit: string, path: string): Promise<string | null> {
  const r = await gitAt(dir).exec(["show", `${commit}:${path}`], { okExitCodes: [128] }); // 128: no such path
  return r.exitCode === 0 ? r.stdout : null;
}
