// test:windmill's verdicts: two honest runs of the same item differ only in ids, times, shas, temp
// paths and loopback ports; anything else is a difference, and a server without V8 is never a pass.
import { describe, expect, it } from "vitest";
import { compareOutcomes, normalize, renderTable, summarize, type Row } from "./compare.ts";
import { sampleArgs } from "./samples.ts";

const ok = (result: unknown) => ({ status: "success" as const, result });

describe("comparing a local result with Windmill's", () => {
  it("treats ids, shas, times, durations, temp paths and loopback ports as equal", () => {
    const a = {
      job: "0b4e6a0e-8f0c-4c8e-9a57-3d3c2b1a0f11",
      commit: "a".repeat(40),
      at: "2026-12-02T20:35:06.215Z",
      duration_ms: 812,
      dir: "/tmp/devgodzilla-wc-abc/x",
      pr: "http://127.0.0.1:41234/acme/x/pull/1",
      summary: "done in 3.2 s",
    };
    const b = {
      job: "7f1d9c2e-1111-4222-8333-944455556666",
      commit: "b".repeat(40),
      at: "2026-12-02T21:00:00Z",
      duration_ms: 90,
      dir: "/tmp/devgodzilla-wc-xyz/x",
      pr: "http://127.0.0.1:5555/acme/x/pull/1",
      summary: "done in 14 s",
    };
    expect(compareOutcomes(ok(a), ok(b)).verdict).toBe("same");
    // A short sha shown as code can be all digits.
    expect(compareOutcomes(ok("branch at `901814731737`"), ok("branch at `3fa9c0d2b1e4`")).verdict).toBe("same");
    expect(compareOutcomes(ok("reported | at 753201196225; no job"), ok("reported | at 3fa9c0d2b1e4; no job")).verdict).toBe("same");
    expect(compareOutcomes(ok("63892 tokens"), ok("63893 tokens")).verdict).toBe("different");
  });

  it("a run link's short job id is an id, also when its eight characters happen to be all digits", () => {
    const md = (id: string) => `## Run [${id.slice(0, 8)}](http://127.0.0.1:8000/run/${id}?workspace=w)`;
    expect(normalize(md("83724173-0d1e-4b6f-9a41-5f0e2c7d9b10"))).toBe(normalize(md("0f1e2d3c-0d1e-4b6f-9a41-5f0e2c7d9b10")));
    expect(normalize(md("83724173-0d1e-4b6f-9a41-5f0e2c7d9b10"))).toBe("## Run [<id>](http://<loopback>/run/<id>?workspace=w)");
  });

  it("reports the first real difference with its path", () => {
    const r = compareOutcomes(ok({ tasks: [{ id: "T001", agent: "llm" }] }), ok({ tasks: [{ id: "T001", agent: "codex" }] }));
    expect(r.verdict).toBe("different");
    expect(r.diff).toBe('result.tasks[0].agent: local "llm" ≠ windmill "codex"');
  });

  it("a failure on one side only is a difference; the same error name on both sides is not", () => {
    expect(compareOutcomes(ok(1), { status: "failure", error: { name: "QaFailed" } }).verdict).toBe("different");
    expect(
      compareOutcomes({ status: "failure", error: { name: "InputError", message: "a" } }, { status: "failure", error: { name: "InputError", message: "b" } })
        .verdict,
    ).toBe("same");
  });

  it("an item the server could not evaluate for lack of V8 is marked as such, not passed, and does not fail the run", () => {
    const rows: Row[] = [
      {
        item: "flow f/x/a",
        local: ok(1),
        windmill: { status: "needs-v8", error: { message: "Deno core is not enabled" } },
        ...compareOutcomes(ok(1), { status: "needs-v8", error: {} }),
      },
      { item: "script f/x/b", local: ok(2), windmill: ok(2), ...compareOutcomes(ok(2), ok(2)) },
    ];
    expect(rows[0]!.verdict).toBe("needs V8");
    expect(summarize(rows)).toMatchObject({ items: 2, same: 1, needs_v8: 1, different: 0, ok: true });
    expect(renderTable(rows)).toMatch(/flow f\/x\/a\s+ok \(1 B\)\s+needs V8\s+needs V8/);
  });

  it("a server built without a feature the item needs (http_trigger) is marked as such, neither passed nor failed", () => {
    const rows: Row[] = [
      {
        item: "deploy: HTTP routes",
        local: ok("n/a"),
        windmill: { status: "needs-feature", feature: "http_trigger" },
        ...compareOutcomes(ok("n/a"), { status: "needs-feature", feature: "http_trigger" }),
      },
    ];
    expect(rows[0]!.verdict).toBe("needs feature");
    expect(summarize(rows)).toMatchObject({ items: 1, same: 0, needs_feature: 1, not_run: 0, ok: true });
    expect(renderTable(rows)).toContain("needs http_trigger (not in this server's build)");
  });

  it("normalises nested values deterministically (key order does not matter)", () => {
    expect(normalize({ b: 1, a: { d: "x", c: "y" } })).toEqual(normalize({ a: { c: "y", d: "x" }, b: 1 }));
  });
});

describe("sample arguments from an item's input schema", () => {
  const feature = {
    baseBranch: "main",
    baseCommit: "c0",
    branch: "devgodzilla/001-x",
    commit: "c1",
    feature: "001-x",
    featureDescription: "d",
    tasksMd: "- [ ] T001 x",
    dag: { tasks: [{ id: "T001" }] },
    repository: "demo/textkit",
    sandboxPolicy: "refuse" as const,
  };
  const side = { repo: "/tmp/r.git", githubApiBase: "http://127.0.0.1:1/api/v3", resources: { c_devgodzilla_llm: "u/admin/llm", github: "u/admin/gh" } };

  it("fills known names and resource-typed inputs, keeps defaults for the rest", () => {
    const schema = {
      properties: {
        repo: { type: "string" },
        task: { type: "object" },
        llm: { type: "object", format: "resource-c_devgodzilla_llm" },
        openai: { type: "object", format: "resource-openai" },
        note: { type: "string" },
      },
      required: ["repo", "task"],
    };
    expect(sampleArgs(schema, feature, side)).toEqual({ args: { repo: "/tmp/r.git", task: { id: "T001" }, llm: "$res:u/admin/llm" } });
  });

  it("names a required input nobody knows", () => {
    expect(sampleArgs({ properties: { frobnicate: { type: "string" } }, required: ["frobnicate"] }, feature, side)).toEqual({ missing: ["frobnicate"] });
  });
});
