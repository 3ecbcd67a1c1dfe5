// `npm run test:windmill`: checks a live Windmill against the local runner, item by item.
// Given WINDMILL_URL / WINDMILL_TOKEN / WINDMILL_WORKSPACE (an admin's token; the workspace gets the
// bundle pushed into it), it
//  1. deploys a clean copy of this checkout exactly as `npm run deploy` does, and checks that the
//     push wrote nothing into the copy, that every script is locked with the committed lock, and
//     that `wmill sync pull` into a fresh clone gives no diff;
//  2. makes a fixture (sample repository with a specified feature, loopback model and GitHub API,
//     resources under u/<user>/ in the workspace) and runs every flow and every script of the
//     bundle — enumerated from f/, arguments built from each one's input schema — on the local
//     runner and on Windmill, approvals answered through the resume URL;
//  3. prints a table (item, local, windmill, same?) and one JSON line; exits 1 on any difference.
// A script that only runs as a step of a flow (it reads the flow's state or the previous steps'
// results) is compared inside its flow: every job of it in that flow's run, on both sides (steps.ts).
// Items Windmill cannot evaluate because the server was built without V8 are marked "needs V8";
// the HTTP routes on a server built without http_trigger "needs feature". Neither is a pass. On a
// server with routes, webhook deliveries are posted to the route and compared (routes.ts).
// Cancel semantics are compared on the runner's conformance flows, pushed under f/conformance/ for
// those rows only and removed after (cancel-rows.ts); step timeouts likewise (timeout-rows.ts), and
// the other conformance flows (conformance-rows.ts). Bad input to the flows whose later steps retry
// is compared as which steps ran and how often (bad-input-rows.ts).
// Unset variables: one line saying so, exit 0 (so CI without a server stays green).
import { execa } from "execa";
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import YAML from "yaml";
import { REPO_ROOT } from "../../scripts/runner/bundle.ts";
import { bundleModules, flowFolders } from "../../scripts/check/metadata.ts";
import { deploy, DeployPushError, gitStatus, TRIGGERS, wmillProfile } from "../../scripts/windmill/deploy.ts";
import { targetFromEnv, WindmillServer, WindmillSetupError, type WindmillTarget } from "../../scripts/windmill/api.ts";
import { cancelRows } from "./cancel-rows.ts";
import { timeoutRows } from "./timeout-rows.ts";
import { conformanceRows } from "./conformance-rows.ts";
import { badInputRows } from "./bad-input-rows.ts";
import { compareOutcomes, renderTable, summarize, type Outcome, type Row } from "./compare.ts";
import { makeFixture, type Fixture } from "./fixture.ts";
import { routeRows } from "./routes.ts";
import { runLocal, runWindmill } from "./runners.ts";
import { sampleArgs, type InputSchema } from "./samples.ts";
import { flowStepScripts, localStepEnds, stepsOutcome, windmillStepEnds } from "./steps.ts";
import { removeUnder } from "./workspace.ts";

const log = (l: string) => process.stderr.write(`[test:windmill] ${l}\n`);
const ok = (result: unknown): Outcome => ({ status: "success", result });

/** A git repository holding exactly this checkout's files (tracked and untracked, not ignored). */
async function cleanCopy(): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "devgodzilla-deploy-"));
  const files = (await execa("git", ["ls-files", "-co", "--exclude-standard", "-z"], { cwd: REPO_ROOT })).stdout.split("\0").filter(Boolean);
  for (const f of files) {
    if (!existsSync(path.join(REPO_ROOT, f))) continue;
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    cpSync(path.join(REPO_ROOT, f), path.join(dir, f));
  }
  const g = (...a: string[]) => execa("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...a], { cwd: dir });
  await g("init", "-q");
  await g("add", "-A");
  await g("commit", "-q", "-m", "checkout");
  // The tools (wmill, tsx) of this checkout, invisible to git in the copy and its clones.
  symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(dir, "node_modules"));
  appendFileSync(path.join(dir, ".git", "info", "exclude"), "/node_modules\n");
  return dir;
}

