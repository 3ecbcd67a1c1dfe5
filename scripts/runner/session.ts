// One command-line run of the runner, shared by `devgodzilla run|resume` (cli.ts) and the repository's
// `demo` command (which sits above the runner): the options, progress at the terminal, Ctrl-C, the
// runner's own temp dir, the closing report and the exit code (outcome.ts), exit after the output
// has reached the OS.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { terminalAsker, type TerminalAsker } from "./ask.ts";
import { UsageError, cannotFixItself } from "./errors.ts";
import type { RunEvent } from "./events.ts";
import { RunStore, type RunOptions, type RunResult } from "./index.ts";
import { EXIT, failuresOf, markdownOf } from "./outcome.ts";
import { ProgressPrinter } from "./progress.ts";
import { useOwnTempDir, type OwnTempDir } from "./tmp.ts";

export const OPTIONS = {
  data: { type: "string", short: "d" },
  answers: { type: "string" },
  event: { type: "string" },
  "no-interactive": { type: "boolean" },
  silent: { type: "boolean", short: "s" },
  verbose: { type: "boolean", short: "v" },
  "state-dir": { type: "string" },
  resources: { type: "string" },
  root: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

export type CliValues = {
  silent?: boolean;
  verbose?: boolean;
  "no-interactive"?: boolean;
  answers?: string;
  "state-dir"?: string;
  resources?: string;
  root?: string;
  data?: string;
  event?: string;
  help?: boolean;
};

/** The command line parsed with the runner's options; a wrong one is a usage error. */
export function parseCommandLine(argv: string[]): { values: CliValues; positionals: string[] } {
  try {
    return parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
  } catch (e) {
    throw new UsageError(`${(e as Error).message} (devgodzilla --help lists the options)`);
  }
}

/** `-d '<json>'` or `-d @file.json`. */
export function readJson(value: string | undefined, what: string): unknown {
  if (value === undefined) return undefined;
  let text = value;
  if (value.startsWith("@")) {
    const file = value.slice(1);
    if (!existsSync(file)) throw new UsageError(`${what}: file ${file} does not exist`);
    text = readFileSync(file, "utf8");
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${what} is not valid JSON (${(e as Error).message}) — pass e.g. -d '{"key": "value"}' or -d @file.json`);
  }
}

export function asObject(value: unknown, what: string): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  if (!value || typeof value !== "object" || Array.isArray(value)) throw new UsageError(`${what} must be a JSON object`);
  return value as Record<string, unknown>;
}

const err = (s: string) => void process.stderr.write(s);
export const printJson = (v: unknown) => void process.stdout.write(JSON.stringify(v, null, 2) + "\n");

let removeTemp: () => void = () => undefined;

/** Exits once stdout and stderr have reached the OS (a pipe takes writes asynchronously), then removes the temp dir. */
function exitWhenFlushed(code: number): void {
  process.exitCode = code;
  const flushed = (stream: NodeJS.WriteStream) =>
    new Promise<void>((resolve) => {
      stream.once("error", () => resolve()); // EPIPE: nobody is reading any more
      stream.write("", () => resolve());
    });
  void Promise.all([flushed(process.stdout), flushed(process.stderr)]).then(() => {
    process.once("exit", removeTemp); // after the process groups of running jobs are killed (lib/process.ts)
    process.exit(code);
  });
}

/** Ends the process with the command's exit code; an error is one line (its stack with --verbose) and exit 2 when the user can fix it. */
export function finish(command: Promise<number>): void {
  command.then(exitWhenFlushed, (e: Error) => {
    printJson({ error: { name: e.name, message: e.message } });
    err(`devgodzilla: ${e.message}\n`);
    if (process.argv.includes("--verbose") || process.argv.includes("-v")) err(`${e.stack ?? ""}\n`);
    exitWhenFlushed(cannotFixItself(e) ? EXIT.usage : EXIT.failed);
  });
}

/** One run of the CLI: progress, interrupts, the resume command with the options it needs, the closing report. */
export class Session {
  rootRun?: string;
  readonly terminal?: TerminalAsker;
  readonly printer?: ProgressPrinter;
  readonly tmp: OwnTempDir;
  private interrupted = 0;

  constructor(readonly values: CliValues) {
    this.terminal = !values["no-interactive"] && process.stdin.isTTY ? terminalAsker() : undefined;
    if (!values.silent) this.printer = new ProgressPrinter((line) => err(`${line}\n`));
    this.tmp = useOwnTempDir();
    removeTemp = this.tmp.remove;
    // Ctrl-C: stop here and say how to go on; a second Ctrl-C does not wait for anything.
    const onSignal = () => {
      if (this.interrupted++) return exitWhenFlushed(EXIT.interrupted);
      err(
        this.rootRun
          ? `\nInterrupted. Run ${this.rootRun} stopped where it was; nothing finished is lost. Continue it with:\n  ${this.withOptions(`npx devgodzilla resume ${this.rootRun}`)}\n`
          : "\nInterrupted before the run started.\n",
      );
      exitWhenFlushed(EXIT.interrupted);
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  }

  get runs() {
    return new RunStore(this.values["state-dir"]);
  }

  options(): RunOptions {
    const v = this.values;
    return {
      stateDir: v["state-dir"],
      storeFile: v.resources,
      root: v.root,
      ask: this.terminal?.ask,
      onLog: v.verbose ? (label, line) => err(`[${label}] ${line}\n`) : undefined,
      onEvent: (e: RunEvent) => {
        if (e.type === "run-start" && !e.run.parent_job && !e.run.root_job) this.rootRun ??= e.run.id;
        this.printer?.on(e);
      },
      onNotice: v.silent ? undefined : (text) => err(`note: ${text}\n`),
    };
  }

  /** `npx devgodzilla resume <id> …` plus the options this invocation was given. */
  withOptions(command: string): string {
    return withOptions(command, this.values);
  }

  say(text: string) {
    if (!this.values.silent) err(text);
  }

  report(o: RunResult, rewrite: (md: string) => string = (md) => md): number {
    const runDir = path.join(o.stateDir, "runs", o.runId);
    if (o.status === "suspended") {
      const command = this.withOptions(o.resumeCommand ?? `npx devgodzilla resume ${o.runId}`);
      err(
        `\n${this.terminal?.interrupted ? "Interrupted. " : ""}Run ${o.runId} waits for an answer at step "${o.pending?.step_id}". Continue it with:\n  ${command}\n`,
      );
      printJson({ status: "suspended", run_id: o.runId, step_id: o.pending?.step_id, resume_command: command });
      return this.terminal?.interrupted ? EXIT.interrupted : EXIT.waiting;
    }
    const md = markdownOf(o.result);
    if (o.status === "success") {
      printJson(o.result ?? null);
      const failures = failuresOf(o.result);
      if (md) this.say(`\n${rewrite(md)}\n\n`);
      if (failures.length) err(`Finished with failures (exit ${EXIT.finishedWithFailures}): ${failures.join("; ")}\n`);
      if (md || failures.length) this.say(`Run record: ${runDir}\n`);
      return failures.length ? EXIT.finishedWithFailures : EXIT.success;
    }
    printJson({ error: o.error, run_id: o.runId, result: o.result });
    if (md) this.say(`\n${rewrite(md)}\n`);
    const at = o.error?.step_id ? ` at step ${o.error.step_id}` : "";
    this.say(
      `\nRun ${o.runId} ${o.status === "canceled" ? "was canceled" : "failed"}${at}: ${o.error?.message ?? ""}\nThe jobs' output is in ${path.join(runDir, "logs")}${this.values.verbose ? "" : " (or run again with --verbose)"}\n`,
    );
    // A step that rejected its input or configuration: the user's to fix, like a wrong command line.
    return o.error?.name === "InputError" || o.error?.name === "ConfigError" ? EXIT.usage : EXIT.failed;
  }
}

/** A command plus the options that locate the run (state dir, resources, root) when they were given. */
export function withOptions(command: string, v: CliValues): string {
  const extra = [
    ["--state-dir", v["state-dir"]],
    ["--resources", v.resources],
    ["--root", v.root],
  ]
    .filter(([, x]) => x)
    .map(([k, x]) => `${k} ${x}`);
  return [command, ...extra].join(" ");
}
