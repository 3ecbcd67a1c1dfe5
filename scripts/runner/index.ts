// The embedded local runner: runs the bundle's flows and scripts on this machine with Windmill's
// semantics. The CLI (cli.ts) and the tests both come through here.
import { Engine, type Answers, type AskFn, type RunOutcome } from "./engine.ts";
import { startLocalApi, type LocalApi } from "./local-api.ts";
import { RunStore, type PendingApproval } from "./runs.ts";
import { Resolver, loadStore, DEFAULT_STORE_FILE, type LocalStore } from "./store.ts";

export type { RunOutcome, PendingApproval, LocalStore, Answers, AskFn };
export { RunStore };

export interface RunOptions {
  args?: Record<string, unknown>;
  /** Resources and variables; default: resources/local.yaml (or $DEVGODZILLA_RESOURCES_FILE) and env. */
  store?: LocalStore;
  storeFile?: string;
  /** Where run records live; default .devgodzilla/ (or $DEVGODZILLA_STATE_DIR). */
  stateDir?: string;
  answers?: Answers;
  ask?: AskFn;
  onLog?: (label: string, line: string) => void;
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
    const started = await startLocalApi();
    const wmill = await import("windmill-client");
    wmill.setClient(started.token, started.baseUrl);
    return started;
  })();
  return api;
}

async function engineFor(opts: RunOptions): Promise<{ engine: Engine; runs: RunStore }> {
  const loaded = opts.store ? { store: opts.store, file: opts.storeFile ?? DEFAULT_STORE_FILE } : loadStore(opts.storeFile);
  const runs = new RunStore(opts.stateDir);
  // Resources that jobs created in earlier runs; the configured ones win.
  loaded.store = { ...loaded.store, resources: { ...runs.loadResources(), ...loaded.store.resources } };
  const endpoint = await localApi();
  const engine = new Engine({
    runs,
    resolver: new Resolver(loaded.store, loaded.file),
    api: endpoint,
    answers: opts.answers,
    ask: opts.ask,
    onLog: opts.onLog,
    root: opts.root,
    noV8: opts.noV8,
  });
  endpoint.attach(engine);
  return { engine, runs };
}

function withResumeCommand(out: RunOutcome, runs: RunStore): RunResult {
  const stateDir = runs.dir.replace(/\/runs$/, "");
  if (out.status !== "suspended" || !out.pending) return { ...out, stateDir };
  const step = out.pending.step_result as { default_args?: unknown } | null;
  const answer = JSON.stringify(step?.default_args ?? {});
  return { ...out, stateDir, resumeCommand: `npx devgodzilla resume ${out.runId} -d '${answer.replace(/'/g, "'\\''")}'` };
}

/** Runs a flow or script by Windmill path (`f/devgodzilla/x`) and waits for it to end or suspend. */
export async function runPath(windmillPath: string, opts: RunOptions = {}): Promise<RunResult> {
  const { engine, runs } = await engineFor(opts);
  return withResumeCommand(await engine.start(windmillPath, opts.args ?? {}, { event: opts.event }), runs);
}

/** Continues a suspended run with the approval form's payload, or a run whose runner died. */
export async function resumeRun(runId: string, payload: unknown, opts: RunOptions = {}): Promise<RunResult> {
  const { engine, runs } = await engineFor(opts);
  return withResumeCommand(await engine.resume(runId, payload), runs);
}
