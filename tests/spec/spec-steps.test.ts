// specify → clarify → plan → tasks → checklist → analyze against a real bare git remote and the
// loopback model server (OpenAI protocol for some steps, Anthropic for others). Produced files are
// checked by PARSING them in Spec Kit's formats; bad input must leave no commit and no file.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readdir } from "node:fs/promises";
import type { FixtureRemote } from "../helpers/git-fixtures.ts";
import { scripted, startLlmServer, type LlmServer } from "../../scripts/fakes/llm-server.ts";
import { runSpecify } from "../../f/devgodzilla/lib/llm/steps/specify.ts";
import { runClarify } from "../../f/devgodzilla/lib/llm/steps/clarify.ts";
import { runPlan } from "../../f/devgodzilla/lib/llm/steps/plan.ts";
import { runTasks } from "../../f/devgodzilla/lib/llm/steps/tasks.ts";
import { runChecklist } from "../../f/devgodzilla/lib/llm/steps/checklist.ts";
import { runAnalyze } from "../../f/devgodzilla/lib/llm/steps/analyze.ts";
import { parseChecklist, parsePlan, parseSpec } from "../../f/devgodzilla/lib/llm/artifacts/parse.ts";
import { parseTasksMd } from "../../f/devgodzilla/lib/speckit/tasks.ts";
import { InputError } from "../../f/devgodzilla/lib/errors.ts";
import { ConstitutionViolationError, ContextOverflowError, StructuredOutputError } from "../../f/devgodzilla/lib/llm/errors.ts";
import { AUTH_MARKER, RETENTION_MARKER, analysisDraft, planDraft, specDraft, specModel, tasksDraft, startSpecRun, type SpecRun } from "./spec-llm-fixture.ts";

const KEY = "sk-test-spec-steps-0123456789";
let run: SpecRun;
let root: string;
let remote: FixtureRemote;
let server: LlmServer;
let current = specModel();
const fast = { baseDelayMs: 1, maxDelayMs: 5, timeoutMs: 10_000 };
let openai: () => { openai: unknown };
let anthropic: () => { anthropic: unknown };

beforeAll(async () => {
  // Working copies go under TMPDIR (under root): the tests see what a step leaves behind.
  run = await startSpecRun("a1-spec-", (ex) => current(ex), {
    "specs/001-existing-thing/spec.md": "# Feature Specification: Existing\n",
    "specs/002-other/spec.md": "# x\n",
    ".specify/memory/constitution.md":
      "# Demo Constitution\n\n## Core Principles\n\n### I. Library-First\n\nEvery feature is a library.\n\n### II. Simplicity\n\nNo speculative abstractions.\n",
  });
  ({ root, remote, server } = run);
  openai = () => ({ openai: { api_key: KEY, base_url: server.openaiBaseUrl }, model: "gpt-4.1-mini", llm_options: fast });
  anthropic = () => ({ anthropic: { apiKey: KEY, base_url: server.url }, model: "claude-sonnet-4-6", llm_options: fast });
});

afterAll(() => run?.close());

const setModel = (m: ReturnType<typeof specModel>) => (current = m);
const leftovers = async () => (await readdir(process.env.TMPDIR!)).filter((n) => n.startsWith("devgodzilla-wc-"));

let specified: Awaited<ReturnType<typeof runSpecify>>;

