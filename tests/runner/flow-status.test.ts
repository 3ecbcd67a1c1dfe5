// The local runner's job API serves Windmill's flow_status for flow jobs (windmill-common
// flow_status.rs): modules in flow order with their state and job, loops and branches with the
// flow jobs they started — while the flow runs, while it waits for an approval, and after it ended.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import * as wmill from "windmill-client";
import type { FlowStatus } from "../../scripts/runner/flow-status.ts";
import { resumeRun, runPath, RunStore, type LocalStore } from "../../scripts/runner/index.ts";

const root = path.resolve(__dirname, "../flows");
const stateDir = mkdtempSync(path.join(os.tmpdir(), "dgz-flowstatus-"));
const store: LocalStore = { resources: {}, variables: {} };
const run = (p: string, args: Record<string, unknown> = {}) => runPath(`f/conformance/${p}`, { root, stateDir, store, args });
let probed: ReturnType<typeof run> | undefined;
/** One run of the probing flow, read by several tests. */
const probeRun = () => (probed ??= run("flow_status"));
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

type Job = {
  id: string;
  job_kind: string;
  parent_job?: string;
  success?: boolean;
  canceled?: boolean;
  result?: unknown;
  flow_status?: FlowStatus;
  type: string;
};
interface Probe {
  tag: string;
  job: string;
  flow_job: string;
  flow_job_kind: string;
  parent_job: string | null;
  own: FlowStatus;
  parent: FlowStatus | null;
}

const workspace = () => process.env.DEVGODZILLA_WORKSPACE || "local";
const getJob = async (id: string) => (await wmill.JobService.getJob({ workspace: workspace(), id })) as unknown as Job;
const byId = (fs: FlowStatus) => Object.fromEntries(fs.modules.map((m) => [m.id, m]));
const probes = (runId: string) =>
  new RunStore(stateDir).journal(runId).flatMap((e) => (e.type === "step" && e.success && (e.result as Probe | null)?.own ? [e.result as Probe] : []));

