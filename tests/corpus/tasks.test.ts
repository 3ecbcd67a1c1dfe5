// tasks.md files written by other people, parsed into DAGs.
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parseTasksMd, renderDagMarkdown, type TaskDag } from "../../f/devgodzilla/lib/speckit/tasks.ts";
import { corpusFiles, readCorpus } from "./corpus.ts";

const files = corpusFiles("tasks");
const byName = (name: string) => files.find((f) => path.basename(f) === name)!;
const load = (f: string) => parseTasksMd(readCorpus(f.includes("/") ? f : byName(f)));

/** Every task `id` (transitively) depends on. */
function ancestors(dag: TaskDag, id: string): Set<string> {
  const byId = new Map(dag.tasks.map((t) => [t.id, t]));
  const out = new Set<string>();
  const stack = [...byId.get(id)!.dependsOn];
  while (stack.length) {
    const d = stack.pop()!;
    if (out.has(d)) continue;
    out.add(d);
    stack.push(...byId.get(d)!.dependsOn);
  }
  return out;
}
const deps = (dag: TaskDag, id: string) => dag.tasks.find((t) => t.id === id)!.dependsOn;
const edgeKind = (dag: TaskDag, from: string, to: string) => dag.edges.find((e) => e.from === from && e.to === to)?.kind;

