// Acceptance criteria: the spec's acceptance scenarios (US<n>-AS<k>) and requirement ids (FR-001,
// FR-UI-002, NFR-003), each with its text and the stories it belongs to. The tasks step writes them
// to specs/<feature>/criteria.md next to tasks.md and names in each task the criteria it implements;
// agents name a criterion's id in the title of the test that proves it; QA reads the test results
// and gives every criterion a verdict (lib/qa/criteria.ts).

import { parseSpec, sections, sectionBody, findSection, type ParsedSpec } from "./parse.ts";

export interface Criterion {
  /** US1-AS2 (scenario 2 of user story 1), or the requirement id as the spec writes it (FR-001). */
  id: string;
  text: string;
  /** US1, US2 … — the stories it belongs to (a requirement: the stories of the tasks that name it). */
  stories: string[];
  kind: "scenario" | "requirement";
  /** Task ids that name it (filled from tasks.md). */
  tasks: string[];
}

export const CRITERIA_FILE = "criteria.md";

const oneLine = (s: string) =>
  s
    .replace(/\s*\n\s*/g, " ")
    .replace(/\*\*/g, "")
    .trim();
const SCENARIO_LINE = /^\s*(?:\d+[.)]|[-*+])\s+(.+)$/;
const GIVEN = /^(?:\*\*)?Given\b/i;
/** A bold label that introduces the scenario list ("**Acceptance Scenarios**:" and translations). */
const SCENARIO_LABEL =
  /^\s*(?:\*\*|__)[^*_]*(?:acceptance|scenario|akzeptanz|szenari|escenario|cenário|critères|シナリオ|受け入れ|验收|场景|인수|시나리오)[^*_]*(?:\*\*|__)\s*[:：]?\s*$/i;

/** The scenario lines of a story's body: the list after its scenario label, and any Given… item. */
function scenariosIn(body: string): string[] {
  const out: string[] = [];
  let inList = false;
  for (const line of body.split("\n")) {
    if (SCENARIO_LABEL.test(line) || /^#{3,6}\s+.*(acceptance|scenario)/i.test(line)) {
      inList = true;
      continue;
    }
    const item = SCENARIO_LINE.exec(line);
    if (item && (inList || GIVEN.test(item[1]!.trim()))) {
      out.push(oneLine(item[1]!));
      continue;
    }
    // The list ends at the next paragraph or label; blank lines inside it are fine.
    if (inList && line.trim() && !/^\s{2,}\S/.test(line)) inList = false;
  }
  return out;
}

/** Criteria of a spec.md: every story's acceptance scenarios, then the requirements. */
export function criteriaFromSpec(specMd: string, parsed: ParsedSpec = parseSpec(specMd)): Criterion[] {
  const out: Criterion[] = [];
  const all = sections(specMd);
  for (const story of parsed.stories) {
    const num = new RegExp(`(^|\\D)${story.number}(\\D|$)`);
    const sec = all.find((s) => s.level >= 2 && num.test(s.title) && (!story.title || s.title.includes(story.title.slice(0, 40))));
    const body = sec ? sectionBody(specMd, sec) : sectionBody(specMd, findSection(specMd, /^Acceptance Scenarios/i));
    scenariosIn(body).forEach((text, k) => out.push({ id: `US${story.number}-AS${k + 1}`, text, stories: [`US${story.number}`], kind: "scenario", tasks: [] }));
  }
  const seen = new Set(out.map((c) => c.id));
  for (const r of parsed.requirements) {
    if (seen.has(r.id)) continue;
    seen.add(r.id);
    out.push({ id: r.id, text: oneLine(r.text), stories: [], kind: "requirement", tasks: [] });
  }
  return out;
}

// ---------------------------------------------------------------- ids in text

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * A pattern that finds a criterion id however a test name writes it: `US1-AS2`, `us1_as2`,
 * `US1 AS2`, `TestUS1AS2Total`, `FR-001`, `fr_001`, `FR001`. Not inside a longer id (US1-AS20).
 */
export function criterionPattern(id: string): RegExp {
  const parts = id
    .split(/[-_.\s:]+/)
    .filter(Boolean)
    .map(escape);
  return new RegExp(`(?:(?<![A-Za-z0-9])|(?<=[Tt]est))${parts.join("[-_.\\s:]?")}(?![0-9])`, "i");
}

/** The criteria ids that occur in a text (a task description, a test name, a comment). */
export function criteriaNamedIn(text: string, criteria: readonly Pick<Criterion, "id">[]): string[] {
  return criteria.filter((c) => criterionPattern(c.id).test(text)).map((c) => c.id);
}

// ---------------------------------------------------------------- criteria.md

const cell = (s: string) => oneLine(s).replace(/\|/g, "\\|");

export function renderCriteria(title: string, criteria: readonly Criterion[]): string {
  const out = [
    `# Acceptance Criteria: ${oneLine(title)}`,
    "",
    "**Input**: spec.md (acceptance scenarios and requirements) · **Used by**: tasks.md, the tests, QA",
    "",
    'Every criterion is proven by a test that names its id in the test\'s title — `it("US1-AS1 …")`,',
    "`def test_us1_as1_…`, `func TestUS1AS1…`, `fn us1_as1_…`. QA runs the project's tests and gives each",
    "criterion a verdict: **proven** (a test naming it ran and passed), **failing** (it ran and failed) or",
    "**unproven** (no test naming it ran).",
    "",
    "| ID | Stories | Criterion | Tasks |",
    "|----|---------|-----------|-------|",
    ...criteria.map((c) => `| ${c.id} | ${c.stories.join(", ")} | ${cell(c.text)} | ${c.tasks.join(", ")} |`),
    "",
  ];
  return out.join("\n");
}

/** Reads criteria.md back (the table rows); [] when there is none. */
export function parseCriteria(md: string): Criterion[] {
  const out: Criterion[] = [];
  for (const line of md.split("\n")) {
    const cells = line.trim().startsWith("|")
      ? line
          .trim()
          .replace(/^\||\|$/g, "")
          .split(/(?<!\\)\|/)
          .map((c) => c.trim().replace(/\\\|/g, "|"))
      : null;
    if (!cells || cells.length < 3 || /^-+$/.test(cells[0]!) || cells[0] === "ID" || !/^[A-Za-z][\w.-]*\d/.test(cells[0]!)) continue;
    const list = (s: string | undefined) => (s ?? "").split(/[,\s]+/).filter(Boolean);
    out.push({ id: cells[0]!, stories: list(cells[1]), text: cells[2]!, tasks: list(cells[3]), kind: /-AS\d+$/.test(cells[0]!) ? "scenario" : "requirement" });
  }
  return out;
}
