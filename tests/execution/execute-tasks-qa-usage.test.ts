// execute_tasks with task_with_qa (runnable = flow) on the local runner: each task's QA judge calls
// count in the task's usage, in the run's usage and report, and in the run budget — a budget the
// agents alone stay under stops the run once QA's calls are counted.
import { afterEach, describe, expect, it } from "vitest";
import path from "node:path";
import os from "node:os";
import { mkdtemp, rm } from "node:fs/promises";
import { runPath, type LocalStore } from "../../scripts/runner/index.ts";
import { summarizeRun } from "../../f/devgodzilla/lib/run_summary.ts";
import { createFixtureRemote } from "../helpers/git-fixtures.ts";
import { FAKE_BIN } from "../agents/helpers.ts";
import { promptText, startLlmServer, type LlmExchange } from "../../scripts/fakes/llm-server.ts";

const FEATURE = "005-qa-cost";
const BRANCH = `devgodzilla/${FEATURE}`;
const SECRET = "sk-execute-tasks-qa-usage-0123456789";
/** What the fake agent CLI reports per run (tests/execution/execute-tasks.test.ts relies on it too). */
const AGENT_TOKENS = 165;
const JUDGE_USAGE = { inputTokens: 1000, outputTokens: 100 };

const isJudge = (ex: LlmExchange) => /^(Checklist item|Principle) /m.test(promptText(ex));
const isEstimate = (ex: LlmExchange) => /You estimate how much work each task/.test(promptText(ex));

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c().catch(() => undefined);
});

/** `model`: the LLM resource's model (QA's judge); gpt-4.1-mini has a price, a local model none. */
async function setup(
  model = "gpt-4.1-mini",
  tasks = ["- [ ] T001 [P] Write the greeting [[fake:write greet.txt=hello]]", "- [ ] T002 [P] Write the farewell [[fake:write bye.txt=bye]]"],
) {
  const tasksMd = ["# Tasks: QA cost", "", "## Phase 1: Work", "", ...tasks, ""].join("\n");
  const fx = await createFixtureRemote("empty", {
    extraFiles: {
      [`specs/${FEATURE}/tasks.md`]: tasksMd,
      [`specs/${FEATURE}/spec.md`]: "# Feature Specification: Greetings\n\n## Requirements *(mandatory)*\n\nThe project greets and says goodbye.\n",
      [`specs/${FEATURE}/checklists/requirements.md`]: "# Checklist\n- [ ] CHK001 The greeting is written\n",
    },
  });
  const stateDir = await mkdtemp(path.join(os.tmpdir(), "dgz-exec-qa-usage-"));
  const server = await startLlmServer((ex) => {
    if (isEstimate(ex))
      return {
        text: JSON.stringify({
          estimates: [
            { id: "T001", size: "S" },
            { id: "T002", size: "S" },
          ],
        }),
        usage: { inputTokens: 0, outputTokens: 0 },
      };
    if (isJudge(ex)) return { text: JSON.stringify({ status: "PASSED", explanation: "the change does what the item says", evidence: [] }), usage: JUDGE_USAGE };
    return { status: 400, error: `unexpected prompt: ${promptText(ex).slice(0, 80)}` };
  });
  cleanups.push(
    () => fx.cleanup(),
    () => rm(stateDir, { recursive: true, force: true }),
    () => server.close(),
  );
  const store: LocalStore = {
    resources: {
      "f/test/agents_fake": {
        resource_type: "c_devgodzilla_agents",
        value: { default_agent: "qwen", enabled: ["qwen"], bin_dir: FAKE_BIN, agents: { qwen: { api_key: SECRET } } },
      },
      "f/test/llm": {
        resource_type: "c_devgodzilla_llm",
        value: { provider: "openai", api_key: SECRET, base_url: server.openaiBaseUrl, model },
      },
    },
    variables: {},
  };
  const run = (extra: Record<string, unknown> = {}, answers?: Record<string, unknown>) =>
    runPath("f/devgodzilla/execute_tasks", {
      ...(answers ? { answers } : {}),
      args: {
        repo: fx.remote,
        branch: BRANCH,
        commit: fx.seed,
        feature: FEATURE,
        runnable: "flow",
        concurrency: 1,
        setup: "skip",
        agents: "$res:f/test/agents_fake",
        llm: "$res:f/test/llm",
        ...extra,
      },
      store,
      stateDir,
      noV8: true,
    });
  return { run, judgeCalls: () => server.requests.filter(isJudge).length };
}

type Outcome = { id: string; status: string; usage: { tokens?: number; costUsd?: number } };

