// task_dag with a model sizing the tasks: the loopback model server plays the model; its sizes
// become the tasks' weights, so the plan (windowOrder, as dag_plan calls it) starts the big task
// first among look-alike parallel tasks. Explicit weights win; the answer is checked before use.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { promptText, startLlmServer, type LlmExchange, type LlmReply, type LlmServer } from "../../scripts/fakes/llm-server.ts";
import { runTaskDag } from "../../f/devgodzilla/lib/llm/steps/task_dag.ts";
import { windowOrder } from "../../f/devgodzilla/lib/dag/graph.ts";
import { selectTasks } from "../../f/devgodzilla/lib/dag/plan.ts";
import type { DagTask } from "../../f/devgodzilla/lib/dag/model.ts";
import { MAX_CALLS, MAX_TASKS_PER_CALL } from "../../f/devgodzilla/lib/llm/steps/task_estimates.ts";

const KEY = "sk-task-estimates-test-0123456789";
const TASKS = `# Tasks: Inventory sync

## Phase 1: Setup

- [x] T001 Add the license file \`LICENSE\`
- [ ] T002 Create the project skeleton in \`src/\`

## Phase 2: User Story 1 - Sync (Priority: P1)

- [ ] T003 [P] [US1] Add the sync status type in \`src/sync/status.ts\`
- [ ] T004 [P] [US1] Add the retry constant in \`src/sync/retry.ts\`
- [ ] T005 [P] [US1] Add the sync log helper in \`src/sync/log.ts\`
- [ ] T006 [P] [US1] Add the sync engine in \`src/sync/engine.ts\`
  - two-way merge of remote and local inventories, conflict resolution, resumable batches
- [ ] T007 [P] [US1] Add the sync metrics in \`src/sync/metrics.ts\` (est: 3h)

## Phase 3: Polish & Cross-Cutting Concerns

- [ ] T008 Document the sync in \`docs/sync.md\`
`;

