// Every model call a run makes counts, including the ones that are easy to lose: QA's embeddings
// requests and reviewer agent run beside its judge; a task_with_qa round whose agent step threw
// after spending, or whose flow failed (a person rejected the clarification); and a retried QA
// step's failed attempt. Each total is checked against what the loopback model server answered.
import { writeFile, mkdir, rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPath, RunStore } from "../../scripts/runner/index.ts";
import { promptText, type LlmExchange } from "../../scripts/fakes/llm-server.ts";
import { estimateTokens } from "../../scripts/fakes/llm-protocols/common.ts";
import { main as qaMain } from "../../f/devgodzilla/qa.ts";
import { standalone } from "../helpers/standalone.ts";
import { refuseFirstPushes } from "../helpers/git-fixtures.ts";
import { harness, isJudgeCall, GOOD, MODEL_USAGE, type Attempt, type Harness } from "./flow-helpers.ts";

/** qa run on its own (bad_input "fail"): its result is QA's, never a handed-on error. */
const qa = standalone(qaMain);

/** The judge fails code carrying this marker (a change that passes its tests but not the checklist). */
const JUDGED_WRONG = "// totals: v2";
const ROUTE_USAGE = { inputTokens: 300, outputTokens: 30 };
const isRouteCall = (ex: LlmExchange) => /Failure to route/.test(promptText(ex));
const isEmbedding = (ex: LlmExchange) => ex.protocol === "embeddings";
const JUDGE_TOKENS = MODEL_USAGE.judge.inputTokens + MODEL_USAGE.judge.outputTokens;
const ROUTE_TOKENS = ROUTE_USAGE.inputTokens + ROUTE_USAGE.outputTokens;
/** What the fake reviewer CLI (tests/fixtures/agentops) reports for its run. */
const REVIEWER = { input: 200, output: 50, costUsd: 0.004 };

/** How the model routes the failures it is asked about, in order (then retry). */
let routes: ("retry" | "clarify")[] = [];
let h: Harness;
beforeAll(async () => {
  h = await harness({
    model: (ex) => {
      if (isRouteCall(ex)) {
        const action = routes.shift() ?? "retry";
        const answer =
          action === "clarify"
            ? { action, reason: "the checklist item is ambiguous", question: "Should the total include the last price?", options: ["yes", "no"] }
            : { action, reason: "the agent can meet the item as written" };
        return { text: JSON.stringify(answer), usage: ROUTE_USAGE };
      }
      if (isJudgeCall(ex) && promptText(ex).includes(JUDGED_WRONG))
        return { text: JSON.stringify({ status: "FAILED", explanation: "the total leaves out the last price", evidence: [] }), usage: MODEL_USAGE.judge };
      return undefined;
    },
  });
});
afterAll(async () => h?.close());

const llmResource = () => h.store.resources["f/test/openai"].value as { api_key: string; base_url: string };
/** The model server's answers of one kind from now on. */
const answered = (kind: (ex: LlmExchange) => boolean) => {
  const from = h.server.requests.length;
  return () => h.server.requests.slice(from).filter(kind);
};
/** Input tokens the server reported for its embeddings answers (its own count of each input text). */
const embeddingTokens = (exs: LlmExchange[]) =>
  exs.reduce(
    (sum, ex) =>
      sum + (Array.isArray(ex.body?.input) ? ex.body.input : [ex.body?.input]).reduce((a: number, t: unknown) => a + estimateTokens(String(t ?? "")), 0),
    0,
  );

/** The harness's GOOD change with the marker the judge fails. */
const judgedBad = (tokens: number): Attempt => ({
  agent_message: "Implemented cartTotal with its test.",
  tokens,
  commits: GOOD.commits!.map((c) => (c.files["src/cart.js"] ? { ...c, files: { "src/cart.js": `${c.files["src/cart.js"].trimEnd()} ${JUDGED_WRONG}\n` } } : c)),
});

