// `npm run deploy`: deploys this checkout to the Windmill workspace named by WINDMILL_URL /
// WINDMILL_TOKEN / WINDMILL_WORKSPACE with `wmill sync push` — after checking everything that
// would otherwise fail half-way: the server answers, the token is valid and an admin's, the
// workspace exists, the server has what the bundle uses (HTTP routes), the committed metadata is
// current. Nothing is pushed until all of that holds.
//
// Why not one plain `wmill sync push`: when a script is deployed, Windmill re-locks every script
// that imports it (10 s later, from its dependency map). Pushed in one go, most scripts are
// re-locked by the server right after deployment, which changes their lock's annotation and makes
// the next push or pull see ~50 changed scripts. Pushing shared modules before the scripts that
// import them (one `sync push --includes` per level of the import graph) leaves nothing to re-lock.
import { execa } from "execa";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import YAML from "yaml";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { REPO_ROOT } from "../runner/bundle.ts";
import { bundleModules, metadataProblems } from "../check/metadata.ts";
import { schemaProblems } from "../check/schemas.ts";
import { targetFromEnv, WindmillApiError, WindmillServer, WindmillSetupError, type WindmillTarget } from "./api.ts";

export interface DeployOptions {
  root?: string;
  /** Leave out the HTTP routes (for a server built without the http_trigger feature). */
  skipTriggers?: boolean;
  log?: (line: string) => void;
}

export interface DeployReport {
  server_version: string;
  pushes: number;
  modules: number;
  skipped_triggers: boolean;
  checkout_changed: string[];
}

export const TRIGGERS = "f/**/*.http_trigger.yaml";

/** Deploying failed after pushing began: the workspace may hold part of this checkout. */
export class DeployPushError extends Error {
  override name = "DeployPushError";
}

/** Windmill paths of the modules each module imports (Windmill's own parser, as the server uses it). */
async function importGraph(root: string): Promise<Map<string, string[]>> {
  const mod = await import("windmill-parser-wasm-ts");
  await mod.default({ module_or_path: readFileSync(createRequire(import.meta.url).resolve("windmill-parser-wasm-ts/windmill_parser_wasm_bg.wasm")) });
  const graph = new Map<string, string[]>();
  for (const file of bundleModules(root)) {
    const wpath = path.relative(root, file).replace(/\.ts$/, "").split(path.sep).join("/");
    graph.set(wpath, (mod.parse_ts_relative_imports(readFileSync(file, "utf8"), wpath) as string[]) ?? []);
  }
  return graph;
}

/** Push order: level 0 imports nothing of the bundle, level n only lower levels. Modules in an import cycle share a level. */
export function importLevels(graph: Map<string, string[]>): string[][] {
  const level = new Map<string, number>();
  const onStack = new Set<string>();
  const visit = (p: string): number => {
    if (level.has(p)) return level.get(p)!;
    if (onStack.has(p)) return 0; // a cycle: its members are pushed together
    onStack.add(p);
    const deps = (graph.get(p) ?? []).filter((d) => graph.has(d) && d !== p);
    const l = deps.length ? Math.max(...deps.map(visit)) + 1 : 0;
    onStack.delete(p);
    level.set(p, l);
    return l;
  };
  for (const p of graph.keys()) visit(p);
  const out: string[][] = [];
  for (const [p, l] of level) (out[l] ??= []).push(p);
  return out.filter(Boolean).map((ps) => ps.sort());
}

/** A throw-away wmill config dir holding the profile, so the token never appears on a command line. */
export function wmillProfile(t: WindmillTarget): { dir: string; args: string[]; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), "devgodzilla-wmill-"));
  mkdirSync(path.join(dir, "windmill"), { recursive: true, mode: 0o700 });
  const remote = new URL(t.url).toString();
  writeFileSync(
    path.join(dir, "windmill", "remotes.ndjson"),
    JSON.stringify({ name: "devgodzilla", remote, workspaceId: t.workspace, token: t.token }) + "\n",
    { mode: 0o600 },
  );
  writeFileSync(path.join(dir, "windmill", "activeWorkspace"), "devgodzilla");
  return { dir, args: ["--config-dir", dir, "--workspace", "devgodzilla"], cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export const gitStatus = (root: string) =>
  execa("git", ["status", "--porcelain", "--untracked-files=all"], { cwd: root, reject: false }).then((r) =>
    r.exitCode === 0 ? r.stdout.split("\n").filter(Boolean) : [],
  );

/** Everything that can be known before the first push. Throws WindmillSetupError with what to do. */
async function preflight(server: WindmillServer, root: string, o: DeployOptions): Promise<{ version: string; skipTriggers: boolean }> {
  const version = await server.preflight();
  let skipTriggers = o.skipTriggers ?? false;
  if (!skipTriggers) {
    try {
      await server.call("GET", "w/http_triggers/list?per_page=1");
    } catch (e) {
      if (!(e instanceof WindmillApiError && e.status === 404)) throw e;
      throw new WindmillSetupError(
        `Windmill ${version} at ${server.base} has no HTTP routes (built without the http_trigger feature; Windmill's published images have it) — deploy without the webhook routes with \`npm run deploy -- --skip-triggers\`, or use a server that has them`,
      );
    }
  }
  const stale = [...(await schemaProblems(root)), ...metadataProblems(root)];
  if (stale.length) {
    const first = `${stale[0]!.file}: ${stale[0]!.message}`;
    // The metadata checks already end with what to run; say it once.
    const fix = first.includes("gen:metadata") ? "then commit" : "run `npm run gen:metadata` and commit";
    throw new WindmillSetupError(`the deployment metadata is stale (${first}${stale.length > 1 ? `, and ${stale.length - 1} more` : ""}) — ${fix}`);
  }
  return { version, skipTriggers };
}

/**
 * The custom resource types (resources/*.resource-type.yaml), created or updated through the API.
 * They live outside `wmill sync`'s reach (wmill.yaml `skipResourceTypes: true`): a sync push of a
 * tree without them at its root would delete them from the workspace.
 */
export async function pushResourceTypes(server: WindmillServer, root: string): Promise<string[]> {
  const dir = path.join(root, "resources");
  const names: string[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith(".resource-type.yaml"))
    .sort()) {
    const name = file.replace(/\.resource-type\.yaml$/, "");
    const rt = YAML.parse(readFileSync(path.join(dir, file), "utf8")) as { schema: unknown; description?: string; format_extension?: string | null };
    const body = { schema: rt.schema, description: rt.description ?? "", format_extension: rt.format_extension ?? null };
    if (await server.resourceTypeExists(name)) await server.call("POST", `w/resources/type/update/${name}`, body);
    else await server.call("POST", "w/resources/type/create", { name, ...body });
    names.push(name);
  }
  return names;
}

