// What a test file's source says, read from the structure of the common test dialects (JS/TS
// it/test/describe and node:test, pytest/unittest, Go testing, Rust #[test], JUnit @Test):
//   definitions  the tests and suites it defines, with their line, extent and skip/only/todo marks
//   assertions   each assertion and its strength: `strong` compares the value under test with an
//                expected value (equal, toBe(x), ==, assert_eq!); `weak` only checks truthiness,
//                presence, type or "does not throw"; `tautology` cannot fail (assert True, expect(1).toBe(1))
// QA uses it to show which lines of a test were taken out or loosened, to tell whether a file
// defines tests the runner never ran, and whether the test that proves a criterion checks anything.

export type Lang = "js" | "py" | "go" | "rust" | "jvm" | "other";

export function langOf(path: string): Lang {
  if (/\.[cm]?[jt]sx?$/i.test(path)) return "js";
  if (/\.pyi?$/i.test(path)) return "py";
  if (/\.go$/i.test(path)) return "go";
  if (/\.rs$/i.test(path)) return "rust";
  if (/\.(java|kt|kts|scala|groovy)$/i.test(path)) return "jvm";
  return "other";
}

export type Modifier = "skip" | "only" | "todo";

export interface TestDef {
  name: string;
  /** 1-based line of the definition. */
  line: number;
  /** Last line of its body (the line before the next definition, or the file's last line). */
  endLine: number;
  kind: "case" | "suite";
  modifier: Modifier | null;
}

export type Strength = "strong" | "weak" | "tautology";

export interface Assertion {
  line: number;
  text: string;
  strength: Strength;
}

// ---------------------------------------------------------------- definitions

const JS_DEF =
  /(?:^|[^.\w$])(x?it|x?test|specify|fit|ftest|x?describe|fdescribe|context|suite|Deno\.test)((?:\s*\.\s*(?:skip|only|todo|concurrent|sequential|fails|failing|skipIf\s*\([^)]*\)|runIf\s*\([^)]*\)|each\s*(?:\([^)]*\)|`[^`]*`)))*)\s*\(\s*(["'`])((?:\\.|(?!\3).)*)\3/;
