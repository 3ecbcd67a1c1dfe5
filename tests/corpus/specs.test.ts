// spec.md files written by other people: a clarification session is added without disturbing them.
import { describe, expect, it } from "vitest";
import { parseSpec } from "../../f/devgodzilla/lib/llm/artifacts/parse.ts";
import { applyClarifications } from "../../f/devgodzilla/lib/llm/artifacts/clarifications.ts";
import { corpusFiles, readCorpus } from "./corpus.ts";

describe("human-written specs", () => {
  it.each(corpusFiles("specs"))("adds a new session to the human-written corpus spec %s without disturbing it", (file) => {
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
