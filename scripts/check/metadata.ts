// Deployment metadata, committed so `wmill sync push` writes nothing into the checkout and
// `wmill sync pull` gives it back unchanged — the files Windmill's own tooling
// (`wmill generate-metadata`) writes:
//  - every module under f/ (scripts, shared modules in lib/ and prompts/, which Windmill needs
//    deployed as scripts to resolve relative imports) has `<name>.script.yaml` whose `lock` is
//    `!inline <name>.script.lock`; shared modules carry `no_main_func: true`;
//  - every `<name>.script.lock` is the lock Windmill generates for a Bun script from the workspace
//    dependencies (dependencies/package.json): its annotation, that package.json, and the bun.lock
//    Windmill's worker wrote for it — whose versions must be package-lock.json's;
//  - wmill-lock.yaml holds the CLI's content hash of each module, so the CLI sees nothing stale.
// `npm run gen:metadata` rewrites all of it; the bun.lock part needs a Windmill server only when
// dependencies/package.json changed (WINDMILL_URL / WINDMILL_TOKEN / WINDMILL_WORKSPACE).
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { isDeepStrictEqual } from "node:util";
import YAML from "yaml";
import { productionPackages, WORKSPACE_DEPENDENCIES, workspaceDependencies, type PackageLock } from "./dependencies.ts";
import type { Problem } from "./schemas.ts";

export const WMILL_LOCK = "wmill-lock.yaml";
const BUN_LOCK_SPLIT = "\n//bun.lock\n";
const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

/** Every module Windmill deploys as a script: each .ts under f/ outside flow folders. */
export function bundleModules(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (!e.name.endsWith("__flow") && e.name !== "node_modules") walk(full);
      } else if (e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") && !e.name.endsWith(".test.ts")) out.push(full);
    }
  };
  if (existsSync(path.join(root, "f"))) walk(path.join(root, "f"));
  return out.sort();
}

/** Every flow folder (`<name>__flow/`) under f/. */
export function flowFolders(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (!e.isDirectory() || e.name === "node_modules") continue;
      if (e.name.endsWith("__flow")) out.push(path.join(dir, e.name));
      else walk(path.join(dir, e.name));
    }
  };
  if (existsSync(path.join(root, "f"))) walk(path.join(root, "f"));
  return out.sort();
}

/** `f/devgodzilla/lib/git.ts` → `f/devgodzilla/lib/git` (the Windmill path). */
const remotePath = (root: string, file: string) => path.relative(root, file).replace(/\.ts$/, "").split(path.sep).join("/");
const hasMain = (code: string) => /^export\s+(async\s+)?function\s+main\s*\(/m.test(code);

/** The lock Windmill writes for a Bun script whose dependencies come from the workspace default. */
export function lockText(deps: string, bunLock: string): string {
  return `// workspace-dependencies-mode: manual\n// workspace-dependencies: default:${sha256(deps)}\n${deps}${BUN_LOCK_SPLIT}${bunLock}`;
}

/** Splits a committed lock into the package.json it was made from and its bun.lock. */
export function splitLock(lock: string): { deps: string; bunLock: string } | undefined {
  const i = lock.indexOf(BUN_LOCK_SPLIT);
  if (i < 0) return undefined;
  const deps = lock
    .slice(0, i)
    .split("\n")
    .filter((l) => !l.startsWith("// workspace-dependencies"))
    .join("\n");
  return { deps, bunLock: lock.slice(i + BUN_LOCK_SPLIT.length) };
}

/** bun.lock is JSON with trailing commas. Returns install path (npm layout) → version. */
export function bunLockVersions(bunLock: string): Map<string, string> {
  const parsed = JSON.parse(bunLock.replace(/,(\s*[}\]])/g, "$1")) as { packages?: Record<string, [string, ...unknown[]]> };
  const out = new Map<string, string>();
  for (const [key, entry] of Object.entries(parsed.packages ?? {})) {
    const spec = entry[0];
    const at = spec.lastIndexOf("@");
    const names: string[] = [];
    const parts = key.split("/");
    for (let i = 0; i < parts.length; i++) names.push(parts[i]!.startsWith("@") ? `${parts[i]}/${parts[++i]}` : parts[i]!);
    out.set(names.map((n) => `node_modules/${n}`).join("/"), spec.slice(at + 1));
  }
  return out;
}

