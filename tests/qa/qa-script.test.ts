import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { startLlmServer, promptText, type LlmServer } from "../../scripts/fakes/llm-server.ts";
import { main as qaMain } from "../../f/devgodzilla/qa.ts";
import { standalone } from "../helpers/standalone.ts";
import { NODE_TEST_PROFILE, tempRepo, type TempRepo } from "./helpers.ts";

/** qa run on its own (bad_input "fail"): its result is QA's, never a handed-on error. */
const qa = standalone(qaMain);

let repo: TempRepo;
let remote: string;
let cache: string;
let server: LlmServer;
let base: string;
const feature = "001-cart-total";
const branch = `devgodzilla/${feature}`;

async function push(ref: string) {
  await repo.git("push", "-q", "-f", remote, `HEAD:refs/heads/${ref}`);
}

beforeAll(async () => {
  cache = await mkdtemp(join(tmpdir(), "dg-qa-cache-"));
  process.env.DEVGODZILLA_CACHE_DIR = cache;
  remote = await mkdtemp(join(tmpdir(), "dg-qa-remote-"));
  await execa("git", ["init", "-q", "--bare", remote]);
  repo = await tempRepo();
  base = await repo.commit("base", {
    "package.json": '{"name":"shop","type":"module"}\n',
    [`specs/${feature}/spec.md`]:
      "# Feature Specification: Cart total\n## User Scenarios & Testing *(mandatory)*\n### User Story 1 - Cart total (Priority: P1)\n1. **Given** a cart with prices, **When** the total is computed, **Then** it is the sum of the prices\n## Requirements *(mandatory)*\n",
    [`specs/${feature}/checklists/requirements.md`]: "# Checklist\n- [ ] CHK001 The cart total sums every item price\n",
  });
  await push("main");
  server = await startLlmServer((ex) => {
    const p = promptText(ex);
    const hasCode = p.includes("--- src/cart.js");
    return {
      text: JSON.stringify({ status: hasCode ? "PASSED" : "UNCLEAR", explanation: hasCode ? "cartTotal reduces prices with +" : "no code", evidence: [] }),
    };
  });
});
afterAll(async () => {
  await server?.close();
  await repo?.cleanup();
  await rm(remote, { recursive: true, force: true });
  await rm(cache, { recursive: true, force: true });
});

const openai = () => ({ api_key: "sk-test-qa-script-000000000000", base_url: server.openaiBaseUrl });