/** Deploy, lock and round-trip rows: each compares what the README promises ([]) with what happened. */
async function deployRows(target: WindmillTarget, server: WindmillServer, copy: string): Promise<{ rows: Row[]; skipTriggers: boolean }> {
  const skipTriggers = await server.call("GET", "w/http_triggers/list?per_page=1").then(
    () => false,
    () => true,
  );
  const rows: Row[] = [];
  const row = (item: string, problems: string[]) => rows.push({ item, local: ok([]), windmill: ok(problems), ...compareOutcomes(ok([]), ok(problems)) });
  log(`removing the bundle (${BUNDLE_PREFIX}) from workspace ${target.workspace}: a first deploy follows`);
  await removeUnder(server, BUNDLE_PREFIX); // a first deploy, as the README's steps on a fresh workspace
  const report = await deploy(target, { root: copy, skipTriggers, log });
  row("deploy: sync push writes nothing into the checkout", report.checkout_changed);
  const lockProblems: string[] = [];
  for (const file of bundleModules(copy)) {
    const p = path.relative(copy, file).replace(/\.ts$/, "").split(path.sep).join("/");
    const deployed = await server.call<{ lock?: string; lock_error_logs?: string }>("GET", `w/scripts/get/p/${p}`).catch(() => undefined);
    if (!deployed) lockProblems.push(`${p}: not deployed`);
    else if (deployed.lock_error_logs) lockProblems.push(`${p}: lock generation failed`);
    else if (deployed.lock !== readFileSync(file.replace(/\.ts$/, ".script.lock"), "utf8"))
      lockProblems.push(`${p}: the server's lock differs from the committed one`);
  }
  row("deploy: every script runs with the committed lock (package-lock versions)", lockProblems);
  const clone = mkdtempSync(path.join(os.tmpdir(), "devgodzilla-pull-"));
  try {
    await execa("git", ["clone", "-q", copy, clone]);
    symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(clone, "node_modules"));
    appendFileSync(path.join(clone, ".git", "info", "exclude"), "/node_modules\n");
    const profile = wmillProfile(target);
    try {
      const r = await execa(
        path.join(REPO_ROOT, "node_modules", ".bin", "wmill"),
        ["sync", "pull", "--yes", ...profile.args, ...(skipTriggers ? ["-e", TRIGGERS] : [])],
        { cwd: clone, reject: false, all: true, env: { NO_COLOR: "1" } },
      );
      const changed = r.exitCode === 0 ? await pullChanges(clone) : [`wmill sync pull failed: ${(r.all ?? "").split("\n").slice(-3).join(" ")}`];
      row("deploy: sync pull into a clean clone gives no diff", changed);
    } finally {
      profile.cleanup();
    }
  } finally {
    rmSync(clone, { recursive: true, force: true });
  }
  return { rows, skipTriggers };
}

/**
 * What a pull changed in the clone. A pulled HTTP route names its owner (`email`: the user who
 * deployed it; windmill-cli drops it for schedules but not for triggers), which a checkout cannot
 * know in advance: a route file that differs only by that line is not a change.
 */
async function pullChanges(clone: string): Promise<string[]> {
  const changed: string[] = [];
  for (const line of await gitStatus(clone)) {
    const file = line.slice(3);
    if (line.startsWith(" M") && file.endsWith(".http_trigger.yaml")) {
      const committed = (await execa("git", ["show", `HEAD:${file}`], { cwd: clone, stripFinalNewline: false })).stdout;
      const pulled = readFileSync(path.join(clone, file), "utf8").replace(/^email: .*\n/m, "");
      if (pulled === committed) continue;
    }
    changed.push(line);
  }
  return changed;
}

const BUNDLE_PREFIX = "f/devgodzilla/";

