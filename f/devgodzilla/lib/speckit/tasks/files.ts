// File and directory paths a task names, and same-file serialisation: tasks touching the same
// file (or a file inside a directory another task touches) run one after another.

import { allMatches } from "./lexicon.ts";

const FILE_EXT =
  "ts|tsx|js|jsx|mjs|cjs|py|pyi|rs|go|java|kt|kts|cs|csproj|sln|props|razor|cshtml|svelte|vue|md|mdx|json|jsonc|ya?ml|toml|" +
  "css|scss|sass|less|html?|sql|sh|bash|ps1|rb|php|swift|c|h|cc|cpp|hpp|m|mm|gradle|xml|lock|txt|cfg|ini|env|proto|graphql|gql|" +
  "ex|exs|dart|lua|r|jl|scala|tf|hcl|ipynb|uss|uxml|asmdef|asset|prefab|unity|shader|hlsl|mod|sum|dockerfile|conf|pem|csv|svg|png";
const BARE_FILE = new RegExp(`^[\\w@.\\-]+\\.(?:${FILE_EXT})$`, "i");
const SPECIAL_FILES = /^(Dockerfile|Makefile|Justfile|Procfile|Gemfile|Rakefile|Jenkinsfile|LICENSE|NOTICE|CODEOWNERS)$/;
const PATH_TOKEN = /(?:^|[\s(（「『"'])((?:\.{0,2}\/)?(?:[\w@.\-$*{}]+\/)+[\w@.\-$*{}]*)/g;

function normPath(p: string): string | null {
  let s = p.trim().replace(/^["'(]+|["'),.;:!?。、，；：）」』]+$/g, "");
  s = s.replace(/^\.\//, "");
  if (!s || /^[a-z]+:\/\//i.test(s) || s.startsWith("//") || /\s/.test(s)) return null;
  if (s.includes("..")) return null;
  s = s.replace(/\/\*+(\.\w+)?$/, "/").replace(/^\//, "");
  if (!s || s === "/") return null;
  return s;
}

function isPathLike(s: string): boolean {
  if (/^@[\w.-]+\/[\w.-]+$/.test(s) && !BARE_FILE.test(s.split("/")[1]!)) return false; // an npm scope, not a path
  if (s.includes("/")) return /[A-Za-z0-9]/.test(s) && !/^\d+(\/\d+)+$/.test(s) && !/[<>=|&;(){}`$]/.test(s.replace(/\$lib|\{[\w-]+\}/g, ""));
  return BARE_FILE.test(s) || SPECIAL_FILES.test(s);
}

/** Paths in a task's text: backticked path-like tokens (bare file names allowed) and slash paths in prose. */
export function extractFiles(text: string): string[] {
  const out = new Set<string>();
  const prose = text.replace(/`([^`\n]+)`/g, (_, code: string) => {
    const c = code.trim();
    // `/auth/callback` is an HTTP route, not a file; an absolute file path keeps its extension.
    const route = c.startsWith("/") && !BARE_FILE.test(c.split("/").pop() ?? "");
    if (!route && !/\s/.test(c) && isPathLike(c)) {
      const n = normPath(c);
      if (n) out.add(n);
    }
    return " ";
  });
  // Outside backticks only unmistakable paths count: a file with an extension, or a directory
  // ending in "/" ("CI/AppHost" or "mobile/touch" are prose).
  for (const m of allMatches(PATH_TOKEN, prose)) {
    const n = normPath(m[1]!);
    if (!n || !isPathLike(n) || n.split("/").filter(Boolean).length < 2) continue;
    const last = n.split("/").filter(Boolean).pop()!;
    if (n.endsWith("/") || BARE_FILE.test(last) || SPECIAL_FILES.test(last)) out.add(n);
  }
  // `commands/agents.rs` next to `crates/x/src/commands/agents.rs` names the same file once.
  const all = [...out];
  return all.filter((p) => !all.some((q) => q !== p && q.endsWith(`/${p}`)));
}

/**
 * Same-file conflicts, found by path instead of comparing every pair of tasks. Tasks are visited in
 * a topological order; `visit` returns the earlier tasks the visited one conflicts with — the last
 * toucher of each of its paths, of each directory above them, and (for a directory) of each path
 * inside it touched since — so one edge per path keeps a whole chain in order.
 */
export class FileConflicts {
  private readonly paths: string[][];
  private readonly lastToucher = new Map<string, number>();
  private readonly touchedInside = new Map<string, Map<string, number>>();

  constructor(filesPerTask: string[][]) {
    // A partial path (`commands/report.rs`) names the same file as `crates/x/commands/report.rs`.
    const bySuffix = new Map<string, Set<string>>();
    for (const files of filesPerTask) {
      for (const f of files) {
        // Every shorter path of at least two parts that `f` ends with.
        const last = f.endsWith("/") ? f.length - 1 : f.length;
        for (let i = f.indexOf("/"); i >= 0 && i < last - 1; i = f.indexOf("/", i + 1)) {
          const suffix = f.slice(i + 1);
          if (!suffix.slice(0, -1).includes("/")) break;
          const set = bySuffix.get(suffix);
          if (set) set.add(f);
          else bySuffix.set(suffix, new Set([f]));
        }
      }
    }
    this.paths = filesPerTask.map((files) => {
      const out = new Set<string>();
      for (const f of files) {
        out.add(f);
        if (f.includes("/")) for (const full of bySuffix.get(f) ?? []) out.add(full);
      }
      return [...out];
    });
  }

  /** The tasks visited earlier that task `v` conflicts with, with the shared path; then records `v`. */
  visit(v: number): { task: number; path: string }[] {
    const out: { task: number; path: string }[] = [];
    const mine = this.paths[v]!;
    for (const p of mine) {
      const last = this.lastToucher.get(p);
      if (last !== undefined) out.push({ task: last, path: p });
      for (const dir of ancestorsOf(p)) {
        const d = this.lastToucher.get(dir);
        if (d !== undefined) out.push({ task: d, path: dir });
      }
      if (p.endsWith("/")) for (const [path, t] of this.touchedInside.get(p) ?? []) out.push({ task: t, path });
    }
    for (const p of mine) {
      this.lastToucher.set(p, v);
      if (p.endsWith("/")) this.touchedInside.delete(p);
      for (const dir of ancestorsOf(p)) {
        const inside = this.touchedInside.get(dir) ?? new Map<string, number>();
        inside.set(p, v);
        this.touchedInside.set(dir, inside);
      }
    }
    return out.filter((c) => c.task !== v);
  }
}

const ancestorCache = new Map<string, string[]>();
/** "a/b/c.ts" → "a/", "a/b/" (the directories that contain it). */
function ancestorsOf(p: string): string[] {
  let out = ancestorCache.get(p);
  if (!out) {
    out = [];
    for (let i = p.indexOf("/"); i >= 0 && i < p.length - 1; i = p.indexOf("/", i + 1)) out.push(p.slice(0, i + 1));
    if (ancestorCache.size > 100_000) ancestorCache.clear();
    ancestorCache.set(p, out);
  }
  return out;
}
