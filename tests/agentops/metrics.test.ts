import { randomUUID } from "node:crypto";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setClient } from "windmill-client";
import { startWindmillApi, type FakeWindmillApi } from "../../scripts/fakes/windmill-api.ts";
import { runPath } from "../../scripts/runner/index.ts";
import { collectAgentRuns, computeAgentMetrics, median, percentile, sampleFromJob, type AgentMetricsRow } from "../../f/devgodzilla/lib/agentops/metrics.ts";
import { main as agentMetrics } from "../../f/devgodzilla/agent_metrics.ts";

const FIX = path.join(import.meta.dirname, "../fixtures/agentops");
const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString();

describe("percentiles", () => {
  it("median and nearest-rank p90", () => {
    expect(median([1, 2, 3, 4])).toBe(2.5);
    expect(median([5])).toBe(5);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
    expect(percentile([10, 20, 40], 90)).toBe(40);
    expect(percentile([], 90)).toBeNull();
  });
});

describe("agent metrics from the Windmill job history (fake API behind the real windmill-client)", () => {
  let wm: FakeWindmillApi;
  beforeAll(async () => {
    wm = await startWindmillApi({ token: "wm-metrics", workspace: "dg" });
    process.env.WM_WORKSPACE = "dg";
    setClient("wm-metrics", wm.baseUrl);
    const exec = (i: number, agent: string, model: string | null, durationMs: number, ok: boolean, extra: Record<string, unknown> = {}) =>
      wm.addJob({
        script_path: "f/devgodzilla/execute_task",
        is_flow_step: true,
        success: ok,
        duration_ms: durationMs + 5_000,
        created_at: iso(60_000 * i),
        result: ok
          ? {
              task_id: `T00${i}`,
              agent: { agentId: agent, model, durationMs, tokens: { input: 1000, output: 100 }, costUsd: agent === "claude-code" ? 0.05 : null },
              usage: { input_tokens: 1000, output_tokens: 100, cost_usd: agent === "claude-code" ? 0.05 : null },
            }
          : { error: { name: "AgentFailedError", message: "exited with code 1" } },
        ...extra,
      });
    // claude-code/sonnet: 3 standalone runs (10 s, 20 s, 40 s), one of them failed (no agent in the result → attributed by the merge below, not here)
    exec(1, "claude-code", "sonnet", 10_000, true);
    exec(2, "claude-code", "sonnet", 20_000, true);
    exec(3, "claude-code", "sonnet", 40_000, true, {
      result: {
        task_id: "T003",
        agent: { agentId: "claude-code", model: "sonnet", durationMs: 40_000, tokens: { input: 1000, output: 100 }, costUsd: 0.05 },
        usage: { input_tokens: 1000, output_tokens: 100, cost_usd: 0.05 },
        blocked: true,
      },
    });
    // codex inside task_with_qa flows: the flow job holds the verdict, its execute_task step the agent → counted once, merged
    for (const [i, pass] of [
      [4, true],
      [5, false],
    ] as const) {
      const flow = wm.addJob({
        script_path: "f/devgodzilla/task_with_qa",
        job_kind: "flow",
        success: true,
        duration_ms: 90_000,
        created_at: iso(60_000 * i),
        result: { task_with_qa: true, status: pass ? "passed" : "failed", verdict: { status: pass ? "passed" : "failed", score: pass ? 0.9 : 0.3 } },
      });
      exec(i, "codex", "gpt-5-codex", 30_000, true, { parent_job: flow.id });
    }
    // an old job outside the window, a running job, and another path: all ignored
    exec(9, "qwen", null, 1_000, true, { created_at: iso(40 * 86_400_000) });
    wm.addJob({ script_path: "f/devgodzilla/execute_task", running: true, created_at: iso(1000) });
    wm.addJob({ script_path: "f/devgodzilla/specify", success: true, created_at: iso(1000), result: { agent: "llm" } });
  });
  afterAll(async () => wm.close());

  it("computes runs, success, QA pass, median/p90 duration, tokens and cost per agent and model", async () => {
    const samples = await collectAgentRuns({ since: new Date(Date.now() - 7 * 86_400_000) });
    expect(samples).toHaveLength(5);
    const rows = computeAgentMetrics(samples);
    const by = Object.fromEntries(rows.map((r) => [r.agent, r])) as Record<string, AgentMetricsRow>;
    expect(by["claude-code"]).toEqual({
      agent: "claude-code",
      model: "sonnet",
      runs: 3,
      success_rate: 0.667,
      qa_pass_rate: null,
      qa_runs: 0,
      median_duration_s: 20,
      p90_duration_s: 40,
      input_tokens: 3000,
      output_tokens: 300,
      cost_usd: 0.15,
    });
    expect(by.codex).toMatchObject({
      model: "gpt-5-codex",
      runs: 2,
      success_rate: 0.5,
      qa_pass_rate: 0.5,
      qa_runs: 2,
      median_duration_s: 30,
      p90_duration_s: 30,
      input_tokens: 2000,
      cost_usd: 0,
    });
    expect(by.qwen).toBeUndefined();
    // Read through the real client: one list call per path, filtered server-side.
    const lists = wm.requests.filter((r) => r.path === "/api/w/dg/jobs/list");
    expect(lists.map((r) => r.query.script_path_exact).sort()).toEqual(["f/devgodzilla/execute_task", "f/devgodzilla/task_with_qa"]);
    // No `running` filter: on Windmill it restricts the list to the queue (completed jobs are what counts here).
    expect(lists.every((r) => r.authorized && r.query.running === undefined)).toBe(true);
  });

  it("the script renders a markdown summary and a table", async () => {
    const out = await agentMetrics(7);
    expect(Object.keys(out)).toEqual(["render_all"]);
    const [md, table] = out.render_all;
    expect(md.markdown).toContain("5 task runs");
    expect(md.markdown).toContain("| claude-code | sonnet | 3 | 67% | – | 20.0 s | 40.0 s | 3000/300 | $0.1500 |");
    expect(md.markdown).toContain("| codex | gpt-5-codex | 2 | 50% | 50% (2) |");
    expect(table["table-row-object"].map((r) => r.agent)).toEqual(["claude-code", "codex"]);
    await expect(agentMetrics(0)).rejects.toMatchObject({ field: "since_days" });
  });

  it("with since, counts only the runs started from then on (a window both a server and the local runner can agree on)", async () => {
    const out = await agentMetrics(30, ["f/devgodzilla/execute_task", "f/devgodzilla/task_with_qa"], 2000, iso(150_000));
    expect(out.render_all[0].markdown).toContain("2 task runs");
    expect(out.render_all[1]["table-row-object"]).toEqual([expect.objectContaining({ agent: "claude-code", runs: 2 })]);
    await expect(agentMetrics(30, undefined, 2000, "since lunch")).rejects.toMatchObject({ field: "since" });
  });

  it("a retried task_with_qa is one task run: the next attempt's flow sits under a loop iteration job, as on Windmill", async () => {
    const wm3 = await startWindmillApi({ token: "wm-nested", workspace: "dg" });
    setClient("wm-nested", wm3.baseUrl);
    try {
      const outer = wm3.addJob({
        script_path: "f/devgodzilla/task_with_qa",
        job_kind: "flow",
        success: true,
        created_at: iso(5000),
        result: { task_with_qa: true, status: "passed", verdict: { status: "passed", score: 0.9 } },
      });
      const iteration = wm3.addJob({
        script_path: "f/devgodzilla/task_with_qa/loop-0",
        job_kind: "flow",
        success: true,
        parent_job: outer.id,
        created_at: iso(4000),
      });
      const inner = wm3.addJob({
        script_path: "f/devgodzilla/task_with_qa",
        job_kind: "flow",
        success: true,
        parent_job: iteration.id,
        created_at: iso(3000),
        result: { task_with_qa: true, status: "passed", verdict: { status: "passed", score: 0.9 } },
      });
      for (const parent of [outer.id, inner.id])
        wm3.addJob({
          script_path: "f/devgodzilla/execute_task",
          success: true,
          duration_ms: 2000,
          parent_job: parent,
          created_at: iso(2000),
          result: { agent: { agentId: "codex", model: "m", durationMs: 1000 }, usage: { input_tokens: 10, output_tokens: 1 } },
        });
      const rows = computeAgentMetrics(await collectAgentRuns({ since: new Date(Date.now() - 86_400_000) }));
      expect(rows).toEqual([expect.objectContaining({ agent: "codex", runs: 1, qa_runs: 1 })]);
    } finally {
      setClient("wm-metrics", wm.baseUrl);
      await wm3.close();
    }
  });

  it("pages through more jobs than one page holds", async () => {
    const wm2 = await startWindmillApi({ token: "wm-paging", workspace: "dg" });
    setClient("wm-paging", wm2.baseUrl);
    try {
      for (let i = 0; i < 230; i++) {
        wm2.addJob({
          script_path: "f/devgodzilla/execute_task",
          success: true,
          duration_ms: 1000 + i,
          created_at: iso(1000 * i),
          result: { agent: "amp", usage: { input_tokens: 1, output_tokens: 1 } },
        });
      }
      const rows = computeAgentMetrics(await collectAgentRuns({ paths: ["f/devgodzilla/execute_task"] }));
      expect(rows).toEqual([expect.objectContaining({ agent: "amp", runs: 230, input_tokens: 230 })]);
    } finally {
      setClient("wm-metrics", wm.baseUrl);
      await wm2.close();
    }
  });
});

