// Renders the LLM's structured content into Spec Kit's exact markdown formats
// (templates/spec-template.md, plan-template.md, tasks-template.md, checklist-template.md,
// commands/analyze.md). Ids and layout are ours, so the output always parses.

import type { AnalysisDraft, ChecklistDraft, PlanDraft, Question, SpecContent, TasksDraft } from "./schemas.ts";
import { markersIn } from "./schemas.ts";
import { formatTaskLine } from "../../speckit/tasks.ts";

/** Markdown hard line break used by Spec Kit's header block. */
const BR = "  ";
const oneLine = (s: string): string => s.replace(/\s*\n\s*/g, " ").trim();
const bullets = (xs: string[], empty: string): string => (xs.length ? xs.map((x) => `- ${oneLine(x)}`).join("\n") : `- ${empty}`);
const pad3 = (n: number): string => String(n).padStart(3, "0");

export interface SpecMeta {
  featureDir: string; // "003-user-auth"
  date: string; // YYYY-MM-DD
  description: string;
}

/** Stories in priority order (stable), so "User Story 1" is the first P1 story. */
export function orderStories<T extends { priority: string }>(stories: T[]): T[] {
  return stories
    .map((s, i) => ({ s, i }))
    .sort((a, b) => a.s.priority.localeCompare(b.s.priority) || a.i - b.i)
    .map((x) => x.s);
}

export function renderSpec(c: SpecContent, meta: SpecMeta): string {
  const stories = orderStories(c.userStories);
  const out: string[] = [];
  out.push(`# Feature Specification: ${oneLine(c.title)}`, "");
  out.push(`**Feature Branch**: \`${meta.featureDir}\`${BR}`);
  out.push(`**Created**: ${meta.date}${BR}`);
  out.push(`**Status**: Draft${BR}`);
  out.push(`**Input**: User description: "${oneLine(meta.description).replace(/"/g, "'")}"`, "");
  out.push("## User Scenarios & Testing *(mandatory)*", "");
  stories.forEach((s, i) => {
    out.push(`### User Story ${i + 1} - ${oneLine(s.title)} (Priority: ${s.priority})`, "");
    out.push(s.narrative.trim(), "");
    out.push(`**Why this priority**: ${oneLine(s.whyPriority)}`, "");
    out.push(`**Independent Test**: ${oneLine(s.independentTest)}`, "");
    out.push("**Acceptance Scenarios**:", "");
    s.acceptanceScenarios.forEach((a, j) => out.push(`${j + 1}. **Given** ${oneLine(a.given)}, **When** ${oneLine(a.when)}, **Then** ${oneLine(a.then)}`));
    out.push("", "---", "");
  });
  out.push("### Edge Cases", "", bullets(c.edgeCases, "None identified beyond the acceptance scenarios."), "");
  out.push("## Requirements *(mandatory)*", "", "### Functional Requirements", "");
  c.functionalRequirements.forEach((r, i) => out.push(`- **FR-${pad3(i + 1)}**: ${oneLine(r)}`));
  out.push("");
  if (c.keyEntities.length) {
    out.push("### Key Entities *(include if feature involves data)*", "");
    for (const e of c.keyEntities) out.push(`- **${oneLine(e.name)}**: ${oneLine(e.description)}`);
    out.push("");
  }
  out.push("## Success Criteria *(mandatory)*", "", "### Measurable Outcomes", "");
  c.successCriteria.forEach((s, i) => out.push(`- **SC-${pad3(i + 1)}**: ${oneLine(s)}`));
  out.push("", "## Assumptions", "", bullets(c.assumptions, "None."), "");
  return out.join("\n");
}

// ---------------------------------------------------------------------------------------------
// checklists/requirements.md (Spec Kit's specify step writes and re-validates it)

const TECH =
  /\b(react|vue|angular|svelte|django|flask|fastapi|express|spring|rails|postgres(?:ql)?|mysql|mongodb|redis|kafka|kubernetes|docker|typescript|javascript|python|golang|java|rust|graphql|rest api|json api|sql|aws|gcp|azure|lambda)\b/i;

