// Conformance: the local runner executes OpenFlow the way Windmill does.
// Each case is a small flow under tests/flows/f/conformance/.
import { mkdtempSync, readFileSync, rmSync, existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runPath, resumeRun, RunStore, type LocalStore } from "../../scripts/runner/index.ts";
import type { AskFn } from "../../scripts/runner/engine.ts";

const root = path.resolve(__dirname, "../flows");
const stateDir = mkdtempSync(path.join(os.tmpdir(), "dgz-conf-"));
const store: LocalStore = {
  resources: { "f/conformance/llm": { resource_type: "openai", value: { api_key: "$var:f/conformance/token", organization_id: "org-1" } } },
  variables: { "f/conformance/token": "sk-canary-conformance-0123456789" },
};
const run = (p: string, args: Record<string, unknown> = {}, extra = {}) => runPath(`f/conformance/${p}`, { root, stateDir, store, args, ...extra });
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

describe("loops", () => {
  it("a parallel loop with parallelism 2 never runs 3 iterations at once, and does run 2 at once", async () => {
    const out = await run("parallel_loop", { items: ["a", "b", "c", "d", "e"] });
    expect(out.status).toBe("success");
    const spans = out.result as { tag: string; start: number; end: number }[];
    expect(spans.map((s) => s.tag)).toEqual(["a", "b", "c", "d", "e"]); // results in iteration order
    const events = spans
      .flatMap(
        (s) =>
          [
            [s.start, 1],
            [s.end, -1],
          ] as const,
      )
      .sort((x, y) => x[0] - y[0] || x[1] - y[1]);
    let live = 0,
      peak = 0;
    for (const [, d] of events) peak = Math.max(peak, (live += d));
    expect(peak).toBe(2);
  });

  it("a while loop ends when a step's stop_after_if holds, and skip_failures collects an iteration's error", async () => {
    const out = await run("control", { n: 20 });
    expect(out.status).toBe("success");
    const r = (out.result as { value: Record<string, unknown> }).value;
    expect(r.ticks).toBe(3);
    expect(r.tolerant).toEqual([{ value: 1, label: "" }, { error: expect.objectContaining({ message: "two is bad" }) }, { value: 3, label: "" }]);
  });
});

describe("branches and skips", () => {
  it("branchone takes the first true branch or the default; branchall with skip_failure keeps the error", async () => {
    const big = ((await run("control", { n: 20 })).result as { value: Record<string, unknown> }).value;
    const small = ((await run("control", { n: 1 })).result as { value: Record<string, unknown> }).value;
    expect(big.pick).toBe("big");
    expect(small.pick).toBe("small");
    expect(big.both).toEqual([{ value: "big", label: "" }, { error: expect.objectContaining({ message: "right branch failed" }) }]);
  });

  it("a step skipped by skip_if passes the previous result through instead of running", async () => {
    const r = ((await run("control", { n: 20 })).result as { value: Record<string, unknown> }).value;
    expect(r.skipped).toEqual({ value: "big", label: "" }); // fail.ts never ran
  });

  it("stop_after_if ends the flow early with that step's result", async () => {
    const out = await run("early_stop", { mode: "stop" });
    expect(out).toMatchObject({ status: "success", result: { value: "stop" } });
  });
});

describe("retries, timeouts, failure module", () => {
  it("retry runs a failing step exactly 1 + constant + exponential attempts", async () => {
    const counter = path.join(stateDir, `counter-${Date.now()}`);
    const out = await run("retry", { counter_file: counter });
    expect(out.status).toBe("failure");
    expect(readFileSync(counter, "utf8").trim().split("\n")).toHaveLength(4); // 1 + 2 constant + 1 exponential
    expect(out.error).toMatchObject({ message: "run 4 failed on purpose", step_id: "flaky" });
  });

  it("retry_if vetoes retries of an error it names as permanent, and allows the others", async () => {
    const [veto_file, allow_file] = ["veto", "allow"].map((n) => path.join(stateDir, `counter-${n}-${Date.now()}`));
    expect((await run("retry_if", { veto_file, allow_file })).status).toBe("failure");
    expect(readFileSync(veto_file, "utf8").trim().split("\n")).toHaveLength(1);
    expect(readFileSync(allow_file, "utf8").trim().split("\n")).toHaveLength(4);
  });

  it("a retry that succeeds makes the step succeed", async () => {
    const counter = path.join(stateDir, `counter-ok-${Date.now()}`);
    const out = await run("retry", { counter_file: counter, succeed_on: 2 });
    expect(out).toMatchObject({ status: "success", result: { runs: 2 } });
  });

  it("a step past its timeout fails the flow with Windmill's timeout error", async () => {
    const out = await run("early_stop", { mode: "go" });
    expect(out.status).toBe("failure");
    expect(out.error).toEqual({
      name: "ExecutionErr",
      message: "execution error:\njob process terminated due to timeout after exceeding job-specific duration limit",
      step_id: "slow",
    });
  });

  it("the failure module receives error.message and error.step_id; the flow stays failed and returns its result", async () => {
    const out = await run("failure_module");
    expect(out.status).toBe("failure");
    expect(out.result).toEqual({ handled: true, message: "the disk is on fire", step_id: "breaks", recover: false });
  });

  it("a failure module returning recover: true turns the flow into a success", async () => {
    const out = await run("failure_module", { recover: true });
    expect(out.status).toBe("success");
    expect(out.result).toMatchObject({ handled: true, recover: true });
  });
});

