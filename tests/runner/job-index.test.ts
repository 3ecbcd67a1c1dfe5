// The local runner's job API finds a job of a finished run (a step, a loop iteration) through the
// job index in the state folder, also with many runs recorded after it, after the index was lost,
// and with a line of it cut short by a crash; an id that is no job is a 404, as on Windmill.
import { randomUUID } from "node:crypto";
import { appendFileSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as wmill from "windmill-client";
import { runPath, RunStore, type LocalStore } from "../../scripts/runner/index.ts";

const root = path.resolve(__dirname, "../flows");
const stateDir = mkdtempSync(path.join(os.tmpdir(), "dgz-jobindex-"));
const store: LocalStore = { resources: {}, variables: {} };
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

const workspace = () => process.env.DEVGODZILLA_WORKSPACE || "local";
const getJob = (id: string) =>
  wmill.JobService.getJob({ workspace: workspace(), id }) as Promise<{ id: string; parent_job?: string; success?: boolean; job_kind: string }>;

/** A finished run as the engine records it: its record, one step in its journal, one iteration in its flow state. */
function recordRun(runs: RunStore): { run: string; step: string; iteration: string } {
  const run = randomUUID();
  const [step, iteration] = [randomUUID(), randomUUID()];
  const at = new Date().toISOString();
  runs.save({ id: run, path: "f/bench/chain", kind: "flow", args: {}, status: "running", created_at: at, started_at: at });
  runs.append(run, {
    type: "step",
    key: "s0",
    step_id: "s0",
    job_id: step,
    success: true,
    result: 1,
    started_at: at,
    duration_ms: 1,
    attempts: 1,
    path: "f/bench/tick",
  });
  runs.appendFlowState(run, {
    job: {
      id: iteration,
      path: "f/bench/chain/loop",
      kind: "flow",
      status: "success",
      parent_job: run,
      root_job: run,
      step_id: "loop",
      created_at: at,
      args: {},
      result: 2,
      duration_ms: 1,
    },
  });
  runs.save({ id: run, path: "f/bench/chain", kind: "flow", args: {}, status: "success", created_at: at, started_at: at, result: 2 });
  return { run, step, iteration };
}

let old: { runId: string; steps: string[]; iterations: string[] };
beforeAll(async () => {
  const out = await runPath("f/conformance/loop_failure", { root, stateDir, store });
  expect(out.status).toBe("success");
  const runs = new RunStore(stateDir);
  old = {
    runId: out.runId,
    steps: runs.journal(out.runId).flatMap((e) => (e.type === "step" ? [e.job_id] : [])),
    iterations: Object.keys(runs.loadFlowState(out.runId).jobs),
  };
  expect(old.steps.length).toBeGreaterThan(0);
  expect(old.iterations.length).toBeGreaterThan(0);
  for (let i = 0; i < 300; i++) recordRun(runs);
});

describe("a job of a finished run, looked up by id", () => {
  it("a step and a loop iteration of an old run are found with 300 runs recorded after it", async () => {
    expect(await getJob(old.steps[0]!)).toMatchObject({ id: old.steps[0], parent_job: expect.any(String), job_kind: "script" });
    expect(await getJob(old.iterations[0]!)).toMatchObject({
      id: old.iterations[0],
      parent_job: old.runId,
      job_kind: expect.stringMatching(/^flow(node|preview)$/),
    }); // an iteration's kind on Windmill
  });

  it("an id that is no job is a 404 naming it", async () => {
    const unknown = randomUUID();
    await expect(getJob(unknown)).rejects.toMatchObject({ status: 404, body: expect.stringContaining(`Job ${unknown} not found`) });
  });

  it("a job recorded by another process after the first lookup is found", async () => {
    const other = recordRun(new RunStore(stateDir));
    expect(await getJob(other.iteration)).toMatchObject({ id: other.iteration, parent_job: other.run });
    expect(await getJob(other.step)).toMatchObject({ id: other.step, success: true });
  });

  it("without the index (deleted, or a state folder from before it) every run is indexed again and its jobs found", () => {
    const index = new RunStore(stateDir).indexFile;
    rmSync(index);
    const runs = new RunStore(stateDir);
    expect(runs.runOfJob(old.steps[0]!)).toBe(old.runId);
    expect(runs.runOfJob(old.iterations[0]!)).toBe(old.runId);
    expect(existsSync(index)).toBe(true);
    expect(new RunStore(stateDir).runOfJob(old.iterations[0]!)).toBe(old.runId); // from the rebuilt file alone
    expect(runs.runOfJob(randomUUID())).toBeUndefined();
  });

  it("a line of the index cut short by a crash spoils neither the entries before it nor those written after it", () => {
    const runs = new RunStore(stateDir);
    appendFileSync(runs.indexFile, '{"run":"' + randomUUID().slice(0, 10)); // the crash: no closing quote, no newline
    const after = recordRun(runs);
    const reader = new RunStore(stateDir);
    expect(reader.runOfJob(old.steps[0]!)).toBe(old.runId);
    expect(reader.runOfJob(after.step)).toBe(after.run);
  });

  it("an index entry whose job the run's record never got (a crash between the two writes) is a 404", async () => {
    const runs = new RunStore(stateDir);
    const ghost = randomUUID();
    appendFileSync(runs.indexFile, `\n${JSON.stringify({ run: old.runId, job: ghost })}\n`);
    await expect(getJob(ghost)).rejects.toMatchObject({ status: 404 });
  });
});