describe("specify", () => {
  it("writes spec.md and checklists/requirements.md in Spec Kit format on a new run branch", async () => {
    setModel(specModel());
    specified = await runSpecify({
      repo: remote.remote,
      branch: "main",
      commit: remote.seed,
      feature_description: "Let users group photos into albums and share them",
      ...openai(),
    });
    // Spec Kit numbering: highest existing 002 → 003; short name from the model.
    expect(specified.feature).toBe("003-photo-album-sharing");
    expect(specified.branch).toBe("devgodzilla/003-photo-album-sharing");
    expect(await remote.head(specified.branch)).toBe(specified.commit);
    expect(specified.base_commit).toBe(remote.seed);
    const spec = parseSpec((await remote.show(specified.commit, "specs/003-photo-album-sharing/spec.md"))!);
    expect(spec.title).toBe("Photo Album Sharing");
    expect(spec.featureBranch).toBe("003-photo-album-sharing");
    expect(spec.stories.map((s) => [s.number, s.priority])).toEqual([
      [1, "P1"],
      [2, "P2"],
    ]);
    expect(spec.stories.every((s) => s.scenarios > 0)).toBe(true);
    expect(spec.requirements.map((r) => r.id)).toEqual(["FR-001", "FR-002", "FR-003", "FR-004"]);
    expect(spec.successCriteria.map((r) => r.id)).toEqual(["SC-001", "SC-002"]);
    expect(spec.markers).toEqual([AUTH_MARKER, RETENTION_MARKER]);
    // Questions match markers in order, structured for the approval form.
    expect(specified.questions.map((q) => [q.id, q.marker])).toEqual([
      ["Q1", AUTH_MARKER],
      ["Q2", RETENTION_MARKER],
    ]);
    expect(specified.questions[0]).toMatchObject({ recommended: "Email and password", why: expect.any(String), options: [{ key: "A" }, { key: "B" }] });
    const req = parseChecklist((await remote.show(specified.commit, "specs/003-photo-album-sharing/checklists/requirements.md"))!);
    expect(new Set(req.items.map((i) => i.category))).toEqual(new Set(["Content Quality", "Requirement Completeness", "Feature Readiness"]));
    expect(req.items.find((i) => /No \[NEEDS CLARIFICATION\] markers remain/.test(i.text))!.checked).toBe(false);
    expect(specified.usage).toMatchObject({ calls: 1, unpricedModels: [] });
    expect(specified.usage.costUsd).toBeGreaterThan(0);
    expect(JSON.stringify(specified)).not.toContain(KEY);
    expect(await leftovers()).toEqual([]);
  });

  it("uses timestamp numbering when .specify/init-options.json asks for it", async () => {
    const sha = await remote.commit(
      { ".specify/init-options.json": JSON.stringify({ ai: "claude", feature_numbering: "timestamp" }) },
      "timestamp numbering",
      "ts-numbering",
    );
    setModel(specModel({ specify: () => ({ text: JSON.stringify(specDraft({ markers: 0 })) }) }));
    const r = await runSpecify({ repo: remote.remote, branch: "ts-numbering", commit: sha, feature_description: "Albums with timestamps", ...openai() });
    setModel(specModel());
    expect(r.feature).toMatch(/^\d{8}-\d{6}-photo-album-sharing$/);
    expect(parseSpec((await remote.show(r.commit, `specs/${r.feature}/spec.md`))!).featureBranch).toBe(r.feature);
  });

  it("rejects an empty description with one InputError and leaves nothing", async () => {
    const before = await remote.branches();
    const n = server.requests.length;
    const err = await runSpecify({ repo: remote.remote, branch: "main", commit: remote.seed, feature_description: "   ", ...openai() }).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err.field).toBe("feature_description");
    expect(await remote.branches()).toEqual(before);
    expect(server.requests.length).toBe(n);
    expect(await leftovers()).toEqual([]);
  });

  it("rejects a short name that escapes specs/", async () => {
    const before = await remote.branches();
    const err = await runSpecify({
      repo: remote.remote,
      branch: "main",
      commit: remote.seed,
      feature_description: "x feature",
      short_name: "../x",
      ...openai(),
    }).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err.field).toBe("short_name");
    expect(await remote.branches()).toEqual(before);
  });

  it("fails on malformed model output after bounded re-asks, leaving no commit or file", async () => {
    const before = await remote.branches();
    setModel(specModel({ specify: () => ({ text: "Sorry, here is a poem instead of JSON." }) }));
    const n = server.requests.length;
    const err = await runSpecify({ repo: remote.remote, branch: "main", commit: remote.seed, feature_description: "Another feature", ...anthropic() }).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(StructuredOutputError);
    expect(err.raw).toContain("poem");
    expect(server.requests.length - n).toBe(3);
    expect(await remote.branches()).toEqual(before);
    expect(await leftovers()).toEqual([]);
  });

  it("re-asks when the model writes more than 3 markers, and succeeds when it corrects itself", async () => {
    let calls = 0;
    setModel(specModel({ specify: () => ({ text: JSON.stringify(specDraft({ markers: ++calls === 1 ? 4 : 0 })) }) }));
    const n = server.requests.length;
    const r = await runSpecify({
      repo: remote.remote,
      branch: "main",
      commit: remote.seed,
      feature_description: "Share albums, take two",
      short_name: "Albums Two",
      ...anthropic(),
    });
    expect(server.requests.length - n).toBe(2);
    expect(JSON.stringify(server.requests.at(-1)!.body.messages)).toMatch(/at most 3 are allowed/);
    // 003 is held by the first run's branch devgodzilla/003-photo-album-sharing: never reused.
    expect(r.feature).toBe("004-albums-two");
    expect(r.questions).toEqual([]);
    expect(r.usage.calls).toBe(2);
    setModel(specModel());
  });
});