describe("qa script on a real branch", () => {
  it("passes a test-first change, renders the report and commits it to _runtime on the branch", async () => {
    await repo.git("checkout", "-q", "-B", "work", base);
    await repo.commit("test: cart total", {
      "test/cart.test.js":
        'import { test } from "node:test";\nimport assert from "node:assert/strict";\nimport { cartTotal } from "../src/cart.js";\ntest("sums", () => assert.equal(cartTotal([1, 2]), 3));\n',
    });
    const head = await repo.commit("feat: cart total", { "src/cart.js": "export const cartTotal = (prices) => prices.reduce((a, b) => a + b, 0);\n" });
    await push(branch);
    const r = await qa(
      remote,
      branch,
      head,
      base,
      "",
      { agent_output: "Implemented cartTotal in src/cart.js and its test." },
      NODE_TEST_PROFILE,
      "",
      "",
      undefined,
      openai() as never,
    ); // the one LLM parameter takes an openai-shaped resource too
    expect(r.verdict.status).toBe("passed");
    expect(r.passed).toBe(true);
    expect(r.wm_renderer).toBe("markdown");
    expect(r.verdict.checks.find((c) => c.kind === "test")).toMatchObject({ status: "passed", counts: { passed: 1, failed: 0 } });
    expect(r.verdict.checklist.map((c) => [c.id, c.status])).toEqual([
      ["CHK001", "PASSED"],
      ["US1-AS1", "PASSED"],
    ]);
    expect(r.markdown).toMatch(/# QA report: 001-cart-total/);
    expect(r.markdown).toMatch(/\*\*Verdict: ✅ PASSED\*\*/);
    expect(r.markdown).toMatch(/_Evidence: BM25 over \d+ chunks .*at most 8000 tokens per item\._/);
    expect(r.analyzed_commit).toBe(head);
    expect(r.commit).not.toBe(head);
    // The report is on the remote branch, as the next step will see it.
    const remoteHead = (await execa("git", ["-C", remote, "rev-parse", `refs/heads/${branch}`])).stdout;
    expect(remoteHead).toBe(r.commit);
    const onBranch = (await execa("git", ["-C", remote, "show", `${r.commit}:specs/${feature}/_runtime/qa-report.md`])).stdout;
    expect(onBranch.trim()).toBe(r.markdown.trim());
    expect(JSON.stringify(r)).not.toContain("sk-test-qa-script");
  });

  it("fails a change whose tests fail and whose tests came after the code, and says why", async () => {
    await repo.git("checkout", "-q", "-B", "work2", base);
    await repo.commit("feat: cart total", { "src/cart.js": "export const cartTotal = (prices) => prices.reduce((a, b) => a + b, 1);\n" });
    const head = await repo.commit("test: afterwards", {
      "test/cart.test.js":
        'import { test } from "node:test";\nimport assert from "node:assert/strict";\nimport { cartTotal } from "../src/cart.js";\ntest("sums", () => assert.equal(cartTotal([1, 2]), 3));\n',
    });
    await push(branch);
    const r = await qa(remote, branch, head, base, feature, {}, NODE_TEST_PROFILE, "", "T007", undefined, openai() as never);
    expect(r.verdict.status).toBe("failed");
    const codes = r.verdict.blocking.map((f) => f.code);
    expect(codes).toContain("NODE_TEST_FAIL");
    // The order of the branch's commits only warns; the failing test blocks.
    expect(r.verdict.gates.find((g) => g.id === "test-first")!.findings.map((f) => `${f.code} ${f.severity}`)).toContain("TEST002 warning");
    expect(r.verdict.recommendation).toMatch(/^Do not merge/);
    expect(r.markdown).toMatch(/❌ FAILED/);
    expect(r.markdown).toMatch(/⚠️ \*\*TEST002\*\* \(principle III, IX\)/);
    // A task's report lives under its own _runtime/<task>/ directory.
    expect(r.report_path).toBe(`specs/${feature}/_runtime/T007/qa-report.md`);
    expect((await execa("git", ["-C", remote, "show", `${r.commit}:${r.report_path}`])).stdout).toMatch(/❌ FAILED/);
  });

  it("a retried qa step (same input commit) replaces its own report commit on a task branch", async () => {
    await repo.git("checkout", "-q", "-B", "work3", base);
    await repo.commit("test", { "test/cart.test.js": 'import { test } from "node:test";\ntest("ok", () => {});\n' });
    const head = await repo.commit("feat", { "src/cart.js": "export const cartTotal = (p) => p.reduce((a, b) => a + b, 0);\n" });
    const taskBranch = `devgodzilla/${feature}-tasks/T009`;
    await push(taskBranch);
    const first = await qa(remote, taskBranch, head, base, feature, {}, NODE_TEST_PROFILE, "", "T009");
    await new Promise((r) => setTimeout(r, 1100)); // a different commit timestamp: a sibling, not the same commit
    const second = await qa(remote, taskBranch, head, base, feature, {}, NODE_TEST_PROFILE, "", "T009");
    expect(second.commit).not.toBe(first.commit);
    expect((await execa("git", ["-C", remote, "rev-parse", `refs/heads/${taskBranch}`])).stdout).toBe(second.commit);
  });

  it("rejects bad input naming the field, before touching the branch", async () => {
    const before = (await execa("git", ["-C", remote, "rev-parse", `refs/heads/${branch}`])).stdout;
    await expect(qa(remote, branch, "not-a-sha", base, feature)).rejects.toThrow(/commit: must be a commit sha/);
    await expect(qa(remote, branch, base, base, "", {}, { languages: 3 })).rejects.toThrow(/profile/);
    await expect(qa(remote, "main", base, base, "")).rejects.toThrow(/^feature/);
    await expect(qa(remote, branch, base, base, feature, {}, {}, "", "", { threshold: 7 } as never)).rejects.toThrow(/threshold/);
    await expect(qa(remote, branch, base, base, feature, {}, {}, "", "../x")).rejects.toThrow(/^task_id/);
    expect((await execa("git", ["-C", remote, "rev-parse", `refs/heads/${branch}`])).stdout).toBe(before);
  });
});
