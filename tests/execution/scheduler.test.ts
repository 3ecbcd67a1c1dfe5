// Scheduler semantics with fake tasks that sleep (real timers, small durations).
import { describe, it, expect } from "vitest";
import { scheduleDag, DagError, type DagTaskInput, type AttemptOutcome } from "../../f/devgodzilla/lib/dag/scheduler.ts";

interface T extends DagTaskInput {
  ms: number;
}
const t = (id: string, ms: number, ...dependsOn: string[]): T => ({ id, ms, dependsOn });
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function recorder() {
  const t0 = Date.now();
  const starts: Record<string, number> = {};
  const ends: Record<string, number> = {};
  let running = 0;
  let max = 0;
  const calls: string[] = [];
  const run = (fail: (id: string, attempt: number, agent?: string) => AttemptOutcome<string> | null = () => null) =>
    async (task: T, info: { attempt: number; agent?: string }): Promise<AttemptOutcome<string>> => {
      calls.push(task.id);
      running++;
      max = Math.max(max, running);
      starts[task.id] ??= Date.now() - t0;
      await sleep(task.ms);
      running--;
      ends[task.id] = Date.now() - t0;
      return fail(task.id, info.attempt, info.agent) ?? { status: "succeeded", result: `done:${task.id}`, usage: { tokens: 10 } };
    };
  return { starts, ends, calls, run, max: () => max };
}

