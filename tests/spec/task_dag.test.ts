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
    const md = (found: boolean) =>
      `${found ? "## Phase 1: Foundational\n\n- [ ] T001 base\n\n" : ""}## Phase 2: User Story 1 - A (Priority: P1)\n\n- [ ] T002 [US1] a\n\n## Phase 3: User Story 2 - B (Priority: P2)\n\n- [ ] T003 [US2] b\n\n## Phase 4: Polish & Cross-Cutting Concerns\n\n- [ ] T004 docs\n`;
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

  it("reads a task's own estimate in hours whatever unit it is written in, so a day outweighs four hours", () => {
    const md = [
      "- [ ] T001 [P] Migrate the schema (est: 1d)",
      "- [ ] T002 [P] Add the endpoint (est: 4h)",
      "- [ ] T003 [P] Fix the typo (estimate 30 min)",
      "- [ ] T004 [P] Wire the CLI [~2h]",
      "- [ ] T005 [P] Polish",
    ].join("\n");
    const weights = Object.fromEntries(parseTasksMd(md).tasks.map((t) => [t.id, t.weight]));
    expect(weights).toEqual({ T001: 8, T002: 4, T003: 0.5, T004: 2, T005: 1 });
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
        {
          heading: "Phase 1: Setup (Shared Infrastructure)",
          tasks: [
            { id: "T001", done: true, parallel: false, stories: [], labels: [], description: "Create project structure per implementation plan" },
            { id: "T002", done: false, parallel: true, stories: [], labels: [], description: "Configure linting in `eslint.config.js`" },
          ],
        },
        {
          heading: "Phase 2: User Story 1 - Login (Priority: P1) 🎯 MVP",
          tasks: [
            { id: "T003", done: false, parallel: true, stories: ["US1"], labels: [], description: "Contract test in tests/contract/test_login.py" },
            { id: "T004", done: false, parallel: false, stories: ["US1"], labels: [], description: "Implement login in src/auth/login.py (depends on T003)" },
          ],
        },
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
        lines.push(
          `- [ ] T${String(id).padStart(3, "0")} ${i % 2 ? "[P] " : ""}${p > 1 ? `[US${p - 1}] ` : ""}Task ${id} in \`src/m${id % 7}.ts\` and \`src/\``,
        );
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
    expect(parseTasksMd("## Phase 1: Setup\n\n1. [ ] T001 a\n2. [x] T002 b\n").tasks.map((t) => [t.id, t.done])).toEqual([
      ["T001", false],
      ["T002", true],
    ]);
    const bare = parseTasksMd(
      "## Phase 1: Setup\n\n- T001 Create `src/a.ts`\n- T002 [P] Create `src/b.ts`\n\n## Dependencies\n\n- T002 after T001\n- T001, T002 and T003 are small\n",
    );
    expect(bare.tasks.map((t) => t.id)).toEqual(["T001", "T002"]);
    expect(deps(bare, "T002")).toEqual(["T001"]);
    expect(bare.warnings[0]).toMatch(/no checkbox task lines/);
    // With real checkbox tasks present, prose bullets that start with an id are never tasks.
    const mixed = parseTasksMd("## Phase 1: Setup\n\n- [ ] T001 a\n- T002 is mentioned in a note\n");
    expect(mixed.tasks.map((t) => t.id)).toEqual(["T001"]);
  });
});

describe("the DAG's markdown summary", () => {
  it("counts in words that agree with the number (1 task, 2 tasks)", () => {
    const one = renderDagMarkdown(parseTasksMd("- [ ] T001 Create package.json\n"));
    expect(one).toContain("**1 task** (0 done, 0 marked [P]) in 1 phase · 0 dependencies · 1 level (widest 1) · critical path 1 task,");
    const two = renderDagMarkdown(parseTasksMd("- [ ] T001 Create package.json\n- [ ] T002 Add src/index.ts\n"));
    expect(two).toMatch(/\*\*2 tasks\*\* .* · 1 dependency · 2 levels .* critical path 2 tasks,/);
  });
});
