// `npm run check` enforces the dependency rules of ARCHITECTURE.md: each rule, broken once in a
// small tree laid out like the repository, is reported by name with the path that breaks it.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { layerProblems, type LayerProblem } from "../../scripts/check/layers.ts";

const repoRoot = path.resolve(__dirname, "../..");
let root: string;
let problems: LayerProblem[];

function write(files: Record<string, string>) {
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  }
}
const lib = "f/devgodzilla/lib";
const found = (rule: string) => problems.filter((p) => p.rule === rule).map((p) => p.message);

beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), "dgz-layers-"));
  symlinkSync(path.join(repoRoot, "node_modules"), path.join(root, "node_modules"));
  write({
    // Allowed: a domain module using infrastructure, the gateway using its own parts.
    [`${lib}/errors.ts`]: "export class DevGodzillaError extends Error {}\n",
    [`${lib}/git.ts`]: 'export * from "./git/run.ts";\n',
    [`${lib}/git/run.ts`]:
      'import { execa } from "execa";\nimport { DevGodzillaError } from "../errors.ts";\nexport const run = () => [execa, DevGodzillaError];\n',
    [`${lib}/speckit/ok.ts`]: 'import { run } from "../git.ts";\nexport const ok = run;\n',
    // Broken: infrastructure importing a domain module.
    [`${lib}/process.ts`]: 'import { ok } from "./speckit/ok.ts";\nexport const p = ok;\n',
    // Broken: folders needing each other (no module cycle: four different files).
    [`${lib}/qa/verdict.ts`]: 'import { assign } from "../agentops/assign.ts";\nexport const verdict = assign;\n',
    [`${lib}/agentops/assign.ts`]: "export const assign = 1;\n",
    [`${lib}/agentops/review.ts`]: 'import { finding } from "../qa/types.ts";\nexport const review = finding;\n',
    [`${lib}/qa/types.ts`]: "export const finding = 1;\n",
    // Broken: a module cycle.
    [`${lib}/dag/a.ts`]: 'import { b } from "./b.ts";\nexport const a = () => b;\n',
    [`${lib}/dag/b.ts`]: 'import { a } from "./a.ts";\nexport const b = () => a;\n',
    // Broken: the bundle importing the harness; a second door into git; execa past the gateways.
    [`${lib}/workspace/fake.ts`]: 'import { fake } from "../../../../scripts/fakes/forge.ts";\nexport const f = fake;\n',
    [`${lib}/workspace/shortcut.ts`]: 'import { run } from "../git/run.ts";\nexport const s = run;\n',
    [`${lib}/workspace/spawn.ts`]: 'import { execa } from "execa";\nexport const sp = execa;\n',
    // Allowed: the Windmill gateway importing windmill-client. Broken: anything else importing it.
    [`${lib}/platform/windmill.ts`]: 'import * as wmill from "windmill-client";\nexport const w = wmill;\n',
    [`${lib}/platform/issues.ts`]: 'import * as wmill from "windmill-client";\nexport const i = wmill;\n',
    "scripts/fakes/forge.ts": "export const fake = 1;\n",
    // Broken: harness folders needing each other.
    "scripts/runner/cli.ts": 'import { check } from "../check/index.ts";\nexport const cli = check;\n',
    "scripts/runner/bundle.ts": "export const bundle = 1;\n",
    "scripts/check/index.ts": 'import { bundle } from "../runner/bundle.ts";\nexport const check = bundle;\n',
  });
  problems = await layerProblems(root);
}, 60_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("dependency rules", () => {
  it("infrastructure may not import a domain module", () => {
    expect(found("infrastructure-imports-no-domain")).toEqual([expect.stringContaining(`${lib}/process.ts → ${lib}/speckit/ok.ts`)]);
  });

  it("two folders that need each other are a cycle even when no module cycle exists, in the bundle and in the harness", () => {
    const cycles = found("no-folder-cycles").join("\n");
    expect(cycles).toMatch(/lib\/(qa|agentops) → .*lib\/(agentops|qa)/);
    expect(cycles).toMatch(/scripts\/(runner|check) → scripts\/(check|runner)/);
  });

  it("a module cycle is reported with its path", () => {
    expect(found("no-module-cycles").join("\n")).toMatch(/dag\/a\.ts → .*dag\/b\.ts/);
  });

  it("the bundle may not import the harness", () => {
    expect(found("bundle-stays-out-of-the-harness")).toEqual([expect.stringContaining(`${lib}/workspace/fake.ts → scripts/fakes/forge.ts`)]);
  });

  it("git is reached through lib/git.ts only, and execa only by the process and git gateways", () => {
    expect(found("git-gateway-has-one-door")).toEqual([expect.stringContaining(`${lib}/workspace/shortcut.ts → ${lib}/git/run.ts`)]);
    expect(found("processes-through-the-process-and-git-gateways")).toEqual([expect.stringContaining(`${lib}/workspace/spawn.ts →`)]);
  });

  it("the Windmill API is reached through lib/platform/windmill.ts only", () => {
    expect(found("windmill-api-through-the-windmill-gateway")).toEqual([expect.stringContaining(`${lib}/platform/issues.ts →`)]);
  });

  it("the allowed directions are not reported", () => {
    const messages = problems.map((p) => p.message).join("\n");
    expect(messages).not.toMatch(/speckit\/ok\.ts → .*git\.ts|git\/run\.ts → .*errors\.ts/);
  });
});
