import { createHmac, randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { setClient } from "windmill-client";
import { startWindmillApi, type FakeWindmillApi } from "../../scripts/fakes/windmill-api.ts";
import { main, preprocessor } from "../../f/devgodzilla/webhook.ts";
import {
  GITHUB_SECRET_VARIABLE,
  GITLAB_ALLOWED_USERS_VARIABLE,
  GITLAB_SECRET_VARIABLE,
  REPLAY_WINDOW_HOURS,
  WebhookAuthError,
  mapEvent,
  parseCommand,
  preprocessWebhook,
  startFromDecision,
  verifyGithubSignature,
  verifyGitlabToken,
} from "../../f/devgodzilla/lib/platform/webhook.ts";

const GH_SECRET = "gh-webhook-secret-" + randomUUID();
const GL_SECRET = "gl-webhook-token-" + randomUUID();
const sign = (raw: string, secret = GH_SECRET) => "sha256=" + createHmac("sha256", secret).update(raw).digest("hex");

const repository = { full_name: "acme/widgets", clone_url: "https://github.com/acme/widgets.git", default_branch: "trunk" };
const issue = {
  number: 42,
  title: "Add dark mode",
  body: "Users want a dark theme toggle.",
  state: "open",
  html_url: "https://github.com/acme/widgets/issues/42",
};

function ghEvent(event: string, payload: unknown, opts: { delivery?: string; signature?: string | null; raw?: string } = {}) {
  const raw = opts.raw ?? JSON.stringify(payload);
  const headers: Record<string, string> = { "X-GitHub-Event": event, "X-GitHub-Delivery": opts.delivery ?? randomUUID(), "Content-Type": "application/json" };
  if (opts.signature !== null) headers["X-Hub-Signature-256"] = opts.signature ?? sign(raw);
  return { kind: "http", body: payload, raw_string: raw, headers, query: {} };
}
const labeled = (label = "devgodzilla") => ({ action: "labeled", label: { name: label }, issue, repository, sender: { login: "ada", type: "User" } });
// Each comment GitHub sends has its own id and time (the event's identity for replay protection).
let commentIds = 1000;
const comment = (body: string, extra: Record<string, unknown> = {}) => ({
  action: "created",
  issue,
  repository,
  comment: { id: ++commentIds, created_at: new Date().toISOString(), body, user: { login: "ada", type: "User" }, author_association: "MEMBER", ...extra },
  sender: { login: "ada", type: "User" },
});

const glProject = { path_with_namespace: "acme/tools/widgets", git_http_url: "https://gitlab.example.com/acme/tools/widgets.git", default_branch: "main" };
function glEvent(kind: "Issue Hook" | "Note Hook", payload: unknown, token: string | null = GL_SECRET, uuid: string = randomUUID()) {
  const headers: Record<string, string> = { "X-Gitlab-Event": kind, "X-Gitlab-Event-UUID": uuid };
  if (token !== null) headers["X-Gitlab-Token"] = token;
  return { kind: "http", body: payload, raw_string: JSON.stringify(payload), headers, query: {} };
}

let wm: FakeWindmillApi;
beforeAll(async () => {
  wm = await startWindmillApi({
    token: "wm-test-token",
    workspace: "dg",
    variables: { [GITHUB_SECRET_VARIABLE]: GH_SECRET, [GITLAB_SECRET_VARIABLE]: GL_SECRET },
  });
  process.env.WM_WORKSPACE = "dg";
  setClient("wm-test-token", wm.baseUrl);
});
afterAll(async () => wm.close());
beforeEach(() => {
  for (const [p] of wm.resources) wm.resources.delete(p);
  wm.jobs.clear();
});

describe("signature verification", () => {
  const raw = JSON.stringify(labeled());
  it("accepts a valid GitHub HMAC-SHA256 signature over the raw body", () => {
    expect(() => verifyGithubSignature(raw, sign(raw), GH_SECRET)).not.toThrow();
  });
  it("rejects an invalid signature, a signature made with another secret, and a tampered body", () => {
    expect(() => verifyGithubSignature(raw, "sha256=" + "0".repeat(64), GH_SECRET)).toThrow(WebhookAuthError);
    expect(() => verifyGithubSignature(raw, sign(raw, "other"), GH_SECRET)).toThrow(/does not match/);
    expect(() => verifyGithubSignature(raw.replace("dark", "DARK"), sign(raw), GH_SECRET)).toThrow(/does not match/);
    expect(() => verifyGithubSignature(raw, "sha256=abc", GH_SECRET)).toThrow(/does not match/); // short value, no length leak/throw
  });
  it("rejects a missing signature header and an unconfigured secret", () => {
    const e = (() => {
      try {
        verifyGithubSignature(raw, undefined, GH_SECRET);
      } catch (x) {
        return x as WebhookAuthError;
      }
    })();
    expect(e?.reason).toBe("missing");
    expect(() => verifyGithubSignature(raw, sign(raw), "")).toThrow(/github_webhook_secret/);
  });
  it("checks the GitLab token in constant time: valid, invalid, missing", () => {
    expect(() => verifyGitlabToken(GL_SECRET, GL_SECRET)).not.toThrow();
    expect(() => verifyGitlabToken(GL_SECRET + "x", GL_SECRET)).toThrow(/does not match/);
    expect(() => verifyGitlabToken(undefined, GL_SECRET)).toThrow(/missing/);
  });
  it("the preprocessor refuses an unsigned or mis-signed delivery before reading the payload (secret read from the Windmill variable)", async () => {
    await expect(preprocessor(ghEvent("issues", labeled(), { signature: null }))).rejects.toThrow(/X-Hub-Signature-256 header is missing/);
    await expect(preprocessor(ghEvent("issues", labeled(), { signature: sign("{}") }))).rejects.toThrow(/does not match/);
    await expect(preprocessor(glEvent("Issue Hook", {}, "wrong"))).rejects.toThrow(/X-Gitlab-Token/);
    await expect(preprocessor(glEvent("Issue Hook", {}, null))).rejects.toThrow(/missing/);
    await expect(preprocessor({ kind: "http", body: {}, raw_string: "{}", headers: {} })).rejects.toThrow(/not a GitHub or GitLab webhook/);
    const noRaw = { ...ghEvent("issues", labeled()), raw_string: null };
    await expect(preprocessor(noRaw)).rejects.toThrow(/raw_string: true/);
    expect(wm.runs()).toHaveLength(0);
  });
});

describe("event mapping", () => {
  it("an issue labelled devgodzilla becomes spec_to_pr inputs", async () => {
    const { decision } = await preprocessor(ghEvent("issues", labeled(), { delivery: "d-1" }));
    expect(decision).toMatchObject({
      action: "start",
      provider: "github",
      delivery_id: "d-1",
      inputs: {
        repo: repository.clone_url,
        base_branch: "trunk",
        repository: "acme/widgets",
        issue_number: 42,
        forge: "github",
        feature_description: "Add dark mode\n\nUsers want a dark theme toggle.",
        requested_by: "ada",
      },
    });
  });
  it("a '/devgodzilla <request>' comment uses the request as the feature description", async () => {
    const { decision } = await preprocessor(ghEvent("issue_comment", comment("/devgodzilla add a\nkeyboard shortcut for it")));
    expect(decision.action).toBe("start");
    if (decision.action === "start") expect(decision.inputs.feature_description).toBe("add a\nkeyboard shortcut for it");
    const bare = await preprocessor(ghEvent("issue_comment", comment("/devgodzilla")));
    if (bare.decision.action === "start") expect(bare.decision.inputs.feature_description).toContain("Add dark mode");
  });
  it("GitLab: label added on an issue and '/devgodzilla' notes map to inputs", async () => {
    const issueHook = {
      object_kind: "issue",
      project: glProject,
      user: { username: "grace" },
      object_attributes: {
        iid: 9,
        title: "Export CSV",
        description: "Add CSV export",
        state: "opened",
        action: "update",
        url: "https://gitlab.example.com/acme/tools/widgets/-/issues/9",
      },
      labels: [{ title: "devgodzilla" }],
      changes: { labels: { previous: [], current: [{ title: "devgodzilla" }] } },
    };
    const a = (await preprocessor(glEvent("Issue Hook", issueHook, GL_SECRET, "uuid-9"))).decision;
    expect(a).toMatchObject({
      action: "start",
      provider: "gitlab",
      delivery_id: "uuid-9",
      inputs: {
        repo: glProject.git_http_url,
        base_branch: "main",
        repository: "acme/tools/widgets",
        issue_number: 9,
        feature_description: "Export CSV\n\nAdd CSV export",
      },
    });
    const note = {
      object_kind: "note",
      project: glProject,
      user: { username: "grace" },
      object_attributes: { note: "/devgodzilla also add TSV", noteable_type: "Issue" },
      issue: { iid: 9, title: "Export CSV", description: "", state: "opened", url: "u" },
    };
    const b = (await preprocessor(glEvent("Note Hook", note))).decision;
    expect(b).toMatchObject({ action: "start", inputs: { feature_description: "also add TSV", issue_number: 9 } });
  });
  it("GitLab: a command note on a public project needs an allow-listed user (note hooks carry no access level)", async () => {
    const note = (username: string, visibility_level: number) => ({
      object_kind: "note",
      project: { ...glProject, visibility_level },
      user: { username },
      object_attributes: { note: "/devgodzilla go", noteable_type: "Issue" },
      issue: { iid: 3, title: "t", description: "", state: "opened", url: "u" },
    });
    expect((await preprocessor(glEvent("Note Hook", note("mallory", 20)))).decision).toMatchObject({
      action: "ignore",
      reason: expect.stringMatching(/public project.*gitlab_allowed_users/),
    });
    wm.variables.set(GITLAB_ALLOWED_USERS_VARIABLE, "grace, alan");
    try {
      expect((await preprocessor(glEvent("Note Hook", note("grace", 20)))).decision.action).toBe("start");
      expect((await preprocessor(glEvent("Note Hook", note("mallory", 10)))).decision.action).toBe("ignore");
    } finally {
      wm.variables.delete(GITLAB_ALLOWED_USERS_VARIABLE);
    }
    expect((await preprocessor(glEvent("Note Hook", note("anyone", 0)))).decision.action).toBe("start"); // private: members only can comment
  });
  it("ignores unrelated events with a reason", () => {
    const h = (event: string) => ({ "x-github-event": event, "x-github-delivery": "x" });
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ["ping", { zen: "hi" }, /ping/],
      ["push", { ref: "refs/heads/main", repository }, /"push" is not handled/],
      ["issues", { ...labeled(), action: "opened" }, /only "labeled"/],
      ["issues", labeled("bug"), /"bug" is not "devgodzilla"/],
      ["issues", { ...labeled(), issue: { ...issue, state: "closed" } }, /closed/],
      ["issues", { ...labeled(), issue: { ...issue, pull_request: { url: "x" } } }, /pull request/],
      ["issue_comment", comment("looks good to me"), /does not start with/],
      ["issue_comment", comment("/devgodzillafoo"), /does not start with/],
      ["issue_comment", comment("/devgodzilla do it", { author_association: "NONE" }), /only OWNER, MEMBER, COLLABORATOR/],
      ["issue_comment", comment("/devgodzilla do it", { user: { login: "devgodzilla[bot]", type: "Bot" } }), /bot/],
      ["issue_comment", { ...comment("/devgodzilla x"), action: "edited" }, /only "created"/],
    ];
    for (const [ev, body, reason] of cases) {
      const d = mapEvent("github", h(ev), body);
      expect(d.action, ev).toBe("ignore");
      expect(d.reason).toMatch(reason);
    }
    const gl = mapEvent("gitlab", { "x-gitlab-event": "Push Hook" }, { object_kind: "push", project: glProject });
    expect(gl).toMatchObject({ action: "ignore", reason: expect.stringMatching(/not handled/) });
    const relabel = mapEvent(
      "gitlab",
      { "x-gitlab-event": "Issue Hook" },
      {
        object_kind: "issue",
        project: glProject,
        object_attributes: { iid: 1, action: "update", state: "opened" },
        labels: [{ title: "devgodzilla" }],
        changes: { title: { previous: "a", current: "b" } },
      },
    );
    expect(relabel.action).toBe("ignore"); // label already there, not added by this event
  });
  it("parseCommand needs the exact command word", () => {
    expect(parseCommand("  /devgodzilla   fix it ")).toBe("fix it");
    expect(parseCommand("/devgodzilla")).toBe("");
    expect(parseCommand("/devgodzillas fix")).toBeNull();
    expect(parseCommand("please /devgodzilla fix")).toBeNull();
  });
});