describe("execute_tasks with task_with_qa: QA's model calls are part of the run's cost", () => {
  it("a task's usage is its agent's tokens plus its QA judge's, and a run_tokens budget the agents alone stay under stops the run", async () => {
    const { run, judgeCalls } = await setup();
    // One task's agent alone (165 tokens) is far under the budget; with its QA judge's calls it is over.
    const budget = 1000;
    const out = await run({ budget: { run_tokens: budget } });
    expect(out.status, JSON.stringify(out.error)).toBe("success");
    const res = out.result as {
      status: string;
      tasks: Outcome[];
      usage: { tokens: number };
      tasks_usage: { tokens: number };
      stop_reason?: string;
      report: string;
    };
    const calls = judgeCalls();
    expect(calls).toBeGreaterThan(0);
    const ran = res.tasks.find((t) => t.status === "succeeded");
    expect(ran, JSON.stringify(res.tasks)).toBeDefined();
    expect(ran!.usage.tokens).toBe(AGENT_TOKENS + calls * (JUDGE_USAGE.inputTokens + JUDGE_USAGE.outputTokens));
    // gpt-4.1-mini: $0.40 / $1.60 per million input / output tokens (the fake agent reports no cost).
    expect(ran!.usage.costUsd).toBeCloseTo((calls * (JUDGE_USAGE.inputTokens * 0.4 + JUDGE_USAGE.outputTokens * 1.6)) / 1e6, 9);
    expect(AGENT_TOKENS).toBeLessThan(budget);
    expect(res.status).toBe("budget_exceeded");
    expect(res.tasks.map((t) => t.status).sort()).toEqual(["not_started", "succeeded"]);
    expect(res.stop_reason).toMatch(new RegExp(`run budget exceeded \\(${ran!.usage.tokens} tokens > budget ${budget}\\)`));
    expect(res.tasks_usage.tokens).toBe(ran!.usage.tokens);
    expect(res.usage.tokens).toBe(ran!.usage.tokens);
    expect(res.report).toContain(`QA and feedback calls): ${(ran!.usage.tokens ?? 0).toLocaleString("en-US")} tokens`);
  });

  it("a per-task budget reaches task_with_qa: a task_tokens the agent alone goes over ends each task as a budget stop, reported as execute_task's", async () => {
    const { run } = await setup();
    const taskTokens = 100;
    const out = await run({ budget: { task_tokens: taskTokens } });
    expect(out.status, JSON.stringify(out.error)).toBe("success");
    const res = out.result as { tasks: (Outcome & { error?: string })[]; report: string };
    expect(AGENT_TOKENS).toBeGreaterThan(taskTokens);
    expect(res.tasks.map((t) => t.status)).toEqual(["budget_exceeded", "budget_exceeded"]);
    for (const t of res.tasks) {
      expect(t.error).toBe(`task budget exceeded (${AGENT_TOKENS} tokens > budget ${taskTokens})`);
      expect(t.usage.tokens).toBe(AGENT_TOKENS);
    }
    expect(res.report).toContain(`| T001 | 💸 budget_exceeded |`);
    expect(res.report).toContain(`task budget exceeded (${AGENT_TOKENS} tokens > budget ${taskTokens})`);
  });

  it("a task-level model with no price and an agent that reports no cost are counted as $0 and named: in each task's usage, the report's Tasks line and the run summary's warning line", async () => {
    const { run, judgeCalls } = await setup("local-judge-7b");
    const out = await run();
    expect(out.status, JSON.stringify(out.error)).toBe("success");
    const res = out.result as {
      status: string;
      tasks: (Outcome & { usage: { unpricedModels?: string[] } })[];
      usage: { tokens: number; costUsd?: number };
      tasks_usage: { tokens: number; unpricedModels?: string[] };
      report: string;
    };
    expect(res.status).toBe("succeeded");
    expect(judgeCalls()).toBeGreaterThan(0);
    const named = ["local-judge-7b", "qwen: cost not reported"];
    for (const t of res.tasks) {
      expect(t.usage.costUsd ?? 0).toBe(0);
      expect([...(t.usage.unpricedModels ?? [])].sort()).toEqual(named);
    }
    expect([...(res.tasks_usage.unpricedModels ?? [])].sort()).toEqual(named);
    expect(res.report).toMatch(/- \*\*Tasks\*\* \(.*\): [\d,]+ tokens, .* — no price known for .*local-judge-7b/);
    const summary = summarizeRun({ feature: FEATURE, branch: BRANCH, commit: "0".repeat(40), execution: res });
    expect(summary.render_all[0]!.markdown).toMatch(/^- ⚠️ \*\*No price known\*\* for .*local-judge-7b.*: counted as \$0 in the cost above$/m);
    expect([...summary.unpriced_models].sort()).toEqual(named);
  });

  it("a task whose task_with_qa flow failed (a person rejected the agent's question) still counts its agent's run in the task's and the run's usage", async () => {
    const { run } = await setup("gpt-4.1-mini", ["- [ ] T001 Ask before writing [[fake:clarify]]"]);
    const out = await run({}, { ask: { __disapproved: true } });
    expect(out.status, JSON.stringify(out.error)).toBe("success");
    const res = out.result as { tasks: (Outcome & { error?: string })[]; tasks_usage: { tokens: number }; usage: { tokens: number } };
    const [t] = res.tasks;
    expect(t!.status).toBe("failed");
    expect(t!.error).toMatch(/SuspendedDisapproved/);
    expect(t!.usage.tokens).toBe(AGENT_TOKENS);
    expect(res.tasks_usage.tokens).toBe(AGENT_TOKENS);
  });
});
