// Canceling a flow while one of its steps runs, as a real Windmill does (observed on CE v1.592.1 with
// these flows; test:windmill compares them with the server on every run): the worker kills the
// running job at its next cancel check, the job ends canceled with an ExecutionErr, its module is a
// Failure, the flow ends canceled without its failure module, a parent flow sees the killed step's
// error, and a loop treats a canceled iteration as a failed one.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import * as wmill from "windmill-client";
import { localUser } from "../../scripts/runner/cache.ts";
import { runPath, RunStore, type LocalStore } from "../../scripts/runner/index.ts";
import { pidAlive } from "../../f/devgodzilla/lib/process.ts";
import { jobTree, type JobView } from "../windmill/job-tree.ts";

const root = path.resolve(__dirname, "../flows");
const stateDir = mkdtempSync(path.join(os.tmpdir(), "dgz-cancel-"));
const store: LocalStore = { resources: {}, variables: {} };
const run = (p: string, args: Record<string, unknown> = {}) => runPath(`f/conformance/${p}`, { root, stateDir, store, args });
const tree = (id: string) =>
  jobTree((job) => wmill.JobService.getJob({ workspace: process.env.DEVGODZILLA_WORKSPACE || "local", id: job }) as Promise<JobView>, id, localUser());
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

/** What Windmill records for a step job its flow's cancel killed. */
const killed = (stepId: string, reason: string) => ({
  kind: "script",
  success: false,
  canceled: true,
  result: {
    error: { name: "ExecutionErr", message: `execution error:\njob process terminated due to cancelled by <user> (reason: ${reason})`, step_id: stepId },
  },
});
const canceledResult = (reason: string) => ({ error: { name: "Canceled", message: `Job canceled: ${reason} by <user>`, reason, canceler: "<user>" } });

