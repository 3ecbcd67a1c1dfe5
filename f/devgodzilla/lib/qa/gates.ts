// The mechanical checks a constitution's statements can ask for (lib/qa/principles.ts chooses
// them): each reads the branch diff (base..head), the test evidence (evidence.ts) and, where needed,
// the head tree, and yields findings with code, file, line and a suggested fix.
//   test-first         changed code is proven by a test that went from failing or absent to
//                      passing and compares with an expected value (TEST001, TEST003; TEST002 warns
//                      when the branch's history has the tests after the code)
//   no-secrets         credentials committed (SEC001)
//   injection          SQL / shell built from strings, TLS verification off, eval (SEC002-SEC005)
//   integration-tests  a story's code change comes with an integration or contract test (INT001)
//   library-use        hand-written parsers, validators, password hashing, dates, ids (LIB001-LIB005)
//   abstraction        abstractions with one implementation, layered indirection (ABS001-ABS002)
//   simplicity         very long files, deep nesting, more than three projects (SIMP001-SIMP003)

import { Redactor, REDACTED } from "../redact.ts";
import type { BranchDiff, AddedLine, ChangedFile } from "./diff.ts";
import { readAtCommit } from "./diff.ts";
import { gitAt, splitZ } from "../git.ts";
import { classifyPath } from "../project/files.ts";
import { describeCase, type LocatedCase, type TestEvidence } from "./evidence.ts";
import type { CheckName, Finding, FindingLine } from "./types.ts";

export interface CheckContext {
  /** A git checkout that holds base and head (the worktree may be anywhere). */
  dir: string;
  diff: BranchDiff;
  evidence: TestEvidence;
  /** Story id (US1…) when the task is in a story phase; integration tests are asked for only there. */
  story?: string | null;
}

export type RawFinding = Omit<Finding, "principle" | "source" | "severity"> & { severity?: "warning" };

export interface CheckOutcome {
  /** False when the check has nothing to look at in this change (no code changed, not a story task…). */
  applicable: boolean;
  /** What was looked at, for the principles table ("2 tests went from failing to passing: …"). */
  evidence: string;
  findings: RawFinding[];
}

// ---------------------------------------------------------------- file classes

const CODE_EXT =
  /\.(?:[cm]?[jt]sx?|py|go|rs|java|kt|kts|scala|rb|php|cs|fs|swift|c|cc|cpp|cxx|h|hpp|m|mm|dart|ex|exs|erl|clj|lua|sh|bash|zsh|vue|svelte|sql)$/i;
const INTEGRATION_TEST_PATH =
  /(^|\/)(integration|e2e|contract|it|acceptance)(\/|[-_.])|[._-](integration|e2e|contract|acceptance)[._-]|(^|\/)test_(integration|e2e|contract)/i;

