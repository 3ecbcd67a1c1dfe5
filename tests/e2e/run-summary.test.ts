// spec_to_pr's closing summary (lib/run_summary.ts): what a person reads at the end of a run.
import { describe, expect, it } from "vitest";
import { summarizeRun } from "../../f/devgodzilla/lib/run_summary.ts";

const base = { feature: "001-x", branch: "devgodzilla/001-x", commit: "0123456789abcdef" };

describe("the run summary", () => {
  it("counts a task that succeeded before a resume as succeeded, and names it so", () => {
    const s = summarizeRun({
      ...base,
      execution: {
        status: "succeeded",
        tasks: [
          { id: "T001", status: "skipped_succeeded", agent: "llm", attempts: 1 },
          { id: "T002", status: "succeeded", agent: "codex", model: "gpt-5", attempts: 2 },
          { id: "T003", status: "succeeded", agent: "llm", attempts: 1 },
        ],
      },
      qa: { passed: true, verdict: { status: "passed", score: 1 } },
      pr: { url: "https://github.com/o/r/pull/7", number: 7, action: "created" },
    });
    expect(s).toMatchObject({ tasks_succeeded: 3, tasks_total: 3, failures: [] });
    const md = s.render_all[0].markdown;
    expect(md).toMatch(/^## 001-x: pull request created$/m);
    expect(md).toContain("- **Tasks**: 3/3 succeeded");
    expect(md).toContain("| T001 | ✅ succeeded (before the resume) | llm | 1 |");
    expect(md).toContain("| T002 | ✅ succeeded | codex (gpt-5) | 2 |");
  });

  it("a run whose QA failed and whose tasks failed says 'finished with failures' and lists them", () => {
    const s = summarizeRun({
      ...base,
      execution: {
        status: "failed",
        tasks: [
          { id: "T001", status: "succeeded", agent: "llm" },
          { id: "T002", status: "failed", agent: "llm", attempts: 3, error: "QA loop ended failed" },
          { id: "T003", status: "dependency_failed", blocked_by: "T002" },
        ],
      },
      qa: { passed: false, verdict: { status: "failed", score: 0.4 } },
      pr: null,
    });
    expect(s.failures).toEqual(["run QA failed (score 0.4)", "2 of 3 tasks did not succeed: T002 (failed), T003 (not run: T002 failed first)"]);
    const md = s.render_all[0].markdown;
    expect(md).toMatch(/^## 001-x: finished with failures — branch pushed$/m);
    expect(md).toContain("- **Tasks**: 1/3 succeeded (execution failed)");
    expect(md).toContain("| T003 | ❌ not run: T002 failed first |");
  });

  it("adds the spec steps' usage and the execution's (planning included) once, and names every model without a price", () => {
    const s = summarizeRun({
      ...base,
      spec_usage: { inputTokens: 1000, outputTokens: 200, costUsd: 0.01, unpricedModels: ["local-a"] },
      execution: {
        status: "succeeded",
        tasks: [{ id: "T001", status: "succeeded", usage: { tokens: 300, cost_usd: 0.002 } }],
        usage: { tokens: 800, costUsd: 0.005 },
        planning_usage: { unpriced_models: ["local-b", "local-a"] },
      },
    });
    expect(s.tokens).toBe(2000);
    expect(s.cost_usd).toBeCloseTo(0.015, 9);
    expect(s.render_all[0].markdown).toContain("- **LLM and agents**: 2000 tokens, $0.0150 estimated\n");
    expect(s.render_all[0].markdown).toContain("- ⚠️ **No price known** for local-a, local-b: counted as $0 in the cost above");
    expect(s.unpriced_models).toEqual(["local-a", "local-b"]);
  });

  it("adds the run QA judge's usage once to the total and lists it as its own part beside spec, planning and tasks", () => {
    const s = summarizeRun({
      ...base,
      spec_usage: { inputTokens: 1000, outputTokens: 200, costUsd: 0.01 },
      execution: {
        status: "succeeded",
        tasks: [{ id: "T001", status: "succeeded", usage: { tokens: 500, cost_usd: 0.004 } }],
        usage: { tokens: 800, costUsd: 0.005 },
        planning_usage: { usage: { tokens: 300, costUsd: 0.001 }, unpriced_models: [] },
        tasks_usage: { tokens: 500, costUsd: 0.004 },
      },
      qa: {
        passed: true,
        verdict: { status: "passed", score: 1 },
        usage: { inputTokens: 3000, outputTokens: 300, costUsd: 0.0017, unpricedModels: ["local-judge"] },
      },
    });
    expect(s.tokens).toBe(1200 + 800 + 3300);
    expect(s.cost_usd).toBeCloseTo(0.01 + 0.005 + 0.0017, 9);
    const md = s.render_all[0].markdown;
    expect(md).toContain("- **LLM and agents**: 5300 tokens, $0.0167 estimated\n");
    expect(md).toContain("- ⚠️ **No price known** for local-judge: counted as $0 in the cost above");
    expect(md).toContain("  - Spec (specify, clarify, plan, tasks, analyze): 1200 tokens, $0.0100");
    expect(md).toContain("  - Planning (task_dag): 300 tokens, $0.0010");
    expect(md).toContain("  - Tasks (agents, with each task's QA and feedback calls): 500 tokens, $0.0040");
    expect(md).toContain("  - QA (the run's QA judge, embeddings and reviewer): 3300 tokens, $0.0017");
    expect(md).not.toContain("Failed attempts of retried steps");
  });
});
