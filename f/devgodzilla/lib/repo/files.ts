// The repository-files gateway: the one door through which DevGodzilla reads a repository's files
// (onboarding detection, the context given to agents and models, QA evidence). A repository is
// hostile input: a committed symlink can point at any host file, or at /proc/self/cwd/… (the
// runner's own directory, its resources file included) without knowing a single path. So every
// read resolves the path component by component inside the worktree:
//   * a link with an absolute target is refused (whatever it points at: /proc/self/…, /etc/…,
//     or the worktree's own absolute path, which would stop being true in another checkout);
//   * a relative link is followed only while every step stays inside the worktree;
//   * only regular files are read (no FIFOs that would block, no devices), opened with O_NOFOLLOW
//     and checked again through /proc/self/fd after opening, so a swap between check and open
//     cannot redirect the read.
// A refused path reads as missing (null) and is listed in `refused`, so a step can say what it
// left out. Directory walks never follow links to directories (no loops, no escapes). Writes
// follow no link at all: a link anywhere on the way is a RepoPathError, so a hostile checkout
// cannot make a step write into ~/.ssh or over the runner's files.

import { closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readlinkSync, readSync, realpathSync, writeSync } from "node:fs";
import type { Stats } from "node:fs";
import path from "node:path";
import { readdir } from "node:fs/promises";
import { DevGodzillaError } from "../errors.ts";

export interface RepoStat {
  kind: "file" | "dir";
  /** Bytes (files only; 0 for directories). */
  size: number;
}

export interface RepoEntry {
  name: string;
  /** Repository-relative, "/"-separated. */
  path: string;
  kind: "file" | "dir";
  /** The entry is a symlink (resolved inside the repository). */
  link: boolean;
}

export interface ReadOptions {
  /** A larger file reads as null (default 8 MiB). */
  maxBytes?: number;
}

export interface WalkOptions {
  /** Start directory (repository-relative); default the root. */
  under?: string;
  /** Directories not entered, by name (e.g. node_modules, .git). */
  skipDir?: (name: string, relPath: string) => boolean;
  /** Stop after this many files (default 20 000). */
  limit?: number;
}

export interface RepoFiles {
  /** Real path of the repository root. */
  readonly root: string;
  /** Text of a regular file inside the repository; null when missing, refused, not a file or too large. */
  readText(rel: string, opts?: ReadOptions): Promise<string | null>;
  readTextSync(rel: string, opts?: ReadOptions): string | null;
  readBytes(rel: string, opts?: ReadOptions): Promise<Buffer | null>;
  /** A file or directory inside the repository (links resolved inside); null otherwise. */
  stat(rel: string): RepoStat | null;
  exists(rel: string): boolean;
  /** Direct children of a directory; entries whose links leave the repository are left out (and refused). */
  list(rel?: string): Promise<RepoEntry[]>;
  /** Repository-relative paths of the files below a directory, sorted, without entering linked directories. */
  walk(opts?: WalkOptions): Promise<string[]>;
  /**
   * Writes a file (creating its directories). No component may be a link; `exclusive` fails on an
   * existing file. Throws RepoPathError when the path leaves the repository or crosses a link.
   */
  writeText(rel: string, content: string, opts?: { exclusive?: boolean }): void;
  /** Paths refused so far because they lead outside the repository, with the reason. */
  readonly refused: readonly { path: string; reason: string }[];
}

/** A repository path that leads outside the repository (for callers that want an error, not null). */
export class RepoPathError extends DevGodzillaError {
  readonly path: string;
  constructor(rel: string, reason: string) {
    super(`${JSON.stringify(rel)} is not read: ${reason}`, {
      hint: "repository files are read only inside the repository; replace the link by the file itself",
    });
    this.path = rel;
  }
}

const DEFAULT_MAX_BYTES = 8 * 1024 * 1024;
const MAX_LINK_HOPS = 40;

type Resolved = { ok: true; abs: string; st: Stats } | { ok: false; missing: boolean; reason: string };

/** Opens the gateway on a checkout. */
export function repoFiles(root: string): RepoFiles {
  return new RepoFilesImpl(root);
}

class RepoFilesImpl implements RepoFiles {
  readonly root: string;
  readonly refused: { path: string; reason: string }[] = [];

  constructor(root: string) {
    let real = path.resolve(root);
    try {
      real = realpathSync(real);
    } catch {
      // a missing root has no files: every read is null
    }
    this.root = real;
  }

  private inside(abs: string): boolean {
    return abs === this.root || abs.startsWith(this.root + path.sep);
  }

  private refuse(rel: string, reason: string): Resolved {
    if (!this.refused.some((r) => r.path === rel)) this.refused.push({ path: rel, reason });
    return { ok: false, missing: false, reason };
  }

  /** Resolves `rel` one component at a time, following only relative links that stay inside. */
  resolve(rel: string): Resolved {
    if (rel.includes("\0")) return this.refuse(rel, "the path contains a NUL byte");
    if (path.isAbsolute(rel)) return this.refuse(rel, "an absolute path");
    const pending = rel.split(/\/+/).filter((c) => c && c !== ".");
    let cur = this.root;
    let hops = 0;
    while (pending.length) {
      const c = pending.shift()!;
      if (c === "..") {
        if (cur === this.root) return this.refuse(rel, "it climbs out of the repository");
        cur = path.dirname(cur);
        continue;
      }
      const next = path.join(cur, c);
      let st: Stats;
      try {
        st = lstatSync(next);
      } catch {
        return { ok: false, missing: true, reason: "no such file" };
      }
      if (!st.isSymbolicLink()) {
        if (pending.length && !st.isDirectory()) return { ok: false, missing: true, reason: "not a directory" };
        cur = next;
        continue;
      }
      if (++hops > MAX_LINK_HOPS) return this.refuse(rel, "too many levels of links");
      const target = readlinkSync(next);
      if (path.isAbsolute(target)) return this.refuse(rel, `${path.relative(this.root, next)} is a link to an absolute path`);
      pending.unshift(...target.split(/\/+/).filter((x) => x && x !== "."));
    }
    let st: Stats;
    try {
      st = lstatSync(cur);
    } catch {
      return { ok: false, missing: true, reason: "no such file" };
    }
    if (!this.inside(cur)) return this.refuse(rel, "it resolves outside the repository");
    return { ok: true, abs: cur, st };
  }

