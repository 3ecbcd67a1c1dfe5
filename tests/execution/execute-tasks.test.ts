// The execute_tasks flow on the local runner, as Windmill runs it: every task an iteration of a
// parallel loop whose wait step is suspended until its dependencies finish (their finish steps
// resume it through its resume URL, registered in the run's flow state), every task job a real
// execute_task (fake agent CLI, real git remote), expressions evaluated as a Windmill without V8.
import { describe, it, expect, afterEach } from "vitest";
import path from "node:path";
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import { runPath, RunStore, type LocalStore } from "../../scripts/runner/index.ts";
import { createFixtureRemote, gitIn, type FixtureRemote } from "../helpers/git-fixtures.ts";
import { FAKE_BIN } from "../agents/helpers.ts";
import { promptText, startLlmServer, type LlmExchange, type LlmReply } from "../../scripts/fakes/llm-server.ts";

const FEATURE = "004-dag";
const BRANCH = `devgodzilla/${FEATURE}`;
const SECRET = "sk-execute-tasks-secret-0123456789";
const store: LocalStore = {
  resources: {
    "f/devgodzilla/agents_fake": {
      resource_type: "c_devgodzilla_agents",
      value: { default_agent: "qwen", enabled: ["qwen", "claude-code"], bin_dir: FAKE_BIN, agents: { qwen: { api_key: SECRET } } },
    },
  },
  variables: {},
};

/** A task line the fake agent turns into writing `file` with `content`. */
export const w = (file: string, content: string) => `[[fake:write ${file}=${content}]]`;

interface T {
  id: string;
  does: string;
  deps?: string[];
}

/** A tasks.md line per task: text, then the dependencies, then the fake agent's directives. */
const tasksMd = (tasks: T[]) => {
  const line = (t: T) => {
    const directives = t.does.match(/\[\[[^\]]*\]\]/g) ?? [];
    const text = t.does.replace(/\[\[[^\]]*\]\]/g, "").trim();
    return `- [ ] ${t.id} [P] ${text}${t.deps?.length ? ` (depends on ${t.deps.join(", ")})` : ""} ${directives.join(" ")}`.trimEnd();
  };
  return ["# Tasks: dag", "", "## Phase 1: Work", "", ...tasks.map(line), ""].join("\n");
};

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c().catch(() => undefined);
});

async function setup(tasks: T[], opts: { flow?: string; root?: string; prose?: string } = {}) {
  const fx: FixtureRemote = await createFixtureRemote("empty", { extraFiles: { [`specs/${FEATURE}/tasks.md`]: tasksMd(tasks) + (opts.prose ?? "") } });
  const stateDir = await mkdtemp(path.join(os.tmpdir(), "dgz-exec-tasks-"));
  cleanups.push(
    () => fx.cleanup(),
    () => rm(stateDir, { recursive: true, force: true }),
  );
  const run = (extra: Record<string, unknown> = {}) =>
    runPath(opts.flow ?? "f/devgodzilla/execute_tasks", {
      args: {
        repo: fx.remote,
        branch: BRANCH,
        commit: fx.seed,
        feature: FEATURE,
        retries: 0,
        setup: "skip",
        agents: "$res:f/devgodzilla/agents_fake",
        ...extra,
      },
      store,
      stateDir,
      noV8: true,
      root: opts.root,
    });
  const journal = (runId: string) => new RunStore(stateDir).journal(runId);
  return { fx, run, journal };
}

const isEstimate = (ex: LlmExchange) => /You estimate how much work each task/.test(promptText(ex));
const sizes = (by: Record<string, string>) => ({ text: JSON.stringify({ estimates: Object.entries(by).map(([id, size]) => ({ id, size })) }) });

/** A loopback model answering `reply`, registered as the LLM resource `f/test/<name>`; returns the server and the `$res:` reference. */
async function planningModel(name: string, reply: (ex: LlmExchange) => LlmReply) {
  const server = await startLlmServer(reply);
  cleanups.push(() => server.close());
  store.resources[`f/test/${name}`] = {
    resource_type: "c_devgodzilla_llm",
    value: { provider: "openai", api_key: SECRET, base_url: server.openaiBaseUrl, model: "gpt-4.1-mini" },
  };
  return { server, llm: `$res:f/test/${name}` };
}

