// The Windmill gateway against the one Windmill fake (the same route table the local runner serves),
// through the real windmill-client: paged listing, the live-run lookup, flow state, typed errors.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setClient } from "windmill-client";
import { startWindmillApi, type FakeWindmillApi } from "../../scripts/fakes/windmill-api.ts";
import { cancelJob, findResource, getJob, flowState, listJobs, startUnlessLive, WindmillError } from "../../f/devgodzilla/lib/platform/windmill.ts";

let wm: FakeWindmillApi;
beforeAll(async () => {
  wm = await startWindmillApi({ token: "wm-gateway", workspace: "gw" });
  process.env.WM_WORKSPACE = "gw";
  setClient("wm-gateway", wm.baseUrl);
});
afterAll(async () => wm.close());

const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString();

describe("the Windmill gateway", () => {
  it("lists every matching job, following Windmill's created_before pages past the first 100", async () => {
    for (let i = 0; i < 250; i++) wm.addJob({ script_path: "f/devgodzilla/paged", success: true, created_at: iso(1000 * i), args: { n: i } });
    wm.addJob({ script_path: "f/devgodzilla/paged", running: true, created_at: iso(10) });
    const all = await listJobs({ scriptPathExact: "f/devgodzilla/paged" });
    expect(all).toHaveLength(251);
    expect(new Set(all.map((j) => j.id)).size).toBe(251);
    const pages = wm.requests.filter((r) => r.path === "/api/w/gw/jobs/list" && r.query.script_path_exact === "f/devgodzilla/paged");
    expect(pages.length).toBeGreaterThanOrEqual(3);
    expect(pages.slice(1).every((r) => r.query.created_before)).toBe(true);
    // args filters are JSON containment, as Postgres' @> on the server
    const seven = await listJobs({ scriptPathExact: "f/devgodzilla/paged", args: { n: 7 } });
    expect(seven).toHaveLength(1);
    // as on Windmill, the list carries neither args nor results: the job itself has them
    expect(seven[0]!.args ?? null).toBeNull();
    expect((await getJob(seven[0]!.id)).args).toEqual({ n: 7 });
  });

  it("starts a flow for an issue unless a run for it is live, and names the live one", async () => {
    const live = wm.addJob({ script_path: "f/devgodzilla/spec_to_pr", job_kind: "flow", running: true, args: { repo: "r", issue_number: 7, extra: 1 } });
    const again = await startUnlessLive("f/devgodzilla/spec_to_pr", { repo: "r", issue_number: 7 }, { repo: "r", issue_number: 7 });
    expect(again).toEqual({ started: false, job_id: live.id });
    wm.completeJob(live.id, {}, true);
    const fresh = await startUnlessLive("f/devgodzilla/spec_to_pr", { repo: "r", issue_number: 7 }, { repo: "r", issue_number: 7 });
    expect(fresh.started).toBe(true);
    expect(wm.runs().map((j) => j.id)).toContain(fresh.job_id);
  });

  it("a missing resource is undefined for findResource; a failed call is a WindmillError naming the operation; cancel of a finished job is false", async () => {
    expect(await findResource("f/devgodzilla/none")).toBeUndefined();
    const err = await flowState("00000000-0000-0000-0000-000000000000")
      .set("k", 1)
      .catch((e) => e);
    expect(err).toBeInstanceOf(WindmillError);
    expect(err.message).toMatch(/^Windmill write flow state k: /);
    const done = wm.addJob({ script_path: "f/x", success: true });
    expect(await cancelJob(done.id, "why")).toBe(false);
  });
});
