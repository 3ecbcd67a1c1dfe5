// The embedded local runner: runs the bundle's flows and scripts on this machine with Windmill's
// semantics. The CLI (cli.ts) and the tests both come through here.
import path from "node:path";
import { hideFromSandboxes } from "../../f/devgodzilla/lib/sandbox/index.ts";
import { resolveRunnable } from "./bundle.ts";
import { Engine, type Answers, type AskFn, type RunOutcome } from "./engine.ts";
import { checkAnswer, checkAnswersFile, expectedShape, questionOf } from "./answers.ts";
import { AnswerRejectedError, UsageError } from "./errors.ts";
import type { OnRunEvent, RunEvent } from "./events.ts";
import { startLocalApi, type LocalApi } from "./local-api.ts";
import { RunStore, isInterrupted, resumeCommand, type PendingApproval, type RunRecord } from "./runs.ts";
import { Resolver, loadStore, DEFAULT_STORE_FILE, type LocalStore } from "./store.ts";

export type { RunOutcome, PendingApproval, LocalStore, Answers, AskFn, RunEvent };
export { RunStore };

export interface RunOptions {
  args?: Record<string, unknown>;
  /** Resources and variables; default: resources/local.yaml (or $DEVGODZILLA_RESOURCES_FILE) and env. */
  store?: LocalStore;
  storeFile?: string;
  /** Where run records live; default .devgodzilla/ (or $DEVGODZILLA_STATE_DIR). */
  stateDir?: string;
  /** `{approval step id: payload | [payload, …]}`, checked against the flows' forms before the run starts. */
  answers?: Answers;
  ask?: AskFn;
  onLog?: (label: string, line: string) => void;
  /** Run and step starts and ends (events.ts), for progress lines. */
  onEvent?: OnRunEvent;
  /** Things a person should know that are not a job's output (an answer that did not fit, a restarted job). */
  onNotice?: (text: string) => void;
  /** A trigger event, handed to the flow's preprocessor_module or the script's `preprocessor`. */
  event?: Record<string, unknown>;
  root?: string;
  /** Evaluate flow expressions as a Windmill built without V8 (default: DEVGODZILLA_NO_V8=1). */
  noV8?: boolean;
}

export interface RunResult extends RunOutcome {
  /** For a suspended run: the exact command that continues it. */
  resumeCommand?: string;
  stateDir: string;
}

let api: Promise<LocalApi> | undefined;

/** One loopback Windmill API per process; windmill-client is pointed at it once. */
async function localApi(): Promise<LocalApi> {
  api ??= (async () => {
    // The workspace name jobs see (WM_WORKSPACE, run URLs): DEVGODZILLA_WORKSPACE, else "local".
    const started = await startLocalApi(process.env.DEVGODZILLA_WORKSPACE || "local");
    const wmill = await import("windmill-client");
    wmill.setClient(started.token, started.baseUrl);
    return started;
  })();
  return api;
}

/**
 * Answers given up front, each checked against the question actually open when its step is met;
 * one that does not fit is reported and the step is asked (terminal) or left waiting instead.
 */
function answering(opts: RunOptions): AskFn | undefined {
  if (!opts.answers) return opts.ask;
  const used = new Map<string, number>();
  return async (pending) => {
    let given = opts.answers?.[pending.step_id];
    if (Array.isArray(given)) {
      const n = used.get(pending.step_id) ?? 0;
      used.set(pending.step_id, n + 1);
      given = given[n];
    }
    if (given !== undefined) {
      const q = questionOf(pending);
      const problems = checkAnswer(q, given);
      if (!problems.length) return given;
      opts.onNotice?.(`--answers for step ${pending.step_id} does not fit the open question: ${problems.join("; ")} — expected ${expectedShape(q)}`);
    }
    return opts.ask?.(pending);
  };
}

async function engineFor(opts: RunOptions): Promise<{ engine: Engine; runs: RunStore }> {
  const loaded = opts.store ? { store: opts.store, file: opts.storeFile ?? DEFAULT_STORE_FILE } : loadStore(opts.storeFile);
  const runs = new RunStore(opts.stateDir);
  // Whatever path they came from, no sandboxed process of a job may open them.
  hideFromSandboxes(loaded.file, path.dirname(runs.dir));
  // Resources that jobs created in earlier runs; the configured ones win.
  loaded.store = { ...loaded.store, resources: { ...runs.loadResources(), ...loaded.store.resources } };
  const endpoint = await localApi();
  const engine = new Engine({
    runs,
    resolver: new Resolver(loaded.store, loaded.file),
    api: endpoint,
    ask: answering(opts),
    onLog: opts.onLog,
    onEvent: opts.onEvent,
    root: opts.root,
    noV8: opts.noV8,
  });
  endpoint.attach(engine);
  return { engine, runs };
}

function withResumeCommand(out: RunOutcome, runs: RunStore): RunResult {
  const stateDir = runs.dir.replace(/\/runs$/, "");
  if (out.status !== "suspended" || !out.pending) return { ...out, stateDir };
  return { ...out, stateDir, resumeCommand: resumeCommand({ id: out.runId, status: out.status, pending: out.pending }) };
}

