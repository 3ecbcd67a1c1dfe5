// tasks.md written the way people write it: id schemes, unreadable task-like lines, and dependency
// prose in several languages and scripts, built from Spec Kit's format (its tasks template) —
// not from any one real file. Every case states what the DAG must (and must not) contain.
import { describe, expect, it } from "vitest";
import { parseTasksMd, renderDagMarkdown, type TaskDag } from "../../f/devgodzilla/lib/speckit/tasks.ts";
import { generateTasksMd } from "../../bench/tasks-parse.ts";
import { acyclic, everyEdgeExplained, everyTaskLineAccounted, parallelRespected, statementsReported } from "./task-dag-properties.ts";

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
const before = (dag: TaskDag, a: string, b: string) => ancestors(dag, b).has(a);
const ordered = (dag: TaskDag, a: string, b: string) => before(dag, a, b) || before(dag, b, a);
const tasksOf = (dag: TaskDag, phase: string) => dag.phases.find((p) => p.number === phase)!.tasks;
/** Direct edges between two phases' tasks, either way (ignoring same-file edges). */
const between = (dag: TaskDag, p: string, q: string) =>
  dag.edges.filter(
    (e) =>
      e.kind !== "file" &&
      ((tasksOf(dag, p).includes(e.from) && tasksOf(dag, q).includes(e.to)) || (tasksOf(dag, q).includes(e.from) && tasksOf(dag, p).includes(e.to))),
  );

interface Shape {
  /** Phase heading word and story word, e.g. "Phase"/"User Story" or "阶段"/"用户故事". */
  phase?: (n: number) => string;
  foundational?: boolean;
}

/**
 * Setup (Phase 1: T001), Foundational (Phase 2: T002) unless left out, four story phases
 * (Phase 3–6: T003–T004, T005, T006, T007–T008) and Polish (Phase 7: T009), each task in its own
 * file, then a Dependencies section holding `deps`.
 */
function file(deps: string[], shape: Shape = {}): string {
  const ph = shape.phase ?? ((n: number) => `Phase ${n}`);
  const found = shape.foundational ?? false;
  return [
    "# Tasks: Inventory",
    "",
    `## ${ph(1)}: Setup`,
    "",
    "- [ ] T001 Create the project in `src/main.ts`",
    "",
    ...(found
      ? [`## ${ph(2)}: Foundational (Blocking Prerequisites)`, "", "- [ ] T002 Add the store in `src/store.ts`", ""]
      : [`## ${ph(2)}: Core`, "", "- [ ] T002 Add the store in `src/store.ts`", ""]),
    `## ${ph(3)}: User Story 1 - Import (Priority: P1)`,
    "",
    "- [ ] T003 [P] [US1] Import parser in `src/import/parse.ts`",
    "- [ ] T004 [US1] Import endpoint in `src/import/api.ts`",
    "",
    `## ${ph(4)}: User Story 2 - Export (Priority: P2)`,
    "",
    "- [ ] T005 [US2] Export endpoint in `src/export/api.ts`",
    "",
    `## ${ph(5)}: User Story 3 - Audit (Priority: P3)`,
    "",
    "- [ ] T006 [US3] Audit log in `src/audit/log.ts`",
    "",
    `## ${ph(6)}: User Story 4 - Alerts (Priority: P3)`,
    "",
    "- [ ] T007 [P] [US4] Alert rules in `src/alerts/rules.ts`",
    "- [ ] T008 [US4] Alert sender in `src/alerts/send.ts`",
    "",
    `## ${ph(7)}: Polish`,
    "",
    "- [ ] T009 Document it in `docs/inventory.md`",
    "",
    "## Dependencies",
    "",
    ...deps,
    "",
  ].join("\n");
}

