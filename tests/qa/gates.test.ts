import { afterEach, describe, expect, it } from "vitest";
import { readBranchDiff } from "../../f/devgodzilla/lib/qa/diff.ts";
import { runGates } from "../../f/devgodzilla/lib/qa/gates.ts";
import { parseQaConfig } from "../../f/devgodzilla/lib/qa/config.ts";
import type { GateResult } from "../../f/devgodzilla/lib/qa/types.ts";
import { tempRepo, type TempRepo } from "./helpers.ts";

let repo: TempRepo;
afterEach(async () => repo?.cleanup());

async function branch(commits: Array<[string, Record<string, string>]>, opts: { constitution?: string | null; story?: string | null; config?: unknown; baseFiles?: Record<string, string> } = {}) {
  repo = await tempRepo();
  const base = await repo.commit("base", { "package.json": '{"name":"x"}\n', "src/index.ts": "export const v = 1;\n", ...opts.baseFiles });
  await repo.git("checkout", "-q", "-b", "feature");
  for (const [msg, files] of commits) await repo.commit(msg, files);
  const head = await repo.head();
  const diff = await readBranchDiff(repo.dir, base, head);
  return runGates({ dir: repo.dir, diff, constitution: opts.constitution, story: opts.story, config: parseQaConfig(opts.config ?? {}) });
}
const gate = (rs: GateResult[], id: string) => rs.find((g) => g.id === id)!;
const codes = (g: GateResult) => g.findings.map((f) => f.code);

const CART = "export function total(items: number[]): number {\n  return items.reduce((a, b) => a + b, 0);\n}\n";
const CART_TEST = 'import { total } from "../src/cart.ts";\nimport { test } from "node:test";\ntest("total", () => { if (total([1, 2]) !== 3) throw new Error("x"); });\n';

