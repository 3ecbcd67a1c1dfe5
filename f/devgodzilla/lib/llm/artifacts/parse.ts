// Reading Spec Kit artifacts back: spec.md facts (stories, FR/SC ids, markers, clarification
// sessions), checklist items, plan.md fields. Used by clarify/plan/tasks/analyze to ground their
// prompts and checks, and by tests to assert formats by parsing. Tolerant of human-written specs
// (headings with "(mandatory)" instead of "*(mandatory)*", missing optional sections).

import { markersIn } from "./schemas.ts";
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

const plain = (t: string): string => t.replace(/\*|\(mandatory\)|\(include if[^)]*\)/gi, "").trim().toLowerCase();

export function findSection(md: string, name: string | RegExp, level?: number): Section | undefined {
  return sections(md).find((s) => (level === undefined || s.level === level) && (typeof name === "string" ? plain(s.title) === name.toLowerCase() : name.test(s.title)));
}

export function sectionBody(md: string, s: Section | undefined): string {
  if (!s) return "";
  return md.split("\n").slice(s.start + 1, s.end).join("\n");
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

export function parseSpec(md: string): ParsedSpec {
  const title = md.match(/^#\s+Feature Specification:\s*(.+)$/m)?.[1]?.trim() ?? md.match(/^#\s+(.+)$/m)?.[1]?.trim() ?? "";
  const featureBranch = md.match(/\*\*Feature Branch\*\*:\s*`([^`]+)`/)?.[1];
  const stories: ParsedStory[] = [];
  for (const s of sections(md)) {
    const m = s.title.match(/^User Story (\d+)\s*-\s*(.+?)\s*\(Priority:\s*(P\d+)\)/);
    if (m) {
      const body = md.split("\n").slice(s.start + 1, s.end).join("\n");
      stories.push({ number: Number(m[1]), title: m[2]!, priority: m[3]!, scenarios: (body.match(/^\s*\d+\.\s+\*\*Given\*\*/gm) ?? []).length });
    }
  }
  const ids = (prefix: string) => [...md.matchAll(new RegExp(`^\\s*-\\s+\\*\\*(${prefix}-\\d{3,})\\*\\*:\\s*(.+)$`, "gm"))].map((m) => ({ id: m[1]!, text: m[2]!.trim() }));
  const listIn = (sec: Section | undefined) => sectionBody(md, sec).split("\n").filter((l) => /^\s*-\s+/.test(l)).map((l) => l.replace(/^\s*-\s+/, "").trim());
  const clarifications: ParsedSpec["clarifications"] = [];
  const clar = findSection(md, "clarifications", 2);
  if (clar) {
    let session = "";
    for (const l of sectionBody(md, clar).split("\n")) {
      const sm = l.match(/^###\s+Session\s+(\d{4}-\d{2}-\d{2})/);
      if (sm) session = sm[1]!;
      const qm = l.match(/^\s*-\s+Q:\s*(.+?)\s*→\s*A:\s*(.*)$/);
      if (qm) clarifications.push({ session, question: qm[1]!, answer: qm[2]! });
    }
  }
  return {
    title,
    featureBranch,
    stories,
    requirements: ids("FR"),
    successCriteria: ids("SC"),
    entities: listIn(findSection(md, /^Key Entities/)).map((e) => e.match(/^\*\*(.+?)\*\*/)?.[1] ?? e),
    edgeCases: listIn(findSection(md, "edge cases")),
    assumptions: listIn(findSection(md, "assumptions")),
    markers: markersIn(md),
    clarifications,
  };
}

export function specFacts(md: string): SpecFacts {
  const p = parseSpec(md);
  return {
    title: p.title,
    markers: p.markers,
    hasSections: {
      scenarios: !!findSection(md, /^User Scenarios & Testing/),
      requirements: !!findSection(md, /^Requirements/),
      success: !!findSection(md, /^Success Criteria/),
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
  return { title: md.match(/^#\s+Implementation Plan:\s*(.+)$/m)?.[1]?.trim() ?? "", technicalContext: tc, gates, hasComplexityTracking: !!findSection(md, "complexity tracking", 2) };
}

/** Principle names from a constitution (`### <name>` under Core Principles, or any `###`). */
export function constitutionPrinciples(md: string): string[] {
  const core = findSection(md, /^Core Principles/i, 2);
  const scope = core ? sectionBody(md, core) : md;
  return [...scope.matchAll(/^###\s+(.+)$/gm)].map((m) => m[1]!.trim());
}
