// The wait/finish protocol of execute_tasks: a task's wait step registers its resume URL then reads
// its dependencies' outcomes; a finish step records its outcome then resumes the registered
// dependants that are ready. Run here over every kind of interleaving of the two sides' state
// operations (a seeded random scheduler decides which pending operation goes next): the waiting
// task is resumed in every one — no lost wake-up — and never before its dependencies finished.
import { describe, it, expect } from "vitest";
import { RunState } from "../../f/devgodzilla/lib/dag/run_state.ts";
import { WATCH, type RunPlan, type TaskOutcome } from "../../f/devgodzilla/lib/dag/model.ts";
import type { FlowState } from "../../f/devgodzilla/lib/platform/windmill.ts";
import { diagnose, RunDeadlineError, watchStep } from "../../f/devgodzilla/lib/dag/watch.ts";
import { nextStep } from "../../f/devgodzilla/lib/flow_failure.ts";

/** A seeded source of choices; some seeds favour the newest or the oldest pending operation, to reach extreme orders. */
function rng(seed: number) {
  let s = seed;
  const uniform = () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
  const bias = seed % 3;
  return () => (bias === 0 ? uniform() : bias === 1 ? Math.min(0.999, uniform() ** 4) : 1 - uniform() ** 4 - 1e-9);
}

/** A flow state whose every read and write waits until the scheduler lets it through. */
class SteppedState implements FlowState {
  readonly flowJobId = "flow";
  readonly data = new Map<string, unknown>();
  private queue: (() => void)[] = [];
  private op<T>(fn: () => T): Promise<T> {
    return new Promise((resolve) => this.queue.push(() => resolve(fn())));
  }
  get<T>(key: string) {
    return this.op(() => (this.data.has(key) ? (structuredClone(this.data.get(key)) as T) : null));
  }
  set(key: string, value: unknown) {
    return this.op(() => void this.data.set(key, structuredClone(value)));
  }
  /** Lets one pending operation through (which one: the random source decides); false when none is pending. */
  step(random: () => number): boolean {
    if (!this.queue.length) return false;
    const [run] = this.queue.splice(Math.floor(random() * this.queue.length), 1);
    run!();
    return true;
  }
}

const plan = (tasks: Record<string, string[]>): Pick<RunPlan, "tasks" | "topo" | "order"> => {
  const ids = Object.keys(tasks);
  return {
    topo: ids,
    order: ids,
    tasks: Object.fromEntries(
      ids.map((id) => [
        id,
        { id, description: id, files: [], story: null, deps: tasks[id]!, dependants: ids.filter((x) => tasks[x]!.includes(id)), extra: {} },
      ]),
    ),
  };
};
const outcome = (id: string, status: TaskOutcome["status"] = "succeeded"): TaskOutcome => ({
  id,
  status,
  jobs: [],
  attempts: 1,
  usage: {},
  finished_at: new Date().toISOString(),
});

async function drive(state: SteppedState, random: () => number, work: Promise<unknown>[]) {
  let settled = false;
  const all = Promise.all(work).finally(() => (settled = true));
  while (!settled) {
    state.step(random); // one operation, then let every actor queue its next one
    await new Promise((r) => setImmediate(r));
  }
  await all;
}

describe("execute_tasks wait/finish protocol", () => {
  it("a waiting task is resumed exactly when its last dependency finishes, in every interleaving", async () => {
    for (let seed = 1; seed <= 300; seed++) {
      const random = rng(seed);
      const state = new SteppedState();
      const posts: { url: string; by: string; ready: boolean }[] = [];
      const doneBefore = () => ["A", "B"].every((d) => state.data.has(`done.${d}`));
      const post = async (url: string, payload: unknown) => {
        posts.push({ url, by: (payload as { by: string }).by, ready: doneBefore() });
        return "resumed" as const;
      };
      const run = new RunState({ state, post }, plan({ A: [], B: [], C: ["A", "B"] }));
      await drive(state, random, [run.registerAndCheck("C", { url: "url-C", at: "now" }), run.finish(outcome("A")), run.finish(outcome("B"))]);
      const toC = posts.filter((p) => p.url === "url-C");
      expect(toC.length, `seed ${seed}`).toBeGreaterThanOrEqual(1);
      expect(
        toC.every((p) => p.ready),
        `seed ${seed}: resumed before both dependencies finished`,
      ).toBe(true);
    }
  });

  it("the watch is resumed once every task has an outcome; a stopped run resumes every waiter", async () => {
    const state = new SteppedState();
    const posts: string[] = [];
    const run = new RunState({ state, post: async (url) => (posts.push(url), "resumed") }, plan({ A: [], B: ["A"] }));
    const random = rng(7);
    await drive(state, random, [run.registerAndCheck(WATCH, { url: "url-watch", at: "now" }), run.registerAndCheck("B", { url: "url-B", at: "now" })]);
    expect(posts).toEqual([]);
    await drive(state, random, [run.finish(outcome("A", "failed"), { status: "stopped", reason: "task A failed and the policy is stop_run" })]);
    expect(posts.sort()).toEqual(["url-B", "url-watch"]);
  });
});

describe("the run's deadline", () => {
  it("says which tasks never finished, and that a queued job has no live worker for its tag", async () => {
    const state = new SteppedState();
    const p = { ...plan({ A: [], B: ["A"], C: [] }), state_job: "flow-1" } as unknown as RunPlan;
    const random = rng(3);
    const deps = {
      state,
      post: async () => "resumed" as const,
      queued: async () => [{ id: "job-9", script_path: "f/devgodzilla/execute_task", tag: "agents", created_at: new Date(Date.now() - 90_000).toISOString() }],
      workersWithTags: async (tags: string[]) => Object.fromEntries(tags.map((t) => [t, false])),
      cancel: async () => true,
    };
    const run = new RunState(deps, p);
    await drive(state, random, [run.finish(outcome("C")), run.markStarted("A", {})]);
    let message = "";
    await drive(state, random, [diagnose(p, deps, "10 s").then((m) => (message = m))]);
    expect(message).toMatch(/2 of 3 tasks did not finish within 10 s/);
    expect(message).toMatch(/A started at .* and did not finish/);
    expect(message).toMatch(/B never started: it waits for A/);
    expect(message).toMatch(/job job-9 \(f\/devgodzilla\/execute_task\) has waited 9\d s in the queue: no live worker listens on tag 'agents'/);
  });

  it("past the deadline the watch cancels the run with that message and fails with it too, so a flow that runs execute_tasks as a step fails that step", async () => {
    const state = new SteppedState();
    const p = { ...plan({ A: [] }), state_job: "flow-1" } as unknown as RunPlan;
    const canceled: [string, string][] = [];
    const deps = {
      state,
      post: async () => "resumed" as const,
      queued: async () => [],
      workersWithTags: async () => ({}),
      cancel: async (job: string, reason: string) => (canceled.push([job, reason]), true),
    };
    const random = rng(5);
    let failure: unknown;
    await drive(state, random, [watchStep(p, { error: { name: "SuspendedTimedOut" } }, deps, "10 s").catch((e) => (failure = e))]);
    expect(failure).toBeInstanceOf(RunDeadlineError);
    expect((failure as Error).message).toMatch(/1 of 1 tasks did not finish within 10 s/);
    expect(canceled).toEqual([["flow-1", (failure as Error).message]]);
    expect(nextStep(RunDeadlineError.name)).toMatch(/deadline.*run execute_tasks again with the same inputs/);
    // Resumed by the last task's finish instead, the watch has nothing to do.
    await expect(watchStep(p, {}, deps)).resolves.toEqual({ timed_out: false });
  });
});