describe("constitutional gates on real branches", () => {
  it("passes a test-first branch: test committed before the code, nothing insecure", async () => {
    const rs = await branch([["test: cart total", { "tests/cart.test.ts": CART_TEST }], ["feat: cart total", { "src/cart.ts": CART }]]);
    for (const g of rs) expect(g.status === "passed" || g.status === "skipped", `${g.id}: ${JSON.stringify(g.findings)}`).toBe(true);
    expect(gate(rs, "integration-testing").status).toBe("skipped");
  });

  it("blocks code changed without any test (TEST001)", async () => {
    const rs = await branch([["feat: cart", { "src/cart.ts": CART }]]);
    const g = gate(rs, "test-first");
    expect(g.status).toBe("failed");
    expect(g.findings[0]).toMatchObject({ code: "TEST001", article: "III", severity: "blocking", file: "src/cart.ts", line: 1 });
    expect(g.findings[0].fix).toMatch(/test/i);
  });

  it("accepts code whose tests an earlier task already committed (test-first across tasks), by stem or by import", async () => {
    const byStem = await branch([["T002: cart", { "src/cart.ts": CART }]], { baseFiles: { "tests/cart.test.ts": CART_TEST } });
    expect(gate(byStem, "test-first").status).toBe("passed");
    const byImport = await branch([["T002: cart", { "src/cart.ts": CART }]], { baseFiles: { "tests/checkout.test.ts": CART_TEST } });
    expect(gate(byImport, "test-first").status).toBe("passed");
    const unrelated = await branch([["T002: cart", { "src/cart.ts": CART }]], { baseFiles: { "tests/other.test.ts": 'import { test } from "node:test";\ntest("x", () => {});\n' } });
    expect(codes(gate(unrelated, "test-first"))).toEqual(["TEST001"]);
  });

  it("accepts a story's code whose integration test an earlier task of the story committed", async () => {
    const rs = await branch([["T002: cart", { "src/cart.ts": CART }]], { story: "US1", baseFiles: { "tests/integration/cart.test.ts": CART_TEST } });
    expect(gate(rs, "integration-testing").status).toBe("passed");
    const unit = await branch([["T002: cart", { "src/cart.ts": CART }]], { story: "US1", baseFiles: { "tests/cart.test.ts": CART_TEST } });
    expect(codes(gate(unit, "integration-testing"))).toEqual(["INT001"]);
  });

  it("blocks tests that were added after the code in the branch history (TEST002)", async () => {
    const rs = await branch([["feat: cart", { "src/cart.ts": CART }], ["test: cart afterwards", { "tests/cart.test.ts": CART_TEST }]]);
    const g = gate(rs, "test-first");
    expect(codes(g)).toEqual(["TEST002"]);
    expect(g.findings[0].message).toMatch(/feat: cart.*before tests\/cart\.test\.ts.*test: cart afterwards/);
  });

  it("accepts code and its test in the same commit", async () => {
    const rs = await branch([["feat+test", { "src/cart.ts": CART, "tests/cart.test.ts": CART_TEST }]]);
    expect(gate(rs, "test-first").status).toBe("passed");
  });

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
    const rs = await branch([["t", { "tests/db.test.ts": "// test\n" }], ["feat: db", { "src/db.ts": bad, ".env": "API_KEY=abc\n" }]]);
    const g = gate(rs, "security");
    expect(g.status).toBe("failed");
    const at = (code: string) => g.findings.filter((f) => f.code === code).map((f) => `${f.file}:${f.line}`);
    expect(at("SEC002")).toEqual(["src/db.ts:3"]);
    expect(at("SEC003")).toEqual(["src/db.ts:6"]);
    expect(at("SEC004")).toEqual(["src/db.ts:8"]);
    expect(at("SEC001")).toEqual(expect.arrayContaining([".env:1", "src/db.ts:9"]));
    expect(g.findings.every((f) => f.severity === "blocking" && f.article === "IV" && f.fix)).toBe(true);
  });

  it("does not flag parameterised SQL (pg $1, psycopg %s) or argument-array processes, flags %-formatted and f-string SQL", async () => {
    const good = [
      'import { execa } from "execa";',
      "export async function find(db: any, name: string) {",
      '  await execa("tar", ["czf", "out.tgz", name]);',
      '  return db.query("SELECT * FROM users WHERE name = $1", [name]);',
      "}",
      "",
    ].join("\n");
    const py = 'def find(cur, name):\n    cur.execute("SELECT * FROM users WHERE name = %s", (name,))\n    return cur.fetchall()\n';
    const pyBad = 'def find(cur, name):\n    cur.execute("SELECT * FROM users WHERE name = \'%s\'" % name)\n    cur.execute(f"DELETE FROM users WHERE name = \'{name}\'")\n';
    const rs = await branch([["t", { "tests/db.test.ts": "// test\n", "tests/test_db.py": "#\n" }], ["feat", { "src/db.ts": good, "app/db.py": py, "app/bad.py": pyBad }]]);
    expect(gate(rs, "security").findings.map((f) => `${f.code} ${f.file}:${f.line}`)).toEqual(["SEC002 app/bad.py:2", "SEC002 app/bad.py:3"]);
  });

  it("warns (does not block) about reinvented parsers, validators, password hashing and dates", async () => {
    const src = [
      'import { createHash } from "node:crypto";',
      "export function parseCsv(text: string) { return text.split('\\n').map((l) => l.split(',')); }",
      "export function validateEmail(s: string) { return /^[^@]+@[^@]+\\.[a-z]+$/.test(s); }",
      'export const hashPassword = (password: string) => createHash("sha256").update(password).digest("hex");',
      "export function formatDate(d: Date) { return `${d.getFullYear()}-${d.getMonth() + 1}`; }",
      "",
    ].join("\n");
    const rs = await branch([["t", { "tests/util.test.ts": "// t\n" }], ["feat", { "src/util.ts": src }]]);
    const g = gate(rs, "library-first");
    expect(g.status).toBe("warned");
    expect(new Set(codes(g))).toEqual(new Set(["LIB001", "LIB002", "LIB003", "LIB004"]));
    expect(g.findings.every((f) => f.severity === "warning" && f.article === "I")).toBe(true);
  });

  it("warns about deep nesting and single-implementation abstractions, not about two implementations", async () => {
    const deep = "export function f(a: number) {\n  if (a) {\n    if (a > 1) {\n      if (a > 2) {\n        if (a > 3) {\n          if (a > 4) {\n            if (a > 5) {\n              return 1;\n            }\n          }\n        }\n      }\n    }\n  }\n  return 0;\n}\n";
    const one = "export interface Store { get(k: string): string }\nexport class MemStore implements Store { get(k: string) { return k; } }\n";
    const two = "export interface Codec { enc(s: string): string }\nexport class A implements Codec { enc(s: string) { return s; } }\nexport class B implements Codec { enc(s: string) { return s + s; } }\n";
    const rs = await branch([["t", { "tests/f.test.ts": "//\n" }], ["feat", { "src/deep.ts": deep, "src/store.ts": one, "src/codec.ts": two }]]);
    expect(gate(rs, "simplicity").findings.map((f) => `${f.code}@${f.file}:${f.line}`)).toEqual(["SIMP002@src/deep.ts:7"]);
    const abs = gate(rs, "anti-abstraction");
    expect(abs.findings.map((f) => `${f.code}:${f.message}`)).toEqual(["ABS001:Abstraction Store has 1 implementation"]);
    expect(abs.status).toBe("warned");
  });

  it("blocks a story-phase task without an integration test and passes it with one", async () => {
    const without = await branch([["t", { "tests/cart.test.ts": CART_TEST }], ["f", { "src/cart.ts": CART }]], { story: "US1" });
    expect(gate(without, "integration-testing")).toMatchObject({ status: "failed", article: "IX" });
    expect(codes(gate(without, "integration-testing"))).toEqual(["INT001"]);
    await repo.cleanup();
    const withIt = await branch([["t", { "tests/integration/cart.test.ts": CART_TEST }], ["f", { "src/cart.ts": CART }]], { story: "US1" });
    expect(gate(withIt, "integration-testing").status).toBe("passed");
  });

  it("follows the project's constitution: its numerals, its NON-NEGOTIABLE marking, articles it lacks are off", async () => {
    // A Korean constitution of our own: seven principles, test-first is article V, none is library-first.
    const ko = [
      "# 로봇 제어 헌법", "", "## 핵심 원칙", "",
      "### I. 실시간성 보장", "제어 루프는 1ms 안에 끝나야 한다 (MUST).", "",
      "### II. RAII 원칙 (NON-NEGOTIABLE)", "모든 자원은 소유 객체가 해제한다.", "",
      "### III. 인터페이스 기반 설계", "모듈은 인터페이스로만 통신한다.", "",
      "### IV. 메모리 안전성 (NON-NEGOTIABLE)", "원시 포인터 소유를 금지한다.", "",
      "### V. 테스트 주도 개발 (TDD)", "테스트를 먼저 작성하고 실패를 확인한 뒤 구현한다.", "",
      "### VI. 관측 가능성", "모든 오류는 구조화된 로그로 남긴다.", "",
      "### VII. 단순성", "필요 없는 추상화를 만들지 않는다.", "",
      "## 거버넌스", "", "**버전**: 1.1.0", "**비준일**: 2025-01-20", "**최종 수정일**: 2025-01-22", "",
    ].join("\n");
    const rs = await branch([["feat", { "src/cart.ts": CART }]], { constitution: ko });
    const tf = gate(rs, "test-first");
    expect(tf.article).toBe("V"); // 테스트 주도 개발 (TDD) is article V there
    expect(gate(rs, "library-first").status).toBe("skipped");
    const custom = "# C\n## Core Principles\n### I. Library-First\nUse libraries.\n### II. Test-First\n**Severity**: warning\nTests first.\n### III. Security (NON-NEGOTIABLE)\nNo secrets.\n";
    await repo.cleanup();
    const rs2 = await branch([["feat", { "src/cart.ts": CART }]], { constitution: custom });
    expect(gate(rs2, "test-first")).toMatchObject({ mode: "warning", status: "warned", article: "II" });
    expect(gate(rs2, "security")).toMatchObject({ mode: "blocking", article: "III" });
    expect(gate(rs2, "simplicity").status).toBe("skipped");
  });

  it("reads DevGodzilla's default constitution (A2) with its own markings", async () => {
    const { renderDefaultConstitution } = await import("../../f/devgodzilla/lib/speckit/constitution.ts");
    const rs = await branch([["feat", { "src/cart.ts": CART }]], { constitution: renderDefaultConstitution({ projectName: "x", date: "2026-01-01" }) });
    expect(rs.map((g) => `${g.id}:${g.article}:${g.mode}`)).toEqual([
      "library-first:I:warning", "test-first:III:blocking", "security:IV:blocking", "simplicity:VII:warning", "anti-abstraction:VIII:warning", "integration-testing:IX:blocking",
    ]);
  });

  it("lets configuration override the constitution's marking", async () => {
    const rs = await branch([["feat", { "src/cart.ts": CART }]], { config: { gates: { "test-first": "warning", VII: "off" } } });
    expect(gate(rs, "test-first")).toMatchObject({ mode: "warning", status: "warned" });
    expect(gate(rs, "test-first").findings[0].severity).toBe("warning");
    expect(gate(rs, "simplicity").status).toBe("skipped");
  });
});

