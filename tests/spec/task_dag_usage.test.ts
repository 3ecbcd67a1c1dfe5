// What task_dag's model calls cost: the loopback model server reports the tokens of each answer, and
// task_dag's `usage` (the LLM gateway ledger's totals) must count every call the server answered —
// the dependency reading, each estimate chunk, a re-ask after a rejected answer — and nothing else.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { promptText, startLlmServer, type LlmExchange, type LlmReply, type LlmServer } from "../../scripts/fakes/llm-server.ts";
import { runTaskDag } from "../../f/devgodzilla/lib/llm/steps/task_dag.ts";

const KEY = "sk-task-dag-usage-test-0123456789";
const HEDGED = "T003 may reuse what T002 builds, so it likely comes after it.";
const TASKS = `# Tasks: Usage

## Phase 1: Work

- [ ] T001 [P] Add the parser in \`src/parse.ts\`
- [ ] T002 [P] Add the engine in \`src/engine.ts\`
- [ ] T003 [P] Add the report in \`src/report.ts\`

## Dependencies & Execution Order

- ${HEDGED}
`;

const isEstimate = (ex: LlmExchange) => /You estimate how much work each task/.test(promptText(ex));
const RELATIONS: LlmReply = {
  text: JSON.stringify({ relations: [{ quote: HEDGED, relation: "after", subjects: ["T003"], prerequisites: ["T002"] }] }),
  usage: { inputTokens: 1000, outputTokens: 50 },
};
const SIZES = JSON.stringify({
  estimates: [
    { id: "T001", size: "S" },
    { id: "T002", size: "XL" },
    { id: "T003", size: "M" },
  ],
});

let server: LlmServer;
let estimateReplies: LlmReply[] = [];
let relationsReply: LlmReply = RELATIONS;

beforeAll(async () => {
  server = await startLlmServer((ex) => (isEstimate(ex) ? (estimateReplies.shift() ?? { status: 500, error: "no estimate scripted" }) : relationsReply));
});
afterAll(async () => {
  await server.close();
});

const llm = (model = "gpt-4.1-mini") => ({ provider: "openai", api_key: KEY, base_url: server.openaiBaseUrl, model });
const opts = { llm_options: { maxAttempts: 1, structuredAttempts: 2 } };

describe("task_dag reports what its model calls cost", () => {
  it("counts the dependency reading, the estimate and its re-ask after a rejected answer: the calls and tokens the server reported, priced", async () => {
    relationsReply = RELATIONS;
    estimateReplies = [
      { text: JSON.stringify({ estimates: [{ id: "T002", size: "XXL" }] }), usage: { inputTokens: 700, outputTokens: 20 } }, // off the scale: re-asked
      { text: SIZES, usage: { inputTokens: 900, outputTokens: 40 } },
    ];
    const before = server.requests.length;
    const dag = await runTaskDag({ tasks_md: TASKS, llm: llm(), ...opts });
    expect(server.requests.length - before).toBe(3);
    expect(dag.tasks.find((t) => t.id === "T002")!.weight).toBe(8); // the re-asked answer was used
    expect(dag.model_reading?.used).toBe(1);
    expect(dag.usage).toMatchObject({ calls: 3, inputTokens: 2600, outputTokens: 110, unpricedModels: [] });
    // gpt-4.1-mini: $0.40 per million input tokens, $1.60 per million output tokens.
    expect(dag.usage.costUsd).toBeCloseTo((2600 * 0.4 + 110 * 1.6) / 1e6, 9);
    expect(dag.usage.byModel["gpt-4.1-mini"]).toMatchObject({ calls: 3, inputTokens: 2600, outputTokens: 110 });
    expect(dag.usage_id).toMatch(/\S/);
  });

  it("a call that failed costs nothing; the one that answered is counted", async () => {
    relationsReply = { status: 400, error: "bad request" };
    estimateReplies = [{ text: SIZES, usage: { inputTokens: 900, outputTokens: 40 } }];
    try {
      const dag = await runTaskDag({ tasks_md: TASKS, llm: llm(), ...opts });
      expect(dag.model_reading?.error).toMatch(/HTTP 400/);
      expect(dag.usage).toMatchObject({ calls: 1, inputTokens: 900, outputTokens: 40 });
    } finally {
      relationsReply = RELATIONS;
    }
  });

  it("a model without a known price is named, its cost counted as 0", async () => {
    estimateReplies = [{ text: SIZES, usage: { inputTokens: 900, outputTokens: 40 } }];
    const dag = await runTaskDag({ tasks_md: TASKS, llm: llm("local-model-7b"), ...opts });
    expect(dag.usage).toMatchObject({ calls: 2, inputTokens: 1900, outputTokens: 90, costUsd: 0, unpricedModels: ["local-model-7b"] });
  });

  it("without a model resource: zero calls, and each run has its own usage_id", async () => {
    const before = server.requests.length;
    const a = await runTaskDag({ tasks_md: TASKS });
    const b = await runTaskDag({ tasks_md: TASKS });
    expect(server.requests.length).toBe(before);
    expect(a.usage).toMatchObject({ calls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 });
    expect(a.usage_id).not.toBe(b.usage_id);
  });
});
