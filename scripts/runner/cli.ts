// `devgodzilla` — the command line of the embedded local runner. Arguments mirror
// `wmill flow preview` / `wmill script preview` (-d data, -s silent). The final result goes to
// stdout as JSON, logs to stderr; a failure exits non-zero with a JSON error on stdout.
import { existsSync, readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { askAtTerminal } from "./ask.ts";
import { runPath, resumeRun, RunStore, type RunResult } from "./index.ts";

class UsageError extends Error {
  name = "UsageError";
}

const HELP = `devgodzilla — run DevGodzilla's Windmill flows and scripts on this machine

  devgodzilla run <f/devgodzilla/x> [-d '<json>' | -d @args.json] [--answers @answers.json]
                  [--event @event.json] [--no-interactive] [-s]
  devgodzilla resume <run id> [-d '<approval json>']    continue a suspended (or interrupted) run
  devgodzilla runs                                      list recorded runs
  devgodzilla agents list | health [--json] | test <id>  the coding agents: registry, health, a trial run
  devgodzilla check                                     offline bundle check (tsc, wmill lint, schemas, flows)
  devgodzilla gen-schemas                               regenerate every .script.yaml schema from main's signature

Options: --resources <file> (default resources/local.yaml), --state-dir <dir> (default .devgodzilla/),
         --root <dir> (the wmill sync root holding f/; default this repository)
  devgodzilla demo                                      the spec-to-PR flow end to end on a sample repository

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

function report(out: RunResult, silent: boolean): number {
  if (out.status === "suspended") {
    process.stderr.write(`\nRun ${out.runId} is waiting for an answer at step "${out.pending?.step_id}". Continue it with:\n  ${out.resumeCommand}\n`);
    process.stdout.write(JSON.stringify({ status: "suspended", run_id: out.runId, step_id: out.pending?.step_id, resume_command: out.resumeCommand }, null, 2) + "\n");
    return 0;
  }
  if (out.status === "success") {
    process.stdout.write(JSON.stringify(out.result ?? null, null, 2) + "\n");
    return 0;
  }
  process.stdout.write(JSON.stringify({ error: out.error, run_id: out.runId, result: out.result }, null, 2) + "\n");
  if (!silent) process.stderr.write(`\nRun ${out.runId} ${out.status}: ${out.error?.message ?? ""}\n`);
  return 1;
}

async function main(argv: string[]): Promise<number> {
  if (argv[0] === "agents") {
    const { runAgentsCommand } = await import("./agents-cli.ts");
    return runAgentsCommand(argv.slice(1)); // its own options: list | health | test <id>
  }
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      data: { type: "string", short: "d" },
      answers: { type: "string" },
      event: { type: "string" },
      "no-interactive": { type: "boolean" },
      silent: { type: "boolean", short: "s" },
      "state-dir": { type: "string" },
      resources: { type: "string" },
      root: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  const [command, target] = positionals;
  if (values.help || !command) {
    process.stdout.write(HELP + "\n");
    return command || values.help ? 0 : 2;
  }
  const silent = values.silent ?? false;
  const interactive = !values["no-interactive"] && process.stdin.isTTY && values.answers === undefined;
  const common = {
    stateDir: values["state-dir"],
    storeFile: values.resources,
    root: values.root,
    ask: interactive ? askAtTerminal : undefined,
    onLog: silent ? undefined : (label: string, line: string) => process.stderr.write(`[${label}] ${line}\n`),
  };
  switch (command) {
    case "run": {
      if (!target) throw new UsageError("run needs a Windmill path, e.g. devgodzilla run f/devgodzilla/spec_to_pr -d @flows/spec_to_pr.example.json");
      const args = asObject(readJson(values.data, "-d"), "-d") ?? {};
      const answers = asObject(readJson(values.answers, "--answers"), "--answers");
      const event = asObject(readJson(values.event, "--event"), "--event");
      return report(await runPath(target, { ...common, args, answers, event }), silent);
    }
    case "resume": {
      if (!target) throw new UsageError("resume needs the run id printed by the suspended run");
      return report(await resumeRun(target, readJson(values.data, "-d"), common), silent);
    }
    case "runs": {
      const rows = new RunStore(values["state-dir"]).list().sort((a, b) => a.created_at.localeCompare(b.created_at));
      for (const r of rows) process.stdout.write(`${r.id}  ${r.status.padEnd(9)}  ${r.created_at}  ${r.path}${r.pending ? `  (waiting at ${r.pending.step_id})` : ""}\n`);
      return 0;
    }
    default:
      throw new UsageError(`unknown command "${command}"\n\n${HELP}`);
  }
}

/**
 * Exits once everything written to stdout and stderr has reached the OS: a pipe takes writes
 * asynchronously, so exiting right after write() cut the output at the pipe buffer (64 KiB).
 * A reader that went away (`| head`) is not an error of ours; the exit code stays the run's.
 */
function exitAfterFlush(code: number): void {
  process.exitCode = code;
  const flushed = (stream: NodeJS.WriteStream) =>
    new Promise<void>((resolve) => {
      stream.once("error", () => resolve()); // EPIPE: nobody is reading any more
      stream.write("", () => resolve());
    });
  void Promise.all([flushed(process.stdout), flushed(process.stderr)]).then(() => process.exit(code));
}

main(process.argv.slice(2)).then(exitAfterFlush, (e: Error) => {
  process.stdout.write(JSON.stringify({ error: { name: e.name, message: e.message } }, null, 2) + "\n");
  process.stderr.write(`devgodzilla: ${e.message}\n`);
  exitAfterFlush(e instanceof UsageError ? 2 : 1);
});
