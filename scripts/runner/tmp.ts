// The runner process's own temp directory. Every working copy, sandbox control dir and agent HOME
// the jobs make goes under os.tmpdir(); pointing TMPDIR at a directory of this process's own means
// all of them are removed when it exits — Ctrl-C included — and a directory left by a runner that
// was killed outright is removed by the next runner that starts.
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pidAlive } from "../../f/devgodzilla/lib/process.ts";

const PREFIX = "devgodzilla-run-";

export interface OwnTempDir {
  /** The system temp dir this one lives in (for what must outlive the process, e.g. the demo's repository). */
  base: string;
  dir: string;
  /** Removes the directory (idempotent, synchronous: safe in an exit handler). */
  remove(): void;
}

/** Directories of runners whose process is gone. */
function sweep(base: string) {
  let entries: string[] = [];
  try {
    entries = readdirSync(base);
  } catch {
    return;
  }
  for (const name of entries) {
    const pid = Number(name.startsWith(PREFIX) ? name.slice(PREFIX.length).split("-")[0] : NaN);
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && !pidAlive(pid)) rmSync(path.join(base, name), { recursive: true, force: true });
  }
}

export function useOwnTempDir(): OwnTempDir {
  const base = os.tmpdir();
  sweep(base);
  const dir = mkdtempSync(path.join(base, `${PREFIX}${process.pid}-`));
  process.env.TMPDIR = dir;
  // The sandbox hides the temp dir from agents; with TMPDIR moved, keep hiding the system one too.
  process.env.DEVGODZILLA_SANDBOX_HIDE = [process.env.DEVGODZILLA_SANDBOX_HIDE, base].filter(Boolean).join(":");
  return { base, dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
