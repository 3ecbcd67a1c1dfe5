// spec.md as people write it (built from Spec Kit's spec template, older and newer, and the ways
// people deviate from it): stories, requirement ids, clarifications, open questions, and the error
// when something required is missing.
import { describe, expect, it } from "vitest";
import { nearestHeading, openMarkers, parseSpec, requireStories } from "../../f/devgodzilla/lib/llm/artifacts/parse.ts";
import { buildReport, coverageRows, mechanicalFindings } from "../../f/devgodzilla/lib/llm/steps/analyze.ts";
import { renderAnalysis } from "../../f/devgodzilla/lib/llm/artifacts/render.ts";
import { InputError } from "../../f/devgodzilla/lib/errors.ts";

describe("user stories", () => {
  it.each([
    ["hyphen", "### User Story 1 - Upload photos (Priority: P1)"],
    ["en dash", "### User Story 1 – Upload photos (Priority: P1)"],
    ["em dash", "### User Story 1 — Upload photos (Priority: P1)"],
    ["colon", "### User Story 1: Upload photos (Priority: P1)"],
    ["MVP marker", "### User Story 1 - Upload photos (Priority: P1) 🎯 MVP"],
    ["bold", "### **User Story 1 - Upload photos (Priority: P1)**"],
    ["short priority", "### User Story 1 - Upload photos (P1)"],
  ])("%s: %s", (_, heading) => {
    const md = `# Feature Specification: Albums\n\n## User Scenarios & Testing *(mandatory)*\n\n${heading}\n\n1. **Given** a user, **When** they upload, **Then** the photo is stored\n`;
    expect(parseSpec(md).stories).toEqual([{ number: 1, title: "Upload photos", priority: "P1", scenarios: 1 }]);
  });

  it("a story without a priority keeps file order (P<n>)", () => {
    const md = "## User Scenarios & Testing\n\n### User Story 2 - Share albums\n\n- **Given** an album, **When** shared, **Then** the link works\n";
    expect(parseSpec(md).stories).toEqual([{ number: 2, title: "Share albums", priority: "P2", scenarios: 1 }]);
  });

  it("reads the older template's single Primary User Story and its acceptance scenarios", () => {
    const md = [
      "## User Scenarios & Testing (mandatory)",
      "",
      "### Primary User Story",
      "As a player, I link my wallet so that I receive payouts. More detail follows.",
      "",
      "### Acceptance Scenarios",
      "1. **Given** a linked wallet, **When** I finish a match, **Then** kills are counted",
      "2. **Given** 20 kills, **When** the scheduler runs, **Then** I am paid",
      "",
    ].join("\n");
    expect(parseSpec(md).stories).toEqual([{ number: 1, title: "As a player, I link my wallet so that I receive payouts.", priority: "P1", scenarios: 2 }]);
  });

  it("a spec without stories is one error naming the section, the heading expected and the nearest one found", () => {
    const md = "# Feature Specification: X\n\n## User Scenarios & Testing\n\n### Story One: upload photos\n\nText.\n\n## Requirements\n";
    let err: unknown;
    try {
      requireStories(md, "specs/001-x/spec.md");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    const msg = (err as Error).message;
    expect(msg).toContain('specs/001-x/spec.md has no user stories in "## User Scenarios & Testing"');
    expect(msg).toContain("`### User Story 1 - <title> (Priority: P1)`");
    expect(msg).toContain("the nearest heading is `### Story One: upload photos` (line 5)");
  });

  it("finds the nearest heading by shape, ignoring numbers and case", () => {
    expect(nearestHeading("## Intro\n\n### user story 7 — X (priority p2)\n\n## Other\n", "### User Story 1 - <title> (Priority: P1)")).toEqual({
      heading: "### user story 7 — X (priority p2)",
      line: 3,
    });
  });
});

describe("requirement ids", () => {
  it("reads ids with segments and tags, with or without bold, in lists and tables, and nothing inside code", () => {
    const md = [
      "## Requirements",
      "",
      "- **FR-001**: System MUST store albums",
      "- **FR-001a**: System MUST keep album order",
      "- **FR-002 [P2]**: System MUST share albums",
      "- **FR-UI-001**: The upload page MUST show progress",
      "- **FR-003** [Security]: Links MUST expire",
      "FR-004: System MUST log uploads",
      "| FR-005 | System MUST export albums | P3 |",
      "- **NFR-001**: Uploads MUST finish within 5 s",
      "```",
      "- **FR-999**: an example in a code block",
      "```",
      "",
      "## Success Criteria",
      "",
      "- **SC-001**: 95% of uploads succeed",
    ].join("\n");
    const spec = parseSpec(md);
    expect(spec.requirements.map((r) => r.id)).toEqual(["FR-001", "FR-001a", "FR-002", "FR-UI-001", "FR-003", "FR-004", "FR-005", "NFR-001"]);
    expect(spec.requirements.find((r) => r.id === "FR-002")!.text).toBe("System MUST share albums");
    expect(spec.requirements.find((r) => r.id === "FR-005")!.text).toMatch(/^System MUST export albums/);
    expect(spec.successCriteria).toEqual([{ id: "SC-001", text: "95% of uploads succeed" }]);
  });
});

describe("clarifications", () => {
  it("keeps an answer that wraps onto following lines, and accepts -> as the arrow", () => {
    const md = [
      "# Feature Specification: X",
      "",
      "## Clarifications",
      "",
      "### Session 2026-01-10",
      "",
      "- Q: Which payout policy? → A: Threshold-based per verified session,",
      "  with a daily cap of one payout",
      "  and a weekly cap of three.",
      "- Q: Which regions? -> A: EU only",
      "- Q: Retention?",
      "  → A: 30 days",
      "",
      "## Requirements",
      "",
      "- **FR-001**: x",
    ].join("\n");
    expect(parseSpec(md).clarifications).toEqual([
      {
        session: "2026-01-10",
        question: "Which payout policy?",
        answer: "Threshold-based per verified session, with a daily cap of one payout and a weekly cap of three.",
      },
      { session: "2026-01-10", question: "Which regions?", answer: "EU only" },
      { session: "2026-01-10", question: "Retention?", answer: "30 days" },
    ]);
  });
});

describe("open questions", () => {
  it("counts markers in prose, bare ones too, but not in code or in checklist items", () => {
    const md = [
      "## Execution Flow",
      "```",
      "→ Mark with [NEEDS CLARIFICATION: specific question]",
      "```",
      "Use `[NEEDS CLARIFICATION: x]` to mark a question.",
      "- Users log in with SSO [NEEDS CLARIFICATION: which identity provider?]",
      "- Data is kept for a while [NEEDS CLARIFICATION]",
      "- Exports are NEEDS CLARIFICATION: CSV or JSON?",
      "- [ ] No [NEEDS CLARIFICATION] markers remain",
    ].join("\n");
    expect(openMarkers(md)).toEqual(["which identity provider?", "Data is kept for a while", "CSV or JSON?"]);
    expect(parseSpec(md).markers).toHaveLength(3);
  });
});

describe("analyze coverage", () => {
  it("never reports full coverage of no requirements: coverage is n/a and the missing section is a CRITICAL finding", () => {
    const spec =
      "# Feature Specification: X\n\n## User Scenarios & Testing\n\n### User Story 1 - A (Priority: P1)\n\n## Requirments\n\n- System must do things\n";
    const findings = mechanicalFindings({ spec, plan: "# Plan", tasks: "- [ ] T001 a\n" });
    const crit = findings.find((f) => f.severity === "CRITICAL" && f.category === "Underspecification");
    expect(crit!.summary).toMatch(/has no requirements in "## Requirements".*nearest heading is `## Requirments`/);
    const report = buildReport(findings, { findings: [], coverage: [], nextActions: [] }, coverageRows(spec, "- [ ] T001 a\n", []), 1);
    expect(report.metrics.coverage_pct).toBeNull();
    const md = renderAnalysis({
      ...report,
      nextActions: report.next_actions,
      metrics: { ...report.metrics, coverage_pct: report.metrics.coverage_pct ?? "n/a (the spec has no requirement ids)" },
    });
    expect(md).not.toMatch(/coverage_pct: 100/);
  });

  it("maps requirement ids with segments to tasks in any id scheme", () => {
    const spec = "## Requirements\n\n- **FR-UI-001**: Upload page\n- **FR-002 [P2]**: Sharing\n";
    const tasks = "## Phase 1\n\n- [ ] T-FE-001 Upload page for FR-UI-001 in `web/upload.tsx`\n- [ ] T014pre Prepare FR-002 sharing in `api/share.ts`\n";
    expect(coverageRows(spec, tasks, [])).toEqual([
      { requirement: "FR-UI-001", hasTask: true, taskIds: ["T-FE-001"] },
      { requirement: "FR-002", hasTask: true, taskIds: ["T014pre"] },
    ]);
  });
});