describe("approvals", () => {
  it("a suspended run resumes with the submitted form as the next step's `resume`, and later steps see null", async () => {
    const first = await run("approval");
    expect(first.status).toBe("suspended");
    expect(first.pending?.step_id).toBe("ask");
    expect(first.resumeCommand).toBe(`npx devgodzilla resume ${first.runId} -d '{"answer":"yes"}'`);
    const step = first.pending?.step_result as Record<string, unknown>;
    expect(step).toMatchObject({ default_args: { answer: "yes" } });
    expect(String(step.resume)).toMatch(/\/api\/w\/local\/jobs_u\/resume\//);

    const last = await resumeRun(first.runId, { answer: "ship it" }, { root, stateDir, store });
    // A suspend on the last step waits too (Windmill appends a virtual step to wait on, as measured).
    expect(last).toMatchObject({ status: "suspended", pending: { step_id: "final_ask" } });
    const done = await resumeRun(first.runId, {}, { root, stateDir, store });
    expect(done.status).toBe("success");
    expect(done.result).toMatchObject({ default_args: { answer: "yes" } }); // the last step's result, through the virtual step
    const journal = new RunStore(stateDir).journal(first.runId).filter((e) => e.type === "step");
    const results = Object.fromEntries(journal.map((e) => [e.step_id, (e as { result: unknown }).result]));
    expect(results.after).toMatchObject({ value: { answer: "ship it" } });
    expect((results.after as { label: string }).label).not.toBe("");
    expect(results.later).toEqual({ value: null, label: "" });
    // a resumed run does not re-run the step that ran before the approval
    expect(journal.filter((e) => e.step_id === "ask")).toHaveLength(1);
  });

  it("answers given up front let the run go through without stopping", async () => {
    const out = await run("approval", {}, { answers: { ask: { answer: "from file" }, final_ask: {} } });
    expect(out.status).toBe("success");
  });

  it("an approval inside a subflow suspends the parent run, and resuming the parent finishes both", async () => {
    const first = await run("nested_approval");
    expect(first.status).toBe("suspended");
    expect(first.pending?.key).toBe("inner/ask");
    await resumeRun(first.runId, { answer: "inner ok" }, { root, stateDir, store }); // stops again at inner/final_ask
    const done = await resumeRun(first.runId, {}, { root, stateDir, store });
    expect(done).toMatchObject({ status: "success", result: { value: "outer continued" } });
    const steps = new RunStore(stateDir)
      .journal(first.runId)
      .filter((e) => e.type === "step")
      .map((e) => e.key);
    expect(steps).toEqual(["inner/ask", "inner/after", "inner/later", "inner/final_ask", "after_inner"]);
  });

  it("an approval answered through its resume URL while the terminal asks goes on with that answer, the approver the one the URL names (as on Windmill)", async () => {
    const viaLink: AskFn = async (pending) => {
      const { resume } = pending.step_result as { resume: string };
      const res = await fetch(resume, { method: "POST", body: JSON.stringify({ answer: `link for ${pending.step_id}` }) });
      expect(res.status).toBe(201);
      return undefined; // the person closed the prompt: they used the link
    };
    const out = await run("approval_native", {}, { ask: viaLink });
    expect(out.status, JSON.stringify(out.error)).toBe("success");
    const after = new RunStore(stateDir).journal(out.runId).find((e) => e.type === "step" && e.step_id === "after") as { result: unknown };
    expect(after.result).toEqual({ value: { answer: "link for ask" }, label: ["reviewer"] });
  });

  it("a disapproval fails the flow at the approval step", async () => {
    const first = await run("approval");
    const out = await resumeRun(first.runId, { __disapproved: true }, { root, stateDir, store });
    expect(out.status).toBe("failure");
    // Windmill's error (worker_flow.rs): the flow's, naming who refused, with no step_id.
    expect(out.error).toEqual({ name: "SuspendedDisapproved", message: expect.stringMatching(/^Disapproved by \S+$/) });
  });
});

describe("jobs see what a Windmill job sees", () => {
  it("WM_* env per job, $res:/$var: resolved (nested), windmill-client getResource/getVariable/setProgress work", async () => {
    const out = await run("context", { creds: "$res:f/conformance/llm" });
    expect(out.status).toBe("success");
    const journal = new RunStore(stateDir).journal(out.runId);
    const ctx = (journal.find((e) => e.type === "step" && e.step_id === "ctx") as { result: Record<string, unknown> }).result;
    expect(ctx).toMatchObject({ flow_job_id: out.runId, root_flow_job_id: out.runId, step_id: "ctx", workspace: "local" });
    expect(ctx.job_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(ctx.resource).toEqual({ api_key: "sk-canary-conformance-0123456789", organization_id: "org-1" });
    expect(ctx.variable).toBe("sk-canary-conformance-0123456789");
    const typed = (journal.find((e) => e.type === "step" && e.step_id === "typed") as { result: unknown }).result;
    expect(typed).toEqual({ has_key: true, model: "gpt-test" });
    // the run record keeps the reference, never the secret
    expect(readFileSync(path.join(stateDir, "runs", out.runId, "run.json"), "utf8")).toContain("$res:f/conformance/llm");
  });

  it("a subflow step is listed as a finished flow job with its duration, its result read from the job, as on Windmill", async () => {
    const out = await run("context", { creds: "$res:f/conformance/llm" });
    expect(out.status).toBe("success");
    const wmill = await import("windmill-client");
    const jobs = (await wmill.JobService.listJobs({ workspace: process.env.DEVGODZILLA_WORKSPACE || "local", parentJob: out.runId })) as {
      script_path?: string;
      job_kind?: string;
      result?: unknown;
      duration_ms?: number;
      success?: boolean;
    }[];
    const sub = jobs.find((j) => j.script_path === "f/conformance/early_stop");
    expect(sub).toMatchObject({ job_kind: "flow", success: true });
    expect(sub).not.toHaveProperty("result"); // Windmill's list leaves results out
    const got = (await wmill.JobService.getJob({ workspace: process.env.DEVGODZILLA_WORKSPACE || "local", id: (sub as { id: string }).id })) as {
      result?: unknown;
    };
    expect(got.result).toEqual(out.result); // the subflow is the flow's last step
    expect(typeof sub!.duration_ms).toBe("number");
  });

  it("an optional resource that does not exist reads as undefined (getResource(path, true)), as on Windmill", async () => {
    const out = await runPath("f/conformance/job_context", { root, stateDir, store, args: { optional_path: "f/conformance/not_configured" } });
    expect(out.status, JSON.stringify(out.error)).toBe("success");
    expect((out.result as { optional: unknown }).optional).toBe("absent");
  });

  it("resources a job creates (Windmill state resources) exist for later runs, and creating one twice fails", async () => {
    const first = await runPath("f/conformance/state_claim", { root, stateDir, store, args: { path: "f/conformance/claims/d1" } });
    const second = await runPath("f/conformance/state_claim", { root, stateDir, store, args: { path: "f/conformance/claims/d1" } });
    expect(first.result).toEqual({ claimed: true, exists: true, value: { n: 2 }, listed: ["f/conformance/claims/d1"] });
    expect(second.result).toMatchObject({ claimed: false, exists: true, value: { n: 2 } });
  });

  it("missing resources and variables are one clear error naming all of them, before the run starts", async () => {
    const before = new RunStore(stateDir).list().length;
    await expect(run("context", { creds: "$res:f/conformance/nope", other: { deep: "$var:f/conformance/absent" } })).rejects.toThrow(
      /2 references are not defined: resource "f\/conformance\/nope", variable "f\/conformance\/absent" — .*DEVGODZILLA_RES_F_CONFORMANCE_NOPE, DEVGODZILLA_VAR_F_CONFORMANCE_ABSENT/,
    );
    expect(new RunStore(stateDir).list()).toHaveLength(before); // no half-started run
  });

  it("a step whose resource is missing fails at once: retries cannot fix it", async () => {
    const started = Date.now();
    const out = await run("missing_resource");
    expect(out.status).toBe("failure");
    expect(out.error?.message).toMatch(/resource "f\/conformance\/missing_a" is not defined/);
    const steps = new RunStore(stateDir).journal(out.runId).filter((e) => e.type === "step");
    expect(steps).toHaveLength(1);
    expect(steps[0]).toMatchObject({ step_id: "use", success: false, attempts: 1 }); // the flow allows 2 retries 5 s apart
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("a missing required flow input fails before anything runs", async () => {
    await expect(run("early_stop", {})).rejects.toThrow(/missing required input mode/);
    expect(existsSync(path.join(stateDir, "runs"))).toBe(true);
  });
});

describe("resume URLs, flow user state, deadlines, cancel (what execute_tasks relies on)", () => {
  it("iterations of a parallel loop resume each other through the flow user state, in either order, with no terminal prompt", async () => {
    for (const [roles, parallelism] of [
      [["waiter", "poster"], 2],
      [["poster", "waiter"], 1],
      [["poster", "waiter"], 2],
    ] as const) {
      const out = await run("rendezvous", { roles, parallelism });
      expect(out.status, JSON.stringify(out.error)).toBe("success");
      expect(out.result).toEqual(roles.map((r) => ({ value: { from: r === "waiter" ? "poster" : "self" }, label: r })));
    }
  });

  it("a suspend without a form waits until its timeout: continue_on_disapprove_timeout gives the next step SuspendedTimedOut, else the flow fails", async () => {
    const out = await run("waits");
    expect(out.status).toBe("failure");
    // As measured on Windmill: the flow's error has no step_id, and the module that waited fails without a job.
    expect(out.error).toEqual({ name: "SuspendedTimedOut", message: "Timed out waiting to be resumed" });
    expect(new RunStore(stateDir).loadFlowState(out.runId).statuses[out.runId]?.modules.at(-1)).toEqual({
      id: "never",
      type: "Failure",
      job: "00000000-0000-0000-0000-000000000000",
    });
    const after = new RunStore(stateDir).journal(out.runId).find((e) => e.type === "step" && e.step_id === "after") as { result: unknown };
    expect(after.result).toEqual({ value: { error: { name: "SuspendedTimedOut", message: "Timed out waiting to be resumed" } }, label: "" });
  });

  it("an approval with a form whose script resumes its own step goes on without asking", async () => {
    const out = await run(
      "self_approval",
      {},
      {
        ask: async () => {
          throw new Error("nobody should be asked");
        },
      },
    );
    expect(out.status, JSON.stringify(out.error)).toBe("success");
    expect(out.result).toEqual({ value: { answer: "nothing to ask" }, label: "" });
  });

  it("a resume URL is signed and each resume id counts once", async () => {
    const first = await run("approval");
    const url = String((first.pending?.step_result as { resume: string }).resume);
    const bad = await fetch(url.replace(/\/[0-9a-f]{64}/, "/" + "0".repeat(64)), { method: "POST", body: "{}" });
    expect(bad.status).toBe(400);
    expect((await fetch(url, { method: "POST", body: JSON.stringify({ answer: "once" }) })).status).toBe(201); // Windmill answers 201 Created
    const again = await fetch(url, { method: "POST", body: JSON.stringify({ answer: "twice" }) });
    expect(await again.text()).toMatch(/already sent/);
  });

  it("a step that cancels its flow with a reason ends the run canceled with that reason; as a subflow it is a successful step of its parent, which goes on (as observed on Windmill)", async () => {
    const out = await run("cancel");
    expect(out.status).toBe("canceled");
    expect(out.error?.message).toMatch(/deadline: T1 never started/);
    const parent = await run("cancel_child");
    expect(parent.status).toBe("success");
    // The parent's next step sees the canceling step's result as the subflow's.
    expect(parent.result).toEqual({ value: { canceled: expect.any(String) }, label: "" });
  });

  it("a step that cancels its flow and then fails fails its parent's step, whose failure module sees the error (as observed on Windmill)", async () => {
    const out = await run("cancel_fail");
    expect(out.status).toBe("canceled");
    expect(out.error?.message).toMatch(/deadline: T1 never started/);
    const parent = await run("cancel_fail_child");
    expect(parent.status).toBe("failure");
    expect(parent.result).toMatchObject({
      value: { error: { message: expect.stringMatching(/canceled, and failing: deadline: T1 never started/), step_id: "stop" } },
    });
  });

  it("a failing step inside a loop iteration runs the failure module there; with skip_failures its result is the iteration's entry", async () => {
    const out = await run("loop_failure");
    expect(out.status).toBe("success");
    expect(out.result).toEqual([{ ok: 1 }, { value: { error: expect.objectContaining({ message: "two fails", step_id: "maybe" }) }, label: "handled" }]);
  });

  it("a failing iteration of a for loop without skip_failures fails the flow with the loop's entries so far, the failure module's result in the failed one's place (as measured on Windmill)", async () => {
    const handled = { value: { error: expect.objectContaining({ message: "two fails", step_id: "maybe" }) }, label: "handled" };
    const seq = await run("loop_failure_no_skip");
    expect(seq.status).toBe("failure");
    expect(seq.result).toEqual([{ ok: 1 }, handled]); // iteration 3 never starts, nor the step after the loop
    expect(seq.error).toMatchObject({ message: "two fails", step_id: "maybe" });
    const par = await run("loop_failure_parallel_no_skip");
    expect(par.status).toBe("failure");
    expect(par.result).toEqual([{ ok: 1 }, handled, { ok: 3 }]); // a parallel loop's iterations all end
    const bare = await run("loop_failure_parallel_no_skip_unhandled");
    expect(bare.status).toBe("failure");
    expect(bare.result).toEqual([{ ok: 1 }, { error: expect.objectContaining({ message: "two fails", step_id: "maybe" }) }, { ok: 3 }]);
    // The flow's own failure module does not run again.
    expect(new RunStore(stateDir).loadFlowState(seq.runId).statuses[seq.runId]?.failure_module.type).toBe("WaitingForPriorSteps");
  });

  it("a failing iteration of a while loop without skip_failures fails the flow as a plain step would: the failure module's result, the loop's module left InProgress (as measured on Windmill)", async () => {
    const out = await run("loop_failure_while_no_skip");
    expect(out.status).toBe("failure");
    expect(out.result).toEqual({ value: { error: expect.objectContaining({ message: "two fails", step_id: "maybe" }) }, label: "handled" });
    expect(new RunStore(stateDir).loadFlowState(out.runId).statuses[out.runId]?.modules[0]).toMatchObject({
      id: "each",
      type: "InProgress",
      flow_jobs_success: [true, true, false],
    });
  });

  it("a step reads its flow's flow_status as Windmill serves it: finished modules say skipped, keep no branchall, and there is a cleanup_module", async () => {
    const out = await run("flow_status_native");
    expect(out.status, JSON.stringify(out.error)).toBe("success");
    const own = (out.result as { own: { modules: Record<string, unknown>[]; cleanup_module: unknown } }).own;
    expect(own.cleanup_module).toEqual({});
    expect(own.modules.map((m) => [m.id, m.type, m.skipped])).toEqual([
      ["input", "Success", false],
      ["first", "Success", false],
      ["each", "Success", false],
      ["both", "Success", false],
      ["last", "InProgress", undefined],
    ]);
    expect(own.modules.find((m) => m.id === "both")).not.toHaveProperty("branchall");
    // Job kinds as Windmill gives them to a saved flow: an iteration of two steps runs as a flow node,
    // a branch of one plain script step (no failure module) as an inline flow.
    const seen = Object.fromEntries(
      new RunStore(stateDir)
        .journal(out.runId)
        .flatMap((e) => (e.type === "step" && e.step_id !== "last" ? [[e.step_id, (e.result as { flow_job_kind?: string }).flow_job_kind]] : [])),
    );
    expect(seen).toMatchObject({ first: "flow", probe: "flownode", left: "flowpreview" });
  });

  it("an identity first step returns the flow's arguments; a missing path is null; a Windmill without V8 refuses computed expressions", async () => {
    const v8 = await run("first_step", { given: "x" });
    expect(v8.status).toBe("success");
    const steps = Object.fromEntries(new RunStore(stateDir).journal(v8.runId).flatMap((e) => (e.type === "step" ? [[e.step_id, e.result]] : [])));
    expect(steps.read).toEqual({ value: "x", label: null });
    const noV8 = await run("first_step", { given: "x" }, { noV8: true });
    expect(noV8.status).toBe("failure");
    expect(noV8.error?.message).toMatch(/Deno core is not enabled/);
    expect(noV8.error?.step_id ?? noV8.error?.message).toMatch(/v8/);
  });
});
