// spec_to_tasks on the local runner with bad input that only a retried step can meet: a plan the
// project's constitution rejects. Windmill retries a failed step whatever its error, so the plan
// step hands the violation on and the step after it, without retries, fails the run: the model is
// asked for the plan once, nothing is pushed, and the failure module says what to do.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { promptText, type LlmServer } from "../../scripts/fakes/llm-server.ts";
import { runPath, RunStore } from "../../scripts/runner/index.ts";
import type { FixtureRemote } from "../helpers/git-fixtures.ts";
import { llmLocalStore, planDraft, specModel, startSpecRun, type SpecRun } from "./spec-llm-fixture.ts";

const KEY = "sk-test-spec-bad-input-0123456789";
const CONSTITUTION =
  "# Demo Constitution\n\n## Core Principles\n\n### I. Library-First\n\nEvery feature is a library.\n\n### II. Simplicity\n\nNo speculative abstractions.\n";
let run: SpecRun;
let remote: FixtureRemote;
let server: LlmServer;

beforeAll(async () => {
  run = await startSpecRun("dg-spec-bad-input-", specModel({ plan: () => ({ text: JSON.stringify(planDraft({ violation: "unjustified" })) }) }), {
    ".specify/memory/constitution.md": CONSTITUTION,
  });
  ({ remote, server } = run);
});

afterAll(() => run?.close());

describe("spec_to_tasks with a plan the constitution rejects", () => {
  it("asks for the plan once, fails the run at the step after it with the violation, and pushes no plan", async () => {
    const stateDir = join(run.root, "state");
    const out = await runPath("f/devgodzilla/spec_to_tasks", {
      args: {
        repo: remote.remote,
        base_branch: "main",
        feature_description: "Albums that break the constitution",
        short_name: "albums-unjustified",
        llm: "$res:f/devgodzilla/llm_local",
        max_followup_questions: 0,
      },
      store: llmLocalStore(server, KEY),
      stateDir,
      ask: async (pending) => (pending.step_result as { default_args: Record<string, string> }).default_args,
    });

    expect(out.status).toBe("failure");
    const planAsked = server.requests.filter((ex) => /Task: write the implementation plan/.test(promptText(ex)));
    expect(planAsked).toHaveLength(1);

    const steps = new RunStore(stateDir).journal(out.runId) as { type: string; step_id?: string; success?: boolean; attempts?: number }[];
    const plan = steps.find((e) => e.type === "step" && e.step_id === "plan");
    expect(plan).toMatchObject({ success: true, attempts: 1 });
    expect(steps.some((e) => e.type === "step" && e.step_id === "tasks")).toBe(false);

    const report = out.result as { markdown: string; failed_step: string; error: { name: string; message: string } };
    expect(report.failed_step).toBe("plan_check");
    expect(report.error.name).toBe("ConstitutionViolationError");
    expect(report.error.message).toMatch(/constitution check FAILED.*Simplicity/);
    expect(report.markdown).toMatch(/\*\*Next\*\*: Adjust the plan or amend the constitution/);
    expect(await remote.show("devgodzilla/003-albums-unjustified", "specs/003-albums-unjustified/plan.md").catch(() => null)).toBeNull();
  });
});
