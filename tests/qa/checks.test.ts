import { afterAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { execaSync } from "execa";
import { runChecks } from "../../f/devgodzilla/lib/qa/checks.ts";
import { parseToolOutput } from "../../f/devgodzilla/lib/qa/parsers.ts";
import { parseQaConfig } from "../../f/devgodzilla/lib/qa/config.ts";
import { tempProject } from "../helpers/git-fixtures.ts";

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => Promise.all(cleanups.map((c) => c())));

async function project(files: Record<string, string>): Promise<string> {
  const p = await tempProject(files, "dg-qa-proj-");
  cleanups.push(p.cleanup);
  return p.dir;
}
const cmd = (argv: string[], source = "test") => [{ argv, cwd: ".", source, inferred: false }];
const config = parseQaConfig({ checks: { timeout_seconds: 30 } }).checks;
const NODE = process.execPath;
const TSC = join(process.cwd(), "node_modules/typescript/bin/tsc");

const hasPytest = (() => {
  try {
    execaSync("python3", ["-m", "pytest", "--version"]);
    return true;
  } catch {
    return false;
  }
})();

describe("the project's own checks, run in the sandbox", () => {
  it("a failing node --test suite fails with the failing test's file and line; a passing one passes", async () => {
    const failing = await project({
      "package.json": '{"type":"module"}',
      "test/cart.test.js":
        'import { test } from "node:test";\nimport assert from "node:assert/strict";\nimport { total } from "../src/cart.js";\ntest("sums prices", () => {\n  assert.equal(total([1, 2]), 3);\n});\ntest("empty cart", () => { assert.equal(total([]), 0); });\n',
      "src/cart.js": "export const total = (xs) => xs.reduce((a, b) => a + b, 1);\n",
    });
    const [, , test] = await runChecks({ dir: failing, commands: { lint: [], typecheck: [], test: cmd([NODE, "--test"]) }, config });
    expect(test).toMatchObject({ kind: "test", status: "failed", sandboxed: true, counts: { passed: 0, failed: 2 } });
    expect(test.findings.map((f) => `${f.code} ${f.file}:${f.line}`)).toEqual(["NODE_TEST_FAIL test/cart.test.js:4", "NODE_TEST_FAIL test/cart.test.js:7"]);
    expect(test.findings[0].message).toMatch(/sums prices: Expected values to be strictly equal/);

    const passing = await project({ "package.json": '{"type":"module"}', "test/a.test.js": 'import { test } from "node:test";\ntest("ok", () => {});\n' });
    const [lint, tc, ok] = await runChecks({ dir: passing, commands: { lint: [], typecheck: [], test: cmd([NODE, "--test"]) }, config });
    expect(ok).toMatchObject({ status: "passed", counts: { passed: 1, failed: 0 }, findings: [] });
    expect([lint.status, tc.status]).toEqual(["skipped", "skipped"]);
  });

  it("a test suite that starts more processes than checks.max_processes allows is stopped and fails naming the limit", async () => {
    const forking = await project({
      "package.json": '{"type":"module"}',
      "test/spawn.test.js":
        'import { test } from "node:test";\nimport { spawn } from "node:child_process";\ntest("starts workers", async () => {\n  const kids = [];\n  for (let i = 0; i < 150; i++) kids.push(spawn("sleep", ["30"], { stdio: "ignore" }).on("error", () => {}));\n  for (const k of kids) k.kill();\n});\n',
    });
    const limited = parseQaConfig({ checks: { timeout_seconds: 30, max_processes: 64 } }).checks;
    const [, , t] = await runChecks({ dir: forking, commands: { lint: [], typecheck: [], test: cmd([NODE, "--test"]) }, config: limited });
    expect(t.status).toBe("failed");
    expect(t.findings).toContainEqual(
      expect.objectContaining({
        code: "SANDBOX_LIMIT",
        severity: "blocking",
        message: expect.stringMatching(/process limit \(64 processes and threads\) was reached/),
      }),
    );
  });

  it.skipIf(!hasPytest)("a failing pytest suite fails with test id, file and line; a passing one passes", async () => {
    const failing = await project({
      "calc.py": "def add(a, b):\n    return a - b\n",
      "tests/test_calc.py": "from calc import add\n\n\ndef test_add():\n    assert add(2, 2) == 4\n\n\ndef test_zero():\n    assert add(0, 0) == 0\n",
      "pyproject.toml": '[tool.pytest.ini_options]\npythonpath = ["."]\n',
    });
    const [, , t] = await runChecks({
      dir: failing,
      commands: { lint: [], typecheck: [], test: cmd(["python3", "-m", "pytest", "-p", "no:cacheprovider"]) },
      config,
    });
    expect(t).toMatchObject({ status: "failed", counts: { passed: 1, failed: 1 } });
    expect(t.findings).toEqual([expect.objectContaining({ code: "PYTEST_FAILED", file: "tests/test_calc.py", line: 5, severity: "blocking" })]);
    const passing = await project({ "tests/test_ok.py": "def test_ok():\n    assert True\n" });
    const [, , p] = await runChecks({
      dir: passing,
      commands: { lint: [], typecheck: [], test: cmd(["python3", "-m", "pytest", "-p", "no:cacheprovider"]) },
      config,
    });
    expect(p).toMatchObject({ status: "passed", counts: { passed: 1, failed: 0 } });
  });

  it("test-first: when the change adds tests only, their failing run is reported but does not block", async () => {
    const dir = await project({
      "package.json": '{"type":"module"}',
      "test/cart.test.js":
        'import { test } from "node:test";\nimport assert from "node:assert/strict";\nimport { total } from "../src/cart.js";\ntest("sums", () => assert.equal(total([1, 2]), 3));\n',
    });
    const commands = { lint: [], typecheck: [], test: cmd([NODE, "--test", "test/"]) };
    const [red] = (await runChecks({ dir, commands, config, testsOnlyChange: true })).filter((r) => r.kind === "test");
    expect(red.status).toBe("failed");
    expect(red.findings.length).toBeGreaterThan(0);
    expect(red.findings.every((f) => f.severity !== "blocking")).toBe(true);
    expect(red.note).toMatch(/test-first/);
    const [blocking] = (await runChecks({ dir, commands, config })).filter((r) => r.kind === "test");
    expect(blocking.findings.some((f) => f.severity === "blocking")).toBe(true);
  });

  it("a TypeScript type error fails the typecheck with the TS code, file and line", async () => {
    const dir = await project({
      "tsconfig.json": '{"compilerOptions":{"strict":true,"noEmit":true,"types":[]},"include":["src"]}',
      "src/a.ts": "export const n: number = 1;\nexport const s: string = n;\n",
    });
    const [, tc] = await runChecks({ dir, commands: { lint: [], typecheck: cmd([NODE, TSC, "--noEmit", "-p", "."]), test: [] }, config });
    expect(tc.status).toBe("failed");
    expect(tc.findings).toEqual([expect.objectContaining({ code: "TS2322", file: "src/a.ts", line: 2 })]);
  });

  it("kills a hanging test command at the timeout", async () => {
    const dir = await project({ "hang.js": "setInterval(() => {}, 1000);\n" });
    const [, , t] = await runChecks({ dir, commands: { lint: [], typecheck: [], test: cmd([NODE, "hang.js"]) }, config: { ...config, timeout_seconds: 5 } });
    expect(t.status).toBe("timeout");
    expect(t.findings[0].code).toBe("CHECK_TIMEOUT");
    expect(t.durationMs).toBeLessThan(15_000);
  });

  it("without a usable sandbox: refuses by default and says so; runs unsandboxed only when allowed, and says that", async () => {
    const dir = await project({ "a.test.js": 'require("node:test").test("ok", () => {});\n' });
    const commands = { lint: [], typecheck: [], test: cmd([NODE, "--test"]) };
    const [, , refused] = await runChecks({ dir, commands, config, bwrapPath: "/nonexistent/bwrap" });
    expect(refused).toMatchObject({ status: "error", sandboxed: false });
    expect(refused.findings[0]).toMatchObject({ code: "SANDBOX_UNAVAILABLE", severity: "blocking" });
    const [, , allowed] = await runChecks({ dir, commands, config: { ...config, allow_unsandboxed: true }, bwrapPath: "/nonexistent/bwrap" });
    expect(allowed).toMatchObject({ status: "passed", sandboxed: false });
    expect(allowed.note).toMatch(/WITHOUT a sandbox/);
  });

  it("runs nothing outside the sandbox unless configured (network is off inside)", async () => {
    const dir = await project({
      "net.js": 'require("node:http").get("http://1.1.1.1", () => process.exit(0)).on("error", (e) => { console.error("NET:", e.code); process.exit(3); });\n',
    });
    const [, , t] = await runChecks({ dir, commands: { lint: [], typecheck: [], test: cmd([NODE, "net.js"]) }, config });
    expect(t.sandboxed).toBe(true);
    expect(t.exitCode).toBe(3);
    expect(t.outputTail).toMatch(/NET: (ENETUNREACH|ECONNREFUSED|EAI_AGAIN)/);
  });
});