const stepResults = (journal: ReturnType<RunStore["journal"]>, stepId: string) =>
  journal.filter((e) => e.type === "step" && e.step_id === stepId).map((e) => (e as { result: any }).result);

describe("execute_tasks: dependency-driven, no job waits for another", () => {
  it("runs a diamond DAG: each task starts from a commit with its dependencies merged, all merged into the run branch in dependency order", async () => {
    const { fx, run, journal } = await setup([
      { id: "T001", does: `setup ${w("a.txt", "A")}` },
      { id: "T002", does: `left ${w("b.txt", "B")}`, deps: ["T001"] },
      { id: "T003", does: `right ${w("c.txt", "C")}`, deps: ["T001"] },
      { id: "T004", does: `join ${w("d.txt", "D")}`, deps: ["T002", "T003"] },
    ]);
    const out = await run({ concurrency: 2 });
    expect(out.status, JSON.stringify(out.error ?? out.result)).toBe("success");
    const res = out.result as any;
    expect(res.status).toBe("succeeded");
    expect(res.tasks.map((t: any) => [t.id, t.status, t.merge])).toEqual(["T001", "T002", "T003", "T004"].map((id) => [id, "succeeded", "merged"]));
    expect(res.completion_order[0]).toBe("T001");
    expect(res.completion_order[3]).toBe("T004");
    expect(await fx.head(BRANCH)).toBe(res.commit);
    for (const f of ["a.txt", "b.txt", "c.txt", "d.txt"]) expect(await fx.show(BRANCH, f)).not.toBeNull();
    // The run branch's merges, oldest first, respect the dependencies: T001 first, T004 last. T002 and
    // T003 run side by side, so either may merge first (and completion_order, read off the finish
    // steps, need not match the push order).
    const log = (await gitIn(fx.remote, ["log", "--first-parent", "--format=%s", BRANCH])).trim().split("\n");
    const merged = log
      .slice(0, 4)
      .reverse()
      .map((s) => s.slice(0, 15));
    expect([merged[0], merged[3]]).toEqual(["Merge task T001", "Merge task T004"]);
    expect(merged.slice(1, 3).sort()).toEqual(["Merge task T002", "Merge task T003"]);
    // T004's job started from a commit with both dependencies' work, and got their summaries.
    const starts = stepResults(journal(out.runId), "start");
    const t4 = starts.find((s) => s.task_id === "T004");
    expect(await fx.show(t4.commit, "b.txt")).toBe("B");
    expect(await fx.show(t4.commit, "c.txt")).toBe("C");
    expect(t4.dependencies.map((d: any) => d.id)).toEqual(["T002", "T003"]);
    expect(t4.dependencies[0].changedFiles).toEqual(["b.txt"]);
    // Every task's agent, as its job reported it, and where the choice came from.
    expect(res.tasks.map((t: any) => [t.agent, t.agent_source, t.agent_source_from])).toEqual(Array(4).fill(["qwen", "org default: default_agent", "job"]));
    expect(res.report).toContain("| T004 | ✅ succeeded | qwen |");
    expect(res.max_concurrent).toBeLessThanOrEqual(2);
    expect(JSON.stringify(res)).not.toContain(SECRET);
  });
});

/** The task ids the run's start steps let through to a task job. */
const taskJobs = (journal: ReturnType<RunStore["journal"]>) =>
  journal.filter((e) => e.type === "step" && e.step_id === "start" && (e as { result: any }).result.go).map((e) => (e as { result: any }).result.task_id);

