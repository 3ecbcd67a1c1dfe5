// The mechanical checks a constitution's statements ask for, on real branches: the line rules
// (secrets, injection, hand-written library code, abstraction, simplicity) read the diff; test-first
// and integration tests read what the project's test runner reported at head and at the base.
import { afterEach, describe, expect, it } from "vitest";
import { readBranchDiff } from "../../f/devgodzilla/lib/qa/diff.ts";
import { MECHANICAL_CHECKS } from "../../f/devgodzilla/lib/qa/gates.ts";
import { buildEvidence } from "../../f/devgodzilla/lib/qa/evidence.ts";
import { repoSources } from "../../f/devgodzilla/lib/qa/sources.ts";
import type { CheckName } from "../../f/devgodzilla/lib/qa/types.ts";
import { qaOn, tempRepo, type TempRepo } from "./helpers.ts";

let repo: TempRepo;
afterEach(async () => repo?.cleanup());

/** Runs one line-rule check on base..head of a branch made of `commits`. */
async function check(name: CheckName, commits: Array<[string, Record<string, string>]>, baseFiles: Record<string, string> = {}) {
  repo = await tempRepo();
  const base = await repo.commit("base", { "package.json": '{"name":"x"}\n', "src/index.ts": "export const v = 1;\n", ...baseFiles });
  for (const [msg, files] of commits) await repo.commit(msg, files);
  const head = await repo.head();
  const diff = await readBranchDiff(repo.dir, base, head);
  const evidence = await buildEvidence({ diff, sources: repoSources(repo.dir, base, head), head: null, base: null });
  return MECHANICAL_CHECKS[name]!.run({ dir: repo.dir, diff, evidence });
}
const at = (fs: { code: string; file?: string; line?: number }[], code: string) => fs.filter((f) => f.code === code).map((f) => `${f.file}:${f.line}`);

const CART = "export function total(items) {\n  return items.reduce((a, b) => a + b, 0);\n}\n";
const CART_TEST =
  'import { test } from "node:test";\nimport assert from "node:assert/strict";\nimport { total } from "../src/cart.js";\ntest("total sums the prices", () => assert.equal(total([1, 2]), 3));\n';
const PKG = { "package.json": '{"name":"shop","type":"module"}\n' };

describe("test-first, from what the runner reported", () => {
  it("passes when a test that was absent at the base commit passes with the code", async () => {
    repo = await tempRepo();
    const base = await repo.commit("base", PKG);
    await repo.commit("test", { "test/cart.test.js": CART_TEST });
    const head = await repo.commit("code", { "src/cart.js": CART });
    const { verdict } = await qaOn(repo.dir, base, head);
    const g = verdict.gates.find((x) => x.id === "test-first")!;
    expect(g.status).toBe("passed");
    expect(g.note).toMatch(/1 test went from failing or absent to passing: "total sums the prices" \(test\/cart\.test\.js:4\)/);
  });

  it("passes code whose failing test an earlier task committed: red at the base commit, green now", async () => {
    repo = await tempRepo();
    await repo.commit("base", PKG);
    const base = await repo.commit("T001 tests first", { "test/cart.test.js": CART_TEST, "src/cart.js": "export function total() { return 0; }\n" });
    const head = await repo.commit("T002 code", { "src/cart.js": CART });
    const { verdict } = await qaOn(repo.dir, base, head);
    expect(verdict.gates.find((x) => x.id === "test-first")!.status).toBe("passed");
  });

  it("blocks code changed without a test that went from failing or absent to passing (TEST001), even with a test file of the same name", async () => {
    repo = await tempRepo();
    const base = await repo.commit("base", {
      ...PKG,
      "src/cart.js": "export const count = (xs) => xs.length;\n",
      "test/cart.test.js":
        'import { test } from "node:test";\nimport assert from "node:assert/strict";\nimport { count } from "../src/cart.js";\ntest("count", () => assert.equal(count([1]), 1));\n',
    });
    const head = await repo.commit("feat", { "src/cart.js": `export const count = (xs) => xs.length;\n${CART}` });
    const { verdict } = await qaOn(repo.dir, base, head);
    const g = verdict.gates.find((x) => x.id === "test-first")!;
    expect(g.findings.map((f) => `${f.code} ${f.file}:${f.line} ${f.severity}`)).toEqual(["TEST001 src/cart.js:2 blocking"]);
  });

  it("blocks code whose new test only checks that something came back (TEST003), and shows the test", async () => {
    repo = await tempRepo();
    const base = await repo.commit("base", PKG);
    const head = await repo.commit("feat", {
      "src/cart.js": "export function total(items) {\n  return items.length;\n}\n",
      "test/cart.test.js":
        'import { test } from "node:test";\nimport assert from "node:assert/strict";\nimport { total } from "../src/cart.js";\ntest("total works", () => {\n  assert.ok(total([1, 2]));\n  assert.notEqual(total([1, 2]), undefined);\n});\n',
    });
    const { verdict } = await qaOn(repo.dir, base, head);
    const f = verdict.gates.find((x) => x.id === "test-first")!.findings.find((x) => x.code === "TEST003")!;
    expect(f).toMatchObject({ severity: "blocking", file: "test/cart.test.js", line: 4 });
    expect(f.lines!.map((l) => l.text)).toContain("  assert.ok(total([1, 2]));");
  });

  it("warns (does not block) when the branch's history has the tests after the code (TEST002)", async () => {
    repo = await tempRepo();
    const base = await repo.commit("base", PKG);
    await repo.commit("feat: cart", { "src/cart.js": CART });
    const head = await repo.commit("test: cart afterwards", { "test/cart.test.js": CART_TEST });
    const { verdict } = await qaOn(repo.dir, base, head);
    const g = verdict.gates.find((x) => x.id === "test-first")!;
    expect(g.findings.map((f) => `${f.code} ${f.severity}`)).toEqual(["TEST002 warning"]);
    expect(g.findings[0]!.message).toMatch(/feat: cart.*test: cart afterwards/);
  });

  it("is not applicable to a change without code", async () => {
    repo = await tempRepo();
    const base = await repo.commit("base", { ...PKG, "src/cart.js": CART });
    const head = await repo.commit("tests", { "test/cart.test.js": CART_TEST });
    const { verdict } = await qaOn(repo.dir, base, head);
    expect(verdict.gates.find((x) => x.id === "test-first")!.status).toBe("skipped");
  });
});