export interface SpecFacts {
  title: string;
  markers: string[];
  hasSections: { scenarios: boolean; requirements: boolean; success: boolean };
  storiesWithScenarios: number;
  stories: number;
  edgeCases: number;
  assumptions: number;
  successCriteria: string[];
  requirements: string[];
  techWords: string[];
}

export function renderRequirementsChecklist(f: SpecFacts, meta: { date: string; specLink: string }): string {
  const box = (ok: boolean) => (ok ? "[x]" : "[ ]");
  const noTech = f.techWords.length === 0;
  const mandatory = f.hasSections.scenarios && f.hasSections.requirements && f.hasSections.success;
  const measurable = f.successCriteria.length > 0 && f.successCriteria.every((s) => /\d/.test(s));
  const lines = [
    `# Specification Quality Checklist: ${f.title}`,
    "",
    `**Purpose**: Validate specification completeness and quality before proceeding to planning${BR}`,
    `**Created**: ${meta.date}${BR}`,
    `**Feature**: [spec.md](${meta.specLink})`,
    "",
    "## Content Quality",
    "",
    `- ${box(noTech)} No implementation details (languages, frameworks, APIs)`,
    `- ${box(f.stories > 0)} Focused on user value and business needs`,
    `- ${box(noTech)} Written for non-technical stakeholders`,
    `- ${box(mandatory)} All mandatory sections completed`,
    "",
    "## Requirement Completeness",
    "",
    `- ${box(f.markers.length === 0)} No [NEEDS CLARIFICATION] markers remain`,
    `- ${box(f.markers.length === 0 && f.requirements.length > 0)} Requirements are testable and unambiguous`,
    `- ${box(measurable)} Success criteria are measurable`,
    `- ${box(!f.successCriteria.some((s) => TECH.test(s)))} Success criteria are technology-agnostic (no implementation details)`,
    `- ${box(f.stories > 0 && f.storiesWithScenarios === f.stories)} All acceptance scenarios are defined`,
    `- ${box(f.edgeCases > 0)} Edge cases are identified`,
    `- ${box(f.stories > 0)} Scope is clearly bounded`,
    `- ${box(f.assumptions > 0)} Dependencies and assumptions identified`,
    "",
    "## Feature Readiness",
    "",
    `- ${box(f.requirements.length > 0 && f.storiesWithScenarios === f.stories)} All functional requirements have clear acceptance criteria`,
    `- ${box(f.stories > 0)} User scenarios cover primary flows`,
    `- ${box(measurable)} Feature meets measurable outcomes defined in Success Criteria`,
    `- ${box(noTech)} No implementation details leak into specification`,
    "",
    "## Notes",
    "",
    f.markers.length ? `- ${f.markers.length} open clarification(s): ${f.markers.map((m) => `"${m}"`).join("; ")}` : "- No open clarifications.",
    noTech ? "" : `- Implementation terms found: ${f.techWords.join(", ")}`,
    "- Items marked incomplete require spec updates before `/speckit.clarify` or `/speckit.plan`",
    "",
  ];
  return lines.filter((l, i, a) => !(l === "" && a[i - 1] === "")).join("\n");
}

export function techWordsIn(text: string): string[] {
  const found = new Set<string>();
  for (const m of text.matchAll(new RegExp(TECH.source, "gi"))) found.add(m[0].toLowerCase());
  return [...found];
}

// ---------------------------------------------------------------------------------------------
// Questions as markdown (approval page description, Spec Kit's question table)

export function renderQuestions(qs: Question[]): string {
  if (!qs.length) return "No open questions.";
  const out: string[] = [];
  for (const q of qs) {
    out.push(`## ${q.id}: ${oneLine(q.topic || q.question)}`, "");
    out.push(`**Question:** ${oneLine(q.question)}`, "");
    if (q.marker) out.push(`**Context**: \`[NEEDS CLARIFICATION: ${q.marker}]\``, "");
    if (q.why) out.push(`**Why it matters**: ${oneLine(q.why)}`, "");
    out.push(`**Recommended:** ${oneLine(q.recommended)}`, "");
    if (q.options.length) {
      out.push("| Option | Answer | Implications |", "|--------|--------|--------------|");
      for (const o of q.options) out.push(`| ${o.key} | ${cell(o.answer)} | ${cell(o.implications)} |`);
      out.push(`| Custom | Provide your own answer | |`, "");
    }
  }
  return out.join("\n");
}