describe("flow_status of a flow job", () => {
  it("while a step runs: steps before it Success with their job, it InProgress with its job, later ones WaitingForPriorSteps", async () => {
    const out = await probeRun();
    expect(out.status, JSON.stringify(out.error)).toBe("success");
    const first = probes(out.runId).find((p) => p.tag === "first")!;
    expect(first.flow_job).toBe(out.runId);
    expect(first.own.modules.map((m) => `${m.id}:${m.type}`)).toEqual([
      "input:Success",
      "first:InProgress",
      "each:WaitingForPriorSteps",
      "both:WaitingForPriorSteps",
      "never:WaitingForPriorSteps",
      "last:WaitingForPriorSteps",
    ]);
    expect(first.own.step).toBe(1);
    expect(byId(first.own).first!.job).toBe(first.job);
    expect(first.own.failure_module).toMatchObject({ type: "WaitingForPriorSteps" });
    // An identity step is a job of its own, as in Windmill (run_status leaves it out by its kind).
    expect(await getJob(byId(first.own).input!.job!)).toMatchObject({ job_kind: "identity", success: true });
  });

  it("a for-loop's iterations are flow jobs of their own under the loop's flow, listed in flow_jobs as they start, with the iterator", async () => {
    const out = await probeRun();
    const [a, b] = probes(out.runId).filter((p) => p.tag === "a" || p.tag === "b");
    for (const p of [a!, b!]) {
      expect(p.flow_job).not.toBe(out.runId);
      // One plain step, no failure module: Windmill would run it as that step's jobs alone (not modelled); the runner gives the inline flow's kind.
      expect(p.flow_job_kind).toBe("flowpreview");
      expect(p.parent_job).toBe(out.runId);
      expect(p.own.modules).toEqual([{ id: "probe", type: "InProgress", job: p.job }]);
    }
    const loopAtB = byId(b!.parent!).each!;
    expect(loopAtB).toMatchObject({
      type: "InProgress",
      flow_jobs: [a!.flow_job, b!.flow_job],
      flow_jobs_success: [true, null],
      // When each flow job started and how long it took, once it ended.
      flow_jobs_duration: { started_at: [expect.any(String), null], duration_ms: [expect.any(Number), null] },
      iterator: { index: 1, itered: ["a", "b"] },
    });
    expect(byId(a!.parent!).each).toMatchObject({ flow_jobs: [a!.flow_job], flow_jobs_success: [null] });
  });

  it("a branchall's branches are flow jobs of their own, with branchall {branch, len} while one runs", async () => {
    const out = await probeRun();
    const left = probes(out.runId).find((p) => p.tag === "left")!;
    expect(left.parent_job).toBe(out.runId);
    expect(byId(left.parent!).both).toMatchObject({
      type: "InProgress",
      flow_jobs: [left.flow_job],
      flow_jobs_success: [null],
      branchall: { branch: 0, len: 2 },
    });
    expect(left.own.modules).toEqual([{ id: "left", type: "InProgress", job: left.job }]);
  });

  it("after success: every module Success, loops and branches with their flow jobs' outcomes, a skipped step marked skipped", async () => {
    const out = await probeRun();
    const job = await getJob(out.runId);
    expect(job.type).toBe("CompletedJob");
    const fs = job.flow_status!;
    expect(fs.modules.map((m) => `${m.id}:${m.type}`)).toEqual(["input", "first", "each", "both", "never", "last"].map((id) => `${id}:Success`));
    expect(fs.step).toBe(5);
    const m = byId(fs);
    expect(m.each).toMatchObject({ flow_jobs_success: [true, true] });
    expect(m.each!.flow_jobs).toHaveLength(2);
    expect(m.each!.flow_jobs_duration).toEqual({ started_at: [expect.any(String), expect.any(String)], duration_ms: [expect.any(Number), expect.any(Number)] });
    expect(m.each!.iterator).toBeUndefined(); // Windmill's Success carries no iterator
    expect(m.both).toMatchObject({ flow_jobs_success: [true, false] }); // the right branch failed, skip_failure kept the flow going
    expect(m.never).toMatchObject({ skipped: true });
    expect(m.last!.job).toBe(probes(out.runId).find((p) => p.tag === "last")!.job);
    // An iteration's flow job, read after the run: finished, under the run, its own flow_status.
    const it0 = await getJob(m.each!.flow_jobs![0]!);
    expect(it0).toMatchObject({ job_kind: "flowpreview", parent_job: out.runId, success: true, result: expect.objectContaining({ tag: "a" }) });
    expect(it0.flow_status!.modules).toEqual([expect.objectContaining({ id: "probe", type: "Success" })]);
    const children = (await wmill.JobService.listJobs({ workspace: workspace(), parentJob: out.runId })) as { id: string }[];
    expect(children.map((c) => c.id)).toEqual(expect.arrayContaining([...m.each!.flow_jobs!, ...m.both!.flow_jobs!]));
  });

  it("while suspended on an approval: the next module WaitingForEvents on the approval step's job; after the resume, the approver on that step", async () => {
    const first = await run("approval");
    expect(first.status).toBe("suspended");
    const waiting = (await getJob(first.runId)).flow_status!;
    expect(waiting.modules.map((m) => `${m.id}:${m.type}`)).toEqual([
      "ask:Success",
      "after:WaitingForEvents",
      "later:WaitingForPriorSteps",
      "final_ask:WaitingForPriorSteps",
      "final_ask-v:WaitingForPriorSteps", // Windmill's virtual step after a last step that suspends
    ]);
    const ask = byId(waiting).ask!;
    expect(byId(waiting).after).toEqual({ id: "after", type: "WaitingForEvents", count: 1, job: ask.job });
    expect(waiting.step).toBe(1);

    const last = await resumeRun(first.runId, { answer: "ship it" }, { root, stateDir, store });
    expect(last.pending?.step_id).toBe("final_ask");
    const done = await resumeRun(first.runId, {}, { root, stateDir, store });
    expect(done.status).toBe("success");
    const fs = (await getJob(first.runId)).flow_status!;
    expect(fs.modules.every((m) => m.type === "Success")).toBe(true);
    expect(byId(fs).ask).toMatchObject({ job: ask.job, approvers: [{ resume_id: 0, approver: expect.any(String) }] });
  });

  it("after failure: the failed step Failure with its last attempt's job; a failed iteration false in flow_jobs_success, its failure module run there", async () => {
    const failed = await run("retry", { counter_file: path.join(stateDir, `counter-${Date.now()}`) });
    expect(failed.status).toBe("failure");
    const fs = (await getJob(failed.runId)).flow_status!;
    expect(fs.modules).toEqual([expect.objectContaining({ id: "flaky", type: "Failure" })]);
    const steps = new RunStore(stateDir).journal(failed.runId).flatMap((e) => (e.type === "step" ? [e.job_id] : []));
    expect(fs.modules[0]!.job).toBe(steps[steps.length - 1]);
    expect(fs.modules[0]!.failed_retries).toHaveLength(3); // 1 + 3 retries: the three before the last

    const loop = await run("loop_failure");
    expect(loop.status).toBe("success");
    const each = byId((await getJob(loop.runId)).flow_status!).each!;
    expect(each).toMatchObject({ type: "Success", flow_jobs_success: [true, false] });
    const bad = await getJob(each.flow_jobs![1]!);
    expect(bad).toMatchObject({ job_kind: "flownode", success: false, parent_job: loop.runId }); // a flow node: the flow has a failure module
    expect(bad.flow_status!.modules).toEqual([expect.objectContaining({ id: "maybe", type: "Failure" })]);
    expect(bad.flow_status!.failure_module).toMatchObject({ id: "failure", type: "Success" });
  });

  it("a retried step that succeeded: Success with its failed attempts' jobs in failed_retries, each a failed job of its own", async () => {
    const out = await run("retry", { counter_file: path.join(stateDir, `counter-ok-${Date.now()}`), succeed_on: 2 });
    expect(out.status).toBe("success");
    const flaky = (await getJob(out.runId)).flow_status!.modules[0]!;
    expect(flaky).toMatchObject({ id: "flaky", type: "Success", failed_retries: [expect.any(String)] });
    expect(flaky.failed_retries![0]).not.toBe(flaky.job);
    const failed = await getJob(flaky.failed_retries![0]!);
    expect(failed).toMatchObject({
      type: "CompletedJob",
      success: false,
      job_kind: "script",
      parent_job: out.runId,
      result: { error: { message: "run 1 failed on purpose" } },
    });
    // A step that succeeded the first time has none (Windmill leaves the field out).
    expect((await getJob((await probeRun()).runId)).flow_status!.modules.every((m) => !("failed_retries" in m))).toBe(true);
  });

  it("canceled inside a loop iteration: the run canceled, no further iteration started, the iterations that ran with their outcome and duration, the failure module not run", async () => {
    const out = await run("cancel_loop");
    expect(out.status).toBe("canceled");
    expect(out.error?.message).toMatch(/stopped by an operator/);
    const fs = (await getJob(out.runId)).flow_status!;
    // As Windmill: the loop had iterations left, so it stays InProgress; later modules and the failure module never ran.
    expect(fs.modules.map((m) => `${m.id}:${m.type}`)).toEqual(["each:InProgress", "later:WaitingForPriorSteps"]);
    expect(fs.failure_module).toMatchObject({ id: "failure", type: "WaitingForPriorSteps" });
    const each = byId(fs).each!;
    expect(each.flow_jobs).toHaveLength(2); // the third iteration was never started
    // The second iteration stopped after a step that succeeded: Windmill reports that outcome to the loop.
    expect(each.flow_jobs_success).toEqual([true, true]);
    expect(each.flow_jobs_duration).toEqual({ started_at: [expect.any(String), expect.any(String)], duration_ms: [expect.any(Number), expect.any(Number)] });
    const second = await getJob(each.flow_jobs![1]!);
    expect(second).toMatchObject({ job_kind: "flownode", success: false, canceled: true });
    expect(second.flow_status!.modules.map((m) => `${m.id}:${m.type}`)).toEqual(["maybe_cancel:Success", "after:WaitingForPriorSteps"]);
  });
});
