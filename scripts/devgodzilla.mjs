#!/usr/bin/env node
// The `devgodzilla` bin: runs the TypeScript runner directly (tsx's loader under Node; Bun needs none).
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

if (!process.versions.bun) {
  const { register } = await import("tsx/esm/api");
  register();
}

/** `resume <id>` of a run `npm start` made: its demo.json says so (the runner itself knows no demo). */
function resumesDemoRun(argv) {
  if (argv[0] !== "resume" || !argv[1]) return false;
  const { values } = parseArgs({ args: argv, allowPositionals: true, strict: false, options: { "state-dir": { type: "string" } } });
  const stateDir =
    typeof values["state-dir"] === "string"
      ? values["state-dir"]
      : (process.env.DEVGODZILLA_STATE_DIR ?? path.join(path.dirname(fileURLToPath(import.meta.url)), "..", ".devgodzilla"));
  return /^[0-9a-f-]{36}$/.test(argv[1]) && existsSync(path.join(stateDir, "runs", argv[1], "demo.json"));
}

// The repository's commands (check, gen-schemas, demo) use the runner, so they live above it.
const repositoryCommands = new Set(["check", "gen-schemas", "demo"]);
const argv = process.argv.slice(2);
await import(repositoryCommands.has(argv[0]) || resumesDemoRun(argv) ? "./commands.ts" : "./runner/cli.ts");
