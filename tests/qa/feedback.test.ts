import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLlmServer, promptText, type LlmServer } from "../../scripts/fakes/llm-server.ts";
import { createLlm } from "../../f/devgodzilla/lib/llm/client.ts";
import { detectBlock } from "../../f/devgodzilla/lib/agents/block.ts";
import { applyBounds, classifyFeedback, LimitsSchema, type DecisionRecord } from "../../f/devgodzilla/lib/qa/feedback.ts";
import { main as classifyStep } from "../../f/devgodzilla/feedback_classify.ts";
import { askClarify, askSpec, answer, next, qaInputs } from "../../f/devgodzilla/lib/qa/feedback-step.ts";
import type { Finding } from "../../f/devgodzilla/lib/qa/types.ts";

const failed = (blocking: Partial<Finding>[], checklist: { id: string; text: string; status: string; required: boolean; explanation: string }[] = []) => ({
  status: "failed" as const,
  score: 0.4,
  threshold: 0.7,
  checklist,
  blocking: blocking.map((b) => ({ code: "X", message: "", source: "check" as const, severity: "blocking" as const, ...b })),
});

let server: LlmServer;
beforeAll(async () => {
  server = await startLlmServer((ex) => {
    const p = promptText(ex);
    if (/Failure to route/.test(p))
      return {
        text: JSON.stringify({
          action: "clarify",
          reason: "the item needs a product decision",
          question: "Should discounts stack?",
          options: ["Yes", "No"],
          recommended: "No",
        }),
      };
    return { status: 500, error: "unexpected" };
  });
});
afterAll(async () => server?.close());

