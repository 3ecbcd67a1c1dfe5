// Real agent CLIs, each at the version pinned in clis.json, run through execute_task exactly as a
// task runs: a fresh working copy of a real bare remote, the bubblewrap sandbox (network only to
// the agent's endpoint), the loopback model server speaking the agent's OWN protocol (Anthropic
// Messages, OpenAI Responses, OpenAI Chat Completions, Gemini generateContent). The scripted model
// makes the agent create a file and edit it with its own tools; the test checks the committed
// file, the exit, the parsed usage and session, and that a bad key is an auth error within seconds.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { executeTask } from "../../../f/devgodzilla/lib/workspace/execute_task.ts";
import { agentsHealth } from "../../../f/devgodzilla/lib/agentops/health.ts";
import { ExecutionBlockedError } from "../../../f/devgodzilla/lib/agents/types.ts";
import { probeBwrap } from "../../../f/devgodzilla/lib/sandbox/index.ts";
import type { AgentId } from "../../../f/devgodzilla/lib/agents/registry.ts";
import { agentTurns, keyFingerprint, promptText, startLlmServer, type LlmServer } from "../../../scripts/fakes/llm-server.ts";
import { createFixtureRemote, tempDir, type FixtureRemote } from "../../helpers/git-fixtures.ts";
import { CREATED, DIALECTS, EDITED, FILE, FINAL, editTurns } from "./dialects.ts";

const KEY = "sk-test-conformance-0123456789abcdef";
const BAD_KEY = "sk-test-wrong-key-0123456789abcdef";
/**
 * A rejected key must end the run within this time of the model server's first 401 (claude-code
 * alone would retry for minutes). Measured from the rejection, not the start: a CLI's start-up
 * time depends on the machine's load, its handling of a 401 does not.
 */
const AUTH_ERROR_WITHIN_S = 15;

const clis = inject("agentClis");
const AGENTS = Object.keys(DIALECTS) as AgentId[];

let fx: FixtureRemote;
let cache: { dir: string; cleanup(): Promise<void> };
let work: { dir: string; cleanup(): Promise<void> };
let server: LlmServer;
/** When the model server last rejected a key (ms since epoch). */
let rejectedAt = 0;

/** The task's working copy, as the agent's system prompt names it (its cwd). */
function worktreeOf(text: string): string | null {
  const esc = work.dir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`${esc}/devgodzilla-wc-[A-Za-z0-9]+`).exec(text)?.[0] ?? null;
}

beforeAll(async () => {
  expect(probeBwrap().ok, "bubblewrap must be installed (apt-get install bubblewrap)").toBe(true);
  fx = await createFixtureRemote("empty", {
    extraFiles: {
      "README.md": "# greet\n\nA tiny module that greets.\n",
      "specs/001-greet/spec.md": "# Feature: greet\n\ngreet() says hello to the world.\n",
      "specs/001-greet/plan.md": "# Plan\n\ngreet.js exports greet().\n",
    },
  });
  cache = await tempDir("dg-conf-cache-");
  work = await tempDir("dg-conf-work-");
  server = await startLlmServer((ex) => {
    if (ex.apiKeySha256 !== keyFingerprint(KEY)) {
      if (!rejectedAt) rejectedAt = Date.now();
      return { status: 401, error: "Invalid API key provided" };
    }
    // Each agent has its own model name: it tells whose tools to call.
    const dialect = Object.values(DIALECTS).find((d) => d!.model.split("/").pop() === ex.model);
    if (!dialect) return { status: 404, error: `model ${ex.model} not found` };
    const root = worktreeOf(`${promptText(ex)}\n${JSON.stringify(ex.body)}`);
    if (!root) return { text: "ok" };
    return agentTurns(editTurns(dialect, root), "ok")(ex);
  });
});
afterAll(async () => {
  await server?.close();
  await fx?.cleanup();
  await cache?.cleanup();
  await work?.cleanup();
});

/** The agents resource a task of `agents` gets: each one's key, loopback base URL and model. */
function agentsResource(agents: AgentId[], key: string) {
  const settings = (a: AgentId) => ({
    api_key: key,
    base_url: `${server.url}${DIALECTS[a]!.basePath}`,
    model: DIALECTS[a]!.model,
    timeout_seconds: 150,
    idle_timeout_seconds: 90,
  });
  return { default_agent: agents[0], enabled: agents, bin_dir: clis.binDir, agents: Object.fromEntries(agents.map((a) => [a, settings(a)])) };
}