describe("task_dag over the real-world corpus", () => {
  it("finds the corpus files", () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)("parses %s without error into a consistent DAG", (f) => {
    const dag = load(f);
    const lineCount = readCorpus(f).split("\n").filter((l) => /^\s*[-*] \[.\] (\*\*)?T\d/.test(l)).length;
    expect(dag.tasks).toHaveLength(lineCount);
    const pos = new Map(dag.levels.flatMap((l, i) => l.map((id) => [id, i] as const)));
    for (const t of dag.tasks) for (const d of t.dependsOn) expect(pos.get(d)!).toBeLessThan(pos.get(t.id)!);
    expect(dag.criticalPath.tasks.length).toBeGreaterThan(0);
    expect(renderDagMarkdown(dag)).toContain("Critical path");
  });

  it("02 (English, canonical): prose 'Depends on T014' and 'in parallel after T003', [P] groups, polish after stories", () => {
    const dag = load("02-import-planner-ui-ux-redesign.md");
    for (const id of ["T004", "T005", "T006", "T007"]) expect(deps(dag, id)).toEqual(["T003"]);
    expect(deps(dag, "T008")).toEqual(["T004", "T005", "T006", "T007"]); // sequential task after a [P] run
    expect(deps(dag, "T021")).toContain("T014"); // Phase 4 (US2): Depends on T014 from US1
    expect(edgeKind(dag, "T014", "T021")).toBe("prose");
    expect(ancestors(dag, "T025")).toContain("T016"); // Phase 5 (US4): Depends on T015–T016
    expect(ancestors(dag, "T028").has("T018") && ancestors(dag, "T028").has("T020")).toBe(true);
    expect(ancestors(dag, "T021").has("T019")).toBe(false); // US2 need not wait for all of US1
    for (const story of ["T024", "T027", "T030"]) expect(ancestors(dag, "T037").has(story)).toBe(true); // Polish after all stories
    expect(dag.phases.filter((p) => p.tasks.length).map((p) => p.kind)).toEqual(["setup", "foundational", "story", "story", "story", "story", "polish"]);
  });

  it("03 (Chinese/English): per-task 'Dependencies:' sub-bullets, including 'none', are authoritative", () => {
    const dag = load("03-issue2md-rebuild-zh-en.md");
    expect(deps(dag, "T001")).toEqual([]);
    expect(deps(dag, "T019")).toEqual(["T007", "T008", "T017"]);
    expect(deps(dag, "T013")).toEqual(["T002"]); // Phase 3 may start after Phase 1: no phase-order edge
    expect(ancestors(dag, "T013").has("T012")).toBe(false);
    expect(dag.tasks.every((t) => t.explicitDeps)).toBe(true);
  });

  it("07 (Russian): fenced arrow chains in ## Dependencies, suffixed id T005b, role labels", () => {
    const dag = load("07-json-dsl-core-interpreter-ru.md");
    expect(deps(dag, "T005b")).toEqual(["T005"]);
    expect(deps(dag, "T006")).toEqual(["T005b"]);
    expect(deps(dag, "T013")).toEqual(["T012"]);
    expect(dag.tasks.find((t) => t.id === "T006")!.labels).toEqual(["Product"]);
    expect(dag.levels).toHaveLength(15); // one straight chain
  });

  it("08 (Chinese): inline ranges '(依赖 T027-T036)' and '阶段' phases", () => {
    const dag = load("08-patra-test-infra-zh.md");
    // (依赖 T027-T036) adds to Spec Kit's order: a sequential task also waits for the [P] run before it.
    expect(deps(dag, "T037")).toEqual(expect.arrayContaining(["T027", "T028", "T029", "T030", "T031", "T032", "T033", "T034", "T035", "T036"]));
    expect(edgeKind(dag, "T036", "T037")).toBe("explicit");
    expect(dag.tasks.find((t) => t.id === "T037")!.explicitDeps).toBe(true);
    expect(deps(dag, "T087")).toEqual(expect.arrayContaining(["T080", "T081", "T082", "T083", "T084"]));
    expect(edgeKind(dag, "T084", "T087")).toBe("explicit");
    for (const d of ["T055", "T056", "T057"]) expect(ancestors(dag, "T063")).toContain(d);
    expect(dag.tasks.find((t) => t.id === "T037")!.labels).toEqual(["Core"]);
    expect(dag.tasks.find((t) => t.id === "T037")!.story).toBe("US1");
  });

  it("09 (legacy template): 'Dependency:' sub-bullets, '[P]' at line end, 'T016 blocks T017–T018', phase chain of ranges", () => {
    const dag = load("09-pay2slay-faucet-legacy.md");
    expect(deps(dag, "T002")).toEqual(["T001"]);
    expect(deps(dag, "T004")).toEqual(["T001"]);
    expect(ancestors(dag, "T017")).toContain("T016");
    expect(ancestors(dag, "T027")).toContain("T022");
    expect(ancestors(dag, "T020")).toContain("T018");
    // Setup (T001–T005) → Tests (T006–T014) → Core (T015–T024)
    for (const test of ["T006", "T010", "T014"]) expect(ancestors(dag, "T015")).toContain(test);
    expect(dag.tasks.filter((t) => t.parallel).length).toBe(19);
  });

  it("11 (Japanese): '～' ranges with 完了後, and a story phase that waits for US1～4", () => {
    const dag = load("11-multimouse-unity-ja.md");
    expect(deps(dag, "T007")).toEqual(["T006"]);
    for (const d of ["T004", "T005", "T006"]) expect(ancestors(dag, "T007")).toContain(d);
    expect(deps(dag, "T014")).toEqual(["T012", "T013"]);
    expect(edgeKind(dag, "T012", "T014")).toBe("explicit");
    for (const d of ["T011", "T015", "T020", "T023"]) expect(ancestors(dag, "T025")).toContain(d); // US5 after US1～4
    expect(ancestors(dag, "T016").has("T015")).toBe(false); // US3 runs beside US2
  });

  it("01 (Japanese): story deps stated before the first phase ('US6 → Phase 3 に依存'), adjacent [US2][US3]", () => {
    const dag = load("01-gwt-error-reporting-ja.md");
    expect(dag.tasks.find((t) => t.id === "T045")!.stories).toEqual(["US2", "US3"]);
    expect(deps(dag, "T048")).toContain("T047"); // US6 → Phase 3
    expect(ancestors(dag, "T054")).toContain("T047"); // US4 → Phase 3 + Phase 5
    expect(dag.tasks.find((t) => t.id === "T007")!.files).toEqual(["crates/gwt-tauri/src/commands/agents.rs"]);
  });

  it("06 (Korean): bold ids, H3 phases and a mermaid phase graph", () => {
    const dag = load("06-mxrc-rt-logging-ipc-ko.md");
    expect(dag.tasks[0]!.id).toBe("T001");
    expect(dag.phases.filter((p) => p.tasks.length).map((p) => p.number)).toEqual(["1", "2", "3", "4", "5"]);
    expect(ancestors(dag, "T002")).toContain("T001");
    expect(ancestors(dag, "T016")).toContain("T015");
  });
});

