// Writing answers back into spec.md the way /speckit.clarify does: a `## Clarifications`
// section (placed before the first `##` section, right after the header block) with
// `### Session YYYY-MM-DD` and `- Q: … → A: …` bullets; the affected text edited; answered
// `[NEEDS CLARIFICATION: …]` markers removed. Model edits are applied only when their `find`
// text occurs exactly once; a marker the model did not rewrite is replaced by the answer itself.

import { findSection, sections } from "./parse.ts";

export interface AnsweredQuestion {
  question: string;
  answer: string;
  /** Marker text this answer resolves ("" for taxonomy questions). */
  marker?: string;
}

export interface ApplyResult {
  markdown: string;
  appliedEdits: number;
  skippedEdits: { find: string; reason: string }[];
  resolvedMarkers: string[];
}

const oneLine = (s: string): string => s.replace(/\s*\n\s*/g, " ").trim();
const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export function applyClarifications(spec: string, date: string, answered: AnsweredQuestion[], edits: { find: string; replace: string }[] = []): ApplyResult {
  let md = spec;
  const skippedEdits: ApplyResult["skippedEdits"] = [];
  let appliedEdits = 0;
  for (const e of edits) {
    const count = md.split(e.find).length - 1;
    if (count !== 1) {
      skippedEdits.push({ find: e.find.slice(0, 120), reason: count === 0 ? "not found" : `found ${count} times` });
      continue;
    }
    if (/^#{1,6}\s/m.test(e.find) || /^#{1,6}\s/m.test(e.replace)) {
      skippedEdits.push({ find: e.find.slice(0, 120), reason: "edits may not add or remove headings" });
      continue;
    }
    md = md.replace(e.find, () => e.replace);
    appliedEdits++;
  }
  const resolvedMarkers: string[] = [];
  for (const a of answered) {
    if (!a.marker) continue;
    const re = new RegExp(`\\[NEEDS CLARIFICATION:\\s*${escapeRe(a.marker.trim())}\\s*\\]`, "g");
    md = md.replace(re, () => oneLine(a.answer));
    resolvedMarkers.push(a.marker);
  }
  md = addSession(
    md,
    date,
    answered.map((a) => `- Q: ${oneLine(a.question)} → A: ${oneLine(a.answer)}`),
  );
  return { markdown: md, appliedEdits, skippedEdits, resolvedMarkers };
}

function addSession(md: string, date: string, bullets: string[]): string {
  if (!bullets.length) return md;
  const lines = md.split("\n");
  const clar = findSection(md, "clarifications", 2);
  if (!clar) {
    const firstH2 = sections(md).find((s) => s.level === 2);
    const at = firstH2 ? firstH2.start : lines.length;
    lines.splice(at, 0, "## Clarifications", "", `### Session ${date}`, "", ...bullets, "");
    return lines.join("\n");
  }
  const session = sections(md).find((s) => s.level === 3 && s.start > clar.start && s.start < clar.end && s.title.trim() === `Session ${date}`);
  if (session) {
    let at = session.end;
    while (at > session.start + 1 && lines[at - 1]!.trim() === "") at--;
    lines.splice(at, 0, ...bullets);
  } else {
    // After the last existing session (human specs sometimes keep other ### notes in this section).
    const sessions = sections(md).filter((s) => s.level === 3 && s.start > clar.start && s.start < clar.end && /^Session\s/.test(s.title.trim()));
    let at = sessions.length ? sessions[sessions.length - 1]!.end : clar.end;
    const floor = sessions.length ? sessions[sessions.length - 1]!.start + 1 : clar.start + 1;
    while (at > floor && lines[at - 1]!.trim() === "") at--;
    lines.splice(at, 0, "", `### Session ${date}`, "", ...bullets, ...(at < clar.end && lines[at]?.trim() !== "" ? [""] : []));
  }
  return lines.join("\n");
}
