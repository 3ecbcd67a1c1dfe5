import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { greetRepo } from "./helpers.ts";
import { joinReviewIntoVerdict, parseReviewOutput, reviewDiff, reviewMarkdown } from "../../f/devgodzilla/lib/qa/review.ts";
import { computeVerdict } from "../../f/devgodzilla/lib/qa/verdict.ts";
import type { Verdict } from "../../f/devgodzilla/lib/qa/types.ts";

const FIX = path.join(import.meta.dirname, "../fixtures/agentops");
const KEY = "review-key-5d1e0a9b77";
let dir: string;
let repo: string;
let base: string;
let bin: string;

let git: (...args: string[]) => string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "dg-review-"));
  repo = path.join(dir, "repo");
  // Outside the system temp dir: the sandbox hides /tmp (other jobs' files) from the agent.
  bin = path.join(FIX, "bin");
  ({ base, git } = greetRepo(repo));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const passing: Verdict = computeVerdict(
  {
    gates: [],
    checklist: [],
    checks: [{ kind: "test", command: ["npm", "test"], status: "passed", exitCode: 0, durationMs: 10, findings: [], outputTail: "", sandboxed: true }],
  },
  {
    gates: {},
    weights: { gates: 1, checklist: 1, checks: 1 },
    threshold: 0.7,
  } as never,
);

describe("engine-based review", () => {
  it("the fake reviewer really writes when nothing stops it (so the sandbox test below can fail)", () => {
    const scratch = mkdtempSync(path.join(dir, "scratch-"));
    const out = execFileSync(path.join(bin, "claude"), ["-p", "FINDINGS_JSON please"], { cwd: scratch, encoding: "utf8" });
    expect(out).toContain("WRITE_SUCCEEDED");
    expect(existsSync(path.join(scratch, "review-was-here.txt"))).toBe(true);
  });

  it("runs the configured CLI agent in a read-only sandbox: its write fails, its findings come back in the QA format", async () => {
    const r = await reviewDiff({
      worktree: repo,
      base,
      specPath: "specs/001-greet/spec.md",
      planPath: "specs/001-greet/plan.md",
      taskId: "T003",
      taskDescription: "Implement greet in src/greet.js",
      reviewer: { agent: "claude-code", model: "sonnet" },
      config: { bin_dir: bin, agents: { "claude-code": { api_key: KEY } } },
      weight: 0.3,
    });
    expect(r.error, r.error ?? "").toBeNull();
    expect(r.sandboxed).toBe(true);
    expect(existsSync(path.join(repo, "review-was-here.txt"))).toBe(false);
    expect(r.message).toMatch(/WRITE_FAILED (EROFS|EACCES|EPERM)/);
    expect(git("status", "--porcelain")).toBe("");
    expect(r.findings).toEqual([
      {
        code: "REVIEW001",
        source: "check",
        severity: "blocking",
        message: "Claude Code review: greet() ignores the name argument required by FR-002",
        file: "src/greet.js",
        line: 2,
        fix: "use the name parameter",
      },
      { code: "REVIEW002", source: "check", severity: "warning", message: "Claude Code review: no test covers the empty-name edge case", file: "src/greet.js" },
    ]);
    expect(r).toMatchObject({ reviewer: "claude-code", model: "sonnet", score: 0, weight: 0.3, tokens: { input: 200, output: 50 }, costUsd: 0.004 });
    expect(JSON.stringify(r)).not.toContain(KEY);

    // Joined into the QA verdict with its own weight: the blocking finding fails a passing verdict.
    expect(passing.status).toBe("passed");
    const joined = joinReviewIntoVerdict(passing, r);
    expect(joined).toMatchObject({ status: "failed", score: 0.7, warnings: 1 });
    expect(joined.blocking.map((f) => f.code)).toEqual(["REVIEW001"]);
    expect(joined.recommendation).toMatch(/^Do not merge: 1 blocking issue\. First: REVIEW001 at src\/greet\.js:2/);
    expect(reviewMarkdown(r)).toContain("read-only sandbox");
  });

  it("a clean review raises nothing; a weighted warning-only review lowers the score", () => {
    const clean = {
      reviewer: "codex" as const,
      model: null,
      findings: [],
      score: 1,
      weight: 0.2,
      summary: "",
      message: "",
      sandboxed: true,
      durationMs: 1,
      tokens: null,
      costUsd: null,
      error: null,
    };
    expect(joinReviewIntoVerdict(passing, clean)).toMatchObject({ status: "passed", score: 1 });
    expect(joinReviewIntoVerdict(passing, { ...clean, score: 0.5, weight: 1 })).toMatchObject({ status: "failed", score: 0.5 });
    const failed = { ...clean, score: null, error: "no JSON" };
    expect(joinReviewIntoVerdict(passing, failed)).toMatchObject({ status: "passed", score: 1, review: { error: "no JSON" } });
  });

  it("parses findings fenced or bare after the marker, and refuses garbage", () => {
    expect(parseReviewOutput('FINDINGS_JSON\n{"findings": [{"severity": "info", "message": "ok"}]}').findings).toHaveLength(1);
    expect(parseReviewOutput('x FINDINGS_JSON ```json\n{"findings": []}\n```').findings).toEqual([]);
    expect(() => parseReviewOutput("LGTM!")).toThrow(/no valid findings JSON/);
  });

  it("a reviewer that is not a CLI agent is an InputError", async () => {
    await expect(reviewDiff({ worktree: repo, base, specPath: "s", reviewer: { agent: "jules" } })).rejects.toMatchObject({ field: "reviewer.agent" });
  });
});