describe("agent metrics on the local runner, from its run records", () => {
  let dir: string;
  let bin: string;
  let stateDir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), "dg-metrics-local-"));
    bin = path.join(dir, "bin");
    stateDir = path.join(dir, "state");
    mkdirSync(bin);
    symlinkSync(path.join(FIX, "fake-cli.mjs"), path.join(bin, "claude"));
    symlinkSync(path.join(FIX, "fake-cli.mjs"), path.join(bin, "qwen"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const worktree = () => {
    const wt = path.join(dir, `wt-${randomUUID().slice(0, 8)}`);
    mkdirSync(wt);
    execFileSync("git", ["init", "-q", wt]);
    return wt;
  };

  it("runs fake-agent task jobs through runPath, then agent_metrics reads them back", async () => {
    const root = path.join(FIX, "root");
    const agents = { bin_dir: bin };
    const store = { resources: {}, variables: {} };
    const runs = [
      await runPath("f/devgodzilla/execute_task", { root, stateDir, store, args: { task_id: "T001", agent: "claude-code", cwd: worktree(), agents } }),
      await runPath("f/devgodzilla/execute_task", { root, stateDir, store, args: { task_id: "T002", agent: "claude-code", cwd: worktree(), agents } }),
      await runPath("f/devgodzilla/task_with_qa", { root, stateDir, store, args: { task_id: "T003", agent: "qwen", cwd: worktree(), agents, pass: true } }),
      await runPath("f/devgodzilla/task_with_qa", { root, stateDir, store, args: { task_id: "T004", agent: "qwen", cwd: worktree(), agents, pass: false } }),
      await runPath("f/devgodzilla/task_with_qa", {
        root,
        stateDir,
        store,
        args: { task_id: "T005", agent: "claude-code", cwd: worktree(), agents, pass: true },
      }),
    ];
    expect(runs.map((r) => r.status)).toEqual(["success", "success", "success", "success", "success"]);

    // The real script, run by the local runner over the same state dir (the runner serves the API).
    const out = await runPath("f/devgodzilla/agent_metrics", { stateDir, store, args: { since_days: 1 } });
    expect(out.status).toBe("success");
    const rows = (out.result as { render_all: [{ markdown: string }, { "table-row-object": AgentMetricsRow[] }] }).render_all[1]["table-row-object"];
    const by = Object.fromEntries(rows.map((r) => [r.agent, r]));
    expect(by["claude-code"]).toMatchObject({
      model: "(default)",
      runs: 3,
      success_rate: 1,
      qa_runs: 1,
      qa_pass_rate: 1,
      input_tokens: 600,
      output_tokens: 150,
      cost_usd: 0.012,
    });
    expect(by.qwen).toMatchObject({ runs: 2, success_rate: 0.5, qa_runs: 2, qa_pass_rate: 0.5, input_tokens: 400, cost_usd: 0 });
    expect(by["claude-code"].median_duration_s).toBeGreaterThan(0);
  });
});

describe("a task_with_qa job's tokens and cost", () => {
  it("are its agents' runs (agent_usage), not the task's whole usage with its QA judge's and feedback calls", () => {
    const s = sampleFromJob(
      { id: "j1", script_path: "f/devgodzilla/task_with_qa", success: true },
      {
        task_with_qa: true,
        status: "passed",
        usage: { input_tokens: 2200, output_tokens: 330, tokens: 2530, cost_usd: 0.0042 },
        agent_usage: { input_tokens: 200, output_tokens: 130, tokens: 330, cost_usd: 0.002 },
      },
    );
    expect(s).toMatchObject({ inputTokens: 200, outputTokens: 130, costUsd: 0.002 });
  });
});
