// How QA reads the repository's files: the head version from the checkout (never leaving it —
// a link out of the worktree reads as absent), the base version from git. One place, so the
// repository-files gateway replaces it in one edit.

import { readFile, realpath } from "node:fs/promises";
import { resolve, sep } from "node:path";
import { gitAt, splitZ } from "../git.ts";
import { readAtCommit } from "./diff.ts";

export interface Sources {
  /** The file at head (the checkout), or null. */
  head(path: string): Promise<string | null>;
  /** The file at the base commit, or null. */
  base(path: string): Promise<string | null>;
  /** Tracked files at head. */
  list(): Promise<string[]>;
}

const MAX_BYTES = 2_000_000;

export function repoSources(dir: string, base: string, head: string): Sources {
  const root = resolve(dir);
  const headCache = new Map<string, Promise<string | null>>();
  const baseCache = new Map<string, Promise<string | null>>();
  let listing: Promise<string[]> | null = null;
  const readHead = async (p: string): Promise<string | null> => {
    const abs = resolve(root, p);
    if (!abs.startsWith(root + sep)) return null;
    try {
      const real = await realpath(abs);
      const realRoot = await realpath(root);
      if (!real.startsWith(realRoot + sep)) return null;
      const text = await readFile(real, "utf8");
      return text.length > MAX_BYTES ? text.slice(0, MAX_BYTES) : text;
    } catch {
      return null;
    }
  };
  return {
    head: (p) => headCache.get(p) ?? headCache.set(p, readHead(p)).get(p)!,
    base: (p) => baseCache.get(p) ?? baseCache.set(p, readAtCommit(dir, base, p)).get(p)!,
    list: () => (listing ??= gitAt(dir).run(["ls-tree", "-r", "-z", "--name-only", head]).then(splitZ)),
  };
}