  stat(rel: string): RepoStat | null {
    const r = this.resolve(rel);
    if (!r.ok) return null;
    if (r.st.isFile()) return { kind: "file", size: r.st.size };
    if (r.st.isDirectory()) return { kind: "dir", size: 0 };
    return null;
  }

  exists(rel: string): boolean {
    return this.stat(rel) !== null;
  }

  readTextSync(rel: string, opts: ReadOptions = {}): string | null {
    return this.readSync(rel, opts)?.toString("utf8") ?? null;
  }

  async readText(rel: string, opts: ReadOptions = {}): Promise<string | null> {
    return this.readTextSync(rel, opts);
  }

  async readBytes(rel: string, opts: ReadOptions = {}): Promise<Buffer | null> {
    return this.readSync(rel, opts);
  }

  private readSync(rel: string, opts: ReadOptions): Buffer | null {
    const r = this.resolve(rel);
    if (!r.ok || !r.st.isFile()) return null;
    const max = opts.maxBytes ?? DEFAULT_MAX_BYTES;
    if (r.st.size > max) return null;
    let fd: number;
    try {
      // O_NONBLOCK: a FIFO swapped in after the check must not block the open.
      fd = openSync(r.abs, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    } catch {
      return null;
    }
    try {
      const st = fstatSync(fd);
      if (!st.isFile() || st.size > max) return null;
      const opened = openedPath(fd);
      if (opened !== null && !this.inside(opened)) {
        this.refuse(rel, "it was replaced by a path outside the repository while being read");
        return null;
      }
      const buf = Buffer.alloc(st.size);
      let off = 0;
      while (off < buf.length) {
        const n = readSync(fd, buf, off, buf.length - off, off);
        if (n === 0) break;
        off += n;
      }
      return buf.subarray(0, off);
    } finally {
      closeSync(fd);
    }
  }

  writeText(rel: string, content: string, opts: { exclusive?: boolean } = {}): void {
    if (rel.includes("\0") || path.isAbsolute(rel)) throw new RepoPathError(rel, "an absolute path");
    const parts = normalizeRel(rel).split("/");
    if (!parts[0] || parts.includes("..")) throw new RepoPathError(rel, "it climbs out of the repository");
    let cur = this.root;
    for (const c of parts.slice(0, -1)) {
      cur = path.join(cur, c);
      let st: Stats | null = null;
      try {
        st = lstatSync(cur);
      } catch {
        mkdirSync(cur);
        continue;
      }
      if (st.isSymbolicLink()) throw new RepoPathError(rel, `${path.relative(this.root, cur)} is a link; files are not written through links`);
      if (!st.isDirectory()) throw new RepoPathError(rel, `${path.relative(this.root, cur)} is not a directory`);
    }
    const abs = path.join(cur, parts[parts.length - 1]!);
    let fd: number;
    try {
      fd = openSync(
        abs,
        constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK | (opts.exclusive ? constants.O_EXCL : constants.O_TRUNC),
        0o644,
      );
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ELOOP") throw new RepoPathError(rel, "it is a link; files are not written through links");
      throw e;
    }
    try {
      const opened = openedPath(fd);
      if (!fstatSync(fd).isFile() || (opened !== null && !this.inside(opened))) throw new RepoPathError(rel, "not a regular file inside the repository");
      const buf = Buffer.from(content, "utf8");
      let off = 0;
      while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    } finally {
      closeSync(fd);
    }
  }

  async list(rel = "."): Promise<RepoEntry[]> {
    const dir = this.resolve(rel);
    if (!dir.ok || !dir.st.isDirectory()) return [];
    const base = normalizeRel(rel);
    const entries = await readdir(dir.abs, { withFileTypes: true }).catch(() => []);
    const out: RepoEntry[] = [];
    for (const e of entries) {
      const p = base ? `${base}/${e.name}` : e.name;
      if (e.isFile()) out.push({ name: e.name, path: p, kind: "file", link: false });
      else if (e.isDirectory()) out.push({ name: e.name, path: p, kind: "dir", link: false });
      else if (e.isSymbolicLink()) {
        const s = this.stat(p);
        if (s) out.push({ name: e.name, path: p, kind: s.kind, link: true });
      }
    }
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async walk(opts: WalkOptions = {}): Promise<string[]> {
    const limit = opts.limit ?? 20_000;
    const out: string[] = [];
    const stack = [normalizeRel(opts.under ?? ".")];
    while (stack.length && out.length < limit) {
      const d = stack.pop()!;
      const children = await this.list(d || ".");
      for (const e of children.reverse()) {
        if (e.kind === "dir") {
          if (!e.link && !opts.skipDir?.(e.name, e.path)) stack.push(e.path);
        } else if (out.length < limit) out.push(e.path);
      }
    }
    return out.sort();
  }
}

function normalizeRel(rel: string): string {
  return rel
    .split(/\/+/)
    .filter((c) => c && c !== ".")
    .join("/");
}

/** The path an open descriptor refers to (Linux /proc); null where /proc is not available. */
function openedPath(fd: number): string | null {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return null;
  }
}