/** Every property that must hold for any tasks.md: reasons, quotes from the file, no cycle. */
function wellFormed(dag: TaskDag, md: string): void {
  const lines = md.split("\n");
  const flat = md.replace(/\s+/g, " ");
  for (const e of dag.edges) {
    expect(e.reason.length).toBeGreaterThan(5);
    if (e.kind === "prose" || e.kind === "llm" || e.kind === "explicit") {
      const quote = /"(.*)" \(line (\d+)\)$/.exec(e.reason);
      expect(quote, e.reason).not.toBeNull();
      expect(lines[Number(quote![2]) - 1]!.replace(/\s+/g, " ")).toContain(quote![1]!.slice(0, 60));
      expect(flat).toContain(quote![1]!.slice(0, 60));
    }
  }
  const level = new Map(dag.levels.flatMap((l, i) => l.map((id) => [id, i] as const)));
  for (const t of dag.tasks) for (const d of t.dependsOn) expect(level.get(d)!).toBeLessThan(level.get(t.id)!);
}

describe("task ids in any scheme a file uses", () => {
  it("reads suffixed ids (T014pre, T005b) and orders a task its own line says comes first", () => {
    const md =
      "## Phase 1: Setup\n\n- [ ] T013 Schema in `db/schema.sql`\n- [ ] T014pre Back up the table before T014 runs in `ops/backup.sh`\n- [ ] T014 Migrate the table in `db/migrate.sql`\n- [ ] T005b Seed data in `db/seed.sql`\n";
    const dag = parseTasksMd(md);
    expect(dag.tasks.map((t) => t.id)).toEqual(["T013", "T014pre", "T014", "T005b"]);
    expect(dag.edges.find((e) => e.from === "T014pre" && e.to === "T014")).toMatchObject({ kind: "explicit" });
    expect(dag.warnings).toEqual([]);
  });

  it("reads segmented ids (T-FE-000, T-BE-001) and ranges of them", () => {
    const md =
      "## Phase 1: Frontend\n\n- [ ] T-FE-000 Scaffold in `web/app.tsx`\n- [ ] T-FE-001 [P] Login page in `web/login.tsx`\n- [ ] T-FE-002 [P] Signup page in `web/signup.tsx`\n\n## Phase 2: Backend\n\n- [ ] T-BE-001 API after T-FE-001–T-FE-002 in `api/main.go`\n";
    const dag = parseTasksMd(md);
    expect(dag.tasks.map((t) => t.id)).toEqual(["T-FE-000", "T-FE-001", "T-FE-002", "T-BE-001"]);
    expect(dag.tasks.find((t) => t.id === "T-BE-001")!.dependsOn.sort()).toEqual(["T-FE-001", "T-FE-002"]);
    expect(dag.edges.filter((e) => e.to === "T-BE-001").every((e) => e.kind === "explicit")).toBe(true);
  });

  it("reads other schemes (TASK-12) and bracketed or bold ids", () => {
    const dag = parseTasksMd("## Phase 1: Setup\n\n- [ ] TASK-1 a in `a.ts`\n- [x] **TASK-2** b in `b.ts`\n- [ ] [TASK-3] c (depends on TASK-1) in `c.ts`\n");
    expect(dag.tasks.map((t) => [t.id, t.done])).toEqual([
      ["TASK-1", false],
      ["TASK-2", true],
      ["TASK-3", false],
    ]);
    expect(dag.edges.find((e) => e.to === "TASK-3")).toMatchObject({ from: "TASK-2" });
    expect(ancestors(dag, "TASK-3").has("TASK-1")).toBe(true);
  });

  it("names every task-like line it does not read, instead of dropping it", () => {
    const md = [
      "## Phase 1: Setup",
      "",
      "- [ ] T001 Create the project in `src/`",
      "- [ ] Create the README without an id",
      "- T002 Configure CI in `.github/ci.yml`",
      "- [ ] CHK001 Is the setup documented?",
      "- [ ] TXXX [P] placeholder from the template",
      "",
    ].join("\n");
    const dag = parseTasksMd(md);
    expect(dag.tasks.map((t) => t.id)).toEqual(["T001"]);
    const w = dag.warnings.join("\n");
    expect(w).toMatch(/line 4: not read as a task \(checkbox item without a task id\)/);
    expect(w).toMatch(/line 5: not read as a task \(bullet without a checkbox\)/);
    expect(w).toMatch(/line 6: not read as a task \(id CHK001 is not in the file's T… id scheme\)/);
    expect(w).toMatch(/line 7: .*TXXX/);
  });

  it("refuses a file with no readable task and says what a task line looks like", () => {
    expect(() => parseTasksMd("## Phase 1\n\n- [ ] Write code\n- [ ] Test it\n")).toThrow(
      /no task lines found .*lines 3–4: not read as a task.*a checkbox, then an id/s,
    );
  });
});

describe("explicit dependencies in a task's own text", () => {
  const cases: [string, string][] = [
    ["English parenthesis", "(depends on T001)"],
    ["label", "— Depends on: T001"],
    ["blocked by", "blocked by T001"],
    ["requires", "requires T001 first"],
    ["after", "(after T001)"],
    ["Chinese", "(依赖 T001)"],
    ["Japanese", "（T001 完了後）"],
    ["Korean", "(T001 완료 후)"],
    ["Spanish", "(depende de T001)"],
    ["Portuguese", "(depende da T001)"],
    ["Russian", "(зависит от T001)"],
    ["German", "(hängt von T001 ab)"],
  ];
  it.each(cases)("%s: %s", (_, phrase) => {
    const md = `## Phase 1: Setup\n\n- [ ] T001 Base in \`a.ts\`\n\n## Phase 2: Other\n\n- [ ] T002 [P] Something in \`b.ts\`\n- [ ] T003 [P] Needs the base ${phrase} in \`c.ts\`\n`;
    const dag = parseTasksMd(md);
    expect(dag.edges.find((e) => e.from === "T001" && e.to === "T003")).toMatchObject({ kind: "explicit", line: 8 });
    expect(dag.tasks.find((t) => t.id === "T003")!.explicitDeps).toBe(true);
  });

  it("sub-bullets list dependencies, 'none' included; when most tasks state theirs, they replace phase order", () => {
    const md = [
      "## Phase 1: Setup",
      "",
      "- [ ] T001 a in `a.ts`",
      "  - Dependencies: none",
      "- [ ] T002 b in `b.ts`",
      "  - Dependencies: none",
      "",
      "## Phase 2: Build",
      "",
      "- [ ] T003 c in `c.ts`",
      "  - Dependencies: T002",
      "- [ ] T004 d in `d.ts`",
      "  - 依赖：无",
      "",
    ].join("\n");
    const dag = parseTasksMd(md);
    expect(dag.tasks.map((t) => [t.id, t.dependsOn])).toEqual([
      ["T001", []],
      ["T002", []],
      ["T003", ["T002"]],
      ["T004", []],
    ]);
    expect(dag.tasks.every((t) => t.explicitDeps)).toBe(true);
  });

  it("a cycle among explicit statements is one error that names it", () => {
    expect(() => parseTasksMd("## Phase 1\n\n- [ ] T001 a (depends on T003)\n- [ ] T002 b\n- [ ] T003 c (depends on T001)\n")).toThrow(/T001 → T003 → T001/);
  });
});

describe("dependency sentences: relation words between groups, in any language", () => {
  // "X depends on A–C and Y": every member of the object group runs before X; X never before Y.
  const dependsOnRangeAndOne: [string, string][] = [
    ["English", "- T009 depends on T003–T005 and T007."],
    ["Chinese (traditional)", "- T009 依賴 T003–T005 和 T007。"],
    ["Chinese (simplified)", "- T009 依赖 T003-T005 与 T007"],
    ["Japanese", "- T009 は T003～T005 と T007 に依存する"],
    ["Korean", "- T009는 T003~T005 및 T007에 의존한다"],
    ["Spanish", "- T009 depende de T003 a T005 y T007."],
    ["Portuguese", "- T009 depende de T003 até T005 e T007."],
    ["Russian", "- T009 зависит от T003–T005 и T007."],
    ["German", "- T009 hängt von T003 bis T005 und T007 ab."],
  ];
  it.each(dependsOnRangeAndOne)("%s: all of a range and a list member run first", (_, sentence) => {
    const md = file([sentence]);
    const dag = parseTasksMd(md);
    for (const d of ["T003", "T004", "T005", "T007"]) expect(before(dag, d, "T009"), d).toBe(true);
    expect(before(dag, "T009", "T007")).toBe(false);
    expect(dag.statements.some((s) => s.effect === "ordered" && s.source === "prose")).toBe(true);
    wellFormed(dag, md);
  });

  // "A blocks B and C": the subject runs first.
  const blocks: [string, string][] = [
    ["Portuguese", "- Fase 3 bloqueia Fases 5 e 6"],
    ["English", "- Phase 3 blocks Phases 5 and 6"],
    ["Spanish", "- La Fase 3 bloquea las Fases 5 y 6"],
    ["Japanese (が … を)", "- Phase 3 が Phase 5 と Phase 6 をブロックする"],
    ["Japanese (object first)", "- Phase 5 と Phase 6 を Phase 3 がブロックする"],
    ["Chinese", "- 阶段 3 阻塞 阶段 5 和 阶段 6"],
    ["Korean", "- Phase 3이 Phase 5와 Phase 6을 차단한다"],
    ["Russian", "- Этап 3 блокирует Этапы 5 и 6"],
    ["German", "- Phase 3 blockiert Phase 5 und Phase 6"],
  ];
  it.each(blocks)("%s: the blocking phase runs before both", (_, sentence) => {
    const phase = (n: number) =>
      sentence.includes("Fase") ? `Fase ${n}` : sentence.includes("阶段") ? `阶段 ${n}` : sentence.includes("Этап") ? `Этап ${n}` : `Phase ${n}`;
    // Stories in parallel after Foundational: only the sentence can order Phase 3 before 5 and 6.
    const md = file([sentence], { phase, foundational: true });
    const dag = parseTasksMd(md);
    for (const t of ["T006", "T007", "T008"]) expect(before(dag, "T004", t), t).toBe(true);
    expect(before(dag, "T006", "T004")).toBe(false);
    wellFormed(dag, md);
  });

  it.each([
    ["passive (Chinese 被)", "- T006 被 T004 阻塞"],
    ["passive (English)", "- T006 is blocked by T004"],
    ["postposition (Chinese)", "- T004 完成后 T006 才能开始"],
    ["postposition (Korean)", "- T004 완료 후 T006 시작"],
    ["preposition first (English)", "- After T004, T006 can start"],
    ["preposition first (Spanish)", "- Después de T004, empieza T006"],
    ["prohibition", "- T006 cannot start until T004 is done"],
    ["prohibition (Chinese)", "- 在 T004 完成之前，不能开始 T006"],
  ])("%s: %s", (_, sentence) => {
    const md = file([sentence], { foundational: true });
    const dag = parseTasksMd(md);
    expect(before(dag, "T004", "T006")).toBe(true);
    expect(dag.edges.find((e) => e.to === "T006" && e.kind === "prose")!.reason).toContain(sentence.replace(/^- /, "").slice(0, 20));
  });

  it("a label names the subject of the clauses after it ('**Phase 5 (US3)**: Depends on … and blocks …')", () => {
    const md = file(["- **Phase 5 (US3)**: Depends on T004 and blocks Phase 7"], { foundational: true });
    const dag = parseTasksMd(md);
    expect(before(dag, "T004", "T006")).toBe(true);
    expect(dag.edges.find((e) => e.from === "T006" && e.to === "T009")).toMatchObject({ kind: "prose" });
  });

  it("a table whose header names the relation gives each row's dependencies", () => {
    const md = file(["| Story | Depends on | Parallel with |", "|---|---|---|", "| US3 | US1 | US2 |", "| US4 | — | US3 |"], { foundational: true });
    const dag = parseTasksMd(md);
    expect(before(dag, "T004", "T006")).toBe(true);
    expect(ordered(dag, "T006", "T005")).toBe(false);
    expect(ordered(dag, "T006", "T007")).toBe(false);
  });

  it("arrow chains order their neighbours; a chain that points backwards in the file is reported, not guessed", () => {
    const md = file(["```", "T003 → T006 → T007", "T008 → T005", "```"], { foundational: true });
    const dag = parseTasksMd(md);
    expect(before(dag, "T003", "T006") && before(dag, "T006", "T007")).toBe(true);
    expect(before(dag, "T008", "T005")).toBe(false);
    expect(dag.warnings.join("\n")).toMatch(/no dependency read from "T008 → T005": the arrow .* points backwards/);
  });
});

describe("statements of parallelism and independence remove order and never create it", () => {
  // Without Foundational, stories run in file order; the sentence must undo Phase 4 → Phase 5.
  const parallelAfter: [string, string, (n: number) => string][] = [
    ["English", "- Phase 4 and Phase 5 can run in parallel after Phase 3", (n) => `Phase ${n}`],
    ["Korean", "- Phase 4와 Phase 5는 Phase 3 이후 병렬로 실행할 수 있다", (n) => `Phase ${n}`],
    ["Japanese", "- フェーズ4 と フェーズ5 は フェーズ3 完了後に並行して実行できる", (n) => `フェーズ${n}`],
    ["Chinese", "- 阶段 4 和 阶段 5 可以在 阶段 3 完成后并行", (n) => `阶段 ${n}`],
    ["Spanish", "- Las Fases 4 y 5 pueden ejecutarse en paralelo después de la Fase 3", (n) => `Fase ${n}`],
    ["Portuguese", "- As Fases 4 e 5 podem rodar em paralelo após a Fase 3", (n) => `Fase ${n}`],
    ["Russian", "- Этапы 4 и 5 можно выполнять параллельно после Этапа 3", (n) => `Этап ${n}`],
    ["German", "- Phase 4 und Phase 5 können nach Phase 3 parallel laufen", (n) => `Phase ${n}`],
  ];
  it.each(parallelAfter)("%s: both after Phase 3, no edge between them", (_, sentence, phase) => {
    const md = file([sentence], { phase });
    const dag = parseTasksMd(md);
    expect(between(dag, "4", "5")).toEqual([]);
    expect(ordered(dag, "T005", "T006")).toBe(false);
    for (const t of ["T005", "T006"]) expect(before(dag, "T004", t), t).toBe(true);
    expect(before(dag, "T006", "T009") && before(dag, "T005", "T009")).toBe(true); // Polish still waits for both
    wellFormed(dag, md);
  });

  it.each([
    ["label", "- **User Story 2 (P2)**: No dependencies on US1"],
    ["negated verb", "- US2 does not depend on US1"],
    ["Spanish", "- US2 no depende de US1"],
    ["Portuguese", "- US2 não depende de US1"],
    ["Chinese", "- US2 不依赖 US1"],
    ["Japanese", "- US2 は US1 に依存しない"],
    ["Korean", "- US2는 US1에 의존하지 않는다"],
    ["Russian", "- US2 не зависит от US1"],
    ["German", "- US2 hängt nicht von US1 ab"],
    ["with", "- Phase 4 can run in parallel with Phase 3"],
  ])("%s: %s", (_, sentence) => {
    const md = file([sentence]);
    const dag = parseTasksMd(md);
    expect(between(dag, "3", "4")).toEqual([]);
    expect(ordered(dag, "T004", "T005")).toBe(false);
    expect(before(dag, "T002", "T005")).toBe(true); // still after what came before Phase 3
  });

  it("parallel tasks inside a phase lose their sequential order, keep everything else", () => {
    const md =
      "## Phase 1: Build\n\n- [ ] T001 a in `a.ts`\n- [ ] T002 b in `b.ts`\n- [ ] T003 c in `c.ts`\n- [ ] T004 d in `d.ts`\n\n## Notes\n\n- T002 and T003 can run in parallel\n";
    const dag = parseTasksMd(md);
    expect(ordered(dag, "T002", "T003")).toBe(false);
    expect(before(dag, "T001", "T002") && before(dag, "T001", "T003")).toBe(true);
  });
});

describe("sentences whose direction is not certain are reported, never guessed", () => {
  it.each([
    ["hedge", "- Phase 6 may depend on Phase 5", /hedged/],
    ["or", "- T009 depends on T004 or T005", /"or"/],
    ["no subject", "- Depends on Phase 3", /names what is depended on but not what depends on it/],
    ["negated parallel", "- Phase 5 and Phase 6 must not run in parallel", /may not run in parallel/],
    ["overlap", "- US1 depends on Phase 3", /both sides name the same tasks/],
  ])("%s", (_, sentence, why) => {
    const md = file([sentence], { foundational: true });
    const dag = parseTasksMd(md);
    const line = md.split("\n").indexOf(sentence) + 1;
    expect(dag.warnings.find((w) => w.startsWith(`line ${line}: no dependency read`))).toMatch(why);
    expect(dag.edges.filter((e) => e.kind === "prose")).toEqual([]);
    expect(dag.statements.find((s) => s.line === line)).toMatchObject({ effect: "uncertain" });
  });
});

describe("every edge explains itself", () => {
  it("kinds and reasons cover explicit, prose, phase, story, order and same-file edges, and the report lists them", () => {
    // US2 and US4 run beside each other after Foundational, but T005 and T008 touch the same file.
    const md = file(["- US3 depends on US1"], { foundational: true }).replace(
      "- [ ] T008 [US4] Alert sender in `src/alerts/send.ts`",
      "- [ ] T008 [US4] Alert sender in `src/export/api.ts` (depends on T006)",
    );
    const dag = parseTasksMd(md);
    wellFormed(dag, md);
    const kinds = new Set(dag.edges.map((e) => e.kind));
    for (const k of ["explicit", "prose", "phase", "order", "file"]) expect(kinds, k).toContain(k);
    expect(dag.edges.find((e) => e.kind === "prose")!.reason).toBe(`prose "US3 depends on US1" (line ${md.split("\n").indexOf("- US3 depends on US1") + 1})`);
    expect(dag.edges.find((e) => e.kind === "file")).toMatchObject({ from: "T005", to: "T008", reason: "same file src/export/api.ts" });
    const report = renderDagMarkdown(dag);
    expect(report).toContain("### Dependencies and why they exist");
    expect(report).toContain('prose "US3 depends on US1"');
    expect(report).toContain("### Dependency statements read from the file");
  });

  it("story order without Foundational, phase order around it", () => {
    const dag = parseTasksMd(file([]));
    expect(dag.edges.find((e) => e.from === "T005" && e.to === "T006")).toMatchObject({ kind: "story", reason: "story order: Phase 5 after Phase 4" });
    expect(dag.edges.find((e) => e.from === "T001" && e.to === "T002")).toMatchObject({ kind: "phase", reason: "phase order: Phase 2 after Phase 1" });
  });
});

describe("the properties real files are judged by hold on generated files in seven languages", () => {
  it.each(["en", "es", "pt", "zh", "ja", "ko", "ru"] as const)("%s, 400 tasks", (lang) => {
    const md = generateTasksMd(400, lang, 7);
    const dag = parseTasksMd(md);
    expect(dag.tasks).toHaveLength(400);
    everyTaskLineAccounted(md, dag);
    everyEdgeExplained(md, dag);
    acyclic(dag);
    parallelRespected(dag);
    statementsReported(md, dag);
    // The generated Dependencies section is read: some orderings and parallel statements take effect.
    expect(dag.statements.filter((s) => s.source === "prose" && s.effect === "ordered").length).toBeGreaterThan(3);
    expect(dag.parallel.length).toBeGreaterThan(3);
  });
});
