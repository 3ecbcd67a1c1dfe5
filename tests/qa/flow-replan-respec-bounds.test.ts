import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execa } from "execa";
import { runPath, resumeRun } from "../../scripts/runner/index.ts";
import { harness, GOOD, BAD, type Harness } from "./flow-helpers.ts";

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(async () => h?.close());

type Final = {
  status: string;
  reason: string;
  decisions: { decision: string; reason: string; commit: string | null; answer?: string }[];
  verdict: { status: string } | null;
};

describe("task_with_qa on the local runner: re-plan, re-specify, bounds", () => {
  it("re-plan: tasks.md is regenerated and the task re-runs from the new commit", async () => {
    const state = await h.scenario([{ agent_message: "BLOCKED(re-plan): src/cart.js needs the price helpers, which do not exist yet" }, GOOD]);
    const out = await runPath("f/devgodzilla/task_with_qa", { root: h.root, stateDir: h.stateDir, store: h.store, args: h.args(state) });
    expect(out.status, JSON.stringify(out.error)).toBe("success");
    const r = out.result as Final;
    expect(r.decisions.map((d) => d.decision)).toEqual(["re-plan", "done"]);
    const calls = await h.calls(state);
    expect(calls[0].commit).toBe(h.base);
    expect(calls[1].commit).not.toBe(h.base);
    // The second attempt started from the commit that holds the regenerated tasks.md.
    const tasks = (await execa("git", ["-C", h.remote, "show", `${calls[1].commit}:specs/${h.feature}/tasks.md`])).stdout;
    expect(tasks).toMatch(/- \[ \] T00\d .*src\/prices\.js/);
    expect(r.status).toBe("passed");
  });

  it("re-specify: suspends for a person to update the spec, resumes from the commit they give", async () => {
    const state = await h.scenario([{ agent_message: "The requirements FR-001 and SC-001 contradict each other." }, GOOD]);
    const first = await runPath("f/devgodzilla/task_with_qa", { root: h.root, stateDir: h.stateDir, store: h.store, args: h.args(state) });
    expect(first.status).toBe("suspended");
    expect(first.pending?.step_id).toBe("ask_spec");
    expect((first.pending?.step_result as { description: { markdown: string } }).description.markdown).toMatch(/specification needs an update/);
    // A person fixes the spec on the run branch.
    await h.repo.git("checkout", "-q", "-B", "respec", h.base);
    const fixed = await h.repo.commit("spec: totals are exact sums", {
      [`specs/${h.feature}/spec.md`]: "# Feature Specification: Cart total\n\n- **FR-001**: System MUST compute the exact sum.\n",
    });
    await h.repo.git("push", "-q", "-f", h.remote, `HEAD:refs/heads/${h.runBranch}`);
    const done = await resumeRun(
      first.runId,
      { commit: fixed, note: "FR-001 and SC-001 now agree: exact sums" },
      { root: h.root, stateDir: h.stateDir, store: h.store },
    );
    expect(done.status, JSON.stringify(done.error)).toBe("success");
    const r = done.result as Final;
    expect(r.decisions.map((d) => d.decision)).toEqual(["re-specify", "done"]);
    expect(r.decisions[0].answer).toMatch(new RegExp(`spec updated at ${fixed}`));
    const calls = await h.calls(state);
    expect(calls[1].commit).toBe(fixed);
    expect(calls[1].note).toContain("exact sums");
  });

  it("bounds: a model that keeps failing is stopped at max_retries and the flow result says why", async () => {
    const state = await h.scenario([BAD]);
    const out = await runPath("f/devgodzilla/task_with_qa", {
      root: h.root,
      stateDir: h.stateDir,
      store: h.store,
      args: h.args(state, { limits: { backoff_seconds: 0, max_retries: 2, max_iterations: 6 } }),
    });
    expect(out.status, JSON.stringify(out.error)).toBe("success");
    const r = out.result as Final;
    expect(r.status).toBe("failed");
    expect(r.decisions.map((d) => d.decision)).toEqual(["retry", "retry", "fail"]);
    expect(r.reason).toMatch(/max_retries \(2\) reached/);
    expect(await h.calls(state)).toHaveLength(3);
    expect(r.verdict?.status).toBe("failed");
  }, 180_000); // three full attempts, each with an agent run and a QA pass

  it("bounds: an agent that keeps asking is stopped at max_clarifications", async () => {
    const state = await h.scenario([{ agent_message: "BLOCKED(clarify): Which currency should totals use, EUR or USD?" }]);
    const out = await runPath("f/devgodzilla/task_with_qa", {
      root: h.root,
      stateDir: h.stateDir,
      store: h.store,
      args: h.args(state),
      answers: { ask: [{ answer: "EUR" }, { answer: "EUR!" }] },
    });
    expect(out.status, JSON.stringify(out.error)).toBe("success");
    const r = out.result as Final;
    expect(r.decisions.map((d) => d.decision)).toEqual(["clarify", "fail"]);
    expect(r.reason).toMatch(/max_clarifications \(1\) reached/);
  });

  it("bad loop input fails at once, before the agent runs or any branch is pushed; the failure module says where", async () => {
    const state = await h.scenario([GOOD]);
    const before = await execa("git", ["-C", h.remote, "for-each-ref", "--format=%(refname)"]);
    const out = await runPath("f/devgodzilla/task_with_qa", {
      root: h.root,
      stateDir: h.stateDir,
      store: h.store,
      args: h.args(state, { limits: { max_retries: -1 } }),
    });
    expect(out.status).toBe("failure");
    const r = out.result as { status: string; reason: string; decisions: unknown[] };
    expect(r).toMatchObject({ status: "error", decisions: [] });
    expect(r.reason).toMatch(/step check: .*limits: max_retries/);
    expect(await h.calls(state)).toEqual([]);
    expect((await execa("git", ["-C", h.remote, "for-each-ref", "--format=%(refname)"])).stdout).toBe(before.stdout);
  });
});
