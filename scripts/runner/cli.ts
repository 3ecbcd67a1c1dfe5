// `devgodzilla` — the command line of the embedded local runner. Arguments mirror
// `wmill flow preview` / `wmill script preview` (-d data, -s silent). The final result goes to
// stdout as JSON; progress (one line per step and task), the summary and errors go to stderr; the
// exit code says how the run ended (outcome.ts).
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { terminalAsker } from "./ask.ts";
import { UsageError, cannotFixItself } from "./errors.ts";
import type { RunEvent } from "./events.ts";
import { runPath, resumeRun, RunStore, type RunOptions, type RunResult } from "./index.ts";
import { formatRunList } from "./list.ts";
import { EXIT, failuresOf, markdownOf } from "./outcome.ts";
import { ProgressPrinter } from "./progress.ts";
import { useOwnTempDir } from "./tmp.ts";

const HELP = `devgodzilla — run DevGodzilla's Windmill flows and scripts on this machine

  devgodzilla run <f/devgodzilla/x> [-d '<json>' | -d @args.json] [--answers @answers.json]
                  [--event @event.json] [--no-interactive] [-s] [-v]
  devgodzilla resume <run id> [-d '<answer json>']      continue a waiting or interrupted run
  devgodzilla runs                                      list recorded runs
  devgodzilla demo                                      the spec-to-PR flow end to end on a sample repository (npm start)
  devgodzilla agents list | health [--json] | test <id>  the coding agents: registry, health, a trial run
  devgodzilla check                                     offline bundle check (tsc, wmill lint, schemas, flows)
  devgodzilla gen-schemas                               regenerate every .script.yaml schema from main's signature

Options: --resources <file> (default resources/local.yaml), --state-dir <dir> (default .devgodzilla/),
         --root <dir> (the wmill sync root holding f/; default this repository),
         -v/--verbose (the jobs' own output and error stacks; always kept in the run record), -s/--silent

--answers file: {"<approval step id>": {"<field>": <value>, …}} — a list of such answers for a step
met more than once; unknown step ids and fields are an error. resume -d takes one answer object.

Exit codes: 0 success · 1 the run failed · 2 bad command or input (nothing ran or changed) ·
            3 finished with failures (QA failed, tasks failed) · 4 waiting for an answer ·
            130 interrupted (Ctrl-C; the run can be resumed)

Resources and variables ($res:/$var:) come from resources/local.yaml (see resources/local.example.yaml)
or DEVGODZILLA_RES_<PATH> / DEVGODZILLA_VAR_<PATH> environment variables.`;

/** `-d '<json>'` or `-d @file.json`. */
function readJson(value: string | undefined, what: string): unknown {
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

function asObject(value: unknown, what: string): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  if (!value || typeof value !== "object" || Array.isArray(value)) throw new UsageError(`${what} must be a JSON object`);
  return value as Record<string, unknown>;
}

const err = (s: string) => void process.stderr.write(s);
const out = (v: unknown) => void process.stdout.write(JSON.stringify(v, null, 2) + "\n");

/** One run of the CLI: progress, interrupts, the resume command with the options it needs, the closing report. */
class Session {
  rootRun?: string;
  readonly terminal;
  readonly printer?: ProgressPrinter;
  private interruptedAt = 0;

  constructor(
    readonly values: { silent?: boolean; verbose?: boolean; "no-interactive"?: boolean; answers?: string; "state-dir"?: string; resources?: string; root?: string },
  ) {
    this.terminal = !values["no-interactive"] && process.stdin.isTTY ? terminalAsker() : undefined;
    if (!values.silent) this.printer = new ProgressPrinter((line) => err(`${line}\n`));
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
    const v = this.values;
    const extra = [["--state-dir", v["state-dir"]], ["--resources", v.resources], ["--root", v.root]].filter(([, x]) => x).map(([k, x]) => `${k} ${x}`);
    return [command, ...extra].join(" ");
  }

