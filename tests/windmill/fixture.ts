// What both sides of `npm run test:windmill` run against: the sample repository with a feature
// already specified (spec, plan, tasks on its branch — made once by the local runner), one copy of
// its bare remote per side (identical refs and shas), a loopback GitHub API per side, the scripted
// loopback model (scripts/demo/model.ts) shared by both, and the resources that name them — in a
// local store for the runner and, for Windmill, created in the workspace under u/<user>/.
import { execa } from "execa";
import { randomBytes } from "node:crypto";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { acceptRecommended } from "../../scripts/demo/index.ts";
import { DEMO_FEATURE, DEMO_PLAN, demoModel } from "../../scripts/demo/model.ts";
import { startForgeServer, type FakeForgeServer } from "../../scripts/fakes/github-server.ts";
import { promptText, startLlmServer, type LlmHandler, type LlmServer } from "../../scripts/fakes/llm-server.ts";
import { REPO_ROOT } from "../../scripts/runner/bundle.ts";
import { runPath, type LocalStore } from "../../scripts/runner/index.ts";
import { WindmillApiError, type WindmillServer } from "../../scripts/windmill/api.ts";
import type { FeatureFixture, SideFixture } from "./samples.ts";

export interface Fixture {
  dir: string;
  feature: FeatureFixture;
  store: LocalStore;
  /** The local runner's run records (its job history, as Windmill's is the workspace's). */
  stateDir: string;
  /** The loopback model's OpenAI base URL (it accepts only the fixture's key, as a provider would). */
  llmBaseUrl: string;
  /**
   * A side's own copy of the fixture remote and its own loopback GitHub API, fresh for each item,
   * so every item starts from the same repository and forge state on both sides.
   */
  side(name: string): Promise<SideFixture & { close(): Promise<void> }>;
  close(): Promise<void>;
}

const REPOSITORY = "demo/textkit";

const BREAKING_ASK = "a second copy of every text";
/** A feature whose plan the fixture's model writes against the constitution (bad input only the plan step, a retried one, meets). */
export const CONSTITUTION_BREAKING_FEATURE = `${DEMO_FEATURE} Also keep ${BREAKING_ASK} in a new database.`;

/** The demo's model, except that a plan for CONSTITUTION_BREAKING_FEATURE breaks Simplicity without a justification. */
function fixtureModel(): LlmHandler {
  const demo = demoModel();
  const breaking = {
    ...DEMO_PLAN,
    constitutionCheck: DEMO_PLAN.constitutionCheck.map((c) =>
      c.principle === "Simplicity" ? { principle: c.principle, status: "VIOLATION", evidence: "adds a database beside the files", justification: "" } : c,
    ),
  };
  return (ex) => {
    const prompt = promptText(ex);
    return /Task: write the implementation plan/.test(prompt) && prompt.includes(BREAKING_ASK) ? { text: JSON.stringify(breaking) } : demo(ex);
  };
}

// Fixed author and dates: the sample repository's commits have the same shas in every run.
const GIT_ENV = {
  GIT_AUTHOR_NAME: "Sample Author",
  GIT_AUTHOR_EMAIL: "author@example.com",
  GIT_COMMITTER_NAME: "Sample Author",
  GIT_COMMITTER_EMAIL: "author@example.com",
  GIT_AUTHOR_DATE: "2026-01-01T00:00:00Z",
  GIT_COMMITTER_DATE: "2026-01-01T00:00:00Z",
};
const git = (cwd: string, ...args: string[]) => execa("git", ["-c", "init.defaultBranch=main", ...args], { cwd, env: GIT_ENV }).then((r) => r.stdout.trim());

async function seedRemote(dir: string): Promise<string> {
  const work = path.join(dir, "seed");
  const remote = path.join(dir, "seed.git");
  cpSync(path.join(REPO_ROOT, "flows", "sample-repo"), work, { recursive: true });
  await git(work, "init", "-q");
  await git(work, "add", "-A");
  await git(work, "commit", "-q", "-m", "textkit: slugify");
  await git(dir, "init", "-q", "--bare", remote);
  await git(work, "push", "-q", remote, "HEAD:refs/heads/main");
  return remote;
}

async function sandboxPolicy(): Promise<"refuse" | "allow_unsandboxed"> {
  const ok = await execa("bwrap", ["--ro-bind", "/", "/", "true"], { reject: false }).then(
    (r) => r.exitCode === 0,
    () => false,
  );
  return ok ? "refuse" : "allow_unsandboxed";
}

