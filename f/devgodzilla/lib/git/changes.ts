// The one reader of git's NUL-separated listings (`-z`): names (`ls-files -z`, `diff --name-only -z`),
// `--name-status -z` and `--raw -z` (diff, diff-tree) and `status --porcelain=v1 -z`, with one
// vocabulary for what happened to a file. With -z git writes paths verbatim — spaces, tabs,
// newlines, quotes, "->" and non-ASCII need no unquoting — so these parsers split on NUL only.

/** What happened to a path, the same words whichever git command reported it. */
export type ChangeStatus = "added" | "modified" | "deleted" | "renamed" | "copied" | "type_changed" | "unmerged" | "untracked";

export interface FileChange {
  /** The path now (for renames and copies: the destination). */
  path: string;
  /** For renames and copies: where it came from. */
  from?: string;
  status: ChangeStatus;
}

/** Paths of a NUL-separated name list (`ls-files -z`, `diff --name-only -z`). */
export function splitZ(out: string): string[] {
  return out.split("\0").filter((p) => p !== "");
}

function statusOfLetter(letter: string): ChangeStatus {
  switch (letter) {
    case "A":
      return "added";
    case "D":
      return "deleted";
    case "R":
      return "renamed";
    case "C":
      return "copied";
    case "T":
      return "type_changed";
    case "U":
      return "unmerged";
    default:
      return "modified"; // M, and X ("unknown") which git never writes in practice
  }
}

/**
 * `--name-status -z`: `STATUS\0PATH\0`, or `R<score>\0FROM\0TO\0` / `C<score>\0FROM\0TO\0` for
 * renames and copies (two paths, source first).
 */
export function parseNameStatusZ(out: string): FileChange[] {
  const f = out.split("\0");
  const changes: FileChange[] = [];
  for (let i = 0; i < f.length;) {
    const code = f[i++];
    if (!code) continue;
    const status = statusOfLetter(code[0]!);
    if (status === "renamed" || status === "copied") {
      const from = f[i++]!;
      changes.push({ path: f[i++]!, from, status });
    } else {
      changes.push({ path: f[i++]!, status });
    }
  }
  return changes;
}

/** A change from `--raw -z`, with the object id of the new content (null when deleted). */
export interface RawChange extends FileChange {
  /** git's object id of the new content: what `git cat-file -p <blob>` prints. */
  blob: string | null;
  /** The new mode ("100644", "100755", "120000" a symlink, "160000" a submodule). */
  mode: string;
}

/**
 * `--raw -z --no-abbrev` (diff, diff-tree): `:SRCMODE DSTMODE SRCOID DSTOID STATUS\0PATH\0`, or
 * `…R<score>\0FROM\0TO\0` for renames and copies — the name-status listing plus object ids, so
 * the new content is known without reading or hashing the file.
 */
export function parseRawZ(out: string): RawChange[] {
  const f = out.split("\0");
  const changes: RawChange[] = [];
  for (let i = 0; i < f.length;) {
    const meta = f[i++];
    if (!meta) continue;
    const [, mode = "", , oid = "", code = "M"] = meta.slice(1).split(" ");
    const status = statusOfLetter(code[0]!);
    const blob = status === "deleted" || /^0+$/.test(oid) ? null : oid;
    if (status === "renamed" || status === "copied") {
      const from = f[i++]!;
      changes.push({ path: f[i++]!, from, status, blob, mode });
    } else {
      changes.push({ path: f[i++]!, status, blob, mode });
    }
  }
  return changes;
}

/**
 * `status --porcelain=v1 -z`: `XY PATH\0`, and for a rename or copy in the index `XY TO\0FROM\0`
 * (destination first — the other order from name-status). X is the index, Y the work tree.
 */
export function parseStatusZ(out: string): FileChange[] {
  const f = out.split("\0");
  const changes: FileChange[] = [];
  for (let i = 0; i < f.length;) {
    const entry = f[i++];
    if (!entry) continue;
    const x = entry[0]!;
    const y = entry[1]!;
    const path = entry.slice(3);
    if (x === "R" || x === "C" || y === "R" || y === "C") {
      changes.push({ path, from: f[i++]!, status: x === "R" || y === "R" ? "renamed" : "copied" });
      continue;
    }
    changes.push({ path, status: porcelainStatus(x, y) });
  }
  return changes;
}

function porcelainStatus(x: string, y: string): ChangeStatus {
  if (x === "?") return "untracked";
  // Both sides added or deleted, or either side unmerged: a conflict.
  if (x === "U" || y === "U" || (x === y && (x === "A" || x === "D"))) return "unmerged";
  if (x === "D" || y === "D") return "deleted";
  if (x === "A") return "added";
  if (x === "T" || y === "T") return "type_changed";
  return "modified";
}
