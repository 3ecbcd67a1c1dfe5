// Spec Kit layout rules DevGodzilla relies on when it onboards a repository and names features:
// create-new-feature.sh's numbering and short names, the escape-proof feature-name validator, and
// the constitution parser on DevGodzilla's default (real-world constitutions: tests/corpus).
import { describe, expect, it } from "vitest";
import { InputError } from "../../f/devgodzilla/lib/errors.ts";
import { DEFAULT_ARTICLES, parseConstitution, renderDefaultConstitution, romanToInt } from "../../f/devgodzilla/lib/speckit/constitution.ts";
import {
  featurePaths,
  fitFeatureName,
  highestFeatureNumber,
  nextFeatureName,
  resolveInside,
  shortNameFromDescription,
  slugify,
  validateFeatureName,
} from "../../f/devgodzilla/lib/speckit/paths.ts";
import { CONSTITUTION_TEMPLATE, SPECKIT_TEMPLATE_FILES } from "../../f/devgodzilla/lib/speckit/templates.ts";

describe("feature numbering and short names (create-new-feature.sh)", () => {
  it("numbers after the highest NNN- directory, ignoring timestamp directories", () => {
    expect(highestFeatureNumber(["001-a", "007-b", "20260101-120000-c", "notes", "12-x"])).toBe(7);
    expect(nextFeatureName(["001-a", "007-b"], { shortName: "User Auth" })).toEqual({ feature: "008-user-auth", featureNum: "008", bumped: false });
    expect(nextFeatureName([], { description: "Add user authentication" }).feature).toBe("001-user-authentication");
    expect(nextFeatureName(["999-x"], { shortName: "next" }).feature).toBe("1000-next");
  });

  it("bumps an explicit number that collides, and uses a timestamp prefix when asked", () => {
    expect(nextFeatureName(["001-a", "002-b"], { shortName: "c", number: 2 })).toEqual({ feature: "003-c", featureNum: "003", bumped: true });
    expect(nextFeatureName(["001-a"], { shortName: "c", number: 5 }).feature).toBe("005-c");
    const ts = nextFeatureName([], { shortName: "c", timestamp: new Date(2026, 0, 2, 3, 4, 5) });
    expect(ts.feature).toBe("20260102-030405-c");
  });

  it("drops stop words and short words, keeps acronyms, takes 3 words (4 when exactly 4)", () => {
    expect(shortNameFromDescription("I want to add user authentication to the app")).toBe("user-authentication-app");
    expect(shortNameFromDescription("Implement OAuth2 integration for the API")).toBe("implement-oauth2-integration-api"); // exactly 4 meaningful words: all kept
    expect(shortNameFromDescription("Build UI for payments history export")).toBe("build-ui-payments"); // 5 words: the first 3
    expect(shortNameFromDescription("ユーザー認証を追加")).toBe("feature");
    expect(slugify("  Hello, World!! ")).toBe("hello-world");
  });

  it("fits names into 244 bytes", () => {
    const long = fitFeatureName("001", "a".repeat(300));
    expect(long.length).toBe(244);
    expect(long.startsWith("001-")).toBe(true);
  });

  it("rejects feature names that escape specs/ or are not NNN-name, naming the field", () => {
    for (const bad of ["../etc", "001-x/../../y", "/abs/001-x", "C:\\x", "001-a/b", "user-auth", "", "001-"]) {
      expect(() => validateFeatureName(bad, "feature")).toThrow(InputError);
    }
    try {
      validateFeatureName("../003-x");
    } catch (e) {
      expect((e as InputError).field).toBe("feature");
      expect((e as Error).message).toMatch(/would escape specs\//);
    }
    expect(validateFeatureName("003-user-auth")).toBe("003-user-auth");
    expect(featurePaths("003-user-auth")).toMatchObject({
      spec: "specs/003-user-auth/spec.md",
      tasks: "specs/003-user-auth/tasks.md",
      requirementsChecklist: "specs/003-user-auth/checklists/requirements.md",
    });
    expect(() => resolveInside("/repo", "../x")).toThrow(/outside the repository/);
  });
});

describe("constitution", () => {
  it("the default has articles I–IX, each with a machine-readable severity and gate, and a version line", () => {
    const md = renderDefaultConstitution({ projectName: "Acme", date: "2026-02-03" });
    expect(md).toMatch(/\*\*Version\*\*: 1\.0\.0 \| \*\*Ratified\*\*: 2026-02-03 \| \*\*Last Amended\*\*: 2026-02-03\n$/);
    const c = parseConstitution(md);
    expect(c.title).toBe("Acme Constitution");
    expect(c.syncImpactReport).toMatch(/Version change: \(none\) -> 1\.0\.0/);
    expect(c.articles.map((a) => `${a.number}. ${a.title}:${a.severity}`)).toEqual([
      "I. Library-First:warning",
      "II. Interface Contracts:warning",
      "III. Test-First:blocking",
      "IV. Security:blocking",
      "V. Observability:warning",
      "VI. Versioning & Breaking Changes:warning",
      "VII. Simplicity:warning",
      "VIII. Anti-Abstraction:warning",
      "IX. Integration Testing:blocking",
    ]);
    expect(c.articles.every((a) => a.severitySource === "explicit" && a.gate?.endsWith("?"))).toBe(true);
    expect(c.articles.find((a) => a.number === "IV")!.rules.join(" ")).toMatch(/Secrets MUST NOT appear/);
    expect(c.sections.map((s) => s.heading)).toEqual(["Quality Gates", "Governance"]);
    expect(DEFAULT_ARTICLES.map((a) => romanToInt(a.number))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("treats Spec Kit's unfilled template as having no articles and no version", () => {
    const c = parseConstitution(CONSTITUTION_TEMPLATE);
    expect(c.version).toBeNull();
    expect(c.articles.map((a) => a.title)).toEqual([
      "[PRINCIPLE_1_NAME]",
      "[PRINCIPLE_2_NAME]",
      "[PRINCIPLE_3_NAME]",
      "[PRINCIPLE_4_NAME]",
      "[PRINCIPLE_5_NAME]",
    ]);
    expect(Object.keys(SPECKIT_TEMPLATE_FILES)).toEqual([
      "spec-template.md",
      "plan-template.md",
      "tasks-template.md",
      "checklist-template.md",
      "constitution-template.md",
    ]);
  });
});
