// `npm start`: the main flow, spec_to_pr, end to end on this machine with nothing from outside.
// It makes a real git repository from flows/sample-repo with a bare remote, starts a loopback model
// server (demo/model.ts) and a loopback GitHub API, writes their resources into a temporary store,
// and runs f/devgodzilla/spec_to_pr on the local runner. At the clarification approval it asks at
// the terminal, or takes the recommended answers when there is no terminal.
import { execa } from "execa";
import { cpSync, mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { startLlmServer, type LlmServer } from "../fakes/llm-server.ts";
import { startForgeServer, type FakeForgeServer } from "../fakes/github-server.ts";
import { REPO_ROOT } from "../runner/bundle.ts";
import { runPath, type AskFn, type LocalStore, type RunResult } from "../runner/index.ts";
import { DEMO_FEATURE, demoModel } from "./model.ts";

export interface Demo {
  dir: string;
  remote: string;
  llm: LlmServer;
  forge: FakeForgeServer;
  store: LocalStore;
  args: Record<string, unknown>;
  close(): Promise<void>;
}

const git = (cwd: string, ...args: string[]) =>
  execa("git", ["-c", "user.name=Sample Author", "-c", "user.email=author@example.com", "-c", "init.defaultBranch=main", ...args], { cwd });

/** A fresh sample repository with a bare remote, the loopback model and forge, and their resources. */
export async function setUpDemo(dir = mkdtempSync(path.join(os.tmpdir(), "devgodzilla-demo-"))): Promise<Demo> {
  const work = path.join(dir, "textkit");
  const remote = path.join(dir, "textkit.git");
  cpSync(path.join(REPO_ROOT, "flows", "sample-repo"), work, { recursive: true });
  await git(work, "init", "-q");
  await git(work, "add", "-A");
  await git(work, "commit", "-q", "-m", "textkit: slugify");
  await git(dir, "init", "-q", "--bare", remote);
  await git(work, "push", "-q", remote, "HEAD:refs/heads/main");

  const llm = await startLlmServer(demoModel());
  // Random per run: the demo's "secrets" are real secrets to the code (redacted everywhere).
  const llmKey = `sk-demo-${randomBytes(12).toString("hex")}`;
  const githubToken = `ghp_demo${randomBytes(16).toString("hex")}`;
  const forge = await startForgeServer({ tokens: { github: githubToken }, repos: [{ kind: "github", path: "demo/textkit", defaultBranch: "main", gitDir: remote }] });
  const store: LocalStore = {
    resources: {
      "f/devgodzilla/demo_llm": { resource_type: "c_devgodzilla_llm", value: { provider: "openai", api_key: "$var:f/devgodzilla/demo_llm_key", base_url: llm.openaiBaseUrl, model: "demo-model" } },
      "f/devgodzilla/demo_github": { resource_type: "github", value: { token: "$var:f/devgodzilla/demo_github_token" } },
    },
    variables: { "f/devgodzilla/demo_llm_key": llmKey, "f/devgodzilla/demo_github_token": githubToken },
  };
  const bwrap = await execa("bwrap", ["--ro-bind", "/", "/", "true"], { reject: false }).then((r) => r.exitCode === 0, () => false);
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
  return { dir, remote, llm, forge, store, args, close: async () => void (await Promise.all([llm.close(), forge.close()])) };
}

/** Without a terminal, accept what the approval form was pre-filled with (the recommended answers). */
export const acceptRecommended: AskFn = async (pending) => {
  const step = (pending.step_result ?? {}) as { default_args?: Record<string, unknown> };
  process.stderr.write(`\n── approval: ${pending.summary ?? pending.step_id} — no terminal, taking the recommended answers ──\n${JSON.stringify(step.default_args ?? {}, null, 2)}\n`);
  return step.default_args ?? {};
};

export async function runDemo(argv: string[] = []): Promise<number> {
  const quiet = argv.includes("-s") || argv.includes("--silent");
  const demo = await setUpDemo();
  process.stderr.write(`DevGodzilla demo: sample repository ${demo.remote} (a bare git remote), model and GitHub API on loopback\n`);
  process.stderr.write(`Feature: ${DEMO_FEATURE}\n\n`);
  let out: RunResult;
  try {
    const { askAtTerminal } = await import("../runner/ask.ts");
    out = await runPath("f/devgodzilla/spec_to_pr", {
      args: demo.args,
      store: demo.store,
      stateDir: path.join(demo.dir, "state"),
      ask: process.stdin.isTTY ? askAtTerminal : acceptRecommended,
      onLog: quiet ? undefined : (label, line) => process.stderr.write(`[${label}] ${line}\n`),
    });
  } finally {
    await demo.close();
  }
  const result = (out.result ?? {}) as { render_all?: [{ markdown?: string }]; pr_url?: string; branch?: string };
  if (out.status === "success") {
    process.stderr.write(`\n${result.render_all?.[0]?.markdown ?? ""}\n\n`);
    process.stderr.write(`Inspect the result:  git --git-dir ${demo.remote} log --oneline ${result.branch ?? ""}\n`);
    process.stderr.write(`Run record:          ${path.join(demo.dir, "state", "runs", out.runId)}\n`);
  }
  process.stdout.write(JSON.stringify(out.status === "success" ? out.result : { status: out.status, error: out.error, run_id: out.runId }, null, 2) + "\n");
  return out.status === "success" ? 0 : 1;
}


