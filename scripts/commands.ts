// The repository's own commands behind the `devgodzilla` bin — `check`, `gen-schemas`, `demo`. They
// sit above the local runner (they use it), so the runner never imports them: the bin dispatches
// here first and hands every other command to scripts/runner/cli.ts.
import { CHECKED_TREES, runCheck } from "./check/index.ts";
import { generateSchemas } from "./check/schemas.ts";
import { runDemo } from "./demo/index.ts";

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
    default:
      process.stderr.write(`devgodzilla: ${argv[0]} is not a repository command (check, gen-schemas, demo)\n`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: Error) => {
    process.stdout.write(JSON.stringify({ error: { name: e.name, message: e.message } }, null, 2) + "\n");
    process.stderr.write(`devgodzilla: ${e.message}\n`);
    process.exit(1);
  },
);
