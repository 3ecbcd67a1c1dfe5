// Constitutions written by other people.
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parseConstitution } from "../../f/devgodzilla/lib/speckit/constitution.ts";
import { corpusFiles, readCorpus } from "./corpus.ts";

const byName = (name: string) => corpusFiles("constitutions").find((f) => path.basename(f) === name)!;

describe("human-written constitutions", () => {
  it("parses a real English constitution: Roman articles, NON-NEGOTIABLE → blocking, one-line version", () => {
    const c = parseConstitution(readCorpus(byName("01-import-to-planner-constitution.md")));
    expect(c).toMatchObject({ title: "Import To Planner Constitution", version: "2.1.0", ratified: "2026-05-09", lastAmended: "2026-05-28" });
    expect(c.articles).toHaveLength(6);
    expect(c.articles[5]).toMatchObject({ number: "VI", severity: "blocking", severitySource: "non-negotiable" });
    expect(c.articles[0]).toMatchObject({ number: "I", title: "Dependency Rule Is Absolute", severity: "warning", severitySource: "default" });
    expect(c.sections.map((s) => s.heading)).toContain("Governance");
  });

  it("parses a real Korean constitution with the version on three lines", () => {
    const c = parseConstitution(readCorpus(byName("02-mxrc-constitution-ko.md")));
    expect(c).toMatchObject({ version: "1.1.0", ratified: "2025-01-20", lastAmended: "2025-01-22" });
    expect(c.articles.map((a) => a.number)).toEqual(["I", "II", "III", "IV", "V", "VI", "VII"]);
    expect(c.articles.filter((a) => a.severity === "blocking").map((a) => a.title)).toEqual(["RAII 원칙", "메모리 안전성"]);
    expect(c.articles[4]!.title).toBe("테스트 주도 개발 (TDD)");
  });

});