describe("scheduleDag", () => {
  it("starts a task as soon as its own dependencies finished, not when its level finished", async () => {
    const r = recorder();
    // Level 0 = {A (fast), B (slow)}; C needs only A, so it must start long before B ends.
    const tasks = [t("A", 20), t("B", 400), t("C", 20, "A"), t("D", 20, "B")];
    const res = await scheduleDag(tasks, { concurrency: 4, runTask: r.run() });
    expect(res.status).toBe("succeeded");
    expect(r.starts.C).toBeLessThan(r.ends.B - 200);
    expect(r.starts.C).toBeGreaterThanOrEqual(r.ends.A - 5);
    expect(r.starts.D).toBeGreaterThanOrEqual(r.ends.B - 5);
    expect(res.completionOrder.indexOf("A")).toBeLessThan(res.completionOrder.indexOf("C"));
  });

  it("never runs more tasks at once than the concurrency cap, and uses the cap", async () => {
    const r = recorder();
    const tasks = Array.from({ length: 24 }, (_, i) => t(`T${i}`, 5 + ((i * 7) % 13), ...(i >= 12 ? [`T${i - 12}`] : [])));
    const res = await scheduleDag(tasks, { concurrency: 3, runTask: r.run() });
    expect(res.status).toBe("succeeded");
    expect(r.max()).toBe(3);
    expect(res.maxConcurrent).toBe(3);
    expect(Object.values(res.tasks).every((s) => s.status === "succeeded")).toBe(true);
  });

  it("a failed task stops its dependants only; independent branches finish", async () => {
    const r = recorder();
    const tasks = [t("A", 5), t("B", 5, "A"), t("C", 5, "B"), t("D", 30), t("E", 5, "D")];
    const res = await scheduleDag(tasks, {
      concurrency: 2,
      runTask: r.run((id) => (id === "A" ? { status: "failed", error: "agent exploded" } : null)),
    });
    expect(res.status).toBe("failed");
    expect(res.tasks.A.status).toBe("failed");
    expect(res.tasks.A.error).toBe("agent exploded");
    expect(res.tasks.B).toMatchObject({ status: "dependency_failed", blockedBy: "A" });
    expect(res.tasks.C).toMatchObject({ status: "dependency_failed" });
    expect(res.tasks.D.status).toBe("succeeded");
    expect(res.tasks.E.status).toBe("succeeded");
    expect(r.calls).not.toContain("B");
    expect(r.calls).not.toContain("C");
  });

  it("retries with exponential backoff, then succeeds", async () => {
    const r = recorder();
    const delays: number[] = [];
    const res = await scheduleDag([t("A", 1)], {
      runTask: r.run((_id, attempt) => (attempt < 3 ? { status: "failed", error: `flake ${attempt}` } : null)),
      failurePolicy: { retries: 2, backoffMs: 100, backoffFactor: 3 },
      sleep: async (ms) => void delays.push(ms),
    });
    expect(res.tasks.A.status).toBe("succeeded");
    expect(res.tasks.A.attempts.map((a) => a.status)).toEqual(["failed", "failed", "succeeded"]);
    expect(delays).toEqual([100, 300]);
  });

  it("switches to the fallback agent once the configured agent used its retries", async () => {
    const r = recorder();
    const res = await scheduleDag([t("A", 1)], {
      runTask: r.run((_id, _a, agent) => (agent === "qwen" ? null : { status: "failed", error: "codex down" })),
      failurePolicy: { retries: 1, backoffMs: 0, fallbackAgents: ["qwen"] },
    });
    expect(res.tasks.A.status).toBe("succeeded");
    expect(res.tasks.A.attempts.map((a) => a.agent ?? "default")).toEqual(["default", "default", "qwen"]);
  });

  it("does not retry a failure marked non-retryable (e.g. the agent is blocked)", async () => {
    const r = recorder();
    const res = await scheduleDag([t("A", 1)], {
      runTask: r.run(() => ({ status: "failed", error: "needs clarification", retryable: false })),
      failurePolicy: { retries: 3, backoffMs: 0, fallbackAgents: ["qwen"] },
    });
    expect(res.tasks.A.status).toBe("failed");
    expect(res.tasks.A.attempts).toHaveLength(1);
  });

  it("stop_run: after a failure nothing new starts, running tasks finish", async () => {
    const r = recorder();
    const tasks = [t("A", 5), t("B", 80), t("C", 5, "B"), t("D", 5, "B")];
    const res = await scheduleDag(tasks, {
      concurrency: 2,
      runTask: r.run((id) => (id === "A" ? { status: "failed", error: "boom" } : null)),
      failurePolicy: { onFailure: "stop_run" },
    });
    expect(res.status).toBe("stopped");
    expect(res.tasks.B.status).toBe("succeeded"); // was running: allowed to finish
    expect(res.tasks.C.status).toBe("not_started");
    expect(res.tasks.D.status).toBe("not_started");
    expect(res.stopReason).toMatch(/task A failed/);
  });

  it("a task over its own budget fails and stops its dependants", async () => {
    const res = await scheduleDag([t("A", 1), t("B", 1, "A"), t("C", 1)], {
      runTask: async (task) => ({ status: "succeeded", result: task.id, usage: { tokens: task.id === "A" ? 5000 : 10 } }),
      budget: { perTask: { tokens: 1000 } },
    });
    expect(res.tasks.A.status).toBe("budget_exceeded");
    expect(res.tasks.A.error).toMatch(/5000 tokens > budget 1000/);
    expect(res.tasks.B.status).toBe("dependency_failed");
    expect(res.tasks.C.status).toBe("succeeded");
  });

  it("the run budget stops work: once spent, no further task starts", async () => {
    const seen: string[] = [];
    const tasks = [t("A", 1), t("B", 1, "A"), t("C", 1, "B"), t("D", 1, "C")];
    const res = await scheduleDag(tasks, {
      concurrency: 1,
      runTask: async (task, info) => {
        seen.push(`${task.id}:${info.runBudgetLeft?.costUsd?.toFixed(2)}`);
        return { status: "succeeded", result: task.id, usage: { costUsd: 0.4 } };
      },
      budget: { perRun: { costUsd: 1.0 } },
    });
    expect(res.status).toBe("budget_exceeded");
    expect(seen).toEqual(["A:1.00", "B:0.60", "C:0.20"]);
    expect(res.tasks.D.status).toBe("not_started");
    expect(res.usage.costUsd).toBeCloseTo(1.2);
  });

  it("resume: tasks that already succeeded are not run again; their results feed the rest", async () => {
    const r = recorder();
    const tasks = [t("A", 1), t("B", 1, "A"), t("C", 1, "B"), t("X", 1)];
    const res = await scheduleDag(tasks, { runTask: r.run(), alreadySucceeded: new Map([["A", "old:A"], ["B", "old:B"]]) });
    expect(r.calls.sort()).toEqual(["C", "X"]);
    expect(res.tasks.A).toMatchObject({ status: "skipped_succeeded", result: "old:A" });
    expect(res.tasks.C.status).toBe("succeeded");
    expect(res.status).toBe("succeeded");
    expect(res.completionOrder.slice(0, 2)).toEqual(["A", "B"]);
  });

  it("runs the success hook one at a time in dependency order; a hook failure fails the task", async () => {
    let inHook = 0;
    const merged: string[] = [];
    const tasks = [t("A", 5), t("B", 5), t("C", 5, "A", "B"), t("D", 5, "C")];
    const res = await scheduleDag(tasks, {
      concurrency: 4,
      runTask: async (task) => {
        await sleep(task.ms);
        return { status: "succeeded", result: task.id };
      },
      onTaskSucceeded: async (task) => {
        inHook++;
        expect(inHook).toBe(1);
        await sleep(10);
        inHook--;
        merged.push(task.id);
        if (task.id === "C") return { status: "failed", error: "merge conflict in src/a.ts", retryable: false };
      },
    });
    expect(merged.slice(0, 2).sort()).toEqual(["A", "B"]);
    expect(merged[2]).toBe("C");
    expect(res.tasks.C).toMatchObject({ status: "failed", error: "merge conflict in src/a.ts" });
    expect(res.tasks.D.status).toBe("dependency_failed");
  });

  it("rejects a cyclic or dangling DAG before running anything", async () => {
    let ran = 0;
    const runTask = async () => {
      ran++;
      return { status: "succeeded" as const, result: "x" };
    };
    await expect(scheduleDag([t("A", 1, "B"), t("B", 1, "A")], { runTask })).rejects.toThrowError(DagError);
    await expect(scheduleDag([t("A", 1, "Z")], { runTask })).rejects.toThrow(/unknown task Z/);
    expect(ran).toBe(0);
  });
});