describe("feedback classification", () => {
  it("routes a BlockDetector signal by its kind, with the question and options for clarify", async () => {
    const b = detectBlock("I stopped. BLOCKED(clarify): Should totals be rounded to cents or kept exact?")!;
    const c = await classifyFeedback({ block: b });
    expect(c).toMatchObject({
      action: "clarify",
      source: "block",
      question: "Should totals be rounded to cents or kept exact?",
      options: ["rounded to cents", "kept exact"],
      recommended: "rounded to cents",
    });
    expect((await classifyFeedback({ block: detectBlock("The requirements FR-001 and FR-003 contradict each other.")! })).action).toBe("re-specify");
    expect((await classifyFeedback({ block: detectBlock("This depends on the session store, which does not exist yet.")! })).action).toBe("re-plan");
  });

  it("passes a passed verdict as done", async () => {
    expect(await classifyFeedback({ verdict: { status: "passed", score: 0.9, blocking: [] } })).toMatchObject({ action: "done", source: "verdict" });
  });

  it("retries fixable findings, re-plans missing prerequisites, re-specifies spec faults, clarifies ambiguity", async () => {
    expect(
      (await classifyFeedback({ verdict: failed([{ code: "NODE_TEST_FAIL", message: "sums: expected 3", file: "test/a.test.js", line: 4 }]) })).action,
    ).toBe("retry");
    expect(
      (
        await classifyFeedback({
          verdict: failed([{ code: "TS2307", message: "Cannot find module '../session/store' or its corresponding type declarations." }]),
        })
      ).action,
    ).toBe("re-plan");
    expect(
      (
        await classifyFeedback({
          verdict: failed(
            [],
            [{ id: "CHK004", text: "Is the timeout quantified? [Ambiguity, Spec §FR-2]", status: "FAILED", required: true, explanation: "FR-2 says fast" }],
          ),
        })
      ).action,
    ).toBe("re-specify");
    expect(
      (
        await classifyFeedback({
          verdict: failed(
            [],
            [{ id: "CHK009", text: "Retries are bounded [Spec §FR-7]", status: "FAILED", required: true, explanation: "The retry loop is missing a bound" }],
          ),
        })
      ).action,
    ).not.toBe("re-specify");
    expect(
      (
        await classifyFeedback({
          verdict: failed(
            [],
            [
              {
                id: "CHK010",
                text: "Exports are complete",
                status: "FAILED",
                required: true,
                explanation: "FR-3 and FR-5 contradict each other on the export format",
              },
            ],
          ),
        })
      ).action,
    ).toBe("re-specify");
    const c = await classifyFeedback({
      verdict: failed(
        [],
        [
          {
            id: "CHK002",
            text: "Discount rules are applied",
            status: "FAILED",
            required: true,
            explanation: "It is unclear which discount applies when two match",
          },
        ],
      ),
    });
    expect(c).toMatchObject({ action: "clarify", source: "pattern" });
    expect(c.question).toMatch(/Discount rules/);
    expect((await classifyFeedback({ error: { name: "Error", message: "connect ECONNRESET 10.0.0.1:443" } })).action).toBe("retry");
  });

  it("empty work is retried with a reason that says so, then escalated to a person when it happens again", async () => {
    const first = await classifyFeedback({ verdict: failed([{ code: "NO_CHANGE", message: "Nothing changed", source: "gate" }]) });
    expect(first).toMatchObject({ action: "retry", source: "pattern" });
    expect(first.reason).toMatch(/^NO_CHANGE/);
    // execute_task's outcome alone is enough, with or without a verdict.
    expect((await classifyFeedback({ outcome: "no_change" })).reason).toMatch(/NO_CHANGE/);
    const again = await classifyFeedback({
      verdict: failed([{ code: "NO_CODE_CHANGE", message: "only README.md", source: "gate" }]),
      history: [{ iteration: 1, decision: "retry", classified_as: "retry", reason: first.reason, source: "pattern", score: 0, commit: null, at: "" }],
    });
    expect(again).toMatchObject({ action: "clarify", source: "pattern" });
    expect(again.options?.length).toBeGreaterThan(1);
  });

  it("weakened tests are retried with the order to restore them, then a person decides whether the tests stay", async () => {
    const v = failed([
      { code: "NODE_TEST_FAIL", message: "x" },
      { code: "TEST_ASSERTION_LOOSENED", message: 'Test "sums" now checks less', file: "test/cart.test.js", line: 4, source: "gate" },
    ]);
    const first = await classifyFeedback({ verdict: v });
    expect(first).toMatchObject({ action: "retry" });
    expect(first.reason).toMatch(/tests weakened \(TEST_ASSERTION_LOOSENED.*restore them/);
    const again = await classifyFeedback({
      verdict: failed([{ code: "TEST_SKIP_ADDED", message: "skip added", source: "gate" }]),
      history: [{ iteration: 1, decision: "retry", classified_as: "retry", reason: first.reason, source: "pattern", score: 0, commit: null, at: "" }],
    });
    expect(again).toMatchObject({ action: "clarify" });
    expect(again.question).toMatch(/removing or weakening tests/);
  });

  it("a retry's reason names every kind of blocking finding, not only the first", async () => {
    const c = await classifyFeedback({
      verdict: failed([
        { code: "TEST001", message: "code without test", source: "gate" },
        { code: "NODE_TEST_FAIL", message: "sums" },
      ]),
    });
    expect(c.reason).toMatch(/TEST001, NODE_TEST_FAIL/);
  });

  it("asks the LLM only when the patterns cannot decide", async () => {
    const before = server.requests.length;
    const llm = createLlm({ provider: "openai", apiKey: "sk-test-feedback-000000000000", baseUrl: server.openaiBaseUrl, model: "gpt-4.1", maxAttempts: 1 });
    const v = failed(
      [],
      [{ id: "CHK007", text: "Promotions behave as marketing expects", status: "FAILED", required: true, explanation: "The code applies both promotions" }],
    );
    v.blocking = [{ code: "CHECKLIST_FAILED", message: "CHK007 failed", source: "checklist", severity: "blocking" }];
    const c = await classifyFeedback({ verdict: v }, llm);
    expect(c).toMatchObject({ action: "clarify", source: "llm", question: "Should discounts stack?", options: ["Yes", "No"], recommended: "No" });
    expect(server.requests.length).toBe(before + 1);
    await classifyFeedback({ verdict: failed([{ code: "NODE_TEST_FAIL", message: "x" }]) }, llm);
    expect(server.requests.length).toBe(before + 1); // a pattern decided: no model call
  });
});

describe("loop bounds", () => {
  const rec = (decision: string): DecisionRecord => ({
    iteration: 0,
    decision: decision as DecisionRecord["decision"],
    classified_as: "retry",
    reason: "",
    source: "pattern",
    score: null,
    commit: null,
    at: "",
  });
  const limits = LimitsSchema.parse({ max_retries: 2, max_clarifications: 1, max_iterations: 5, backoff_seconds: 3 });
  it("backs off exponentially and stops at max_retries", () => {
    const r1 = applyBounds({ action: "retry", reason: "t", source: "pattern" }, [], limits);
    const r2 = applyBounds({ action: "retry", reason: "t", source: "pattern" }, [rec("retry")], limits);
    const r3 = applyBounds({ action: "retry", reason: "t", source: "pattern" }, [rec("retry"), rec("retry")], limits);
    expect([r1.decision, r1.backoff_seconds, r2.decision, r2.backoff_seconds]).toEqual(["retry", 3, "retry", 6]);
    expect(r3).toMatchObject({ decision: "fail", stop: true });
    expect(r3.reason).toMatch(/max_retries \(2\) reached/);
  });
  it("stops clarifying after max_clarifications and everything after max_iterations", () => {
    expect(applyBounds({ action: "clarify", reason: "q", source: "block" }, [rec("clarify")], limits).decision).toBe("fail");
    expect(
      applyBounds({ action: "re-plan", reason: "q", source: "block" }, [rec("retry"), rec("clarify"), rec("retry"), rec("re-specify")], limits),
    ).toMatchObject({ decision: "fail", reason: expect.stringMatching(/5 iterations/) });
  });
});

describe("feedback steps", () => {
  it("records each decision in the history it returns", async () => {
    const r = (await classifyStep("abc1234", {}, [{ verdict: failed([{ code: "NODE_TEST_FAIL", message: "x" }]) }], [], { backoff_seconds: 0 })) as {
      decision: string;
      decisions: DecisionRecord[];
    };
    expect(r.decision).toBe("retry");
    expect(r.decisions).toEqual([expect.objectContaining({ iteration: 1, decision: "retry", commit: "abc1234", score: 0.4 })]);
  });

  it("takes a verdict as Windmill hands it on: optional finding fields that were undefined arrive as null", async () => {
    const base = failed([{ code: "CRITERION_UNPROVEN", message: "US1-AS1 is not proven by any test" }]);
    const v = {
      ...base,
      threshold: null,
      recommendation: null,
      blocking: base.blocking.map((f) => ({ ...f, file: null, line: null, principle: null, fix: null })),
    };
    const r = (await classifyStep("abc1234", {}, [{ verdict: v }], [], { backoff_seconds: 0 })) as { decision: string };
    expect(r.decision).toBe("retry");
  });

  it("rejects a malformed verdict naming the field", async () => {
    await expect(classifyStep("abc1234", {}, [{ verdict: { status: "maybe" } }])).rejects.toThrow(/^qa\.verdict: status/);
  });

  it("QA does not run after a failed or blocked execute step, and is given the agent's output when it does", () => {
    expect(qaInputs({ execute: { error: { message: "boom" } }, commit: "abc1234" })).toMatchObject({ runs: [], skipped: "the execute step failed" });
    expect(qaInputs({ execute: { blocked: true, commit: "abc1234" }, commit: "abc1234" }).runs).toEqual([]);
    const go = qaInputs({
      execute: { commit: "def5678", branch: "t", agent: { finalMessage: "did it" }, artifacts: { files: [] } },
      task: { id: "T003", story: "US1" },
      commit: "abc1234",
    });
    expect(go).toMatchObject({ runs: [1], commit: "def5678", base_commit: "abc1234", task_id: "T003", story: "US1", artifacts: { agent_output: "did it" } });
  });

  it("an approval with nothing to ask resumes itself at once; one with a question returns the form's payload", async () => {
    const posted: unknown[] = [];
    const deps = {
      resumeUrls: async () => ({ resume: "https://wm/resume/1", cancel: "c", approvalPage: "a" }),
      post: async (url: string, payload: unknown) => posted.push([url, payload]),
    };
    expect(await askClarify({ decide: { decision: "retry" } }, deps)).toEqual({ asked: false });
    expect(await askSpec({ decide: { decision: "done" }, clarify: { skipped: true }, commit: "abc1234" }, deps)).toEqual({
      asked: false,
      clarify_answer: null,
    });
    expect(posted).toEqual([
      ["https://wm/resume/1", { skipped: true }],
      ["https://wm/resume/1", { skipped: true }],
    ]);
    const ask = await askClarify({ decide: { decision: "clarify", question: "EUR or USD?", options: ["EUR", "USD"], recommended: "EUR" } }, deps);
    expect(ask).toMatchObject({ asked: true, resume: "https://wm/resume/1", default_args: { answer: "EUR" }, options: ["EUR", "USD"] });
    expect(posted).toHaveLength(2); // asking does not resume
  });

  it("folds a clarification into the context, a spec update into the commit; the next attempt carries them", () => {
    const decisions = [
      {
        iteration: 1,
        decision: "clarify",
        classified_as: "clarify",
        reason: "q",
        source: "block",
        score: null,
        commit: "abc1234",
        question: "EUR or USD?",
        at: "t",
      },
    ];
    const a = answer({ decide: { decisions }, asked: { clarify_answer: { answer: "EUR" } }, spec: { skipped: true }, context: [], commit: "abc1234" });
    expect(a).toMatchObject({ commit: "abc1234", replan: [], context: [{ question: "EUR or USD?", answer: "EUR" }] });
    expect(() => answer({ decide: { decisions }, asked: { clarify_answer: null }, spec: {}, context: [], commit: "abc1234" })).toThrow(
      /resume\.answer: an answer is required/,
    );
    const respec = [{ ...decisions[0], decision: "re-specify" }];
    expect(answer({ decide: { decisions: respec }, asked: {}, spec: { commit: "def5678", note: "exact sums" }, context: [], commit: "abc1234" })).toMatchObject(
      { commit: "def5678" },
    );
    expect(next({ decide: { stop: false }, answer: a, replan: [{ commit: "fff0000" }] })).toMatchObject({ again: [1], commit: "fff0000" });
    expect(next({ decide: { stop: true }, answer: a, replan: [] })).toMatchObject({ again: [] });
  });
});
