// Secret scan of what DevGodzilla commits and pushes. Redaction covers logs and results; this covers
// the repository: before every commit (the staged change) and every push (each commit the remote
// does not have), the added lines are searched for
//   * every secret value in scope — whatever any Redactor of this job was given (resources,
//     variables, agent keys, tokens: lib/redact.ts secretsInScope) plus the caller's — raw and in
//     the encodings an agent or a model would write them: base64 (standard and URL-safe, at every
//     byte alignment, so a value inside a longer encoded blob is found), hex, URL-encoding and
//     JSON string escapes;
//   * well-known key shapes (GitHub, GitLab, AWS, Google, Slack, OpenAI, Anthropic, Stripe, npm,
//     Hugging Face, private key blocks), even for keys nobody told us about; placeholders made of
//     a few repeated characters do not count.
// A hit is a SecretInChangeError naming the file and line and what was found — never the value.

import { readFile } from "node:fs/promises";
import path from "node:path";
import { DevGodzillaError } from "../errors.ts";
import { secretsInScope } from "../redact.ts";

export interface SecretFinding {
  /** Repository path, or "(commit message)". */
  file: string;
  /** 1-based line in the new version of the file (0 for a commit message as a whole). */
  line: number;
  /** What matched, without the value: "a secret value in scope (base64)", "a GitHub token". */
  what: string;
  /** The commit it was found in (push scans). */
  commit?: string;
}

/** The change holds a secret: nothing was committed / pushed. */
export class SecretInChangeError extends DevGodzillaError {
  readonly findings: readonly SecretFinding[];
  constructor(action: "commit" | "push", findings: SecretFinding[]) {
    const shown = findings.slice(0, 10).map((f) => `${f.file}${f.line ? `:${f.line}` : ""} (${f.what}${f.commit ? ` in ${f.commit.slice(0, 12)}` : ""})`);
    super(
      `refused to ${action}: the change contains ${findings.length === 1 ? "a secret" : `${findings.length} secrets`} — ${shown.join("; ")}${findings.length > 10 ? `; and ${findings.length - 10} more` : ""}`,
      { hint: "remove the secret from those files (an agent or a model wrote it into the work tree); keys reach agents only through their environment" },
    );
    this.findings = findings;
  }
}

/** Values shorter than this are not searched for (they would match ordinary text). */
const MIN_SCANNED_LENGTH = 8;

interface Needle {
  text: string;
  what: string;
}

