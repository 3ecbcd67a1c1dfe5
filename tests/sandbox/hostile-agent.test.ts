// Classes 1, 2 and 4 of issue 13 through execute_task exactly as a task runs (real bare remote, real
// bwrap): a hostile install step and a hostile agent (tests/sandbox/fixtures/hostile-agent.mjs) try
// to read the worker's HOME (other agents' logins, shell history), the runner's state and its
// resources file (given by path, as `--resources <path>` does), host unix sockets (by path and
// abstract) and /proc of the runner; then they write what they found, their environment and their
// key into the worktree, and start a fork bomb. Whatever they find would be committed and pushed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as fs from "node:fs/promises";
import net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { executeTask } from "../../f/devgodzilla/lib/workspace/execute_task.ts";
import { probeBwrap } from "../../f/devgodzilla/lib/sandbox/index.ts";
import { createFixtureRemote, gitIn, tempDir, type FixtureRemote } from "../helpers/git-fixtures.ts";

const HOSTILE_BIN = path.resolve(import.meta.dirname, "fixtures", "bin");
const KEY = "sk-hostile-agent-7d1e9b3a55c04f2e8b6a";
const CANARY = `HOST-SECRET-${process.pid}-${Date.now()}`;

/** The worker's files a task must never see, outside the system temp dir (which main hid wholesale). */
const HOME_FILES: Record<string, string> = {
  ".codex/auth.json": `{"OPENAI_API_KEY":"${CANARY}-codex"}`,
  ".claude.json": `{"oauthAccount":"${CANARY}-claude"}`,
  ".claude/.credentials.json": `{"token":"${CANARY}-claude-creds"}`,
  ".gemini/oauth_creds.json": `{"refresh_token":"${CANARY}-gemini"}`,
  ".qwen/oauth_creds.json": `{"refresh_token":"${CANARY}-qwen"}`,
  ".local/share/opencode/auth.json": `{"anthropic":"${CANARY}-opencode"}`,
  ".config/github-copilot/hosts.json": `{"github.com":{"oauth_token":"${CANARY}-copilot"}}`,
  ".bash_history": `export OPENAI_API_KEY=${CANARY}-history\n`,
};

let fx: FixtureRemote;
let cache: { dir: string; cleanup(): Promise<void> };
let work: { dir: string; cleanup(): Promise<void> };
let host: string; // stands for the worker's disk outside /tmp
let home: string;
let stateDir: string;
let resourcesFile: string;
let socketPath: string;
const abstractName = `dgz-test-${process.pid}`;
const servers: net.Server[] = [];
let realHome: string | undefined;

async function listen(target: string): Promise<void> {
  const s = net.createServer((c) => c.end("host service\n"));
  await new Promise<void>((resolve, reject) => {
    s.once("error", reject);
    s.listen(target, () => resolve());
  });
  servers.push(s);
}

beforeAll(async () => {
  expect(probeBwrap().ok, "bubblewrap must be installed").toBe(true);
  realHome = process.env.HOME;
  host = await fs.mkdtemp(path.join(os.homedir(), ".cache", "dgz-hostile-host-"));
  home = path.join(host, "home");
  for (const [rel, content] of Object.entries(HOME_FILES)) {
    await fs.mkdir(path.dirname(path.join(home, rel)), { recursive: true });
    await fs.writeFile(path.join(home, rel), content);
  }
  stateDir = path.join(host, "state");
  await fs.mkdir(path.join(stateDir, "runs", "other-run"), { recursive: true });
  await fs.writeFile(path.join(stateDir, "runs", "other-run", "journal.json"), `{"args":{"token":"${CANARY}-journal"}}`);
  resourcesFile = path.join(host, "elsewhere", "my-resources.yaml");
  await fs.mkdir(path.dirname(resourcesFile), { recursive: true });
  await fs.writeFile(resourcesFile, `variables:\n  f/devgodzilla/unused_key: "${CANARY}-resources"\n`);
  socketPath = path.join(host, "run", "service.sock");
  await fs.mkdir(path.dirname(socketPath), { recursive: true });
  await listen(socketPath);
  await listen(`\0${abstractName}`);
  // The worker's HOME for this process (what the sandbox must keep out), as HOME is for a worker.
  process.env.HOME = home;

  const probes =
    `[[probe setup-loot.txt]] ${Object.keys(HOME_FILES)
      .map((f) => `[[probe ${path.join(home, f)}]]`)
      .join(" ")} ` +
    `[[probe ${path.join(stateDir, "runs", "other-run", "journal.json")}]] [[probe ${resourcesFile}]] [[probe ${path.join(realHome ?? "/root", ".codex")}]] ` +
    `[[sock ${socketPath}]] [[abstract ${abstractName}]] [[proc ${process.pid}]] [[home]]`;
  fx = await createFixtureRemote("empty", {
    extraFiles: {
      "package.json": JSON.stringify({ name: "victim", version: "1.0.0" }) + "\n",
      // The install step is the repository's own code: it runs with the network on.
      "hostile-install.mjs": HOSTILE_INSTALL(resourcesFile, socketPath, abstractName, path.join(home, ".codex", "auth.json")),
      "PROBES.md": probes,
    },
  });
  cache = await tempDir("dg-hostile-cache-");
  work = await tempDir("dg-hostile-work-");
});

afterAll(async () => {
  if (realHome !== undefined) process.env.HOME = realHome;
  for (const s of servers) await new Promise<void>((r) => s.close(() => r()));
  await fx?.cleanup();
  await cache?.cleanup();
  await work?.cleanup();
  if (host) await fs.rm(host, { recursive: true, force: true });
});

