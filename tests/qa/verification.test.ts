// The verification contract, gate by gate, on a real repository run by node's own test runner: a
// tests-first feature (T001 committed failing tests naming the criteria; T002 is the code), and the
// ways a change can look done without being done. Each test fails when its gate is taken out.
import { afterEach, describe, expect, it } from "vitest";
import { codesOf, qaOn, tempRepo, type TempRepo } from "./helpers.ts";
import type { QaTask } from "../../f/devgodzilla/lib/qa/run.ts";

const SPEC = `# Feature Specification: Cart total

## User Scenarios & Testing *(mandatory)*

### User Story 1 - Cart total (Priority: P1)

**Acceptance Scenarios**:

1. **Given** a cart with prices 2 and 3, **When** the total is computed, **Then** it is 5
2. **Given** an empty cart, **When** the total is computed, **Then** it is 0

## Requirements *(mandatory)*

- **FR-001**: The system MUST compute a cart's total as the sum of its prices.
`;
const TASKS = `# Tasks: Cart total

- [x] T001 [US1] Write the failing tests for the cart total in test/total.test.js (criteria: US1-AS1, US1-AS2)
- [ ] T002 [US1] Implement total in src/cart.js (criteria: US1-AS1, US1-AS2) (depends on T001)
`;
const CONSTITUTION =
  "# Shop Constitution\n\n## Core Principles\n\n### I. Tests First (NON-NEGOTIABLE)\nTests MUST be written before the code they prove and MUST fail first; a test names the criterion it proves.\n\n### II. Small Modules\nOne concern per file.\n";
const T002: QaTask = {
  id: "T002",
  description: "Implement total in src/cart.js (criteria: US1-AS1, US1-AS2) (depends on T001)",
  files: ["src/cart.js"],
  story: "US1",
  body: "",
};

const HEADER = 'import { test } from "node:test";\nimport assert from "node:assert/strict";\nimport { total } from "../src/cart.js";\n';
const testFile = (...cases: string[]) => HEADER + cases.join("");
const AS1 = '\ntest("US1-AS1 totals the prices in the cart", () => {\n  assert.equal(total([2, 3]), 5);\n});\n';
const AS2 = '\ntest("US1-AS2 an empty cart costs nothing", () => {\n  assert.equal(total([]), 0);\n});\n';
const as1With = (body: string, mark = "") => `\ntest${mark}("US1-AS1 totals the prices in the cart", () => {\n  ${body}\n});\n`;

const COUNT = "export const count = (items) => items.length;\n";
const CORRECT = `${COUNT}export const total = (prices) => prices.reduce((a, b) => a + b, 0);\n`;
const WRONG = `${COUNT}export const total = (prices) => prices.length;\n`;

let repo: TempRepo | null = null;
afterEach(async () => {
  await repo?.cleanup();
  repo = null;
});

/** The repository after T001 (base), then the change (head); QA's verdict on base..head. */
async function judge(change: Record<string, string | null>, task: QaTask | null = T002) {
  repo = await tempRepo("dg-qa-verify-");
  await repo.commit("shop", {
    "package.json": JSON.stringify({ name: "shop", type: "module", scripts: { test: "node --test" } }),
    "src/cart.js": COUNT,
    "src/format.js": "export const money = (n) => n.toFixed(2);\n",
    "test/count.test.js":
      'import { test } from "node:test";\nimport assert from "node:assert/strict";\nimport { count } from "../src/cart.js";\n\ntest("count gives the number of items", () => {\n  assert.equal(count(["a", "b"]), 2);\n});\n',
    "README.md": "# shop\n",
    "specs/001-cart/spec.md": SPEC,
    "specs/001-cart/tasks.md": TASKS,
    ".specify/memory/constitution.md": CONSTITUTION,
  });
  const base = await repo.commit("T001 failing tests", { "test/total.test.js": testFile(AS1, AS2) });
  for (const [p, content] of Object.entries(change)) if (content === null) await repo.git("rm", "-q", p);
  const head = await repo.commit("T002", Object.fromEntries(Object.entries(change).filter(([, c]) => c !== null)) as Record<string, string>);
  const out = await qaOn(repo.dir, base, head, { task, story: "US1" });
  return { ...out, codes: codesOf(out.verdict) };
}