describe("a flow canceled while a step runs", () => {
  it("kills the step (it ends canceled with an ExecutionErr, its module a Failure) and ends canceled without its failure module, long before the step would have finished", async () => {
    const started = Date.now();
    const out = await run("cancel_running");
    expect(Date.now() - started).toBeLessThan(10_000); // the step would work on for 30 s
    expect(out.status).toBe("canceled");
    const t = await tree(out.runId);
    expect(t).toMatchObject({ success: false, canceled: true, result: canceledResult("stopped while running"), failure_module: "WaitingForPriorSteps" });
    expect(t.modules).toEqual([
      { id: "stop", type: "Failure", jobs: [killed("stop", "stopped while running")] },
      { id: "never", type: "WaitingForPriorSteps" },
    ]);
    // The journal keeps the step as a canceled job (the job API serves it once the run has ended).
    const step = new RunStore(stateDir).journal(out.runId).find((e) => e.type === "step" && e.step_id === "stop");
    expect(step).toMatchObject({ success: false, canceled: true, attempts: 1 });
  });

  it("as a subflow: a failed step of its parent, which sees the killed step's error and runs its failure module", async () => {
    const out = await run("cancel_running_child");
    expect(out.status).toBe("failure");
    const t = await tree(out.runId);
    expect(t).toMatchObject({ success: false, canceled: false, failure_module: "Success" });
    expect(t.result).toEqual({ value: killed("stop", "stopped while running").result, label: "" });
    expect(t.modules![0]).toMatchObject({
      id: "child",
      type: "Failure",
      jobs: [{ kind: "flow", canceled: true, result: canceledResult("stopped while running") }],
    });
    expect(t.modules![1]).toEqual({ id: "after", type: "WaitingForPriorSteps" });
  });

  it("the root canceled from a sequential loop's iteration: that iteration's running step killed (a failed iteration), no further iteration, nothing after the loop", async () => {
    const out = await run("cancel_running_loop");
    expect(out.status).toBe("canceled");
    const t = await tree(out.runId);
    expect(t).toMatchObject({ canceled: true, result: canceledResult("stopped by an operator"), failure_module: "WaitingForPriorSteps" });
    const [each, later] = t.modules!;
    expect(each).toMatchObject({ id: "each", type: "InProgress", flow_jobs_success: [true, false] });
    expect(each!.jobs![1]).toMatchObject({
      canceled: true,
      modules: [
        { id: "maybe_cancel", type: "Failure", jobs: [killed("maybe_cancel", "stopped by an operator")] },
        { id: "after", type: "WaitingForPriorSteps" },
      ],
    });
    expect(later).toEqual({ id: "later", type: "WaitingForPriorSteps" });
  });

  it("in a parallel loop WM_ROOT_FLOW_JOB_ID is the iteration: canceling it kills that iteration's step only, and the loop goes on with the cancel error as its entry", async () => {
    const out = await run("cancel_running_iteration");
    expect(out.status).toBe("success");
    const first = { value: { value: { index: 0, value: 1 } }, label: "" };
    expect(out.result).toEqual({
      value: [first, expect.objectContaining({ error: expect.objectContaining({ name: "Canceled", reason: "stopped by an operator" }) })],
      label: "",
    });
    const each = (await tree(out.runId)).modules![0]!;
    expect(each).toMatchObject({ type: "Success", flow_jobs_success: [true, false] });
    expect(each.jobs![1]!.modules![0]).toEqual({ id: "maybe_cancel", type: "Failure", jobs: [killed("maybe_cancel", "stopped by an operator")] });
  });

  it("the run canceled while both iterations of a parallel loop run: both steps killed, the loop ends with them, nothing after it runs", async () => {
    const out = await run("cancel_running_parallel");
    expect(out.status).toBe("canceled");
    const t = await tree(out.runId);
    expect(t).toMatchObject({ canceled: true, result: canceledResult("stopped while both ran"), failure_module: "WaitingForPriorSteps" });
    const each = t.modules![1]!;
    expect(each).toMatchObject({ id: "each", type: "Success", flow_jobs_success: [false, false] });
    for (const it of each.jobs!) expect(it.modules).toEqual([{ id: "work", type: "Failure", jobs: [killed("work", "stopped while both ran")] }]);
    expect(t.modules![2]).toEqual({ id: "later", type: "WaitingForPriorSteps" });
  });

  it("a second cancel of a flow still running is accepted, as Windmill accepts one of a job still in its queue: both loop iterations that cancel the run are killed", async () => {
    const out = await run("cancel_twice");
    expect(out.status).toBe("canceled");
    const each = (await tree(out.runId)).modules![1]!;
    expect(each).toMatchObject({ type: "Success", flow_jobs_success: [false, false] });
    for (const it of each.jobs!) expect(it.modules).toEqual([{ id: "work", type: "Failure", jobs: [killed("work", "stopped twice")] }]);
  });

  it("a cancel of a run that has ended is answered as Windmill answers it (already completed, not an error); an unknown job is a 404", async () => {
    const out = await run("cancel");
    const workspace = process.env.DEVGODZILLA_WORKSPACE || "local";
    const cancel = (id: string) => wmill.JobService.cancelQueuedJob({ workspace, id, requestBody: { reason: "too late" } });
    await expect(cancel(out.runId)).resolves.toBe(`queued job id ${out.runId} is already completed`);
    await expect(cancel("00000000-0000-0000-0000-000000000000")).rejects.toMatchObject({ status: 404 });
  });

  it("stops the child processes of the killed step (an agent a step started does not outlive the cancel)", async () => {
    const pidFile = path.join(stateDir, `child-${Date.now()}.pid`);
    const out = await run("cancel_running_process", { pid_file: pidFile });
    expect(out.status).toBe("canceled");
    const pid = Number(readFileSync(pidFile, "utf8").trim());
    expect(pid).toBeGreaterThan(0);
    // runProcess sends SIGTERM to the group when the job is killed; `sleep` ends on it at once.
    await expect.poll(() => pidAlive(pid), { timeout: 5000 }).toBe(false);
  });

  it("a step that ends right after canceling its flow keeps its own outcome (the kill comes at the next cancel check)", async () => {
    const out = await run("cancel_fail_child");
    expect(out.status).toBe("failure");
    expect(out.result).toMatchObject({ value: { error: { message: expect.stringMatching(/canceled, and failing/), step_id: "stop" } } });
  });
});

