// A task's attempts: retries with backoff, then the fallback agents; final failures; the task budget.
import { describe, it, expect } from "vitest";
import { runAttempts, type AttemptInfo, type AttemptOutcome } from "../../f/devgodzilla/lib/dag/attempts.ts";

function script(outcomes: AttemptOutcome<string>[]) {
  const seen: AttemptInfo[] = [];
  const sleeps: number[] = [];
  return {
    seen,
    sleeps,
    attempt: async (info: AttemptInfo) => (seen.push(info), outcomes[seen.length - 1] ?? { status: "succeeded" as const, result: "ok" }),
    sleep: async (ms: number) => void sleeps.push(ms),
  };
}

describe("runAttempts", () => {
  it("retries a retryable failure with doubling backoff, then switches to each fallback agent", async () => {
    const s = script([
      { status: "failed", error: "flaky" },
      { status: "failed", error: "flaky" },
      { status: "failed", error: "flaky" },
      { status: "succeeded", result: "done" },
    ]);
    const r = await runAttempts({ retries: 1, backoffMs: 100, fallbackAgents: ["codex", "claude-code"] }, s.attempt, s.sleep);
    expect(r.status).toBe("succeeded");
    expect(s.seen.map((i) => i.agent)).toEqual([undefined, undefined, "codex", "codex"]);
    expect(s.sleeps).toEqual([100, 100]); // before each same-agent retry, none on an agent switch
    expect(r.attempts.map((a) => a.status)).toEqual(["failed", "failed", "failed", "succeeded"]);
  });

  it("does not retry a failure marked non-retryable, and a thrown error counts as retryable", async () => {
    const final = script([{ status: "failed", error: "blocked", retryable: false }]);
    expect(await runAttempts({ retries: 3 }, final.attempt, final.sleep)).toMatchObject({ status: "failed", error: "blocked" });
    expect(final.seen).toHaveLength(1);
    let n = 0;
    const thrown = await runAttempts(
      { retries: 1 },
      async () => {
        if (n++ === 0) throw new TypeError("boom");
        return { status: "succeeded", result: "second" };
      },
      async () => undefined,
    );
    expect(thrown).toMatchObject({ status: "succeeded", result: "second" });
  });

  it("ends the attempts once the task's budget is spent and tells each attempt what is left", async () => {
    const s = script([
      { status: "failed", error: "x", usage: { tokens: 150 } },
      { status: "failed", error: "x", usage: { tokens: 150 } },
    ]);
    const r = await runAttempts({ retries: 5, budget: { tokens: 200 } }, s.attempt, s.sleep);
    expect(r.status).toBe("budget_exceeded");
    expect(r.error).toMatch(/300 tokens > budget 200/);
    expect(s.seen.map((i) => i.budgetLeft?.tokens)).toEqual([200, 50]);
  });
});