describe("integration tests for a story's code", () => {
  it("blocks a story task whose code has no integration or contract test, passes it with one that ran", async () => {
    repo = await tempRepo();
    const base = await repo.commit("base", PKG);
    const head = await repo.commit("f", { "src/cart.js": CART, "test/cart.test.js": CART_TEST });
    const { verdict } = await qaOn(repo.dir, base, head, { story: "US1" });
    expect(verdict.gates.find((x) => x.id === "integration-tests")!.findings.map((f) => f.code)).toEqual(["INT001"]);
    const withIt = await repo.commit("it", { "test/integration/cart.test.js": CART_TEST.replace("../src", "../../src") });
    const again = await qaOn(repo.dir, base, withIt, { story: "US1" });
    expect(again.verdict.gates.find((x) => x.id === "integration-tests")!.status).toBe("passed");
  });
});

describe("line rules on the diff", () => {
  it("finds committed secrets, string-built SQL and shell commands and disabled TLS with file and line", async () => {
    const bad = [
      'import { execSync } from "node:child_process";',
      "export function find(db: any, name: string) {",
      '  return db.query("SELECT * FROM users WHERE name = \'" + name + "\'");',
      "}",
      "export function archive(dir: string) {",
      "  execSync(`tar czf out.tgz ${dir}`);",
      "}",
      "export const agent = { rejectUnauthorized: false };",
      'export const token = "ghp_R8x2Lq9ZkP4vT7mW1nY6bC3dF5hJ0sA2eG8uQ";',
      "",
    ].join("\n");
    const injection = await check("injection", [["feat: db", { "src/db.ts": bad }]]);
    expect(at(injection.findings, "SEC002")).toEqual(["src/db.ts:3"]);
    expect(at(injection.findings, "SEC003")).toEqual(["src/db.ts:6"]);
    expect(at(injection.findings, "SEC004")).toEqual(["src/db.ts:8"]);
    const secrets = await check("no-secrets", [["feat: db", { "src/db.ts": bad, ".env": "API_KEY=abc\n" }]]);
    expect(at(secrets.findings, "SEC001")).toEqual(expect.arrayContaining([".env:1", "src/db.ts:9"]));
    expect(secrets.findings.every((f) => f.fix)).toBe(true);
    expect(JSON.stringify(secrets)).not.toContain("ghp_R8x2Lq9ZkP4vT7mW1nY6bC3dF5hJ0sA2eG8uQ");
  });

  it("does not flag parameterised SQL (pg $1, psycopg %s) or argument-array processes, flags %-formatted and f-string SQL", async () => {
    const good =
      'import { execa } from "execa";\nexport async function find(db: any, name: string) {\n  await execa("tar", ["czf", "out.tgz", name]);\n  return db.query("SELECT * FROM users WHERE name = $1", [name]);\n}\n';
    const py = 'def find(cur, name):\n    cur.execute("SELECT * FROM users WHERE name = %s", (name,))\n    return cur.fetchall()\n';
    const pyBad =
      "def find(cur, name):\n    cur.execute(\"SELECT * FROM users WHERE name = '%s'\" % name)\n    cur.execute(f\"DELETE FROM users WHERE name = '{name}'\")\n";
    const o = await check("injection", [["feat", { "src/db.ts": good, "app/db.py": py, "app/bad.py": pyBad }]]);
    expect(o.findings.map((f) => `${f.code} ${f.file}:${f.line}`)).toEqual(["SEC002 app/bad.py:2", "SEC002 app/bad.py:3"]);
  });

  it("finds reinvented parsers, validators, password hashing and dates", async () => {
    const src = [
      'import { createHash } from "node:crypto";',
      "export function parseCsv(text: string) { return text.split('\\n').map((l) => l.split(',')); }",
      "export function validateEmail(s: string) { return /^[^@]+@[^@]+\\.[a-z]+$/.test(s); }",
      'export const hashPassword = (password: string) => createHash("sha256").update(password).digest("hex");',
      "export function formatDate(d: Date) { return `${d.getFullYear()}-${d.getMonth() + 1}`; }",
      "",
    ].join("\n");
    const o = await check("library-use", [["feat", { "src/util.ts": src }]]);
    expect(new Set(o.findings.map((f) => f.code))).toEqual(new Set(["LIB001", "LIB002", "LIB003", "LIB004"]));
  });

  it("finds deep nesting and single-implementation abstractions, not two implementations", async () => {
    const deep =
      "export function f(a: number) {\n  if (a) {\n    if (a > 1) {\n      if (a > 2) {\n        if (a > 3) {\n          if (a > 4) {\n            if (a > 5) {\n              return 1;\n            }\n          }\n        }\n      }\n    }\n  }\n  return 0;\n}\n";
    const one = "export interface Store { get(k: string): string }\nexport class MemStore implements Store { get(k: string) { return k; } }\n";
    const two =
      "export interface Codec { enc(s: string): string }\nexport class A implements Codec { enc(s: string) { return s; } }\nexport class B implements Codec { enc(s: string) { return s + s; } }\n";
    const files = { "src/deep.ts": deep, "src/store.ts": one, "src/codec.ts": two };
    expect((await check("simplicity", [["feat", files]])).findings.map((f) => `${f.code}@${f.file}:${f.line}`)).toEqual(["SIMP002@src/deep.ts:7"]);
    await repo.cleanup();
    expect((await check("abstraction", [["feat", files]])).findings.map((f) => `${f.code}:${f.message}`)).toEqual([
      "ABS001:Abstraction Store has 1 implementation",
    ]);
  });

  it("obvious fixture keys, data-shape interfaces, parser wrappers, nested literals and indented text pass", async () => {
    const src = [
      'export const KEY = "sk-test-qa-0000000000000000";',
      'export const GH = "ghp_fake_demo_token_000000000000000000";',
      "export interface TaskFacts { id: string; files: string[]; story?: string | null }",
      "export async function readJson(p: string) {",
      "  return JSON.parse(await readFile(p, 'utf8'));",
      "}",
      "export function parseQuery(s: string) { return Object.fromEntries(new URLSearchParams(s)); }",
      "export const Schema = z.object({",
      "  a: z.object({",
      "    b: z.object({",
      "      c: z.object({",
      "        d: z.object({",
      "          e: z.object({",
      "            f: z.string(),",
      "          }),",
      "        }),",
      "      }),",
      "    }),",
      "  }),",
      "});",
      "export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}$/i;",
      "",
    ].join("\n");
    for (const name of ["no-secrets", "injection", "library-use", "simplicity", "abstraction"] as const) {
      expect((await check(name, [["feat", { "src/x.ts": src }]])).findings, name).toEqual([]);
      await repo.cleanup();
    }
  });

  it("a behavioural interface with one implementation is still an abstraction to question", async () => {
    const o = await check("abstraction", [
      ["feat", { "src/x.ts": "export interface Clock {\n  now(): number;\n}\nexport class SystemClock implements Clock { now() { return Date.now(); } }\n" }],
    ]);
    expect(o.findings.map((f) => f.code)).toEqual(["ABS001"]);
  });
});
