// In-process jobs need what a Windmill worker gives each job: its own WM_* environment and its own
// log. Scripts (and windmill-client) read process.env at call time and log with console.*, and many
// jobs run at once in one process, so both are routed through an AsyncLocalStorage job context.
import { AsyncLocalStorage } from "node:async_hooks";
import { format } from "node:util";
import { setJobSignalSource } from "../../f/devgodzilla/lib/process.ts";

export interface JobContext {
  jobId: string;
  env: Record<string, string>;
  log(line: string): void;
  /** Aborted when the job is killed (its flow was canceled): the job's child processes are stopped. */
  signal?: AbortSignal;
}

const storage = new AsyncLocalStorage<JobContext>();
let installed = false;

export function currentJob(): JobContext | undefined {
  return storage.getStore();
}

export function runInJob<T>(ctx: JobContext, fn: () => Promise<T>): Promise<T> {
  install();
  return storage.run(ctx, fn);
}

/** Replaces process.env by a view that overlays the current job's env, and routes console to the job log. */
function install() {
  if (installed) return;
  installed = true;
  setJobSignalSource(() => storage.getStore()?.signal);
  const base = process.env;
  const overlay = () => storage.getStore()?.env;
  process.env = new Proxy(base, {
    get: (t, k) => (typeof k === "string" && overlay()?.[k] !== undefined ? overlay()![k] : Reflect.get(t, k)),
    set: (t, k, v) => {
      const o = overlay();
      if (o && typeof k === "string") o[k] = String(v);
      else Reflect.set(t, k, v);
      return true;
    },
    has: (t, k) => (typeof k === "string" && overlay()?.[k] !== undefined) || Reflect.has(t, k),
    deleteProperty: (t, k) => {
      const o = overlay();
      if (o && typeof k === "string" && k in o) delete o[k];
      else Reflect.deleteProperty(t, k);
      return true;
    },
    ownKeys: (t) => [...new Set([...Reflect.ownKeys(t), ...Object.keys(overlay() ?? {})])],
    getOwnPropertyDescriptor: (t, k) => {
      const o = overlay();
      if (o && typeof k === "string" && o[k] !== undefined) return { value: o[k], writable: true, enumerable: true, configurable: true };
      return Reflect.getOwnPropertyDescriptor(t, k);
    },
  }) as NodeJS.ProcessEnv;

  for (const level of ["log", "info", "warn", "error", "debug"] as const) {
    const original = console[level].bind(console);
    console[level] = (...args: unknown[]) => {
      const job = storage.getStore();
      if (job) job.log(format(...args));
      else original(...args);
    };
  }
}
