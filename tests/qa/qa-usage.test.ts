// What QA's and the feedback loop's model calls cost: the qa script and feedback_classify report
// their LLM ledger's totals (with a usage_id), and task_with_qa's result adds every round's calls,
// each step run once, into the `usage` execute_tasks counts for the task.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPath, RunStore } from "../../scripts/runner/index.ts";
import { promptText, type LlmExchange } from "../../scripts/fakes/llm-server.ts";
import { main as qaMain } from "../../f/devgodzilla/qa.ts";
import { standalone } from "../helpers/standalone.ts";
import { main as classifyStep } from "../../f/devgodzilla/feedback_classify.ts";
import { finish } from "../../f/devgodzilla/lib/qa/feedback-step.ts";
import { harness, isJudgeCall, GOOD, MODEL_USAGE, type Attempt, type Harness } from "./flow-helpers.ts";

/** qa run on its own (bad_input "fail"): its result is QA's, never a handed-on error. */
const qa = standalone(qaMain);

/** The judge fails code carrying this marker (a change that passes its tests but not the checklist). */
const JUDGED_WRONG = "// totals: v1";
/** The failure the patterns cannot route, so feedback asks the model. */
const ROUTE_USAGE = { inputTokens: 400, outputTokens: 40 };
const isRouteCall = (ex: LlmExchange) => /Failure to route/.test(promptText(ex));

let h: Harness;
beforeAll(async () => {
  h = await harness({
    model: (ex) => {
      if (isRouteCall(ex)) return { text: JSON.stringify({ action: "retry", reason: "the agent can meet the item as written" }), usage: ROUTE_USAGE };
      if (isJudgeCall(ex) && promptText(ex).includes(JUDGED_WRONG))
        return { text: JSON.stringify({ status: "FAILED", explanation: "the total leaves out the last price", evidence: [] }), usage: MODEL_USAGE.judge };
      return undefined;
    },
  });
});
afterAll(async () => h?.close());

const JUDGE_TOKENS = MODEL_USAGE.judge.inputTokens + MODEL_USAGE.judge.outputTokens;
const ROUTE_TOKENS = ROUTE_USAGE.inputTokens + ROUTE_USAGE.outputTokens;
const llmResource = () => h.store.resources["f/test/openai"].value as { api_key: string; base_url: string };
/** Counts the model's answers of one kind from now on. */
const counter = (kind: (ex: LlmExchange) => boolean) => {
  const from = h.server.requests.length;
  return () => h.server.requests.slice(from).filter(kind).length;
};

/** The harness's GOOD change with the marker the judge fails: its tests pass, its checklist does not. */
const JUDGED_BAD: Attempt = {
  agent_message: "Implemented cartTotal with its test.",
  commits: GOOD.commits!.map((c) => (c.files["src/cart.js"] ? { ...c, files: { "src/cart.js": `${c.files["src/cart.js"].trimEnd()} ${JUDGED_WRONG}\n` } } : c)),
};

describe("the qa script's usage", () => {
  it("reports the judge's calls and tokens as the model server answered them, with a usage_id of its own per run", async () => {
    await h.repo.git("checkout", "-q", "-B", "qa-usage", h.base);
    for (const c of GOOD.commits!) await h.repo.commit(c.message, c.files);
    const head = await h.repo.head();
    const branch = `${h.runBranch}-tasks/T009`;
    await h.repo.git("push", "-q", "-f", h.remote, `HEAD:refs/heads/${branch}`);
    const judged = counter(isJudgeCall);
    const args = [h.remote, branch, head, h.base, h.feature] as const;
    const r = await qa(...args, {}, {}, "", "", undefined, llmResource() as never);
    const calls = judged();
    expect(calls).toBeGreaterThan(0);
    expect(r.usage).toMatchObject({
      calls,
      inputTokens: calls * MODEL_USAGE.judge.inputTokens,
      outputTokens: calls * MODEL_USAGE.judge.outputTokens,
    });
    expect(r.usage_id).toMatch(/\S/);

    const noModel = counter(() => true);
    const plain = await qa(...args, {}, {}, "", "", undefined, undefined, undefined, false);
    expect(noModel()).toBe(0);
    expect(plain.usage).toMatchObject({ calls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 });
    expect(plain.usage_id).not.toBe(r.usage_id);
  });
});

describe("feedback_classify's usage", () => {
  const verdict = (code: string, source: string) => ({
    status: "failed",
    score: 0.4,
    checklist: [
      { id: "CHK001", text: "The cart total sums every item price", status: "FAILED", required: true, explanation: "the total leaves out the last price" },
    ],
    blocking: [{ code, message: "CHK001 failed", source, severity: "blocking" }],
  });

  it("carries the model call's usage and a usage_id when the model routed the failure, and none when a pattern did", async () => {
    const routed = counter(isRouteCall);
    const byModel = (await classifyStep("abc1234", {}, [{ verdict: verdict("CHECKLIST_FAILED", "checklist") }], [], {}, llmResource() as never)) as Record<
      string,
      any
    >;
    expect(routed()).toBe(1);
    expect(byModel).toMatchObject({ decision: "retry", source: "llm", usage: { calls: 1, inputTokens: 400, outputTokens: 40 } });
    expect(byModel.usage_id).toMatch(/\S/);

    const byPattern = (await classifyStep("abc1234", {}, [{ verdict: verdict("NODE_TEST_FAIL", "check") }], [], {}, llmResource() as never)) as Record<
      string,
      unknown
    >;
    expect(routed()).toBe(1);
    expect(byPattern).toMatchObject({ decision: "retry", source: "pattern" });
    expect(byPattern).not.toHaveProperty("usage");
    expect(byPattern).not.toHaveProperty("usage_id");
  });
});

