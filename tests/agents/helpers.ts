// Helpers for the agent tests: temp dirs, the fake agent bin dir, a liveness check that treats
// zombies as dead (in this container PID 1 does not reap orphans, so a killed grandchild stays a
// zombie and pidAlive alone would still report it).
import { mkdtempSync, readFileSync, rmSync, existsSync } from "node:fs";
import { afterEach } from "vitest";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pidAlive } from "../../f/devgodzilla/lib/process.ts";

export const FAKE_BIN = resolve(import.meta.dirname, "../fixtures/agents/bin");

export function tempDir(prefix = "dg-agents-"): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/** For a test file: the returned `dir(prefix?)` makes a temp dir that is removed after the current test. */
export function tempDirsPerTest(): (prefix?: string) => string {
  const cleanups: (() => void)[] = [];
  afterEach(() => cleanups.splice(0).forEach((c) => c()));
  return (prefix?: string) => {
    const d = tempDir(prefix);
    cleanups.push(d.cleanup);
    return d.path;
  };
}

export function isAlive(pid: number): boolean {
  if (!pidAlive(pid)) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch {
    return existsSync(`/proc/${pid}`);
  }
}

export async function waitUntil(cond: () => boolean, ms = 3000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return cond();
}

export function readRecords(file: string): { flavor: string; argv: string[]; cwd: string; env: Record<string, string> }[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}
