// A bundle root for running task_with_qa on the local runner with a scripted stand-in for
// execute_task: every real file of f/devgodzilla is symlinked in; only execute_task.ts is the
// double. It behaves like the real step at its boundary — checks out the exact commit from the
// remote, commits the "agent's" files on the task branch and pushes it, or returns the
// BlockDetector's signal for the "agent's" final message — and records what it was given.
import { mkdtemp, mkdir, readdir, rm, symlink, writeFile, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { execa } from "execa";
import { startLlmServer, promptText, type LlmExchange, type LlmReply, type LlmServer } from "../../scripts/fakes/llm-server.ts";
import { NODE_TEST_PROFILE, tempRepo, type TempRepo } from "./helpers.ts";

const REAL = resolve("f/devgodzilla");

export interface Attempt {
  /** The agent's final message (a BLOCKED(...) line makes it a block signal). */
  agent_message?: string;
  /** Commits the agent makes, in order. */
  commits?: { message: string; files: Record<string, string> }[];
  /** Tokens the agent run reports (execute_task's usage; none when absent). */
  tokens?: number;
  /** After the agent's run, the step fails with this message (as execute_task does when its commit or push fails), its usage in the error. */
  fails_after_agent?: string;
}

export interface Harness {
  root: string;
  remote: string;
  repo: TempRepo;
  base: string;
  server: LlmServer;
  stateDir: string;
  feature: string;
  runBranch: string;
  store: { resources: Record<string, { resource_type: string; value: unknown }>; variables: Record<string, string> };
  scenario(attempts: Attempt[]): Promise<string>;
  calls(file: string): Promise<{ commit: string; note: string; budget: { task_tokens?: number; task_cost_usd?: number } }[]>;
  args(stateFile: string, extra?: Record<string, unknown>): Record<string, unknown>;
  close(): Promise<void>;
}

const FAKE_EXECUTE = (real: string) => `// Test double of execute_task (see tests/qa/flow-helpers.ts).
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { execa } from "execa";
import { checkout, pushBranch } from "${real}/lib/git.ts";
import { detectBlock } from "${real}/lib/agents/block.ts";
import { taskBranchName } from "${real}/lib/workspace/task.ts";
import { withUsage } from "${real}/lib/llm/usage.ts";

export async function main(repo: string, commit: string, feature: string, task: { [key: string]: unknown }, branch = "", note = "", dependencies: { [key: string]: unknown }[] = [], profile: { [key: string]: unknown } = {}, agent = "", sandbox_policy = "refuse", budget: { [key: string]: unknown } = {}, agents: { [key: string]: unknown } = {}, llm: { [key: string]: unknown } = {},  github: { [key: string]: unknown } = {}) {
  const file = String(task.fake_state);
  const state = JSON.parse(readFileSync(file, "utf8"));
  const plan = state.attempts[Math.min(state.calls.length, state.attempts.length - 1)];
  state.calls.push({ commit, note, budget });
  const usage = plan.tokens === undefined ? undefined : { input_tokens: plan.tokens, output_tokens: 0, tokens: plan.tokens, cost_usd: null };
  writeFileSync(file, JSON.stringify(state));
  if (plan.fails_after_agent) throw withUsage(new Error(plan.fails_after_agent), usage);
  if (plan.agent_message) {
    const block = detectBlock(plan.agent_message);
    if (block) return { task_id: String(task.id), branch, commit, base_commit: commit, changed: false, blocked: true, block, agent: { finalMessage: plan.agent_message }, summary: plan.agent_message, artifacts: { logs: {} }, usage };
  }
  const taskBranch = taskBranchName(feature, String(task.id));
  const wc = await checkout({ repo, commit, branch: taskBranch });
  try {
    for (const c of plan.commits ?? []) {
      for (const [p, content] of Object.entries(c.files)) {
        mkdirSync(dirname(join(wc.dir, p)), { recursive: true });
        writeFileSync(join(wc.dir, p), String(content));
      }
      await execa("git", ["-C", wc.dir, "add", "-A"]);
      await execa("git", ["-C", wc.dir, "commit", "-q", "-m", c.message]);
    }
    const head = (await execa("git", ["-C", wc.dir, "rev-parse", "HEAD"])).stdout;
    await pushBranch(wc.dir, taskBranch, "origin", { force: true });
    return { task_id: String(task.id), branch: taskBranch, commit: head, base_commit: commit, changed: true, blocked: false, block: null, agent: { finalMessage: plan.agent_message ?? "done" }, summary: plan.agent_message ?? "done", artifacts: { logs: { agent: plan.agent_message ?? "done" } }, usage };
  } finally {
    await wc.cleanup();
  }
}
`;

export const GOOD: Attempt = {
  agent_message: "Implemented cartTotal with its test.",
  commits: [
    {
      message: "test: cart total",
      files: {
        "test/cart.test.js":
          'import { test } from "node:test";\nimport assert from "node:assert/strict";\nimport { cartTotal } from "../src/cart.js";\ntest("sums prices", () => assert.equal(cartTotal([1, 2]), 3));\n',
      },
    },
    { message: "feat: cart total", files: { "src/cart.js": "export const cartTotal = (prices) => prices.reduce((a, b) => a + b, 0);\n" } },
  ],
};
export const BAD: Attempt = {
  agent_message: "Implemented cartTotal.",
  commits: [
    {
      message: "test: cart total",
      files: {
        "test/cart.test.js":
          'import { test } from "node:test";\nimport assert from "node:assert/strict";\nimport { cartTotal } from "../src/cart.js";\ntest("sums prices", () => assert.equal(cartTotal([1, 2]), 3));\n',
      },
    },
    { message: "feat: cart total", files: { "src/cart.js": "export const cartTotal = (prices) => prices.reduce((a, b) => a + b, 1);\n" } },
  ],
};

export const TASKS_DRAFT = {
  setup: [],
  foundational: [{ key: "f1", description: "Create the price helpers in src/prices.js", file: "src/prices.js", parallel: false, dependsOn: [] }],
  stories: [
    {
      storyIndex: 1,
      goal: "Customers see the cart total",
      independentTest: "node --test passes",
      tests: [{ key: "us1-t", description: "Write the cart total test in test/cart.test.js", file: "test/cart.test.js", parallel: false, dependsOn: [] }],
      implementation: [{ key: "us1-i", description: "Implement cartTotal in src/cart.js", file: "src/cart.js", parallel: false, dependsOn: ["f1", "us1-t"] }],
      checkpoint: "",
    },
  ],
  polish: [],
};

/** What the harness's model reports per answer, by kind: a test adds up what a run must have cost. */
export const MODEL_USAGE = {
  judge: { inputTokens: 1000, outputTokens: 100 },
  tasks: { inputTokens: 3000, outputTokens: 400 },
} as const;
export const isJudgeCall = (ex: LlmExchange) => /Checklist item/.test(promptText(ex));

/** `model` answers first (undefined: the harness's own answers — the checklist judge and the task list). */
export async function harness(opts: { model?: (ex: LlmExchange) => LlmReply | undefined } = {}): Promise<Harness> {
  const root = await mkdtemp(join(tmpdir(), "dg-qa-root-"));
  await mkdir(join(root, "f/devgodzilla"), { recursive: true });
  for (const e of await readdir(REAL)) {
    if (e === "execute_task.ts" || e === "execute_task.script.yaml") continue;
    await symlink(join(REAL, e), join(root, "f/devgodzilla", e));
  }
  await writeFile(join(root, "f/devgodzilla/execute_task.ts"), FAKE_EXECUTE(REAL));
  // ESM like the repository (tsx loads a .ts file outside any "type": "module" package as CommonJS).
  await writeFile(join(root, "package.json"), '{"type":"module","private":true}\n');
  await symlink(resolve("node_modules"), join(root, "node_modules"));
  const stateDir = await mkdtemp(join(tmpdir(), "dg-qa-state-"));
  process.env.DEVGODZILLA_CACHE_DIR = join(stateDir, "cache");
  // Expressions are evaluated as a Windmill without V8 does: the flow must need none.
  process.env.DEVGODZILLA_NO_V8 = "1";
  const remote = await mkdtemp(join(tmpdir(), "dg-qa-remote-"));
  await execa("git", ["init", "-q", "--bare", remote]);
  const feature = "001-cart-total";
  const runBranch = `devgodzilla/${feature}`;
  const repo = await tempRepo();
  const base = await repo.commit("spec", {
    "package.json": '{"name":"shop","type":"module"}\n',
    [`specs/${feature}/spec.md`]:
      "# Feature Specification: Cart total\n\n## User Scenarios & Testing *(mandatory)*\n\n### User Story 1 - Cart total (Priority: P1)\n\nCustomers see the total of their cart.\n\n**Why this priority**: core.\n\n**Independent Test**: node --test\n\n**Acceptance Scenarios**:\n\n1. **Given** a cart with prices, **When** the total is computed, **Then** it is the sum of the prices\n\n## Requirements *(mandatory)*\n\n### Functional Requirements\n\n- **FR-001**: System MUST compute the cart total as the sum of prices.\n\n## Success Criteria *(mandatory)*\n\n- **SC-001**: Totals are exact.\n",
    [`specs/${feature}/plan.md`]:
      "# Implementation Plan: Cart total\n\n## Summary\n\nA cartTotal function in src/cart.js with a node --test test.\n\n## Technical Context\n\n**Language/Version**: JavaScript (Node 20)\n**Testing**: node --test\n",
    [`specs/${feature}/checklists/requirements.md`]: "# Checklist\n- [ ] CHK001 The cart total sums every item price\n",
  });
  await repo.git("push", "-q", remote, `HEAD:refs/heads/main`);
  await repo.git("push", "-q", remote, `HEAD:refs/heads/${runBranch}`);
  const server = await startLlmServer((ex) => {
    const own = opts.model?.(ex);
    if (own) return own;
    const p = promptText(ex);
    if (isJudgeCall(ex)) {
      const ok = p.includes("--- src/cart.js");
      return {
        text: JSON.stringify({ status: ok ? "PASSED" : "UNCLEAR", explanation: ok ? "cartTotal sums the prices" : "no code", evidence: [] }),
        usage: MODEL_USAGE.judge,
      };
    }
    if (/break the plan into an executable task list/.test(p)) return { text: JSON.stringify(TASKS_DRAFT), usage: MODEL_USAGE.tasks };
    return { status: 500, error: `unexpected prompt: ${p.slice(0, 80)}` };
  });
  const store = {
    resources: { "f/test/openai": { resource_type: "openai", value: { api_key: "sk-test-flow-00000000000000", base_url: server.openaiBaseUrl } } },
    variables: {},
  };
  let n = 0;
  return {
    root,
    remote,
    repo,
    base,
    server,
    stateDir,
    feature,
    runBranch,
    store,
    async scenario(attempts) {
      const f = join(stateDir, `scenario-${n++}.json`);
      await writeFile(f, JSON.stringify({ attempts, calls: [] }));
      return f;
    },
    async calls(file) {
      return JSON.parse(await readFile(file, "utf8")).calls;
    },
    args(stateFile, extra = {}) {
      return {
        repo: remote,
        branch: runBranch,
        commit: base,
        feature,
        task: { id: "T003", description: "Implement cartTotal in src/cart.js", story: "", fake_state: stateFile },
        profile: NODE_TEST_PROFILE,
        llm: "$res:f/test/openai",
        limits: { backoff_seconds: 0, max_retries: 2, max_clarifications: 1, max_replans: 1, max_respecs: 1, max_iterations: 6 },
        ...extra,
      };
    },
    async close() {
      await server.close();
      await repo.cleanup();
      for (const d of [root, stateDir, remote]) await rm(d, { recursive: true, force: true });
    },
  };
}
