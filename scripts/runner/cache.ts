// What every step would otherwise load again, loaded once per process: a script's module, a parsed
// flow file, the local user's name. Files are keyed by path and modification time, so a file edited
// while the runner lives is loaded anew (locally the file is the deployment, as a deployed version
// is in Windmill).
// PERF: a repeated `import()` of an already loaded module still goes through tsx's resolve hooks
// (0.25 ms to several ms per step under load), and parsing a 200-step flow.yaml takes ~50 ms.
import { statSync } from "node:fs";
import os from "node:os";
import { pathToFileURL } from "node:url";

interface Entry<T> {
  mtimeMs: number;
  value: T;
}

/** A per-file cache: `load` runs again only when the file's modification time changes. */
export class FileCache<T> {
  private readonly entries = new Map<string, Entry<T>>();
  constructor(private readonly load: (file: string, mtimeMs: number, reload: boolean) => T) {}

  /** `mtimeMs`: the file's modification time when the caller has just read it (one stat for several caches). */
  get(file: string, mtimeMs = statSync(file).mtimeMs): T {
    const hit = this.entries.get(file);
    if (hit && hit.mtimeMs === mtimeMs) return hit.value;
    const value = this.load(file, mtimeMs, hit !== undefined);
    this.entries.set(file, { mtimeMs, value });
    return value;
  }

  /** Forgets a file whose load failed, so the next call tries again. */
  forget(file: string): void {
    this.entries.delete(file);
  }
}

export interface ScriptModule {
  main?: (...args: unknown[]) => unknown;
  preprocessor?: (event: unknown) => unknown;
}

const modules = new FileCache<Promise<ScriptModule>>((file, mtimeMs, reload) => {
  // The first load uses the plain URL, so a module imported elsewhere in the process is the same
  // instance; after an edit the URL carries the mtime, as ESM caches modules by URL for good.
  const url = pathToFileURL(file).href + (reload ? `?mtime=${mtimeMs}` : "");
  const loaded = import(url) as Promise<ScriptModule>;
  loaded.catch(() => modules.forget(file));
  return loaded;
});

/** A script's module, imported once per version of its file. */
export function scriptModule(file: string, mtimeMs?: number): Promise<ScriptModule> {
  return modules.get(file, mtimeMs);
}

/** Freezes a parsed document so that a step changing the cached copy fails loudly instead of leaking into the next run. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

let user: string | undefined;

/** The local user's name (Windmill's WM_USERNAME and approver), read from the system once. */
export function localUser(): string {
  user ??= os.userInfo().username || "local";
  return user;
}