  /** Ctrl-C: stop here, say how to go on; a second Ctrl-C does not wait for anything. */
  onInterrupt(exit: (code: number) => void) {
    const handler = () => {
      if (this.interruptedAt++) return exit(EXIT.interrupted);
      err(this.rootRun
        ? `\nInterrupted. Run ${this.rootRun} stopped where it was; nothing finished is lost. Continue it with:\n  ${this.withOptions(`npx devgodzilla resume ${this.rootRun}`)}\n`
        : "\nInterrupted before the run started.\n");
      exit(EXIT.interrupted);
    };
    process.on("SIGINT", handler);
    process.on("SIGTERM", handler);
  }

  report(o: RunResult, rewrite: (md: string) => string = (md) => md): number {
    const silent = this.values.silent;
    const runDir = path.join(o.stateDir, "runs", o.runId);
    if (o.status === "suspended") {
      const command = this.withOptions(o.resumeCommand ?? `npx devgodzilla resume ${o.runId}`);
      err(`\n${this.terminal?.interrupted ? "Interrupted. " : ""}Run ${o.runId} waits for an answer at step "${o.pending?.step_id}". Continue it with:\n  ${command}\n`);
      out({ status: "suspended", run_id: o.runId, step_id: o.pending?.step_id, resume_command: command });
      return this.terminal?.interrupted ? EXIT.interrupted : EXIT.waiting;
    }
    const md = markdownOf(o.result);
    if (o.status === "success") {
      out(o.result ?? null);
      const failures = failuresOf(o.result);
      if (!silent && md) err(`\n${rewrite(md)}\n\n`);
      if (failures.length) err(`Finished with failures (exit ${EXIT.finishedWithFailures}): ${failures.join("; ")}\n`);
      if (!silent && (md || failures.length)) err(`Run record: ${runDir}\n`);
      return failures.length ? EXIT.finishedWithFailures : EXIT.success;
    }
    out({ error: o.error, run_id: o.runId, result: o.result });
    if (!silent) {
      if (md) err(`\n${rewrite(md)}\n`);
      const at = o.error?.step_id ? ` at step ${o.error.step_id}` : "";
      err(`\nRun ${o.runId} ${o.status === "canceled" ? "was canceled" : "failed"}${at}: ${o.error?.message ?? ""}\nThe jobs' output is in ${path.join(runDir, "logs")}${this.values.verbose ? "" : " (or run again with --verbose)"}\n`);
    }
    return EXIT.failed;
  }
}

/** Exits once stdout and stderr have reached the OS (a pipe takes writes asynchronously), after `cleanup`. */
function exitWhenFlushed(code: number, cleanup: () => void = () => undefined): void {
  process.exitCode = code;
  const flushed = (stream: NodeJS.WriteStream) =>
    new Promise<void>((resolve) => {
      stream.once("error", () => resolve()); // EPIPE: nobody is reading any more
      stream.write("", () => resolve());
    });
  void Promise.all([flushed(process.stdout), flushed(process.stderr)]).then(() => {
    process.once("exit", cleanup); // after the process groups of running jobs are killed (lib/process.ts)
    process.exit(code);
  });
}

let removeTemp: () => void = () => undefined;

