// `npm start`: the main flow, spec_to_pr, end to end on this machine with nothing from outside.
// It makes a real git repository from flows/sample-repo with a bare remote, starts a loopback model
// server (demo/model.ts) and a loopback GitHub API, gives the run their resources, and the CLI runs
// f/devgodzilla/spec_to_pr on the local runner (`devgodzilla demo`). At the clarification approval
// it asks at the terminal, or takes the recommended answers when there is no terminal.
//
// A demo run can be resumed like any run (`devgodzilla resume <id>`): its run directory keeps
// demo.json (where the repository is, which ports the loopback servers had — no secrets), and
// reopenDemo brings the servers back on those ports with fresh keys.
import { execa } from "execa";
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { startLlmServer, type LlmHandler, type LlmServer } from "../fakes/llm-server.ts";
import { startForgeServer, type FakeForgeServer } from "../fakes/github-server.ts";
import { REPO_ROOT } from "../runner/bundle.ts";
import { UsageError } from "../runner/errors.ts";
import { resumeRun, runPath, type AskFn, type LocalStore } from "../runner/index.ts";
import { Session, parseCommandLine, readJson } from "../runner/session.ts";
import { DEMO_FEATURE, demoModel } from "./model.ts";

export { DEMO_FEATURE };

export interface Demo {
  dir: string;
  remote: string;
  llm: LlmServer;
  forge: FakeForgeServer;
  store: LocalStore;
  args: Record<string, unknown>;
  /** Markdown whose links to the demo's loopback servers (gone once it exits) are plain text. */
  withoutDeadLinks(markdown: string): string;
  close(): Promise<void>;
}

export interface DemoOptions {
  /** Where the demo's temp directory goes (default: the system temp dir). */
  tmpBase?: string;
}

/** What demo.json keeps: enough to bring the demo back, no secret. */
interface DemoRecord {
  dir: string;
  remote: string;
  llm_port: number;
  forge_port: number;
}

const git = (cwd: string, ...args: string[]) =>
  execa("git", ["-c", "user.name=Sample Author", "-c", "user.email=author@example.com", "-c", "init.defaultBranch=main", ...args], { cwd });

/** The loopback model and forge (on the given ports, or free ones) and the run's resources and arguments. */
async function startServers(dir: string, remote: string, model: LlmHandler, ports: { llm?: number; forge?: number } = {}) {
  // Random per start: the demo's "secrets" are real secrets to the code (redacted everywhere).
  const llmKey = `sk-demo-${randomBytes(12).toString("hex")}`;
  const githubToken = `ghp_demo${randomBytes(16).toString("hex")}`;
  const taken = (what: string, port: number | undefined) => (e: NodeJS.ErrnoException) => {
    throw e.code === "EADDRINUSE"
      ? new UsageError(`the demo's ${what} needs port ${port} again to resume, and another process has it — free the port and resume again`)
      : e;
  };
  const llm = await startLlmServer(model, { port: ports.llm, acceptedKeys: [llmKey] }).catch(taken("loopback model", ports.llm));
  const forge = await startForgeServer({
    tokens: { github: githubToken },
    port: ports.forge,
    repos: [{ kind: "github", path: "demo/textkit", defaultBranch: "main", gitDir: remote }],
  }).catch(async (e) => {
    await llm.close();
    return taken("loopback GitHub", ports.forge)(e);
  });
  const store: LocalStore = {
    resources: {
      "f/devgodzilla/demo_llm": {
        resource_type: "c_devgodzilla_llm",
        value: { provider: "openai", api_key: "$var:f/devgodzilla/demo_llm_key", base_url: llm.openaiBaseUrl, model: "demo-model" },
      },
      "f/devgodzilla/demo_github": { resource_type: "github", value: { token: "$var:f/devgodzilla/demo_github_token" } },
    },
    variables: { "f/devgodzilla/demo_llm_key": llmKey, "f/devgodzilla/demo_github_token": githubToken },
  };
  const bwrap = await execa("bwrap", ["--ro-bind", "/", "/", "true"], { reject: false }).then(
    (r) => r.exitCode === 0,
    () => false,
  );
  const args = {
    repo: remote,
    base_branch: "main",
    feature_description: DEMO_FEATURE,
    agent: "llm",
    concurrency: 2,
    llm: "$res:f/devgodzilla/demo_llm",
    github: "$res:f/devgodzilla/demo_github",
    forge: "github",
    repository: "demo/textkit",
    api_base_url: forge.githubApiBase,
    sandbox_policy: bwrap ? "refuse" : "allow_unsandboxed",
    max_followup_questions: 0,
  };
  const demo: Demo = {
    dir,
    remote,
    llm,
    forge,
    store,
    args,
    withoutDeadLinks: (md) =>
      md.replace(/\[([^\]]*)\]\((https?:\/\/[^)\s]+)\)/g, (link, text: string, url: string) =>
        url.startsWith(forge.url) ? `${text} (on the demo's loopback GitHub, gone once the demo ends)` : link,
      ),
    close: async () => void (await Promise.all([llm.close(), forge.close()])),
  };
  return demo;
}

