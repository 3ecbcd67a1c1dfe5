// A step past its timeout on the local runner, as on Windmill: the worker kills the job's process
// (handle_child.rs, KillReason::Timeout), the job ends canceled by "timeout" with an ExecutionErr,
// and the step's retries run it again (worker_flow.rs retries a failed step unless its flow was canceled).
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

const timedOut = {
  name: "ExecutionErr",
  message: "execution error:\njob process terminated due to timeout after exceeding job-specific duration limit",
  step_id: "agent",
};

/** The pids the run's children appended to `file`, once each is gone (SIGTERM to its group ends `sleep` at once). */
async function childrenStopped(file: string): Promise<number[]> {
  const pids = readFileSync(file, "utf8").trim().split("\n").map(Number);
  for (const pid of pids) await expect.poll(() => pidAlive(pid), { timeout: 5000 }).toBe(false);
  return pids;
}
const pidFile = (name: string) => path.join(stateDir, `${name}-${Date.now()}.pid`);

describe("a step that passes its timeout", () => {
  it("is killed with its child processes: each attempt's child is stopped, the attempt ends canceled, the flow fails with Windmill's timeout error", async () => {
    const pids = pidFile("step");
    const out = await runPath("f/conformance/timeout_process", { root, stateDir, store, args: { pid_file: pids } });
    expect(out.status).toBe("failure");
    expect(out.error).toEqual(timedOut);
    // One child per attempt (timeout 1 s, one retry).
    expect(await childrenStopped(pids)).toHaveLength(2);

    const step = new RunStore(stateDir).journal(out.runId).find((e) => e.type === "step" && e.step_id === "agent");
    expect(step).toMatchObject({ success: false, canceled: true, attempts: 2, result: { error: timedOut } });
    // The retried attempt is a job of its own, canceled by the timeout too.
    const first = (step as { failed_attempts?: string[] }).failed_attempts?.[0];
    const job = await wmill.JobService.getJob({ workspace: process.env.DEVGODZILLA_WORKSPACE || "local", id: first! });
    expect(job).toMatchObject({ success: false, canceled: true, result: { error: timedOut } });
  });

  it("without a timeout of its own, the script's own timeout (.script.yaml) applies: it is killed with its child", async () => {
    const pids = pidFile("own");
    const out = await runPath("f/conformance/timeout_own", { root, stateDir, store, args: { pid_file: pids } });
    expect(out).toMatchObject({ status: "failure", error: timedOut });
    expect(await childrenStopped(pids)).toHaveLength(1);
  });
});

describe("a script run on its own past its own timeout", () => {
  it("is killed with its child and ends canceled with Windmill's timeout error", async () => {
    const pids = pidFile("root");
    const out = await runPath("f/conformance/run_child_within", { root, stateDir, store, args: { pid_file: pids } });
    const { step_id: _, ...error } = timedOut;
    expect(out).toMatchObject({ status: "canceled", error });
    expect(await childrenStopped(pids)).toHaveLength(1);
  });
});
