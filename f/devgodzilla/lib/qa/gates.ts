// Constitutional gates: one per mechanically checkable article of the project's constitution.
// Each gate reads the branch diff (base..head), the per-commit history and, where needed, the
// head tree, and yields findings with code, article, severity, file, line and a suggested fix.
// Which gates block or warn comes from configuration, defaulting to the constitution's marking.

import { Redactor, REDACTED } from "../redact.ts";
import type { QaConfig } from "./config.ts";
import type { BranchDiff, AddedLine, ChangedFile } from "./diff.ts";
import { readAtCommit } from "./diff.ts";
import { gitAt, splitZ } from "../git.ts";
import { parseConstitution, type ConstitutionArticle as SpeckitArticle } from "../speckit/constitution.ts";
import type { Finding, GateId, GateMode, GateResult } from "./types.ts";

export interface GateInput {
  /** A git checkout that holds base and head (the worktree may be anywhere). */
  dir: string;
  diff: BranchDiff;
  /** Text of .specify/memory/constitution.md at head; null/undefined = DevGodzilla defaults. */
  constitution?: string | null;
  /** Story id (US1…) when the task is in a story phase; integration testing blocks only there. */
  story?: string | null;
  config: QaConfig;
}

interface GateDef {
  id: GateId;
  article: string;
  name: string;
  defaultMode: Exclude<GateMode, "off">;
  /** Recognises the article in a project's constitution (several languages). */
  match: RegExp;
  run: (ctx: GateContext) => Promise<RawFinding[]> | RawFinding[];
}

type RawFinding = Omit<Finding, "article" | "source" | "severity">;

interface GateContext extends GateInput {
  codeAdded: AddedLine[];
  changedCode: ChangedFile[];
  changedTests: ChangedFile[];
}

// ---------------------------------------------------------------- file classes

const CODE_EXT = /\.(?:[cm]?[jt]sx?|py|go|rs|java|kt|kts|scala|rb|php|cs|fs|swift|c|cc|cpp|cxx|h|hpp|m|mm|dart|ex|exs|erl|clj|lua|sh|bash|zsh|vue|svelte|sql)$/i;
const NON_SOURCE_DIR = /(^|\/)(specs\/\d|\.specify\/|docs?\/|node_modules\/|vendor\/|dist\/|build\/|target\/)/;
const TEST_PATH = /(^|\/)(tests?|__tests__|testing|e2e|spec)\/|\.(test|spec|e2e)\.[cm]?[jt]sx?$|_test\.(go|py|rb|exs?)$|(^|\/)test_[^/]+\.py$|Tests?\.(java|kt|cs|swift)$|_spec\.rb$/i;
const INTEGRATION_TEST_PATH = /(^|\/)(integration|e2e|contract|it|acceptance)(\/|[-_.])|[._-](integration|e2e|contract|acceptance)[._-]|(^|\/)test_(integration|e2e|contract)/i;

export function isTestFile(path: string): boolean {
  return TEST_PATH.test(path) && !/(^|\/)specs\/\d/.test(path);
}
export function isCodeFile(path: string): boolean {
  return CODE_EXT.test(path) && !NON_SOURCE_DIR.test(path) && !isTestFile(path);
}
export function isIntegrationTest(path: string): boolean {
  return isTestFile(path) && INTEGRATION_TEST_PATH.test(path);
}

/** "src/cart/total.ts", "tests/total.test.ts", "test_total.py", "total_test.go" → "total". */
export function stem(path: string): string {
  const base = path.split("/").pop() ?? path;
  return base
    .replace(/\.[^.]+$/, "")
    .replace(/\.(test|spec|e2e|integration)$/i, "")
    .replace(/^test_|_test$|_spec$|Tests?$/g, "")
    .toLowerCase();
}

// ---------------------------------------------------------------- constitution

/** The constitution's own marking (lib/speckit/constitution.ts): `**Severity**:` or (NON-NEGOTIABLE); null when unmarked. */
export function markedMode(a: SpeckitArticle): Exclude<GateMode, "off"> | null {
  return a.severitySource === "default" ? null : a.severity;
}

// ---------------------------------------------------------------- rules