/** Changed code that is not a test (by path, or by defining tests). */
function changedCode(ctx: CheckContext): ChangedFile[] {
  const tests = new Set(ctx.evidence.files.map((t) => t.path));
  return ctx.diff.files.filter((f) => f.status !== "deleted" && classifyPath(f.path) === "code" && !tests.has(f.path) && !/(^|\/)specs\/[^/]+\//.test(f.path));
}
const codeAdded = (ctx: CheckContext) => {
  const code = new Set(changedCode(ctx).map((f) => f.path));
  return ctx.diff.added.filter((l) => code.has(l.file));
};

const isTestPath = (p: string) => classifyPath(p) === "test";

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

function applyLineRules(lines: AddedLine[], rules: LineRule[], limitPerCode = 20, isTest: (p: string) => boolean = isTestPath): RawFinding[] {
  const out: RawFinding[] = [];
  const count = new Map<string, number>();
  for (const l of lines) {
    for (const r of rules) {
      if (!r.tests && isTest(l.file)) continue;
      if (!r.re.test(l.text)) continue;
      if (r.and && !r.and.test(l.text)) continue;
      if (r.not && r.not.test(l.text)) continue;
      if (r.bodyNot) {
        const body = lines
          .filter((x) => x.file === l.file && x.line > l.line && x.line <= l.line + 30)
          .map((x) => x.text)
          .join("\n");
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
  {
    code: "SEC002",
    re: SQL,
    and: INTERPOLATED,
    message: "SQL built from strings",
    fix: "Use parameterised queries / prepared statements (placeholders such as ? or $1) or the query builder's bindings.",
  },
  {
    code: "SEC003",
    re: /\b(exec|execSync|spawnSync|spawn)\s*\(\s*[`'"][^`'"]*(\$\{|["'`]\s*\+)|\bexec(Sync)?\s*\(\s*\w+\s*\+/,
    message: "Shell command built from strings",
    fix: "Run the program with an argument array (execa(file, [args]) / spawn without a shell); never interpolate into a command line.",
  },
  {
    code: "SEC003",
    re: /\bshell\s*[:=]\s*(true|True)\b|\bos\.(system|popen)\s*\(|["'](ba|z)?sh["']\s*,\s*["']-c["']|Command::new\(\s*"(ba)?sh"\s*\)/,
    message: "Command run through a shell",
    fix: "Call the program directly with an argument list; a shell turns any interpolated value into code.",
  },
  {
    code: "SEC004",
    re: /rejectUnauthorized\s*:\s*false|NODE_TLS_REJECT_UNAUTHORIZED\s*[=:]\s*["']?0|\bverify\s*=\s*False\b|InsecureSkipVerify\s*:\s*true|danger_accept_invalid_certs\s*\(\s*true|ssl\.CERT_NONE|_create_unverified_context|strict-ssl\s*[=:]?\s*false|curl\b[^\n]*\s(-k|--insecure)\b/,
    tests: false,
    message: "TLS certificate verification disabled",
    fix: "Keep certificate verification on; trust a private CA explicitly (ca option / REQUESTS_CA_BUNDLE / SSL_CERT_FILE) instead.",
  },
  {
    code: "SEC005",
    re: /\beval\s*\(\s*[^)'"`\s]|new\s+Function\s*\(/,
    message: "Dynamic code evaluation",
    fix: "Parse the data (JSON.parse, a real parser) instead of evaluating it as code.",
  },
];

const SECRET_ASSIGN =
  /\b(password|passwd|secret|api[_-]?key|access[_-]?key|auth[_-]?token|private[_-]?key|client[_-]?secret)\b["']?\s*[:=]\s*["'][^"'\s$]{8,}["']/i;
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

function secretFindings(ctx: CheckContext): RawFinding[] {
  const out: RawFinding[] = [];
  const redactor = new Redactor();
  for (const f of ctx.diff.files) {
    if (f.status !== "deleted" && SECRET_FILES.test(f.path) && !/\.(example|sample|template)$/i.test(f.path)) {
      out.push({
        code: "SEC001",
        message: `Secret-bearing file committed: ${f.path}`,
        file: f.path,
        line: 1,
        fix: "Remove the file from the branch (and its history), rotate the credential, and add the file to .gitignore; load secrets from the environment / Windmill resources.",
      });
    }
  }
  for (const l of ctx.diff.added) {
    const shaped = redactedSegments(l.text, redactor.redact(l.text)).some((t) => !looksFake(t));
    const assigned = !isTestPath(l.file) && SECRET_ASSIGN.test(l.text) && !/process\.env|os\.environ|getenv|example|changeme|placeholder|xxxx/i.test(l.text);
    if (shaped || assigned) {
      out.push({
        code: "SEC001",
        message: `Secret committed (${shaped ? "credential-shaped token" : "hard-coded secret value"})`,
        file: l.file,
        line: l.line,
        fix: "Remove the value, rotate it, and read it from the environment / a Windmill resource at run time.",
      });
    }
  }
  return out.slice(0, 30);
}

const LIBRARY_RULES: LineRule[] = [
  {
    code: "LIB001",
    re: /\b(function|def|func|fn|const|let|var)\s+_?(parse|tokeni[sz]e)_?(csv|json|yaml|yml|xml|ini|toml|url|query|querystring|args|argv|cli|options|html|markdown|semver|duration|cookie|header)s?\b/i,
    bodyNot:
      /JSON\.parse|json\.loads?|yaml\.(safe_)?(load|parse)|YAML\.parse|parseYaml|toml\.(load|parse)|tomllib|new URL\(|URLSearchParams|urlparse|parseArgs|argparse|csv-parse|csv\.(reader|DictReader)|papaparse|semver\.|xml2js|DOMParser|ElementTree|serde_|encoding\/json|url\.Parse|flag\./,
    message: "Hand-written parser",
    fix: "Use the ecosystem's parser (csv-parse / JSON.parse / yaml / URL & URLSearchParams / node:util parseArgs / argparse / semver…).",
  },
  {
    code: "LIB002",
    re: /\b(function|def|func|fn|const|let|var)\s+_?(is_?valid|validate|check)_?(email|e_mail|url|uri|phone|uuid|ip|ipv4|ipv6|iban|credit_?card|zip|postcode)\b/i,
    message: "Hand-written validator",
    fix: "Use a schema/validation library (zod, validator, pydantic, email-validator…) instead of ad-hoc checks.",
  },
  {
    code: "LIB002",
    re: /[/'"]\^?\[[^\]]*\]\+@\[?[^\]]*\]?\+?\\\.|@\[a-z/i,
    message: "Hand-written e-mail/URL regex",
    fix: "Use a validation library (zod's .email(), validator.isEmail, email-validator).",
  },
  {
    code: "LIB003",
    re: /createHash\s*\(\s*["'](md5|sha1|sha256|sha512)["']\s*\)|hashlib\.(md5|sha1|sha256|sha512)\s*\(|(md5|sha1|sha256)\.(New|Sum)/i,
    and: /pass(word)?|pwd|secret/i,
    message: "Password hashed with a fast general-purpose hash",
    fix: "Use a password-hashing library (argon2, bcrypt, scrypt / crypto.scrypt, passlib) with a per-user salt.",
  },
  {
    code: "LIB003",
    re: /\b(function|def|func|fn|const|let)\s+_?hash_?pass(word)?\b/i,
    message: "Hand-written password hashing",
    fix: "Use argon2 / bcrypt / scrypt through a maintained library.",
  },
  {
    code: "LIB004",
    re: /\b(function|def|func|fn|const|let|var)\s+_?(format|parse|add|diff|subtract)_?(date|dates|days|months|years|time|timestamp|iso)\b/i,
    message: "Hand-written date handling",
    fix: "Use Intl.DateTimeFormat / Temporal / date-fns / datetime / time package instead of manual date arithmetic.",
  },
  {
    code: "LIB004",
    re: /["']Jan(uary)?["']\s*,\s*["']Feb(ruary)?["']/,
    message: "Hand-written month table",
    fix: "Use Intl.DateTimeFormat or the standard library's date formatting.",
  },
  {
    code: "LIB005",
    re: /Math\.random\(\)\.toString\(\s*(16|36)\s*\)/,
    and: /\b(\w*Id|id|uuid|\w*_id|guid)\b\s*[:=]/i,
    message: "Hand-written id generation",
    fix: "Use crypto.randomUUID() / uuid / the standard library.",
  },
  {
    code: "LIB005",
    re: /\b(function|def|func|fn)\s+_?(generate_?|make_?|new_?)?uu?id(v4)?\s*\(|\b(const|let)\s+(generate|make|new)_?uuid\w*\s*=\s*(\(|function)/i,
    message: "Hand-written UUID generation",
    fix: "Use crypto.randomUUID() / uuid / the standard library.",
  },
];

async function simplicity(ctx: CheckContext): Promise<RawFinding[]> {
  const out: RawFinding[] = [];
  for (const f of changedCode(ctx)) {
    if (f.status === "deleted") continue;
    const text = await readAtCommit(ctx.dir, ctx.diff.head, f.path);
    if (text == null) continue;
    const lines = text.split("\n");
    if (lines.length > 500) {
      out.push({
        code: "SIMP001",
        message: `${f.path} has ${lines.length} lines`,
        file: f.path,
        line: 1,
        fix: "Split the file by responsibility; keep modules small enough to read in one sitting.",
      });
    }
    const indents = lines.map((l) => /^( *)\S/.exec(l)?.[1].length ?? 0).filter((n) => n > 0);
    const tabbed = lines.some((l) => /^\t+\S/.test(l));
    const unit = tabbed ? 1 : Math.max(2, Math.min(...indents.filter((n) => n >= 2), 4));
    const deep = codeAdded(ctx).find((l) => {
      if (l.file !== f.path) return false;
      const m = tabbed ? /^(\t*)\S/.exec(l.text) : /^( *)\S/.exec(l.text);
      // Control flow only: deep object literals (schemas, config) and indented text are not complexity.
      return (
        !!m && m[1].length / unit >= 6 && /^\s*(?:\}\s*)?(if|else|for|foreach|while|do|switch|case|try|catch|except|elif|with|match|loop|select)\b/.test(l.text)
      );
    });
    if (deep)
      out.push({
        code: "SIMP002",
        message: `Nesting 6+ levels deep in ${f.path}`,
        file: f.path,
        line: deep.line,
        fix: "Return early, extract functions, or flatten the conditionals.",
      });
  }
  const manifests = /(^|\/)(package\.json|go\.mod|Cargo\.toml|pyproject\.toml|setup\.py|pom\.xml|build\.gradle(\.kts)?|[^/]+\.csproj)$/;
  if (ctx.diff.files.some((f) => f.status === "added" && manifests.test(f.path))) {
    const tree = splitZ(await gitAt(ctx.dir).run(["ls-tree", "-r", "-z", "--name-only", ctx.diff.head]));
    const projects = tree.filter((p) => manifests.test(p) && !/node_modules\/|vendor\/|fixtures?\//.test(p));
    if (projects.length > 3) {
      const added = ctx.diff.files.find((f) => f.status === "added" && manifests.test(f.path))!;
      out.push({
        code: "SIMP003",
        message: `${projects.length} projects in the repository (more than 3): ${projects.slice(0, 6).join(", ")}`,
        file: added.path,
        line: 1,
        fix: "Keep to at most 3 projects; justify extra ones in the plan's Complexity Tracking table.",
      });
    }
  }
  return out;
}

async function antiAbstraction(ctx: CheckContext): Promise<RawFinding[]> {
  const out: RawFinding[] = [];
  const decl =
    /^\s*(?:export\s+)?(?:(?:public|internal)\s+)?(?:interface|abstract\s+class|trait)\s+([A-Z]\w*)|^\s*class\s+([A-Z]\w*)\s*\((?:ABC|Protocol|abc\.ABC)\)/;
  for (const l of codeAdded(ctx)) {
    const m = decl.exec(l.text);
    if (!m) continue;
    const name = m[1] ?? m[2];
    if (/Props$|Options$|Config$|Params$|Result$|State$|Dto$|DTO$/.test(name)) continue; // data shapes, not layers
    if (/\binterface\b/.test(l.text)) {
      // A TypeScript/Java/Go interface that only lists fields is a data shape, not a layer: flag it
      // only when it declares behaviour (a method signature or a function-typed member).
      const body = codeAdded(ctx).filter((x) => x.file === l.file && x.line >= l.line && x.line <= l.line + 40);
      const end = body.findIndex((x, i) => i > 0 && /^\s*\}/.test(x.text));
      const text = (end > 0 ? body.slice(0, end) : body)
        .map((x) => x.text)
        .join("\n")
        .replace(/^[^{]*\{/, "")
        .replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "");
      // Members at the top level of the body, split on ; or newlines.
      const members = text
        .split(/;|\n/)
        .map((x) => x.trim())
        .filter((x) => /^(?:readonly\s+)?\w+\??\s*[:(<]/.test(x));
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
      out.push({
        code: "ABS001",
        message: `Abstraction ${name} has ${impls} implementation${impls === 1 ? "" : "s"}`,
        file: l.file,
        line: l.line,
        fix: "Use the concrete type (or the framework directly) until a second implementation exists.",
      });
    }
  }
  const wrapper = /^\s*(?:export\s+)?class\s+(\w*(?:FactoryFactory|ManagerManager|WrapperWrapper|AbstractFactory|ServiceLocator)\w*)/;
  for (const l of codeAdded(ctx)) {
    const m = wrapper.exec(l.text);
    if (m)
      out.push({
        code: "ABS002",
        message: `Layered indirection: ${m[1]}`,
        file: l.file,
        line: l.line,
        fix: "Call the framework directly; add layers only for a demonstrated need.",
      });
  }
  return out.slice(0, 20);
}

// ---------------------------------------------------------------- test-first

/** The head cases this change turned green: absent or failing at base, or whose test it edited. */
function turnedGreen(ctx: CheckContext): LocatedCase[] {
  const ev = ctx.evidence;
  const edited = (c: LocatedCase) => {
    const file = ev.files.find((t) => t.path === c.file);
    if (!file || !c.def) return false;
    if (file.status === "added") return true;
    const baseDef = file.baseDefs.find((d) => d.name === c.def!.name);
    return !baseDef || ctx.diff.added.some((l) => l.file === file.path && l.line >= c.def!.line && l.line <= c.def!.endLine);
  };
  return ev.cases.filter(
    (c) =>
      c.status === "passed" &&
      (c.before === "absent" ||
        c.before === "failed" ||
        c.before === "skipped" ||
        c.before === "todo" ||
        ((c.before === "unknown" || c.before === "passed") && edited(c))),
  );
}

async function testFirst(ctx: CheckContext): Promise<CheckOutcome> {
  const code = changedCode(ctx);
  if (!code.length) return { applicable: false, evidence: "no code changed (tests, docs or configuration only)", findings: [] };
  const first = code[0]!;
  const line = ctx.diff.added.find((l) => l.file === first.path)?.line ?? 1;
  const list =
    code
      .map((f) => f.path)
      .slice(0, 6)
      .join(", ") + (code.length > 6 ? ", …" : "");
  if (!ctx.evidence.head) {
    return {
      applicable: true,
      evidence: "no test results",
      findings: [
        {
          code: "TEST001",
          message: `Code changed (${list}) and no test results show it tested: the project has no test command in its profile, or its results could not be read`,
          file: first.path,
          line,
          fix: "Give the project a test command (onboarding detects it) that runs tests for this code.",
        },
      ],
    };
  }
  const green = turnedGreen(ctx);
  const proving = green.filter((c) => c.strength === "strong" || c.strength === "unknown");
  const order = testOrder(ctx, code);
  if (proving.length) {
    return {
      applicable: true,
      evidence: `${proving.length} test${proving.length === 1 ? "" : "s"} went from failing or absent to passing: ${proving.slice(0, 3).map(describeCase).join(", ")}`,
      findings: order,
    };
  }
  if (green.length) {
    const weak = green[0]!;
    const file = ctx.evidence.files.find((t) => t.path === weak.file);
    const lines: FindingLine[] =
      file?.headText && weak.def
        ? file.headText
            .split("\n")
            .slice(weak.def.line - 1, Math.min(weak.def.endLine, weak.def.line + 7))
            .map((text, i) => ({ file: weak.file!, line: weak.def!.line + i, text, change: "+" as const }))
        : [];
    return {
      applicable: true,
      evidence: `the new tests check nothing specific: ${green.slice(0, 3).map(describeCase).join(", ")}`,
      findings: [
        ...order,
        {
          code: "TEST003",
          message: `The tests that pass with this change compare nothing with an expected value (${weak.strength === "none" ? "no assertion" : "only truthiness, presence or type checks"}): ${green.slice(0, 4).map(describeCase).join(", ")}`,
          file: weak.file ?? first.path,
          line: weak.line ?? line,
          lines,
          fix: "Assert the result against the value the spec expects (equal / toBe / == / assert_eq!).",
        },
      ],
    };
  }
  return {
    applicable: true,
    evidence: `no test went from failing or absent to passing (${ctx.evidence.headCounts?.executed ?? 0} ran)`,
    findings: [
      ...order,
      {
        code: "TEST001",
        message: `Code changed without a test that proves it: ${list} — no test went from failing (or absent) to passing`,
        file: first.path,
        line,
        fix: "Add tests that exercise the changed behaviour (written first, failing, then made to pass) where the test command runs them.",
      },
    ],
  };
}

/** TEST002 (a warning): in the branch's history, tests arrived after the code they test. */
function testOrder(ctx: CheckContext, code: ChangedFile[]): RawFinding[] {
  const tests = ctx.evidence.files.filter((t) => t.status !== "deleted").map((t) => t.path);
  if (!tests.length) return [];
  const firstSeen = new Map<string, number>();
  ctx.diff.commits.forEach((c, i) => {
    for (const f of c.files) if (f.status !== "deleted" && !firstSeen.has(f.path)) firstSeen.set(f.path, i);
  });
  const firstTest = Math.min(...tests.map((t) => firstSeen.get(t) ?? Infinity));
  const out: RawFinding[] = [];
  for (const c of code) {
    const ci = firstSeen.get(c.path);
    if (ci === undefined || !Number.isFinite(firstTest) || firstTest <= ci) continue;
    const codeCommit = ctx.diff.commits[ci]!;
    const testCommit = ctx.diff.commits[firstTest]!;
    out.push({
      code: "TEST002",
      severity: "warning",
      file: c.path,
      line: ctx.diff.added.find((l) => l.file === c.path)?.line ?? 1,
      message: `Tests arrived after the code: ${c.path} changed in ${codeCommit.sha.slice(0, 8)} ("${codeCommit.subject}") before any test, in ${testCommit.sha.slice(0, 8)} ("${testCommit.subject}")`,
      fix: "Commit the failing test first (red), then the implementation (green).",
    });
  }
  return out;
}

// ---------------------------------------------------------------- integration tests

async function integrationTests(ctx: CheckContext): Promise<CheckOutcome> {
  const code = changedCode(ctx);
  if (!ctx.story) return { applicable: false, evidence: "not a user-story task", findings: [] };
  if (!code.length) return { applicable: false, evidence: "no code changed", findings: [] };
  const isIntegration = (p: string | null) => !!p && INTEGRATION_TEST_PATH.test(p);
  const ran = ctx.evidence.cases.filter((c) => isIntegration(c.file) && c.status === "passed");
  const changed = ctx.evidence.files.filter((t) => t.status !== "deleted" && isIntegration(t.path));
  if (ran.length || changed.length)
    return {
      applicable: true,
      evidence: ran.length
        ? `integration tests ran: ${ran.slice(0, 3).map(describeCase).join(", ")}`
        : `integration tests changed: ${changed.map((t) => t.path).join(", ")}`,
      findings: [],
    };
  // Written by an earlier task of the story: an integration test in the tree that names changed code.
  const tree = splitZ(await gitAt(ctx.dir).run(["ls-tree", "-r", "--name-only", "-z", ctx.diff.base]))
    .filter((p) => classifyPath(p) === "test" && isIntegration(p))
    .slice(0, 300);
  for (const t of tree) {
    const text = (await readAtCommit(ctx.dir, ctx.diff.base, t)) ?? "";
    if (code.some((c) => text.includes((c.path.split("/").pop() ?? c.path).replace(/\.[^.]+$/, ""))))
      return { applicable: true, evidence: `${t} (an earlier task's integration test) covers it`, findings: [] };
  }
  return {
    applicable: true,
    evidence: "no integration or contract test",
    findings: [
      {
        code: "INT001",
        message: `Story ${ctx.story} changes code (${code
          .map((f) => f.path)
          .slice(0, 5)
          .join(", ")}) without an integration/contract test`,
        file: code[0]!.path,
        line: ctx.diff.added.find((l) => l.file === code[0]!.path)?.line ?? 1,
        fix: "Add an integration (or contract) test that exercises the story end to end against real dependencies.",
      },
    ],
  };
}

// ---------------------------------------------------------------- the registry

const lineCheck = (findings: RawFinding[], what: string): CheckOutcome => ({
  applicable: true,
  evidence: findings.length ? `${findings.length} finding${findings.length === 1 ? "" : "s"}` : what,
  findings,
});

/** The checks with findings of their own (lint, typecheck and tests-pass read the project's checks). */
export const MECHANICAL_CHECKS: Partial<Record<CheckName, { title: string; run: (ctx: CheckContext) => Promise<CheckOutcome> }>> = {
  "test-first": { title: "Tests before code", run: testFirst },
  "no-secrets": {
    title: "No secrets",
    run: async (c) => lineCheck(secretFindings(c), `no credential in ${c.diff.files.length} changed file${c.diff.files.length === 1 ? "" : "s"}`),
  },
  injection: {
    title: "No injection paths",
    run: async (c) =>
      lineCheck(
        applyLineRules(
          c.diff.added.filter((l) => CODE_EXT.test(l.file) || /\.(ya?ml|json|toml|ini|cfg|env|conf|npmrc)$|Dockerfile|Makefile/i.test(l.file)),
          SECURITY_RULES,
          20,
          isTestPath,
        ),
        "no string-built SQL or shell, TLS verification kept, no eval",
      ),
  },
  "integration-tests": { title: "Integration tests", run: integrationTests },
  "library-use": {
    title: "Libraries over hand-written code",
    run: async (c) => lineCheck(applyLineRules(codeAdded(c), LIBRARY_RULES, 20, isTestPath), "no hand-written parser, validator, hashing, date or id code"),
  },
  abstraction: { title: "No needless abstraction", run: async (c) => lineCheck(await antiAbstraction({ ...c }), "no single-implementation abstraction") },
  simplicity: { title: "Simplicity limits", run: async (c) => lineCheck(await simplicity(c), "no long file, deep nesting or extra project") },
};