describe("gate findings never carry the secret itself", () => {
  it("quotes offending lines with credentials redacted", async () => {
    repo = await tempRepo();
    const base = await repo.commit("base", { "a.txt": "a\n" });
    const head = await repo.commit("feat", { "tests/x.test.ts": "//\n", "src/x.ts": 'export const q = (k: string) => db.query(`SELECT * FROM t WHERE k = ${k} AND t = "ghp_R8x2Lq9ZkP4vT7mW1nY6bC3dF5hJ0sA2eG8uQ"`);\n' });
    const rs = await runGates({ dir: repo.dir, diff: await readBranchDiff(repo.dir, base, head), config: parseQaConfig({}) });
    const text = JSON.stringify(rs);
    expect(text).toContain("SEC002");
    expect(text).not.toContain("ghp_R8x2Lq9ZkP4vT7mW1nY6bC3dF5hJ0sA2eG8uQ");
  });
});

describe("gates do not cry wolf (seen when QA-ing this repository's own history)", () => {
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
    const rs = await branch([["t", { "tests/x.test.ts": "//\n" }], ["feat", { "src/x.ts": src }]]);
    for (const id of ["security", "library-first", "simplicity", "anti-abstraction"]) expect(gate(rs, id).findings, id).toEqual([]);
  });
  it("a behavioural interface with one implementation is still an abstraction to question", async () => {
    const rs = await branch([["t", { "tests/x.test.ts": "//\n" }], ["feat", { "src/x.ts": "export interface Clock {\n  now(): number;\n}\nexport class SystemClock implements Clock { now() { return Date.now(); } }\n" }]]);
    expect(codes(gate(rs, "anti-abstraction"))).toEqual(["ABS001"]);
  });
});

