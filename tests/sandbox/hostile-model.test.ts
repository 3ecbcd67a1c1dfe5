// Class 2 of issue 13 from the model's side: a hostile (or prompt-injected) model answer echoes the
// API key it was sent into the artifact the step commits and pushes. The loopback model server
// speaks the real OpenAI protocol; the step runs on the local runner with a `$res:` resource, as
// in production. The key is in scope (the job resolved it), so the commit is refused naming file
// and line — never the value — the job fails visibly and nothing reaches the remote.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { gitIn, type FixtureRemote } from "../helpers/git-fixtures.ts";
import { keyFingerprint, type LlmServer } from "../../scripts/fakes/llm-server.ts";
import { runPath, type LocalStore } from "../../scripts/runner/index.ts";
import { llmLocalStore, specDraft, specModel, startSpecRun, type SpecRun } from "../spec/spec-llm-fixture.ts";

const KEY = "sk-hostile-model-echo-5b7c9d1e3f";
let run: SpecRun;
let root: string;
let remote: FixtureRemote;
let server: LlmServer;
let store: LocalStore;

/** The draft a model would write, with the key it was sent echoed raw and base64-encoded. */
function echoingDraft(sentKey: string) {
  const d = specDraft({ markers: 0 });
  d.spec.edgeCases = [...d.spec.edgeCases, `What if the client sends Authorization: Bearer ${sentKey}?`];
  d.spec.assumptions = [...d.spec.assumptions, `Service credentials (for reference): ${Buffer.from(`api_key=${sentKey}`).toString("base64")}`];
  return d;
}

beforeAll(async () => {
  // The test checks below (by fingerprint) that this is the key the model was really sent.
  run = await startSpecRun("dg-hostile-model-", specModel({ specify: () => ({ text: JSON.stringify(echoingDraft(KEY)) }) }));
  ({ root, remote, server } = run);
  store = llmLocalStore(server, KEY);
});

afterAll(() => run?.close());

describe("a model answer that echoes its API key", () => {
  it("is not committed or pushed: the step fails naming the artifact's lines, never the key", async () => {
    const out = await runPath("f/devgodzilla/specify", {
      args: { repo: remote.remote, branch: "main", commit: remote.seed, feature_description: "Photo albums with sharing", llm: "$res:f/devgodzilla/llm_local" },
      store,
      stateDir: join(root, "state"),
    });
    // The model really was sent this key, and answered with it.
    expect(server.requests.some((r) => r.apiKeySha256 === keyFingerprint(KEY))).toBe(true);
    expect(out.status).toBe("failure");
    expect(out.error?.name).toBe("SecretInChangeError");
    expect(out.error?.message).toMatch(/specs\/001-photo-album-sharing\/spec\.md:\d+ \(a secret value in scope\)/);
    expect(out.error?.message).toMatch(/spec\.md:\d+ \(a secret value in scope \(base64\)\)/);
    expect(JSON.stringify(out)).not.toContain(KEY);
    expect(await remote.branches()).toEqual(["main"]);
    expect(await gitIn(remote.remote, ["log", "--all", "-p", "--format=%B"])).not.toContain(KEY);
  });
});