async function pushGood(branch: string): Promise<string> {
  await h.repo.git("checkout", "-q", "-B", branch.replace(/\//g, "-"), h.base);
  for (const c of GOOD.commits!) await h.repo.commit(c.message, c.files);
  const head = await h.repo.head();
  await h.repo.git("push", "-q", "-f", h.remote, `HEAD:refs/heads/${branch}`);
  return head;
}

describe("QA's usage: the judge, the embeddings and the reviewer", () => {
  it("the qa script's usage is every judge call and embeddings request the server answered plus the reviewer agent's reported run, each priced", async () => {
    const branch = `${h.runBranch}-tasks/T011`;
    const head = await pushGood(branch);
    const judged = answered(isJudgeCall);
    const embedded = answered(isEmbedding);
    const agents = {
      bin_dir: resolve("tests/fixtures/agentops/bin"),
      enabled: ["claude-code", "llm"],
      agents: { "claude-code": { api_key: "review-key-5d1e0a9b77" } },
      review: { agent: "claude-code", weight: 0.3 },
    };
    const qaConfig = { checklist: { embeddings: { enabled: true, model: "text-embedding-3-small" } } };
    const r = await qa(
      h.remote,
      branch,
      head,
      h.base,
      h.feature,
      {},
      {},
      "",
      "",
      qaConfig as never,
      llmResource() as never,
      undefined,
      true,
      "refuse",
      agents as never,
    );
    const judge = judged().length;
    const embeds = embedded();
    expect(judge).toBeGreaterThan(0);
    expect(embeds.length).toBeGreaterThan(0);
    expect((r.verdict as { review?: { error: string | null } }).review?.error ?? null).toBeNull();
    const embedTokens = embeddingTokens(embeds);
    expect(r.usage).toMatchObject({
      calls: judge + embeds.length + 1,
      inputTokens: judge * MODEL_USAGE.judge.inputTokens + embedTokens + REVIEWER.input,
      outputTokens: judge * MODEL_USAGE.judge.outputTokens + REVIEWER.output,
    });
    // Embeddings are priced per model ($0.02 per million input tokens); the reviewer at the cost its CLI reported.
    expect(r.usage.byModel["text-embedding-3-small"]).toEqual({
      calls: embeds.length,
      inputTokens: embedTokens,
      outputTokens: 0,
      costUsd: Math.round(embedTokens * 0.02) / 1e6,
    });
    expect(r.usage.byModel["claude-code"]).toEqual({ calls: 1, inputTokens: REVIEWER.input, outputTokens: REVIEWER.output, costUsd: REVIEWER.costUsd });
    expect(r.usage.unpricedModels).not.toContain("text-embedding-3-small");
    expect(r.usage.unpricedModels).not.toContain("claude-code");
  });

  it("an embeddings model the price table does not know is counted with its tokens and named as unpriced", async () => {
    const branch = `${h.runBranch}-tasks/T012`;
    const head = await pushGood(branch);
    const embedded = answered(isEmbedding);
    const qaConfig = { checklist: { embeddings: { enabled: true, model: "local-embed-v1" } } };
    const r = await qa(h.remote, branch, head, h.base, h.feature, {}, {}, "", "", qaConfig as never, llmResource() as never, undefined, false);
    const embeds = embedded();
    expect(embeds.length).toBeGreaterThan(0);
    expect(r.usage.byModel["local-embed-v1"]).toEqual({ calls: embeds.length, inputTokens: embeddingTokens(embeds), outputTokens: 0, costUsd: 0 });
    expect(r.usage.unpricedModels).toContain("local-embed-v1");
  });
});

describe("task_with_qa's usage when a step or the round's flow fails", () => {
  it("an agent step that failed after its run, then a round whose clarification a person rejected: the failed loop's usage is both agent runs and every judge and routing call the server answered", async () => {
    routes = ["clarify"];
    const judged = answered(isJudgeCall);
    const routed = answered(isRouteCall);
    // Round 1: the agent ran (700 tokens), then its push timed out (a transient failure: retried by pattern).
    // Round 2: the agent's work fails QA, the model asks a person, who rejects the question: the round's flow fails.
    const state = await h.scenario([{ ...judgedBad(700), fails_after_agent: "git push timed out after 30s (ETIMEDOUT)" }, judgedBad(500)]);
    const out = await runPath("f/devgodzilla/task_with_qa", {
      root: h.root,
      stateDir: h.stateDir,
      store: h.store,
      args: h.args(state),
      answers: { ask: { __disapproved: true } },
    });
    const r = out.result as {
      status: string;
      reason: string;
      usage: { tokens: number; input_tokens: number; output_tokens: number };
      usage_parts: { step: string; round: number; usage_id: string; tokens: number }[];
    };
    expect(r.status, JSON.stringify(out.result).slice(0, 600)).toBe("error");
    expect(r.reason).toMatch(/SuspendedDisapproved: Disapproved by /); // Windmill's error for a refusal (it names no step)
    expect(r).not.toHaveProperty("usage_note");
    expect(routed()).toHaveLength(1);
    const judge = judged().length;
    expect(judge).toBeGreaterThan(0);
    expect(r.usage.tokens).toBe(700 + 500 + judge * JUDGE_TOKENS + ROUTE_TOKENS);
    expect(r.usage.input_tokens).toBe(700 + 500 + judge * MODEL_USAGE.judge.inputTokens + ROUTE_USAGE.inputTokens);
    // The failed agent step's job kept its usage in its error, as Windmill keeps a thrown error's own properties.
    const journal = new RunStore(h.stateDir).journal(out.runId) as { type: string; path?: string; success?: boolean; job_id?: string; result: any }[];
    const failedExecute = journal.find((e) => e.type === "step" && e.path === "f/devgodzilla/execute_task" && e.success === false);
    expect(failedExecute?.result.error.extra.usage).toMatchObject({ tokens: 700 });
    expect(r.usage_parts.filter((p) => p.step === "execute").map((p) => [p.round, p.tokens])).toEqual([
      [1, 700],
      [2, 500],
    ]);
    expect(r.usage_parts.find((p) => p.round === 1 && p.step === "execute")?.usage_id).toBe(failedExecute?.result.error.extra.usage_id);
    expect(new Set(r.usage_parts.map((p) => p.usage_id)).size).toBe(r.usage_parts.length);
  });
});

describe("a retried QA step's failed attempt", () => {
  /** spec_to_pr's tail as a flow: run QA (retried once, as spec_to_pr retries it), then the run summary. */
  const FLOW = `summary: Test - a retried QA step, then the run summary
value:
  modules:
    - id: run_qa
      summary: QA of the run (retried once)
      value:
        type: script
        path: f/devgodzilla/qa
        input_transforms:
          repo: { type: javascript, expr: flow_input.repo }
          branch: { type: javascript, expr: flow_input.branch }
          commit: { type: javascript, expr: flow_input.commit }
          base_commit: { type: javascript, expr: flow_input.base_commit }
          feature: { type: javascript, expr: flow_input.feature }
          llm: { type: javascript, expr: flow_input.llm }
      retry:
        constant: { attempts: 1, seconds: 0 }
    - id: summary
      summary: The run at a glance
      value:
        type: script
        path: f/devgodzilla/summarize_run
        input_transforms:
          feature: { type: javascript, expr: flow_input.feature }
          branch: { type: javascript, expr: results.run_qa.branch }
          commit: { type: javascript, expr: results.run_qa.commit }
          qa: { type: javascript, expr: results.run_qa }
`;
  it("counts in the run summary: its judge calls, kept in the failed job's error, are added to the retry's, and the total is every judge call the server answered", async () => {
    const branch = `${h.runBranch}-tasks/T013`;
    const head = await pushGood(branch);
    await mkdir(join(h.root, "f/costtest/retried_qa__flow"), { recursive: true });
    await writeFile(join(h.root, "f/costtest/retried_qa__flow/flow.yaml"), FLOW);
    // The remote refuses the first two pushes of a QA report (the push and its forced retry): QA fails after judging.
    await refuseFirstPushes(h.remote, "qa:");
    const judged = answered(isJudgeCall);
    try {
      const out = await runPath("f/costtest/retried_qa", {
        root: h.root,
        stateDir: h.stateDir,
        store: h.store,
        args: { repo: h.remote, branch, commit: head, base_commit: h.base, feature: h.feature, llm: "$res:f/test/openai" },
      });
      expect(out.status, JSON.stringify(out.error)).toBe("success");
      const journal = new RunStore(h.stateDir).journal(out.runId) as { type: string; step_id?: string; failed_attempts?: string[]; result: any }[];
      const qaStep = journal.find((e) => e.type === "step" && e.step_id === "run_qa")!;
      expect(qaStep.failed_attempts).toHaveLength(1);
      const judge = judged().length;
      const retryCalls = qaStep.result.usage.calls as number;
      // Both attempts judged: the failed one's calls are the rest.
      expect(retryCalls).toBeGreaterThan(0);
      expect(judge).toBeGreaterThan(retryCalls);
      const s = out.result as { tokens: number; render_all: { markdown?: string }[] };
      expect(s.tokens).toBe(judge * JUDGE_TOKENS);
      expect(s.render_all[0]!.markdown).toContain(`  - Failed attempts of retried steps (run QA): ${(judge - retryCalls) * JUDGE_TOKENS} tokens`);
    } finally {
      await rm(join(h.remote, "hooks/pre-receive"), { force: true }); // later tests push QA reports again
    }
  });
});
