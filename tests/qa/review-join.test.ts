// QA with an engine-based reviewer configured in c_devgodzilla_agents: the reviewer (a fake claude
// executable that tries to write and prints findings) runs read-only, and its findings join the
// verdict and the report.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { greetRepo } from "./helpers.ts";
import { runQaInDir } from "../../f/devgodzilla/lib/qa/run.ts";
import { parseQaConfig } from "../../f/devgodzilla/lib/qa/config.ts";
import { featurePaths } from "../../f/devgodzilla/lib/speckit/paths.ts";

const bin = path.join(import.meta.dirname, "../fixtures/agentops/bin"); // outside /tmp: the sandbox hides the temp dir
let dir: string;
let base: string;
let head: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "dg-qa-review-"));
  ({ base, head } = greetRepo(dir));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const qa = (agents?: unknown) =>
  runQaInDir({
    dir,
    base,
    head,
    branch: "devgodzilla/001-greet",
    feature: featurePaths("001-greet"),
    commands: null,
    config: parseQaConfig({}),
    judge: null,
    agents,
    taskId: "T003",
  });

describe("QA with an engine-based reviewer", () => {
  it("joins the reviewer's findings into the verdict and the report, and the reviewer could not write", async () => {
    const agents = {
      bin_dir: bin,
      enabled: ["claude-code", "llm"],
      agents: { "claude-code": { api_key: "review-key-0123456789" } },
      review: { agent: "claude-code", weight: 0.3 },
    };
    const without = await qa();
    const withReview = await qa(agents);
    expect(existsSync(path.join(dir, "review-was-here.txt"))).toBe(false);
    const review = (withReview.verdict as { review?: { findings: { code: string }[]; weight: number } }).review;
    expect(review?.weight).toBe(0.3);
    expect(review?.findings.length).toBeGreaterThan(0);
    expect(withReview.markdown).toMatch(/review/i);
    expect(withReview.markdown).not.toContain("review-key-0123456789");
    expect(withReview.verdict.score).not.toBe(without.verdict.score);
  });

  it("without a reviewer in the agents resource, QA is unchanged", async () => {
    const a = await qa();
    const b = await qa({ enabled: ["llm"] });
    expect(b.verdict.score).toBe(a.verdict.score);
    expect((b.verdict as { review?: unknown }).review).toBeUndefined();
  });
});
