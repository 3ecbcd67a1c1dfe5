// The repository's own commands behind the `devgodzilla` bin — `check`, `gen-schemas`, `demo`, and
// `resume` of a demo run (its loopback servers come back first). They sit above the local runner
// (they use it), so the runner never imports them: the bin dispatches here first and hands every
// other command to scripts/runner/cli.ts.
import { CHECKED_TREES, runCheck } from "./check/index.ts";
import { generateSchemas } from "./check/schemas.ts";
import { resumeDemo, runDemo } from "./demo/index.ts";
import { UsageError } from "./runner/errors.ts";
import { finish } from "./runner/session.ts";

async function main(argv: string[]): Promise<number> {
  switch (argv[0]) {
    case "check":
      return (await runCheck()) ? 0 : 1;
    case "gen-schemas": {
      const changed = (await Promise.all(CHECKED_TREES.map((t) => generateSchemas(t)))).flat();
      process.stderr.write(changed.length ? `updated ${changed.join(", ")}\n` : "all .script.yaml schemas are up to date\n");
      return 0;
    }
    case "demo":
      return runDemo(argv.slice(1));
    case "resume":
      return resumeDemo(argv);
    default:
      throw new UsageError(`${argv[0]} is not a repository command (check, gen-schemas, demo)`);
  }
}

finish(main(process.argv.slice(2)));
