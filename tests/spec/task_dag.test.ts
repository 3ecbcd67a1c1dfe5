import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { InputError } from "../../f/devgodzilla/lib/errors.ts";
import {
  TaskCycleError,
  extractFiles,
  formatTaskLine,
  parseTaskLine,
  parseTasksMd,
  renderDagMarkdown,
  renderTasksMd,
  setTasksDone,
  type TaskDag,
} from "../../f/devgodzilla/lib/speckit/tasks.ts";
import { TASKS_TEMPLATE } from "../../f/devgodzilla/lib/speckit/templates.ts";

const CORPUS = path.resolve(__dirname, "../../../shared/corpus/dev/tasks");
const corpusFiles = fs.existsSync(CORPUS) ? fs.readdirSync(CORPUS).filter((f) => /^\d\d-.*\.md$/.test(f)).sort() : [];
const load = (f: string) => parseTasksMd(fs.readFileSync(path.join(CORPUS, f), "utf8"));

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
  it("has the 12 corpus files", () => {
    expect(corpusFiles).toHaveLength(12);
  });

  it.each(corpusFiles)("parses %s without error into a consistent DAG", (f) => {
    const dag = load(f);
    const lineCount = fs.readFileSync(path.join(CORPUS, f), "utf8").split("\n").filter((l) => /^\s*[-*] \[.\] (\*\*)?T\d/.test(l)).length;
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

describe("cycles", () => {
  const cyclic = `# Tasks: loop

## Phase 1: Setup

- [ ] T001 Create project in \`src/\`
- [ ] T002 [P] Parser in \`src/parser.ts\`
- [ ] T003 Lexer in \`src/lexer.ts\` (depends on T007)

## Phase 2: Core

- [ ] T007 Evaluator in \`src/eval.ts\` (depends on T003)
`;
  it("rejects an explicit cycle and names it", () => {
    let err: unknown;
    try {
      parseTasksMd(cyclic);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TaskCycleError);
    expect((err as TaskCycleError).cycle).toEqual(["T003", "T007", "T003"]);
    expect((err as Error).message).toContain("T003 → T007 → T003");
    expect((err as Error).message).toMatch(/line 7.*line 11|line 11.*line 7/);
  });

  it("names a longer cycle from a Dependencies section", () => {
    const md = `## Phase 1: Setup\n\n- [ ] T001 a\n- [ ] T002 b\n- [ ] T003 c\n\n## Dependencies\n\n- T001 depends on T003\n- T002 depends on T001\n- T003 depends on T002\n`;
    expect(() => parseTasksMd(md)).toThrow(/T00\d → T00\d → T00\d → T00\d/);
  });

  it("drops a weaker edge that would close a cycle, with a warning, instead of failing", () => {
    const md = `## Phase 1: Setup\n\n- [ ] T001 a in \`src/a.ts\`\n- [ ] T002 b in \`src/b.ts\`\n\n## Phase 2: Foundational\n\n- [ ] T003 c in \`src/c.ts\`\n- [ ] T004 d (depends on T003)\n\n## Dependencies\n\n- T001 depends on T004\n`;
    const dag = parseTasksMd(md);
    expect(ancestors(dag, "T001")).toContain("T004");
    expect(ancestors(dag, "T004").has("T001")).toBe(false);
  });

  it("rejects empty input, a file without tasks and duplicate ids with one InputError", () => {
    expect(() => parseTasksMd("")).toThrow(InputError);
    expect(() => parseTasksMd("# Tasks\n\nnothing here\n")).toThrow(/no task lines/);
    expect(() => parseTasksMd("- [ ] T001 a\n- [ ] T001 b\n")).toThrow(/T001 appears twice/);
  });
});

describe("rules on small inputs", () => {
  it("serialises tasks touching the same file even across [P], and leaves different files parallel", () => {
    const md = `## Phase 1: Setup\n\n- [ ] T001 base\n- [ ] T002 [P] edit \`src/a.ts\`\n- [ ] T003 [P] edit \`src/a.ts\` again\n- [ ] T004 [P] edit src/b.py\n`;
    const dag = parseTasksMd(md);
    expect(deps(dag, "T003")).toEqual(["T002"]);
    expect(edgeKind(dag, "T002", "T003")).toBe("file");
    expect(deps(dag, "T004")).toEqual(["T001"]);
    expect(dag.warnings.join("\n")).toMatch(/T002 and T003 are both \[P\] but touch src\/a.ts/);
    const off = parseTasksMd(md, { sameFileSerialization: false });
    expect(deps(off, "T003")).toEqual(["T001"]);
  });

  it("runs user stories in parallel after Foundational, and in order without one", () => {
    const md = (found: boolean) => `${found ? "## Phase 1: Foundational\n\n- [ ] T001 base\n\n" : ""}## Phase 2: User Story 1 - A (Priority: P1)\n\n- [ ] T002 [US1] a\n\n## Phase 3: User Story 2 - B (Priority: P2)\n\n- [ ] T003 [US2] b\n\n## Phase 4: Polish & Cross-Cutting Concerns\n\n- [ ] T004 docs\n`;
    const par = parseTasksMd(md(true));
    expect(deps(par, "T003")).toEqual(["T001"]);
    expect(deps(par, "T004")).toEqual(["T002", "T003"]);
    expect(par.levels).toEqual([["T001"], ["T002", "T003"], ["T004"]]);
    const seq = parseTasksMd(md(false));
    expect(deps(seq, "T003")).toEqual(["T002"]);
    expect(deps(parseTasksMd(md(true), { storyOrder: "sequential" }), "T003")).toEqual(["T002"]);
  });

  it("computes the critical path by weight", () => {
    const md = `## Phase 1: Foundational\n\n- [ ] T001 base\n\n## Phase 2: User Story 1\n\n- [ ] T002 [US1] short\n\n## Phase 3: User Story 2\n\n- [ ] T003 [US2] long (est: 5h)\n`;
    const dag = parseTasksMd(md);
    expect(dag.criticalPath).toEqual({ tasks: ["T001", "T003"], weight: 6 });
    expect(parseTasksMd(md, { weights: { T002: 10 } }).criticalPath).toEqual({ tasks: ["T001", "T002"], weight: 11 });
  });

  it("finds file paths but not routes, commands or prose with slashes", () => {
    expect(extractFiles("Create User model in src/models/user.py")).toEqual(["src/models/user.py"]);
    expect(extractFiles("Contract test POST `/auth/callback` in `tests/contract/test_auth.py`")).toEqual(["tests/contract/test_auth.py"]);
    expect(extractFiles("Run `cd web && npm test` for CI/CD and mobile/touch")).toEqual([]);
    expect(extractFiles("Add `Cargo.toml` deps and `@scope/pkg`; touch `src/nodes/*`")).toEqual(["Cargo.toml", "src/nodes/"]);
  });
});

describe("task-line writer", () => {
  it("writes Spec Kit's exact format and parses it back", () => {
    const line = { id: "T012", done: false, parallel: true, stories: ["US1"], labels: [], description: "Create User model in src/models/user.py" };
    expect(formatTaskLine(line)).toBe("- [ ] T012 [P] [US1] Create User model in src/models/user.py");
    expect(parseTaskLine(formatTaskLine(line))).toEqual(line);
    expect(formatTaskLine({ ...line, done: true, parallel: false, stories: [] })).toBe("- [X] T012 Create User model in src/models/user.py");
    expect(() => formatTaskLine({ ...line, id: "TXXX" })).toThrow(InputError);
  });

  it("round-trips a whole document through renderTasksMd and parseTasksMd", () => {
    const doc = {
      title: "Demo",
      phases: [
        { heading: "Phase 1: Setup (Shared Infrastructure)", tasks: [
          { id: "T001", done: true, parallel: false, stories: [], labels: [], description: "Create project structure per implementation plan" },
          { id: "T002", done: false, parallel: true, stories: [], labels: [], description: "Configure linting in `eslint.config.js`" },
        ] },
        { heading: "Phase 2: User Story 1 - Login (Priority: P1) 🎯 MVP", tasks: [
          { id: "T003", done: false, parallel: true, stories: ["US1"], labels: [], description: "Contract test in tests/contract/test_login.py" },
          { id: "T004", done: false, parallel: false, stories: ["US1"], labels: [], description: "Implement login in src/auth/login.py (depends on T003)" },
        ] },
      ],
    };
    const dag = parseTasksMd(renderTasksMd(doc));
    expect(dag.title).toBe("Demo");
    const back = dag.tasks.map(({ id, done, parallel, stories, labels, description }) => ({ id, done, parallel, stories, labels, description }));
    expect(back).toEqual(doc.phases.flatMap((p) => p.tasks));
    expect(dag.phases.map((p) => p.kind)).toEqual(["setup", "story"]);
    expect(deps(dag, "T004")).toEqual(["T003"]);
  });

  it("marks tasks done without touching anything else", () => {
    const md = "# Tasks\n\n- [ ] T001 a\n  - detail [ ] stays\n- [ ] **T002** b\n";
    expect(setTasksDone(md, ["T002"])).toBe("# Tasks\n\n- [ ] T001 a\n  - detail [ ] stays\n- [X] **T002** b\n");
    expect(setTasksDone(setTasksDone(md, ["T001"]), ["T001"], false)).toBe(md);
  });

  it("parses Spec Kit's own tasks template (placeholder TXXX ignored with a warning)", () => {
    const dag = parseTasksMd(TASKS_TEMPLATE);
    expect(dag.tasks.length).toBeGreaterThan(10);
    expect(dag.warnings.some((w) => /TXXX/.test(w))).toBe(true);
  });
});

describe("scale", () => {
  it("parses 600 tasks that all touch one directory in well under the job budget", () => {
    const lines = ["# Tasks: big", ""];
    for (let p = 0; p < 6; p++) {
      lines.push(`## Phase ${p + 1}: ${p === 0 ? "Setup" : p === 1 ? "Foundational" : `User Story ${p - 1}`}`, "");
      for (let i = 0; i < 100; i++) {
        const id = p * 100 + i + 1;
        lines.push(`- [ ] T${String(id).padStart(3, "0")} ${i % 2 ? "[P] " : ""}${p > 1 ? `[US${p - 1}] ` : ""}Task ${id} in \`src/m${id % 7}.ts\` and \`src/\``);
      }
      lines.push("");
    }
    const t0 = performance.now();
    const dag = parseTasksMd(lines.join("\n"));
    expect(performance.now() - t0).toBeLessThan(5_000);
    expect(dag.tasks).toHaveLength(600);
    expect(dag.levels).toHaveLength(600); // one shared directory serialises everything
  });
});

describe("lenient task lines", () => {
  it("reads numbered checkbox lists, and checkbox-less `- T001` lists only when no checkbox task exists", () => {
    expect(parseTasksMd("## Phase 1: Setup\n\n1. [ ] T001 a\n2. [x] T002 b\n").tasks.map((t) => [t.id, t.done])).toEqual([["T001", false], ["T002", true]]);
    const bare = parseTasksMd("## Phase 1: Setup\n\n- T001 Create `src/a.ts`\n- T002 [P] Create `src/b.ts`\n\n## Dependencies\n\n- T002 after T001\n- T001, T002 and T003 are small\n");
    expect(bare.tasks.map((t) => t.id)).toEqual(["T001", "T002"]);
    expect(deps(bare, "T002")).toEqual(["T001"]);
    expect(bare.warnings[0]).toMatch(/no checkbox task lines/);
    // With real checkbox tasks present, prose bullets that start with an id are never tasks.
    const mixed = parseTasksMd("## Phase 1: Setup\n\n- [ ] T001 a\n- T002 is mentioned in a note\n");
    expect(mixed.tasks.map((t) => t.id)).toEqual(["T001"]);
  });
});