const cell = (s: string): string => oneLine(s).replace(/\|/g, "\\|");

// ---------------------------------------------------------------------------------------------
// plan.md and Phase 0/1 artifacts

export interface PlanMeta {
  featureDir: string;
  date: string;
  featureTitle: string;
}

export function renderPlan(p: PlanDraft, meta: PlanMeta): string {
  const tc = p.technicalContext;
  const violations = p.constitutionCheck.filter((g) => g.status === "VIOLATION");
  const out = [
    `# Implementation Plan: ${meta.featureTitle}`,
    "",
    `**Branch**: \`${meta.featureDir}\` | **Date**: ${meta.date} | **Spec**: [spec.md](./spec.md)${BR}`,
    `**Input**: Feature specification from \`/specs/${meta.featureDir}/spec.md\``,
    "",
    "## Summary",
    "",
    p.summary.trim(),
    "",
    "## Technical Context",
    "",
    `**Language/Version**: ${oneLine(tc.language)}${BR}`,
    `**Primary Dependencies**: ${oneLine(tc.primaryDependencies)}${BR}`,
    `**Storage**: ${oneLine(tc.storage)}${BR}`,
    `**Testing**: ${oneLine(tc.testing)}${BR}`,
    `**Target Platform**: ${oneLine(tc.targetPlatform)}${BR}`,
    `**Project Type**: ${oneLine(tc.projectType)}${BR}`,
    `**Performance Goals**: ${oneLine(tc.performanceGoals)}${BR}`,
    `**Constraints**: ${oneLine(tc.constraints)}${BR}`,
    `**Scale/Scope**: ${oneLine(tc.scaleScope)}`,
    "",
    "## Constitution Check",
    "",
    "*GATE: Must pass before Phase 0 research. Re-check after Phase 1 design.*",
    "",
    "| Principle | Status | Evidence |",
    "|-----------|--------|----------|",
    ...p.constitutionCheck.map((g) => `| ${cell(g.principle)} | ${g.status} | ${cell(g.evidence || "-")} |`),
    "",
    `**Result**: ${violations.length ? `${violations.length} justified violation(s), see Complexity Tracking` : "PASS"}`,
    "",
    "## Project Structure",
    "",
    "### Documentation (this feature)",
    "",
    "```text",
    `specs/${meta.featureDir}/`,
    "├── plan.md              # This file",
    "├── research.md          # Phase 0 output",
    "├── data-model.md        # Phase 1 output",
    "├── quickstart.md        # Phase 1 output",
    "├── contracts/           # Phase 1 output",
    "└── tasks.md             # Phase 2 output (/speckit.tasks)",
    "```",
    "",
    "### Source Code (repository root)",
    "",
    "```text",
    ...p.structure.sourceTree.map((l) => l.replace(/\s+$/, "")),
    "```",
    "",
    `**Structure Decision**: ${oneLine(p.structure.decision)}`,
    "",
  ];
  if (violations.length) {
    out.push(
      "## Complexity Tracking",
      "",
      "| Violation | Why Needed | Simpler Alternative Rejected Because |",
      "|-----------|------------|-------------------------------------|",
    );
    for (const v of violations) out.push(`| ${cell(v.principle)} | ${cell(v.justification)} | ${cell(v.simplerAlternativeRejectedBecause || "-")} |`);
    out.push("");
  }
  return out.join("\n");
}

export function renderResearch(p: PlanDraft, meta: PlanMeta): string {
  const out = [`# Research: ${meta.featureTitle}`, "", `**Date**: ${meta.date} | **Plan**: [plan.md](./plan.md)`, ""];
  if (!p.research.length) out.push("No open technical unknowns: every Technical Context field was decided from the spec and the project.", "");
  for (const r of p.research) {
    out.push(
      `## ${oneLine(r.topic)}`,
      "",
      `- **Decision**: ${oneLine(r.decision)}`,
      `- **Rationale**: ${oneLine(r.rationale)}`,
      `- **Alternatives considered**: ${oneLine(r.alternatives || "None")}`,
      "",
    );
  }
  return out.join("\n");
}

