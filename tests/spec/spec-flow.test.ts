// The spec scripts and the spec_to_tasks flow on the local runner (Windmill semantics): `$res:`
// credentials, the clarification approval (suspend → answers from a file → resumeRun), a second
// round of follow-up questions, the final result with the run's LLM usage, and the failure module.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { FixtureRemote } from "../helpers/git-fixtures.ts";
import type { LlmServer } from "../../scripts/fakes/llm-server.ts";
import { runPath, resumeRun, type LocalStore, type PendingApproval } from "../../scripts/runner/index.ts";
import { parseSpec, parseChecklist } from "../../f/devgodzilla/lib/llm/artifacts/parse.ts";
import { parseTasksMd } from "../../f/devgodzilla/lib/speckit/tasks.ts";
import { llmLocalStore, specModel, startSpecRun, type SpecRun } from "./spec-llm-fixture.ts";

const KEY = "sk-test-spec-flow-0123456789abc";
let run: SpecRun;
let root: string;
let stateDir: string;
let remote: FixtureRemote;
let server: LlmServer;
let store: LocalStore;

beforeAll(async () => {
  run = await startSpecRun("a1-flow-", specModel());
  ({ root, remote, server } = run);
  stateDir = join(root, "state");
  store = llmLocalStore(server, KEY, { "f/devgodzilla/anthropic": { resource_type: "anthropic", value: { apiKey: KEY, base_url: server.url } } });
});

afterAll(() => run?.close());

describe("spec scripts on the local runner", () => {
  it("runs specify by path with a $res: Anthropic resource", async () => {
    const out = await runPath("f/devgodzilla/specify", {
      args: { repo: remote.remote, branch: "main", commit: remote.seed, feature_description: "Photo albums with sharing", llm: "$res:f/devgodzilla/anthropic" },
      store,
      stateDir,
    });
    expect(out.status).toBe("success");
    const r = out.result as { branch: string; commit: string; feature: string; questions: unknown[]; usage: { calls: number } };
    expect(r.feature).toBe("001-photo-album-sharing");
    expect(await remote.head(r.branch)).toBe(r.commit);
    expect(parseSpec((await remote.show(r.commit, `specs/${r.feature}/spec.md`))!).markers).toHaveLength(2);
    expect(r.questions).toHaveLength(2);
    expect(JSON.stringify(out)).not.toContain(KEY);
  });

  it("reports bad input as a failed job with one InputError", async () => {
    const out = await runPath("f/devgodzilla/specify", {
      args: { repo: remote.remote, branch: "main", commit: remote.seed, feature_description: "", llm: "$res:f/devgodzilla/anthropic" },
      store,
      stateDir,
    });
    expect(out.status).toBe("failure");
    expect(out.error).toMatchObject({ name: "InputError", message: expect.stringMatching(/^feature_description: is empty/) });
  });
});

