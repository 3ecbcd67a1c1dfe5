// `devgodzilla` — the command line of the embedded local runner. Arguments mirror
// `wmill flow preview` / `wmill script preview` (-d data, -s silent). The final result goes to
// stdout as JSON; progress (one line per step and task), the summary and errors go to stderr; the
// exit code says how the run ended (outcome.ts).
import { UsageError } from "./errors.ts";
import { runPath, resumeRun, RunStore } from "./index.ts";
import { formatRunList } from "./list.ts";
import { EXIT } from "./outcome.ts";
import { Session, asObject, finish, parseCommandLine, readJson, withOptions } from "./session.ts";

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

Exit codes: 0 success · 1 the run failed · 2 bad command or input (nothing ran or changed, or a step rejected its input) ·
            3 finished with failures (QA failed, tasks failed) · 4 waiting for an answer ·
            130 interrupted (Ctrl-C; the run can be resumed)

Resources and variables ($res:/$var:) come from resources/local.yaml (see resources/local.example.yaml)
or DEVGODZILLA_RES_<PATH> / DEVGODZILLA_VAR_<PATH> environment variables.`;

async function main(argv: string[]): Promise<number> {
  if (argv[0] === "agents") {
    const { runAgentsCommand } = await import("./agents-cli.ts");
    return runAgentsCommand(argv.slice(1)); // its own options: list | health | test <id>
  }
  const { values, positionals } = parseCommandLine(argv);
  const [command, target] = positionals;
  if (values.help || !command) {
    process.stdout.write(HELP + "\n");
    return command || values.help ? EXIT.success : EXIT.usage;
  }
  switch (command) {
    case "run": {
      if (!target) throw new UsageError("run needs a Windmill path, e.g. devgodzilla run f/devgodzilla/spec_to_pr -d @flows/spec_to_pr.example.json");
      const args = asObject(readJson(values.data, "-d"), "-d") ?? {};
      const answers = asObject(readJson(values.answers, "--answers"), "--answers");
      const event = asObject(readJson(values.event, "--event"), "--event");
      const s = new Session(values);
      const opts = s.options();
      // Answers given up front: nobody is asked at the terminal unless one does not fit.
      return s.report(await runPath(target, { ...opts, args, answers, event, ask: answers ? undefined : opts.ask }));
    }
    case "resume": {
      if (!target) throw new UsageError("resume needs the run id printed by the run (list them with npx devgodzilla runs)");
      const s = new Session(values);
      return s.report(await resumeRun(target, readJson(values.data, "-d"), s.options()));
    }
    case "runs": {
      process.stdout.write(formatRunList(new RunStore(values["state-dir"]), (c) => withOptions(c, values)));
      return EXIT.success;
    }
    default:
      throw new UsageError(`unknown command "${command}" — the commands are run, resume, runs, demo, agents, check, gen-schemas (devgodzilla --help)`);
  }
}

finish(main(process.argv.slice(2)));
