// What changed between base and head, read from git's machine-readable output: changed files,
// added lines with their line numbers in the head version, and the per-commit file lists
// (Test-First needs the ORDER in which code and tests arrived on the branch).

import { execa } from "execa";
import { DevGodzillaError } from "../errors.ts";

export interface ChangedFile {
  path: string;
  status: "A" | "M" | "D" | "T";
}

export interface AddedLine {
  file: string;
  /** 1-based line number in the head version. */
  line: number;
  text: string;
}

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
  commits: CommitFiles[];
}

export class GitReadError extends DevGodzillaError {}

/**
 * Read-only git plumbing. Not runProcess: that redacts captured output, and the Security gate
 * must see committed secrets verbatim to report them (its findings quote redacted text only).
 */
export async function git(dir: string, args: string[]): Promise<string> {
  const r = await execa("git", ["-C", dir, ...args], { reject: false, timeout: 120_000, maxBuffer: 512 * 1024 * 1024, stripFinalNewline: false, env: { GIT_TERMINAL_PROMPT: "0" } });
  if (r.exitCode !== 0) throw new GitReadError(`git ${args[0]} failed (${r.exitCode}): ${String(r.stderr).trim().slice(0, 400)}`);
  return String(r.stdout);
}

function parseNameStatusZ(out: string): ChangedFile[] {
  const parts = out.split("\0").filter((p) => p !== "");
  const files: ChangedFile[] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const st = parts[i][0] as ChangedFile["status"];
    files.push({ status: st === "A" || st === "D" || st === "T" ? st : "M", path: parts[i + 1] });
  }
  return files;
}

/** Parses `git diff -U0` output into added lines (new-file line numbers). */
export function parseAddedLines(diff: string): AddedLine[] {
  const out: AddedLine[] = [];
  let file: string | null = null;
  let next = 0;
  for (const raw of diff.split("\n")) {
    if (raw.startsWith("+++ ")) {
      const p = raw.slice(4);
      file = p === "/dev/null" ? null : p.replace(/^b\//, "");
      continue;
    }
    if (raw.startsWith("@@")) {
      const m = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(raw);
      next = m ? Number(m[1]) : 0;
      continue;
    }
    if (file && raw.startsWith("+")) {
      out.push({ file, line: next, text: raw.slice(1) });
      next++;
    }
  }
  return out;
}

export async function readBranchDiff(dir: string, base: string, head: string): Promise<BranchDiff> {
  const files = parseNameStatusZ(await git(dir, ["diff", "--no-renames", "--name-status", "-z", base, head]));
  const added = parseAddedLines(
    await git(dir, ["-c", "core.quotepath=off", "diff", "--no-renames", "--no-color", "--no-ext-diff", "-U0", base, head]),
  );
  const shas = (await git(dir, ["rev-list", "--reverse", "--topo-order", `${base}..${head}`])).split("\n").filter(Boolean);
  const commits: CommitFiles[] = [];
  for (const sha of shas) {
    const subject = (await git(dir, ["log", "-1", "--format=%s", sha])).trim();
    const list = parseNameStatusZ(await git(dir, ["diff-tree", "--no-commit-id", "--no-renames", "--name-status", "-r", "-z", "--root", sha]));
    commits.push({ sha, subject, files: list });
  }
  return { base, head, files, added, commits };
}

export async function readAtCommit(dir: string, commit: string, path: string): Promise<string | null> {
  try {
    return await git(dir, ["show", `${commit}:${path}`]);
  } catch {
    return null;
  }
}