/** The forms a secret takes when written raw or encoded; each needle long enough to be specific. */
export function secretNeedles(secret: string): Needle[] {
  const out = new Map<string, string>();
  const add = (text: string, how: string) => {
    if (text.length >= MIN_SCANNED_LENGTH && !out.has(text)) out.set(text, how);
  };
  const bytes = Buffer.from(secret, "utf8");
  add(secret, "");
  for (let k = 0; k < 3; k++) {
    // The characters fully determined by the secret's bytes when it starts k bytes into a blob.
    const enc = Buffer.concat([Buffer.alloc(k), bytes]).toString("base64");
    const part = enc.slice(Math.ceil((8 * k) / 6), Math.floor((8 * (k + bytes.length)) / 6));
    add(part, "base64");
    add(part.replace(/\+/g, "-").replace(/\//g, "_"), "base64url");
  }
  add(bytes.toString("hex"), "hex");
  add(bytes.toString("hex").toUpperCase(), "hex");
  const url = encodeURIComponent(secret);
  add(url, "URL-encoded");
  add(
    url.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
    "URL-encoded",
  );
  add(url.replace(/%20/g, "+"), "form-encoded");
  const json = JSON.stringify(secret).slice(1, -1);
  add(json, "JSON-escaped");
  add(json.replace(/\//g, "\\/"), "JSON-escaped");
  add(
    secret.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`),
    "JSON-escaped",
  );
  return [...out].map(([text, how]) => ({ text, what: `a secret value in scope${how ? ` (${how})` : ""}` }));
}

/** Key shapes worth refusing even when the key is not ours: [name, pattern, length of the fixed prefix]. */
const KEY_SHAPES: [string, RegExp, number][] = [
  ["a private key", /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/g, 0],
  ["a GitHub token", /\bgh[pousr]_[A-Za-z0-9]{36,}\b/g, 4],
  ["a GitHub token", /\bgithub_pat_[A-Za-z0-9_]{60,}\b/g, 11],
  ["a GitLab token", /\bglpat-[A-Za-z0-9_-]{20,}/g, 6],
  ["an AWS access key", /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, 4],
  ["a Google API key", /\bAIza[0-9A-Za-z_-]{35}\b/g, 4],
  ["a Slack token", /\bxox[abposr]-[A-Za-z0-9-]{10,}/g, 5],
  ["an Anthropic key", /\bsk-ant-[a-z]+\d*-[A-Za-z0-9_-]{40,}/g, 7],
  ["an OpenAI key", /\bsk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,}/g, 8],
  ["an OpenAI key", /\bsk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}\b/g, 3],
  ["an OpenAI key", /\bsk-[A-Za-z0-9]{48}\b/g, 3],
  ["a Stripe key", /\b[rs]k_live_[A-Za-z0-9]{20,}\b/g, 8],
  ["an npm token", /\bnpm_[A-Za-z0-9]{36}\b/g, 4],
  ["a Hugging Face token", /\bhf_[A-Za-z0-9]{30,}\b/g, 3],
];

/** A real key's random part uses many different characters; "ghp_xxxx…" or "sk-…0000" do not. */
function looksRandom(match: string, prefix: number): boolean {
  if (prefix === 0) return true;
  return new Set(match.slice(prefix)).size >= 10;
}

export interface AddedText {
  file: string;
  /** Added lines with their 1-based line numbers in the new file. */
  lines: { n: number; text: string }[];
  commit?: string;
}

/** Searches added lines for the secrets (raw and encoded) and the key shapes. */
export function findSecrets(changes: AddedText[], extraSecrets: Iterable<string> = []): SecretFinding[] {
  const needles: Needle[] = [];
  const seen = new Set<string>();
  for (const s of [...secretsInScope(), ...extraSecrets]) {
    if (typeof s !== "string" || s.length < MIN_SCANNED_LENGTH) continue;
    for (const n of secretNeedles(s)) if (!seen.has(n.text)) (seen.add(n.text), needles.push(n));
  }
  const findings: SecretFinding[] = [];
  for (const c of changes) {
    for (const { n, text } of c.lines) {
      const hits = new Set<string>();
      for (const nd of needles) if (text.includes(nd.text)) hits.add(nd.what);
      for (const [name, re, prefix] of KEY_SHAPES) {
        for (const m of text.matchAll(re)) if (looksRandom(m[0], prefix)) hits.add(name);
      }
      // The most specific statement per line: a value in scope beats the shape it also has.
      const inScope = [...hits].filter((h) => h.startsWith("a secret value"));
      for (const what of inScope.length ? inScope : hits) findings.push({ file: c.file, line: n, what, commit: c.commit });
    }
    findings.push(...acrossLines(c, needles, new Set(findings.map((f) => `${f.file}\0${f.line}\0${f.commit}`))));
  }
  return findings;
}

/**
 * Values split over consecutive added lines: `base64` wraps at 76 columns, PEM at 64, `fold` and
 * hex dumps anywhere. Each run of consecutive lines is searched as one string (line ends removed);
 * a hit is reported at the line it starts on, unless that line was already reported.
 */
function acrossLines(c: AddedText, needles: Needle[], reported: Set<string>): SecretFinding[] {
  const out: SecretFinding[] = [];
  let i = 0;
  while (i < c.lines.length) {
    let j = i + 1;
    while (j < c.lines.length && c.lines[j]!.n === c.lines[j - 1]!.n + 1) j++;
    if (j - i > 1) {
      const run = c.lines.slice(i, j);
      const starts: number[] = [];
      let joined = "";
      for (const l of run) {
        starts.push(joined.length);
        joined += l.text.replace(/\r$/, "");
      }
      const lineAt = (pos: number) => {
        let k = 0;
        while (k + 1 < starts.length && starts[k + 1]! <= pos) k++;
        return k;
      };
      for (const nd of needles) {
        for (let at = joined.indexOf(nd.text); at >= 0; at = joined.indexOf(nd.text, at + 1)) {
          const k = lineAt(at);
          if (lineAt(at + nd.text.length - 1) === k) continue; // within one line: found above
          const key = `${c.file}\0${run[k]!.n}\0${c.commit}`;
          if (reported.has(key)) continue;
          reported.add(key);
          out.push({
            file: c.file,
            line: run[k]!.n,
            what: `${nd.what} split over lines ${run[k]!.n}-${run[lineAt(at + nd.text.length - 1)]!.n}`,
            commit: c.commit,
          });
        }
      }
    }
    i = j;
  }
  return out;
}

/**
 * The added lines of a unified diff (`git diff -U0` / `git log -p -U0` output), per file and commit.
 * Commit boundaries are lines `commit <sha>` (git log's default format).
 */
export function parseAddedLines(diff: string): AddedText[] {
  const out: AddedText[] = [];
  let commit: string | undefined;
  let cur: AddedText | null = null;
  let header = false; // between "diff --git" and the first hunk: "+++ " names the file there only
  let next = 0;
  for (const line of diff.split("\n")) {
    const c = /^commit ([0-9a-f]{40,64})\b/.exec(line);
    if (c) {
      // hunk lines start with +, - or a backslash: "commit <sha>" is git log's header
      commit = c[1];
      cur = null;
      continue;
    }
    if (line.startsWith("diff --git ")) {
      cur = null;
      header = true;
      continue;
    }
    if (header && line.startsWith("+++ ")) {
      const name = line.slice(4);
      cur = name === "/dev/null" ? null : { file: unquoteGitPath(name).replace(/^b\//, ""), lines: [], commit };
      if (cur) out.push(cur);
      continue;
    }
    const h = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(line);
    if (h) {
      header = false;
      next = Number(h[1]);
      continue;
    }
    if (cur && !header && line.startsWith("+")) cur.lines.push({ n: next++, text: line.slice(1) });
  }
  return out.filter((c) => c.lines.length);
}

/** git's C-style quoting of unusual path names ("b/t\303\251st\tx") back to the name. */
function unquoteGitPath(s: string): string {
  if (!s.startsWith('"') || !s.endsWith('"')) return s;
  const body = s.slice(1, -1);
  const bytes: number[] = [];
  const esc: Record<string, number> = { n: 10, t: 9, r: 13, '"': 34, "\\": 92, a: 7, b: 8, f: 12, v: 11 };
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch !== "\\") {
      bytes.push(...Buffer.from(ch, "utf8"));
      continue;
    }
    const nx = body[i + 1] ?? "";
    if (/[0-7]/.test(nx)) {
      bytes.push(parseInt(body.slice(i + 1, i + 4), 8));
      i += 3;
    } else {
      bytes.push(esc[nx] ?? nx.charCodeAt(0));
      i += 1;
    }
  }
  return Buffer.from(bytes).toString("utf8");
}

// ---------------------------------------------------------------------------------------------
// What git is about to commit or push

const DIFF_FLAGS = ["-U0", "--text", "--no-color", "--no-ext-diff", "--no-renames", "--no-textconv"];

/** Runs a git query in the repository being committed / pushed and returns its stdout. */
export type GitQuery = (args: readonly string[]) => Promise<string>;

const messageLines = (file: string, text: string, commit?: string): AddedText => ({
  file,
  commit,
  lines: text.split("\n").map((t, i) => ({ n: i + 1, text: t })),
});

/**
 * Findings in what `git <args>` (a commit) would record: the index; with -a or a pathspec also the
 * tracked work-tree changes; and its message (-m / --message / -F). The git gateway calls this
 * before every commit, whoever asks for it.
 */
export async function scanCommit(args: readonly string[], git: GitQuery, cwd: string, extraSecrets: Iterable<string> = []): Promise<SecretFinding[]> {
  const rest = args.slice(args.indexOf("commit") + 1);
  const dd = rest.indexOf("--");
  const opts = dd >= 0 ? rest.slice(0, dd) : rest;
  const paths = dd >= 0 ? rest.slice(dd + 1) : [];
  const messages: string[] = [];
  let all = false;
  for (let i = 0; i < opts.length; i++) {
    const a = opts[i]!;
    const valueOf = (long: string, short: string) =>
      a === long || a === short
        ? opts[++i]
        : a.startsWith(`${long}=`)
          ? a.slice(long.length + 1)
          : a.startsWith(short) && !a.startsWith("--") && a.length > 2
            ? a.slice(2)
            : undefined;
    if (a === "-a" || a === "--all") all = true;
    else if (/^-a[a-z]+$/.test(a)) {
      // "-am <msg>": -a plus a flag cluster whose last letter may take the next argument.
      all = true;
      if (a.endsWith("m")) messages.push(opts[++i] ?? "");
    } else {
      const m = valueOf("--message", "-m");
      if (m !== undefined) messages.push(m);
      const f = valueOf("--file", "-F");
      if (f !== undefined) messages.push(await readFile(path.resolve(cwd, f), "utf8").catch(() => ""));
    }
  }
  const diffs = [await git(["diff", "--cached", ...DIFF_FLAGS])];
  if (all || paths.length) diffs.push(await git(["diff", ...DIFF_FLAGS, ...(paths.length ? ["--", ...paths] : [])]));
  return findSecrets([...diffs.flatMap(parseAddedLines), messageLines("(commit message)", messages.join("\n\n"))], extraSecrets);
}

/**
 * Findings in every commit of `sha` the remote does not have: not reachable from a remote-tracking
 * ref of the working copy nor from `known` (the remote branch's current commit). Each commit is
 * read separately, so a secret added and removed again before the push is still found.
 */
export async function scanUnpushed(git: GitQuery, sha: string, known: string[] = [], extraSecrets: Iterable<string> = []): Promise<SecretFinding[]> {
  return scanCommits(git, [sha, "--not", "--remotes", ...known], extraSecrets);
}

/**
 * A push that did not come through pushBranch (which scans exactly what the remote lacks): every
 * local commit no remote-tracking ref holds is scanned — more than the push may send, never less.
 */
export async function scanAnyPush(git: GitQuery, extraSecrets: Iterable<string> = []): Promise<SecretFinding[]> {
  const head = (await git(["rev-parse", "--verify", "--quiet", "HEAD"]).catch(() => "")).trim();
  return scanCommits(git, ["--branches", "--tags", ...(head ? [head] : []), "--not", "--remotes"], extraSecrets);
}

/** Findings in the commits of a rev-list range: each commit's added lines and its message. */
async function scanCommits(git: GitQuery, range: string[], extraSecrets: Iterable<string>): Promise<SecretFinding[]> {
  const diff = await git(["log", "-p", ...DIFF_FLAGS, "--diff-merges=first-parent", "--format=commit %H", ...range]);
  const messages = (await git(["log", "--format=%H%x00%B%x00", ...range])).split("\0");
  const msgs: AddedText[] = [];
  for (let i = 0; i + 1 < messages.length; i += 2) msgs.push(messageLines("(commit message)", messages[i + 1]!, messages[i]!.trim()));
  return findSecrets([...parseAddedLines(diff), ...msgs], extraSecrets);
}