/** The ids the estimate prompt lists, in order. */
const idsIn = (ex: LlmExchange) => [...promptText(ex).matchAll(/^- (\S+) \(/gm)].map((m) => m[1]!);
const isEstimate = (ex: LlmExchange) => /You estimate how much work each task/.test(promptText(ex));
const sized = (sizes: Record<string, string>) => ({ text: JSON.stringify({ estimates: Object.entries(sizes).map(([id, size]) => ({ id, size })) }) });
const HEAVY = { T002: "S", T003: "S", T004: "S", T005: "S", T006: "XL", T008: "S" };

let server: LlmServer;
let answer: (ex: LlmExchange) => LlmReply = () => sized(HEAVY);
const llm = () => ({ provider: "openai", api_key: KEY, base_url: server.openaiBaseUrl, model: "gpt-4.1-mini" });
const opts = { llm_options: { maxAttempts: 1, structuredAttempts: 1 } };
const estimateRequests = (from: number) => server.requests.slice(from).filter(isEstimate);
/** The order dag_plan gives the parallel loop: the tasks it selects, in windowOrder by each task's weight. */
const planOrder = (dag: { tasks: DagTask[] }, concurrency: number) => windowOrder(selectTasks(dag.tasks, true), concurrency, (t) => t.weight ?? 1);

beforeAll(async () => {
  server = await startLlmServer((ex) => answer(ex));
});
afterAll(async () => {
  await server.close();
});

describe("task_dag with a model estimating each task's effort", () => {
  it("asks once, sending each open task without a weight with its id, phase, description and files", async () => {
    const before = server.requests.length;
    await runTaskDag({ tasks_md: TASKS, llm: llm(), weights: { T004: 2 }, ...opts });
    const asked = estimateRequests(before);
    expect(asked).toHaveLength(1);
    // T001 is done, T004 has a given weight, T007 states its own: none of them is sent.
    expect(idsIn(asked[0]!)).toEqual(["T002", "T003", "T005", "T006", "T008"]);
    const prompt = promptText(asked[0]!);
    expect(prompt).toContain("- T006 (Phase 2: User Story 1 - Sync (Priority: P1))");
    expect(prompt).toContain("two-way merge of remote and local inventories");
    expect(prompt).toContain("files: src/sync/engine.ts");
  });

  it("the sizes become weights, and the plan starts the heavy task before its look-alike siblings", async () => {
    const plain = await runTaskDag({ tasks_md: TASKS });
    const dag = await runTaskDag({ tasks_md: TASKS, llm: llm(), ...opts });
    expect(dag.tasks.find((t) => t.id === "T006")!.weight).toBe(8);
    expect(dag.tasks.find((t) => t.id === "T003")!.weight).toBe(1);
    expect(dag.tasks.find((t) => t.id === "T007")!.weight).toBe(3); // stated in its line, never estimated
    // Without estimates the engine starts after its three small siblings (file order); with them, first.
    expect(planOrder(plain, 2).slice(1, 5)).toEqual(["T007", "T003", "T004", "T005"]);
    expect(planOrder(plain, 2).indexOf("T006")).toBeGreaterThan(4);
    expect(planOrder(dag, 2).slice(0, 2)).toEqual(["T002", "T006"]);
    expect(dag.criticalPath.tasks).toEqual(["T001", "T002", "T006", "T008"]);
    expect(dag.model_reading?.estimates).toMatchObject({ prompt_version: "task_estimates@1.0.0", asked: 6, estimated: 6, median_filled: 0, ignored: 0 });
    expect(dag.markdown).toContain("### Effort estimates (model)");
    expect(dag.markdown).toContain("| XL | 8 | T006 |");
    expect(dag.markdown).toContain("| S | 1 | T002, T003, T004, T005, T008 |");
  });

  it("weights given explicitly win over the model's estimate", async () => {
    const dag = await runTaskDag({ tasks_md: TASKS, llm: llm(), weights: { T006: 1, T003: 5 }, ...opts });
    expect(dag.tasks.find((t) => t.id === "T006")!.weight).toBe(1);
    expect(dag.tasks.find((t) => t.id === "T003")!.weight).toBe(5);
    expect(planOrder(dag, 2).slice(0, 2)).toEqual(["T002", "T003"]);
    // The model sized T003 and T006 anyway (it was not asked about them): ignored, and said so.
    expect(dag.model_reading?.estimates).toMatchObject({ asked: 4, estimated: 4, ignored: 2 });
    expect(dag.warnings.join("\n")).toMatch(/named 2 ids that are not open tasks sent to it.*\(T003, T006\); ignored/);
  });

  it("ignores ids that are not tasks sent and gives the tasks the model left out the median size", async () => {
    answer = () => sized({ T002: "S", T003: "M", T005: "L", T006: "XL", T999: "XL", T001: "L" });
    try {
      const dag = await runTaskDag({ tasks_md: TASKS, llm: llm(), ...opts });
      const weight = (id: string) => dag.tasks.find((t) => t.id === id)!.weight;
      // Sizes S, M, L, XL: the median is M (the lower middle), given to T004 and T008.
      expect([weight("T004"), weight("T008")]).toEqual([2, 2]);
      expect(weight("T006")).toBe(8);
      expect(weight("T001")).toBe(1); // done: not sent, its "estimate" ignored
      const w = dag.warnings.join("\n");
      expect(w).toMatch(/named 2 ids .*\(T999, T001\); ignored/);
      expect(w).toMatch(/no effort estimate for 2 tasks \(T004, T008\); they get the median size M/);
      expect(dag.model_reading?.estimates).toMatchObject({ asked: 6, estimated: 4, median_filled: 2, ignored: 2 });
      expect(dag.markdown).toContain("| M | 2 | T003, T004*, T008* |");
      expect(dag.markdown).toContain("no estimate from the model: the median size (M)");
    } finally {
      answer = () => sized(HEAVY);
    }
  });

  it("a size off the scale is rejected: every weight stays as it was, with one warning, and the DAG is returned", async () => {
    answer = () => sized({ ...HEAVY, T006: "XXL" });
    try {
      const plain = await runTaskDag({ tasks_md: TASKS });
      const dag = await runTaskDag({ tasks_md: TASKS, llm: llm(), ...opts });
      expect(dag.tasks.map((t) => [t.id, t.weight])).toEqual(plain.tasks.map((t) => [t.id, t.weight]));
      expect(dag.edges).toEqual(plain.edges);
      const warnings = dag.warnings.filter((w) => /effort/.test(w));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/could not estimate the tasks' effort \(.*estimates\.4\.size.*\); every task keeps its weight/);
      expect(dag.model_reading?.estimates).toMatchObject({ estimated: 0 });
      expect(dag.markdown).not.toContain("Effort estimates");
    } finally {
      answer = () => sized(HEAVY);
    }
  });

  it("an answer that sizes none of the tasks sent changes nothing and says so", async () => {
    answer = () => sized({ T998: "L", T999: "XL" });
    try {
      const dag = await runTaskDag({ tasks_md: TASKS, llm: llm(), ...opts });
      expect(dag.tasks.find((t) => t.id === "T006")!.weight).toBe(1);
      expect(dag.warnings.join("\n")).toMatch(/could not estimate the tasks' effort \(the answer sized none of the 6 tasks sent \(it named T998, T999\)/);
    } finally {
      answer = () => sized(HEAVY);
    }
  });

  it("a failing model leaves every weight at 1 with one warning naming the failure, never the key", async () => {
    answer = () => ({ status: 401, error: `invalid api key ${KEY}` });
    try {
      const dag = await runTaskDag({ tasks_md: TASKS, llm: llm(), ...opts });
      expect(dag.tasks.filter((t) => t.id !== "T007").every((t) => t.weight === 1)).toBe(true);
      expect(dag.tasks.find((t) => t.id === "T008")!.dependsOn.length).toBeGreaterThan(0);
      const warnings = dag.warnings.filter((w) => /effort/.test(w));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/HTTP 401/);
      expect(dag.model_reading?.estimates?.error).toMatch(/HTTP 401/);
      expect(JSON.stringify(dag)).not.toContain(KEY);
    } finally {
      answer = () => sized(HEAVY);
    }
  });

  it("estimate_effort: false asks nothing and keeps every weight", async () => {
    const before = server.requests.length;
    const dag = await runTaskDag({ tasks_md: TASKS, llm: llm(), estimate_effort: false, ...opts });
    expect(server.requests.length).toBe(before);
    expect(dag.tasks.find((t) => t.id === "T006")!.weight).toBe(1);
    expect(dag.model_reading?.estimates).toBeUndefined();
  });

  it("a long tasks.md is sized in bounded calls; tasks past the cap get the median size, with a warning", async () => {
    const n = MAX_TASKS_PER_CALL * MAX_CALLS + 10;
    const ids = Array.from({ length: n }, (_, i) => `T${String(i + 1).padStart(3, "0")}`);
    const big = ["# Tasks: big", "", "## Phase 1: Work", "", ...ids.map((id) => `- [ ] ${id} [P] Build part ${id} in \`src/${id}.ts\``), ""].join("\n");
    // Every task the model sees is L, except T002, which it calls S: the median is L.
    answer = (ex) => sized(Object.fromEntries(idsIn(ex).map((id) => [id, id === "T002" ? "S" : "L"])));
    try {
      const before = server.requests.length;
      const dag = await runTaskDag({ tasks_md: big, llm: llm(), ...opts });
      const asked = estimateRequests(before);
      expect(asked).toHaveLength(MAX_CALLS);
      for (const ex of asked) expect(idsIn(ex).length).toBeLessThanOrEqual(MAX_TASKS_PER_CALL);
      expect(asked.flatMap(idsIn).sort()).toEqual(ids.slice(0, n - 10));
      expect(dag.tasks.at(-1)!.weight).toBe(4);
      expect(dag.tasks.find((t) => t.id === "T002")!.weight).toBe(1);
      expect(dag.warnings.join("\n")).toMatch(/10 open tasks past the first 240 were not sent for an effort estimate; they get the median size L/);
      expect(dag.model_reading?.estimates).toMatchObject({ asked: n - 10, estimated: n - 10, median_filled: 10 });
    } finally {
      answer = () => sized(HEAVY);
    }
  });
});