/** Where a bun.lock disagrees with package-lock.json (versions by install path). */
export function lockDrift(bunLock: string, packageLock: PackageLock): string[] {
  const want = productionPackages(packageLock);
  const out: string[] = [];
  for (const [p, v] of bunLockVersions(bunLock)) {
    const w = want.get(p) ?? packageLock.packages[p]?.version;
    if (w === undefined) out.push(`${p.replaceAll("node_modules/", "")}@${v} is not in package-lock.json`);
    else if (w !== v) out.push(`${p.replaceAll("node_modules/", "")} ${v} ≠ package-lock.json ${w}`);
  }
  return out;
}

type Meta = Record<string, unknown> & { lock?: string };
const EMPTY_SCHEMA = { $schema: "https://json-schema.org/draft/2020-12/schema", type: "object", properties: {}, required: [] };

/** The .script.yaml content a module should have (keeps what people wrote: summary, description, schema, options). */
function wantMeta(root: string, file: string, current: Meta): Meta {
  const lock = `!inline ${remotePath(root, file)}.script.lock`;
  if (hasMain(readFileSync(file, "utf8"))) return { ...current, lock };
  return {
    summary: current.summary ?? "",
    description: current.description ?? "",
    lock,
    kind: "script",
    no_main_func: true,
    schema: current.schema ?? EMPTY_SCHEMA,
  };
}

const metaFile = (file: string) => file.replace(/\.ts$/, ".script.yaml");
const lockFile = (file: string) => file.replace(/\.ts$/, ".script.lock");
const readMeta = (file: string): Meta | undefined =>
  existsSync(metaFile(file)) ? ((YAML.parse(readFileSync(metaFile(file), "utf8")) ?? {}) as Meta) : undefined;

/** wmill-lock.yaml as the CLI writes it once everything is generated: a content hash per module. */
function wantWmillLock(root: string, deps: string): string {
  const locks: Record<string, string> = { [WORKSPACE_DEPENDENCIES]: sha256(deps + WORKSPACE_DEPENDENCIES) };
  for (const file of bundleModules(root)) {
    if (!existsSync(metaFile(file))) continue;
    locks[remotePath(root, file)] = sha256("{}" + readFileSync(file, "utf8") + readFileSync(metaFile(file), "utf8"));
  }
  // Flows: a hash per inline script file and one over them all ("__flow_hash").
  for (const folder of flowFolders(root)) {
    const key = path.relative(root, folder).split(path.sep).join("/");
    const hashes: Record<string, string> = {};
    for (const name of readdirSync(folder)
      .filter((n) => n.endsWith(".ts"))
      .sort())
      hashes[name] = sha256(readFileSync(path.join(folder, name), "utf8") + "{}");
    for (const [name, h] of Object.entries(hashes)) locks[`${key}+${name}`] = h;
    locks[`${key}+__flow_hash`] = sha256(JSON.stringify(hashes));
  }
  // Key order as the CLI leaves it (plain code-unit sort), so a pull that changes nothing rewrites nothing.
  const sorted = Object.fromEntries(
    Object.keys(locks)
      .sort()
      .map((k) => [k, locks[k]]),
  );
  return YAML.stringify({ version: "v2", locks: sorted });
}