let clarified: Awaited<ReturnType<typeof runClarify>>;

describe("clarify", () => {
  it("writes the session, edits the affected requirement, removes answered markers and proposes new questions", async () => {
    clarified = await runClarify({
      repo: remote.remote,
      branch: specified.branch,
      commit: specified.commit,
      questions: specified.questions,
      answers: { Q1: "B", Q2: "14 days" },
      max_new_questions: 2,
      ...anthropic(),
    });
    expect(clarified.branch).toBe(specified.branch);
    expect(await remote.head(clarified.branch)).toBe(clarified.commit);
    const md = (await remote.show(clarified.commit, "specs/003-photo-album-sharing/spec.md"))!;
    const spec = parseSpec(md);
    expect(spec.markers).toEqual([]);
    const today = new Date().toISOString().slice(0, 10);
    expect(spec.clarifications).toEqual([
      { session: today, question: "How should users sign in?", answer: "Single sign-on through the company identity provider" },
      { session: today, question: "How long do shared links stay valid?", answer: "14 days" },
    ]);
    // The model's edit rewrote FR-003; the unmatched edit was ignored; Q2's marker fell back to the answer.
    expect(spec.requirements.find((r) => r.id === "FR-003")!.text).toBe(
      "System MUST authenticate users with single sign-on through the company identity provider",
    );
    expect(spec.requirements.find((r) => r.id === "FR-004")!.text).toBe("System MUST expire shared links after 14 days");
    // ## Clarifications sits before the first section, as /speckit.clarify places it.
    expect(md.indexOf("## Clarifications")).toBeLessThan(md.indexOf("## User Scenarios & Testing"));
    const req = parseChecklist((await remote.show(clarified.commit, "specs/003-photo-album-sharing/checklists/requirements.md"))!);
    expect(req.items.find((i) => /No \[NEEDS CLARIFICATION\] markers remain/.test(i.text))!.checked).toBe(true);
    expect(clarified.questions.map((q) => q.id)).toEqual(["Q3", "Q4"]);
    expect(clarified.questions[0]).toMatchObject({ category: "Constraints & Tradeoffs", recommended: "500" });
    expect(clarified.remaining_markers).toBe(0);
    expect(clarified.usage.calls).toBe(2);
  });

  it("a second session on the same day appends under the same heading", async () => {
    const again = await runClarify({
      repo: remote.remote,
      branch: clarified.branch,
      commit: clarified.commit,
      questions: clarified.questions,
      answers: { Q3: "recommended", Q4: "" },
      ...openai(),
    });
    const spec = parseSpec((await remote.show(again.commit, "specs/003-photo-album-sharing/spec.md"))!);
    expect(spec.clarifications.map((c) => c.answer)).toEqual(["Single sign-on through the company identity provider", "14 days", "500"]);
    expect(new Set(spec.clarifications.map((c) => c.session)).size).toBe(1);
    expect(again.questions.map((q) => q.id)).toEqual(["Q4"]);
  });

  it("rejects an answer to a question that is not open, without committing", async () => {
    const head = await remote.head(clarified.branch);
    const err = await runClarify({
      repo: remote.remote,
      branch: clarified.branch,
      commit: clarified.commit,
      questions: clarified.questions,
      answers: { Q9: "x" },
      ...openai(),
    }).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err.field).toBe("answers.Q9");
    expect(await remote.head(clarified.branch)).toBe(head);
  });

  it("refuses to answer a marker that is no longer in the spec (already answered)", async () => {
    const head = await remote.head(clarified.branch);
    const err = await runClarify({
      repo: remote.remote,
      branch: clarified.branch,
      commit: clarified.commit,
      questions: specified.questions,
      answers: { Q1: "A" },
      ...openai(),
    }).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toMatch(/answers\.Q1: the marker .* is not in specs\/003-photo-album-sharing\/spec\.md/);
    expect(await remote.head(clarified.branch)).toBe(head);
  });

  it("rejects a feature name that escapes specs/", async () => {
    const err = await runClarify({ repo: remote.remote, branch: "main", commit: remote.seed, feature: "../x", ...openai() }).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err.field).toBe("feature");
    expect(await leftovers()).toEqual([]);
  });
});

