import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeFile, readFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { stringify } from "yaml";
import { resumeRun, runPath, RunStore } from "../../scripts/runner/index.ts";
import { harness, GOOD, BAD, type Harness } from "./flow-helpers.ts";

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(async () => h?.close());

type Final = {
  task_with_qa: true;
  status: string;
  decisions: { decision: string; reason: string; question?: string; answer?: string }[];
  verdict: { status: string } | null;
  commit: string;
};

describe("task_with_qa on the local runner", () => {
  it("clarify: the agent's question is answered from a file, the answer reaches the agent, the task passes", async () => {
    const state = await h.scenario([{ agent_message: "I stopped. BLOCKED(clarify): Should totals be rounded to cents or kept exact?" }, GOOD]);
    const answersFile = join(h.stateDir, "answers.json");
    await writeFile(answersFile, JSON.stringify({ ask: { answer: "kept exact" } }));
    const out = await runPath("f/devgodzilla/task_with_qa", {
      root: h.root,
      stateDir: h.stateDir,
      store: h.store,
      args: h.args(state),
      answers: JSON.parse(await readFile(answersFile, "utf8")),
    });
    expect(out.status, JSON.stringify(out.error)).toBe("success");
    const r = out.result as Final;
    expect(r.status).toBe("passed");
    expect(r.decisions.map((d) => d.decision)).toEqual(["clarify", "done"]);
    expect(r.decisions[0]).toMatchObject({ question: "Should totals be rounded to cents or kept exact?", answer: "kept exact" });
    const calls = await h.calls(state);
    expect(calls).toHaveLength(2);
    expect(calls[0].note).toBe("");
    expect(calls[1].note).toContain("A: kept exact");
    expect(r.verdict?.status).toBe("passed");
  });

  it("clarify from the command line: `devgodzilla run … --answers @answers.json` answers the approval from the file", async () => {
    const state = await h.scenario([{ agent_message: "BLOCKED(clarify): Should totals be rounded to cents or kept exact?" }, GOOD]);
    const argsFile = join(h.stateDir, "cli-args.json");
    const answersFile = join(h.stateDir, "cli-answers.json");
    const resourcesFile = join(h.stateDir, "cli-resources.yaml");
    await writeFile(argsFile, JSON.stringify(h.args(state)));
    await writeFile(answersFile, JSON.stringify({ ask: { answer: "kept exact, no rounding" } }));
    await writeFile(resourcesFile, stringify(h.store));
    const cli = await execa(
      process.execPath,
      [
        "scripts/devgodzilla.mjs",
        "run",
        "f/devgodzilla/task_with_qa",
        "-d",
        `@${argsFile}`,
        "--answers",
        `@${answersFile}`,
        "--root",
        h.root,
        "--resources",
        resourcesFile,
        "--state-dir",
        join(h.stateDir, "cli-state"),
        "--no-interactive",
        "-s",
      ],
      { env: { DEVGODZILLA_CACHE_DIR: join(h.stateDir, "cache") }, reject: false },
    );
    expect(cli.exitCode, cli.stdout + cli.stderr.slice(-2000)).toBe(0);
    const r = JSON.parse(cli.stdout) as Final;
    expect(r.decisions.map((d) => [d.decision, d.answer ?? null])).toEqual([
      ["clarify", "kept exact, no rounding"],
      ["done", null],
    ]);
    expect((await h.calls(state))[1].note).toContain("A: kept exact, no rounding");
  });

  it("clarify without an answer suspends at the approval step with the question, options and recommended answer", async () => {
    const state = await h.scenario([{ agent_message: "BLOCKED(clarify): Should totals be rounded to cents or kept exact?" }, GOOD]);
    const out = await runPath("f/devgodzilla/task_with_qa", { root: h.root, stateDir: h.stateDir, store: h.store, args: h.args(state) });
    expect(out.status).toBe("suspended");
    const step = out.pending?.step_result as { default_args: { answer: string }; options: string[]; description: { markdown: string } };
    expect(out.pending?.step_id).toBe("ask");
    expect(step.options).toEqual(["rounded to cents", "kept exact"]);
    expect(step.default_args.answer).toBe("rounded to cents");
    expect(step.description.markdown).toMatch(/\*\*Question:\*\* Should totals be rounded/);
    expect(out.resumeCommand).toMatch(/devgodzilla resume/);
  });

  it("an open question without options or a recommended answer: an empty answer is refused and the run keeps waiting; a real one continues it", async () => {
    const state = await h.scenario([{ agent_message: "BLOCKED(clarify): Which rounding rule does finance use?" }, GOOD]);
    const out = await runPath("f/devgodzilla/task_with_qa", { root: h.root, stateDir: h.stateDir, store: h.store, args: h.args(state) });
    expect(out.status).toBe("suspended");
    expect((out.pending?.step_result as { default_args: { answer: string } }).default_args.answer).toBe("");
    const opts = { root: h.root, stateDir: h.stateDir, store: h.store };
    await expect(resumeRun(out.runId, { answer: "" }, opts)).rejects.toThrow(/"answer" is required[\s\S]*the run still waits/);
    expect(new RunStore(h.stateDir).load(out.runId).status).toBe("suspended");
    const done = await resumeRun(out.runId, { answer: "banker's rounding" }, opts);
    expect(done.status, JSON.stringify(done.error)).toBe("success");
    expect((done.result as Final).decisions[0]).toMatchObject({ decision: "clarify", answer: "banker's rounding" });
  });

  it("retry: failing tests are retried (with the backoff from limits) and the second attempt passes", async () => {
    const state = await h.scenario([BAD, GOOD]);
    const t0 = Date.now();
    const out = await runPath("f/devgodzilla/task_with_qa", {
      root: h.root,
      stateDir: h.stateDir,
      store: h.store,
      args: h.args(state, { limits: { backoff_seconds: 1, max_retries: 2 } }),
    });
    expect(out.status, JSON.stringify(out.error)).toBe("success");
    const r = out.result as Final;
    expect(r.decisions.map((d) => d.decision)).toEqual(["retry", "done"]);
    expect(r.decisions[0].reason).toMatch(/NODE_TEST_FAIL/);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
    expect(r.status).toBe("passed");
  });
});
