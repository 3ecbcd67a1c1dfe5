// Rendering and reading Spec Kit artifacts without a model: round trips through our parsers and
// Spec Kit's task parser, clarifications written into real (human-written) specs from the corpus,
// and the mechanical analysis checks.
import { describe, expect, it } from "vitest";
import { SpecDraft, TasksDraft, PlanDraft } from "../../f/devgodzilla/lib/llm/artifacts/schemas.ts";
import {
  recheckRequirementsChecklist,
  renderChecklist,
  renderPlan,
  renderRequirementsChecklist,
  renderSpec,
  renderTasks,
} from "../../f/devgodzilla/lib/llm/artifacts/render.ts";
import { parseChecklist, parsePlan, parseSpec, specFacts } from "../../f/devgodzilla/lib/llm/artifacts/parse.ts";
import { applyClarifications } from "../../f/devgodzilla/lib/llm/artifacts/clarifications.ts";
import { mechanicalFindings, buildReport, coverageRows } from "../../f/devgodzilla/lib/llm/steps/analyze.ts";
import { resolveAnswers } from "../../f/devgodzilla/lib/llm/steps/clarify.ts";
import { parseTasksMd } from "../../f/devgodzilla/lib/speckit/tasks.ts";
import { InputError } from "../../f/devgodzilla/lib/errors.ts";
import { AUTH_MARKER, checklistDraft, planDraft, specDraft, tasksDraft } from "./spec-llm-fixture.ts";

const meta = { featureDir: "007-photo-album-sharing", date: "2026-11-21", description: 'Albums "with" sharing\nand more' };

describe("spec.md rendering", () => {
  it("renders Spec Kit's layout that parses back with ids, priorities and markers", () => {
    const draft = SpecDraft.parse(specDraft());
    const md = renderSpec(draft.spec, meta);
    expect(md.split("\n").slice(0, 6)).toEqual([
      "# Feature Specification: Photo Album Sharing",
      "",
      "**Feature Branch**: `007-photo-album-sharing`  ",
      "**Created**: 2026-11-21  ",
      "**Status**: Draft  ",
      "**Input**: User description: \"Albums 'with' sharing and more\"",
    ]);
    for (const h of [
      "## User Scenarios & Testing *(mandatory)*",
      "### Edge Cases",
      "## Requirements *(mandatory)*",
      "### Functional Requirements",
      "### Key Entities *(include if feature involves data)*",
      "## Success Criteria *(mandatory)*",
      "### Measurable Outcomes",
      "## Assumptions",
    ]) {
      expect(md.split("\n")).toContain(h);
    }
    const p = parseSpec(md);
    expect(p.stories.map((s) => `${s.number}:${s.priority}:${s.title}`)).toEqual(["1:P1:Create an album", "2:P2:Share an album"]);
    expect(p.stories[0]!.scenarios).toBe(2);
    expect(p.requirements).toHaveLength(4);
    expect(p.entities).toEqual(["Album", "Share"]);
    expect(p.markers).toHaveLength(2);
    expect(md).toMatch(/^1\. \*\*Given\*\* a signed-in user, \*\*When\*\* they create an album named Trip, \*\*Then\*\* Trip appears in their albums$/m);
  });

  it("rejects a draft whose questions do not match its markers", () => {
    const d = specDraft();
    d.questions[0]!.marker = "something else";
    const r = SpecDraft.safeParse(d);
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error!.issues)).toMatch(/no \\"\[NEEDS CLARIFICATION: something else\]\\" marker/);
  });
});

