// Merging finished task branches into the run branch, in the order the scheduler completes them
// (a topological order). A conflict is never dropped: the merge is aborted, the run branch stays
// at its last good commit, and the conflicting files are returned so the caller reports them or
// hands them to a follow-up agent step.

import { checkout, gitFailure, pushBranch, splitZ, type WorkingCopy, type GitAuthOptions, type PushResult } from "../git.ts";

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
export async function openRunBranch(
  opts: {
    repo: string;
    branch: string;
    baseCommit: string;
    cacheDir?: string;
    workRoot?: string;
  } & GitAuthOptions,
): Promise<RunBranchCopy> {
  const copy = await checkout({ ...opts, commit: opts.baseCommit, branch: opts.branch });
  const g = copy.git;
  const remoteHead = (await g.run(["ls-remote", "--heads", "origin", `refs/heads/${opts.branch}`])).split("\t")[0]?.trim();
  if (remoteHead && remoteHead !== copy.commit) {
    await g.run(["fetch", "--quiet", "origin", `+refs/heads/${opts.branch}:refs/remotes/origin/${opts.branch}`]);
    const contains = await g.test(["merge-base", "--is-ancestor", copy.commit, remoteHead]);
    if (contains) await g.run(["checkout", "--quiet", "-B", opts.branch, remoteHead]);
    // Otherwise the remote run branch went elsewhere; we build on the given base and the push
    // will be refused as a non-fast-forward (reported, never forced).
  }

  const head = async () => (await g.run(["rev-parse", "HEAD"])).trim();
  return {
    copy,
    dir: copy.dir,
    branch: opts.branch,
    head,
    async mergeTask(taskBranch, taskCommit, message) {
      const local = `refs/devgodzilla/tasks/${taskBranch.replace(/[^A-Za-z0-9._/-]/g, "_")}`;
      await g.run(["fetch", "--quiet", "origin", `+refs/heads/${taskBranch}:${local}`]);
      const full = (await g.run(["rev-parse", "--verify", `${taskCommit}^{commit}`])).trim();
      const already = await g.test(["merge-base", "--is-ancestor", full, "HEAD"]);
      if (already) return { status: "up_to_date", commit: await head(), taskCommit: full };
      // A conflicting merge exits 1 with its report on stdout: an answer, not a failure.
      const merged = await g.exec(["-c", "commit.gpgsign=false", "merge", "--no-ff", "--no-edit", "--quiet", "-m", message, full], { okExitCodes: [1] });
      if (merged.exitCode === 0) return { status: "merged", commit: await head(), taskCommit: full };
      const conflicts = splitZ(await g.run(["diff", "--name-only", "--diff-filter=U", "-z"]));
      await g.run(["merge", "--abort"]).catch(() => g.run(["reset", "--hard", "--quiet", "HEAD"]));
      if (conflicts.length === 0) throw gitFailure(["merge", full], merged, { context: taskBranch, hint: "the run branch is unchanged; run the step again" });
      return { status: "conflict", commit: await head(), taskCommit: full, conflicts };
    },
    push: () => pushBranch(copy.dir, opts.branch, "origin", { token: opts.token, username: opts.username }),
    cleanup: () => copy.cleanup(),
  };
}
