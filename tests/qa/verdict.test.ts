import { describe, expect, it } from "vitest";
import { computeVerdict, renderReport } from "../../f/devgodzilla/lib/qa/verdict.ts";
import { parseQaConfig } from "../../f/devgodzilla/lib/qa/config.ts";
import type { ChecklistResult, CheckRun, CriterionResult, GateResult, PrincipleResult } from "../../f/devgodzilla/lib/qa/types.ts";

const gate = (status: GateResult["status"], findings: GateResult["findings"] = []): GateResult => ({
  id: "injection",
  principles: ["IV"],
  name: "No injection paths",
  mode: "blocking",
  status,
  findings,
});
const item = (status: ChecklistResult["status"], required = true): ChecklistResult => ({
  id: "CHK001",
  text: "x",
  source: "checklists/a.md",
  required,
  status,
  explanation: "because",
  evidence: [{ chunkId: "a.ts:1-3", file: "a.ts", startLine: 1, endLine: 3, changed: true, score: 1 }],
  tokensSent: 10,
});
const check = (status: CheckRun["status"]): CheckRun => ({
  kind: "test",
  command: ["npm", "test"],
  status,
  exitCode: status === "passed" ? 0 : 1,
  durationMs: 5,
  findings: [],
  outputTail: "",
  sandboxed: true,
});

describe("verdict", () => {
  const config = parseQaConfig({});
  it("a failed required checklist item blocks, an optional one does not", () => {
    const v = computeVerdict({ gates: [gate("passed")], checklist: [item("FAILED", true)], checks: [check("passed")] }, config);
    expect(v.status).toBe("failed");
    expect(v.blocking[0]).toMatchObject({ code: "CHECKLIST_FAILED", file: "a.ts", line: 1 });
    const w = computeVerdict(
      { gates: [gate("passed")], checklist: [item("FAILED", false), item("PASSED"), item("PASSED")], checks: [check("passed")] },
      config,
    );
    expect(w.blocking).toEqual([]);
  });

  it("an unclear checklist item counts as not passed: half passed, half unclear is below the threshold", () => {
    const v = computeVerdict({ gates: [gate("passed")], checklist: [item("UNCLEAR"), item("UNCLEAR"), item("PASSED")], checks: [check("passed")] }, config);
    // gates 1 * 0.3 + checklist (1/3) * 0.4 + checks 1 * 0.3 = 0.733; all unclear: 0.6
    expect(v.score).toBeCloseTo(0.733, 3);
    const all = computeVerdict({ gates: [gate("passed")], checklist: [item("UNCLEAR"), item("UNCLEAR")], checks: [check("passed")] }, config);
    expect(all.score).toBeCloseTo(0.6, 3);
    expect(all.status).toBe("failed");
  });

  it("items nobody judged (no LLM) neither pass nor count: the score rests on what was proven", () => {
    const v = computeVerdict({ gates: [gate("passed")], checklist: [item("NOT_JUDGED"), item("NOT_JUDGED")], checks: [check("failed")] }, config);
    // gates 1 * 0.3 + checks 0 * 0.3 over 0.6 = 0.5
    expect(v.score).toBeCloseTo(0.5, 3);
    expect(v.parts.checklist).toBe(1); // not part of the score, shown as neutral
    expect(v.status).toBe("failed");
  });

  it("without blocking failures the weighted score decides against the configured threshold", () => {
    const g = [gate("warned", [{ code: "LIB001", source: "gate", severity: "warning", message: "m" }])];
    const v = computeVerdict({ gates: g, checklist: [item("PASSED"), item("PASSED")], checks: [check("passed")] }, config);
    // gates 0.9 * 0.3 + checklist 1 * 0.4 + checks 1 * 0.3 = 0.97
    expect(v.score).toBeCloseTo(0.97, 3);
    expect(v.status).toBe("passed");
    const strict = computeVerdict({ gates: g, checklist: [item("PASSED")], checks: [check("passed")] }, parseQaConfig({ threshold: 0.99 }));
    expect(strict.status).toBe("failed");
    expect(strict.recommendation).toMatch(/Below the passing score/);
  });

  it("parts that did not run are left out of the score", () => {
    const v = computeVerdict({ gates: [gate("passed")], checklist: [], checks: [check("skipped")] }, config);
    expect(v.score).toBe(1);
  });

  it("a principle the model found violated blocks when the principle binds", () => {
    const v = computeVerdict(
      {
        gates: [],
        checklist: [],
        checks: [check("passed")],
        principleFindings: [{ code: "PRINCIPLE", principle: "II", source: "principle", severity: "blocking", message: "Principle II is not met" }],
      },
      config,
    );
    expect(v.status).toBe("failed");
    expect(v.blocking.map((f) => f.code)).toEqual(["PRINCIPLE"]);
  });

  it("the report opens with the criteria table, then the principles, gates, checklist and checks, and shows a finding's lines", () => {
    const criteria: CriterionResult[] = [
      {
        id: "US1-AS1",
        text: "Given a cart, When totalled, Then it sums",
        stories: ["US1"],
        verdict: "proven",
        required: true,
        reason: '"US1-AS1 sums" (test/cart.test.js:4) passed',
        evidence: [{ test: "US1-AS1 sums", file: "test/cart.test.js", line: 4, status: "passed" }],
      },
      { id: "FR-002", text: "System MUST round", stories: [], verdict: "unproven", required: false, reason: "no test that ran names it", evidence: [] },
    ];
    const principles: PrincipleResult[] = [
      { id: "III", title: "Test-First", verdict: "pass", how: "check:test-first", evidence: "1 test went from failing to passing" },
      { id: "VIII", title: "User Value", verdict: "not_judged", how: "none", evidence: "no LLM" },
    ];
    const v = computeVerdict(
      {
        gates: [
          gate("failed", [
            {
              code: "TEST_ASSERTION_LOOSENED",
              principle: "III",
              source: "gate",
              severity: "blocking",
              message: 'Test "sums" now checks less',
              file: "test/cart.test.js",
              line: 4,
              fix: "Keep the assertions",
              lines: [
                { file: "test/cart.test.js", line: 5, text: "  assert.equal(total([1, 2]), 3);", change: "-" },
                { file: "test/cart.test.js", line: 5, text: "  assert.ok(total([1, 2]));", change: "+" },
              ],
            },
          ]),
        ],
        checklist: [item("PASSED")],
        checks: [check("failed")],
        criteria,
        principles,
      },
      config,
    );
    const md = renderReport(v, {
      feature: "001-x",
      branch: "devgodzilla/001-x",
      commit: "a".repeat(40),
      base: "b".repeat(40),
      criteriaFrom: "specs/001-x/criteria.md",
      constitutionFrom: ".specify/memory/constitution.md",
    });
    const order = ["## Acceptance criteria", "## Constitution principles", "## Gates", "## Checklist", "## Project checks", "## Findings"].map((h) =>
      md.indexOf(h),
    );
    expect(order.every((x, i) => x > 0 && (i === 0 || x > order[i - 1]!))).toBe(true);
    expect(md).toContain('| **US1-AS1** Given a cart, When totalled, Then it sums | yes | ✅ proven | "US1-AS1 sums" (test/cart.test.js:4) passed |');
    expect(md).toContain("| **VIII** User Value | ❔ not judged | none | no LLM |");
    for (const s of [
      "**Recommendation:** Do not merge",
      "**TEST_ASSERTION_LOOSENED** (principle III) `test/cart.test.js:4`",
      "- test/cart.test.js:5:   assert.equal(total([1, 2]), 3);",
      "+ test/cart.test.js:5:   assert.ok(total([1, 2]));",
      "Fix: Keep the assertions",
      "❌ FAILED",
    ])
      expect(md).toContain(s);
  });
});

