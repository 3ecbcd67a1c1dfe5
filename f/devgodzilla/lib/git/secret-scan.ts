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

import { DevGodzillaError } from "../errors.ts";
import { secretsInScope } from "../redact.ts";
import type { Git } from "./run.ts";

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
  add(url.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()), "URL-encoded");
  add(url.replace(/%20/g, "+"), "form-encoded");
  const json = JSON.stringify(secret).slice(1, -1);
  add(json, "JSON-escaped");
  add(json.replace(/\//g, "\\/"), "JSON-escaped");
  add(secret.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`), "JSON-escaped");
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
  }
  return findings;
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
    if (c) { // hunk lines start with +, - or a backslash: "commit <sha>" is git log's header
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

/** Findings in the staged change and the commit message. */
export async function scanStaged(g: Git, message: string, extraSecrets: Iterable<string> = []): Promise<SecretFinding[]> {
  const diff = await g.run(["diff", "--cached", ...DIFF_FLAGS]);
  const msg: AddedText = { file: "(commit message)", lines: message.split("\n").map((text, i) => ({ n: i + 1, text })) };
  return findSecrets([...parseAddedLines(diff), msg], extraSecrets);
}

/**
 * Findings in every commit of `sha` the remote does not have: not reachable from a remote-tracking
 * ref of the working copy nor from `known` (the remote branch's current commit). Each commit is
 * read separately, so a secret added and removed again before the push is still found.
 */
export async function scanUnpushed(g: Git, sha: string, known: string[] = [], extraSecrets: Iterable<string> = []): Promise<SecretFinding[]> {
  const range = [sha, "--not", "--remotes", ...known];
  const diff = await g.run(["log", "-p", ...DIFF_FLAGS, "--diff-merges=first-parent", "--format=commit %H", ...range]);
  const messages = (await g.run(["log", "--format=%H%x00%B%x00", ...range])).split("\0");
  const msgs: AddedText[] = [];
  for (let i = 0; i + 1 < messages.length; i += 2) {
    const commit = messages[i]!.trim();
    msgs.push({ file: "(commit message)", commit, lines: messages[i + 1]!.split("\n").map((text, j) => ({ n: j + 1, text })) });
  }
  return findSecrets([...parseAddedLines(diff), ...msgs], extraSecrets);
}
