// The versions the Windmill worker installs must be the versions the tests ran: package-lock.json.
// Windmill (>= 1.587) takes a workspace's default Bun dependencies from `dependencies/package.json`
// (pushed by `wmill sync push`) and locks every Bun script with `bun install` on exactly that file,
// so it pins each package.json dependency to its locked version and every other package the bundle
// installs (single-version in the lock) through `overrides`. `npm run check` compares it, and every
// committed script lock, with package-lock.json.
import { readFileSync } from "node:fs";
import path from "node:path";

export const WORKSPACE_DEPENDENCIES = "dependencies/package.json";

interface LockPackage {
  version?: string;
  dev?: boolean;
  devOptional?: boolean;
  optional?: boolean;
  peer?: boolean;
}
export interface PackageLock {
  packages: Record<string, LockPackage>;
}

/** `node_modules/a/node_modules/@s/b` → `@s/b`. */
export const packageName = (lockPath: string) => lockPath.slice(lockPath.lastIndexOf("node_modules/") + "node_modules/".length);

/** Installed (non-dev) packages of the lock: install path → version. */
export function productionPackages(lock: PackageLock): Map<string, string> {
  const out = new Map<string, string>();
  for (const [p, meta] of Object.entries(lock.packages)) {
    if (!p || meta.dev || meta.devOptional || !meta.version) continue;
    out.set(p, meta.version);
  }
  return out;
}

/** The workspace dependencies file's text, derived from package.json + package-lock.json. */
export function workspaceDependencies(root: string): string {
  const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { dependencies?: Record<string, string> };
  const lock = JSON.parse(readFileSync(path.join(root, "package-lock.json"), "utf8")) as PackageLock;
  const prod = productionPackages(lock);
  const dependencies: Record<string, string> = {};
  for (const name of Object.keys(pkg.dependencies ?? {}).sort()) {
    const v = prod.get(`node_modules/${name}`);
    if (!v) throw new Error(`package-lock.json has no installed version of ${name} — run npm install`);
    dependencies[name] = v;
  }
  const versions = new Map<string, Set<string>>();
  for (const [p, v] of prod) versions.set(packageName(p), (versions.get(packageName(p)) ?? new Set()).add(v));
  const overrides: Record<string, string> = {};
  for (const name of [...versions.keys()].sort()) {
    const vs = versions.get(name)!;
    // Bun only has top-level overrides: a package installed at two versions keeps its ranges.
    if (!(name in dependencies) && vs.size === 1) overrides[name] = [...vs][0]!;
  }
  return JSON.stringify({ dependencies, overrides }, null, 2) + "\n";
}
