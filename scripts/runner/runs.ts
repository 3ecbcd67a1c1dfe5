// Run records of the local runner: what Windmill keeps as jobs, kept here under a git-ignored
// directory. A run is `run.json` (inputs, status, result, pending approval) plus `journal.jsonl`,
// an append-only log of finished steps and submitted approvals. Replaying the journal is how a
// resumed (or crashed and restarted) run skips the steps it already finished.
import {
  appendFileSync,
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  readdirSync,
  renameSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { REPO_ROOT } from "./bundle.ts";
import { UsageError } from "./errors.ts";
import { pidAlive } from "../../f/devgodzilla/lib/process.ts";
import { applyFlowStateChange, type FlowStateChange, type RunFlowState } from "./flow-status.ts";

export type RunStatus = "running" | "success" | "failure" | "suspended" | "canceled";

export interface PendingApproval {
  key: string;
  step_id: string;
  summary?: string;
  /** What the suspend step returned: resume URLs, default_args, description… */
  step_result: unknown;
  form?: { properties?: Record<string, Record<string, unknown>>; required?: string[]; order?: string[] };
}

export interface RunRecord {
  id: string;
  path: string;
  kind: "flow" | "script";
  /** Arguments as given: `$res:`/`$var:` references stay unresolved, so no secret is stored. */
  args: Record<string, unknown>;
  status: RunStatus;
  parent_job?: string;
  root_job?: string;
  created_at: string;
  started_at: string;
  finished_at?: string;
  duration_ms?: number;
  result?: unknown;
  error?: { name: string; message: string; step_id?: string };
  pending?: PendingApproval;
  progress?: number;
  /** pid of the runner process executing it, to tell a crashed run from a live one. */
  pid?: number;
}

export type JournalEntry =
  | {
      type: "step";
      key: string;
      step_id: string;
      job_id: string;
      success: boolean;
      /** Killed because its flow (or the step job itself) was canceled while it ran. */
      canceled?: boolean;
      result: unknown;
      started_at: string;
      duration_ms: number;
      attempts: number;
      /** The job ids of the failed attempts before this one (a retried step). */
      failed_attempts?: string[];
      path?: string;
      parent_job?: string;
    }
  /** An answer to a suspended step: from the run's resume command, or a POST to the step's resume URL (job_id, resume_id). */
  | {
      type: "approval";
      key: string;
      payload: unknown;
      approver: string;
      at: string;
      job_id?: string;
      resume_id?: number;
      approved?: boolean;
      timed_out?: boolean;
    };

export class RunStore {
  readonly dir: string;
  constructor(stateDir = process.env.DEVGODZILLA_STATE_DIR ?? path.join(REPO_ROOT, ".devgodzilla")) {
    this.dir = path.join(stateDir, "runs");
    mkdirSync(this.dir, { recursive: true });
  }

  runDir(id: string) {
    return path.join(this.dir, id);
  }

  save(record: RunRecord) {
    if (!this.index.runs.has(record.id)) this.indexRun(record.id);
    const dir = this.runDir(record.id);
    mkdirSync(path.join(dir, "logs"), { recursive: true });
    const tmp = path.join(dir, `run.json.${process.pid}.tmp`);
    writeFileSync(tmp, JSON.stringify(record, null, 2));
    renameSync(tmp, path.join(dir, "run.json")); // atomic: a crash never leaves half a record
  }

  load(id: string): RunRecord {
    const file = path.join(this.runDir(id), "run.json");
    if (!/^[0-9a-f-]{36}$/.test(id) || !existsSync(file)) {
      throw new UsageError(`unknown run id "${id}": no run record in ${this.dir} — list runs with \`npx devgodzilla runs\``);
    }
    return JSON.parse(readFileSync(file, "utf8")) as RunRecord;
  }

  list(): RunRecord[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir)
      .filter((id) => existsSync(path.join(this.dir, id, "run.json")))
      .map((id) => this.load(id));
  }

  append(id: string, entry: JournalEntry) {
    if (entry.type === "step") this.indexJobs(id, [entry.job_id]);
    // Starting with a newline: a line a crash cut short spoils only itself, not this entry.
    openAppends.append(path.join(this.runDir(id), "journal.jsonl"), "\n" + JSON.stringify(entry) + "\n");
  }

  journal(id: string): JournalEntry[] {
    return (readAppended(path.join(this.runDir(id), "journal.jsonl"))?.entries ?? []) as JournalEntry[];
  }

  /** Resources created by jobs (Windmill `state` resources and the like), kept across runs. */
  get resourcesFile() {
    return path.join(this.dir, "..", "resources.json");
  }

  loadResources(): Record<string, { resource_type?: string; value: unknown; description?: string }> {
    return existsSync(this.resourcesFile) ? JSON.parse(readFileSync(this.resourcesFile, "utf8")) : {};
  }

  saveResources(resources: Record<string, { resource_type?: string; value: unknown; description?: string }>) {
    const tmp = `${this.resourcesFile}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(resources, null, 2));
    renameSync(tmp, this.resourcesFile);
  }

  /**
   * The key that signs resume URLs, kept in the state folder (Windmill keeps its workspace key in
   * its database): a URL registered by one runner process stays valid for the one that resumes it.
   */
  resumeKey(): string {
    if (this.key) return this.key;
    const file = path.join(this.dir, "..", "resume.key");
    if (!existsSync(file)) {
      try {
        writeFileSync(file, randomBytes(32).toString("hex"), { mode: 0o600, flag: "wx" });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e; // another process made it first
      }
    }
    return (this.key = readFileSync(file, "utf8").trim());
  }
  private key?: string;

  /** Windmill flow user states of the run's flow jobs ({flow job id: {key: value}}), kept across a resume. */
  loadUserStates(id: string): Record<string, Record<string, unknown>> {
    const file = path.join(this.runDir(id), "user_states.json");
    return existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : {};
  }

  saveUserStates(id: string, states: Record<string, Record<string, unknown>>) {
    const tmp = path.join(this.runDir(id), `user_states.json.${process.pid}.tmp`);
    writeFileSync(tmp, JSON.stringify(states));
    renameSync(tmp, path.join(this.runDir(id), "user_states.json"));
  }

  /**
   * The run's flow statuses and inner jobs (flow-status.ts), replayed from its log. Kept per run and
   * brought up to date by reading only what was appended since (by any process): a caller reads it,
   * never changes it. A line a crash cut short is skipped.
   */
  loadFlowState(id: string): RunFlowState {
    const known = this.flowStates.get(id);
    const read = readAppended(path.join(this.runDir(id), "flow_status.jsonl"), known);
    if (!read) return this.flowStateSnapshot(id);
    const entry = read.fresh ? { file: read.file, offset: 0, state: this.flowStateSnapshot(id) } : known!;
    for (const change of read.entries) applyFlowStateChange(entry.state, change as FlowStateChange);
    entry.offset = read.offset;
    this.flowStates.set(id, entry);
    return entry.state;
  }
  private flowStates = new Map<string, { file: number; offset: number; state: RunFlowState }>();

  /**
   * What the log starts from: empty, or for a run begun by a runner from before the log, the whole
   * state that runner kept in flow_status.json — such a run still shows its flow_status, and one
   * this runner resumes logs its changes on top.
   */
  private flowStateSnapshot(id: string): RunFlowState {
    const file = path.join(this.runDir(id), "flow_status.json");
    return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as RunFlowState) : { statuses: {}, jobs: {} };
  }

  /**
   * Appends one change to the run's flow state log and returns the line written. The write starts
   * with a newline, so a line cut short by a crash spoils only itself.
   */
  appendFlowState(id: string, change: FlowStateChange): string {
    if ("job" in change) this.indexJobs(id, [change.job.id]);
    const line = JSON.stringify(change);
    openAppends.append(path.join(this.runDir(id), "flow_status.jsonl"), "\n" + line + "\n");
    return line;
  }

  /**
   * The run whose record holds job `jobId` (a step, iteration, branch or identity job), from the
   * job index, or undefined. Runs the index does not cover yet (recorded before it existed, or
   * after it was deleted) are indexed first. A hit is a hint: the caller reads that run's record,
   * which is the truth.
   */
  runOfJob(jobId: string): string | undefined {
    this.readIndex();
    const hit = this.index.jobs.get(jobId);
    if (hit) return hit;
    if (!existsSync(this.dir)) return undefined;
    for (const id of readdirSync(this.dir)) if (!this.index.runs.has(id) && existsSync(path.join(this.dir, id, "run.json"))) this.indexRun(id);
    return this.index.jobs.get(jobId);
  }

  /**
   * Job id → run id, kept in `<state>/job-index.jsonl` so a job of a finished run is found by
   * reading one record. Append-only, shared by every runner process on the state folder: entries
   * are written before the record that holds the job (a crash leaves at most an entry for a job
   * that was never recorded — the record says so); each write starts with a newline, so a line a
   * crash cut short spoils only itself. `{run}` marks a run whose jobs are all indexed.
   */
  get indexFile() {
    return path.join(this.dir, "..", "job-index.jsonl");
  }
  private index = { file: 0, offset: 0, jobs: new Map<string, string>(), runs: new Set<string>() };

  private writeIndex(entries: { run: string; job?: string }[]) {
    if (!entries.length) return;
    openAppends.append(this.indexFile, "\n" + entries.map((e) => JSON.stringify(e) + "\n").join(""));
    for (const e of entries) this.noteIndexEntry(e);
  }

  private noteIndexEntry(e: { run?: unknown; job?: unknown }) {
    if (typeof e.run !== "string") return;
    if (typeof e.job === "string") this.index.jobs.set(e.job, e.run);
    else this.index.runs.add(e.run);
  }

  private indexJobs(runId: string, jobIds: string[]) {
    this.writeIndex(jobIds.filter((j) => this.index.jobs.get(j) !== runId).map((job) => ({ run: runId, job })));
  }

  /** Indexes the jobs a run's record already holds, then marks the run covered. */
  private indexRun(runId: string) {
    const steps = this.journal(runId).flatMap((e) => (e.type === "step" ? [e.job_id] : []));
    this.indexJobs(runId, [...steps, ...Object.keys(this.loadFlowState(runId).jobs)]);
    this.writeIndex([{ run: runId }]);
  }

  /** Reads what was appended to the index since the last read (by any process); complete lines only. */
  private readIndex() {
    const read = readAppended(this.indexFile, this.index);
    if (!read) return; // no index yet: runOfJob indexes every run
    if (read.fresh) this.index = { file: read.file, offset: 0, jobs: new Map(), runs: new Set() };
    for (const entry of read.entries) this.noteIndexEntry(entry as { run?: unknown; job?: unknown });
    this.index.offset = read.offset;
  }

  log(id: string, jobId: string, line: string) {
    appendFileSync(path.join(this.runDir(id), "logs", `${jobId}.log`), line.endsWith("\n") ? line : line + "\n");
  }
}

/**
 * The run records' append-only files, the few written last kept open: an append is then one write
 * instead of open, write and close (most of a step's cost in the runner once the flow state became
 * a log). Reading a file that was deleted or replaced since (the job index may be) closes its
 * descriptor, so the next append creates the file anew.
 */
const openAppends = new (class {
  private readonly fds = new Map<string, number>();
  append(file: string, data: string) {
    const fd = this.fds.get(file) ?? openSync(file, "a");
    this.fds.delete(file);
    this.fds.set(file, fd); // last in the map: the most recently used
    if (this.fds.size > 16) this.forgetUnless(this.fds.keys().next().value!);
    writeSync(fd, data);
  }
  /** Closes the file's descriptor unless it is still the file at that path (inode `ino`; undefined: there is none). */
  forgetUnless(file: string, ino?: number) {
    const fd = this.fds.get(file);
    if (fd === undefined || (ino !== undefined && fstatSync(fd).ino === ino)) return;
    this.fds.delete(file);
    closeSync(fd);
  }
})();

/**
 * The JSON lines appended to an append-only file since `since` (the file's inode and the offset
 * read up to), complete lines only: a line cut short by a crash is skipped. `fresh` when the file
 * was replaced or truncated since (its entries are then read from the start). Undefined: no file.
 */
function readAppended(
  file: string,
  since?: { file: number; offset: number },
): { file: number; offset: number; fresh: boolean; entries: unknown[] } | undefined {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch {
    openAppends.forgetUnless(file);
    return undefined;
  }
  try {
    const { size, ino } = fstatSync(fd);
    const fresh = !since || ino !== since.file || size < since.offset;
    if (fresh) openAppends.forgetUnless(file, ino);
    const from = fresh ? 0 : since.offset;
    const buf = Buffer.alloc(size - from);
    const n = readSync(fd, buf, 0, buf.length, from);
    const end = buf.subarray(0, n).lastIndexOf(10) + 1;
    const entries = buf
      .subarray(0, end)
      .toString("utf8")
      .split("\n")
      .flatMap((line) => {
        try {
          return line ? [JSON.parse(line) as unknown] : [];
        } catch {
          return []; // a line cut short by a crash
        }
      });
    return { file: ino, offset: from + end, fresh, entries };
  } finally {
    closeSync(fd);
  }
}

/** A run whose runner process is gone while it was running: `resume` continues it. */
export function isInterrupted(r: RunRecord): boolean {
  return r.status === "running" && (!r.pid || (r.pid !== process.pid && !pidAlive(r.pid)));
}

const shellQuote = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;

/** The exact command that continues a suspended or interrupted run (the approval's pre-filled answer as the example payload). */
export function resumeCommand(r: Pick<RunRecord, "id" | "status" | "pending">): string {
  if (r.status !== "suspended" || !r.pending) return `npx devgodzilla resume ${r.id}`;
  const step = r.pending.step_result as { default_args?: unknown } | null;
  return `npx devgodzilla resume ${r.id} -d ${shellQuote(JSON.stringify(step?.default_args ?? {}))}`;
}
