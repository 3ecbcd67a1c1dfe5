// Resume events of suspended steps, as Windmill keeps them in its `resume_job` table: a POST to a
// step's resume URL (or its cancel URL) records an event for that step's job, whether the step is
// still running or already suspended; the flow continues past the step once `required_events`
// events are there. Each resume id is accepted once. Events are
// journaled with the run, so a resumed or replayed run sees the events it already had.
import type { RunStore } from "./runs.ts";

export interface ResumeEvent {
  /** The suspended step's job; absent for an answer given to the run (`devgodzilla resume`). */
  job_id?: string;
  resume_id?: number;
  payload: unknown;
  approved: boolean;
  approver: string;
  at: string;
  /** The suspend's timeout passed without enough events (continue_on_disapprove_timeout). */
  timed_out?: boolean;
}

export class ResumeRejected extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = "ResumeRejected";
  }
}

const slot = (runId: string, key: string) => `${runId}\u0000${key}`;

export class ResumeBox {
  private readonly events = new Map<string, ResumeEvent[]>();
  private readonly waiters = new Map<string, Set<() => void>>();
  private readonly loaded = new Set<string>();

  constructor(private readonly runs: RunStore) {}

  /** Events of a run's step, from its journal once, then live. */
  private load(runId: string) {
    if (this.loaded.has(runId)) return;
    this.loaded.add(runId);
    for (const e of this.runs.journal(runId)) {
      if (e.type !== "approval") continue;
      const { type: _t, key, ...event } = e;
      this.push(runId, key, { approved: !(e.payload as { __disapproved?: unknown } | null)?.__disapproved, ...event } as ResumeEvent);
    }
  }

  private push(runId: string, key: string, e: ResumeEvent) {
    const k = slot(runId, key);
    const list = this.events.get(k) ?? [];
    list.push(e);
    this.events.set(k, list);
  }

  /** Events that count for the step's job `jobId` (answers given to the run count for any job of the step). */
  list(runId: string, key: string, jobId?: string): ResumeEvent[] {
    this.load(runId);
    return (this.events.get(slot(runId, key)) ?? []).filter((e) => !e.job_id || !jobId || e.job_id === jobId);
  }

  /** Records an event (journaled) and wakes whoever waits for the step. */
  add(runId: string, key: string, e: ResumeEvent) {
    this.load(runId);
    if (e.job_id && e.resume_id !== undefined && this.list(runId, key, e.job_id).some((x) => x.resume_id === e.resume_id)) {
      throw new ResumeRejected("resume request already sent", 500);
    }
    this.push(runId, key, e);
    this.runs.append(runId, { type: "approval", key, ...e });
    this.wake(runId, key);
  }

  private wake(runId: string, key: string) {
    const set = this.waiters.get(slot(runId, key));
    this.waiters.delete(slot(runId, key));
    for (const w of set ?? []) w();
  }

  /** Wakes every waiter of a run (it was canceled). */
  wakeRun(runId: string) {
    for (const k of [...this.waiters.keys()]) if (k.startsWith(`${runId}\u0000`)) this.wake(runId, k.slice(runId.length + 1));
  }

  /** Resolves when an event arrives for the step or the run is woken; false after `ms`. */
  wait(runId: string, key: string, ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const k = slot(runId, key);
      const set = this.waiters.get(k) ?? new Set();
      const done = (ok: boolean) => {
        clearTimeout(timer);
        set.delete(wake);
        resolve(ok);
      };
      const wake = () => done(true);
      const timer = setTimeout(() => done(false), Math.max(0, ms));
      set.add(wake);
      this.waiters.set(k, set);
    });
  }
}