interface Item {
  path: string;
  kind: "script" | "flow";
  schema: InputSchema;
  /** Flows: the scripts it runs as steps. */
  steps?: Set<string>;
}

/** Every flow and every script (a module with `main`) of the bundle, flows first. */
function bundleItems(root: string): Item[] {
  const flows = flowFolders(root).map((folder) => {
    const flow = YAML.parse(readFileSync(path.join(folder, "flow.yaml"), "utf8")) as { schema?: InputSchema };
    return {
      path: path
        .relative(root, folder)
        .replace(/__flow$/, "")
        .split(path.sep)
        .join("/"),
      kind: "flow" as const,
      schema: flow.schema ?? {},
      steps: flowStepScripts(folder),
    };
  });
  const scripts: Item[] = [];
  for (const file of bundleModules(root)) {
    const meta = YAML.parse(readFileSync(file.replace(/\.ts$/, ".script.yaml"), "utf8")) as { no_main_func?: boolean; schema?: InputSchema };
    if (!meta.no_main_func)
      scripts.push({ path: path.relative(root, file).replace(/\.ts$/, "").split(path.sep).join("/"), kind: "script", schema: meta.schema ?? {} });
  }
  return [...flows, ...scripts];
}

/** The job ids of each flow's run on both sides (flows run first), by flow path. */
const flowRuns = new Map<string, { local: string; windmill: string; steps: Set<string> }>();

/** A flow-only script: its jobs in the first flow run that has it as a step, on both sides. */
async function inFlowRow(item: Item, fx: Fixture, server: WindmillServer, missing: string[]): Promise<Row> {
  const flow = [...flowRuns.entries()].find(([, r]) => r.steps.has(item.path));
  if (!flow) {
    const reason = `no sample for ${missing.join(", ")} (tests/windmill/samples.ts) and no flow runs it`;
    return { item: `${item.kind} ${item.path}`, local: { status: "skipped", reason }, windmill: { status: "skipped", reason }, verdict: "not run" };
  }
  const [flowPath, ids] = flow;
  const label = `${item.kind} ${item.path} (in flow ${flowPath.split("/").pop()})`;
  const local = localStepEnds(fx.stateDir, ids.local, item.path);
  const wm = await windmillStepEnds(server, ids.windmill, item.path);
  if (!local.length && !wm.length) {
    const reason = `the ${flowPath} run ran no ${item.path} step on either side`;
    return { item: label, local: { status: "skipped", reason }, windmill: { status: "skipped", reason }, verdict: "not run" };
  }
  const [a, b] = [stepsOutcome(local), stepsOutcome(wm)];
  return { item: label, local: a, windmill: b, ...compareOutcomes(a, b) };
}

async function itemRow(item: Item, fx: Fixture, server: WindmillServer, since: string, note = ""): Promise<Row> {
  const label = `${item.kind} ${item.path}${note}`;
  const [localSide, wmSide] = [await fx.side("local"), await fx.side("windmill")];
  try {
    const lastPr = flowRuns.get(`${BUNDLE_PREFIX}spec_to_pr`);
    const localArgs = sampleArgs(item.schema, fx.feature, { ...localSide, lastJobId: lastPr?.local, since });
    const wmArgs = sampleArgs(item.schema, fx.feature, { ...wmSide, lastJobId: lastPr?.windmill, since });
    if ("missing" in localArgs || "missing" in wmArgs)
      return await inFlowRow(item, fx, server, ("missing" in localArgs ? localArgs : (wmArgs as { missing: string[] })).missing);
    log(`${label}: local runner`);
    const local = await runLocal(item.path, localArgs.args, fx.store, fx.stateDir);
    log(`${label}: windmill`);
    const wm = await runWindmill(server, item.kind, item.path, wmArgs.args, item.kind === "flow" ? 900_000 : 300_000);
    if (item.kind === "flow") flowRuns.set(item.path, { local: local.jobId, windmill: wm.jobId, steps: item.steps ?? new Set() });
    return { item: label, local: local.outcome, windmill: wm.outcome, ...compareOutcomes(local.outcome, wm.outcome) };
  } finally {
    await Promise.all([localSide.close(), wmSide.close()]);
  }
}