// A loop iteration that cancels its own job (observed on CE v1.592.1 with these flows): an iteration
// stopped between its steps reports that its steps succeeded, one whose step was killed failed;
// without skip_failures a sequential loop fails only on the latter, a parallel one on either.
describe("a loop iteration canceled by its own step", () => {
  const entry = (index: number) => ({ value: { value: { index, value: index + 1 } }, label: "" });
  const cancelEntry = canceledResult("stopped by an operator");

  it("between two of its steps, in a sequential loop without skip_failures: the iteration ends canceled, its entry is the cancel error, and the loop and the flow go on", async () => {
    const out = await run("cancel_iteration_no_skip");
    expect(out.status).toBe("success");
    const t = await tree(out.runId);
    expect(t.result).toEqual({ value: [entry(0), cancelEntry, entry(2)], label: "" });
    const [each, later] = t.modules!;
    expect(each).toMatchObject({ type: "Success", flow_jobs_success: [true, true, true] });
    expect(each!.jobs![1]).toMatchObject({
      canceled: true,
      modules: [
        { id: "maybe_cancel", type: "Success" },
        { id: "after", type: "WaitingForPriorSteps" },
      ],
    });
    expect(later).toMatchObject({ id: "later", type: "Success" });
  });

  it("while its step runs, in a sequential loop without skip_failures: the step is killed, no further iteration, and the failure module sees the loop's entries so far", async () => {
    const out = await run("cancel_running_seq_iteration_no_skip");
    expect(out.status).toBe("failure");
    const t = await tree(out.runId);
    expect(t).toMatchObject({ success: false, canceled: false, failure_module: "Success" });
    expect(t.result).toEqual({ value: [entry(0), cancelEntry], label: "" });
    expect(t.modules![0]).toMatchObject({ type: "Failure", flow_jobs_success: [true, false] });
    expect(t.modules![0]!.jobs![1]!.modules![0]).toEqual({ id: "maybe_cancel", type: "Failure", jobs: [killed("maybe_cancel", "stopped by an operator")] });
  });

  it("between two of its steps, in a parallel loop without skip_failures: every iteration runs, then the loop fails and the flow ends failed with the entries as its result, without its failure module", async () => {
    const out = await run("cancel_parallel_iteration_no_skip");
    expect(out.status).toBe("failure");
    const t = await tree(out.runId);
    expect(t).toMatchObject({ success: false, canceled: false, failure_module: "WaitingForPriorSteps" });
    expect(t.result).toEqual([entry(0), cancelEntry, entry(2)]);
    expect(t.modules).toMatchObject([
      { id: "each", type: "Failure", flow_jobs_success: [true, true, true] },
      { id: "later", type: "WaitingForPriorSteps" },
    ]);
  });
});

describe("a flow canceled while its next step is queued", () => {
  it("the queued step's job ends at once without running (a failed job whose result is the cancel error, its module a Failure) and the flow ends canceled without its failure module, long before the sleep would have ended", async () => {
    const started = Date.now();
    const out = await run("cancel_queued");
    expect(Date.now() - started).toBeLessThan(10_000); // the step before it sleeps 30 s
    expect(out.status).toBe("canceled");
    const t = await tree(out.runId);
    const canceled = canceledResult("canceled while a step was queued");
    expect(t).toMatchObject({ success: false, canceled: true, result: canceled, failure_module: "WaitingForPriorSteps" });
    expect(t.modules).toEqual([
      { id: "start", type: "Success", jobs: [{ kind: "script", success: true, canceled: false, result: { watching: "next" } }] },
      { id: "next", type: "Failure", jobs: [{ kind: "script", success: false, canceled: false, result: canceled }] },
      { id: "after", type: "WaitingForPriorSteps" },
    ]);
  });

  it("a step that cancels its own flow before its module's sleep: nothing is queued, the flow ends canceled at once", async () => {
    const started = Date.now();
    const out = await run("cancel_sleep");
    expect(Date.now() - started).toBeLessThan(10_000); // the sleep is 30 s
    expect(out.status).toBe("canceled");
    expect((await tree(out.runId)).modules![1]).toEqual({ id: "next", type: "WaitingForPriorSteps" });
  });

  it("the queued job itself canceled: it ends at once without running, and the flow (not canceled) fails at that step, its failure module seeing the job's result", async () => {
    const started = Date.now();
    const out = await run("cancel_queued_step");
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(out.status).toBe("failure");
    const t = await tree(out.runId);
    const canceled = canceledResult("canceled while a step was queued");
    expect(t).toMatchObject({ success: false, canceled: false, result: { value: canceled, label: "" }, failure_module: "Success" });
    expect(t.modules![1]).toEqual({ id: "next", type: "Failure", jobs: [{ kind: "script", success: false, canceled: false, result: canceled }] });
    expect(t.modules![2]).toEqual({ id: "after", type: "WaitingForPriorSteps" });
  });
});