describe("QA on the tests-first task itself", () => {
  it("accepts T001's failing tests whose module does not exist yet: its criteria are failing (red), not unproven", async () => {
    repo = await tempRepo("dg-qa-verify-");
    const base = await repo.commit("shop", {
      "package.json": JSON.stringify({ name: "shop", type: "module", scripts: { test: "node --test" } }),
      "src/cart.js": COUNT,
      "README.md": "# shop\n",
      "specs/001-cart/spec.md": SPEC,
      "specs/001-cart/tasks.md": TASKS,
      ".specify/memory/constitution.md": CONSTITUTION,
    });
    const head = await repo.commit("T001", { "test/total.test.js": testFile(AS1, AS2).replace("../src/cart.js", "../src/total.js") });
    const t001: QaTask = {
      id: "T001",
      description: "Write the failing tests for the cart total in test/total.test.js (criteria: US1-AS1, US1-AS2)",
      files: ["test/total.test.js"],
      story: "US1",
      body: "",
    };
    const { verdict } = await qaOn(repo.dir, base, head, { task: t001, story: "US1" });
    expect(codesOf(verdict)).toEqual([]);
    const as1 = verdict.criteria.find((c) => c.id === "US1-AS1")!;
    expect(as1.verdict).toBe("failing");
    expect(as1.reason).toMatch(/test\/total\.test\.js names it but did not load/);
    expect(as1.evidence[0]).toMatchObject({ test: "US1-AS1 totals the prices in the cart", file: "test/total.test.js" });
  }, 60_000);
});

