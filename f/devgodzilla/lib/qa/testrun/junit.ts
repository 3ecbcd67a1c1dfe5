// JUnit XML, the format most runners can write (pytest --junitxml, node's junit reporter, vitest,
// jest-junit, mocha xunit, go-junit-report, cargo-nextest, surefire, phpunit). Only the JUnit subset
// is read — testsuite / testcase elements, their attributes and failure / error / skipped children —
// with a small tag scanner (no DTDs, no namespaces), so no XML dependency is needed for it.

import { sep, type TestCase } from "./model.ts";

interface Tag {
  name: string;
  attrs: Record<string, string>;
  kind: "open" | "close" | "self";
}

const ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

function decode(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (m, e: string) => {
    if (e[0] === "#") {
      const n = e[1] === "x" || e[1] === "X" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return Number.isFinite(n) ? String.fromCodePoint(n) : m;
    }
    return ENTITIES[e.toLowerCase()] ?? m;
  });
}

function parseAttrs(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of s.matchAll(/([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) out[m[1]!] = decode(m[2] ?? m[3] ?? "");
  return out;
}

/** Tags and the text between them, in document order (comments, CDATA and declarations handled). */
function* scan(xml: string): Generator<Tag | { text: string }> {
  let i = 0;
  while (i < xml.length) {
    const lt = xml.indexOf("<", i);
    if (lt < 0) {
      yield { text: decode(xml.slice(i)) };
      return;
    }
    if (lt > i) yield { text: decode(xml.slice(i, lt)) };
    if (xml.startsWith("<!--", lt)) {
      const end = xml.indexOf("-->", lt + 4);
      i = end < 0 ? xml.length : end + 3;
      continue;
    }
    if (xml.startsWith("<![CDATA[", lt)) {
      const end = xml.indexOf("]]>", lt + 9);
      yield { text: xml.slice(lt + 9, end < 0 ? xml.length : end) };
      i = end < 0 ? xml.length : end + 3;
      continue;
    }
    if (xml[lt + 1] === "?" || xml[lt + 1] === "!") {
      const end = xml.indexOf(">", lt);
      i = end < 0 ? xml.length : end + 1;
      continue;
    }
    // A tag: find its end outside quoted attribute values.
    let j = lt + 1;
    let quote = "";
    for (; j < xml.length; j++) {
      const ch = xml[j]!;
      if (quote) {
        if (ch === quote) quote = "";
      } else if (ch === '"' || ch === "'") quote = ch;
      else if (ch === ">") break;
    }
    const body = xml.slice(lt + 1, j);
    i = j + 1;
    if (body.startsWith("/")) {
      yield { name: body.slice(1).trim().toLowerCase(), attrs: {}, kind: "close" };
      continue;
    }
    const self = body.endsWith("/");
    const inner = self ? body.slice(0, -1) : body;
    const name = /^[\w:.-]+/.exec(inner)?.[0] ?? "";
    yield { name: name.toLowerCase(), attrs: parseAttrs(inner.slice(name.length)), kind: self ? "self" : "open" };
  }
}

export interface JunitOptions {
  /** Turns runner paths into repository-relative ones. */
  relPath: (p: string) => string;
  /** pytest writes 0-based `line` attributes; everyone else 1-based. */
  zeroBasedLines?: boolean;
}

/** The cases of a JUnit XML document; throws when it is not one. */
export function readJunit(xml: string, opts: JunitOptions): TestCase[] {
  const cases: TestCase[] = [];
  const suites: { name: string; file?: string }[] = [];
  let current: (TestCase & { text: string[] }) | null = null;
  let inResult: "failure" | "error" | "skipped" | null = null;
  let sawRoot = false;
  const finish = () => {
    if (!current) return;
    const body = current.text.join("").trim();
    if (body) current.message = (current.message && !body.includes(current.message) ? `${current.message}\n${body}` : body).slice(0, 1500);
    const { text: _text, ...c } = current;
    cases.push(c);
    current = null;
  };
  for (const t of scan(xml)) {
    if ("text" in t) {
      if (current && inResult) current.text.push(t.text);
      continue;
    }
    if (t.name === "testsuites" || t.name === "testsuite") sawRoot = true;
    if (t.name === "testsuite") {
      if (t.kind === "open") suites.push({ name: t.attrs.name ?? "", file: t.attrs.file ?? t.attrs.filepath });
      else if (t.kind === "close") suites.pop();
      continue;
    }
    if (t.name === "testcase") {
      if (t.kind === "close") {
        finish();
        continue;
      }
      finish();
      const file = t.attrs.file ?? t.attrs.filepath ?? suites.findLast((s) => s.file)?.file;
      const line = t.attrs.line !== undefined && /^\d+$/.test(t.attrs.line) ? Number(t.attrs.line) + (opts.zeroBasedLines ? 1 : 0) : null;
      const name = t.attrs.name ?? "";
      const classname = t.attrs.classname ?? "";
      const suitePath = suites.map((s) => s.name).filter((n) => n && n !== "pytest" && n !== classname);
      current = {
        name,
        fullName: sep([...suitePath, classname === "test" ? "" : classname, name]),
        file: file ? opts.relPath(file) : null,
        line,
        status: t.attrs.failure !== undefined ? "failed" : "passed",
        ...(t.attrs.failure ? { message: t.attrs.failure.slice(0, 800) } : {}),
        text: [],
      };
      if (t.kind === "self") finish();
      continue;
    }
    if (current && (t.name === "failure" || t.name === "error" || t.name === "skipped")) {
      if (t.kind === "close") {
        inResult = null;
        continue;
      }
      const todo = t.name === "skipped" && /todo/i.test(t.attrs.type ?? "");
      current.status = t.name === "skipped" ? (todo ? "todo" : "skipped") : "failed";
      const msg = t.attrs.message;
      if (msg && msg !== "true") current.message = msg.slice(0, 800);
      inResult = t.kind === "open" ? (t.name as "failure" | "error" | "skipped") : null;
    }
  }
  finish();
  if (!sawRoot) throw new Error("not a JUnit XML document (no <testsuite> or <testsuites>)");
  return cases;
}