describe("execute_tasks policies", () => {
  it("a failed task stops only its dependants; running again skips what succeeded and runs only the rest", async () => {
    const { fx, run, journal } = await setup([
      { id: "T001", does: `setup ${w("a.txt", "A")}` },
      { id: "T002", does: "breaks [[fake:exit 3]]", deps: ["T001"] },
      { id: "T003", does: `after the broken one ${w("c.txt", "C")}`, deps: ["T002"] },
      { id: "T004", does: `independent ${w("d.txt", "D")}` },
    ]);
    const first = await run({ concurrency: 2 });
    expect(first.status, JSON.stringify(first.error)).toBe("success");
    const r1 = first.result as any;
    expect(r1.status).toBe("failed");
    expect(Object.fromEntries(r1.tasks.map((t: any) => [t.id, t.status]))).toEqual({
      T001: "succeeded",
      T002: "failed",
      T003: "dependency_failed",
      T004: "succeeded",
    });
    expect(r1.tasks.find((t: any) => t.id === "T002").error).toMatch(/exit|failed/i);
    expect(r1.tasks.find((t: any) => t.id === "T003")).toMatchObject({ blocked_by: "T002" });
    expect(await fx.show(BRANCH, "d.txt")).toBe("D");
    expect(await fx.show(BRANCH, "c.txt")).toBeNull();

    const again = await run({ concurrency: 2 });
    const r2 = again.result as any;
    expect(Object.fromEntries(r2.tasks.map((t: any) => [t.id, t.status]))).toEqual({
      T001: "skipped_succeeded",
      T002: "failed",
      T003: "dependency_failed",
      T004: "skipped_succeeded",
    });
    expect(taskJobs(journal(again.runId))).toEqual(["T002"]); // only the unfinished task ran again
    expect(r2.commit).toBe(r1.commit);
  });

  it("stops starting tasks once the run budget is spent, with one slot (concurrency 1)", async () => {
    const { run } = await setup([
      { id: "T001", does: `a ${w("a.txt", "A")}` },
      { id: "T002", does: `b ${w("b.txt", "B")}`, deps: ["T001"] },
      { id: "T003", does: `c ${w("c.txt", "C")}`, deps: ["T002"] },
    ]);
    const out = await run({ concurrency: 1, budget: { run_tokens: 200 } });
    const res = out.result as any;
    // The fake agent reports 165 tokens per run: after T002 the run has spent 330 > 200.
    expect(res.status).toBe("budget_exceeded");
    expect(res.tasks.map((t: any) => t.status)).toEqual(["succeeded", "succeeded", "not_started"]);
    expect(res.usage.tokens).toBe(330);
    expect(res.stop_reason).toMatch(/run budget exceeded \(330 tokens > budget 200\)/);
  });

  it("a merge conflict goes to one follow-up run on top of the run branch (on_conflict: agent)", async () => {
    const { fx, run, journal } = await setup([
      { id: "T001", does: `one ${w("shared.txt", "from one")}` },
      { id: "T002", does: `two ${w("shared.txt", "from two")}` },
    ]);
    const out = await run({ concurrency: 2, on_conflict: "agent" });
    const res = out.result as any;
    expect(res.status).toBe("succeeded");
    const second = res.tasks.find((t: any) => t.id === res.completion_order[1]);
    expect(second.jobs).toHaveLength(2);
    const followUp = journal(out.runId).find((e) => e.type === "step" && e.step_id === "merge" && (e as any).result.task_id === second.id) as any;
    expect(followUp.result.note).toMatch(/conflicted .* shared\.txt/);
    expect(await fx.show(BRANCH, "shared.txt")).toBe(second.id === "T002" ? "from two" : "from one");
  });

  it("retries the task's agent, then the fallback agent takes over; the outcome names it and why", async () => {
    const { run } = await setup([{ id: "T001", does: `one ${w("a.txt", "A")}` }]);
    const failingQwen = {
      default_agent: "qwen",
      enabled: ["qwen", "claude-code"],
      bin_dir: FAKE_BIN,
      agents: { qwen: { env: { FAKE_AGENT_MODE: "exit=2" } } },
    };
    store.resources["f/devgodzilla/agents_qwen_fails"] = { resource_type: "c_devgodzilla_agents", value: failingQwen };
    const out = await run({ retries: 1, backoff_seconds: 0, fallback_agents: ["claude-code"], agents: "$res:f/devgodzilla/agents_qwen_fails" });
    const t = (out.result as any).tasks[0];
    expect(t).toMatchObject({ status: "succeeded", agent: "claude-code", attempts: 3 });
    expect(t.agent_source).toMatch(/^fallback agent/);
  });
});