describe("QA's verification contract on a tests-first change", () => {
  it("accepts the implementation and shows each criterion proven by the named test that ran", async () => {
    const { verdict, codes, markdown } = await judge({ "src/cart.js": CORRECT });
    expect(codes).toEqual([]);
    expect(verdict.status).toBe("passed");
    const byId = Object.fromEntries(verdict.criteria.map((c) => [c.id, c]));
    expect(byId["US1-AS1"]!.verdict).toBe("proven");
    expect(byId["US1-AS1"]!.evidence[0]).toMatchObject({
      test: expect.stringContaining("US1-AS1 totals the prices in the cart"),
      file: "test/total.test.js",
      status: "passed",
    });
    expect(byId["US1-AS2"]!.verdict).toBe("proven");
    // The report opens with the criteria table.
    expect(markdown.indexOf("US1-AS1")).toBeLessThan(markdown.indexOf("rinciples"));
  }, 60_000);

  it("rejects wrong code whose failing test file was deleted (TEST_FILE_DELETED, tests fewer than at base)", async () => {
    const { codes, verdict } = await judge({ "src/cart.js": WRONG, "test/total.test.js": null });
    expect(codes).toEqual(expect.arrayContaining(["TEST_FILE_DELETED", "CRITERION_UNPROVEN"]));
    expect(verdict.status).toBe("failed");
  }, 60_000);

  it("rejects wrong code whose failing case was removed from the file (TEST_CASE_REMOVED)", async () => {
    const { codes } = await judge({ "src/cart.js": WRONG, "test/total.test.js": testFile(AS2) });
    expect(codes).toContain("TEST_CASE_REMOVED");
  }, 60_000);

  it("rejects an assertion loosened to a presence check, with the lines shown (TEST_ASSERTION_LOOSENED)", async () => {
    const { codes, verdict } = await judge({ "src/cart.js": WRONG, "test/total.test.js": testFile(as1With("assert.ok(total([2, 3]) > 0);"), AS2) });
    expect(codes).toContain("TEST_ASSERTION_LOOSENED");
    const f = verdict.blocking.find((x) => x.code === "TEST_ASSERTION_LOOSENED")!;
    expect(f.lines?.map((l) => `${l.change}${l.text.trim()}`)).toEqual(
      expect.arrayContaining(["-assert.equal(total([2, 3]), 5);", "+assert.ok(total([2, 3]) > 0);"]),
    );
    expect(verdict.criteria.find((c) => c.id === "US1-AS1")!.verdict).toBe("unproven");
  }, 60_000);

  it("rejects an assertion replaced by one that cannot fail (TEST_TAUTOLOGY)", async () => {
    const { codes } = await judge({ "src/cart.js": WRONG, "test/total.test.js": testFile(as1With("assert.ok(true);"), AS2) });
    expect(codes).toEqual(expect.arrayContaining(["TEST_TAUTOLOGY", "TEST_ASSERTION_LOOSENED"]));
  }, 60_000);

  it("rejects a test whose expected value was edited to what the wrong code returns (TEST_EXPECTATION_CHANGED)", async () => {
    const { codes, verdict } = await judge({ "src/cart.js": WRONG, "test/total.test.js": testFile(as1With("assert.equal(total([2, 3]), 2);"), AS2) });
    expect(codes).toContain("TEST_EXPECTATION_CHANGED");
    expect(verdict.blocking.find((f) => f.code === "TEST_EXPECTATION_CHANGED")!.message).toMatch(/now expects 2 where it expected 5/);
  }, 60_000);

  it("accepts more tests added beside the kept ones (no expectation changed)", async () => {
    const single = '\ntest("US1-AS1 a single price is its own total", () => {\n  assert.equal(total([7]), 7);\n});\n';
    const { codes } = await judge({ "src/cart.js": CORRECT, "test/total.test.js": testFile(AS1, AS2, single) });
    expect(codes).toEqual([]);
  }, 60_000);

  it("rejects the failing test marked skip (TEST_SKIP_ADDED, and the criterion is unproven)", async () => {
    const { codes, verdict } = await judge({ "src/cart.js": WRONG, "test/total.test.js": testFile(as1With("assert.equal(total([2, 3]), 5);", ".skip"), AS2) });
    expect(codes).toContain("TEST_SKIP_ADDED");
    expect(verdict.criteria.find((c) => c.id === "US1-AS1")!.verdict).toBe("unproven");
  }, 60_000);

  it("rejects tests moved where the runner never collects them (TEST_NOT_COLLECTED)", async () => {
    const { codes } = await judge({ "src/cart.js": WRONG, "test/total.test.js": null, "tests/total.spec.js": testFile(AS1, AS2) });
    expect(codes).toEqual(expect.arrayContaining(["TEST_NOT_COLLECTED", "CRITERION_UNPROVEN"]));
  }, 60_000);

  it("rejects the project's existing test deleted to hide a regression", async () => {
    const { codes } = await judge({
      "src/cart.js": `export const count = (items) => 0;\nexport const total = (prices) => prices.reduce((a, b) => a + b, 0);\n`,
      "test/count.test.js": null,
    });
    expect(codes).toContain("TEST_FILE_DELETED");
  }, 60_000);

  it("rejects an empty change (NO_CHANGE) and a README-only change for a code task (NO_CODE_CHANGE)", async () => {
    expect((await judge({})).codes).toContain("NO_CHANGE");
    await repo?.cleanup();
    expect((await judge({ "README.md": "# shop\n\n`total(prices)` sums a cart.\n" })).codes).toContain("NO_CODE_CHANGE");
  }, 120_000);

  it("rejects an unrelated code edit beside the implementation (OFF_SCOPE)", async () => {
    const { codes, verdict } = await judge({ "src/cart.js": CORRECT, "src/format.js": "export const money = (n) => `$${n}`;\n" });
    expect(codes).toEqual(["OFF_SCOPE"]);
    expect(verdict.blocking[0]!.file).toBe("src/format.js");
  }, 60_000);

  it("accepts a new helper module the declared file imports (in scope)", async () => {
    const { codes } = await judge({
      "src/cart.js": `import { sum } from "./sum.js";\n${COUNT}export const total = (prices) => sum(prices);\n`,
      "src/sum.js": "export const sum = (xs) => xs.reduce((a, b) => a + b, 0);\n",
    });
    expect(codes).toEqual([]);
  }, 60_000);
});