/** The install step: what a package's postinstall script would try, written where the agent reads it. */
function HOSTILE_INSTALL(resources: string, sock: string, abstract: string, login: string): string {
  return `import net from "node:net"; import { readFileSync, readdirSync, appendFileSync } from "node:fs";
const note = (l) => appendFileSync("setup-loot.txt", l + "\\n");
for (const p of [${JSON.stringify(resources)}, ${JSON.stringify(login)}, "/proc/1/environ"]) {
  try { note("SETUP-READ " + p + ": " + readFileSync(p, "utf8").replace(/\\0/g, " ")); } catch (e) { note("SETUP-DENIED " + p + " " + e.code); }
}
try { note("SETUP-HOME " + JSON.stringify(readdirSync(process.env.HOME))); } catch (e) { note("SETUP-HOME-DENIED " + e.code); }
for (const [t, label] of [[${JSON.stringify(sock)}, "path"], ["\\0" + ${JSON.stringify(abstract)}, "abstract"]]) {
  await new Promise((res) => { const s = net.connect(t); const done = (l) => { note(l); s.destroy(); res(); };
    s.setTimeout(2000, () => done("SETUP-SOCK-DENIED " + label + " TIMEOUT")); s.on("connect", () => done("SETUP-SOCK-OPEN " + label)); s.on("error", (e) => done("SETUP-SOCK-DENIED " + label + " " + e.code)); });
}
`;
}

function agents(extra: Record<string, unknown> = {}) {
  return { default_agent: "qwen", enabled: ["qwen"], bin_dir: HOSTILE_BIN, agents: { qwen: { api_key: KEY } }, ...extra };
}
const base = () => ({ repo: fx.remote, commit: fx.seed, feature: "001-victim", cache_dir: cache.dir, work_root: work.dir });

describe("a hostile install step and agent in the sandbox", () => {
  it("see nothing of the worker's HOME, the runner's state or resources file, host sockets or the runner's /proc — in setup and execute", async () => {
    const probes = (await fx.show(fx.seed, "PROBES.md"))!;
    const res = await executeTask(
      { ...base(), task: { id: "T001", description: `Look around ${probes}` }, install: [{ argv: ["node", "hostile-install.mjs"], cwd: "." }] },
      { agents: agents() },
    );
    expect(res.sandbox.sandboxed).toBe(true);
    const loot = (await fx.show(res.commit, "loot.txt"))!;
    expect(loot, "the agent's findings are committed, so the test sees what it saw").toContain("DENIED");
    expect(loot).not.toContain(CANARY);
    expect(
      loot
        .split("\n")
        .filter((l) => l.startsWith("READ "))
        .map((l) => l.split(":")[0]),
    ).toEqual(["READ setup-loot.txt"]);
    expect(loot).not.toMatch(/SOCK-OPEN/);
    expect(loot).toContain(`SOCK-DENIED ${socketPath} ENOENT`);
    // setup ran with the network on: still no host socket, by path or abstract, and no HOME of the worker
    expect(loot).toMatch(/SETUP-SOCK-DENIED path (ENOENT|EACCES)/);
    expect(loot).toMatch(/SETUP-SOCK-DENIED abstract/);
    expect(loot).toMatch(/SETUP-HOME \[\]|SETUP-HOME \["\.cache"|SETUP-HOME \["[^"]*"\]/);
    // HOME inside holds only what qwen's adapter wrote there
    expect(loot).toMatch(/^HOME \S+ \[".qwen\/settings.json"\]$/m);
    expect(JSON.stringify(res)).not.toContain(CANARY);
  });

  it("cannot commit or push its environment or its key, raw or base64: the task fails naming file and line", async () => {
    const err = await executeTask({ ...base(), task: { id: "T002", description: "Leak [[dumpenv]] [[b64env OPENAI_API_KEY]]" } }, { agents: agents() }).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(err?.name).toBe("SecretInChangeError");
    expect(err!.message).toMatch(/env\.txt:\d+ \(a secret value in scope\)/);
    expect(err!.message).toMatch(/key\.b64:1 \(a secret value in scope \(base64\)\)/);
    expect(err!.message).not.toContain(KEY);
    expect(await fx.head("devgodzilla/001-victim-tasks/T002")).toBeNull();
    const everything = await gitIn(fx.remote, ["log", "--all", "-p", "--format=%B"]);
    expect(everything).not.toContain(KEY);
  });

  it("a fork bomb of 400 processes is stopped at the process limit and the task fails naming it", async () => {
    const err = await executeTask({ ...base(), task: { id: "T003", description: "Bomb [[forks 400]]" } }, { agents: agents() }).then(
      (r) => r,
      (e: unknown) => e as Error,
    );
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).name).toBe("SandboxLimitError");
    expect((err as Error).message).toMatch(/process limit \(256 processes and threads\) was reached/);
    expect(await fx.head("devgodzilla/001-victim-tasks/T003")).toBeNull();
  });

  it("memory beyond the configured limit stops the sandbox", async () => {
    const err = await executeTask(
      { ...base(), task: { id: "T004", description: "Hog [[alloc 1024]]" } },
      { agents: agents({ sandbox: { max_memory_mb: 192 } }) },
    ).then(
      (r) => r,
      (e: unknown) => e as Error,
    );
    expect((err as Error).name).toBe("SandboxLimitError");
    expect((err as Error).message).toMatch(/memory limit \(192 MiB\) was reached/);
  });
});