describe("output parsers for common tools", () => {
  const root = "/w/repo";
  it("tsc (plain and pretty)", () => {
    const p = parseToolOutput(
      "typecheck",
      "src/a.ts(3,7): error TS2322: Type 'number' is not assignable to type 'string'.\n/w/repo/src/b.ts:10:1 - error TS2304: Cannot find name 'x'.\n",
      root,
    );
    expect(p.findings.map((f) => `${f.code} ${f.file}:${f.line}`)).toEqual(["TS2322 src/a.ts:3", "TS2304 src/b.ts:10"]);
  });
  it("ESLint stylish and JSON", () => {
    const stylish =
      "\n/w/repo/src/a.js\n  1:7   error    'x' is assigned a value but never used  no-unused-vars\n  3:1   warning  Unexpected console statement            no-console\n\n✖ 2 problems (1 error, 1 warning)\n";
    expect(parseToolOutput("lint", stylish, root).findings.map((f) => `${f.code} ${f.severity} ${f.file}:${f.line}`)).toEqual([
      "ESLINT:no-unused-vars blocking src/a.js:1",
      "ESLINT:no-console warning src/a.js:3",
    ]);
    const json = JSON.stringify([
      { filePath: "/w/repo/src/b.ts", messages: [{ line: 4, column: 2, severity: 2, message: "Missing semicolon.", ruleId: "semi" }] },
    ]);
    expect(parseToolOutput("lint", json, root).findings[0]).toMatchObject({ code: "ESLINT:semi", file: "src/b.ts", line: 4 });
  });
  it("go test (log lines before the FAIL line with -v, after it without)", () => {
    const verbose =
      "=== RUN   TestAdd\n    calc_test.go:7: add(2,2) = 0, want 4\n--- FAIL: TestAdd (0.00s)\n=== RUN   TestSub\n--- PASS: TestSub (0.00s)\nFAIL\nFAIL\texample.com/calc\t0.003s\nFAIL\n";
    const p = parseToolOutput("test", verbose, root);
    expect(p.findings).toEqual([expect.objectContaining({ code: "GO_TEST_FAIL", file: "calc_test.go", line: 7, message: "TestAdd: add(2,2) = 0, want 4" })]);
    expect(p.counts).toEqual({ passed: 1, failed: 1, skipped: 0 });
    const plain = "--- FAIL: TestAdd (0.00s)\n    calc_test.go:7: add(2,2) = 0, want 4\nFAIL\nFAIL\texample.com/calc\t0.006s\nFAIL\n";
    expect(parseToolOutput("test", plain, root).findings).toEqual([expect.objectContaining({ file: "calc_test.go", line: 7 })]);
  });
  it("cargo test", () => {
    const out =
      "running 2 tests\ntest tests::adds ... FAILED\ntest tests::subs ... ok\n\nfailures:\n\n---- tests::adds stdout ----\nthread 'tests::adds' panicked at src/lib.rs:12:9:\nassertion `left == right` failed\n\ntest result: FAILED. 1 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s\n";
    const p = parseToolOutput("test", out, root);
    expect(p.findings[0]).toMatchObject({ code: "CARGO_TEST_FAIL", file: "src/lib.rs", line: 12, message: "tests::adds: assertion `left == right` failed" });
    expect(p.counts).toEqual({ passed: 1, failed: 1, skipped: 0 });
  });
  it("vitest and jest", () => {
    const v =
      " FAIL  tests/a.test.ts > cart > sums\nAssertionError: expected 2 to be 3\n ❯ tests/a.test.ts:5:17\n\n Test Files  1 failed (1)\n      Tests  1 failed | 2 passed (3)\n";
    const pv = parseToolOutput("test", v, root);
    expect(pv.findings[0]).toMatchObject({ code: "VITEST_FAIL", file: "tests/a.test.ts", line: 5 });
    expect(pv.counts).toEqual({ passed: 2, failed: 1, skipped: 0 });
    const j =
      "  ● cart › sums\n\n    expect(received).toBe(expected)\n\n      at Object.<anonymous> (tests/cart.test.js:4:22)\n\nTests:       1 failed, 3 passed, 4 total\n";
    const pj = parseToolOutput("test", j, root);
    expect(pj.findings[0]).toMatchObject({ code: "JEST_FAIL", file: "tests/cart.test.js", line: 4, message: "cart › sums" });
    expect(pj.counts).toEqual({ passed: 3, failed: 1, skipped: 0 });
  });
  it("mypy, ruff/flake8, go vet and a generic file:line: fallback", () => {
    const mypy = parseToolOutput(
      "typecheck",
      'app/models.py:12: error: Incompatible types in assignment (expression has type "str", variable has type "int")  [assignment]\napp/models.py:14: note: see above\nFound 1 error in 1 file (checked 3 source files)\n',
      root,
    );
    expect(mypy.findings.map((f) => `${f.code} ${f.file}:${f.line}`)).toEqual(["MYPY:assignment app/models.py:12"]);
    const ruff = parseToolOutput(
      "lint",
      "app/x.py:3:1: F401 [*] `os` imported but unused\napp/x.py:9:80: E501 Line too long (88 > 79)\nFound 2 errors.\n",
      root,
    );
    expect(ruff.findings.map((f) => `${f.code} ${f.file}:${f.line}`)).toEqual(["PYLINT:F401 app/x.py:3", "PYLINT:E501 app/x.py:9"]);
    const vet = parseToolOutput("lint", "# example.com/calc\nvet: ./calc.go:7:2: fmt.Printf format %d has arg s of wrong type string\n", root);
    expect(vet.findings.map((f) => `${f.code} ${f.file}:${f.line}`)).toEqual(["GO_LINT calc.go:7"]);
    const other = parseToolOutput("lint", "lib/a.rb:4:7: C: Style/StringLiterals: Prefer single-quoted strings\n", root);
    expect(other.findings).toEqual([expect.objectContaining({ code: "LINT", file: "lib/a.rb", line: 4 })]);
  });
});
