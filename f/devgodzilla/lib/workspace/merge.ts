// Merging finished task branches into the run branch, in the order the scheduler completes them
// (a topological order). A conflict is never dropped: the merge is aborted, the run branch stays
// at its last good commit, and the conflicting files are returned so the caller reports them or
// hands them to a follow-up agent step.

import { execa } from "execa";
import { checkout, isAncestor, pushBranch, type WorkingCopy, type GitAuthOptions, type PushResult } from "../git.ts";

// ---------------------------------------------------------------------------------------------
// Exported types

export type MergeOutcome =
  | { status: "merged"; commit: string; taskCommit: string }
  /** The task's commit was already in the run branch (resume after a crash). */
  | { status: "up_to_date"; commit: string; taskCommit: string }
  | { status: "conflict"; commit: string; taskCommit: string; conflicts: string[] };

export interface RunBranchCopy {
  copy: WorkingCopy;
  dir: string;
  branch: string;
  head(): Promise<string>;
  /** Merges `taskCommit` (fetched from `taskBranch` on the remote) with a message naming the task. */
  mergeTask(taskBranch: string, taskCommit: string, message: string): Promise<MergeOutcome>;
  push(): Promise<PushResult>;
  cleanup(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------

/**
 * Working copy of the run branch: its current head on the remote when it exists (it must contain
 * `baseCommit`), otherwise a new branch at `baseCommit`.
 */
export async function openRunBranch(opts: {
  repo: string;
  branch: string;
  baseCommit: string;
  cacheDir?: string;
  workRoot?: string;
} & GitAuthOptions): Promise<RunBranchCopy> {
  const copy = await checkout({ ...opts, commit: opts.baseCommit, branch: opts.branch });
  const g = copy.git;
  const remoteHead = (await g.raw(["ls-remote", "--heads", "origin", `refs/heads/${opts.branch}`]).catch(() => "")).split("\t")[0]?.trim();
  if (remoteHead && remoteHead !== copy.commit) {
    await g.raw(["fetch", "--quiet", "origin", `+refs/heads/${opts.branch}:refs/remotes/origin/${opts.branch}`]);
    const contains = await isAncestor(copy.dir, copy.commit, remoteHead);
    if (contains) await g.raw(["checkout", "--quiet", "-B", opts.branch, remoteHead]);
    // Otherwise the remote run branch went elsewhere; we build on the given base and the push
    // will be refused as a non-fast-forward (reported, never forced).
  }

  const head = async () => (await g.raw(["rev-parse", "HEAD"])).trim();
  return {
    copy,
    dir: copy.dir,
    branch: opts.branch,
    head,
    async mergeTask(taskBranch, taskCommit, message) {
      const local = `refs/devgodzilla/tasks/${taskBranch.replace(/[^A-Za-z0-9._/-]/g, "_")}`;
      await g.raw(["fetch", "--quiet", "origin", `+refs/heads/${taskBranch}:${local}`]);
      const full = (await g.raw(["rev-parse", "--verify", `${taskCommit}^{commit}`])).trim();
      const already = await isAncestor(copy.dir, full, "HEAD");
      if (already) return { status: "up_to_date", commit: await head(), taskCommit: full };
      // execa, not simple-git: a conflicting merge exits 1 with its report on stdout, which
      // simple-git's raw() would resolve as success.
      const git = (args: string[]) => execa("git", args, { cwd: copy.dir, reject: false, env: { GIT_TERMINAL_PROMPT: "0" } });
      const r = await git(["-c", "commit.gpgsign=false", "merge", "--no-ff", "--no-edit", "--quiet", "-m", message, full]);
      if (r.exitCode === 0) return { status: "merged", commit: await head(), taskCommit: full };
      const conflicts = (await git(["diff", "--name-only", "--diff-filter=U", "-z"])).stdout.split("\0").filter(Boolean);
      const abort = await git(["merge", "--abort"]);
      if (abort.exitCode !== 0) await git(["reset", "--hard", "--quiet", "HEAD"]);
      if (conflicts.length === 0) throw new Error(`git merge of ${taskBranch} failed: ${(r.stderr || r.stdout).trim().slice(0, 500)}`);
      return { status: "conflict", commit: await head(), taskCommit: full, conflicts };
    },
    push: () => pushBranch(copy.dir, opts.branch, "origin", { token: opts.token, username: opts.username }),
    cleanup: () => copy.cleanup(),
  };
}