async function main(): Promise<number> {
  // `npm run` puts node_modules/.bin first on PATH; Windmill's workers do not have it, so the local
  // side must not either (agents found there would be "installed" only locally).
  process.env.PATH = (process.env.PATH ?? "")
    .split(path.delimiter)
    .filter((d) => !d.endsWith(path.join("node_modules", ".bin")))
    .join(path.delimiter);
  const target = targetFromEnv();
  if ("missing" in target) {
    process.stdout.write(
      `test:windmill: skipped — ${target.missing.join(", ")} not set; point WINDMILL_URL, WINDMILL_TOKEN and WINDMILL_WORKSPACE at a live Windmill workspace to check it (README "Run it on Windmill")\n`,
    );
    return 0;
  }
  // The local runner runs as the same workspace, so run URLs and WM_WORKSPACE read the same.
  process.env.DEVGODZILLA_WORKSPACE = target.workspace;
  const server = new WindmillServer(target);
  const version = await server.preflight();
  const me = await server.call<{ username: string }>("GET", "w/users/whoami");
  log(`Windmill ${version} at ${server.base}, workspace ${target.workspace}`);
  const copy = await cleanCopy();
  let fx: Fixture | undefined;
  try {
    const { rows, skipTriggers } = await deployRows(target, server, copy);
    if (skipTriggers)
      rows.push({
        item: "deploy: HTTP routes (webhooks)",
        local: ok("n/a"),
        windmill: { status: "needs-feature", feature: "http_trigger" },
        verdict: "needs feature",
      });
    fx = await makeFixture(server, me.username, log);
    // Scripts that read the job history (agent_metrics, reconcile) look at this test's jobs only,
    // on both sides: the workspace's earlier history is not the local runner's.
    const since = new Date().toISOString();
    const items = bundleItems(copy);
    for (const item of items) rows.push(await itemRow(item, fx, server, since));
    // The same execute_tasks again (same inputs, so the same run_key) skips every task the first run
    // finished; on Windmill that reads the earlier finish jobs' results through the API.
    const executeTasks = items.find((i) => i.path === `${BUNDLE_PREFIX}execute_tasks`);
    if (executeTasks) rows.push(await itemRow(executeTasks, fx, server, since, " again (same run_key: skips what the first run finished)"));
    // Bad input: fails at preflight, once, on both sides (bad-input-rows.ts).
    rows.push(...(await badInputRows(server, me.username, fx, log)));
    // Cancel semantics (test flows pushed under f/conformance/ for these rows, removed after).
    rows.push(...(await cancelRows(server, me.username, fx.stateDir, log)));
    rows.push(...(await timeoutRows(server, me.username, fx.stateDir, log)));
    rows.push(...(await conformanceRows(server, me.username, fx.stateDir, log)));
    if (!skipTriggers) rows.push(...(await routeRows(server, fx)));
    process.stdout.write(`\n${renderTable(rows)}\n\n`);
    const s = summarize(rows);
    const itemsWith = (v: Row["verdict"]) => rows.filter((r) => r.verdict === v).map((r) => r.item);
    process.stdout.write(
      JSON.stringify({
        server: version,
        workspace: target.workspace,
        ...s,
        needs_v8_items: itemsWith("needs V8"),
        needs_feature_items: itemsWith("needs feature"),
      }) + "\n",
    );
    return s.ok ? 0 : 1;
  } finally {
    await fx?.close();
    rmSync(copy, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    // A setup or deploy failure is one line that says what to do; anything else is a bug: its stack.
    const known = e instanceof WindmillSetupError || e instanceof DeployPushError;
    process.stderr.write(`test:windmill: ${known ? e.message : ((e as Error).stack ?? String(e))}\n`);
    process.exit(2);
  },
);