export function renderDataModel(p: PlanDraft, meta: PlanMeta): string {
  const out = [`# Data Model: ${meta.featureTitle}`, "", `**Date**: ${meta.date} | **Plan**: [plan.md](./plan.md)`, ""];
  for (const e of p.dataModel) {
    out.push(`## ${oneLine(e.name)}`, "");
    if (e.description) out.push(oneLine(e.description), "");
    if (e.fields.length) {
      out.push("| Field | Type | Notes |", "|-------|------|-------|");
      for (const f of e.fields) out.push(`| ${cell(f.name)} | ${cell(f.type)} | ${cell(f.notes || "-")} |`);
      out.push("");
    }
    if (e.relationships.length) out.push("**Relationships**:", "", bullets(e.relationships, ""), "");
    if (e.states.length) out.push("**States**:", "", bullets(e.states, ""), "");
  }
  return out.join("\n");
}

export function renderQuickstart(p: PlanDraft, meta: PlanMeta): string {
  const out = [`# Quickstart: ${meta.featureTitle}`, "", "Validation scenarios that prove the feature works end to end (run them after implementation).", ""];
  p.quickstart.forEach((q, i) => out.push(`${i + 1}. ${oneLine(q.step)}`, `   - **Expected**: ${oneLine(q.expected)}`));
  out.push("");
  return out.join("\n");
}

export const CONTRACT_EXT: Record<PlanDraft["contracts"][number]["kind"], string> = {
  openapi: "yaml",
  graphql: "graphql",
  cli: "md",
  event: "md",
  library: "md",
  other: "md",
};

// ---------------------------------------------------------------------------------------------
// tasks.md

export interface StoryRef {
  number: number; // "User Story N" in spec.md
  title: string;
  priority: string;
}

export interface RenderedTasks {
  markdown: string;
  /** key → T-id, for callers that need the mapping. */
  ids: Record<string, string>;
  count: number;
}

