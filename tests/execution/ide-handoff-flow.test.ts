// task_with_qa with an IDE agent, on the local runner as a Windmill without V8: execute_task hands
// the task off (command file on the task branch), the flow suspends at `ide` with what to do, a
// person clones the branch, does the work and pushes, answers the form {done, note}, and the
// pushed work — without the command file — is what QA judges and the flow returns.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { runPath, type RunResult } from "../../scripts/runner/index.ts";
import type { PendingApproval } from "../../scripts/runner/runs.ts";
import { createFixtureRemote, type FixtureRemote } from "../helpers/git-fixtures.ts";
import { NODE_TEST_PROFILE } from "../qa/helpers.ts";

const FEATURE = "001-cart-total";
const RUN_BRANCH = `devgodzilla/${FEATURE}`;
const git = (cwd: string, ...a: string[]) =>
  execFileSync("git", ["-c", "user.name=Person", "-c", "user.email=p@example.test", ...a], { cwd })
    .toString()
    .trim();

let fx: FixtureRemote;
let tmp: string;
beforeAll(async () => {
  fx = await createFixtureRemote("empty", {
    extraFiles: {
      "package.json": '{"name":"shop","type":"module","scripts":{"test":"node --test"}}\n',
      [`specs/${FEATURE}/spec.md`]: "# Cart total\n\nCustomers see the total of their cart (the sum of the prices).\n",
    },
  });
  await fx.commit({}, "run branch", RUN_BRANCH);
  tmp = mkdtempSync(path.join(os.tmpdir(), "dg-ide-flow-"));
  process.env.DEVGODZILLA_CACHE_DIR = path.join(tmp, "cache");
  process.env.DEVGODZILLA_NO_V8 = "1";
});
afterAll(async () => {
  await fx?.cleanup();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  delete process.env.DEVGODZILLA_NO_V8;
});

function run(taskId: string, ask: (p: PendingApproval) => Promise<unknown>): Promise<RunResult> {
  return runPath("f/devgodzilla/task_with_qa", {
    args: {
      repo: fx.remote,
      branch: RUN_BRANCH,
      commit: fx.seed,
      feature: FEATURE,
      profile: NODE_TEST_PROFILE,
      task: { id: taskId, description: "Implement cartTotal in src/cart.js", files: ["src/cart.js", "test/cart.test.js"], story: "" },
      agents: "$res:f/test/agents",
      sandbox_policy: "allow_unsandboxed",
      limits: { backoff_seconds: 0, max_retries: 0, max_clarifications: 0, max_replans: 0, max_respecs: 0, max_iterations: 1 },
    },
    store: {
      resources: { "f/test/agents": { resource_type: "c_devgodzilla_agents", value: { default_agent: "windsurf", enabled: ["windsurf"] } } },
      variables: {},
    },
    stateDir: path.join(tmp, `state-${taskId}`),
    ask,
  });
}

/** The person: clones the task branch, reads the command, writes the code and its test, pushes. */
function personDoesTheWork(branch: string, commandFile: string): string {
  const human = mkdtempSync(path.join(tmp, "human-"));
  execFileSync("git", ["clone", "-q", "-b", branch, fx.remote, human]);
  expect(readFileSync(path.join(human, commandFile), "utf8")).toContain("Implement cartTotal");
  mkdirSync(path.join(human, "src"));
  mkdirSync(path.join(human, "test"));
  writeFileSync(path.join(human, "src/cart.js"), "export const cartTotal = (prices) => prices.reduce((a, b) => a + b, 0);\n");
  writeFileSync(
    path.join(human, "test/cart.test.js"),
    'import { test } from "node:test";\nimport assert from "node:assert";\nimport { cartTotal } from "../src/cart.js";\ntest("the total is the sum of the prices", () => assert.strictEqual(cartTotal([1, 2, 3]), 6));\n',
  );
  git(human, "add", ".");
  git(human, "commit", "-qm", "cartTotal (done in Windsurf)");
  git(human, "push", "-q", "origin", branch);
  return git(human, "rev-parse", "HEAD");
}

describe("task_with_qa with an IDE agent", () => {
  it("suspends at `ide` with the branch and command, and QA judges what the person pushed (command file removed)", async () => {
    const asked: PendingApproval[] = [];
    let pushed = "";
    const out = await run("T030", async (pending) => {
      asked.push(pending);
      const step = pending.step_result as { branch: string; command_file: string };
      pushed = personDoesTheWork(step.branch, step.command_file);
      return { done: true, note: "Implemented cartTotal with its test in Windsurf" };
    });
    expect(out.status, JSON.stringify(out.error)).toBe("success");
    expect(asked.map((p) => p.step_id)).toEqual(["ide"]);
    expect(Object.keys(asked[0]!.form?.properties ?? {})).toEqual(["done", "note"]);
    const step = asked[0]!.step_result as { description: string; ide: string; branch: string };
    expect(step.ide).toBe("Windsurf");
    expect(step.branch).toBe(`${RUN_BRANCH}-tasks/T030`);
    expect(step.description).toMatch(/Check out `devgodzilla\/001-cart-total-tasks\/T030`[\s\S]*\/devgodzilla-t030/);

    const r = out.result as {
      status: string;
      branch: string;
      commit: string;
      changed: boolean;
      verdict: { status: string } | null;
      artifacts: { files: { path: string }[] };
    };
    expect(r.branch).toBe(step.branch);
    // On top of the person's commit: the pickup's commit removing the command file, then QA's report.
    expect(git(fx.remote, "merge-base", "--is-ancestor", pushed, r.commit)).toBe("");
    expect(await fx.head(r.branch)).toBe(r.commit);
    expect(await fx.show(r.commit, ".windsurf/workflows/devgodzilla-t030.md")).toBeNull();
    expect(r.artifacts.files.map((f) => f.path).sort()).toEqual(["src/cart.js", "test/cart.test.js"]);
    expect(r.verdict).not.toBeNull(); // QA judged the pushed work
    expect(r.status).toBe(r.verdict!.status === "passed" ? "passed" : "failed");
  }, 300_000);

  it("not done, with a question: the task stops as a clarification (no QA of an empty branch)", async () => {
    const out = await run("T031", async () => ({ done: false, note: "Should totals be rounded to cents or kept exact?" }));
    expect(out.status, JSON.stringify(out.error)).toBe("success");
    const r = out.result as { status: string; verdict: unknown; decisions: { decision: string; classified_as: string; reason: string }[] };
    expect(r.verdict).toBeNull();
    expect(r.decisions[0]).toMatchObject({ classified_as: "clarify" });
    expect(r.decisions[0]!.reason).toMatch(/rounded to cents/);
    expect(r.status).toBe("failed"); // no clarification allowed by the limits
  }, 300_000);
});