describe("clarifications", () => {
  const spec = renderSpec(SpecDraft.parse(specDraft()).spec, meta);

  it("adds the section before the first ## heading and replaces answered markers", () => {
    const r = applyClarifications(spec, "2026-11-21", [{ question: "How should users sign in?", answer: "Email and password", marker: AUTH_MARKER }]);
    const lines = r.markdown.split("\n");
    const i = lines.indexOf("## Clarifications");
    expect(lines.slice(i, i + 5)).toEqual(["## Clarifications", "", "### Session 2026-11-21", "", "- Q: How should users sign in? → A: Email and password"]);
    expect(i).toBeLessThan(lines.indexOf("## User Scenarios & Testing *(mandatory)*"));
    expect(parseSpec(r.markdown).markers).toHaveLength(1);
    expect(r.resolvedMarkers).toEqual([AUTH_MARKER]);
  });

  it("applies only edits that match exactly once and never ones touching headings", () => {
    const r = applyClarifications(
      spec,
      "2026-11-21",
      [],
      [
        {
          find: "System MUST let users create a photo album with a title",
          replace: "System MUST let users create a photo album with a title of 1-100 characters",
        },
        { find: "## Assumptions", replace: "## Gone" },
        { find: "- ", replace: "* " },
      ],
    );
    expect(parseSpec(r.markdown).requirements[0]!.text).toMatch(/1-100 characters$/);
    expect(r.skippedEdits.map((s) => s.reason)).toEqual(["edits may not add or remove headings", expect.stringMatching(/^found \d+ times$/)]);
  });

  it("re-checks requirements.md flipping only items whose state changed, keeping a reviewer's edits", () => {
    const meta2 = { date: "2026-11-21", specLink: "../spec.md" };
    const answeredSpec = applyClarifications(spec, "2026-11-21", [
      { question: "a", answer: "email", marker: AUTH_MARKER },
      { question: "b", answer: "30 days", marker: "how long are shared links valid?" },
    ]).markdown;
    const original = renderRequirementsChecklist(specFacts(spec), meta2);
    // A reviewer unticked one item and added one of their own.
    const reviewed =
      original.replace("- [x] Focused on user value and business needs", "- [ ] Focused on user value and business needs") + "- [ ] Legal has signed off\n";
    const out = recheckRequirementsChecklist(reviewed, specFacts(spec), specFacts(answeredSpec), meta2);
    const items = Object.fromEntries(parseChecklist(out).items.map((i) => [i.text, i.checked]));
    expect(items["No [NEEDS CLARIFICATION] markers remain"]).toBe(true);
    expect(items["Focused on user value and business needs"]).toBe(false);
    expect(items["Legal has signed off"]).toBe(false);
    expect(out).toContain("- No open clarifications.");
    expect(out.split("\n").length).toBe(reviewed.split("\n").length);
  });

  it("resolves option letters and 'recommended', and rejects answers to unknown questions", () => {
    const qs = SpecDraft.parse(specDraft()).questions.map((q, i) => ({ ...q, id: `Q${i + 1}`, category: "" }));
    const { answered, open } = resolveAnswers(qs, { Q1: "b", Q2: "recommended", Q7: "" });
    expect(answered.map((a) => a.answer)).toEqual(["Single sign-on through the company identity provider", "30 days"]);
    expect(open).toEqual([]);
    expect(() => resolveAnswers(qs, { Q7: "x" })).toThrow(InputError);
    expect(() => resolveAnswers(qs, { Q1: 3 as unknown as string })).toThrow(/answers.Q1: must be text/);
  });
});

describe("plan.md, tasks.md and checklists", () => {
  it("renders the plan's technical context and constitution check as parseable fields", () => {
    const p = parsePlan(renderPlan(PlanDraft.parse(planDraft({ violation: "justified" })), { featureDir: "007-x", date: "2026-11-21", featureTitle: "X" }));
    expect(p.technicalContext["Language/Version"]).toBe("TypeScript 5 / Node 20");
    expect(p.gates.map((g) => g.status)).toEqual(["PASS", "VIOLATION"]);
    expect(p.hasComplexityTracking).toBe(true);
  });

  it("renders tasks.md that Spec Kit's DAG parser reads with phase order and explicit dependencies", () => {
    const stories = [
      { number: 1, title: "Create an album", priority: "P1" },
      { number: 2, title: "Share an album", priority: "P2" },
    ];
    const r = renderTasks(TasksDraft.parse(tasksDraft()), { featureTitle: "Albums", featureDir: "007-x", stories });
    const dag = parseTasksMd(r.markdown);
    expect(dag.phases.map((p) => p.kind)).toEqual(["setup", "foundational", "story", "story", "polish"]);
    const t = Object.fromEntries(dag.tasks.map((x) => [x.id, x]));
    expect(t.T002!.dependsOn).toEqual(["T001"]);
    expect(t.T006!.dependsOn).toContain("T004");
    expect(t.T004!.files).toContain("src/albums/album.ts");
    expect(r.ids).toMatchObject({ s1: "T001", f1: "T002", "us1-test": "T003", "us1-model": "T004", "us1-svc": "T005", "us2-share": "T006", p1: "T007" });
  });

  it("continues CHK numbering when appending to an existing checklist", () => {
    const first = renderChecklist(checklistDraft, { featureTitle: "Albums", date: "2026-11-21", domain: "security" });
    const second = renderChecklist(checklistDraft, { featureTitle: "Albums", date: "2026-11-22", domain: "security", existing: first.markdown });
    expect(parseChecklist(second.markdown).items.map((i) => i.id)).toEqual(["CHK001", "CHK002", "CHK003", "CHK004", "CHK005", "CHK006"]);
    expect(second.markdown.match(/^# /gm)).toHaveLength(1);
  });
});

describe("mechanical analysis", () => {
  it("finds missing artifacts, open markers, vague adjectives, duplicates and dangling dependencies", () => {
    const spec = renderSpec(
      {
        ...SpecDraft.parse(specDraft()).spec,
        functionalRequirements: ["System MUST be fast", "System MUST be fast", "System MUST store albums [NEEDS CLARIFICATION: where?]"],
      },
      meta,
    );
    const f = mechanicalFindings({ spec, tasks: "- [ ] T001 Do a thing in a.ts (depends on T009)\n" });
    const kinds = f.map((x) => `${x.category}/${x.severity}`);
    expect(kinds).toEqual(expect.arrayContaining(["Underspecification/CRITICAL", "Ambiguity/HIGH", "Duplication/HIGH", "Inconsistency/HIGH"]));
    const report = buildReport(f, { findings: [], coverage: [], nextActions: [] }, coverageRows(spec, undefined, []), 1);
    expect(report.findings[0]!.severity).toBe("CRITICAL");
    expect(report.findings.map((x) => x.id)).toContain("A1");
    expect(report.metrics.critical_issues).toBe(1);
  });
});