/** Waits until the workspace has no queued or running dependency (lock) jobs. */
export async function waitForLocks(server: WindmillServer, timeoutMs = 600_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const queued = await server.call<unknown[]>("GET", "w/jobs/queue/list?job_kinds=dependencies,flowdependencies&per_page=100");
    if (!queued.length) return;
    if (Date.now() > until)
      throw new WindmillSetupError(`${queued.length} lock job(s) still queued after ${timeoutMs / 1000} s — is a worker running for the "dependency" tag?`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

export async function deploy(target: WindmillTarget, o: DeployOptions = {}): Promise<DeployReport> {
  const root = o.root ?? REPO_ROOT;
  const log = o.log ?? ((l: string) => process.stderr.write(l + "\n"));
  const server = new WindmillServer(target);
  const { version, skipTriggers } = await preflight(server, root, o);
  log(`deploying ${root} to ${server.base}, workspace ${target.workspace} (Windmill ${version})`);
  const before = await gitStatus(root);
  const profile = wmillProfile(target);
  const wmill = path.join(root, "node_modules", ".bin", "wmill");
  const exclude = skipTriggers ? ["-e", TRIGGERS] : [];
  let pushes = 0;
  const push = async (what: string, includes?: string[]) => {
    const args = ["sync", "push", "--yes", ...profile.args, ...(includes ? ["--includes", includes.join(",")] : exclude)];
    const r = await execa(wmill, args, { cwd: root, reject: false, all: true, env: { NO_COLOR: "1" } });
    pushes++;
    if (r.exitCode !== 0)
      throw new DeployPushError(`wmill sync push (${what}) failed:\n${(r.all ?? "").replaceAll(target.token, "***").split("\n").slice(-15).join("\n")}`);
    log(`  pushed ${what}`);
  };
  try {
    const levels = importLevels(await importGraph(root));
    log(`  resource types ${(await pushResourceTypes(server, root)).join(", ")}`);
    await push("workspace dependencies", ["dependencies/**"]);
    for (const [i, modules] of levels.entries()) {
      await push(
        `import level ${i} (${modules.length} module${modules.length === 1 ? "" : "s"})`,
        modules.flatMap((m) => [`${m}.ts`, `${m}.script.yaml`, `${m}.script.lock`]),
      );
    }
    await push(skipTriggers ? "flows, schedules (HTTP routes left out)" : "flows, schedules, HTTP routes");
    await waitForLocks(server);
    const after = await gitStatus(root);
    const changed = after.filter((l) => !before.includes(l));
    return { server_version: version, pushes, modules: levels.flat().length, skipped_triggers: skipTriggers, checkout_changed: changed };
  } catch (e) {
    // A setup error here (server gone, no lock worker) came after pushing began: not "nothing ran".
    throw e instanceof DeployPushError ? e : new DeployPushError((e as Error).message, { cause: e });
  } finally {
    profile.cleanup();
  }
}

/**
 * `npm run deploy [-- --skip-triggers]`: one line per problem. Exit 2 when a check before the first
 * push stopped it (nothing pushed: the message says what to set or run), 1 when the deploy failed
 * after pushing began, 0 when deployed.
 */
export async function deployCommand(o: { env?: NodeJS.ProcessEnv; argv?: string[]; root?: string; write?: (line: string) => void } = {}): Promise<number> {
  const write = o.write ?? ((l: string) => process.stderr.write(l + "\n"));
  const target = targetFromEnv(o.env ?? process.env);
  if ("missing" in target) {
    write(
      `deploy: set ${target.missing.join(", ")} (the Windmill base URL, an admin token of the workspace, the workspace id) — see README "Run it on Windmill"`,
    );
    return 2;
  }
  try {
    const r = await deploy(target, { root: o.root, skipTriggers: (o.argv ?? []).includes("--skip-triggers"), log: write });
    if (r.checkout_changed.length) {
      write(
        `deploy: wmill wrote into the checkout (${r.checkout_changed.join(", ")}) — the committed metadata is not what this CLI expects; run \`npm run gen:metadata\``,
      );
      return 1;
    }
    write(`deployed ${r.modules} modules in ${r.pushes} pushes to Windmill ${r.server_version}${r.skipped_triggers ? " (HTTP routes left out)" : ""}`);
    return 0;
  } catch (e) {
    write(`deploy: ${(e as Error).message}`);
    return e instanceof WindmillSetupError ? 2 : 1;
  }
}
