// onboard, the onboard_project flow and task_dag on the lead's local runner (Windmill semantics):
// scripts by path, a flow with an inline summary step and a failure module, errors as job results.
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPath, type LocalStore } from "../../scripts/runner/index.ts";
import { startLlmServer } from "../../scripts/fakes/llm-server.ts";
import { createFixtureRemote, type FixtureRemote } from "../helpers/git-fixtures.ts";

let root: string;
let stateDir: string;
let fx: FixtureRemote;
const store = { resources: {}, variables: {} } as LocalStore;

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), "a2-runner-"));
  // Working copies go to TMPDIR and mirrors to the cache dir: both inside root, so we can look.
  process.env.TMPDIR = path.join(root, "tmp");
  await fs.mkdir(process.env.TMPDIR, { recursive: true });
  process.env.DEVGODZILLA_CACHE_DIR = path.join(root, "cache");
  stateDir = path.join(root, "state");
  fx = await createFixtureRemote("node", { tmpRoot: root });
});
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

const workingCopies = async () => (await fs.readdir(process.env.TMPDIR!)).filter((n) => n.startsWith("devgodzilla-wc-"));

describe("onboard on the local runner", () => {
  it("runs the onboard_project flow: onboard step result + rendered summary", async () => {
    const out = await runPath("f/devgodzilla/onboard_project", {
      args: { repo: fx.remote, base_branch: "main", speckit_agents: ["windsurf"] },
      store,
      stateDir,
    });
    expect(out.status).toBe("success");
    const result = out.result as {
      render_all: [
        { markdown: string },
        { branch: string; commit: string; created: string[]; profile: { primaryLanguage: string }; speckit_commands: { files: string[] } },
      ];
    };
    expect(result.render_all[0].markdown).toMatch(/## Onboarded/);
    const data = result.render_all[1];
    expect(data.branch).toBe("devgodzilla/onboard-main");
    expect(data.created).toContain(".specify/memory/constitution.md");
    expect(data.speckit_commands.files).toContain(".windsurf/workflows/speckit.specify.md");
    expect(data.profile.primaryLanguage).toBe("typescript");
    expect(await fx.head("devgodzilla/onboard-main")).toBe(data.commit);
    expect(await workingCopies()).toEqual([]);
  });

  it("fails the flow with one clear error for an ext:: URL, pushes nothing and leaves no working copy", async () => {
    const before = await fx.branches();
    const out = await runPath("f/devgodzilla/onboard_project", { args: { repo: "ext::sh -c touch% /tmp/pwned-a2", base_branch: "main" }, store, stateDir });
    expect(out.status).toBe("failure");
    expect(JSON.stringify(out.result ?? out.error)).toMatch(/transport helper 'ext::'/);
    expect((out.result as { markdown: string }).markdown).toMatch(/onboard_project failed at `onboard`[\s\S]*Fix the named input/);
    expect(await fx.branches()).toEqual(before);
    expect(await workingCopies()).toEqual([]);
    await expect(fs.access("/tmp/pwned-a2")).rejects.toThrow();
  });

  it("runs the onboard script by path and reports a missing base branch by field, naming the repository's default branch once", async () => {
    const master = await createFixtureRemote("node", { tmpRoot: root, branch: "master" });
    const out = await runPath("f/devgodzilla/onboard", { args: { repo: master.url, base_branch: "main" }, store, stateDir });
    expect(out.status).toBe("failure");
    expect(out.error?.message).toBe(
      `base_branch: 'main' was not found in ${master.url} (its default branch is master) — leave base_branch empty to use master, or name another of its branches`,
    );
    expect(await workingCopies()).toEqual([]);
  });

  it("spec_to_pr without base_branch starts from the repository's default branch (master here), decided by the onboard script", async () => {
    const master = await createFixtureRemote("node", { tmpRoot: root, branch: "master" });
    // A model that refuses every request (HTTP 400): the run stops at specify, after onboarding has chosen the base.
    const model = await startLlmServer(() => ({ status: 400, error: "refused by this test" }));
    const withModel: LocalStore = {
      resources: {
        "u/test/llm": { resource_type: "c_devgodzilla_llm", value: { provider: "openai", api_key: "sk-test", base_url: model.openaiBaseUrl, model: "m" } },
      },
      variables: {},
    };
    const out = await runPath("f/devgodzilla/spec_to_pr", {
      args: { repo: master.url, feature_description: "a feature", llm: "$res:u/test/llm" },
      store: withModel,
      stateDir,
    }).finally(() => model.close());
    expect(out.status).toBe("failure");
    expect(out.error?.step_id).not.toBe("onboard");
    const { RunStore } = await import("../../scripts/runner/runs.ts");
    const onboard = new RunStore(stateDir).journal(out.runId).find((e) => e.type === "step" && e.key === "spec/onboard");
    expect(onboard).toMatchObject({ success: true, result: { base_branch: "master", branch: "devgodzilla/onboard-master" } });
  });
});

describe("task_dag on the local runner", () => {
  const md =
    "## Phase 1: Setup\n\n- [ ] T001 init `package.json`\n- [ ] T002 [P] lint config in `eslint.config.js`\n- [ ] T003 [P] tsconfig in `tsconfig.json`\n\n## Phase 2: Core\n\n- [ ] T004 core in `src/core.ts` (depends on T002)\n";

  it("returns the DAG and a markdown summary from tasks_md", async () => {
    const out = await runPath("f/devgodzilla/task_dag", { args: { tasks_md: md }, store, stateDir });
    expect(out.status).toBe("success");
    const r = out.result as { tasks: { id: string; dependsOn: string[] }[]; levels: string[][]; markdown: string };
    expect(r.tasks.find((t) => t.id === "T004")!.dependsOn).toEqual(["T002", "T003"]);
    expect(r.levels).toEqual([["T001"], ["T002", "T003"], ["T004"]]);
    expect(r.markdown).toMatch(/Critical path/);
  });

  it("reads specs/<feature>/tasks.md at an exact commit", async () => {
    const sha = await fx.commit({ "specs/001-demo/tasks.md": md }, "tasks", "devgodzilla/001-demo");
    const out = await runPath("f/devgodzilla/task_dag", { args: { repo: fx.remote, commit: sha, feature: "001-demo" }, store, stateDir });
    expect(out.status).toBe("success");
    expect((out.result as { source: string }).source).toBe(`specs/001-demo/tasks.md@${sha}`);
    expect(await workingCopies()).toEqual([]);
  });

  it("fails with the cycle named", async () => {
    const cyclic = "## Phase 1: Setup\n\n- [ ] T001 a (depends on T002)\n- [ ] T002 b (depends on T001)\n";
    const out = await runPath("f/devgodzilla/task_dag", { args: { tasks_md: cyclic }, store, stateDir });
    expect(out.status).toBe("failure");
    expect(JSON.stringify(out.error ?? out.result)).toMatch(/T001 → T002 → T001/);
  });

  it("rejects a feature name that escapes specs/", async () => {
    const out = await runPath("f/devgodzilla/task_dag", { args: { repo: fx.remote, commit: fx.seed, feature: "../etc" }, store, stateDir });
    expect(out.status).toBe("failure");
    expect(JSON.stringify(out.error ?? out.result)).toMatch(/feature: '\.\.\/etc' would escape specs/);
  });
});