describe("execute_tasks deadline", () => {
  it("past the deadline the watch names what never finished and cancels the run with that message", async () => {
    // The same flow with a 5 s deadline (the shipped one waits 24 h), beside the real bundle: long
    // enough for T001 to start on a cold start (tsx compiles the bundle's modules on first use),
    // short of the hanging agent's own 30 s timeout.
    const root = await mkdtemp(path.join(os.tmpdir(), "dgz-deadline-root-"));
    cleanups.push(() => rm(root, { recursive: true, force: true }));
    await mkdir(path.join(root, "f", "dgtest", "execute_tasks_deadline__flow"), { recursive: true });
    await symlink(path.resolve("f/devgodzilla"), path.join(root, "f", "devgodzilla"));
    await symlink(path.resolve("node_modules"), path.join(root, "node_modules"));
    await writeFile(path.join(root, "package.json"), '{"type":"module","private":true}\n');
    const flow = (await readFile("f/devgodzilla/execute_tasks__flow/flow.yaml", "utf8")).replaceAll("timeout: 86400", "timeout: 5");
    await writeFile(path.join(root, "f", "dgtest", "execute_tasks_deadline__flow", "flow.yaml"), flow);
    const hangs = { default_agent: "qwen", enabled: ["qwen"], bin_dir: FAKE_BIN, timeout_seconds: 30 };
    store.resources["f/devgodzilla/agents_slow"] = { resource_type: "c_devgodzilla_agents", value: hangs };
    const { run } = await setup(
      [
        { id: "T001", does: "never ends [[fake:hang]]" },
        { id: "T002", does: `after ${w("b.txt", "B")}`, deps: ["T001"] },
      ],
      { flow: "f/dgtest/execute_tasks_deadline", root },
    );
    const out = await run({ agents: "$res:f/devgodzilla/agents_slow" });
    expect(out.status).toBe("canceled");
    expect(out.error?.message).toMatch(/deadline: 2 of 2 tasks did not finish within/);
    expect(out.error?.message).toMatch(/T001 started at .* and did not finish/);
    expect(out.error?.message).toMatch(/T002 never started: it waits for T001/);
  });
});

describe("execute_tasks reads prose dependencies with the model", () => {
  it("with `llm`, a dependency only the model reads from a sentence orders the tasks (T002 starts from T001's work)", async () => {
    const HEDGED = "T002 may reuse what T001 builds, so it likely comes after it.";
    const { server, llm } = await planningModel("llm_dag", (ex) =>
      isEstimate(ex)
        ? sizes({ T001: "M", T002: "M" })
        : { text: JSON.stringify({ relations: [{ quote: HEDGED, relation: "after", subjects: ["T002"], prerequisites: ["T001"] }] }) },
    );
    const { run, journal } = await setup(
      [
        { id: "T001", does: `first ${w("a.txt", "A")}` },
        { id: "T002", does: `second ${w("b.txt", "B")}` },
      ],
      { prose: `\n## Dependencies & Execution Order\n\n- ${HEDGED}\n` },
    );
    const out = await run({ concurrency: 2, llm });
    expect(out.status, JSON.stringify(out.error ?? out.result)).toBe("success");
    expect(server.requests.length).toBe(2); // the relations and the effort estimates
    const dag = stepResults(journal(out.runId), "dag")[0];
    expect(dag.model_reading).toMatchObject({ used: 1, estimates: { estimated: 2 } });
    expect(dag.tasks.find((t: any) => t.id === "T002").dependsOn).toEqual(["T001"]);
    const t2 = stepResults(journal(out.runId), "start").find((s) => s.task_id === "T002");
    expect(t2.dependencies.map((d: any) => d.id)).toEqual(["T001"]);
    expect((out.result as any).completion_order).toEqual(["T001", "T002"]);
    expect(JSON.stringify(out.result)).not.toContain(SECRET);
  });
});

