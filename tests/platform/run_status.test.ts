import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setClient } from "windmill-client";
import { startWindmillApi, type FakeWindmillApi } from "../../scripts/fakes/windmill-api.ts";
import { costOf, runStatus } from "../../f/devgodzilla/lib/platform/run_status.ts";
import { main } from "../../f/devgodzilla/run_status.ts";
import { InputError } from "../../f/devgodzilla/lib/errors.ts";

let wm: FakeWindmillApi;
const root = randomUUID();
const done = randomUUID();

beforeAll(async () => {
  wm = await startWindmillApi({ token: "wm-token", workspace: "dg" });
  process.env.WM_WORKSPACE = "dg";
  process.env.WM_BASE_URL = "https://windmill.example.com";
  setClient("wm-token", wm.baseUrl);
  const input = wm.addJob({
    script_path: "",
    job_kind: "identity",
    success: true,
    is_flow_step: true,
    result: { repo: "https://github.com/acme/widgets.git" },
  });
  const specify = wm.addJob({
    script_path: "f/devgodzilla/specify",
    success: true,
    duration_ms: 12_000,
    is_flow_step: true,
    result: { spec_dir: "specs/001-greeting", usage: { cost_usd: 0.012 } },
  });
  const t1 = wm.addJob({
    script_path: "f/devgodzilla/task_with_qa",
    success: true,
    is_flow_step: true,
    result: { task_id: "T001", agent: "claude-code", status: "done", qa: { verdict: "pass", score: 0.92 }, cost_usd: 0.2 },
  });
  const t2 = wm.addJob({
    script_path: "f/devgodzilla/task_with_qa",
    success: false,
    is_flow_step: true,
    result: { task_id: "T002", agent: "codex", status: "failed", qa: { verdict: "fail", score: 0.3 }, cost_usd: 0.1, error: { message: "tests failed" } },
  });
  const clarify = wm.addJob({
    script_path: "f/devgodzilla/clarify",
    success: true,
    is_flow_step: true,
    result: {
      resume: "https://w/api/resume/1",
      cancel: "https://w/api/cancel/1",
      approvalPage: "https://windmill.example.com/approve/dg/abc",
      description: { markdown: "2 open questions about the greeting format" },
    },
  });
  wm.addJob({
    id: root,
    script_path: "f/devgodzilla/spec_to_pr",
    job_kind: "flow",
    running: true,
    started_at: new Date(Date.now() - 600_000).toISOString(),
    flow_status: {
      step: 2,
      modules: [
        { id: "input", type: "Success", job: input.id },
        { id: "specify", type: "Success", job: specify.id },
        { id: "execute", type: "Success", job: randomUUID(), flow_jobs: [t1.id, t2.id], flow_jobs_success: [true, false], iterator: { itered_len: 2 } },
        { id: "clarify", type: "WaitingForEvents", job: clarify.id },
        { id: "open_pr", type: "WaitingForPriorSteps" },
      ],
    },
  });
  wm.addJob({
    id: done,
    script_path: "f/devgodzilla/spec_to_pr",
    job_kind: "flow",
    success: true,
    duration_ms: 900_000,
    result: { pr: { url: "https://github.com/acme/widgets/pull/3", number: 3 }, cost_usd: 1.5 },
    flow_status: { step: 1, modules: [{ id: "open_pr", type: "Success", job: randomUUID() }] },
  });
});
afterAll(async () => wm.close());

describe("run_status", () => {
  it("shows steps, loop progress, tasks with agents and verdicts, the pending approval link and the cost so far", async () => {
    const s = await runStatus(root);
    expect(s.state).toBe("waiting-for-approval");
    expect(s.steps.map((x) => `${x.id}:${x.state}`)).toEqual(["specify:success", "execute:success", "clarify:approval", "open_pr:waiting"]);
    expect(s.steps[1].iterations).toEqual({ done: 2, total: 2, failed: 1 });
    expect(s.tasks).toEqual([
      expect.objectContaining({ task: "T001", agent: "claude-code", verdict: "pass", score: 0.92 }),
      expect.objectContaining({ task: "T002", agent: "codex", verdict: "fail", status: "failed" }),
    ]);
    expect(s.approvals).toEqual([
      expect.objectContaining({
        step: "clarify",
        approval_page: "https://windmill.example.com/approve/dg/abc",
        description: "2 open questions about the greeting format",
      }),
    ]);
    expect(s.cost_usd).toBeCloseTo(0.312, 6);
    expect(s.markdown).toContain("### Waiting for you");
    expect(s.markdown).toContain("[open the approval page](https://windmill.example.com/approve/dg/abc)");
    expect(s.markdown).toContain("| T002 | codex | failed | fail (0.3) |");
    expect(s.markdown).toContain(`https://windmill.example.com/run/${root}?workspace=dg`);
  });
  it("an identity step (a flow's `input`, which does no work) is not listed among the steps", async () => {
    const s = await runStatus(root);
    expect(s.steps.map((x) => x.id)).not.toContain("input");
    expect(s.markdown).not.toMatch(/\| input \|/);
  });
  it("a finished run shows its PR and the flow's own cost total", async () => {
    const out = await main(done);
    expect(out.markdown).toContain("— success");
    expect(out.markdown).toContain("https://github.com/acme/widgets/pull/3");
    expect(out.markdown).toContain("$1.5000");
  });
  it("a flow parked after its approval step (Windmill: the next module WaitingForEvents on that step's job) shows the approval on that step", async () => {
    const specify = wm.addJob({ script_path: "f/devgodzilla/specify", is_flow_step: true, success: true, result: { cost_usd: 0.05 } });
    const clarify = wm.addJob({
      script_path: "f/devgodzilla/clarify",
      is_flow_step: true,
      success: true,
      result: { resume: "r", cancel: "c", approvalPage: "http://127.0.0.1/approve/x", description: "Which greeting?" },
    });
    const flow = wm.addJob({
      script_path: "f/devgodzilla/spec_to_tasks",
      job_kind: "flow",
      running: false,
      suspend: 1,
      flow_status: {
        step: 2,
        modules: [
          { id: "specify", type: "Success", job: specify.id },
          { id: "clarify", type: "Success", job: clarify.id },
          { id: "plan", type: "WaitingForEvents", count: 1, job: clarify.id },
          { id: "tasks", type: "WaitingForPriorSteps" },
        ],
      },
    });
    const s = await runStatus(flow.id);
    expect(s.state).toBe("waiting-for-approval");
    expect(s.steps.map((x) => `${x.id}:${x.state}`)).toEqual(["specify:success", "clarify:approval", "plan:waiting", "tasks:waiting"]);
    expect(s.approvals).toEqual([expect.objectContaining({ step: "clarify", approval_page: "http://127.0.0.1/approve/x", description: "Which greeting?" })]);
    expect(s.cost_usd).toBeCloseTo(0.05, 6);
  });
  it("unknown or malformed ids are one InputError naming job_id", async () => {
    await expect(runStatus(randomUUID())).rejects.toBeInstanceOf(InputError);
    await expect(runStatus("../etc")).rejects.toMatchObject({ field: "job_id" });
  });
  it("costOf does not double count a total and its parts", () => {
    expect(costOf({ cost_usd: 1, tasks: [{ cost_usd: 0.5 }, { cost_usd: 0.5 }] })).toBe(1);
    expect(costOf({ tasks: [{ cost_usd: 0.25 }, { usage: { cost_usd: 0.5 } }] })).toBe(0.75);
  });
});