interface LineRule {
  code: string;
  re: RegExp;
  message: string;
  fix: string;
  /** Also applies to test files (secrets do; code-smell rules don't). */
  tests?: boolean;
  /** A second pattern the same line must also match. */
  and?: RegExp;
  not?: RegExp;
  /** Skip when the next lines added to the file (the body) match: the work is delegated. */
  bodyNot?: RegExp;
}

// Findings quote the offending line; a quoted secret would leak into the report.
const QUOTE_REDACTOR = new Redactor();

function applyLineRules(lines: AddedLine[], rules: LineRule[], limitPerCode = 20): RawFinding[] {
  const out: RawFinding[] = [];
  const count = new Map<string, number>();
  for (const l of lines) {
    for (const r of rules) {
      if (!r.tests && isTestFile(l.file)) continue;
      if (!r.re.test(l.text)) continue;
      if (r.and && !r.and.test(l.text)) continue;
      if (r.not && r.not.test(l.text)) continue;
      if (r.bodyNot) {
        const body = lines.filter((x) => x.file === l.file && x.line > l.line && x.line <= l.line + 30).map((x) => x.text).join("\n");
        if (r.bodyNot.test(l.text) || r.bodyNot.test(body)) continue;
      }
      const n = count.get(r.code) ?? 0;
      if (n >= limitPerCode) continue;
      count.set(r.code, n + 1);
      out.push({ code: r.code, message: `${r.message}: \`${QUOTE_REDACTOR.redact(l.text.trim()).slice(0, 120)}\``, file: l.file, line: l.line, fix: r.fix });
    }
  }
  return out;
}

