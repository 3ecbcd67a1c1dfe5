// Class 6 of issue 13 on the local runner: the webhook's `webhook_defaults` resource is optional.
// The runner's Windmill API answers a resource that does not exist with 404, as Windmill does, so
// windmill-client's getResource(path, true) gives undefined and the webhook starts the run.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runPath } from "../../scripts/runner/index.ts";

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "dg-webhook-runner-"));
});
afterAll(async () => rm(root, { recursive: true, force: true }));

const decision = {
  action: "start",
  provider: "github",
  event: "issues",
  delivery_id: "0d9e8f7a-0000-4000-8000-000000000042",
  reason: "issue #42 labelled",
  inputs: {
    repo: "https://github.com/acme/widgets.git",
    base_branch: "main",
    feature_description: "Add dark mode",
    forge: "github",
    repository: "acme/widgets",
    issue_number: 42,
    issue_url: "https://github.com/acme/widgets/issues/42",
    requested_by: "ada",
  },
};

describe("the webhook on the local runner", () => {
  it("starts the run when the optional webhook_defaults resource does not exist", async () => {
    // The started job is a harmless script (the real flow would need a forge); what matters is the webhook's own result.
    const out = await runPath("f/devgodzilla/webhook", {
      args: { decision, flow_path: "f/devgodzilla/run_status" },
      store: { resources: {}, variables: {} },
      stateDir: join(root, "state"),
    });
    expect(out.status, JSON.stringify(out.error)).toBe("success");
    expect(out.result).toMatchObject({ status: "started", flow: "f/devgodzilla/run_status", delivery_id: decision.delivery_id });
  });
});
