// task_dag with a model: the loopback model server plays the model; every relation it returns is
// checked against the file (quote present, names resolve, no cycle, no contradiction) before use.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { promptText, startLlmServer, type LlmExchange, type LlmServer } from "../../scripts/fakes/llm-server.ts";
import { runTaskDag } from "../../f/devgodzilla/lib/llm/steps/task_dag.ts";

const HEDGED = "- US3 may reuse what US1 builds, so it likely comes after it.";
const PARALLEL = "- US2 and US4 can run in parallel.";
const STATED = "- T010 depends on T004.";
const TASKS = `# Tasks: Inventory sync

## Phase 1: Setup

- [ ] T001 Create the project skeleton in \`src/\`

## Phase 2: Foundational (Blocking Prerequisites)

- [ ] T002 Add the sync client in \`src/sync/client.ts\`

## Phase 3: User Story 1 - Import (Priority: P1)

- [ ] T003 [US1] Import parser in \`src/import/parse.ts\`
- [ ] T004 [US1] Import endpoint in \`src/api/import.ts\`

## Phase 4: User Story 2 - Export (Priority: P2)

- [ ] T005 [US2] Export endpoint in \`src/api/export.ts\`

## Phase 5: User Story 3 - Audit (Priority: P3)

- [ ] T006 [US3] Audit log in \`src/audit/log.ts\`

## Phase 6: User Story 4 - Alerts (Priority: P3)

- [ ] T007 [US4] Alert rules in \`src/alerts/rules.ts\`

## Phase 7: Polish & Cross-Cutting Concerns

- [ ] T010 Document the sync in \`docs/sync.md\`

## Dependencies & Execution Order

${HEDGED}
${PARALLEL}
${STATED}
`;
const lineOf = (text: string) => TASKS.split("\n").indexOf(text) + 1;
const clean = (s: string) => s.replace(/^- /, "");

const relations = [
  { quote: clean(HEDGED), relation: "after", subjects: ["US3"], prerequisites: ["US1"] }, // usable
  { quote: clean(PARALLEL), relation: "after", subjects: ["US4"], prerequisites: ["US2"] }, // contradicts the file
  { quote: clean(STATED), relation: "after", subjects: ["T004"], prerequisites: ["T010"] }, // reversed: a cycle
  { quote: "T099 must wait for T001", relation: "after", subjects: ["T099"], prerequisites: ["T001"] }, // not in the file
  { quote: clean(HEDGED), relation: "after", subjects: ["T999"], prerequisites: ["US1"] }, // unknown task
];

let server: LlmServer;
let answer: (ex: LlmExchange) => { text: string } | { status: number; error: string } = () => ({ text: JSON.stringify({ relations }) });
// The effort estimates (a second request) have their own tests: task_dag_estimates.test.ts.
const relationsOnly = { llm_options: { maxAttempts: 1 }, estimate_effort: false };
const llm = () => ({ provider: "openai", api_key: "sk-task-dag-test", base_url: server.openaiBaseUrl, model: "gpt-4.1-mini" });

beforeAll(async () => {
  server = await startLlmServer((ex) => answer(ex));
});
afterAll(async () => {
  await server.close();
});

describe("task_dag with a model reading the dependency prose", () => {
  it("sends the sentences the reader examined, with their lines and the file's structure", async () => {
    const before = server.requests.length;
    await runTaskDag({ tasks_md: TASKS, llm: llm(), ...relationsOnly });
    expect(server.requests.length).toBe(before + 1);
    const prompt = promptText(server.requests.at(-1)!);
    expect(prompt).toContain(`line ${lineOf(HEDGED)}: ${HEDGED}`);
    expect(prompt).toContain(`line ${lineOf(PARALLEL)}: ${PARALLEL}`);
    expect(prompt).toMatch(/Phase 5: User Story 3 - Audit .*tasks T006.*stories US3/);
  });

  it("uses a relation whose quote, names and direction check out, and says so on the edge", async () => {
    const dag = await runTaskDag({ tasks_md: TASKS, llm: llm(), ...relationsOnly });
    const edge = dag.edges.find((e) => e.kind === "llm");
    expect(edge).toMatchObject({ from: "T004", to: "T006", line: lineOf(HEDGED) });
    expect(edge!.reason).toBe(`LLM "${clean(HEDGED)}" (line ${lineOf(HEDGED)})`);
    expect(dag.markdown).toContain(`LLM "${clean(HEDGED)}"`);
    expect(dag.model_reading).toMatchObject({ model: "gpt-4.1-mini", relations: 5, used: 1 });
  });

  it("rejects relations that contradict the file, close a cycle, quote what is not there or name unknown tasks", async () => {
    const dag = await runTaskDag({ tasks_md: TASKS, llm: llm(), ...relationsOnly });
    const ids = (phase: string) => dag.phases.find((p) => p.title.includes(phase))!.tasks;
    // US2 ∥ US4 in the file: no edge of any kind between them.
    expect(dag.edges.filter((e) => ids("Export").includes(e.from) && ids("Alerts").includes(e.to))).toEqual([]);
    // T010 depends on T004 stays; the reversed reading is not used.
    expect(dag.tasks.find((t) => t.id === "T004")!.dependsOn).not.toContain("T010");
    const w = dag.warnings.join("\n");
    expect(w).toMatch(new RegExp(`line ${lineOf(PARALLEL)}: the model read .* which line ${lineOf(PARALLEL)} says run in parallel; not used`));
    expect(w).toMatch(/would close a cycle with stronger dependencies; not used/);
    expect(w).toMatch(/the model quoted "T099 must wait for T001", which is not in tasks\.md/);
    expect(w).toMatch(/names "T999", which is not a task, phase or story of this file/);
    expect(dag.statements.filter((s) => s.source === "llm" && s.effect === "rejected")).toHaveLength(4);
  });

  it("without a model resource asks nothing and reads the prose deterministically", async () => {
    const before = server.requests.length;
    const dag = await runTaskDag({ tasks_md: TASKS });
    expect(server.requests.length).toBe(before);
    expect(dag.edges.some((e) => e.kind === "llm")).toBe(false);
    expect(dag.warnings.join("\n")).toContain(`line ${lineOf(HEDGED)}: no dependency read from "${clean(HEDGED)}": hedged`);
    expect(dag.model_reading).toBeUndefined();
  });

  it("a failing model leaves the deterministic DAG with a warning that names the failure, never the key", async () => {
    answer = () => ({ status: 401, error: "invalid api key sk-task-dag-test" });
    try {
      const dag = await runTaskDag({ tasks_md: TASKS, llm: llm(), ...relationsOnly });
      expect(dag.edges.some((e) => e.kind === "llm")).toBe(false);
      expect(dag.tasks.find((t) => t.id === "T010")!.dependsOn).toContain("T004");
      expect(dag.model_reading?.error).toMatch(/HTTP 401/);
      expect(JSON.stringify(dag)).not.toContain("sk-task-dag-test");
    } finally {
      answer = () => ({ text: JSON.stringify({ relations }) });
    }
  });
});