export function renderTasks(d: TasksDraft, meta: { featureTitle: string; featureDir: string; stories: StoryRef[] }): RenderedTasks {
  // Assign ids in execution (document) order first, so dependency ids can be written inline.
  const storyPhases = [...d.stories].sort((a, b) => {
    const pa = meta.stories.find((s) => s.number === a.storyIndex)?.priority ?? "P9";
    const pb = meta.stories.find((s) => s.number === b.storyIndex)?.priority ?? "P9";
    return pa.localeCompare(pb) || a.storyIndex - b.storyIndex;
  });
  const ids: Record<string, string> = {};
  let n = 0;
  const assign = (ts: TasksDraft["setup"]) => ts.forEach((t) => (ids[t.key] = `T${pad3(++n)}`));
  assign(d.setup);
  assign(d.foundational);
  for (const s of storyPhases) {
    assign(s.tests);
    assign(s.implementation);
  }
  assign(d.polish);

  const taskLine = (t: TasksDraft["setup"][number], story?: number): string => {
    let desc = oneLine(t.description);
    if (t.file && !desc.includes(t.file)) desc += ` in ${t.file}`;
    const deps = t.dependsOn.map((k) => ids[k]!).filter(Boolean);
    const criteria = [...new Set(t.criteria ?? [])];
    // The line format itself is speckit/tasks.ts's (the same module parses it back).
    return formatTaskLine({
      id: ids[t.key]!,
      done: false,
      parallel: t.parallel,
      labels: [],
      stories: story ? [`US${story}`] : [],
      description: `${desc}${criteria.length ? ` (criteria: ${criteria.join(", ")})` : ""}${deps.length ? ` (depends on ${deps.join(", ")})` : ""}`,
    });
  };
  const list = (ts: TasksDraft["setup"], story?: number) => (ts.length ? ts.map((t) => taskLine(t, story)) : ["No tasks in this phase."]);

  let phase = 0;
  const out: string[] = [
    `# Tasks: ${meta.featureTitle}`,
    "",
    `**Input**: Design documents from \`/specs/${meta.featureDir}/\`${BR}`,
    "**Prerequisites**: plan.md (required), spec.md (required for user stories), research.md, data-model.md, contracts/",
    "",
    "## Format: `[ID] [P?] [Story] Description`",
    "",
    "- **[P]**: Can run in parallel (different files, no dependencies)",
    "- **[Story]**: Which user story this task belongs to (e.g., US1, US2, US3)",
    "- Include exact file paths in descriptions",
    "",
    `## Phase ${++phase}: Setup (Shared Infrastructure)`,
    "",
    "**Purpose**: Project initialization and basic structure",
    "",
    ...list(d.setup),
    "",
    `## Phase ${++phase}: Foundational (Blocking Prerequisites)`,
    "",
    "**Purpose**: Core infrastructure that MUST be complete before ANY user story can be implemented",
    "",
    "**⚠️ CRITICAL**: No user story work can begin until this phase is complete",
    "",
    ...list(d.foundational),
    "",
    "**Checkpoint**: Foundation ready - user story implementation can now begin",
    "",
  ];
  storyPhases.forEach((s, i) => {
    const ref = meta.stories.find((x) => x.number === s.storyIndex) ?? { number: s.storyIndex, title: `Story ${s.storyIndex}`, priority: "P9" };
    out.push(`## Phase ${++phase}: User Story ${ref.number} - ${oneLine(ref.title)} (Priority: ${ref.priority})${i === 0 ? " 🎯 MVP" : ""}`, "");
    out.push(`**Goal**: ${oneLine(s.goal)}`, "", `**Independent Test**: ${oneLine(s.independentTest)}`, "");
    if (s.tests.length) {
      out.push(
        `### Tests for User Story ${ref.number}`,
        "",
        "> **NOTE: Write these tests FIRST, ensure they FAIL before implementation**",
        "",
        ...s.tests.map((t) => taskLine(t, ref.number)),
        "",
      );
    }
    out.push(`### Implementation for User Story ${ref.number}`, "", ...s.implementation.map((t) => taskLine(t, ref.number)), "");
    out.push(`**Checkpoint**: ${oneLine(s.checkpoint || `User Story ${ref.number} is fully functional and testable independently`)}`, "");
  });
  out.push(
    `## Phase ${++phase}: Polish & Cross-Cutting Concerns`,
    "",
    "**Purpose**: Improvements that affect multiple user stories",
    "",
    ...list(d.polish),
    "",
  );
  out.push(
    "## Dependencies & Execution Order",
    "",
    "### Phase Dependencies",
    "",
    "- **Setup (Phase 1)**: No dependencies - can start immediately",
    "- **Foundational (Phase 2)**: Depends on Setup completion - BLOCKS all user stories",
    "- **User Stories (Phase 3+)**: All depend on Foundational phase completion; they can proceed in parallel or in priority order",
    `- **Polish (Phase ${phase})**: Depends on all desired user stories being complete`,
    "",
    "### Within Each User Story",
    "",
    "- Tests (if included) MUST be written and FAIL before implementation",
    "- Explicit `(depends on T###)` notes name tasks that must finish first",
    "- `(criteria: US1-AS1, FR-001)` names the acceptance criteria (criteria.md) a task implements; each test that proves one names its id in its title",
    "- Tasks touching the same file run sequentially",
    "",
  );
  return { markdown: out.join("\n"), ids, count: n };
}

// ---------------------------------------------------------------------------------------------
// checklists/<domain>.md

