// task_with_qa with the REAL execute_task driving a fake agent CLI in the bwrap sandbox,
// the real qa step and the real feedback step, on the local runner.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPath } from "../../scripts/runner/index.ts";
import { harness, type Harness } from "./flow-helpers.ts";
import { FAKE_BIN } from "../agents/helpers.ts";

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(async () => h?.close());

type Final = {
  status: string;
  reason: string;
  decisions: { decision: string; question?: string; answer?: string }[];
  verdict: { status: string; score: number } | null;
  commit: string;
  branch: string;
};

function args(description: string, extra: Record<string, unknown> = {}) {
  const a = h.args("unused") as Record<string, unknown>;
  return { ...a, task: { id: "T003", description, story: "" }, agents: { default_agent: "qwen", enabled: ["qwen"], bin_dir: FAKE_BIN }, ...extra };
}

describe("task_with_qa with the real execute_task and a fake agent CLI", () => {
  it("an agent that writes the code and its test passes QA in one iteration", async () => {
    const desc =
      "Implement cartTotal [[fake:write src/cart.js=export const cartTotal = (prices) => prices.reduce((a, b) => a + b, 0);\\n]] [[fake:write test/cart.test.js=import { test } from 'node:test';\\nimport assert from 'node:assert/strict';\\nimport { cartTotal } from '../src/cart.js';\\ntest('sums', () => assert.equal(cartTotal(Array.of(1, 2)), 3));\\n]]";
    const out = await runPath("f/devgodzilla/task_with_qa", { stateDir: h.stateDir, store: h.store, args: args(desc) });
    expect(out.status, JSON.stringify(out.error)).toBe("success");
    const r = out.result as Final;
    expect(r.decisions.map((d) => d.decision)).toEqual(["done"]);
    expect(r.verdict?.status).toBe("passed");
    expect(r.branch).toBe(`devgodzilla/${h.feature}-tasks/T003`);
    // What execute_dag reads from a task job, as from execute_task.
    const x = out.result as { changed: boolean; summary: string; artifacts: { files: { path: string }[] }; blocked: boolean; report_path: string };
    expect(x.changed).toBe(true);
    expect(x.blocked).toBe(false);
    expect(x.artifacts.files.map((f) => f.path).sort()).toEqual(["src/cart.js", "test/cart.test.js"]);
    expect(x.report_path).toBe(`specs/${h.feature}/_runtime/T003/qa-report.md`);
  });

  it("an agent that keeps asking is routed to clarify, gets the answer, and is stopped by max_clarifications", async () => {
    const out = await runPath("f/devgodzilla/task_with_qa", {
      stateDir: h.stateDir,
      store: h.store,
      args: args("Export the data [[fake:clarify]]"),
      answers: { ask: [{ answer: "CSV" }] },
    });
    expect(out.status, JSON.stringify(out.error)).toBe("success");
    const r = out.result as Final;
    expect(r.decisions.map((d) => d.decision)).toEqual(["clarify", "fail"]);
    expect(r.decisions[0].question).toMatch(/CSV or JSON/);
    expect(r.decisions[0].answer).toBe("CSV");
    expect(r.reason).toMatch(/max_clarifications/);
  });
});
