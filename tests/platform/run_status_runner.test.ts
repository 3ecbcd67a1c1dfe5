// run_status against the embedded local runner's Windmill API (no flow_status there: the steps
// are rebuilt from child jobs): a small flow parked on an approval step.
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

// Under the repo (git-ignored .devgodzilla/) so inline scripts resolve windmill-client.
const root = path.resolve(".devgodzilla", `test-root-${randomUUID()}`);
const store = { resources: {}, variables: {} };

beforeAll(async () => {
  await fs.mkdir(path.join(root, "f/devgodzilla/fixture__flow"), { recursive: true });
  await fs.writeFile(path.join(root, "f/devgodzilla/fixture__flow/flow.yaml"), FLOW);
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
});
