// Ownership markers for working copies: whoever creates a work dir (git.ts checkout) records the
// Windmill that owns it — its base URL and workspace — and the job, so reconcile can tell its own
// orphans from copies that belong to another Windmill, another workspace or no Windmill at all
// (those it reports and never deletes). Stored inside the git dir, so they never show in
// `git status` or a commit. Part of the git gateway (re-exported by lib/git.ts): git.ts writes
// them, reconcile reads them.

import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";

/** Which Windmill a working copy belongs to: the instance's base URL and the workspace. */
export interface WindmillIdentity {
  base_url: string;
  workspace: string;
}

/** Marker written by whoever creates a work dir, naming the owning Windmill and job. */
export interface OwnerMarker {
  /** Absent in markers written before ownership named the Windmill: such copies are never removed. */
  windmill?: WindmillIdentity;
  job_id: string;
  root_job_id?: string;
  created_at: string;
  host?: string;
  pid?: number;
}

export const OWNER_MARKER = "devgodzilla-owner.json";

/** `http://Host:80/x/` and `http://host/x` are the same Windmill. */
export function normalizeBaseUrl(url: string): string {
  try {
    const u = new URL(url.trim());
    const port = u.port && !((u.protocol === "http:" && u.port === "80") || (u.protocol === "https:" && u.port === "443")) ? `:${u.port}` : "";
    return `${u.protocol}//${u.hostname.toLowerCase()}${port}${u.pathname.replace(/\/+$/, "")}`;
  } catch {
    return url.trim().replace(/\/+$/, "");
  }
}

/**
 * The Windmill this process runs in, from the job environment Windmill sets for every job
 * (`WM_BASE_URL`, the instance's public base URL, and `WM_WORKSPACE`); undefined outside a job.
 */
export function currentWindmill(env: NodeJS.ProcessEnv = process.env): WindmillIdentity | undefined {
  const base = env.WM_BASE_URL?.trim();
  const workspace = env.WM_WORKSPACE?.trim();
  return base && workspace ? { base_url: normalizeBaseUrl(base), workspace } : undefined;
}

export function sameWindmill(a: WindmillIdentity | undefined, b: WindmillIdentity | undefined): boolean {
  return !!a && !!b && normalizeBaseUrl(a.base_url) === normalizeBaseUrl(b.base_url) && a.workspace === b.workspace;
}

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

/**
 * Records that `dir` (a clone or linked worktree) belongs to the current Windmill job. A no-op
 * outside a Windmill job (no job id, base URL or workspace): an unmarked copy is never removed.
 */
export async function markOwner(
  dir: string,
  jobId = process.env.WM_JOB_ID ?? "",
  rootJobId = process.env.WM_ROOT_FLOW_JOB_ID || undefined,
  windmill: WindmillIdentity | undefined = currentWindmill(),
): Promise<void> {
  const gd = await gitDirOf(dir);
  if (!gd || !jobId || !windmill) return;
  const m: OwnerMarker = { windmill, job_id: jobId, root_job_id: rootJobId, created_at: new Date().toISOString(), host: os.hostname(), pid: process.pid };
  await fs.writeFile(path.join(gd, OWNER_MARKER), JSON.stringify(m));
}

export async function readOwner(dir: string): Promise<OwnerMarker | undefined> {
  const gd = await gitDirOf(dir);
  if (!gd) return undefined;
  try {
    const m = JSON.parse(await fs.readFile(path.join(gd, OWNER_MARKER), "utf8")) as OwnerMarker;
    return m && typeof m === "object" && typeof m.job_id === "string" ? m : undefined;
  } catch {
    return undefined;
  }
}