let planned: Awaited<ReturnType<typeof runPlan>>;

describe("plan", () => {
  it("refuses a spec with open markers", async () => {
    const err = await runPlan({ repo: remote.remote, branch: specified.branch, commit: specified.commit, ...openai() }).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toMatch(/NEEDS CLARIFICATION/);
  });

  it("writes plan.md, research.md, data-model.md, quickstart.md and contracts/", async () => {
    setModel(specModel({ plan: () => ({ text: JSON.stringify(planDraft({ violation: "justified" })) }) }));
    planned = await runPlan({ repo: remote.remote, branch: clarified.branch, commit: clarified.commit, ...openai() });
    const dir = "specs/003-photo-album-sharing";
    const plan = parsePlan((await remote.show(planned.commit, `${dir}/plan.md`))!);
    expect(plan.title).toBe("Photo Album Sharing");
    expect(Object.keys(plan.technicalContext)).toEqual([
      "Language/Version",
      "Primary Dependencies",
      "Storage",
      "Testing",
      "Target Platform",
      "Project Type",
      "Performance Goals",
      "Constraints",
      "Scale/Scope",
    ]);
    expect(plan.gates).toEqual([
      { principle: "Library-First", status: "PASS" },
      { principle: "Simplicity", status: "VIOLATION" },
    ]);
    expect(plan.hasComplexityTracking).toBe(true);
    expect(planned.constitution_check.every((g) => g.justified)).toBe(true);
    for (const f of ["research.md", "data-model.md", "quickstart.md", "contracts/albums-api.yaml"])
      expect(await remote.show(planned.commit, `${dir}/${f}`)).toBeTruthy();
    expect(await remote.show(planned.commit, `${dir}/research.md`)).toMatch(
      /- \*\*Decision\*\*: .+\n- \*\*Rationale\*\*: .+\n- \*\*Alternatives considered\*\*: /,
    );
  });

  it("re-running a step from the same input commit (restart from step) replaces what the run branch held", async () => {
    setModel(specModel()); // a different plan this time (no violation), so the commit surely differs
    const again = await runPlan({ repo: remote.remote, branch: clarified.branch, commit: clarified.commit, ...openai() });
    expect(again.push).toBe("replaced");
    expect(again.commit).not.toBe(planned.commit);
    expect(await remote.head(again.branch)).toBe(again.commit);
    planned = again;
  });

  it("fails loudly on an unjustified constitution violation and commits nothing", async () => {
    setModel(specModel({ plan: () => ({ text: JSON.stringify(planDraft({ violation: "unjustified" })) }) }));
    const head = await remote.head(planned.branch);
    const err = await runPlan({ repo: remote.remote, branch: planned.branch, commit: planned.commit, ...anthropic() }).catch((e) => e);
    expect(err).toBeInstanceOf(ConstitutionViolationError);
    expect(err.message).toMatch(/constitution check FAILED.*Simplicity/);
    expect(await remote.head(planned.branch)).toBe(head);
    expect(await leftovers()).toEqual([]);
    setModel(specModel());
  });
});

