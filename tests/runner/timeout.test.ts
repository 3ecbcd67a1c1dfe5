// Step timeouts on the local runner, as on Windmill (CE v1.592.1, measured by test:windmill's timeout
// rows): the worker kills a script job's process past its timeout (handle_child.rs,
// KillReason::Timeout); the job fails — not canceled — with an ExecutionErr, and the step's retries
// run it again. A `timeout` on a subflow step, a loop or branches bounds nothing: only a script
// job has a process to kill.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import * as wmill from "windmill-client";
import { runPath, RunStore, type LocalStore } from "../../scripts/runner/index.ts";
import { pidAlive } from "../../f/devgodzilla/lib/process.ts";

const root = path.resolve(__dirname, "../flows");
const stateDir = mkdtempSync(path.join(os.tmpdir(), "dgz-timeout-"));
const store: LocalStore = { resources: {}, variables: {} };
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

const timedOutError = {
  name: "ExecutionErr",
  message: "execution error:\njob process terminated due to timeout after exceeding job-specific duration limit",
};
const timedOut = { ...timedOutError, step_id: "agent" };
const getJob = (id: string) => wmill.JobService.getJob({ workspace: process.env.DEVGODZILLA_WORKSPACE || "local", id });
type Status = { modules: { id: string; type: string; job?: string; flow_jobs?: string[]; flow_jobs_success?: boolean[] }[] };
const modulesOf = async (id: string) => Object.fromEntries(((await getJob(id)).flow_status as unknown as Status).modules.map((m) => [m.id, m]));

/** The pids the run's children appended to `file`, once each is gone (SIGTERM to its group ends `sleep` at once). */
async function childrenStopped(file: string): Promise<number[]> {
  const pids = readFileSync(file, "utf8").trim().split("\n").map(Number);
  for (const pid of pids) await expect.poll(() => pidAlive(pid), { timeout: 5000 }).toBe(false);
  return pids;
}
const pidFile = (name: string) => path.join(stateDir, `${name}-${Date.now()}.pid`);

describe("a step that passes its timeout", () => {
  it("is killed with its child processes: each attempt's child is stopped, each attempt's job fails (not canceled), the flow fails with Windmill's timeout error", async () => {
    const pids = pidFile("step");
    const out = await runPath("f/conformance/timeout_process", { root, stateDir, store, args: { pid_file: pids } });
    expect(out.status).toBe("failure");
    expect(out.error).toEqual(timedOut);
    // One child per attempt (timeout 1 s, one retry).
    expect(await childrenStopped(pids)).toHaveLength(2);

    const step = new RunStore(stateDir).journal(out.runId).find((e) => e.type === "step" && e.step_id === "agent");
    expect(step).toMatchObject({ success: false, attempts: 2, result: { error: timedOut } });
    expect(step).not.toHaveProperty("canceled");
    // The retried attempt is a job of its own, failed by the timeout too.
    const first = (step as { failed_attempts?: string[] }).failed_attempts?.[0];
    expect(await getJob(first!)).toMatchObject({ success: false, canceled: false, result: { error: timedOut } });
    expect(await getJob((step as { job_id: string }).job_id)).toMatchObject({ success: false, canceled: false, result: { error: timedOut } });
  });

  it("without a timeout of its own, the script's own timeout (.script.yaml) applies: it is killed with its child", async () => {
    const pids = pidFile("own");
    const out = await runPath("f/conformance/timeout_own", { root, stateDir, store, args: { pid_file: pids } });
    expect(out).toMatchObject({ status: "failure", error: timedOut });
    expect(await childrenStopped(pids)).toHaveLength(1);
  });

  it("fails its flow, whose failure module sees the timeout error; the step after it does not run", async () => {
    const out = await runPath("f/conformance/timeout_step", { root, stateDir, store });
    expect(out.status).toBe("failure");
    // The failure module (echo) got the failed step's error.
    expect(out.result).toEqual({ label: "", value: { error: { ...timedOutError, step_id: "slow" } } });
    const m = await modulesOf(out.runId);
    expect(m.slow).toMatchObject({ type: "Failure" });
    expect(m.after).toMatchObject({ type: "WaitingForPriorSteps" });
  });

  it("given by an expression, is evaluated when the step starts: 0 kills the job at once, a negative one fails the step before any job starts", async () => {
    const killed = await runPath("f/conformance/timeout_expr", { root, stateDir, store, args: { limit: 0 } });
    expect(killed).toMatchObject({ status: "failure", error: { ...timedOutError, step_id: "slow" } });
    const refused = await runPath("f/conformance/timeout_expr", { root, stateDir, store, args: { limit: -1 } });
    expect(refused.status).toBe("failure");
    expect(refused.error?.message).toMatch(/slow\.timeout: Timeout value cannot be negative/);
    expect((await modulesOf(refused.runId)).slow).toMatchObject({ type: "Failure" });
    expect((await modulesOf(refused.runId)).slow?.job).toBe("00000000-0000-0000-0000-000000000000"); // no job ran: Windmill's nil id
  });

  it("in a loop iteration, fails that iteration only: with skip_failures the loop goes on and the iteration's entry is the timeout error", async () => {
    const out = await runPath("f/conformance/timeout_iteration", { root, stateDir, store });
    expect(out).toMatchObject({ status: "success", result: { value: [{ value: { slept: 100 } }, { error: { ...timedOutError, step_id: "slow" } }] } });
    expect((await modulesOf(out.runId)).each).toMatchObject({ type: "Success", flow_jobs_success: [true, false] });
  });
});

describe("a script run on its own past its own timeout", () => {
  it("is killed with its child and fails (not canceled) with Windmill's timeout error", async () => {
    const pids = pidFile("root");
    const out = await runPath("f/conformance/run_child_within", { root, stateDir, store, args: { pid_file: pids } });
    expect(out).toMatchObject({ status: "failure", error: timedOutError });
    expect(await childrenStopped(pids)).toHaveLength(1);
    expect(await getJob(out.runId)).toMatchObject({ success: false, canceled: false, result: { error: timedOutError } });
  });
});

describe("a timeout on a step that is no script job bounds nothing, as on Windmill", () => {
  it("a subflow step's: the subflow's steps run to the end past it and the flow goes on with the subflow's result", async () => {
    const out = await runPath("f/conformance/timeout_subflow", { root, stateDir, store });
    expect(out).toMatchObject({ status: "success", result: { value: { tag: "second", slept: 2500 } } });
    const child = (await modulesOf(out.runId)).child;
    expect(child).toMatchObject({ type: "Success" });
    const inner = await modulesOf(child!.job!);
    expect(inner).toMatchObject({ first: { type: "Success" }, second: { type: "Success" } });
  });

  it("a loop's and a branchall's: every iteration and branch runs to the end past it", async () => {
    const loop = await runPath("f/conformance/timeout_loop", { root, stateDir, store });
    expect(loop).toMatchObject({ status: "success", result: { value: [{ slept: 2500 }, { slept: 2500 }] } });
    const branches = await runPath("f/conformance/timeout_branches", { root, stateDir, store });
    expect(branches).toMatchObject({ status: "success", result: { value: [{ tag: "a" }, { tag: "b" }] } });
  });
});