describe("spec_to_tasks flow", () => {
  it("suspends for clarification with recommended answers, resumes from a file, asks follow-ups, then plans, tasks and analyzes", async () => {
    const before = server.requests.length;
    const first = await runPath("f/devgodzilla/spec_to_tasks", {
      args: {
        repo: remote.remote,
        base_branch: "main",
        feature_description: "Let users group photos into albums and share them",
        llm: "$res:f/devgodzilla/llm_local",
        max_followup_questions: 2,
      },
      store,
      stateDir,
    });
    expect(first.error).toBeUndefined();
    expect(first.status).toBe("suspended");
    expect(first.pending!.step_id).toBe("ask1");
    expect(first.pending!.form!.required ?? []).toEqual([]);
    expect(Object.keys(first.pending!.form!.properties!)).toEqual(["Q1", "Q2", "Q3"]);
    const ask = first.pending!.step_result as { default_args: Record<string, string>; description: { markdown: string }; resume: string };
    expect(ask.default_args).toEqual({ Q1: "Email and password", Q2: "30 days" });
    expect(ask.description.markdown).toMatch(/## Q1: Authentication[\s\S]*\*\*Recommended:\*\* Email and password[\s\S]*\| A \| Email and password \|/);
    expect(ask.resume).toMatch(/^http/);
    expect(first.resumeCommand).toContain(first.runId);

    // The person edits the pre-filled answers and submits them from a file.
    const answersFile = join(root, "answers-1.json");
    await writeFile(answersFile, JSON.stringify({ ...ask.default_args, Q1: "B" }));
    const second = await resumeRun(first.runId, JSON.parse(await readFile(answersFile, "utf8")), { store, stateDir });
    expect(second.error).toBeUndefined();
    expect(second.status).toBe("suspended");
    expect(second.pending!.step_id).toBe("ask2");
    expect(Object.keys(second.pending!.form!.properties!)).toHaveLength(8);
    const ask2 = second.pending!.step_result as { default_args: Record<string, string> };
    expect(ask2.default_args).toEqual({ Q3: "500", Q4: "99.9%" });

    await writeFile(join(root, "answers-2.json"), JSON.stringify({ Q1: "", Q2: "", Q3: "A", Q4: "99.5%", Q5: "" }));
    const done = await resumeRun(first.runId, JSON.parse(await readFile(join(root, "answers-2.json"), "utf8")), { store, stateDir });
    expect(done.error).toBeUndefined();
    expect(done.status).toBe("success");
    const r = done.result as {
      branch: string;
      commit: string;
      feature: string;
      feature_dir: string;
      clarifications_answered: number;
      severity_counts: Record<string, number>;
      analysis_markdown: string;
      usage: { calls: number; costUsd: number };
    };
    expect(r.branch).toBe(`devgodzilla/${r.feature}`);
    expect(await remote.head(r.branch)).toBe(r.commit);
    expect(r.clarifications_answered).toBe(4);

    const spec = parseSpec((await remote.show(r.commit, `${r.feature_dir}/spec.md`))!);
    expect(spec.markers).toEqual([]);
    expect(spec.clarifications.map((c) => c.answer)).toEqual(["Single sign-on through the company identity provider", "30 days", "500", "99.5%"]);
    expect(parseChecklist((await remote.show(r.commit, `${r.feature_dir}/checklists/requirements.md`))!).items.length).toBeGreaterThan(10);
    expect(await remote.show(r.commit, `${r.feature_dir}/plan.md`)).toMatch(/^# Implementation Plan: Photo Album Sharing/);
    expect(parseTasksMd((await remote.show(r.commit, `${r.feature_dir}/tasks.md`))!).tasks.length).toBe(7);
    // The onboarding step created the constitution the later prompts carried.
    expect(await remote.show(r.commit, ".specify/memory/constitution.md")).toMatch(/Constitution/);
    const planPrompt = server.requests.find((x) => /Task: write the implementation plan/.test(JSON.stringify(x.body)))!;
    expect(JSON.stringify(planPrompt.body)).toMatch(/<constitution>\\n(?!\(this project has no constitution)/);
    expect(r.analysis_markdown).toMatch(/## Specification Analysis Report/);
    expect((done.result as { profile: { primaryLanguage: string } }).profile.primaryLanguage).toMatch(/typescript|javascript/);
    // specify 1 + clarify (edits + scan) 2 + clarify 1 + plan 1 + tasks 1 + analyze 1
    expect(r.usage.calls).toBe(7);
    expect(server.requests.length - before).toBe(7);
    expect(r.usage.costUsd).toBeGreaterThan(0);
    expect(JSON.stringify(done)).not.toContain(KEY);

    // checklist is not part of the flow; run it by path on the flow's final commit.
    const cl = await runPath("f/devgodzilla/checklist", {
      args: { repo: remote.remote, branch: r.branch, commit: r.commit, domain: "security", llm: "$res:f/devgodzilla/anthropic" },
      store,
      stateDir,
    });
    expect(cl.status).toBe("success");
    const clr = cl.result as { checklist_path: string; commit: string; first_id: string };
    expect(clr.first_id).toBe("CHK001");
    expect(parseChecklist((await remote.show(clr.commit, clr.checklist_path))!).items.map((i) => i.id)).toEqual(["CHK001", "CHK002", "CHK003"]);
  });

  it("asks at the terminal with the form's fields pre-filled, and runs one round when no follow-ups are asked", async () => {
    const asked: PendingApproval[] = [];
    const out = await runPath("f/devgodzilla/spec_to_tasks", {
      // This run speaks the Anthropic protocol end to end (the first one spoke OpenAI's).
      args: {
        repo: remote.remote,
        base_branch: "main",
        feature_description: "Albums again",
        short_name: "albums-again",
        llm: "$res:f/devgodzilla/anthropic",
        max_followup_questions: 0,
      },
      store,
      stateDir,
      // What the CLI's terminal prompt does: walk the form fields, Enter keeps the pre-filled default.
      ask: async (pending) => {
        asked.push(pending);
        const defaults = (pending.step_result as { default_args: Record<string, string> }).default_args;
        const typed: Record<string, string> = { Q2: "7 days" };
        return Object.fromEntries(Object.keys(pending.form!.properties!).map((k) => [k, typed[k] ?? defaults[k] ?? ""]));
      },
    });
    expect(out.error).toBeUndefined();
    expect(out.status).toBe("success");
    expect(asked.map((p) => p.step_id)).toEqual(["ask1"]);
    expect(Object.keys(asked[0]!.form!.properties!)).toEqual(["Q1", "Q2", "Q3"]);
    const r = out.result as { feature: string; commit: string; feature_dir: string; clarifications_answered: number };
    expect(r.feature).toMatch(/^\d{3}-albums-again$/);
    expect(r.clarifications_answered).toBe(2);
    const spec = parseSpec((await remote.show(r.commit, `${r.feature_dir}/spec.md`))!);
    expect(spec.clarifications.map((c) => c.answer)).toEqual(["Email and password", "7 days"]);
    expect(spec.requirements.find((x) => x.id === "FR-004")!.text).toMatch(/7 days$/);
    const mine = server.requests.slice(-5);
    expect(mine.map((x) => x.protocol)).toEqual(["anthropic", "anthropic", "anthropic", "anthropic", "anthropic"]);
    expect((out.result as { usage: { calls: number; unpricedModels: string[] } }).usage).toMatchObject({ calls: 5, unpricedModels: [] });
  });

  it("fails with the failure module's explanation on bad input", async () => {
    const out = await runPath("f/devgodzilla/spec_to_tasks", {
      args: { repo: remote.remote, base_branch: "main", feature_description: "  ", llm: "$res:f/devgodzilla/llm_local" },
      store,
      stateDir,
    });
    expect(out.status).toBe("failure");
    // Caught by preflight, before the clone: no later step (each has a retry on Windmill) sees it.
    expect(out.error).toMatchObject({ name: "InputError", step_id: "preflight" });
    expect((out.result as { markdown: string }).markdown).toMatch(
      /failed at `preflight`[\s\S]*\*\*InputError\*\*: feature_description: is empty[\s\S]*\*\*Next\*\*: Fix the named input/,
    );
  });
});