const JS_SUBTEST = /\b(?:t|context|ctx)\s*\.\s*test\s*\(\s*(["'`])((?:\\.|(?!\1).)*)\1/;
const JS_OPTION_MOD = /,\s*\{[^}]*\b(skip|todo|only)\s*:\s*(?!false\b|undefined\b|null\b)[^,}\s]/;

function jsDefs(lines: string[]): Omit<TestDef, "endLine">[] {
  const out: Omit<TestDef, "endLine">[] = [];
  lines.forEach((l, i) => {
    const m = JS_DEF.exec(l);
    if (m) {
      const fn = m[1]!;
      const chain = m[2] ?? "";
      const kind = /describe|context|suite/.test(fn) ? "suite" : "case";
      let modifier: Modifier | null = null;
      if (/^x/.test(fn) || /\.\s*(skip|skipIf)\b/.test(chain)) modifier = "skip";
      else if (/\.\s*todo\b/.test(chain)) modifier = "todo";
      else if (/^f/.test(fn) || /\.\s*only\b/.test(chain)) modifier = "only";
      const opt = JS_OPTION_MOD.exec(l.slice(m.index + m[0].length));
      if (!modifier && opt) modifier = opt[1] as Modifier;
      out.push({ name: m[4]!, line: i + 1, kind, modifier });
      return;
    }
    const s = JS_SUBTEST.exec(l);
    if (s) {
      const opt = JS_OPTION_MOD.exec(l.slice(s.index + s[0].length));
      out.push({ name: s[2]!, line: i + 1, kind: "case", modifier: opt ? (opt[1] as Modifier) : null });
    }
  });
  return out;
}

const PY_SKIP_DECORATOR = /^\s*@(?:pytest\.mark\.(skip|skipif|xfail)|unittest\.(skip|skipIf|skipUnless|expectedFailure))\b/;

function pyDefs(lines: string[]): Omit<TestDef, "endLine">[] {
  const out: Omit<TestDef, "endLine">[] = [];
  lines.forEach((l, i) => {
    const def = /^\s*(?:async\s+)?def\s+(test\w*)\s*\(/.exec(l);
    const cls = /^\s*class\s+(Test\w*|\w+Tests?)\b\s*[(:]/.exec(l);
    if (!def && !cls) return;
    let modifier: Modifier | null = null;
    for (let k = i - 1; k >= 0 && /^\s*@/.test(lines[k]!); k--) if (PY_SKIP_DECORATOR.test(lines[k]!)) modifier = "skip";
    out.push({ name: (def ?? cls)![1]!, line: i + 1, kind: def ? "case" : "suite", modifier });
  });
  return out;
}

function goDefs(lines: string[]): Omit<TestDef, "endLine">[] {
  const out: Omit<TestDef, "endLine">[] = [];
  lines.forEach((l, i) => {
    // Lower-case "testX" is listed too: it looks like a test and go never runs it.
    const f = /^func\s+([Tt]est\w*)\s*\(\s*\w+\s+\*testing\.T\s*\)/.exec(l);
    if (f) return void out.push({ name: f[1]!, line: i + 1, kind: "case", modifier: null });
    const sub = /\b\w+\.Run\(\s*"((?:\\.|[^"])*)"/.exec(l);
    if (sub) out.push({ name: sub[1]!, line: i + 1, kind: "case", modifier: null });
  });
  return out;
}

function attributeDefs(lines: string[], attr: RegExp, skipAttr: RegExp, fn: RegExp): Omit<TestDef, "endLine">[] {
  const out: Omit<TestDef, "endLine">[] = [];
  lines.forEach((l, i) => {
    if (!attr.test(l)) return;
    let skip = skipAttr.test(l);
    for (let k = i + 1; k < Math.min(lines.length, i + 6); k++) {
      if (skipAttr.test(lines[k]!)) skip = true;
      const m = fn.exec(lines[k]!);
      if (m) return void out.push({ name: m[1]!, line: k + 1, kind: "case", modifier: skip ? "skip" : null });
    }
  });
  return out;
}

/** The tests and suites a file defines, in file order. */
export function testDefinitions(path: string, text: string): TestDef[] {
  const lines = text.split("\n");
  let defs: Omit<TestDef, "endLine">[];
  switch (langOf(path)) {
    case "js":
      defs = jsDefs(lines);
      break;
    case "py":
      defs = pyDefs(lines);
      break;
    case "go":
      defs = goDefs(lines);
      break;
    case "rust":
      defs = attributeDefs(lines, /^\s*#\[(?:\w+::)*test\b/, /#\[ignore\b/, /^\s*(?:pub\s+)?(?:async\s+)?fn\s+(\w+)/);
      break;
    case "jvm":
      defs = attributeDefs(lines, /^\s*@(?:Test|ParameterizedTest)\b/, /@(Disabled|Ignore)\b/, /\b(?:void|fun)\s+(\w+)\s*\(/);
      break;
    default:
      defs = [];
  }
  return defs.map((d, k) => ({ ...d, endLine: k + 1 < defs.length ? Math.max(d.line, defs[k + 1]!.line - 1) : lines.length }));
}

/** True when the source defines at least one test case (whatever its path). */
export function definesTests(path: string, text: string): boolean {
  return testDefinitions(path, text).some((d) => d.kind === "case");
}

/** A skip / only / todo mark on one line (a changed line of a test file). */
export function modifierOn(path: string, line: string): Modifier | null {
  const lang = langOf(path);
  if (lang === "js") {
    const d = jsDefs([line])[0];
    if (d?.modifier) return d.modifier;
    if (/\bt\s*\.\s*(skip|todo)\s*\(/.test(line)) return /todo/.test(line) ? "todo" : "skip";
    return null;
  }
  if (lang === "py") return PY_SKIP_DECORATOR.test(line) || /\b(pytest\.skip|self\.skipTest)\s*\(/.test(line) ? "skip" : null;
  if (lang === "go") return /\b\w+\.(Skip|SkipNow|Skipf)\s*\(/.test(line) ? "skip" : null;
  if (lang === "rust") return /#\[ignore\b/.test(line) ? "skip" : null;
  if (lang === "jvm") return /@(Disabled|Ignore)\b/.test(line) ? "skip" : null;
  return null;
}

// ---------------------------------------------------------------- assertions

/** The argument text of the call whose "(" is at `open`, up to its matching ")" (same line). */
function argsAt(s: string, open: number): string | null {
  let depth = 0;
  let quote = "";
  for (let i = open; i < s.length; i++) {
    const ch = s[i]!;
    if (quote) {
      if (ch === "\\") i++;
      else if (ch === quote) quote = "";
      continue;
    }
    if (ch === '"' || ch === "'" || ch === "`") quote = ch;
    else if (ch === "(" || ch === "[" || ch === "{") depth++;
    else if (ch === ")" || ch === "]" || ch === "}") {
      depth--;
      if (depth === 0) return s.slice(open + 1, i);
    }
  }
  return null;
}

/** Top-level comma-separated arguments. */
function splitArgs(args: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote = "";
  let start = 0;
  for (let i = 0; i < args.length; i++) {
    const ch = args[i]!;
    if (quote) {
      if (ch === "\\") i++;
      else if (ch === quote) quote = "";
      continue;
    }
    if (ch === '"' || ch === "'" || ch === "`") quote = ch;
    else if ("([{".includes(ch)) depth++;
    else if (")]}".includes(ch)) depth--;
    else if (ch === "," && depth === 0) {
      out.push(args.slice(start, i).trim());
      start = i + 1;
    }
  }
  const last = args.slice(start).trim();
  if (last) out.push(last);
  return out;
}

const LITERAL = /^(?:true|false|True|False|null|None|nil|undefined|-?\d+(?:\.\d+)?|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`$]*`|\[\s*\]|\{\s*\})$/;
const isLiteral = (s: string) => LITERAL.test(s.trim());
const norm = (s: string) => s.replace(/\s+/g, "");
const EMPTY = /^(None|null|nil|undefined|0|""|''|\[\s*\]|\{\s*\})$/;
/** Type and presence probes: they say a value exists or has a type, not that it is right. */
const TYPE_PROBE = /^(typeof\b|type\s*\(|isinstance\s*\(|Array\.isArray\s*\(|reflect\.TypeOf\s*\(|len\s*\(|\w+\.length$)/;
const TYPE_NAME = /^["'](number|string|object|function|boolean|undefined|bigint|symbol|int|str|float|dict|list)["']$/;
/** A function whose name asks a yes/no question: asserting its result is a real check. */
const PREDICATE_CALL =
  /(?:^|[.\s!(])(?:is|has|can|should|was|does|did|are|contains|includes|exists|matches|equals|valid|validate|allows|supports|starts|ends|Is|Has|Can|Should|Contains|Equal|Valid|Matches)[A-Z_]?\w*\s*\(/;

/** Two sides that are the same text or both literals cannot disagree because of the code under test. */
function constantPair(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  return norm(a) === norm(b) || (isLiteral(a) && isLiteral(b));
}

const COMPARE = /^(.+?)\s*(===|!==|==|!=|<=|>=|(?<![-=])<(?![=-])|(?<![-=])>(?!=)|\bnot\s+in\b|\bin\b|\bis\s+not\b|\bis\b)\s*(.+)$/;

/** How strongly a boolean expression checks the code: a comparison with an expected value is strong. */
function expressionStrength(expr: string): Strength {
  let e = expr
    .trim()
    .replace(/^\((.*)\)$/, "$1")
    .trim();
  e = e.replace(/^(?:not\s+|!\s*)/, "");
  if (!e || isLiteral(e)) return "tautology";
  const m = COMPARE.exec(e);
  if (m) {
    const [left, op, right] = [m[1]!.trim(), m[2]!, m[3]!.trim()];
    if (constantPair(left, right)) return "tautology";
    if (TYPE_PROBE.test(left) || TYPE_PROBE.test(right) || TYPE_NAME.test(right) || TYPE_NAME.test(left)) return "weak";
    // "is not None", "!= null", "> 0", "!== undefined": presence, not a value; "!=" only rules one value out.
    if (EMPTY.test(right) && !/^(==|===|is)$/.test(op)) return "weak";
    if (/^(!=|!==|is\s+not|not\s+in)$/.test(op.replace(/\s+/g, " "))) return "weak";
    return "strong";
  }
  if (PREDICATE_CALL.test(` ${e}`)) return "strong";
  return "weak";
}

const JS_WEAK_MATCHERS =
  /^(toBeTruthy|toBeFalsy|toBeDefined|toBeInstanceOf|toBeTypeOf|toHaveBeenCalled|toBeCalled|ok|exist|exists|a|an|instanceOf|instanceof|empty|called|toBeOk|not)$/;

function jsAssertion(line: string): Strength | null {
  // expect(x)…matcher(args) / expect(x).to.be.ok (chai property)
  const ex = /\bexpect\s*\(/.exec(line);
  if (ex) {
    const open = ex.index + ex[0].length - 1;
    const subject = argsAt(line, open) ?? "";
    const rest = line.slice(open + subject.length + 2);
    const chain = [...rest.matchAll(/\.\s*([A-Za-z]+)\s*(\()?/g)];
    const last = chain[chain.length - 1];
    if (!last) return "weak";
    const matcher = last[1]!;
    const args = last[2] ? splitArgs(argsAt(rest, last.index! + last[0].length - 1) ?? "") : [];
    if (isLiteral(subject) && (!args.length || args.every(isLiteral))) return "tautology";
    if (args.length && constantPair(subject, args[0])) return "tautology";
    if (chain.some((c) => c[1] === "not")) return "weak"; // ".not.toBe(x)" only rules one value out
    if (/^(toThrow|toThrowError|throw|throws)$/.test(matcher)) return args.length ? "strong" : "weak";
    if (matcher === "toHaveProperty") return args.length >= 2 ? "strong" : "weak";
    if (/^(true|false|toBeTruthy|toBeFalsy|ok)$/.test(matcher)) return expressionStrength(subject) === "strong" ? "strong" : "weak";
    if (JS_WEAK_MATCHERS.test(matcher)) return "weak";
    if (TYPE_PROBE.test(subject.trim()) && args.some((a) => TYPE_NAME.test(a.trim()))) return "weak";
    return args.length || /^(null|undefined|NaN|toBeNull|toBeUndefined|toBeNaN)$/.test(matcher) ? "strong" : "weak";
  }
  // assert.fn(args) / assert(args) / t.is(a, b) (ava, tap, node's t.assert)
  const as = /\b(assert|t(?:\.assert)?)\s*(?:\.\s*(\w+))?\s*\(/.exec(line);
  if (!as || (as[1] !== "assert" && !as[2])) return null;
  const fn = as[2] ?? "ok";
  const args = splitArgs(argsAt(line, as.index + as[0].length - 1) ?? "");
  if (/^(ok|true|truthy|notOk|false|falsy|assert)$/.test(fn)) return args[0] ? expressionStrength(args[0]) : "tautology";
  if (/^(ifError|doesNotThrow|doesNotReject|pass)$/.test(fn)) return "weak";
  if (fn === "fail") return "strong";
  if (/^(throws|rejects|throwsAsync)$/.test(fn)) return args.length >= 2 ? "strong" : "weak";
  if (/^(notEqual|notStrictEqual|notDeepEqual|notDeepStrictEqual|doesNotMatch|not|notSame)$/.test(fn))
    return args.length >= 2 && constantPair(args[0], args[1]) ? "tautology" : "weak";
  if (/^(equal|strictEqual|deepEqual|deepStrictEqual|partialDeepStrictEqual|match|is|same|strictSame|like|deepEquals|equals|regex)$/.test(fn)) {
    if (args.length < 2) return "weak";
    if (constantPair(args[0], args[1])) return "tautology";
    if (TYPE_PROBE.test(args[0]!) && TYPE_NAME.test(args[1]!.trim())) return "weak";
    return "strong";
  }
  if (/^(snapshot|matchSnapshot)$/.test(fn)) return "strong";
  return null;
}

function pyAssertion(line: string): Strength | null {
  const a = /^\s*assert\b\s*(.*)$/.exec(line);
  if (a) {
    const expr = splitArgs(a[1]!)[0] ?? "";
    if (/pytest\.approx/.test(expr)) return "strong";
    return expressionStrength(expr);
  }
  if (/\bpytest\.raises\s*\(\s*\w/.test(line)) return "strong";
  const m = /\bself\.(assert\w+|fail)\s*\(/.exec(line);
  if (!m) return null;
  const fn = m[1]!;
  const args = splitArgs(argsAt(line, m.index + m[0].length - 1) ?? "");
  if (fn === "fail") return "strong";
  if (/^assert(True|False|Truthy)$/.test(fn)) return args[0] ? expressionStrength(args[0]) : "tautology";
  if (/^assert(IsNotNone|IsInstance|NotIsInstance)$/.test(fn)) return !args[0] || isLiteral(args[0]) ? "tautology" : "weak";
  if (fn === "assertIsNone") return args[0] && !isLiteral(args[0]) ? "strong" : "tautology";
  if (/^assertRaises/.test(fn)) return args.length >= 1 ? "strong" : "weak";
  if (args.length >= 2) return constantPair(args[0], args[1]) ? "tautology" : "strong";
  return "weak";
}

function goAssertion(line: string, prev: string[]): Strength | null {
  const testify = /\b(?:assert|require)\.(\w+)\s*\(/.exec(line);
  if (testify) {
    const args = splitArgs(argsAt(line, testify.index + testify[0].length - 1) ?? "").slice(1); // drop t
    const fn = testify[1]!;
    if (/^(True|False)$/.test(fn)) return args[0] ? expressionStrength(args[0]) : "tautology";
    if (/^(NotNil|Nil|NoError|Error|NotEmpty|Empty|Zero|NotZero|Condition)$/.test(fn)) return !args[0] || isLiteral(args[0]) ? "tautology" : "weak";
    if (args.length >= 2) return constantPair(args[0], args[1]) ? "tautology" : "strong";
    return "weak";
  }
  if (!/\b\w+\.(Error|Errorf|Fatal|Fatalf|Fail|FailNow)\s*\(/.test(line)) return null;
  // The condition that guards the failure: `if got != want {` just above (or on the same line).
  for (const l of [line, ...prev.slice().reverse()]) {
    // gofmt puts a space before a block's brace and none before a composite literal's ([]int{2, 3}).
    const c = /\bif\s+(.+?)\s+\{/.exec(l);
    if (!c) continue;
    const cond = c[1]!.replace(/^.*;\s*/, "");
    if (/reflect\.DeepEqual|cmp\.(Equal|Diff)|bytes\.Equal|strings\.(Contains|HasPrefix|HasSuffix)/.test(cond)) return "strong";
    // The condition states the failure: `if got != want` asserts got == want (strong);
    // `if err != nil` / `if x == nil` only guard an error or a presence (weak).
    // `if got != 0` fails unless got is 0: an equality with an expected value, zero included;
    // `if got == x` only rules one value out; `if got <= 0` only asks for a positive value.
    const m = COMPARE.exec(cond.trim());
    if (m) {
      const [left, op, right] = [m[1]!.trim(), m[2]!, m[3]!.trim()];
      if (constantPair(left, right)) return "tautology";
      if (op === "!=") return left === "nil" || right === "nil" ? "weak" : "strong";
      if (op === "==") return "weak";
      return EMPTY.test(right) || EMPTY.test(left) ? "weak" : "strong";
    }
    return expressionStrength(cond);
  }
  return "strong"; // an unconditional failure
}

function rustAssertion(line: string): Strength | null {
  const m = /\b(assert_eq|assert_ne|assert|debug_assert_eq|debug_assert|assert_matches|matches)!\s*\(/.exec(line);
  if (!m) return null;
  const args = splitArgs(argsAt(line, m.index + m[0].length - 1) ?? "");
  if (/_eq|_ne/.test(m[1]!)) return constantPair(args[0], args[1]) ? "tautology" : "strong";
  if (m[1] === "assert_matches" || m[1] === "matches") return "strong";
  return args[0] ? expressionStrength(args[0]) : "tautology";
}

function jvmAssertion(line: string): Strength | null {
  const m = /\b(assert\w*)\s*\(/.exec(line);
  if (!m) return null;
  if (/assertThat\s*\(/.test(line))
    return /\.(isEqualTo|isEqualByComparingTo|contains|containsExactly|hasSize|isGreaterThan|isLessThan|matches|startsWith|endsWith|isInstanceOf)\s*\(/.test(
      line,
    )
      ? "strong"
      : "weak";
  const args = splitArgs(argsAt(line, m.index + m[0].length - 1) ?? "");
  if (/^assert(True|False)$/.test(m[1]!)) return args[0] ? expressionStrength(args[0]) : "tautology";
  if (/^assert(NotNull|Null)$/.test(m[1]!)) return !args[0] || isLiteral(args[0]) ? "tautology" : "weak";
  if (/^assertThrows$/.test(m[1]!)) return "strong";
  return args.length >= 2 ? (constantPair(args[0], args[1]) ? "tautology" : "strong") : "weak";
}

/** The assertion on one line and its strength, or null. `prev` are the lines just above (Go's `if`). */
export function assertionOn(path: string, line: string, prev: string[] = []): Strength | null {
  const code = line.replace(/^\s*(\/\/|#).*$/, "");
  if (!code.trim()) return null;
  switch (langOf(path)) {
    case "js":
      return jsAssertion(code);
    case "py":
      return pyAssertion(code);
    case "go":
      return goAssertion(code, prev);
    case "rust":
      return rustAssertion(code);
    case "jvm":
      return jvmAssertion(code);
    default:
      return null;
  }
}

/** Every assertion of a source text (or of the lines from..to). */
export function assertionsIn(path: string, text: string, from = 1, to = Number.MAX_SAFE_INTEGER): Assertion[] {
  const lines = text.split("\n");
  const out: Assertion[] = [];
  for (let i = Math.max(0, from - 1); i < Math.min(lines.length, to); i++) {
    const s = assertionOn(path, lines[i]!, lines.slice(Math.max(0, i - 3), i));
    if (s) out.push({ line: i + 1, text: lines[i]!.trim(), strength: s });
  }
  return out;
}

/**
 * How much a test checks: `strong` when its body (or a helper of the same file it calls) has a
 * strong assertion, `weak` when it only has weak ones or tautologies, `none` when it asserts nothing.
 */
export function bodyStrength(path: string, text: string, def: Pick<TestDef, "line" | "endLine">, helpers?: Map<string, Strength>): "strong" | "weak" | "none" {
  const own = assertionsIn(path, text, def.line, def.endLine);
  if (own.some((a) => a.strength === "strong")) return "strong";
  if (helpers?.size) {
    const body = text
      .split("\n")
      .slice(def.line - 1, def.endLine)
      .join("\n");
    for (const [name, s] of helpers) if (s === "strong" && new RegExp(`\\b${name}\\s*\\(`).test(body)) return "strong";
  }
  return own.length ? "weak" : "none";
}

/** Functions of a test file outside its tests that assert something strongly (shared checks). */
export function assertingHelpers(path: string, text: string, defs: readonly TestDef[]): Map<string, Strength> {
  const out = new Map<string, Strength>();
  const lines = text.split("\n");
  const inDef = (n: number) => defs.some((d) => d.kind === "case" && n >= d.line && n <= d.endLine);
  const FN =
    /^\s*(?:export\s+)?(?:async\s+)?(?:function\s+(\w+)|(?:const|let)\s+(\w+)\s*=\s*(?:async\s*)?\(|def\s+(\w+)\s*\(|func\s+(\w+)\s*\(|fn\s+(\w+)\s*\()/;
  lines.forEach((l, i) => {
    if (inDef(i + 1)) return;
    const m = FN.exec(l);
    if (!m) return;
    const name = m.slice(1).find(Boolean)!;
    if (/^test/i.test(name)) return;
    const end = lines.findIndex((x, k) => k > i && FN.test(x) && !/^\s/.test(x));
    const asserts = assertionsIn(path, text, i + 1, end < 0 ? lines.length : end);
    if (asserts.some((a) => a.strength === "strong")) out.set(name, "strong");
  });
  return out;
}