describe("starting runs and replayed deliveries", () => {
  it("starts spec_to_pr once; a replayed delivery (same X-GitHub-Delivery) is reported as duplicate and starts nothing", async () => {
    const ev = ghEvent("issues", labeled(), { delivery: "6f0c1a2e-1111-4a4a-9b9b-000000000001" });
    wm.resources.set("f/devgodzilla/webhook_defaults", { resource_type: "object", value: { agent: "claude-code", openai: "$res:f/devgodzilla/openai" } });
    const first = await main((await preprocessor(ev)).decision);
    expect(first.status).toBe("started");
    const runs = wm.runs();
    expect(runs).toHaveLength(1);
    expect(runs[0].script_path).toBe("f/devgodzilla/spec_to_pr");
    expect(runs[0].args).toMatchObject({
      repo: repository.clone_url,
      base_branch: "trunk",
      issue_number: 42,
      agent: "claude-code",
      openai: "$res:f/devgodzilla/openai",
    });
    if (first.status === "started") expect(first.job_id).toBe(runs[0].id);

    const replay = await main((await preprocessor(ev)).decision);
    expect(replay.status).toBe("duplicate");
    if (replay.status === "duplicate") expect(replay.job_id).toBe(runs[0].id);
    expect(wm.runs()).toHaveLength(1);
    // The claim lives in Windmill (a state resource), not in a database of ours.
    const claims = [...wm.resources.keys()].filter((k) => k.startsWith("f/devgodzilla/webhook_deliveries/"));
    expect(claims.length).toBeGreaterThan(0);
    for (const c of claims) expect(wm.resources.get(c)?.resource_type).toBe("state");
  });
  it("a new delivery for an issue whose run is still in flight starts nothing and names that run", async () => {
    const live = wm.addJob({
      script_path: "f/devgodzilla/spec_to_pr",
      job_kind: "flow",
      running: true,
      args: { repo: repository.clone_url, issue_number: 42 },
    });
    const out = await main((await preprocessor(ghEvent("issue_comment", comment("/devgodzilla also add a shortcut")))).decision);
    expect(out).toMatchObject({ status: "already-running", job_id: live.id });
    expect(wm.runs()).toHaveLength(0);
    wm.completeJob(live.id, { ok: true });
    const after = await main((await preprocessor(ghEvent("issue_comment", comment("/devgodzilla also add a shortcut")))).decision);
    expect(after.status).toBe("started");
  });
  it("concurrent redeliveries start exactly one run (atomic claim)", async () => {
    const ev = ghEvent("issue_comment", comment("/devgodzilla go"), { delivery: "6f0c1a2e-2222-4a4a-9b9b-000000000002" });
    const d = (await preprocessor(ev)).decision;
    const results = await Promise.all([main(d), main(d), main(d)]);
    expect(results.filter((r) => r.status === "started")).toHaveLength(1);
    expect(wm.runs()).toHaveLength(1);
  });
  it("deliveries for different issues start separate runs; ignored events start none and say why", async () => {
    await main((await preprocessor(ghEvent("issues", labeled()))).decision);
    await main((await preprocessor(ghEvent("issues", { ...labeled(), issue: { ...issue, number: 43 } }))).decision);
    const ign = await main((await preprocessor(ghEvent("issues", labeled("bug")))).decision);
    expect(ign).toMatchObject({ status: "ignored", reason: expect.stringContaining("bug") });
    expect(wm.runs()).toHaveLength(2);
  });
  it("a failed flow start releases the claim so GitHub's redelivery can retry", async () => {
    const ev = ghEvent("issues", labeled(), { delivery: "6f0c1a2e-3333-4a4a-9b9b-000000000003" });
    const decision = await preprocessWebhook(ev, { getSecret: async () => GH_SECRET });
    const failing = async () => {
      throw new Error("flow f/devgodzilla/spec_to_pr not found");
    };
    await expect(startFromDecision(decision, { runFlow: failing })).rejects.toThrow(/not found/);
    expect([...wm.resources.keys()].some((k) => k.includes("3333"))).toBe(false);
    await expect(startFromDecision(decision)).resolves.toMatchObject({ status: "started" });
    expect(wm.runs()).toHaveLength(1);
  });
  it("a non-uuid answer from Windmill (flow not deployed) is an error, not a fake job id", async () => {
    const decision = await preprocessWebhook(ghEvent("issues", labeled()), { getSecret: async () => GH_SECRET });
    await expect(startFromDecision(decision, { runFlow: async () => "Not found: flow f/devgodzilla/spec_to_pr" })).rejects.toThrow(/did not start/);
  });
});

