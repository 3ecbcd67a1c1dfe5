// Ownership markers for working copies: whoever creates a work dir (git.ts checkout) records the
// Windmill job that owns it, so reconcile can tell a live job's working copy from an orphan.
// Stored inside the git dir, so they never show in `git status` or a commit. Part of the git
// gateway (re-exported by lib/git.ts): git.ts writes them, reconcile reads them.

import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";

/** Marker written by whoever creates a work dir, naming the owning job. */
export interface OwnerMarker {
  job_id: string;
  root_job_id?: string;
  created_at: string;
  host?: string;
  pid?: number;
}

export const OWNER_MARKER = "devgodzilla-owner.json";

/** The git dir of a clone (`.git/`) or of a linked worktree (`.git` file → gitdir). */
export async function gitDirOf(dir: string): Promise<string | undefined> {
  const dotgit = path.join(dir, ".git");
  const st = await fs.stat(dotgit).catch(() => undefined);
  if (!st) return undefined;
  if (st.isDirectory()) return dotgit;
  const txt = await fs.readFile(dotgit, "utf8").catch(() => "");
  const m = /^gitdir:\s*(.+)$/m.exec(txt);
  return m ? path.resolve(dir, m[1]!.trim()) : undefined;
}

/** Records that `dir` (a clone or linked worktree) belongs to the current Windmill job (no-op outside a job). */
export async function markOwner(dir: string, jobId = process.env.WM_JOB_ID ?? "", rootJobId = process.env.WM_ROOT_FLOW_JOB_ID || undefined): Promise<void> {
  const gd = await gitDirOf(dir);
  if (!gd || !jobId) return;
  const m: OwnerMarker = { job_id: jobId, root_job_id: rootJobId, created_at: new Date().toISOString(), host: os.hostname(), pid: process.pid };
  await fs.writeFile(path.join(gd, OWNER_MARKER), JSON.stringify(m));
}

export async function readOwner(dir: string): Promise<OwnerMarker | undefined> {
  const gd = await gitDirOf(dir);
  if (!gd) return undefined;
  try {
    return JSON.parse(await fs.readFile(path.join(gd, OWNER_MARKER), "utf8")) as OwnerMarker;
  } catch {
    return undefined;
  }
}
