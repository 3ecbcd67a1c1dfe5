import { describe, expect, it } from "vitest";
import { detectBlock } from "../../f/devgodzilla/lib/agents/block.ts";

describe("BlockDetector", () => {
  it.each([
    [
      "I need clarification: should deleted users be kept for 30 days or removed at once?",
      "clarify",
      "should deleted users be kept for 30 days or removed at once?",
    ],
    ["Before I can proceed, could you clarify which database the report should read from?", "clarify", null],
    ["The requirement is ambiguous: 'fast' has no target. What latency should the endpoint meet?", "clarify", "What latency should the endpoint meet?"],
    ["spec.md still contains [NEEDS CLARIFICATION: auth method not specified], so I stopped.", "clarify", null],
    ["I cannot proceed: FR-003 and FR-007 conflict — one requires deleting the data, the other retaining it for audits.", "re-specify", null],
    ["The requirements are contradictory: the page must work offline and always show live prices.", "re-specify", null],
    ["This feature is impossible to implement as written: the spec requires reading the user's mind.", "re-specify", null],
    ["T014 depends on the PaymentService which does not exist yet in the codebase; the plan assumed it.", "re-plan", null],
    ["The plan is outdated: the module moved to src/core, so the file paths in tasks.md are wrong.", "re-plan", null],
    ["I can't complete this as planned because the library named in plan.md is not installed and cannot be.", "re-plan", null],
  ])("%s → %s", (msg, kind, question) => {
    const b = detectBlock(msg);
    expect(b?.kind).toBe(kind);
    if (question) expect(b!.question).toBe(question);
    expect(b!.excerpt.length).toBeGreaterThan(0);
  });

  it("an explicit BLOCKED marker wins and carries the question", () => {
    const b = detectBlock("Looked at the code.\nBLOCKED(clarify): Which currency should totals use?");
    expect(b).toEqual({
      kind: "clarify",
      reason: "explicit-marker",
      question: "Which currency should totals use?",
      excerpt: "BLOCKED(clarify): Which currency should totals use?",
    });
    expect(detectBlock("BLOCKED(re-plan): T3 must run after T7")?.kind).toBe("re-plan");
    expect(detectBlock("BLOCKED(respecify): FR-1 contradicts FR-2")?.kind).toBe("re-specify");
  });

  it.each([
    "Done: added the CSV export and its tests. No clarification needed.",
    "Implemented T001. All tests pass.",
    "I clarified the README wording and fixed the typo.",
    "The task did not need more information; I added the endpoint.",
    "Done. Please confirm the export looks right in the browser.",
    "",
  ])("does not flag a normal completion: %s", (msg) => {
    expect(detectBlock(msg)).toBeNull();
  });
});
