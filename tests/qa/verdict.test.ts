import { describe, expect, it } from "vitest";
import { computeVerdict, renderReport } from "../../f/devgodzilla/lib/qa/verdict.ts";
import { parseQaConfig } from "../../f/devgodzilla/lib/qa/config.ts";
import type { ChecklistResult, CheckRun, GateResult } from "../../f/devgodzilla/lib/qa/types.ts";

const gate = (status: GateResult["status"], findings: GateResult["findings"] = []): GateResult => ({ id: "security", article: "IV", name: "Security", mode: "blocking", status, findings });
const item = (status: ChecklistResult["status"], required = true): ChecklistResult => ({ id: "CHK001", text: "x", source: "checklists/a.md", required, status, explanation: "because", evidence: [{ chunkId: "a.ts:1-3", file: "a.ts", startLine: 1, endLine: 3, changed: true, score: 1 }], tokensSent: 10 });
const check = (status: CheckRun["status"]): CheckRun => ({ kind: "test", command: ["npm", "test"], status, exitCode: status === "passed" ? 0 : 1, durationMs: 5, findings: [], outputTail: "", sandboxed: true });

describe("verdict", () => {
  const config = parseQaConfig({});
  it("a failed required checklist item blocks, an optional one does not", () => {
    const v = computeVerdict([gate("passed")], [item("FAILED", true)], [check("passed")], config);
    expect(v.status).toBe("failed");
    expect(v.blocking[0]).toMatchObject({ code: "CHECKLIST_FAILED", file: "a.ts", line: 1 });
    const w = computeVerdict([gate("passed")], [item("FAILED", false), item("PASSED"), item("PASSED")], [check("passed")], config);
    expect(w.blocking).toEqual([]);
  });
  it("without blocking failures the weighted score decides against the configured threshold", () => {
    const parts = [[gate("warned", [{ code: "LIB001", source: "gate", severity: "warning", message: "m" }])], [item("UNCLEAR"), item("PASSED")], [check("passed")]] as const;
    const v = computeVerdict([...parts[0]], [...parts[1]], [...parts[2]], config);
    // gates 0.9 * 0.3 + checklist 0.75 * 0.4 + checks 1 * 0.3 = 0.87
    expect(v.score).toBeCloseTo(0.87, 3);
    expect(v.status).toBe("passed");
    const strict = computeVerdict([...parts[0]], [...parts[1]], [...parts[2]], parseQaConfig({ threshold: 0.9 }));
    expect(strict.status).toBe("failed");
    expect(strict.recommendation).toMatch(/Below the passing score/);
    const reweighted = computeVerdict([...parts[0]], [...parts[1]], [...parts[2]], parseQaConfig({ weights: { gates: 0, checklist: 1, checks: 0 } }));
    expect(reweighted.score).toBeCloseTo(0.75, 3);
  });
  it("parts that did not run are left out of the score", () => {
    const v = computeVerdict([gate("passed")], [], [check("skipped")], config);
    expect(v.score).toBe(1);
  });
  it("the report lists gates, checklist results, checks, findings and the recommendation", () => {
    const v = computeVerdict([gate("failed", [{ code: "SEC002", article: "IV", source: "gate", severity: "blocking", message: "SQL built from strings", file: "src/db.ts", line: 3, fix: "Use placeholders" }])], [item("PASSED")], [check("failed")], config);
    const md = renderReport(v, { feature: "001-x", branch: "devgodzilla/001-x", commit: "a".repeat(40), base: "b".repeat(40) });
    for (const s of ["## Constitutional gates", "## Checklist", "## Project checks", "## Findings", "**Recommendation:** Do not merge", "**SEC002** (Article IV) `src/db.ts:3`", "Fix: Use placeholders", "❌ FAILED"]) expect(md).toContain(s);
  });
});

describe("the qa result stays renderable in the Windmill run page", () => {
  it("a huge verdict and report are bounded below DisplayResult's 100 kB markdown limit", async () => {
    const { compactVerdict, capMarkdown } = await import("../../f/devgodzilla/lib/qa/run.ts");
    const many = Array.from({ length: 300 }, (_, i) => ({ code: `TS${i}`, source: "check" as const, severity: "blocking" as const, message: "x".repeat(500), file: `src/f${i}.ts`, line: i }));
    const v = computeVerdict([gate("failed", many.map((f) => ({ ...f, source: "gate" as const })))], Array.from({ length: 100 }, () => ({ ...item("FAILED"), explanation: "y".repeat(2000) })), [{ ...check("failed"), findings: many, outputTail: "z".repeat(50_000) }], parseQaConfig({}));
    const md = renderReport(v, { feature: "001-x", branch: "b", commit: "c".repeat(40), base: "d".repeat(40) });
    const result = { wm_renderer: "markdown", markdown: capMarkdown(md, "specs/001-x/_runtime/qa-report.md"), verdict: compactVerdict(v) };
    expect(JSON.stringify(result).length * 2).toBeLessThan(85_000); // headroom under 100 kB for the other keys
    expect(result.markdown).toMatch(/full report is `specs\/001-x\/_runtime\/qa-report.md` on the branch/);
    expect(result.verdict.status).toBe("failed");
  });
});
