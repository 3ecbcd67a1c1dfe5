// Constitutions written by other people: properties that must hold on any real constitution,
// checked against the file's own headings and lines, never one file's wording.
import { describe, expect, it } from "vitest";
import { parseConstitution } from "../../f/devgodzilla/lib/speckit/constitution.ts";
import { corpusFiles, readCorpus } from "./corpus.ts";

const files = corpusFiles("constitutions");

describe("human-written constitutions", () => {
  it("finds the corpus files", () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)("%s: every principle heading under Core Principles is an article, in the file's order", (file) => {
    const md = readCorpus(file);
    const lines = md.split("\n");
    const core = lines.findIndex((l) => /^##\s+.*(core principles|principles|원칙|原则|原則|principios|princípios|принципы)/i.test(l));
    const c = parseConstitution(md);
    if (core < 0) return expect(c.articles.length).toBeGreaterThanOrEqual(0);
    const end = lines.findIndex((l, i) => i > core && /^##\s/.test(l));
    const headings = lines
      .slice(core + 1, end < 0 ? undefined : end)
      .map((l, i) => ({ l, line: core + 2 + i }))
      .filter((x) => /^###\s+\S/.test(x.l));
    expect(c.articles.map((a) => a.line)).toEqual(headings.map((h) => h.line));
    c.articles.forEach((a, i) => {
      expect(a.index).toBe(i + 1);
      expect(a.title.length).toBeGreaterThan(0);
    });
  });

  it.each(files)("%s: an article marked NON-NEGOTIABLE blocks", (file) => {
    const c = parseConstitution(readCorpus(file));
    for (const a of c.articles) if (/NON[- ]?NEGOTIABLE|협상 불가|不可协商|交渉不可/i.test(a.heading)) expect(a.severity, a.heading).toBe("blocking");
  });

  it.each(files)("%s: a version written in the file is read as semver", (file) => {
    const md = readCorpus(file);
    const c = parseConstitution(md);
    const written = /(?:Version|버전|版本|バージョン)\**\s*[:：]\**\s*v?(\d+\.\d+\.\d+)/i.exec(md)?.[1];
    if (written) expect(c.version).toBe(written);
    else expect(c.version === null || /^\d+\.\d+\.\d+$/.test(c.version)).toBe(true);
  });
});
