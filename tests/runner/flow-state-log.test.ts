// A run's flow state (flow_status and inner jobs) is an append-only log of changes beside the run:
// each change costs its own size, so a loop's log grows linearly in its iterations; a line cut
// short by a crash spoils only itself; a reader (another process) sees each change once appended.
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import YAML from "yaml";
import { FlowStatusBook } from "../../scripts/runner/flow-status.ts";
import { resumeRun, runPath, RunStore } from "../../scripts/runner/index.ts";

const root = mkdtempSync(path.join(os.tmpdir(), "dgz-flowlog-"));
const stateDir = path.join(root, "state");
afterAll(() => rmSync(root, { recursive: true, force: true }));

mkdirSync(path.join(root, "f/t"), { recursive: true });
writeFileSync(path.join(root, "f/t/item.ts"), "export async function main(item: number) {\n  return item * 2;\n}\n");
/** A flow whose loop runs a script over n items. */
function loopFlow(n: number): string {
  mkdirSync(path.join(root, `f/t/loop${n}__flow`), { recursive: true });
  const loop = {
    type: "forloopflow",
    iterator: { type: "static", value: Array.from({ length: n }, (_, i) => i) },
    modules: [{ id: "double", value: { type: "script", path: "f/t/item", input_transforms: { item: { type: "javascript", expr: "flow_input.iter.value" } } } }],
  };
  const flow = { summary: `a loop over ${n} items`, value: { modules: [{ id: "each", value: loop }] }, schema: { type: "object", properties: {} } };
  writeFileSync(path.join(root, `f/t/loop${n}__flow/flow.yaml`), YAML.stringify(flow));
  return `f/t/loop${n}`;
}

const runLoop = async (n: number) => {
  const out = await runPath(loopFlow(n), { root, stateDir, store: { resources: {}, variables: {} } });
  expect(out.status, JSON.stringify(out.error)).toBe("success");
  return out.runId;
};
const logOf = (runId: string) => path.join(new RunStore(stateDir).runDir(runId), "flow_status.jsonl");

describe("a run's flow state log", () => {
  it("grows linearly with a loop's iterations, and replays to the loop's whole flow_status", async () => {
    const [small, large] = [40, 400];
    const bytesPerIteration = async (n: number) => {
      const runId = await runLoop(n);
      const each = new RunStore(stateDir).loadFlowState(runId).statuses[runId]!.modules[0]!;
      expect(each).toMatchObject({ id: "each", type: "Success" });
      expect(each.flow_jobs).toHaveLength(n);
      expect(each.flow_jobs_success).toEqual(Array(n).fill(true));
      return statSync(logOf(runId)).size / n;
    };
    const [perSmall, perLarge] = [await bytesPerIteration(small), await bytesPerIteration(large)];
    // Logging the loop's whole flow_jobs at every iteration would make this ratio about 10.
    expect(perLarge / perSmall).toBeLessThan(1.5);
  });

  it("a change cut short by a crash spoils only itself; a reader sees each change once it is appended", async () => {
    const runId = await runLoop(3);
    const reader = new RunStore(stateDir);
    const before = structuredClone(reader.loadFlowState(runId));
    const log = readFileSync(logOf(runId), "utf8");
    const lastLine = log.trim().split("\n").pop()!;
    appendFileSync(logOf(runId), lastLine.slice(0, lastLine.length / 2)); // the runner died mid-write
    expect(new RunStore(stateDir).loadFlowState(runId)).toEqual(before);

    // The runner that takes the run over logs its own changes after the cut line.
    const book = new FlowStatusBook(new RunStore(stateDir), runId);
    book.set(runId, "each", { type: "Failure" });
    const after = reader.loadFlowState(runId);
    expect(after.statuses[runId]!.modules[0]).toMatchObject({ id: "each", type: "Failure", flow_jobs: before.statuses[runId]!.modules[0]!.flow_jobs });
    expect(after.jobs).toEqual(before.jobs);
    expect(new RunStore(stateDir).loadFlowState(runId)).toEqual(after);
  });
});

describe("a run begun by a runner from before the log (its whole flow state in flow_status.json)", () => {
  /** Leaves the run as such a runner did: the state in flow_status.json, no log. */
  const asBeforeTheLog = (runId: string) => {
    const runs = new RunStore(stateDir);
    const state = structuredClone(runs.loadFlowState(runId));
    writeFileSync(path.join(runs.runDir(runId), "flow_status.json"), JSON.stringify(state));
    rmSync(logOf(runId));
    return state;
  };

  it("a finished run's flow state is still read", async () => {
    const runId = await runLoop(3);
    const before = asBeforeTheLog(runId);
    expect(before.statuses[runId]!.modules[0]!.flow_jobs).toHaveLength(3);
    expect(new RunStore(stateDir).loadFlowState(runId)).toEqual(before);
  });

  it("a suspended run resumed by this runner shows what the older runner ran, then what it runs itself", async () => {
    const opts = { root: path.resolve(__dirname, "../flows"), stateDir, store: { resources: {}, variables: {} } };
    const first = await runPath("f/conformance/approval", opts);
    expect(first.status).toBe("suspended");
    const before = asBeforeTheLog(first.runId).statuses[first.runId]!.modules;
    expect(before[0]).toMatchObject({ id: "ask", job: expect.any(String) });

    await resumeRun(first.runId, { answer: "ship it" }, opts);
    expect((await resumeRun(first.runId, {}, opts)).status).toBe("success");
    const after = new RunStore(stateDir).loadFlowState(first.runId).statuses[first.runId]!.modules;
    expect(after[0]).toMatchObject({ id: "ask", job: before[0]!.job });
    expect(after.map((m) => [m.id, m.type])).toEqual(before.map((m) => [m.id, "Success"]));
  });
});

describe("a run's journal", () => {
  it("a step entry cut short by a crash spoils only itself: the entries before it and after it are read", async () => {
    const runId = await runLoop(2);
    const runs = new RunStore(stateDir);
    const file = path.join(runs.runDir(runId), "journal.jsonl");
    const steps = runs.journal(runId);
    const last = readFileSync(file, "utf8").trim().split("\n").pop()!;
    appendFileSync(file, last.slice(0, last.length / 2)); // the runner died mid-write
    runs.append(runId, { ...(steps[0] as Extract<(typeof steps)[0], { type: "step" }>), key: "after-the-crash" });
    expect(runs.journal(runId).map((e) => e.key)).toEqual([...steps.map((e) => e.key), "after-the-crash"]);
  });
});
