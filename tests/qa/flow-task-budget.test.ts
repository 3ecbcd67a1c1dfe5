// A per-task budget holds over task_with_qa's rounds: each round's agent run gets what the earlier
// rounds (agent, QA, feedback, re-plan) left, and once the task's usage reaches the budget no
// further round starts — the result is execute_task's budget stop (status budget_exceeded,
// BudgetExceededError naming the budget and what was spent).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPath } from "../../scripts/runner/index.ts";
import { check, classify, next } from "../../f/devgodzilla/lib/qa/feedback-step.ts";
import { harness, isJudgeCall, GOOD, BAD, MODEL_USAGE, type Harness } from "./flow-helpers.ts";

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(async () => h?.close());

/** What the agent reports per run: under the budgets below on its own. */
const AGENT_TOKENS = 600;
const JUDGE_TOKENS = MODEL_USAGE.judge.inputTokens + MODEL_USAGE.judge.outputTokens;

type Result = {
  status: string;
  reason: string;
  error?: { name: string; message: string };
  decisions: { decision: string; reason: string }[];
  usage: { tokens: number };
  usage_parts: { round: number; tokens: number }[];
};

async function run(budget: Record<string, number>) {
  // Round 1: the agent's change fails its tests (a retry); round 2 would pass.
  const state = await h.scenario([
    { ...BAD, tokens: AGENT_TOKENS },
    { ...GOOD, tokens: AGENT_TOKENS },
  ]);
  const judged = h.server.requests.length;
  const out = await runPath("f/devgodzilla/task_with_qa", {
    root: h.root,
    stateDir: h.stateDir,
    store: h.store,
    args: h.args(state, { budget }),
  });
  expect(out.status, JSON.stringify(out.error)).toBe("success");
  return { r: out.result as Result, calls: await h.calls(state), judgeCalls: h.server.requests.slice(judged).filter(isJudgeCall).length };
}

describe("task_with_qa with a per-task budget", () => {
  it("a first round whose agent and QA usage exceed task_tokens starts no second round and reports the budget stop with what was spent", async () => {
    const budget = AGENT_TOKENS + 400;
    const { r, calls, judgeCalls } = await run({ task_tokens: budget });
    // The agent alone stays under the budget; its QA judge's calls take the task over it.
    expect(judgeCalls).toBeGreaterThan(0);
    expect(r.usage.tokens).toBe(AGENT_TOKENS + judgeCalls * JUDGE_TOKENS);
    expect(r.usage.tokens).toBeGreaterThan(budget);
    expect(calls).toHaveLength(1);
    expect(calls[0].budget).toEqual({ task_tokens: budget });
    expect(r.status).toBe("budget_exceeded");
    const message = `task budget exceeded (${r.usage.tokens} tokens > budget ${budget})`;
    expect(r.error).toEqual({ name: "BudgetExceededError", message });
    expect(r.reason).toBe(message);
    expect(r.decisions.map((d) => d.decision)).toEqual(["fail"]);
  }, 120_000);

  it("a budget not reached changes nothing: the loop retries and passes, the second agent run gets what the first round left", async () => {
    const budget = 1_000_000;
    const { r, calls } = await run({ task_tokens: budget });
    // As without a budget (tests/qa/flow-clarify-retry.test.ts): a retry, then the passing round.
    expect(r.status).toBe("passed");
    expect(r.decisions.map((d) => d.decision)).toEqual(["retry", "done"]);
    expect(r.error).toBeUndefined();
    expect(calls).toHaveLength(2);
    const firstRound = r.usage_parts.filter((p) => p.round === 1).reduce((a, p) => a + p.tokens, 0);
    expect(firstRound).toBeGreaterThan(AGENT_TOKENS);
    expect(calls.map((c) => c.budget)).toEqual([{ task_tokens: budget }, { task_tokens: budget - firstRound }]);
  }, 180_000);
});

describe("the loop's steps with a budget", () => {
  const part = (step: string, tokens: number, round = 1) => ({
    step,
    round,
    usage_id: `${step}-${round}`,
    input_tokens: tokens,
    output_tokens: 0,
    tokens,
    cost_usd: null,
  });
  const answer = { commit: "a".repeat(40), decisions: [{}], context: [] };
  const agentRun = (tokens: number) => ({
    commit: "c".repeat(40),
    usage: { input_tokens: tokens, output_tokens: 0, tokens, cost_usd: 0.02 },
    job_id: "exec-2",
  });

  it("check gives this round's agent what the earlier rounds left, and refuses a malformed budget", () => {
    const spent = [part("execute", 500), { ...part("qa", 300), cost_usd: 0.01 }];
    expect(check({ budget: { task_tokens: 1000, task_cost_usd: 0.05 }, spent }).budget_left).toEqual({ task_tokens: 200, task_cost_usd: 0.04 });
    expect(check({ budget: { task_tokens: 0 }, spent }).budget_left).toEqual({});
    expect(() => check({ budget: { task_tokens: -5 } })).toThrow(/budget/);
  });

  it("classify ends the loop on a reached budget instead of asking a question, and keeps a change QA passed", async () => {
    const blocked = { ...agentRun(400), blocked: true, block: { kind: "clarify", reason: "unsure", question: "Cents or exact?", excerpt: "" } };
    const spent = [part("execute", 500), part("qa", 300)];
    const stopped = await classify({
      execute: blocked,
      qa: [],
      budget: { task_tokens: 1000 },
      spent,
    });
    expect(stopped).toMatchObject({ decision: "fail", stop: true, budget_exceeded: "task budget exceeded (1200 tokens > budget 1000)" });
    expect(stopped.decisions.at(-1)).toMatchObject({ decision: "fail", classified_as: "clarify", reason: "task budget exceeded (1200 tokens > budget 1000)" });

    const asks = await classify({ execute: blocked, qa: [], budget: { task_tokens: 5000 }, spent });
    expect(asks).toMatchObject({ decision: "clarify", stop: false, budget_exceeded: null });

    const passed = await classify({ execute: agentRun(400), qa: [{ verdict: { status: "passed", score: 1 } }], budget: { task_tokens: 1000 }, spent });
    expect(passed).toMatchObject({ decision: "done", budget_exceeded: null });
    const byCost = await classify({ execute: { ...blocked, usage: { tokens: 1, cost_usd: 0.05 } }, qa: [], budget: { task_cost_usd: 0.05 }, spent: [] });
    expect(byCost.budget_exceeded).toBe("task budget exceeded ($0.0500 = budget $0.05)");
  });

  it("starts no further round when the re-plan's usage takes the task to its budget, and carries the usage otherwise", () => {
    const decide = { stop: false, spent: [part("execute", 500), part("qa", 300)], budget_exceeded: null };
    const replan = [{ commit: "b".repeat(40), usage: { calls: 1, inputTokens: 200, outputTokens: 0, costUsd: 0 }, usage_id: "replan-1" }];
    const stopped = next({ answer, decide, replan, budget: { task_tokens: 1000 } });
    expect(stopped.again).toEqual([]);
    expect(stopped.budget_exceeded).toBe("task budget exceeded (1000 tokens = budget 1000)");

    const going = next({ answer, decide, replan, budget: { task_tokens: 1001 } });
    expect(going.again).toEqual([1]);
    expect(going.budget_exceeded).toBeNull();
    expect(going.spent.map((p) => [p.step, p.tokens])).toEqual([
      ["execute", 500],
      ["qa", 300],
      ["replan", 200],
    ]);
    expect(next({ answer, decide, replan, budget: {} }).again).toEqual([1]);
  });
});
