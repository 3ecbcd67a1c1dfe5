#!/usr/bin/env node
// The `devgodzilla` bin: runs the TypeScript runner directly (tsx's loader under Node; Bun needs none).
if (!process.versions.bun) {
  const { register } = await import("tsx/esm/api");
  register();
}
// The repository's commands (check, gen-schemas, demo) use the runner, so they live above it.
const repositoryCommands = new Set(["check", "gen-schemas", "demo"]);
await import(repositoryCommands.has(process.argv[2]) ? "./commands.ts" : "./runner/cli.ts");