describe("the qa result stays renderable in the Windmill run page", () => {
  it("a huge verdict and report are bounded below DisplayResult's 100 kB markdown limit", async () => {
    const { compactVerdict, capMarkdown } = await import("../../f/devgodzilla/lib/qa/run.ts");
    const many = Array.from({ length: 300 }, (_, i) => ({
      code: `TS${i}`,
      source: "check" as const,
      severity: "blocking" as const,
      message: "x".repeat(500),
      file: `src/f${i}.ts`,
      line: i,
    }));
    const criteria: CriterionResult[] = Array.from({ length: 200 }, (_, i) => ({
      id: `FR-${i}`,
      text: "t".repeat(400),
      stories: [],
      verdict: "unproven",
      required: true,
      reason: "r".repeat(400),
      evidence: [],
    }));
    const v = computeVerdict(
      {
        gates: [
          gate(
            "failed",
            many.map((f) => ({ ...f, source: "gate" as const })),
          ),
        ],
        checklist: Array.from({ length: 100 }, () => ({ ...item("FAILED"), explanation: "y".repeat(2000) })),
        checks: [{ ...check("failed"), findings: many, outputTail: "z".repeat(50_000) }],
        criteria,
      },
      parseQaConfig({}),
    );
    const md = renderReport(v, { feature: "001-x", branch: "b", commit: "c".repeat(40), base: "d".repeat(40) });
    const result = { wm_renderer: "markdown", markdown: capMarkdown(md, "specs/001-x/_runtime/qa-report.md"), verdict: compactVerdict(v) };
    expect(JSON.stringify(result).length * 2).toBeLessThan(85_000); // headroom under 100 kB for the other keys
    expect(result.markdown).toMatch(/full report is `specs\/001-x\/_runtime\/qa-report.md` on the branch/);
    expect(result.verdict.status).toBe("failed");
  });
});
