import path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../scripts/runner/bundle.ts";
import { compareOutcomes } from "./compare.ts";
import { flowStepScripts, stepsOutcome } from "./steps.ts";

describe("test:windmill compares flow-only scripts inside their flow", () => {
  it("finds the scripts a flow runs as steps, inside loops and branches too", () => {
    const steps = flowStepScripts(path.join(REPO_ROOT, "f/devgodzilla/execute_tasks__flow"));
    for (const p of ["dag_plan", "dag_wait", "dag_start", "dag_merge", "dag_finish", "dag_watch", "dag_report", "execute_task", "explain_failure"])
      expect(steps).toContain(`f/devgodzilla/${p}`);
    expect(steps).not.toContain("f/devgodzilla/task_with_qa"); // a subflow, not a script step
  });

  it("step jobs of parallel iterations compare equal in any order, and a different result or a failure is a difference", () => {
    const t1 = { success: true, result: { task: "T001", ready: true, waiting_for: [] } };
    const t2 = { success: true, result: { task: "T002", ready: false, waiting_for: ["T001"] } };
    expect(compareOutcomes(stepsOutcome([t1, t2]), stepsOutcome([t2, t1])).verdict).toBe("same");
    expect(compareOutcomes(stepsOutcome([t1, t2]), stepsOutcome([t1, { ...t2, result: { ...t2.result, ready: true } }])).verdict).toBe("different");
    expect(compareOutcomes(stepsOutcome([t1, t2]), stepsOutcome([t1, { success: false, error: "InputError" }])).verdict).toBe("different");
    expect(compareOutcomes(stepsOutcome([t1, t2]), stepsOutcome([t1])).verdict).toBe("different");
  });
});
