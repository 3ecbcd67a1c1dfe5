// The progress lines a person reads at the terminal, from the engine's run and step events.
import { describe, expect, it } from "vitest";
import type { RunEvent } from "../../scripts/runner/events.ts";
import { ProgressPrinter } from "../../scripts/runner/progress.ts";
import type { RunRecord } from "../../scripts/runner/runs.ts";

const run = (fields: Partial<RunRecord> = {}): RunRecord => ({
  id: "r1",
  path: "f/devgodzilla/spec_to_pr",
  kind: "flow",
  args: {},
  status: "running",
  created_at: "",
  started_at: "",
  ...fields,
});
function printed(events: RunEvent[]): string[] {
  const lines: string[] = [];
  const p = new ProgressPrinter((l) => lines.push(l.replace(/^\[\d+:\d\d\] /, "")));
  for (const e of events) p.on(e);
  return lines;
}
const step = (r: RunRecord, key: string, args: Record<string, unknown> = {}, kind: "script" | "flow" = "script") => ({
  run: r,
  key,
  step_id: key
    .split("/")
    .at(-1)!
    .replace(/\[\d+\]$/, ""),
  args,
  kind,
});

describe("progress lines", () => {
  it("a task job: its start, the agent step with agent and attempt, the expected red step, its end", () => {
    const task = run({
      id: "c1",
      path: "f/devgodzilla/task_with_qa",
      parent_job: "j",
      root_job: "r1",
      args: { task: { id: "T001", description: "Write the tests" } },
    });
    const lines = printed([
      { type: "run-start", run: task, resumed: false },
      { type: "step-start", ...step(task, "execute", { agent: "" }), attempt: 1 },
      { type: "step-end", ...step(task, "execute", { agent: "" }), attempt: 1, duration_ms: 4200, success: true, result: { assignment: { agent: "codex" } } },
      { type: "step-start", ...step(task, "qa"), attempt: 1 },
      {
        type: "step-end",
        ...step(task, "qa"),
        attempt: 1,
        duration_ms: 900,
        success: true,
        result: { verdict: { checks: [{ kind: "test", status: "failed", expected_red: true }] } },
      },
      { type: "step-start", ...step(task, "again/execute", { agent: "" }), attempt: 1 },
      { type: "run-end", run: { ...task, status: "success", duration_ms: 7000, result: { status: "passed" } } },
    ]);
    expect(lines).toEqual([
      "▶ task T001 started: Write the tests",
      "▶ T001 › execute — agent per the agents resource, attempt 1",
      "✓ T001 › execute 4.2s — agent codex",
      "▶ T001 › qa",
      "  T001 › qa: tests fail as expected — test-first: this change adds the tests before the code (the red step)",
      "✓ T001 › qa 0.9s",
      "▶ T001 › again › execute — agent codex, attempt 2",
      "✓ task T001 passed in 7.0s — agent codex",
    ]);
  });

  it("tasks as iterations of a loop: every step of the iteration and of its task subflow is named after the task", () => {
    const r = run();
    const it1 = "execute/run/0/tasks[1]";
    const lines = printed([
      { type: "step-start", ...step(r, `${it1}/start`, { iter: { index: 1, value: "T002" } }), attempt: 1 },
      { type: "step-start", ...step(r, `${it1}/run_flow[0]/with_qa`, { task: { id: "T002" }, agent: "llm" }, "flow"), attempt: 1 },
      { type: "step-start", ...step(r, `${it1}/run_flow[0]/with_qa/execute`, { task: { id: "T002" }, agent: "llm" }), attempt: 1 },
      { type: "step-start", ...step(r, `${it1}/run_flow[0]/with_qa/decide`), attempt: 1 },
      { type: "step-start", ...step(r, `${it1}/finish`, { iter: { index: 1, value: "T002" } }), attempt: 1 },
    ]);
    expect(lines).toEqual(["▶ T002 › start", "▶ T002 › with_qa", "▶ T002 › execute — agent llm, attempt 1", "▶ T002 › decide", "▶ T002 › finish"]);
  });

  it("a failed attempt says why and when it runs again; steps a resume skips are one line", () => {
    const r = run();
    const lines = printed([
      { type: "step-replayed", ...step(r, "spec/onboard") },
      { type: "step-replayed", ...step(r, "spec/specify") },
      { type: "step-start", ...step(r, "pr"), attempt: 1 },
      {
        type: "step-end",
        ...step(r, "pr"),
        attempt: 1,
        duration_ms: 1200,
        success: false,
        error: { name: "ForgeError", message: "HTTP 503\n  at stack" },
        retry_in_s: 4,
      },
      { type: "step-start", ...step(r, "pr"), attempt: 2 },
      { type: "step-end", ...step(r, "pr"), attempt: 2, duration_ms: 100, success: true, result: { error: { message: "agent gave up" } } },
      { type: "step-end", ...step(r, "failure"), attempt: 1, duration_ms: 100, success: true, result: { markdown: "…", error: { message: "what failed" } } },
    ]);
    expect(lines).toEqual([
      "✓ 2 steps finished before the resume, not run again: spec › onboard, spec › specify",
      "▶ pr",
      "✗ pr failed after 1.2s: ForgeError: HTTP 503 at stack — retrying in 4s",
      "▶ pr — attempt 2",
      "✗ pr failed after 0.1s: agent gave up", // continue_on_error: the step's result is its error
      "✓ failure 0.1s", // a failure module's report mentions the error; it did not fail
    ]);
  });
});