const SQL = /\b(SELECT\b[\s\S]*\bFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|DROP\s+TABLE|WHERE\s+\w+\s*=)/i;
// Interpolation INTO the SQL text: template/f-strings, concatenation, %-formatting, format calls.
// (A bare %s or $1 is a driver placeholder — psycopg, pg — and is the safe form.)
const INTERPOLATED = /\$\{|["'`]\s*\+\s*\w|\w\s*\+\s*["'`]|\bf["']|["']\s*%\s*[\w(]|\.format\(|Sprintf\(|format!\(|String\.format\(/;

const SECURITY_RULES: LineRule[] = [
  { code: "SEC002", re: SQL, and: INTERPOLATED, message: "SQL built from strings", fix: "Use parameterised queries / prepared statements (placeholders such as ? or $1) or the query builder's bindings." },
  { code: "SEC003", re: /\b(exec|execSync|spawnSync|spawn)\s*\(\s*[`'"][^`'"]*(\$\{|["'`]\s*\+)|\bexec(Sync)?\s*\(\s*\w+\s*\+/, message: "Shell command built from strings", fix: "Run the program with an argument array (execa(file, [args]) / spawn without a shell); never interpolate into a command line.", },
  { code: "SEC003", re: /\bshell\s*[:=]\s*(true|True)\b|\bos\.(system|popen)\s*\(|["'](ba|z)?sh["']\s*,\s*["']-c["']|Command::new\(\s*"(ba)?sh"\s*\)/, message: "Command run through a shell", fix: "Call the program directly with an argument list; a shell turns any interpolated value into code." },
  { code: "SEC004", re: /rejectUnauthorized\s*:\s*false|NODE_TLS_REJECT_UNAUTHORIZED\s*[=:]\s*["']?0|\bverify\s*=\s*False\b|InsecureSkipVerify\s*:\s*true|danger_accept_invalid_certs\s*\(\s*true|ssl\.CERT_NONE|_create_unverified_context|strict-ssl\s*[=:]?\s*false|curl\b[^\n]*\s(-k|--insecure)\b/, tests: false, message: "TLS certificate verification disabled", fix: "Keep certificate verification on; trust a private CA explicitly (ca option / REQUESTS_CA_BUNDLE / SSL_CERT_FILE) instead." },
  { code: "SEC005", re: /\beval\s*\(\s*[^)'"`\s]|new\s+Function\s*\(/, message: "Dynamic code evaluation", fix: "Parse the data (JSON.parse, a real parser) instead of evaluating it as code." },
];

const SECRET_ASSIGN = /\b(password|passwd|secret|api[_-]?key|access[_-]?key|auth[_-]?token|private[_-]?key|client[_-]?secret)\b["']?\s*[:=]\s*["'][^"'\s$]{8,}["']/i;
const SECRET_FILES = /(^|\/)(\.env(\.[\w-]+)?|id_(rsa|dsa|ecdsa|ed25519)|[^/]+\.(pem|p12|pfx|key)|credentials(\.json)?|\.npmrc|\.pypirc)$/i;

/** The substrings the redactor replaced (recovered from the text around each marker). */
function redactedSegments(original: string, redacted: string): string[] {
  if (original === redacted) return [];
  const parts = redacted.split(REDACTED);
  const out: string[] = [];
  let pos = parts[0].length;
  for (let i = 1; i < parts.length; i++) {
    const next = parts[i] === "" ? original.length : original.indexOf(parts[i], pos);
    const end = next < 0 ? original.length : next;
    out.push(original.slice(pos, end));
    pos = end + parts[i].length;
  }
  return out;
}

/** Test fixtures use obviously fake keys ("sk-test-…000000", "ghp_fake_…", "…abcdefgh…"): not leaks. */
export function looksFake(token: string): boolean {
  if (/fake|test|dummy|example|sample|mock|demo|placeholder|changeme|redacted|secret|your[-_]?(api[-_]?)?key/i.test(token)) return true;
  if (/(.)\1{5,}/.test(token)) return true; // 000000, xxxxxx
  if (/abcdefgh|bcdefghi|12345678|23456789/i.test(token)) return true;
  const body = token.replace(/^[a-z]+[-_]/i, "");
  const freq = new Map<string, number>();
  for (const ch of body) freq.set(ch, (freq.get(ch) ?? 0) + 1);
  let h = 0;
  for (const n of freq.values()) h -= (n / body.length) * Math.log2(n / body.length);
  return body.length >= 16 && h < 3; // real keys are random: ~4.5+ bits per character
}

function secretFindings(ctx: GateContext): RawFinding[] {
  const out: RawFinding[] = [];
  const redactor = new Redactor();
  for (const f of ctx.diff.files) {
    if (f.status !== "deleted" && SECRET_FILES.test(f.path) && !/\.(example|sample|template)$/i.test(f.path)) {
      out.push({ code: "SEC001", message: `Secret-bearing file committed: ${f.path}`, file: f.path, line: 1, fix: "Remove the file from the branch (and its history), rotate the credential, and add the file to .gitignore; load secrets from the environment / Windmill resources." });
    }
  }
  for (const l of ctx.diff.added) {
    const shaped = redactedSegments(l.text, redactor.redact(l.text)).some((t) => !looksFake(t));
    const assigned = !isTestFile(l.file) && SECRET_ASSIGN.test(l.text) && !/process\.env|os\.environ|getenv|example|changeme|placeholder|xxxx/i.test(l.text);
    if (shaped || assigned) {
      out.push({ code: "SEC001", message: `Secret committed (${shaped ? "credential-shaped token" : "hard-coded secret value"})`, file: l.file, line: l.line, fix: "Remove the value, rotate it, and read it from the environment / a Windmill resource at run time." });
    }
  }
  return out.slice(0, 30);
}

const LIBRARY_RULES: LineRule[] = [
  { code: "LIB001", re: /\b(function|def|func|fn|const|let|var)\s+_?(parse|tokeni[sz]e)_?(csv|json|yaml|yml|xml|ini|toml|url|query|querystring|args|argv|cli|options|html|markdown|semver|duration|cookie|header)s?\b/i, bodyNot: /JSON\.parse|json\.loads?|yaml\.(safe_)?(load|parse)|YAML\.parse|parseYaml|toml\.(load|parse)|tomllib|new URL\(|URLSearchParams|urlparse|parseArgs|argparse|csv-parse|csv\.(reader|DictReader)|papaparse|semver\.|xml2js|DOMParser|ElementTree|serde_|encoding\/json|url\.Parse|flag\./, message: "Hand-written parser", fix: "Use the ecosystem's parser (csv-parse / JSON.parse / yaml / URL & URLSearchParams / node:util parseArgs / argparse / semver…)." },
  { code: "LIB002", re: /\b(function|def|func|fn|const|let|var)\s+_?(is_?valid|validate|check)_?(email|e_mail|url|uri|phone|uuid|ip|ipv4|ipv6|iban|credit_?card|zip|postcode)\b/i, message: "Hand-written validator", fix: "Use a schema/validation library (zod, validator, pydantic, email-validator…) instead of ad-hoc checks." },
  { code: "LIB002", re: /[/'"]\^?\[[^\]]*\]\+@\[?[^\]]*\]?\+?\\\.|@\[a-z/i, message: "Hand-written e-mail/URL regex", fix: "Use a validation library (zod's .email(), validator.isEmail, email-validator)." },
  { code: "LIB003", re: /createHash\s*\(\s*["'](md5|sha1|sha256|sha512)["']\s*\)|hashlib\.(md5|sha1|sha256|sha512)\s*\(|(md5|sha1|sha256)\.(New|Sum)/i, and: /pass(word)?|pwd|secret/i, message: "Password hashed with a fast general-purpose hash", fix: "Use a password-hashing library (argon2, bcrypt, scrypt / crypto.scrypt, passlib) with a per-user salt." },
  { code: "LIB003", re: /\b(function|def|func|fn|const|let)\s+_?hash_?pass(word)?\b/i, message: "Hand-written password hashing", fix: "Use argon2 / bcrypt / scrypt through a maintained library." },
  { code: "LIB004", re: /\b(function|def|func|fn|const|let|var)\s+_?(format|parse|add|diff|subtract)_?(date|dates|days|months|years|time|timestamp|iso)\b/i, message: "Hand-written date handling", fix: "Use Intl.DateTimeFormat / Temporal / date-fns / datetime / time package instead of manual date arithmetic." },
  { code: "LIB004", re: /["']Jan(uary)?["']\s*,\s*["']Feb(ruary)?["']/, message: "Hand-written month table", fix: "Use Intl.DateTimeFormat or the standard library's date formatting." },
  { code: "LIB005", re: /Math\.random\(\)\.toString\(\s*(16|36)\s*\)/, and: /\b(\w*Id|id|uuid|\w*_id|guid)\b\s*[:=]/i, message: "Hand-written id generation", fix: "Use crypto.randomUUID() / uuid / the standard library." },
  { code: "LIB005", re: /\b(function|def|func|fn)\s+_?(generate_?|make_?|new_?)?uu?id(v4)?\s*\(|\b(const|let)\s+(generate|make|new)_?uuid\w*\s*=\s*(\(|function)/i, message: "Hand-written UUID generation", fix: "Use crypto.randomUUID() / uuid / the standard library." },
];

// ---------------------------------------------------------------- gates

/**
 * Changed code that tests already in the repository before this change exercise: a test file with
 * the code file's stem, or one that imports it by name. That is test-first across tasks (a test
 * task ran before the code task), not code without tests.
 */
async function coveredByEarlierTests(ctx: GateContext, isTest: (path: string) => boolean = isTestFile): Promise<Set<string>> {
  const tests = splitZ(await gitAt(ctx.dir).run(["ls-tree", "-r", "--name-only", "-z", ctx.diff.base])).filter((p) => isTest(p)).slice(0, 500);
  const covered = new Set<string>();
  for (const c of ctx.changedCode) {
    const s = stem(c.path);
    if (tests.some((t) => stem(t) === s)) {
      covered.add(c.path);
      continue;
    }
    const base = c.path.split("/").pop()!.replace(/\.[^.]+$/, "");
    const importRe = new RegExp(`["'\`][^"'\`]*\\b${base.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(\\.[a-z]+)?["'\`]`);
    for (const t of tests) {
      if (importRe.test((await readAtCommit(ctx.dir, ctx.diff.base, t)) ?? "")) {
        covered.add(c.path);
        break;
      }
    }
  }
  return covered;
}

async function testFirst(ctx: GateContext): Promise<RawFinding[]> {
  if (ctx.changedCode.length === 0) return [];
  if (ctx.changedTests.length === 0) {
    const covered = await coveredByEarlierTests(ctx);
    if (ctx.changedCode.every((c) => covered.has(c.path))) return [];
    const first = ctx.changedCode.find((c) => !covered.has(c.path))!;
    const line = ctx.codeAdded.find((l) => l.file === first.path)?.line ?? 1;
    return [{
      code: "TEST001",
      message: `Code changed without tests: ${ctx.changedCode.filter((c) => !covered.has(c.path)).map((f) => f.path).slice(0, 8).join(", ")}${ctx.changedCode.length > 8 ? ", …" : ""}`,
      file: first.path, line,
      fix: "Add tests that exercise the changed behaviour (written first, failing, then made to pass).",
    }];
  }
  // Order on the branch: index of the first commit touching each path.
  const firstSeen = new Map<string, number>();
  ctx.diff.commits.forEach((c, i) => {
    for (const f of c.files) if (f.status !== "deleted" && !firstSeen.has(f.path)) firstSeen.set(f.path, i);
  });
  const out: RawFinding[] = [];
  const testsByStem = new Map<string, string[]>();
  for (const t of ctx.changedTests) testsByStem.set(stem(t.path), [...(testsByStem.get(stem(t.path)) ?? []), t.path]);
  const firstTestIdx = Math.min(...ctx.changedTests.map((t) => firstSeen.get(t.path) ?? Infinity));
  for (const c of ctx.changedCode) {
    const ci = firstSeen.get(c.path);
    if (ci === undefined) continue;
    const matched = testsByStem.get(stem(c.path));
    const ti = matched ? Math.min(...matched.map((t) => firstSeen.get(t) ?? Infinity)) : firstTestIdx;
    if (ti > ci && Number.isFinite(ti)) {
      const codeCommit = ctx.diff.commits[ci];
      const testCommit = ctx.diff.commits[ti];
      out.push({
        code: "TEST002",
        message: `Tests arrived after the code: ${c.path} changed in ${codeCommit.sha.slice(0, 8)} ("${codeCommit.subject}") before ${matched ? matched[0] : "any test"} in ${testCommit.sha.slice(0, 8)} ("${testCommit.subject}")`,
        file: c.path,
        line: ctx.codeAdded.find((l) => l.file === c.path)?.line ?? 1,
        fix: "Commit the failing test first (red), then the implementation (green); reorder the branch's commits or add the test in the same commit.",
      });
    }
  }
  return out;
}

async function simplicity(ctx: GateContext): Promise<RawFinding[]> {
  const out: RawFinding[] = [];
  for (const f of ctx.changedCode) {
    if (f.status === "deleted") continue;
    const text = await readAtCommit(ctx.dir, ctx.diff.head, f.path);
    if (text == null) continue;
    const lines = text.split("\n");
    if (lines.length > 500) {
      out.push({ code: "SIMP001", message: `${f.path} has ${lines.length} lines`, file: f.path, line: 1, fix: "Split the file by responsibility; keep modules small enough to read in one sitting." });
    }
    const indents = lines.map((l) => /^( *)\S/.exec(l)?.[1].length ?? 0).filter((n) => n > 0);
    const tabbed = lines.some((l) => /^\t+\S/.test(l));
    const unit = tabbed ? 1 : Math.max(2, Math.min(...indents.filter((n) => n >= 2), 4));
    const deep = ctx.codeAdded.find((l) => {
      if (l.file !== f.path) return false;
      const m = tabbed ? /^(\t*)\S/.exec(l.text) : /^( *)\S/.exec(l.text);
      // Control flow only: deep object literals (schemas, config) and indented text are not complexity.
      return !!m && m[1].length / unit >= 6 && /^\s*(?:\}\s*)?(if|else|for|foreach|while|do|switch|case|try|catch|except|elif|with|match|loop|select)\b/.test(l.text);
    });
    if (deep) out.push({ code: "SIMP002", message: `Nesting 6+ levels deep in ${f.path}`, file: f.path, line: deep.line, fix: "Return early, extract functions, or flatten the conditionals." });
  }
  const manifests = /(^|\/)(package\.json|go\.mod|Cargo\.toml|pyproject\.toml|setup\.py|pom\.xml|build\.gradle(\.kts)?|[^/]+\.csproj)$/;
  if (ctx.diff.files.some((f) => f.status === "added" && manifests.test(f.path))) {
    const tree = splitZ(await gitAt(ctx.dir).run(["ls-tree", "-r", "-z", "--name-only", ctx.diff.head]));
    const projects = tree.filter((p) => manifests.test(p) && !/node_modules\/|vendor\/|fixtures?\//.test(p));
    if (projects.length > 3) {
      const added = ctx.diff.files.find((f) => f.status === "added" && manifests.test(f.path))!;
      out.push({ code: "SIMP003", message: `${projects.length} projects in the repository (more than 3): ${projects.slice(0, 6).join(", ")}`, file: added.path, line: 1, fix: "Keep to at most 3 projects; justify extra ones in the plan's Complexity Tracking table." });
    }
  }
  return out;
}

async function antiAbstraction(ctx: GateContext): Promise<RawFinding[]> {
  const out: RawFinding[] = [];
  const decl = /^\s*(?:export\s+)?(?:(?:public|internal)\s+)?(?:interface|abstract\s+class|trait)\s+([A-Z]\w*)|^\s*class\s+([A-Z]\w*)\s*\((?:ABC|Protocol|abc\.ABC)\)/;
  for (const l of ctx.codeAdded) {
    const m = decl.exec(l.text);
    if (!m) continue;
    const name = m[1] ?? m[2];
    if (/Props$|Options$|Config$|Params$|Result$|State$|Dto$|DTO$/.test(name)) continue; // data shapes, not layers
    if (/\binterface\b/.test(l.text)) {
      // A TypeScript/Java/Go interface that only lists fields is a data shape, not a layer: flag it
      // only when it declares behaviour (a method signature or a function-typed member).
      const body = ctx.codeAdded.filter((x) => x.file === l.file && x.line >= l.line && x.line <= l.line + 40);
      const end = body.findIndex((x, i) => i > 0 && /^\s*\}/.test(x.text));
      const text = (end > 0 ? body.slice(0, end) : body).map((x) => x.text).join("\n").replace(/^[^{]*\{/, "").replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "");
      // Members at the top level of the body, split on ; or newlines.
      const members = text.split(/;|\n/).map((x) => x.trim()).filter((x) => /^(?:readonly\s+)?\w+\??\s*[:(<]/.test(x));
      const behaviour = members.filter((x) => /^(?:readonly\s+)?\w+\??\s*(?:<[^>]*>)?\s*\(/.test(x) || /^\w+\??\s*:\s*(?:\([^)]*\)|\w+)\s*=>/.test(x));
      // An input/deps object with a callback or two is still a data shape: behaviour must dominate.
      if (members.length === 0 || behaviour.length * 2 < members.length) continue;
    }
    // Nominal (implements / extends / Python base / Rust impl) and, for TypeScript's structural
    // typing, factories and literals typed as the interface (): Name {, : Name = {, satisfies Name).
    const pattern = `(implements|extends)[^{]*\\b${name}\\b|class\\s+\\w+\\s*\\([^)]*\\b${name}\\b|impl\\s+${name}\\s+for|\\)\\s*:\\s*(Promise<)?${name}>?\\s*(\\{|=>)|:\\s*${name}\\s*=\\s*\\{|satisfies\\s+${name}\\b`;
    const hits = await gitAt(ctx.dir).run(["grep", "-n", "-E", pattern, ctx.diff.head], { okExitCodes: [1] }); // 1: no match
    const impls = hits.split("\n").filter(Boolean).length;
    if (impls <= 1) {
      out.push({ code: "ABS001", message: `Abstraction ${name} has ${impls} implementation${impls === 1 ? "" : "s"}`, file: l.file, line: l.line, fix: "Use the concrete type (or the framework directly) until a second implementation exists." });
    }
  }
  const wrapper = /^\s*(?:export\s+)?class\s+(\w*(?:FactoryFactory|ManagerManager|WrapperWrapper|AbstractFactory|ServiceLocator)\w*)/;
  for (const l of ctx.codeAdded) {
    const m = wrapper.exec(l.text);
    if (m) out.push({ code: "ABS002", message: `Layered indirection: ${m[1]}`, file: l.file, line: l.line, fix: "Call the framework directly; add layers only for a demonstrated need." });
  }
  return out.slice(0, 20);
}

async function integrationTesting(ctx: GateContext): Promise<RawFinding[]> {
  if (ctx.changedCode.length === 0) return [];
  if (ctx.changedTests.some((t) => isIntegrationTest(t.path))) return [];
  const covered = await coveredByEarlierTests(ctx, isIntegrationTest); // written by an earlier task of the story
  if (ctx.changedCode.every((c) => covered.has(c.path))) return [];
  return [{
    code: "INT001",
    message: `Story ${ctx.story} changes code (${ctx.changedCode.map((f) => f.path).slice(0, 5).join(", ")}) without an integration/contract test`,
    file: ctx.changedCode[0].path,
    line: ctx.codeAdded.find((l) => l.file === ctx.changedCode[0].path)?.line ?? 1,
    fix: "Add an integration (or contract) test under tests/integration/ that exercises the story end to end against real dependencies.",
  }];
}

export const GATES: GateDef[] = [
  { id: "library-first", article: "I", name: "Library-First", defaultMode: "warning", match: /library[- ]?first|라이브러리|ライブラリ/i, run: (c) => applyLineRules(c.codeAdded, LIBRARY_RULES) },
  { id: "test-first", article: "III", name: "Test-First", defaultMode: "blocking", match: /test[- ]?first|\btdd\b|test[- ]driven|테스트 주도|テスト駆動|测试驱动/i, run: testFirst },
  { id: "security", article: "IV", name: "Security", defaultMode: "blocking", match: /secur|보안|セキュリティ|安全/i, run: (c) => [...secretFindings(c), ...applyLineRules(c.diff.added.filter((l) => CODE_EXT.test(l.file) || /\.(ya?ml|json|toml|ini|cfg|env|conf|npmrc)$|Dockerfile|Makefile/i.test(l.file)), SECURITY_RULES)] },
  { id: "simplicity", article: "VII", name: "Simplicity", defaultMode: "warning", match: /simplicity|\bsimple\b|단순|シンプル|简单|YAGNI|KISS/i, run: simplicity },
  { id: "anti-abstraction", article: "VIII", name: "Anti-Abstraction", defaultMode: "warning", match: /abstraction|추상|抽象/i, run: antiAbstraction },
  { id: "integration-testing", article: "IX", name: "Integration Testing", defaultMode: "blocking", match: /integration[- ](first[- ])?test|통합 테스트|統合テスト|集成测试/i, run: integrationTesting },
];

/** Mode and article numeral per gate: config > constitution marking > DevGodzilla default. */
export function resolveGateModes(constitution: string | null | undefined, config: QaConfig) {
  const articles = constitution ? parseConstitution(constitution).articles : [];
  return GATES.map((g) => {
    const art = articles.find((a) => g.match.test(a.title)) ?? null;
    let mode: GateMode = g.defaultMode;
    let note = "DevGodzilla default";
    const article = art ? art.number || String(art.index) : g.article;
    if (articles.length > 0 && !art) {
      mode = "off";
      note = "not an article of this project's constitution";
    } else if (art) {
      const marked = markedMode(art);
      mode = marked ?? g.defaultMode;
      note = marked ? `constitution marks article ${article} ${marked}` : `article ${article} of the constitution (unmarked: default ${g.defaultMode})`;
    }
    const override = config.gates[g.id] ?? config.gates[article];
    if (override) {
      mode = override;
      note = `configured ${override}`;
    }
    return { def: g, article, name: art ? art.title : g.name, mode, note };
  });
}

export async function runGates(input: GateInput): Promise<GateResult[]> {
  const codeFiles = input.diff.files.filter((f) => f.status !== "deleted" && isCodeFile(f.path));
  const ctx: GateContext = {
    ...input,
    changedCode: codeFiles,
    changedTests: input.diff.files.filter((f) => f.status !== "deleted" && isTestFile(f.path)),
    codeAdded: input.diff.added.filter((l) => isCodeFile(l.file)),
  };
  const results: GateResult[] = [];
  for (const { def, article, name, mode, note } of resolveGateModes(input.constitution, input.config)) {
    if (mode === "off") {
      results.push({ id: def.id, article, name, mode, status: "skipped", note, findings: [] });
      continue;
    }
    if (def.id === "integration-testing" && !input.story) {
      results.push({ id: def.id, article, name, mode, status: "skipped", note: "not a user-story phase task", findings: [] });
      continue;
    }
    const raw = await def.run(ctx);
    const findings: Finding[] = raw.map((f) => ({ ...f, article, source: "gate", severity: mode }));
    const status = findings.length === 0 ? "passed" : mode === "blocking" ? "failed" : "warned";
    results.push({ id: def.id, article, name, mode, status, note, findings });
  }
  return results;
}