const OPTIONS = {
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

async function main(argv: string[]): Promise<number> {
  if (argv[0] === "agents") {
    const { runAgentsCommand } = await import("./agents-cli.ts");
    return runAgentsCommand(argv.slice(1)); // its own options: list | health | test <id>
  }
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
  } catch (e) {
    throw new UsageError(`${(e as Error).message} (devgodzilla --help lists the options)`);
  }
  const { values, positionals } = parsed;
  const [command, target] = positionals;
  if (values.help || !command) {
    process.stdout.write(HELP + "\n");
    return command || values.help ? EXIT.success : EXIT.usage;
  }
  const session = () => {
    const tmp = useOwnTempDir();
    removeTemp = tmp.remove;
    const s = new Session(values);
    s.onInterrupt((code) => exitWhenFlushed(code, removeTemp));
    return { s, tmp };
  };
  switch (command) {
    case "run": {
      if (!target) throw new UsageError("run needs a Windmill path, e.g. devgodzilla run f/devgodzilla/spec_to_pr -d @flows/spec_to_pr.example.json");
      const args = asObject(readJson(values.data, "-d"), "-d") ?? {};
      const answers = asObject(readJson(values.answers, "--answers"), "--answers");
      const event = asObject(readJson(values.event, "--event"), "--event");
      const { s } = session();
      const opts = s.options();
      // Answers given up front: nobody is asked at the terminal unless one does not fit.
      return s.report(await runPath(target, { ...opts, args, answers, event, ask: answers ? undefined : opts.ask }));
    }
    case "resume": {
      if (!target) throw new UsageError("resume needs the run id printed by the run (list them with npx devgodzilla runs)");
      const { s } = session();
      const { reopenDemo } = await import("../demo/index.ts");
      const demo = await reopenDemo(s.runs.runDir(target));
      try {
        if (demo) err(`Bringing the demo back: sample repository ${demo.remote}, model and GitHub API on loopback\n`);
        const o = await resumeRun(target, readJson(values.data, "-d"), { ...s.options(), ...(demo ? { store: demo.store } : {}) });
        return s.report(o, demo?.withoutDeadLinks);
      } finally {
        await demo?.close();
      }
    }
    case "runs": {
      process.stdout.write(formatRunList(new RunStore(values["state-dir"]), (c) => new Session(values).withOptions(c)));
      return EXIT.success;
    }
    case "demo": {
      const { s, tmp } = session();
      const { setUpDemo, recordDemo, acceptRecommended, demoIntro, demoEpilogue } = await import("../demo/index.ts");
      const demo = await setUpDemo({ tmpBase: tmp.base }); // outside this process's temp dir: a demo run can be resumed
      err(`${demoIntro(demo)}\n`);
      const opts = s.options();
      try {
        const o = await runPath("f/devgodzilla/spec_to_pr", {
          ...opts,
          args: demo.args,
          store: demo.store,
          ask: opts.ask ?? acceptRecommended,
          onEvent: (e) => {
            if (e.type === "run-start" && e.run.path === "f/devgodzilla/spec_to_pr" && !e.run.parent_job) recordDemo(s.runs.runDir(e.run.id), demo);
            opts.onEvent?.(e);
          },
        });
        const code = s.report(o, demo.withoutDeadLinks);
        if (!values.silent && o.status !== "suspended") err(demoEpilogue(demo, (o.result as { branch?: string } | undefined)?.branch));
        return code;
      } finally {
        await demo.close();
      }
    }
    case "check": {
      const { runCheck } = await import("../check/index.ts");
      return (await runCheck()) ? EXIT.success : EXIT.failed;
    }
    case "gen-schemas": {
      const { generateSchemas } = await import("../check/schemas.ts");
      const { CHECKED_TREES } = await import("../check/index.ts");
      const changed = (await Promise.all(CHECKED_TREES.map((t) => generateSchemas(t)))).flat();
      err(changed.length ? `updated ${changed.join(", ")}\n` : "all .script.yaml schemas are up to date\n");
      return EXIT.success;
    }
    default:
      throw new UsageError(`unknown command "${command}" — the commands are run, resume, runs, demo, agents, check, gen-schemas (devgodzilla --help)`);
  }
}

main(process.argv.slice(2)).then(
  (code) => exitWhenFlushed(code, removeTemp),
  (e: Error) => {
    // One line for what the user can fix; the stack only with --verbose (it is our bug otherwise, and still one line).
    out({ error: { name: e.name, message: e.message } });
    err(`devgodzilla: ${e.message}\n`);
    if (process.argv.includes("--verbose") || process.argv.includes("-v")) err(`${e.stack ?? ""}\n`);
    exitWhenFlushed(cannotFixItself(e) ? EXIT.usage : EXIT.failed, removeTemp);
  },
);