describe("execute_tasks starts the tasks the model sizes biggest first", () => {
  it("with `llm`, among look-alike parallel tasks the one the model calls XL runs first (its weight reaches the plan)", async () => {
    const { server, llm } = await planningModel("llm_sizes", (ex) =>
      isEstimate(ex) ? sizes({ T001: "S", T002: "S", T003: "XL" }) : { status: 500, error: "unexpected request" },
    );
    const { run, journal } = await setup([
      { id: "T001", does: `one ${w("a.txt", "A")}` },
      { id: "T002", does: `two ${w("b.txt", "B")}` },
      { id: "T003", does: `three ${w("c.txt", "C")}` },
    ]);
    const out = await run({ concurrency: 1, llm });
    expect(out.status, JSON.stringify(out.error ?? out.result)).toBe("success");
    expect(server.requests.length).toBe(1);
    const dag = stepResults(journal(out.runId), "dag")[0];
    expect(dag.tasks.map((t: any) => [t.id, t.weight])).toEqual([
      ["T001", 1],
      ["T002", 1],
      ["T003", 8],
    ]);
    expect(stepResults(journal(out.runId), "plan")[0].items).toEqual(["T003", "T001", "T002"]);
    expect((out.result as any).completion_order).toEqual(["T003", "T001", "T002"]);
    expect(JSON.stringify(out.result)).not.toContain(SECRET);
  });
});

describe("execute_tasks counts what planning cost", () => {
  it("with `llm`, the run's usage is the planner's model calls plus the agents', and the report says what the planning cost", async () => {
    const HEDGED = "T002 may reuse what T001 builds, so it likely comes after it.";
    const { server, llm } = await planningModel("llm_cost", (ex) =>
      isEstimate(ex)
        ? { ...sizes({ T001: "M", T002: "S" }), usage: { inputTokens: 900, outputTokens: 40 } }
        : {
            text: JSON.stringify({ relations: [{ quote: HEDGED, relation: "after", subjects: ["T002"], prerequisites: ["T001"] }] }),
            usage: { inputTokens: 1200, outputTokens: 80 },
          },
    );
    const { run, journal } = await setup(
      [
        { id: "T001", does: `first ${w("a.txt", "A")}` },
        { id: "T002", does: `second ${w("b.txt", "B")}` },
      ],
      { prose: `\n## Dependencies & Execution Order\n\n- ${HEDGED}\n` },
    );
    const out = await run({ concurrency: 2, llm });
    expect(out.status, JSON.stringify(out.error ?? out.result)).toBe("success");
    const res = out.result as any;
    expect(server.requests.length).toBe(2);
    // gpt-4.1-mini: $0.40 / $1.60 per million input / output tokens.
    const planningCost = (2100 * 0.4 + 120 * 1.6) / 1e6;
    expect(res.planning_usage).toMatchObject({ calls: 2, usage: { tokens: 2220 }, unpriced_models: [] });
    expect(res.planning_usage.usage.costUsd).toBeCloseTo(planningCost, 9);
    expect(res.planning_usage.usage_id).toBe(stepResults(journal(out.runId), "dag")[0].usage_id);
    // The fake agent reports 165 tokens per run.
    expect(res.tasks_usage.tokens).toBe(330);
    expect(res.usage.tokens).toBe(2220 + 330);
    expect(res.usage.costUsd).toBeCloseTo(planningCost + (res.tasks_usage.costUsd ?? 0), 9);
    expect(res.report).toMatch(/\*\*Planning\*\* \(task_dag[^)]*\): 2 model calls, 2,220 tokens, \$0\.0010/);
    expect(res.report).toMatch(/\*\*Total\*\*: 2,550 tokens/);
  });

  it("the planner's calls count toward the run budget: a budget they already spent starts no task", async () => {
    const { server, llm } = await planningModel("llm_budget", (ex) =>
      isEstimate(ex) ? { ...sizes({ T001: "M" }), usage: { inputTokens: 900, outputTokens: 40 } } : { status: 500, error: "unexpected request" },
    );
    const { run } = await setup([{ id: "T001", does: `first ${w("a.txt", "A")}` }]);
    const out = await run({ llm, budget: { run_tokens: 500 } });
    const res = out.result as any;
    expect(res.status).toBe("budget_exceeded");
    expect(res.tasks.map((t: any) => t.status)).toEqual(["not_started"]);
    expect(res.usage.tokens).toBe(940);
    expect(res.stop_reason).toMatch(/run budget exceeded \(940 tokens > budget 500\)/);
  });
});