describe("run-level QA over merged task branches", () => {
  it("reads a history with merge commits: a task's test-first order is seen through the merge", async () => {
    repo = await tempRepo();
    const base = await repo.commit("base", { "package.json": "{}\n" });
    await repo.git("checkout", "-q", "-b", "t1", base);
    await repo.commit("T001 test", { "tests/cart.test.ts": CART_TEST });
    await repo.commit("T001 code", { "src/cart.ts": CART });
    await repo.git("checkout", "-q", "-b", "t2", base);
    await repo.commit("T002 code", { "src/price.ts": "export const price = (n: number) => n;\n" });
    await repo.commit("T002 test after", { "tests/price.test.ts": "// test\n" });
    await repo.git("checkout", "-q", "-b", "run", base);
    await repo.git("-c", "user.name=t", "-c", "user.email=t@example.com", "merge", "-q", "--no-ff", "-m", "merge T001", "t1");
    await repo.git("-c", "user.name=t", "-c", "user.email=t@example.com", "merge", "-q", "--no-ff", "-m", "merge T002", "t2");
    const head = await repo.head();
    const diff = await readBranchDiff(repo.dir, base, head);
    expect(diff.commits.filter((c) => c.files.length === 0).map((c) => c.subject)).toEqual(["merge T001", "merge T002"]);
    const rs = await runGates({ dir: repo.dir, diff, config: parseQaConfig({}) });
    const tf = gate(rs, "test-first");
    expect(tf.findings.map((f) => `${f.code} ${f.file}`)).toEqual(["TEST002 src/price.ts"]);
  });
});