describe("replays keyed on the event itself, not on the delivery header", () => {
  const HOUR = 3_600_000;
  it("a captured, correctly signed GitHub body re-sent under a new delivery id starts nothing and names the first run", async () => {
    const body = { ...labeled(), issue: { ...issue, id: 9001, updated_at: new Date().toISOString() }, label: { id: 77, name: "devgodzilla" } };
    const raw = JSON.stringify(body);
    const first = await main((await preprocessor(ghEvent("issues", body, { raw }))).decision);
    expect(first.status).toBe("started");
    // The attacker keeps the body and its signature (GitHub signs only the body) and invents a delivery id.
    const replay = await main((await preprocessor(ghEvent("issues", body, { raw, delivery: randomUUID() }))).decision);
    expect(replay).toMatchObject({ status: "duplicate", reason: expect.stringMatching(/already handled by run/) });
    if (first.status === "started" && replay.status === "duplicate") expect(replay.job_id).toBe(first.job_id);
    expect(wm.runs()).toHaveLength(1);
  });

  it("a GitLab note re-sent with a new event UUID and the body re-serialised is the same event (its note id)", async () => {
    const note = {
      object_kind: "note",
      project: glProject,
      user: { username: "grace" },
      object_attributes: { id: 5151, note: "/devgodzilla add TSV", noteable_type: "Issue", created_at: new Date().toISOString() },
      issue: { iid: 9, title: "Export", description: "", state: "opened", url: "u" },
    };
    const first = await main((await preprocessor(glEvent("Note Hook", note))).decision);
    expect(first.status).toBe("started");
    const resent = glEvent("Note Hook", note, GL_SECRET, randomUUID());
    resent.raw_string = JSON.stringify(note, null, 2); // another digest, the same event
    expect(await main((await preprocessor(resent)).decision)).toMatchObject({ status: "duplicate", reason: expect.stringMatching(/this event/) });
    // A new note on the same issue is a new event.
    const next = { ...note, object_attributes: { ...note.object_attributes, id: 5152 } };
    expect((await main((await preprocessor(glEvent("Note Hook", next))).decision)).status).not.toBe("duplicate");
  });

  it("an event older than the replay window is not acted on, whatever its delivery id", async () => {
    const old = comment("/devgodzilla go", { created_at: new Date(Date.now() - (REPLAY_WINDOW_HOURS + 1) * HOUR).toISOString() });
    const d = (await preprocessor(ghEvent("issue_comment", old))).decision;
    expect(d).toMatchObject({ action: "ignore", reason: expect.stringMatching(/more than 72 h ago: a replay/) });
    expect((await main(d)).status).toBe("ignored");
    expect(wm.runs()).toHaveLength(0);
  });
});

describe("main input", () => {
  it("a malformed decision is one InputError naming the field, and nothing starts", async () => {
    const before = wm.runs().length;
    await expect(
      main({ action: "start", reason: "x", provider: "github", event: "issues", delivery_id: "d", inputs: { repo: "" } } as any),
    ).rejects.toMatchObject({ name: "InputError" });
    expect(wm.runs().length).toBe(before);
  });
});
