// Reading Spec Kit artifacts back: spec.md facts (stories, FR/SC ids, markers, clarification
// sessions), checklist items, plan.md fields. Used by clarify/plan/tasks/analyze to ground their
// prompts and checks, and by tests to assert formats by parsing. Reads what people write, not only
// what the template says: "User Story 1 — Title" (any dash or a colon, priority optional), the older
// template's single "Primary User Story", requirement ids with segments or tags ("**FR-UI-001**:",
// "**FR-001 [P2]**:", "FR-001:"), answers that wrap onto several lines, and
// [NEEDS CLARIFICATION] markers in prose only (not in code, not in checklists). When something
// required is missing, requireStories / requireRequirements say which section, the heading they
// expected and the nearest one the file has.

import { InputError } from "../../errors.ts";
import { techWordsIn, type SpecFacts, type StoryRef } from "./render.ts";

export interface Section {
  level: number;
  title: string;
  /** Line index of the heading. */
  start: number;
  /** Line index after the section's last line (next heading of same or higher level). */
  end: number;
}

export function sections(md: string): Section[] {
  const lines = md.split("\n");
  const heads: { level: number; title: string; start: number }[] = [];
  let fence = false;
  lines.forEach((l, i) => {
    if (/^\s*```/.test(l)) fence = !fence;
    const m = !fence && l.match(/^(#{1,6})\s+(.*?)\s*#*\s*$/);
    if (m) heads.push({ level: m[1]!.length, title: m[2]!, start: i });
  });
  return heads.map((h, i) => {
    const next = heads.slice(i + 1).find((x) => x.level <= h.level);
    return { ...h, end: next ? next.start : lines.length };
  });
}

const plain = (t: string): string =>
  t
    .replace(/\*|\(mandatory\)|\(include if[^)]*\)/gi, "")
    .trim()
    .toLowerCase();

export function findSection(md: string, name: string | RegExp, level?: number): Section | undefined {
  return sections(md).find(
    (s) => (level === undefined || s.level === level) && (typeof name === "string" ? plain(s.title) === name.toLowerCase() : name.test(s.title)),
  );
}

export function sectionBody(md: string, s: Section | undefined): string {
  if (!s) return "";
  return md
    .split("\n")
    .slice(s.start + 1, s.end)
    .join("\n");
}

export interface ParsedStory extends StoryRef {
  scenarios: number;
}

export interface ParsedSpec {
  title: string;
  featureBranch?: string;
  stories: ParsedStory[];
  requirements: { id: string; text: string }[];
  successCriteria: { id: string; text: string }[];
  entities: string[];
  edgeCases: string[];
  assumptions: string[];
  markers: string[];
  clarifications: { session: string; question: string; answer: string }[];
}

/** "User Story 1 - Title (Priority: P1)", with any dash, a colon or nothing after the number. */
const STORY_HEADING = /^(?:User\s+Story|Story|US)\s*-?\s*(\d+)\b\s*[-–—:.|]?\s*(.*)$/i;
const PRIORITY = /[(（]\s*(?:Priority|Prioridad|Prioridade|Priorität|Priorité|优先级|優先度|우선순위)?\s*[:：]?\s*(P\d+)\s*[)）]|\bPriority\s*[:：]\s*(P\d+)/i;
const SCENARIO = /^\s*(?:\d+[.)]|[-*+])\s+(?:\*\*)?Given\b/gim;
/** A requirement line: "- **FR-001**: …", "**FR-UI-001**: …", "- **FR-001 [P2]**: …", "FR-001: …", "| FR-001 | … |". */
const requirementLine = (prefix: string) =>
  new RegExp(
    `^\\s*(?:[-*+]\\s+|\\d+[.)]\\s+|\\|\\s*)?(?:\\*\\*|__)?\\s*(${prefix}(?:-[A-Z][A-Z0-9]*)*-\\d{2,}[a-z]?)\\s*(?:\\[[^\\]\\n]*\\]\\s*)*(?:\\*\\*|__)?\\s*(?:\\[[^\\]\\n]*\\]\\s*)*[:：.|—–-]\\s*(.+?)\\s*\\|?\\s*$`,
    "gm",
  );

function storiesOf(md: string): ParsedStory[] {
  const stories: ParsedStory[] = [];
  const lines = md.split("\n");
  for (const s of sections(md)) {
    const m = s.level >= 2 ? STORY_HEADING.exec(s.title.replace(/\*\*/g, "").trim()) : null;
    if (!m) continue;
    const body = lines.slice(s.start + 1, s.end).join("\n");
    const pr = PRIORITY.exec(s.title);
    const title = m[2]!
      .replace(PRIORITY, "")
      .replace(/🎯.*$/u, "")
      .replace(/\s*[-–—:]\s*$/, "")
      .trim();
    // No priority given: file order (P1 for story 1…), so nothing is reordered.
    stories.push({ number: Number(m[1]), title, priority: (pr?.[1] ?? pr?.[2] ?? `P${m[1]}`).toUpperCase(), scenarios: (body.match(SCENARIO) ?? []).length });
  }
  if (stories.length) return stories;
  // The older template: one "### Primary User Story" and its "### Acceptance Scenarios".
  const primary = findSection(md, /^Primary User Story/i);
  if (!primary) return [];
  const text = sectionBody(md, primary)
    .trim()
    .split(/\n\s*\n/)[0]!
    .replace(/\s+/g, " ");
  const scenarios = sectionBody(md, findSection(md, /^Acceptance Scenarios/i)).match(SCENARIO) ?? [];
  return [{ number: 1, title: text.split(/(?<=[.。!?])\s/)[0]!.slice(0, 120) || "Primary User Story", priority: "P1", scenarios: scenarios.length }];
}

/** Requirement ids and texts, outside code; a wrapped line continues its requirement. */
function idsOf(md: string, prefix: string): { id: string; text: string }[] {
  const prose = withoutCode(md);
  return [...prose.matchAll(requirementLine(prefix))].map((m) => ({ id: m[1]!, text: m[2]!.replace(/\*\*/g, "").trim() }));
}

/** Clarification sessions; an answer may wrap onto the lines after its "- Q: … → A:" line. */
function clarificationsOf(md: string): ParsedSpec["clarifications"] {
  const out: ParsedSpec["clarifications"] = [];
  const clar = findSection(md, "clarifications", 2);
  if (!clar) return out;
  let session = "";
  let open: ParsedSpec["clarifications"][number] | null = null;
  for (const l of sectionBody(md, clar).split("\n")) {
    const sm = l.match(/^###\s+Session\s+(\d{4}-\d{2}-\d{2})/);
    if (sm) {
      session = sm[1]!;
      open = null;
      continue;
    }
    const qm = l.match(/^\s*[-*+]\s+Q:\s*(.+?)\s*(?:→|->|=>)\s*A:\s*(.*)$/);
    if (qm) {
      open = { session, question: qm[1]!.trim(), answer: qm[2]!.trim() };
      out.push(open);
      continue;
    }
    const q = l.match(/^\s*[-*+]\s+Q:\s*(.+)$/);
    if (q) {
      open = { session, question: q[1]!.trim(), answer: "" };
      out.push(open);
      continue;
    }
    if (!open || !l.trim() || /^\s*#/.test(l) || /^[-*+]\s/.test(l)) {
      if (!l.trim() || /^\s*#|^[-*+]\s/.test(l)) open = null;
      continue;
    }
    // A continuation: "  → A: …" on its own line, or more words of the answer.
    const a = l.match(/^\s*(?:→|->|=>)?\s*A:\s*(.*)$/);
    if (a && !open.answer) open.answer = a[1]!.trim();
    else if (open.answer || !a) open.answer = `${open.answer} ${l.trim()}`.trim();
  }
  return out;
}

export function parseSpec(md: string): ParsedSpec {
  const title = md.match(/^#\s+Feature Specification:\s*(.+)$/m)?.[1]?.trim() ?? md.match(/^#\s+(.+)$/m)?.[1]?.trim() ?? "";
  const featureBranch = md.match(/\*\*Feature Branch\*\*:\s*`([^`]+)`/)?.[1];
  const listIn = (sec: Section | undefined) =>
    sectionBody(md, sec)
      .split("\n")
      .filter((l) => /^\s*-\s+/.test(l))
      .map((l) => l.replace(/^\s*-\s+/, "").trim());
  return {
    title,
    featureBranch,
    stories: storiesOf(md),
    requirements: [...idsOf(md, "FR"), ...idsOf(md, "NFR")],
    successCriteria: idsOf(md, "SC"),
    entities: listIn(findSection(md, /^Key Entities/)).map((e) => e.match(/^\*\*(.+?)\*\*/)?.[1] ?? e),
    edgeCases: listIn(findSection(md, "edge cases")),
    assumptions: listIn(findSection(md, "assumptions")),
    markers: openMarkers(md),
    clarifications: clarificationsOf(md),
  };
}

/** The text with fenced code blocks and inline code blanked (line numbers kept). */
function withoutCode(md: string): string {
  let fence = false;
  return md
    .split("\n")
    .map((l) => {
      if (/^\s*(```|~~~)/.test(l)) {
        fence = !fence;
        return "";
      }
      return fence ? "" : l.replace(/`[^`\n]*`/g, (c) => " ".repeat(c.length));
    })
    .join("\n");
}

const MARKER = /\[NEEDS CLARIFICATION(?:\s*[:：\-–—]\s*([^\]]*))?\]|(?<!\[)\bNEEDS CLARIFICATION\s*[:：]\s*([^.\n\]]+)/g;

/**
 * Open questions in the spec: [NEEDS CLARIFICATION: …] and bare "[NEEDS CLARIFICATION]" or
 * "NEEDS CLARIFICATION: …" in prose. Not in code (the template shows the marker in a fence) and not
 * in checklist items ("- [ ] No [NEEDS CLARIFICATION] markers remain" checks for them). A bare
 * marker is named by its line's text.
 */
export function openMarkers(md: string): string[] {
  const out: string[] = [];
  for (const line of withoutCode(md).split("\n")) {
    if (/^\s*(?:[-*+]|\d+[.)])\s+\[[ xX]\]/.test(line)) continue;
    for (const m of line.matchAll(MARKER)) {
      const text = (m[1] ?? m[2] ?? "").replace(/\\"/g, '"').trim();
      out.push(
        text ||
          line
            .replace(MARKER, "")
            .replace(/^\s*(?:[-*+]|\d+[.)])\s+/, "")
            .replace(/\*\*/g, "")
            .trim() ||
          "(no question given)",
      );
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Required parts: an error that shows what was expected and what is there instead

/** Edit distance between two short strings (headings). */
function distance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

/**
 * The heading of `md` closest to `expected`, with its line: most words in common (numbers and case
 * ignored, "<placeholders>" skipped), then the same level, then the smallest edit distance.
 */
export function nearestHeading(md: string, expected: string, exclude: string[] = []): { heading: string; line: number } | undefined {
  const norm = (t: string) =>
    t
      .toLowerCase()
      .replace(/<[^>]*>/g, " ")
      .replace(/\d+/g, "#")
      .replace(/[*_`]/g, "")
      .replace(/\s+/g, " ")
      .trim();
  const words = (t: string) =>
    new Set(
      norm(t)
        .split(/[^\p{L}\p{N}#]+/u)
        .filter((w) => w.length > 1 || w === "#"),
    );
  const level = /^(#+)/.exec(expected)?.[1]!.length ?? 0;
  const want = norm(expected.replace(/^#+\s*/, ""));
  const wantWords = words(expected.replace(/^#+\s*/, ""));
  const skip = new Set(exclude.map((e) => norm(e.replace(/^#+\s*/, ""))));
  const lines = md.split("\n");
  let best: { heading: string; line: number; key: [number, number, number] } | undefined;
  for (const s of sections(md)) {
    if (s.level === 1 || skip.has(norm(s.title))) continue;
    const shared = [...words(s.title)].filter((w) => wantWords.has(w)).length;
    const key: [number, number, number] = [-shared, s.level === level ? 0 : 1, distance(norm(s.title), want) / Math.max(want.length, norm(s.title).length, 1)];
    if (!best || key[0] < best.key[0] || (key[0] === best.key[0] && (key[1] < best.key[1] || (key[1] === best.key[1] && key[2] < best.key[2]))))
      best = { heading: lines[s.start]!.trim(), line: s.start + 1, key };
  }
  return best && { heading: best.heading, line: best.line };
}

/** "<path> has no <what> in <section>: expected …; the nearest heading is …" */
function missing(path: string, what: string, section: string, expected: string, md: string, like: string): InputError {
  const near = nearestHeading(md, like, like === section ? [] : [section]);
  return new InputError(
    "feature",
    `${path} has no ${what} in "${section}": expected a ${expected.startsWith("#") ? "heading" : "line"} like \`${expected}\`${near ? `; the nearest heading is \`${near.heading}\` (line ${near.line})` : "; the file has no headings"}`,
    `write ${what} in Spec Kit's format (reference: .specify/templates/spec-template.md) or re-run specify`,
  );
}

/** The spec's user stories, or an error naming the section, the heading expected and the nearest one found. */
export function requireStories(md: string, path: string): ParsedStory[] {
  const stories = parseSpec(md).stories;
  if (!stories.length)
    throw missing(
      path,
      "user stories",
      "## User Scenarios & Testing",
      "### User Story 1 - <title> (Priority: P1)",
      md,
      "### User Story 1 - <title> (Priority: P1)",
    );
  return stories;
}

/** The spec's functional requirements, or an error like requireStories'. */
export function requireRequirements(md: string, path: string): { id: string; text: string }[] {
  const reqs = parseSpec(md).requirements;
  if (!reqs.length) throw missingRequirements(md, path);
  return reqs;
}

/** The error (or finding text) for a spec without requirement ids. */
export function missingRequirements(md: string, path: string): InputError {
  return missing(path, "requirements", "## Requirements", "- **FR-001**: System MUST <capability>", md, "## Requirements");
}

export function specFacts(md: string): SpecFacts {
  const p = parseSpec(md);
  return {
    title: p.title,
    markers: p.markers,
    hasSections: {
      scenarios: !!findSection(md, /^User (?:Scenarios|Stories)(?:\s*(?:&|and)\s*Testing)?/i),
      requirements: !!findSection(md, /^(?:Functional\s+)?Requirements/i),
      success: !!findSection(md, /^Success Criteria|^Measurable Outcomes/i),
    },
    stories: p.stories.length,
    storiesWithScenarios: p.stories.filter((s) => s.scenarios > 0).length,
    edgeCases: p.edgeCases.length,
    assumptions: p.assumptions.length,
    successCriteria: p.successCriteria.map((s) => s.text),
    requirements: p.requirements.map((r) => r.text),
    techWords: techWordsIn([...p.requirements.map((r) => r.text), ...p.successCriteria.map((s) => s.text)].join("\n")),
  };
}

export interface ChecklistItem {
  id: string;
  checked: boolean;
  text: string;
  category: string;
}

/** CHK items (and plain checkbox items without ids, e.g. requirements.md) with their `##` category. */
export function parseChecklist(md: string): { title: string; items: ChecklistItem[] } {
  const items: ChecklistItem[] = [];
  let category = "";
  for (const l of md.split("\n")) {
    const h = l.match(/^##\s+(.+)$/);
    if (h) category = h[1]!.trim();
    const m = l.match(/^\s*-\s+\[([ xX])\]\s+(?:(CHK\d{3,})\s+)?(.+)$/);
    if (m) items.push({ id: m[2] ?? "", checked: m[1] !== " ", text: m[3]!.trim(), category });
  }
  return { title: md.match(/^#\s+(.+)$/m)?.[1]?.trim() ?? "", items };
}

export interface ParsedPlan {
  title: string;
  technicalContext: Record<string, string>;
  gates: { principle: string; status: string }[];
  hasComplexityTracking: boolean;
}

export function parsePlan(md: string): ParsedPlan {
  const tc: Record<string, string> = {};
  for (const m of sectionBody(md, findSection(md, "technical context", 2)).matchAll(/^\*\*([^*]+)\*\*:\s*(.*?)\s*$/gm)) tc[m[1]!.trim()] = m[2]!;
  const gates = sectionBody(md, findSection(md, "constitution check", 2))
    .split("\n")
    .map((l) => l.match(/^\|\s*(.+?)\s*\|\s*(PASS|VIOLATION|N\/A)\s*\|/))
    .filter((m): m is RegExpMatchArray => !!m)
    .map((m) => ({ principle: m[1]!, status: m[2]! }));
  return {
    title: md.match(/^#\s+Implementation Plan:\s*(.+)$/m)?.[1]?.trim() ?? "",
    technicalContext: tc,
    gates,
    hasComplexityTracking: !!findSection(md, "complexity tracking", 2),
  };
}

/** Principle names from a constitution (`### <name>` under Core Principles, or any `###`). */
export function constitutionPrinciples(md: string): string[] {
  const core = findSection(md, /^Core Principles/i, 2);
  const scope = core ? sectionBody(md, core) : md;
  return [...scope.matchAll(/^###\s+(.+)$/gm)].map((m) => m[1]!.trim());
}
