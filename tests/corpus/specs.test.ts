// spec.md files written by other people: properties that must hold on any real spec, checked
// against the file's own lines (independent, simpler patterns than the parser's), never one file's
// wording.
import { describe, expect, it } from "vitest";
import { parseSpec } from "../../f/devgodzilla/lib/llm/artifacts/parse.ts";
import { applyClarifications } from "../../f/devgodzilla/lib/llm/artifacts/clarifications.ts";
import { corpusFiles, readCorpus } from "./corpus.ts";

const files = corpusFiles("specs");

/** The file's lines outside fenced code. */
function prose(md: string): string[] {
  let fence = false;
  return md.split("\n").map((l) => {
    if (/^\s*(```|~~~)/.test(l)) {
      fence = !fence;
      return "";
    }
    return fence ? "" : l;
  });
}

describe("human-written specs", () => {
  it("finds the corpus files", () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)("every line of %s that starts with a requirement id is a requirement or success criterion", (file) => {
    const md = readCorpus(file);
    const spec = parseSpec(md);
    const found = new Set([...spec.requirements, ...spec.successCriteria].map((r) => r.id));
    for (const l of prose(md)) {
      const id = /^\s*(?:[-*+]\s+|\|\s*)?(?:\*\*)?((?:FR|NFR|SC)(?:-[A-Z]+)*-\d+[a-z]?)\b/.exec(l)?.[1];
      if (id) expect(found.has(id), l.trim()).toBe(true);
    }
  });

  it.each(files)("%s has user stories when it has a story section (numbered or the older Primary User Story)", (file) => {
    const md = readCorpus(file);
    const headings = prose(md).filter((l) => /^#{2,6}\s/.test(l));
    const storyHeadings = headings.filter((h) => /user stor(y|ies)\s*\d|^#+\s*primary user story/i.test(h.replace(/\*\*/g, "")));
    const stories = parseSpec(md).stories;
    expect(stories.length > 0).toBe(storyHeadings.length > 0);
    for (const s of stories) expect(s.title.length, `story ${s.number}`).toBeGreaterThan(0);
  });

  it.each(files)("%s: every [NEEDS CLARIFICATION] in prose (not code, not a checklist item) is an open question", (file) => {
    const md = readCorpus(file);
    const count = prose(md)
      .filter((l) => !/^\s*(?:[-*+]|\d+[.)])\s+\[[ xX]\]/.test(l))
      .map((l) => l.replace(/`[^`]*`/g, ""))
      .reduce((n, l) => n + (l.match(/NEEDS CLARIFICATION/g) ?? []).length, 0);
    expect(parseSpec(md).markers).toHaveLength(count);
  });

  it.each(files)("%s: every '- Q:' line of its Clarifications is read with an answer", (file) => {
    const md = readCorpus(file);
    const qs = prose(md).filter((l) => /^\s*[-*+]\s+Q:/.test(l)).length;
    const clar = parseSpec(md).clarifications;
    expect(clar).toHaveLength(qs);
    for (const c of clar) expect(c.answer.length, c.question).toBeGreaterThan(0);
  });

  it.each(files)("adds a new session to %s without disturbing it", (file) => {
    const md = readCorpus(file);
    const before = parseSpec(md);
    const r = applyClarifications(md, "2026-11-21", [{ question: "Which regions?", answer: "EU only" }]);
    const after = parseSpec(r.markdown);
    expect(after.clarifications.slice(0, before.clarifications.length)).toEqual(before.clarifications);
    expect(after.clarifications.at(-1)).toEqual({ session: "2026-11-21", question: "Which regions?", answer: "EU only" });
    expect(after.requirements).toEqual(before.requirements);
    // Only lines were added.
    const added = r.markdown.split("\n").length - md.split("\n").length;
    expect(added).toBeGreaterThanOrEqual(1);
    expect(added).toBeLessThanOrEqual(8);
  });
});
