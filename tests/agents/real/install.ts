// Installs the agent CLIs of clis.json from the npm registry into a cache OUTSIDE the product's
// dependencies: $XDG_CACHE_HOME/devgodzilla/agent-clis/<manifest hash>/ (default ~/.cache). A cache
// whose installed versions match the manifest is reused as it is; otherwise it is installed anew
// (about 1.8 GB; codex and claude-code ship ~400 MB native binaries). Only the install scripts the
// manifest allows run. Used by test:agents' global setup; `npx tsx tests/agents/real/install.ts`
// installs alone and prints where.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import path from "node:path";
import { runProcess } from "../../../f/devgodzilla/lib/process.ts";
import type { AgentId } from "../../../f/devgodzilla/lib/agents/registry.ts";

export interface CliPin {
  package: string;
  version: string;
  bin: string;
}
export interface Manifest {
  agents: Partial<Record<AgentId, CliPin>>;
  allowScripts: Record<string, boolean>;
}
export interface InstalledClis {
  binDir: string;
  /** agent → version the installed package.json declares. */
  versions: Partial<Record<AgentId, string>>;
  /** Seconds spent installing in this run (0 when the cache was reused). */
  installSeconds: number;
}

export const MANIFEST_FILE = path.join(import.meta.dirname, "clis.json");

export function readManifest(): Manifest {
  return JSON.parse(readFileSync(MANIFEST_FILE, "utf8")) as Manifest;
}

export function cacheDir(manifest: Manifest): string {
  const base = process.env.XDG_CACHE_HOME || path.join(homedir(), ".cache");
  const hash = createHash("sha256").update(JSON.stringify(manifest)).digest("hex").slice(0, 12);
  return path.join(base, "devgodzilla", "agent-clis", hash);
}

function installedVersions(dir: string, manifest: Manifest): InstalledClis["versions"] | null {
  const versions: InstalledClis["versions"] = {};
  for (const [agent, pin] of Object.entries(manifest.agents) as [AgentId, CliPin][]) {
    const pkg = path.join(dir, "node_modules", pin.package, "package.json");
    if (!existsSync(pkg) || !existsSync(path.join(dir, "node_modules", ".bin", pin.bin))) return null;
    const version = (JSON.parse(readFileSync(pkg, "utf8")) as { version: string }).version;
    if (version !== pin.version) return null;
    versions[agent] = version;
  }
  return versions;
}

export async function ensureAgentClis(log: (s: string) => void = (s) => console.error(s)): Promise<InstalledClis> {
  const manifest = readManifest();
  const dir = cacheDir(manifest);
  const binDir = path.join(dir, "node_modules", ".bin");
  const cached = installedVersions(dir, manifest);
  if (cached) return { binDir, versions: cached, installSeconds: 0 };

  const started = Date.now();
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const dependencies = Object.fromEntries(Object.values(manifest.agents).map((p) => [p!.package, p!.version]));
  await writeFile(
    path.join(dir, "package.json"),
    JSON.stringify({ name: "devgodzilla-agent-clis", private: true, dependencies, allowScripts: manifest.allowScripts }, null, 2) + "\n",
  );
  log(`test:agents: installing ${Object.keys(dependencies).length} agent CLIs into ${dir} …`);
  const r = await runProcess({
    file: "npm",
    args: ["install", "--no-audit", "--no-fund", "--loglevel=error"],
    cwd: dir,
    // npm keeps this machine's npm settings (registry, cafile, cache) from the environment.
    env: Object.fromEntries(Object.entries(process.env).filter(([k]) => /^npm_config_/i.test(k))) as Record<string, string>,
    timeoutMs: 20 * 60_000,
    log: false,
  });
  if (r.exitCode !== 0) throw new Error(`npm install of the agent CLIs failed (exit ${r.exitCode}): ${r.stderr.trim().split("\n").slice(-8).join("\n")}`);
  const versions = installedVersions(dir, manifest);
  if (!versions) throw new Error(`npm install finished but ${dir} does not hold every pinned CLI at its version`);
  const installSeconds = Math.round((Date.now() - started) / 100) / 10;
  log(`test:agents: installed in ${installSeconds} s`);
  return { binDir, versions, installSeconds };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await ensureAgentClis();
  console.log(JSON.stringify(r, null, 2));
}
