// How the tasks of a run wait for each other without holding a worker. Each task's wait step is a
// suspended step (Windmill: a flow-level wait, no worker): it registers its resume URL in the run's
// flow state, then reads its dependencies' outcomes and resumes itself when they are all there.
// Each finish step records its task's outcome, then reads the registrations of the task's
// dependants and resumes those whose dependencies are now all done. Both sides write before they
// read, and Windmill applies each key's write atomically on the same row, so a wake-up is never
// lost: whichever of the two runs second sees the other's write. Resuming twice is harmless (a
// resume id counts once).

import type { FlowState } from "../platform/windmill.ts";
import { WATCH, type RunPlan, type StopInfo, type TaskOutcome } from "./model.ts";

export interface RunStateDeps {
  state: FlowState;
  /** POSTs a resume URL ("already": someone resumed it first). */
  post(url: string, payload: unknown): Promise<"resumed" | "already">;
  log?(line: string): void;
}

export interface Registration {
  url: string;
  /** The loop iteration's flow job (for the deadline diagnosis). */
  flow_job?: string;
  at: string;
}

/** Flow-state keys are path segments: task ids are encoded to letters, digits, `.`, `_`, `-`. */
const enc = (id: string) => id.replace(/[^\w.-]/g, (c) => `~${c.charCodeAt(0).toString(16)}`);
export const stateKey = {
  wake: (id: string) => `wake.${enc(id)}`,
  done: (id: string) => `done.${enc(id)}`,
  started: (id: string) => `started.${enc(id)}`,
  stop: "stop",
};

export class RunState {
  constructor(
    private readonly deps: RunStateDeps,
    private readonly plan: Pick<RunPlan, "tasks" | "topo" | "order">,
  ) {}

  /** The tasks a task waits for; the watch waits for all of them. */
  depsOf(id: string): string[] {
    return id === WATCH ? this.plan.topo : (this.plan.tasks[id]?.deps ?? []);
  }

  outcome(id: string): Promise<TaskOutcome | null> {
    return this.deps.state.get<TaskOutcome>(stateKey.done(id));
  }

  async outcomes(ids: string[]): Promise<Map<string, TaskOutcome>> {
    const got = await Promise.all(ids.map(async (id) => [id, await this.outcome(id)] as const));
    return new Map(got.filter((x): x is readonly [string, TaskOutcome] => !!x[1]));
  }

  stopped(): Promise<StopInfo | null> {
    return this.deps.state.get<StopInfo>(stateKey.stop);
  }

  /** Dependencies without an outcome yet. */
  async pending(id: string): Promise<string[]> {
    const deps = this.depsOf(id);
    const done = await this.outcomes(deps);
    return deps.filter((d) => !done.has(d));
  }

  /** Wait step: register first, then look. True when the task may go now (it resumed itself). */
  async registerAndCheck(id: string, reg: Registration): Promise<{ ready: boolean; waiting_for: string[] }> {
    await this.deps.state.set(stateKey.wake(id), reg);
    const [stop, waiting] = await Promise.all([this.stopped(), this.pending(id)]);
    const ready = !!stop || waiting.length === 0;
    if (ready) await this.deps.post(reg.url, { ready: true, by: id });
    return { ready, waiting_for: stop ? [] : waiting };
  }

  markStarted(id: string, info: Record<string, unknown>): Promise<void> {
    return this.deps.state.set(stateKey.started(id), { ...info, at: new Date().toISOString() });
  }

  started(id: string): Promise<{ at: string; [k: string]: unknown } | null> {
    return this.deps.state.get(stateKey.started(id));
  }

  registration(id: string): Promise<Registration | null> {
    return this.deps.state.get<Registration>(stateKey.wake(id));
  }

  /** Finish side: record first, then wake whoever can go now. */
  async finish(outcome: TaskOutcome, stop?: StopInfo): Promise<void> {
    await this.deps.state.set(stateKey.done(outcome.id), outcome);
    if (stop && !(await this.stopped())) {
      await this.deps.state.set(stateKey.stop, stop);
      await this.wakeAll();
      return;
    }
    if (await this.stopped()) return this.wakeAll();
    const candidates = [...(this.plan.tasks[outcome.id]?.dependants ?? []), WATCH];
    await Promise.all(
      candidates.map(async (c) => {
        if ((await this.pending(c)).length === 0) await this.wake(c, outcome.id);
      }),
    );
  }

  /** Resumes every registered waiter (the run stopped). */
  async wakeAll(): Promise<void> {
    await Promise.all([...this.plan.order, WATCH].map((c) => this.wake(c, "stop")));
  }

  private async wake(id: string, by: string): Promise<void> {
    const reg = await this.registration(id);
    if (!reg) return; // not waiting yet: it will see the outcomes when it registers
    try {
      await this.deps.post(reg.url, { ready: true, by });
    } catch (e) {
      // The waiter's iteration may have ended (canceled): nothing to wake.
      this.deps.log?.(`could not resume ${id}: ${(e as Error).message}`);
    }
  }
}