describe("task_with_qa's usage: every round's calls, each once", () => {
  const ledger = (tokens: number, id: string) => ({ usage: { calls: 1, inputTokens: tokens, outputTokens: 0, costUsd: tokens / 1e6 }, usage_id: id });

  it("a round passes the deeper rounds' result up with its own agent, QA and feedback calls added, a step run met twice counted once", () => {
    const deeper = finish({
      decide: { decision: "done", decisions: [{}, {}] },
      execute: { commit: "b".repeat(40), usage: { input_tokens: 100, output_tokens: 65, tokens: 165, cost_usd: null }, job_id: "exec-2" },
      qa: [{ verdict: { status: "passed", score: 1 }, ...ledger(1000, "qa-2") }],
      commit: "a".repeat(40),
    });
    // The agent reported no cost: counted as $0, and named.
    const agentUnpriced = ["the task's agent: cost not reported"];
    expect(deeper.usage).toEqual({ input_tokens: 1100, output_tokens: 65, tokens: 1165, cost_usd: 0.001, unpriced_models: agentUnpriced });
    const first = finish({
      decide: { decision: "retry", decisions: [{}], ...ledger(440, "decide-1") },
      execute: { commit: "c".repeat(40), usage: { input_tokens: 100, output_tokens: 65, tokens: 165, cost_usd: null }, job_id: "exec-1" },
      qa: [{ verdict: { status: "failed", score: 0.4 }, ...ledger(1000, "qa-1") }],
      replan: [{ commit: "d".repeat(40), ...ledger(3400, "replan-1") }],
      // The deeper result names a step run of this round again (a result handed on twice): counted once.
      again: [
        {
          ...deeper,
          usage_parts: [
            ...(deeper.usage_parts ?? []),
            { step: "qa", round: 1, usage_id: "qa-1", input_tokens: 1000, output_tokens: 0, tokens: 1000, cost_usd: 0.001 },
          ],
        },
      ],
      commit: "a".repeat(40),
    }) as { status: string; usage: unknown; agent_usage: unknown; usage_parts: { step: string; round: number; usage_id: string }[] };
    expect(first.status).toBe("passed");
    expect(first.usage).toEqual({
      input_tokens: 100 + 1000 + 440 + 3400 + 1100,
      output_tokens: 130,
      tokens: 6170,
      cost_usd: 0.00584,
      unpriced_models: agentUnpriced,
    });
    // The agents' own runs, for agent_metrics (both rounds; no cost reported).
    expect(first.agent_usage).toEqual({ input_tokens: 200, output_tokens: 130, tokens: 330, cost_usd: null, unpriced_models: agentUnpriced });
    expect(first.usage_parts.map((p) => [p.round, p.step, p.usage_id])).toEqual([
      [1, "execute", "exec-1"],
      [1, "qa", "qa-1"],
      [1, "decide", "decide-1"],
      [1, "replan", "replan-1"],
      [2, "execute", "exec-2"],
      [2, "qa", "qa-2"],
    ]);
  });

  it("on the local runner: a round the judge failed, routed by the model and retried, then a passing round — the result's usage is every judge and routing call the server answered, once", async () => {
    const judged = counter(isJudgeCall);
    const routed = counter(isRouteCall);
    const state = await h.scenario([JUDGED_BAD, GOOD]);
    const out = await runPath("f/devgodzilla/task_with_qa", { root: h.root, stateDir: h.stateDir, store: h.store, args: h.args(state) });
    expect(out.status, JSON.stringify(out.error)).toBe("success");
    const r = out.result as {
      status: string;
      decisions: { decision: string; source: string }[];
      usage: { tokens: number; cost_usd: number | null };
      usage_parts: { step: string; round: number; usage_id: string }[];
    };
    expect(r.decisions.map((d) => [d.decision, d.source])).toEqual([
      ["retry", "llm"],
      ["done", "verdict"],
    ]);
    expect(r.status).toBe("passed");
    expect(routed()).toBe(1);
    const judgeCalls = judged();
    expect(judgeCalls).toBeGreaterThanOrEqual(2);
    // The double execute_task reports no usage: the task's usage is the QA judge's and the routing call's.
    expect(r.usage.tokens).toBe(judgeCalls * JUDGE_TOKENS + ROUTE_TOKENS);
    // Each qa and decide job that called the model appears once, in its round.
    const steps = new RunStore(h.stateDir).journal(out.runId).filter((e) => e.type === "step" && e.success) as { path?: string; result: any }[];
    const idsOf = (path: string) => steps.filter((e) => e.path === path && e.result?.usage?.calls > 0).map((e) => e.result.usage_id);
    expect(r.usage_parts.filter((p) => p.step === "qa").map((p) => [p.round, p.usage_id])).toEqual(idsOf("f/devgodzilla/qa").map((id, i) => [i + 1, id]));
    expect(r.usage_parts.filter((p) => p.step === "decide").map((p) => p.usage_id)).toEqual(idsOf("f/devgodzilla/feedback_classify"));
    expect(new Set(r.usage_parts.map((p) => p.usage_id)).size).toBe(r.usage_parts.length);
  });
});