/** Creates (or replaces) the secret variables and resources on Windmill; returns their paths by resource type. */
async function windmillResources(
  server: WindmillServer,
  prefix: string,
  llm: LlmServer,
  keys: { llm: string; github: string },
): Promise<Record<string, string>> {
  const replace = async (kind: "variables" | "resources", p: string, body: Record<string, unknown>) => {
    await server.call("DELETE", `w/${kind}/delete/${p}`).catch((e) => {
      if (!(e instanceof WindmillApiError && e.status === 404)) throw e;
    });
    await server.call("POST", `w/${kind}/create`, { path: p, ...body });
  };
  await replace("variables", `${prefix}_llm_key`, { value: keys.llm, is_secret: true, description: "test:windmill loopback model key" });
  await replace("variables", `${prefix}_github_token`, { value: keys.github, is_secret: true, description: "test:windmill loopback GitHub token" });
  await replace("resources", `${prefix}_llm`, {
    resource_type: "c_devgodzilla_llm",
    value: { provider: "openai", api_key: `$var:${prefix}_llm_key`, base_url: llm.openaiBaseUrl, model: "demo-model" },
  });
  await replace("resources", `${prefix}_github`, { resource_type: "github", value: { token: `$var:${prefix}_github_token` } });
  return { c_devgodzilla_llm: `${prefix}_llm`, github: `${prefix}_github` };
}

async function featureState(
  remote: string,
  stateDir: string,
  store: LocalStore,
  resources: Record<string, string>,
  policy: FeatureFixture["sandboxPolicy"],
): Promise<FeatureFixture> {
  const baseCommit = await git(path.dirname(remote), "--git-dir", remote, "rev-parse", "main");
  const out = await runPath("f/devgodzilla/spec_to_tasks", {
    args: {
      repo: remote,
      base_branch: "main",
      feature_description: DEMO_FEATURE,
      llm: `$res:${resources.c_devgodzilla_llm}`,
      github: `$res:${resources.github}`,
      max_followup_questions: 0,
    },
    store,
    stateDir,
    ask: acceptRecommended,
  });
  if (out.status !== "success") throw new Error(`the local runner could not make the fixture (spec_to_tasks ${out.status}): ${JSON.stringify(out.error)}`);
  const r = out.result as { branch?: string; commit?: string; feature?: string };
  if (!r.branch || !r.commit || !r.feature) throw new Error(`spec_to_tasks returned no branch/commit/feature: ${JSON.stringify(out.result).slice(0, 300)}`);
  const tasksMd = await git(path.dirname(remote), "--git-dir", remote, "show", `${r.commit}:specs/${r.feature}/tasks.md`);
  const dag = await runPath("f/devgodzilla/task_dag", { args: { tasks_md: tasksMd }, store, stateDir });
  if (dag.status !== "success") throw new Error(`task_dag failed on the fixture's tasks.md: ${JSON.stringify(dag.error)}`);
  const d = dag.result as { dag?: FeatureFixture["dag"]; tasks?: FeatureFixture["dag"]["tasks"] };
  return {
    baseBranch: "main",
    baseCommit,
    branch: r.branch,
    commit: r.commit,
    feature: r.feature,
    featureDescription: DEMO_FEATURE,
    tasksMd,
    dag: d.dag ?? { tasks: d.tasks ?? [] },
    repository: REPOSITORY,
    sandboxPolicy: policy,
  };
}

export async function makeFixture(server: WindmillServer, username: string, log: (l: string) => void): Promise<Fixture> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "devgodzilla-wmtest-"));
  const closers: (() => Promise<void>)[] = [async () => rmSync(dir, { recursive: true, force: true })];
  const close = async () => {
    for (const c of closers.reverse()) await c().catch(() => undefined);
  };
  try {
    const keys = { llm: `sk-wmtest-${randomBytes(12).toString("hex")}`, github: `ghp_wmtest${randomBytes(16).toString("hex")}` };
    const llm = await startLlmServer(fixtureModel(), { acceptedKeys: [keys.llm] });
    closers.push(() => llm.close());
    const prefix = `u/${username}/devgodzilla_test`;
    const resources = await windmillResources(server, prefix, llm, keys);
    const store: LocalStore = {
      resources: {
        [resources.c_devgodzilla_llm!]: {
          resource_type: "c_devgodzilla_llm",
          value: { provider: "openai", api_key: `$var:${prefix}_llm_key`, base_url: llm.openaiBaseUrl, model: "demo-model" },
        },
        [resources.github!]: { resource_type: "github", value: { token: `$var:${prefix}_github_token` } },
      },
      variables: { [`${prefix}_llm_key`]: keys.llm, [`${prefix}_github_token`]: keys.github },
    };
    const policy = await sandboxPolicy();
    const seed = await seedRemote(dir);
    log("making the fixture: spec_to_tasks on the sample repository (local runner)");
    const feature = await featureState(seed, path.join(dir, "fixture-state"), store, resources, policy);
    let n = 0;
    const side = async (name: string) => {
      // Same-length paths on both sides: they reach prompts, and a prompt's length its token count.
      const repo = path.join(dir, `remote-${String(++n).padStart(4, "0")}.git`);
      await git(dir, "clone", "-q", "--mirror", seed, repo);
      const forge: FakeForgeServer = await startForgeServer({
        tokens: { github: keys.github },
        repos: [{ kind: "github", path: REPOSITORY, defaultBranch: "main", gitDir: repo }],
      });
      return { repo, githubApiBase: forge.githubApiBase, resources, close: () => forge.close() };
    };
    return { dir, feature, store, stateDir: path.join(dir, "local-state"), llmBaseUrl: llm.openaiBaseUrl, side, close };
  } catch (e) {
    await close();
    throw e;
  }
}