let tasked: Awaited<ReturnType<typeof runTasks>>;

describe("tasks", () => {
  it("writes tasks.md that Spec Kit's task parser reads: phases, story labels, explicit dependencies", async () => {
    let calls = 0;
    // First answer has a dependency cycle: it is rejected and re-asked before anything is written.
    setModel(specModel({ tasks: () => ({ text: JSON.stringify(tasksDraft({ cycle: ++calls === 1 })) }) }));
    tasked = await runTasks({ repo: remote.remote, branch: planned.branch, commit: planned.commit, ...anthropic() });
    expect(calls).toBe(2);
    const md = (await remote.show(tasked.commit, "specs/003-photo-album-sharing/tasks.md"))!;
    const dag = parseTasksMd(md);
    expect(dag.tasks.map((t) => t.id)).toEqual(["T001", "T002", "T003", "T004", "T005", "T006", "T007"]);
    expect(tasked.phases).toEqual([
      "Phase 1: Setup (Shared Infrastructure)",
      "Phase 2: Foundational (Blocking Prerequisites)",
      "Phase 3: User Story 1 - Create an album (Priority: P1) 🎯 MVP",
      "Phase 4: User Story 2 - Share an album (Priority: P2)",
      "Phase 5: Polish & Cross-Cutting Concerns",
    ]);
    const byId = Object.fromEntries(dag.tasks.map((t) => [t.id, t]));
    expect(byId.T001!.story).toBeNull();
    expect(byId.T003).toMatchObject({ story: "US1", parallel: true }); // the test task, first in its story
    expect(byId.T006!.story).toBe("US2");
    expect(byId.T007!.story).toBeNull();
    // explicit (depends on …) survives the round trip
    expect(md).toMatch(/^- \[ \] T005 \[US1\] Create album service in src\/albums\/service\.ts \(depends on T004, T003\)$/m);
    expect(byId.T006!.dependsOn).toContain("T004");
    for (const line of md.split("\n").filter((l) => /^- \[/.test(l))) expect(line).toMatch(/^- \[ \] T\d{3}(?: \[P\])?(?: \[US\d+\])? \S.*$/);
    expect(tasked.task_count).toBe(7);
  });

  it("refuses to run without plan.md", async () => {
    const err = await runTasks({ repo: remote.remote, branch: specified.branch, commit: specified.commit, ...openai() }).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toMatch(/plan\.md does not exist/);
  });
});

describe("checklist", () => {
  it("writes CHK items and continues the numbering on a second run", async () => {
    const first = await runChecklist({ repo: remote.remote, branch: tasked.branch, commit: tasked.commit, domain: "security", ...openai() });
    expect([first.first_id, first.last_id]).toEqual(["CHK001", "CHK003"]);
    const second = await runChecklist({ repo: remote.remote, branch: first.branch, commit: first.commit, domain: "security", ...anthropic() });
    const parsed = parseChecklist((await remote.show(second.commit, "specs/003-photo-album-sharing/checklists/security.md"))!);
    expect(parsed.title).toBe("Security Checklist: Photo Album Sharing");
    expect(parsed.items.map((i) => i.id)).toEqual(["CHK001", "CHK002", "CHK003", "CHK004", "CHK005", "CHK006"]);
    expect(parsed.items.every((i) => !i.checked && /\[(Spec §|Gap|Ambiguity)/.test(i.text))).toBe(true);
  });

  it("rejects a domain that escapes checklists/", async () => {
    const err = await runChecklist({ repo: remote.remote, branch: tasked.branch, commit: tasked.commit, domain: "../../x", ...openai() }).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err.field).toBe("domain");
  });
});

describe("analyze", () => {
  it("reports findings and coverage without committing anything", async () => {
    const head = await remote.head(tasked.branch);
    const r = await runAnalyze({ repo: remote.remote, branch: tasked.branch, commit: tasked.commit, ...openai() });
    expect(await remote.head(tasked.branch)).toBe(head);
    expect(r.commit).toBe(tasked.commit);
    expect(r.files).toEqual([]);
    expect(r.report.coverage.map((c) => [c.requirement, c.hasTask])).toEqual([
      ["FR-001", true],
      ["FR-002", true],
      ["FR-003", false],
      ["FR-004", false],
      ["SC-001", false],
      ["SC-002", false],
    ]);
    expect(r.report.findings.some((f) => f.category === "Coverage Gap" && f.severity === "HIGH" && f.locations.includes("spec.md:FR-003"))).toBe(true);
    expect(r.report.findings.some((f) => f.category === "Inconsistency" && /gallery/.test(f.summary))).toBe(true);
    const sev = r.report.findings.map((f) => ["CRITICAL", "HIGH", "MEDIUM", "LOW"].indexOf(f.severity));
    expect(sev).toEqual([...sev].sort((a, b) => a - b));
    expect(r.markdown).toMatch(/^## Specification Analysis Report\n\n\| ID \| Category \| Severity \| Location\(s\) \| Summary \| Recommendation \|/);
    expect(r.report.metrics.coverage_pct).toBe(33);
  });

  it("caps the report at 50 findings", async () => {
    setModel(specModel({ analyze: () => ({ text: JSON.stringify(analysisDraft({ many: 80 })) }) }));
    const r = await runAnalyze({ repo: remote.remote, branch: tasked.branch, commit: tasked.commit, ...anthropic() });
    expect(r.report.findings).toHaveLength(50);
    expect(new Set(r.report.findings.map((f) => f.id)).size).toBe(50);
    setModel(specModel());
  });
});

describe("transient model failures inside a step", () => {
  it("retries a 429 and a 500 and still produces the spec", async () => {
    const replies = [
      { status: 429, error: "slow down", retryAfterSeconds: 0 },
      { status: 500, error: "oops" },
      { text: JSON.stringify(specDraft({ markers: 0 })) },
    ];
    const s2 = await startLlmServer(scripted(replies));
    try {
      const r = await runSpecify({
        repo: remote.remote,
        branch: "main",
        commit: remote.seed,
        feature_description: "Albums with retries",
        short_name: "retry-albums",
        openai: { api_key: KEY, base_url: s2.openaiBaseUrl },
        model: "gpt-4.1-mini",
        llm_options: fast,
      });
      expect(s2.requests).toHaveLength(3);
      expect(r.usage.calls).toBe(1);
      expect(parseSpec((await remote.show(r.commit, `specs/${r.feature}/spec.md`))!).requirements).toHaveLength(4);
    } finally {
      await s2.close();
    }
  });

  it("turns a context-window rejection into ContextOverflowError suggesting clarify, leaving nothing", async () => {
    const s3 = await startLlmServer(scripted([{ status: 400, error: "prompt is too long: 250000 tokens > 200000 maximum" }]));
    const before = await remote.branches();
    try {
      const err = await runSpecify({
        repo: remote.remote,
        branch: "main",
        commit: remote.seed,
        feature_description: "A huge feature",
        anthropic: { apiKey: KEY, base_url: s3.url },
        llm_options: fast,
      }).catch((e) => e);
      expect(err).toBeInstanceOf(ContextOverflowError);
      expect(err.suggestedAction).toBe("clarify");
      expect(s3.requests).toHaveLength(1);
      expect(await remote.branches()).toEqual(before);
      expect(await leftovers()).toEqual([]);
    } finally {
      await s3.close();
    }
  });
});
