// `npm run check`: the offline bundle check. Everything Windmill would reject, or that would let the
// UI form drift from the code, fails here first: tsc, wmill lint, .script.yaml schemas, flow types,
// the dependency rules that keep the layers apart and the function-size limit (ARCHITECTURE.md).
import { execa } from "execa";
import path from "node:path";
import { REPO_ROOT } from "../runner/bundle.ts";
import { flowProblems, formatProblem, unenforcedTimeouts, unguardedRetries, v8Problems, v8Uses } from "./flows.ts";
import { layerProblems } from "./layers.ts";
import { schemaProblems } from "./schemas.ts";
import { dynamicImportProblems, tsxParseProblems } from "./imports.ts";
import { metadataProblems } from "./metadata.ts";
import { formatProblems } from "./format.ts";
import { functionSizeProblems, MAX_FUNCTION_LINES } from "./size.ts";

/** Sync trees checked: the bundle itself, and the conformance flows the tests run. */
export const CHECKED_TREES = [REPO_ROOT, path.join(REPO_ROOT, "tests", "flows")];
const bin = (name: string) => path.join(REPO_ROOT, "node_modules", ".bin", name);

async function step(title: string, fn: () => Promise<string[]>): Promise<boolean> {
  const started = Date.now();
  const problems = await fn();
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  process.stderr.write(`${problems.length ? "✗" : "✓"} ${title} (${secs}s)\n`);
  for (const p of problems) process.stderr.write(`    ${p}\n`);
  return problems.length === 0;
}

export async function runCheck(): Promise<boolean> {
  const results = [
    await step("TypeScript compiles (tsc --noEmit)", async () => {
      const r = await execa(bin("tsc"), ["--noEmit", "-p", REPO_ROOT], { reject: false, cwd: REPO_ROOT });
      return r.exitCode === 0 ? [] : r.stdout.split("\n").filter(Boolean);
    }),
    await step("wmill lint: flows, schedules, triggers (no errors, no warnings)", async () => {
      const out: string[] = [];
      for (const tree of CHECKED_TREES) {
        const r = await execa(bin("wmill"), ["lint", tree, "--json", "--fail-on-warn"], { reject: false, cwd: REPO_ROOT });
        const start = r.stdout.indexOf("{");
        const report = JSON.parse(r.stdout.slice(start)) as { issues: { path: string; errors: string[] }[]; warnings: unknown[] };
        for (const i of report.issues) for (const e of i.errors) out.push(`${path.relative(REPO_ROOT, path.join(tree, i.path))}: ${e}`);
        for (const w of report.warnings) out.push(`warning: ${JSON.stringify(w)}`);
        if (r.exitCode !== 0 && !out.length) out.push(`wmill lint ${tree} exited ${r.exitCode}`);
      }
      return out;
    }),
    await step(".script.yaml schemas equal what Windmill derives from main", async () =>
      (await Promise.all(CHECKED_TREES.map((t) => schemaProblems(t)))).flat().map((p) => `${p.file}: ${p.message}`),
    ),
    await step("no dynamic import() (Windmill locks only what is imported statically)", async () =>
      CHECKED_TREES.flatMap((t) => dynamicImportProblems(t)).map((p) => `${p.file}: ${p.message}`),
    ),
    await step("every bundle module parses as TSX (how Windmill's Bun worker reads an imported module)", async () =>
      CHECKED_TREES.flatMap((t) => tsxParseProblems(t)).map((p) => `${p.file}: ${p.message}`),
    ),
    await step("deployment metadata current: every module's .script.yaml/.script.lock, locks = package-lock.json", async () =>
      metadataProblems(REPO_ROOT).map((p) => `${p.file}: ${p.message}`),
    ),
    await step("flows type-check against the scripts they call", async () =>
      (await Promise.all(CHECKED_TREES.map((t) => flowProblems(t)))).flat().map(formatProblem),
    ),
    await step("timeouts only where Windmill enforces them (script steps)", async () => unenforcedTimeouts(REPO_ROOT).map(formatProblem)),
    await step("retried steps hand bad input on to a step without retries (Windmill retries any error)", async () =>
      (await unguardedRetries(REPO_ROOT)).map(formatProblem),
    ),
    await step(`expressions that need V8: ${v8Uses().length} in the bundle, each listed in the README with its reason`, async () => {
      for (const u of v8Uses()) process.stderr.write(`    needs V8: flow ${u.flow}, ${u.where}: \`${u.expr}\` — ${u.rule}\n`);
      return v8Problems();
    }),
    await step("dependency rules: layers, gateways, no cycles (dependency-cruiser)", async () => (await layerProblems(REPO_ROOT)).map((p) => p.message)),
    await step(`no function in the bundle over ${MAX_FUNCTION_LINES} lines`, async () => functionSizeProblems(REPO_ROOT).map((p) => `${p.file}: ${p.message}`)),
    await step("code formatted (prettier)", () => formatProblems(REPO_ROOT)),
  ];
  return results.every(Boolean);
}