/** Renders new items; continues CHK numbering when `existing` (the current file) is given. */
export function renderChecklist(
  d: ChecklistDraft,
  meta: { featureTitle: string; date: string; domain: string; existing?: string },
): { markdown: string; first: number; last: number } {
  const used = [...(meta.existing ?? "").matchAll(/\bCHK(\d{3,})\b/g)].map((m) => Number(m[1]));
  let n = used.length ? Math.max(...used) : 0;
  const first = n + 1;
  const sections: string[] = [];
  for (const s of d.sections) {
    sections.push(`## ${oneLine(s.category)}`, "");
    for (const it of s.items) {
      const refs = it.refs
        .map((r) => r.trim())
        .filter(Boolean)
        .map((r) => (r.startsWith("[") ? r : `[${r}]`));
      sections.push(`- [ ] CHK${pad3(++n)} ${oneLine(it.text)}${refs.length ? ` ${refs.join(" ")}` : ""}`);
    }
    sections.push("");
  }
  if (meta.existing && used.length) {
    return { markdown: `${meta.existing.replace(/\s*$/, "")}\n\n${sections.join("\n")}`, first, last: n };
  }
  const head = [
    `# ${oneLine(d.title)} Checklist: ${meta.featureTitle}`,
    "",
    `**Purpose**: ${oneLine(d.purpose)}${BR}`,
    `**Created**: ${meta.date}${BR}`,
    `**Feature**: [spec.md](../spec.md)`,
    "",
    "**Marker Semantics**: `[x]` means a reviewer judged the requirement quality satisfied — not that work is done.",
    "",
  ];
  return { markdown: [...head, ...sections].join("\n"), first, last: n };
}

// ---------------------------------------------------------------------------------------------
// analyze report

export interface Finding {
  id: string;
  category: AnalysisDraft["findings"][number]["category"];
  severity: AnalysisDraft["findings"][number]["severity"];
  locations: string[];
  summary: string;
  recommendation: string;
}

export interface CoverageRow {
  requirement: string;
  hasTask: boolean;
  taskIds: string[];
}

export function renderAnalysis(r: { findings: Finding[]; coverage: CoverageRow[]; metrics: Record<string, number | string>; nextActions: string[] }): string {
  const out = ["## Specification Analysis Report", ""];
  if (r.findings.length) {
    out.push("| ID | Category | Severity | Location(s) | Summary | Recommendation |", "|----|----------|----------|-------------|---------|----------------|");
    for (const f of r.findings)
      out.push(`| ${f.id} | ${f.category} | ${f.severity} | ${cell(f.locations.join(", ") || "-")} | ${cell(f.summary)} | ${cell(f.recommendation || "-")} |`);
  } else out.push("No issues found.");
  out.push("", "**Coverage Summary Table:**", "", "| Requirement Key | Has Task? | Task IDs | Notes |", "|-----------------|-----------|----------|-------|");
  for (const c of r.coverage) out.push(`| ${c.requirement} | ${c.hasTask ? "Yes" : "No"} | ${c.taskIds.join(", ") || "-"} | |`);
  out.push("", "**Metrics:**", "");
  for (const [k, v] of Object.entries(r.metrics)) out.push(`- ${k}: ${v}`);
  out.push("", "## Next Actions", "", bullets(r.nextActions, "Proceed to implementation."), "");
  return out.join("\n");
}

export { markersIn };

/**
 * Re-checks an existing checklists/requirements.md after the spec changed, as /speckit.clarify
 * does: only items whose computed state CHANGED between the old and the new spec are flipped, so a
 * reviewer's own ticks survive; other lines (and any items we do not know) are left untouched.
 * Without an existing file, renders a fresh one.
 */
export function recheckRequirementsChecklist(
  existing: string | undefined,
  oldFacts: SpecFacts,
  newFacts: SpecFacts,
  meta: { date: string; specLink: string },
): string {
  const fresh = renderRequirementsChecklist(newFacts, meta);
  if (!existing) return fresh;
  const states = (md: string) => new Map([...md.matchAll(/^- \[([ x])\] (.+)$/gm)].map((m) => [m[2]!.trim(), m[1] === "x"]));
  const before = states(renderRequirementsChecklist(oldFacts, meta));
  const after = states(fresh);
  const note = fresh.split("\n").find((l) => /^- (\d+ open clarification|No open clarifications)/.test(l));
  return existing
    .split("\n")
    .map((line) => {
      const m = line.match(/^(\s*- \[)([ xX])(\] )(.+)$/);
      if (m) {
        const text = m[4]!.trim();
        if (after.has(text) && before.get(text) !== after.get(text)) return `${m[1]}${after.get(text) ? "x" : " "}${m[3]}${m[4]}`;
        return line;
      }
      if (note && /^- (\d+ open clarification|No open clarifications)/.test(line)) return note;
      return line;
    })
    .join("\n");
}
