// spec_to_tasks on the local runner: a spec step that fails after its model calls and is retried
// (the remote refuses the plan's first pushes) — the flow's usage still counts the failed attempt's
// calls (kept in its job's error, read from the flow's failed_retries): every call the server answered.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { refuseFirstPushes, type FixtureRemote } from "../helpers/git-fixtures.ts";
import type { LlmServer } from "../../scripts/fakes/llm-server.ts";
import { runPath, RunStore, type LocalStore } from "../../scripts/runner/index.ts";
import { llmLocalStore, specModel, startSpecRun, type SpecRun } from "./spec-llm-fixture.ts";

const KEY = "sk-test-spec-retried-0123456789";
let run: SpecRun;
let root: string;
let remote: FixtureRemote;
let server: LlmServer;
let store: LocalStore;

beforeAll(async () => {
  run = await startSpecRun("dg-spec-retried-", specModel());
  ({ root, remote, server } = run);
  store = llmLocalStore(server, KEY);
});

afterAll(() => run?.close());

describe("spec_to_tasks' usage with a retried step", () => {
  it("counts the failed plan attempt's model call beside the retry's: the flow's usage is every call the server answered", async () => {
    // The remote refuses the plan's first two pushes (the push and its forced retry): the plan step fails after its model call.
    await refuseFirstPushes(remote.remote, "plan:");
    const from = server.requests.length;
    const stateDir = join(root, "state");
    const out = await runPath("f/devgodzilla/spec_to_tasks", {
      args: {
        repo: remote.remote,
        base_branch: "main",
        feature_description: "Albums with a retried plan",
        short_name: "albums-retried",
        llm: "$res:f/devgodzilla/llm_local",
        max_followup_questions: 0,
      },
      store,
      stateDir,
      // The clarification form as the person leaves it: the recommended answers.
      ask: async (pending) => (pending.step_result as { default_args: Record<string, string> }).default_args,
    });
    expect(out.error).toBeUndefined();
    expect(out.status).toBe("success");
    const journal = new RunStore(stateDir).journal(out.runId) as { type: string; step_id?: string; failed_attempts?: string[] }[];
    expect(journal.find((e) => e.type === "step" && e.step_id === "plan")?.failed_attempts).toHaveLength(1);
    const usage = (out.result as { usage: { calls: number } }).usage;
    expect(usage.calls).toBe(server.requests.length - from);
  });
});