/** A fresh sample repository with a bare remote, the loopback model and forge, and their resources. */
export async function setUpDemo(opts: DemoOptions = {}): Promise<Demo> {
  const dir = mkdtempSync(path.join(opts.tmpBase ?? os.tmpdir(), "devgodzilla-demo-"));
  const work = path.join(dir, "textkit");
  const remote = path.join(dir, "textkit.git");
  cpSync(path.join(REPO_ROOT, "flows", "sample-repo"), work, { recursive: true });
  await git(work, "init", "-q");
  await git(work, "add", "-A");
  await git(work, "commit", "-q", "-m", "textkit: slugify");
  await git(dir, "init", "-q", "--bare", remote);
  await git(work, "push", "-q", remote, "HEAD:refs/heads/main");
  return startServers(dir, remote, demoModel());
}

/** Keeps, in the run's directory, what reopenDemo needs to bring this demo back for `resume`. */
export function recordDemo(runDir: string, demo: Demo): void {
  const port = (url: string) => Number(new URL(url).port);
  const record: DemoRecord = { dir: demo.dir, remote: demo.remote, llm_port: port(demo.llm.url), forge_port: port(demo.forge.url) };
  writeFileSync(path.join(runDir, "demo.json"), JSON.stringify(record, null, 2));
}

/** The demo a run belongs to, back on its ports (undefined: the run is not a demo run). */
export async function reopenDemo(runDir: string): Promise<Demo | undefined> {
  const file = path.join(runDir, "demo.json");
  if (!existsSync(file)) return undefined;
  const r = JSON.parse(readFileSync(file, "utf8")) as DemoRecord;
  if (!existsSync(r.remote)) throw new UsageError(`this demo run's repository ${r.remote} is gone (the temp dir was cleaned); start a new demo with npm start`);
  return startServers(r.dir, r.remote, demoModel(), { llm: r.llm_port, forge: r.forge_port });
}

/** Without a terminal, accept what the approval form was pre-filled with (the recommended answers). */
export const acceptRecommended: AskFn = async (pending) => {
  const step = (pending.step_result ?? {}) as { default_args?: Record<string, unknown> };
  process.stderr.write(
    `\n── approval: ${pending.summary ?? pending.step_id} — no terminal, taking the recommended answers ──\n${JSON.stringify(step.default_args ?? {}, null, 2)}\n`,
  );
  return step.default_args ?? {};
};

/** `npm start` (`devgodzilla demo`): the sample repository, its servers, and spec_to_pr on them. */
export async function runDemo(argv: string[] = []): Promise<number> {
  const { values } = parseCommandLine(argv);
  const s = new Session(values);
  const demo = await setUpDemo({ tmpBase: s.tmp.base }); // outside the runner's own temp dir: the run can be resumed
  s.say(`DevGodzilla demo: sample repository ${demo.remote} (a bare git remote), model and GitHub API on loopback\nFeature: ${DEMO_FEATURE}\n\n`);
  const opts = s.options();
  try {
    const o = await runPath("f/devgodzilla/spec_to_pr", {
      ...opts,
      args: demo.args,
      store: demo.store,
      ask: opts.ask ?? acceptRecommended,
      onEvent: (e) => {
        if (e.type === "run-start" && !e.run.parent_job && !e.run.root_job) recordDemo(s.runs.runDir(e.run.id), demo);
        opts.onEvent?.(e);
      },
    });
    return closing(s, demo, s.report(o, demo.withoutDeadLinks), o.status === "suspended" ? undefined : (o.result as { branch?: string } | undefined)?.branch);
  } finally {
    await demo.close();
  }
}

/** `devgodzilla resume <id>` of a demo run (the bin sends it here): the servers come back, then the run goes on. */
export async function resumeDemo(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(argv);
  const runId = positionals[1]!;
  const s = new Session(values);
  const demo = await reopenDemo(s.runs.runDir(runId));
  if (!demo) throw new UsageError(`run ${runId} is not a demo run; resume it with npx devgodzilla resume ${runId}`);
  s.say(`Bringing the demo back: sample repository ${demo.remote}, model and GitHub API on loopback\n`);
  try {
    const o = await resumeRun(runId, readJson(values.data, "-d"), { ...s.options(), store: demo.store });
    return closing(s, demo, s.report(o, demo.withoutDeadLinks), (o.result as { branch?: string } | undefined)?.branch);
  } finally {
    await demo.close();
  }
}

/** After the summary: where to look at the result. */
function closing(s: Session, demo: Demo, code: number, branch: string | undefined): number {
  if (branch) s.say(`Inspect the result:  git --git-dir ${demo.remote} log --oneline ${branch}\n`);
  return code;
}
