// run_status against the embedded local runner's Windmill API, which serves Windmill's flow_status:
// a small flow parked on an approval step, and a finished spec_to_pr-like flow with a loop module.
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPath } from "../../scripts/runner/index.ts";

const FLOW = `summary: run_status fixture
value:
  modules:
    - id: implement
      value:
        type: rawscript
        language: bun
        content: |
          export async function main() { return { task_id: "T001", agent: "llm", status: "done", verdict: "pass", cost_usd: 0.01 }; }
        input_transforms: {}
    - id: approve
      suspend:
        required_events: 1
        timeout: 600
      value:
        type: rawscript
        language: bun
        content: |
          import * as wmill from "windmill-client";
          export async function main() { return { ...(await wmill.getResumeUrls()), description: "Ship it?" }; }
        input_transforms: {}
    - id: after
      value:
        type: rawscript
        language: bun
        content: |
          export async function main() { return 1; }
        input_transforms: {}
schema:
  type: object
  properties: {}
`;

// Shaped like spec_to_pr: an identity input, a plan, a `pr` loop whose one iteration opens the PR, a summary.
const LOOP_FLOW = `summary: run_status loop fixture
value:
  modules:
    - id: input
      value: { type: identity }
    - id: pr_plan
      value:
        type: rawscript
        language: bun
        content: |
          export async function main() { return { runs: [{ draft: false }], cost_usd: 0.02 }; }
        input_transforms: {}
    - id: pr
      value:
        type: forloopflow
        iterator: { type: javascript, expr: results.pr_plan.runs }
        skip_failures: false
        modules:
          - id: open_pr
            value:
              type: rawscript
              language: bun
              content: |
                export async function main() { return { pr: { url: "https://github.com/acme/widgets/pull/7", number: 7 } }; }
              input_transforms: {}
    - id: summary
      value:
        type: rawscript
        language: bun
        content: |
          export async function main() { return { markdown: "done" }; }
        input_transforms: {}
schema:
  type: object
  properties: {}
`;

// Under the repo (git-ignored .devgodzilla/) so inline scripts resolve windmill-client.
const root = path.resolve(".devgodzilla", `test-root-${randomUUID()}`);
const store = { resources: {}, variables: {} };

beforeAll(async () => {
  await fs.mkdir(path.join(root, "f/devgodzilla/fixture__flow"), { recursive: true });
  await fs.writeFile(path.join(root, "f/devgodzilla/fixture__flow/flow.yaml"), FLOW);
  await fs.mkdir(path.join(root, "f/devgodzilla/loop_fixture__flow"), { recursive: true });
  await fs.writeFile(path.join(root, "f/devgodzilla/loop_fixture__flow/flow.yaml"), LOOP_FLOW);
  for (const f of ["run_status.ts", "run_status.script.yaml"]) await fs.copyFile(path.resolve("f/devgodzilla", f), path.join(root, "f/devgodzilla", f));
  await fs.symlink(path.resolve("f/devgodzilla/lib"), path.join(root, "f/devgodzilla/lib"));
});
afterAll(async () => fs.rm(root, { recursive: true, force: true }));

describe("run_status on the local runner", () => {
  it("shows the finished step, the task, and the approval the run waits for with its link", async () => {
    const run = await runPath("f/devgodzilla/fixture", { root, stateDir: path.join(root, ".state"), store });
    expect(run.status).toBe("suspended");
    const out = await runPath("f/devgodzilla/run_status", { root, stateDir: path.join(root, ".state"), store, args: { job_id: run.runId } });
    expect(out.status, JSON.stringify(out.error)).toBe("success");
    const md = (out.result as { markdown: string }).markdown;
    expect(md).toContain("— waiting-for-approval");
    expect(md).toMatch(/\| ✅ \| implement \| success \|/);
    expect(md).toMatch(/\| ✋ \| approve \| approval \|/);
    expect(md).toMatch(/- \*\*approve\*\*: \[open the approval page\]\(http:\/\/127\.0\.0\.1:\d+\/approve\//);
    expect(md).toContain("| T001 | llm | done | pass |");
    expect(md).toContain("$0.0100");
  });

  it("a finished flow with a loop shows the loop module with its iteration count, not the step inside it, as on Windmill", async () => {
    const run = await runPath("f/devgodzilla/loop_fixture", { root, stateDir: path.join(root, ".state"), store });
    expect(run.status, JSON.stringify(run.error)).toBe("success");
    const out = await runPath("f/devgodzilla/run_status", { root, stateDir: path.join(root, ".state"), store, args: { job_id: run.runId } });
    expect(out.status, JSON.stringify(out.error)).toBe("success");
    const md = (out.result as { markdown: string }).markdown;
    expect(md).toContain("— success");
    const rows = md.split("\n").filter((l) => /^\| (✅|❌|⏳|▶️|✋|⏭️) \|/.test(l));
    expect(rows.map((l) => l.split("|")[2]!.trim())).toEqual(["pr_plan", "pr", "summary"]); // no identity input, no open_pr row
    expect(rows[1]).toMatch(/\| ✅ \| pr \| success \|.*\| 1\/1 done \|$/);
    expect(md).toContain("PR: https://github.com/acme/widgets/pull/7");
    expect(md).toContain("$0.0200");
  });
});