function run(agent: AgentId, taskId: string, key: string) {
  return executeTask(
    {
      repo: fx.remote,
      commit: fx.seed,
      feature: "001-greet",
      task: { id: taskId, description: `Create ${FILE} with greet() and make it greet the world` },
      install: [],
      cache_dir: cache.dir,
      work_root: work.dir,
    },
    { agents: agentsResource([agent], key) },
  );
}

const seconds = (ms: number) => (ms / 1000).toFixed(1);

describe.each(AGENTS)("%s (real CLI)", (agent) => {
  const d = DIALECTS[agent]!;
  const version = clis.versions[agent];

  it("creates and edits a file with its own tools in the sandbox; the change is committed and its usage and session parsed", async ({ task }) => {
    const started = Date.now();
    const res = await run(agent, `T${AGENTS.indexOf(agent) + 101}`, KEY);
    const took = Date.now() - started;
    const usage = d.reportsTokens ? `${res.usage.input_tokens} in + ${res.usage.output_tokens} out` : "none (CLI reports none)";
    task.meta.conformance = { agent, version, edit: "NO", commit: "NO", usage, session: res.agent.sessionId ? "yes" : "NO", seconds: seconds(took) };
    expect(res.sandbox.sandboxed).toBe(true);
    expect(res.agent.exitCode).toBe(0);
    expect(res.outcome).toBe("changed");
    expect(await fx.show(res.commit, FILE)).toBe(EDITED);
    task.meta.conformance.edit = "yes";
    expect(res.artifacts.files.map((f) => f.path)).toEqual([FILE]);
    expect(await fx.head(res.branch)).toBe(res.commit);
    task.meta.conformance.commit = res.commit.slice(0, 8);
    expect(res.agent.finalMessage).toContain(FINAL);
    expect(res.agent.sessionId).toMatch(/\S{6,}/);
    if (d.reportsTokens) {
      // Exactly the usage the model server reported over the four scripted turns.
      const turns = editTurns(d, "/w");
      expect(res.usage.input_tokens).toBe(turns.reduce((n, t) => n + ("usage" in t ? (t.usage?.inputTokens ?? 0) : 0), 0));
      expect(res.usage.output_tokens).toBe(turns.reduce((n, t) => n + ("usage" in t ? (t.usage?.outputTokens ?? 0) : 0), 0));
    } else expect(res.usage.tokens).toBe(0);
    expect(JSON.stringify(res)).not.toContain(KEY);
  });

  it("a rejected key is reported as an auth error within seconds, with nothing committed", async ({ task }) => {
    rejectedAt = 0;
    const err = await run(agent, `T${AGENTS.indexOf(agent) + 201}`, BAD_KEY).then(
      () => null,
      (e: unknown) => e,
    );
    const took = rejectedAt ? Date.now() - rejectedAt : Infinity;
    const ok = err instanceof ExecutionBlockedError && err.reason === "auth";
    task.meta.conformance = { agent, authError: `${ok ? "yes" : "NO"}, ${seconds(took)} s after the 401` };
    expect(err).toBeInstanceOf(ExecutionBlockedError);
    expect((err as ExecutionBlockedError).reason).toBe("auth");
    expect((err as Error).message).toMatch(/401|invalid api key|rejected the key|unauthori[sz]ed/i);
    expect((err as Error).message).not.toContain(BAD_KEY);
    expect(took).toBeLessThan(AUTH_ERROR_WITHIN_S * 1000);
    expect(await fx.head(`devgodzilla/001-greet-tasks/T${AGENTS.indexOf(agent) + 201}`)).toBeNull();
  });
});

describe("agents health on the same configuration", () => {
  it("reports every agent that ran here ok, at its pinned version, with its endpoint reachable", async ({ task }) => {
    const report = await agentsHealth({ config: agentsResource(AGENTS, KEY), agents: AGENTS });
    task.meta.conformance = report.agents.map((a) => ({
      agent: a.id,
      health: `${a.status}${a.installed?.version ? ` (${a.installed.version.slice(0, 24)})` : ""}`,
    }));
    for (const a of report.agents) {
      expect(a, a.id).toMatchObject({ status: "ok", installed: { found: true }, credentials: { present: true }, endpoint: { reachable: true } });
      expect(a.installed!.version, a.id).toContain(clis.versions[a.id]);
    }
    expect(report.overall).toBe("ok");
  });
});