export function metadataProblems(root: string): Problem[] {
  if (!existsSync(path.join(root, "package-lock.json"))) return []; // a sync tree without dependencies (test fixtures)
  const problems: Problem[] = [];
  const fix = "run `npm run gen:metadata`";
  const deps = workspaceDependencies(root);
  const depsFile = path.join(root, WORKSPACE_DEPENDENCIES);
  if (!existsSync(depsFile) || readFileSync(depsFile, "utf8") !== deps)
    problems.push({ file: WORKSPACE_DEPENDENCIES, message: `differs from package-lock.json's versions — ${fix}` });
  const packageLock = JSON.parse(readFileSync(path.join(root, "package-lock.json"), "utf8")) as PackageLock;
  const seenLocks = new Set<string>();
  for (const file of bundleModules(root)) {
    const rel = path.relative(root, metaFile(file));
    const current = readMeta(file);
    if (!current) {
      problems.push({ file: rel, message: `missing: Windmill deploys ${path.relative(root, file)} as a script and needs its metadata — ${fix}` });
      continue;
    }
    if (!isDeepStrictEqual(current, wantMeta(root, file, current)))
      problems.push({ file: rel, message: `lock reference or module fields are not what Windmill writes — ${fix}` });
    const lf = lockFile(file);
    if (!existsSync(lf)) {
      problems.push({ file: path.relative(root, lf), message: `missing — ${fix}` });
      continue;
    }
    const text = readFileSync(lf, "utf8");
    if (seenLocks.has(text)) continue;
    seenLocks.add(text);
    const parts = splitLock(text);
    if (!parts || text !== lockText(parts.deps, parts.bunLock))
      problems.push({ file: path.relative(root, lf), message: `not a Windmill Bun lock (annotation, package.json, //bun.lock) — ${fix}` });
    else if (parts.deps !== deps)
      problems.push({
        file: path.relative(root, lf),
        message: `locks other dependencies than dependencies/package.json — ${fix} (with WINDMILL_URL/WINDMILL_TOKEN/WINDMILL_WORKSPACE set)`,
      });
    else
      for (const d of lockDrift(parts.bunLock, packageLock))
        problems.push({ file: path.relative(root, lf), message: `${d} — the worker would run other versions than the tests; ${fix}` });
  }
  const wl = path.join(root, WMILL_LOCK);
  if (!existsSync(wl) || !isDeepStrictEqual(YAML.parse(readFileSync(wl, "utf8")), YAML.parse(wantWmillLock(root, deps)))) {
    problems.push({ file: WMILL_LOCK, message: `module hashes are stale (the CLI would regenerate metadata on push) — ${fix}` });
  }
  return problems;
}

/** Lock text for `deps`: reused from a committed lock made from the same file, else asked of `fetchLock` (a Windmill server). */
async function currentLock(root: string, deps: string, fetchLock?: (deps: string) => Promise<string>): Promise<string> {
  for (const file of bundleModules(root)) {
    if (!existsSync(lockFile(file))) continue;
    const parts = splitLock(readFileSync(lockFile(file), "utf8"));
    if (parts?.deps === deps) return lockText(deps, parts.bunLock);
  }
  if (!fetchLock)
    throw new Error(
      "dependencies/package.json changed: its lock must be generated by a Windmill server — set WINDMILL_URL, WINDMILL_TOKEN and WINDMILL_WORKSPACE and run `npm run gen:metadata` again",
    );
  const lock = await fetchLock(deps);
  const parts = splitLock(lock);
  if (!parts || parts.deps !== deps)
    throw new Error("the Windmill server returned a lock that is not for dependencies/package.json (is it older than 1.587, without workspace dependencies?)");
  return lockText(deps, parts.bunLock);
}

/** Rewrites dependencies/package.json, every module's metadata and lock, and wmill-lock.yaml. Returns the files changed. */
export async function generateMetadata(root: string, fetchLock?: (deps: string) => Promise<string>): Promise<string[]> {
  const changed: string[] = [];
  const write = (file: string, text: string) => {
    if (existsSync(file) && readFileSync(file, "utf8") === text) return;
    writeFileSync(file, text);
    changed.push(path.relative(root, file));
  };
  const deps = workspaceDependencies(root);
  write(path.join(root, WORKSPACE_DEPENDENCIES), deps);
  const lock = await currentLock(root, deps, fetchLock);
  for (const file of bundleModules(root)) {
    const current = readMeta(file) ?? {};
    const want = wantMeta(root, file, current);
    if (!isDeepStrictEqual(current, want)) write(metaFile(file), YAML.stringify(want, { lineWidth: 0 }));
    write(lockFile(file), lock);
  }
  write(path.join(root, WMILL_LOCK), wantWmillLock(root, deps));
  return changed;
}
