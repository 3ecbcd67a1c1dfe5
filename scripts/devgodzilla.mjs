#!/usr/bin/env node
// The `devgodzilla` bin: runs the TypeScript runner directly (tsx's loader under Node; Bun needs none).
if (!process.versions.bun) {
  const { register } = await import("tsx/esm/api");
  register();
}
await import("./runner/cli.ts");