/** Runs a flow or script by Windmill path (`f/devgodzilla/x`) and waits for it to end or suspend. */
export async function runPath(windmillPath: string, opts: RunOptions = {}): Promise<RunResult> {
  const { engine, runs } = await engineFor(opts);
  if (opts.answers) {
    const problems = checkAnswersFile(opts.answers, engine.root, resolveRunnable(windmillPath, engine.root).path);
    if (problems.length)
      throw new UsageError(
        `--answers: ${problems.join("; ")} (the file maps approval step ids to answers: {"<step id>": {"<field>": <value>}}, or a list of answers for a step met more than once)`,
      );
  }
  engine.opts.resolver.resolve(opts.args ?? {}); // every missing resource or variable, in one error, before anything runs
  return withResumeCommand(await engine.start(windmillPath, opts.args ?? {}, { event: opts.event }), runs);
}

/** The jobs this run started (and theirs): they ran in the runner process that died with it. */
function descendants(runs: RunStore, rootId: string): RunRecord[] {
  const all = runs.list();
  const byId = new Map(all.map((r) => [r.id, r]));
  const under = (r: RunRecord, depth = 0): boolean => {
    if (r.root_job === rootId || r.parent_job === rootId) return true;
    const parent = r.parent_job ? byId.get(r.parent_job) : undefined;
    return !!parent && depth < 50 && under(parent, depth + 1);
  };
  return all.filter((r) => r.id !== rootId && under(r));
}

/**
 * Child jobs whose runner died (the parent would poll them forever): restarted here from their own
 * journal; one that cannot restart is failed with the reason, so the parent goes on. A child that
 * waits for an answer is asked (terminal) or named with its resume command.
 */
async function reviveChildren(engine: Engine, runs: RunStore, rootId: string, opts: RunOptions): Promise<void> {
  for (const child of descendants(runs, rootId)) {
    if (isInterrupted(child)) {
      opts.onNotice?.(`restarting job ${child.id} (${child.path}): its runner stopped while it ran`);
      void engine.resume(child.id).catch((e: Error) => {
        const record = runs.load(child.id);
        Object.assign(record, {
          status: "failure",
          finished_at: new Date().toISOString(),
          error: { name: "RunnerDied", message: `its runner stopped and it could not be restarted: ${e.message}` },
        });
        record.result = { error: record.error };
        runs.save(record);
      });
    } else if (child.status === "suspended" && child.pending) {
      const payload = await opts.ask?.(child.pending);
      if (payload !== undefined && !checkAnswer(questionOf(child.pending), payload).length) void engine.resume(child.id, payload).catch(() => undefined);
      else opts.onNotice?.(`job ${child.id} (${child.path}) waits for an answer at step ${child.pending.step_id}: ${resumeCommand(child)}`);
    }
  }
}

/**
 * Continues a suspended run with the approval form's payload (checked against the open question
 * first: a payload that does not fit changes nothing), or a run whose runner died.
 */
export async function resumeRun(runId: string, payload: unknown, opts: RunOptions = {}): Promise<RunResult> {
  const { engine, runs } = await engineFor(opts);
  const record = runs.load(runId);
  if (record.status === "success" || record.status === "failure" || record.status === "canceled") {
    const where = record.error ? ` at step ${record.error.step_id ?? "?"}: ${record.error.message}` : "";
    throw new UsageError(`run ${runId} already ended (${record.status}${where}); nothing to resume — start a new run with npx devgodzilla run ${record.path}`);
  }
  if (record.status === "running" && !isInterrupted(record)) {
    throw new UsageError(`run ${runId} is still running in process ${record.pid}; resume it only after that process has ended`);
  }
  let answer = payload;
  if (record.status === "suspended" && record.pending) {
    const q = questionOf(record.pending);
    answer ??= await opts.ask?.(record.pending);
    if (answer === undefined) {
      if (opts.ask) return withResumeCommand({ runId, status: "suspended", pending: record.pending }, runs); // the person left it open
      throw new AnswerRejectedError(
        `run ${runId} waits for an answer at step ${record.pending.step_id}: pass it with -d '<json>' (expected ${expectedShape(q)}), e.g. ${resumeCommand(record)}`,
      );
    }
    const problems = checkAnswer(q, answer);
    if (problems.length) {
      throw new AnswerRejectedError(
        `the answer does not fit the question open at step ${record.pending.step_id} of run ${runId}: ${problems.join("; ")} — expected ${expectedShape(q)}; the run still waits, nothing was changed`,
      );
    }
  } else if (payload !== undefined) {
    throw new AnswerRejectedError(
      `run ${runId} is not waiting for an answer (${isInterrupted(record) ? "its runner stopped" : record.status}); resume it without -d: npx devgodzilla resume ${runId}`,
    );
  }
  engine.opts.resolver.resolve(record.args); // a resource removed since: named now, not after minutes
  await reviveChildren(engine, runs, runId, opts);
  return withResumeCommand(await engine.resume(runId, answer), runs);
}
