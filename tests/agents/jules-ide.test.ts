import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { githubRepoOf, runJules } from "../../f/devgodzilla/lib/agents/jules.ts";
import { ideOutcome, ideSuspendPayload, pickUpFromBranch, renderIdeCommand, writeIdeCommand } from "../../f/devgodzilla/lib/agents/ide.ts";
import { runAgent } from "../../f/devgodzilla/lib/agents/index.ts";
import { IDE_AGENT_IDS } from "../../f/devgodzilla/lib/agents/registry.ts";
import { AgentFailedError, AgentUnavailableError, ExecutionBlockedError } from "../../f/devgodzilla/lib/agents/types.ts";
import { InputError } from "../../f/devgodzilla/lib/errors.ts";
import { FAKE_BIN, tempDirsPerTest } from "./helpers.ts";

const dir = tempDirsPerTest();
const git = (cwd: string, ...a: string[]) =>
  execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...a], { cwd })
    .toString()
    .trim();
function repo(): string {
  const d = dir("dg-repo-");
  git(d, "init", "-q", "-b", "main");
  writeFileSync(join(d, "README.md"), "# demo\n");
  git(d, "add", ".");
  git(d, "commit", "-qm", "init");
  return d;
}

// ---- a loopback Jules API --------------------------------------------------------------------
const JULES_KEY = "jules-test-key-0123456789";
interface Seen {
  method: string;
  path: string;
  key: string | undefined;
  body: any;
}
let jules: Server;
let julesUrl = "";
const seen: Seen[] = [];
let scenario: "ok" | "feedback" | "failed" | "pr" = "ok";
let polls = 0;
const PATCH = "diff --git a/NOTES.md b/NOTES.md\nnew file mode 100644\n--- /dev/null\n+++ b/NOTES.md\n@@ -0,0 +1 @@\n+written by jules\n";

beforeAll(async () => {
  jules = createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => (raw += c));
    req.on("end", () => {
      const url = new URL(req.url!, "http://x");
      seen.push({ method: req.method!, path: url.pathname, key: req.headers["x-goog-api-key"] as string | undefined, body: raw ? JSON.parse(raw) : null });
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(body));
      };
      if (req.headers["x-goog-api-key"] !== JULES_KEY) return send(401, { error: { message: "API key not valid" } });
      if (url.pathname === "/v1alpha/sources") {
        if (!url.searchParams.get("pageToken")) return send(200, { sources: [{ name: "sources/github/acme/other" }], nextPageToken: "p2" });
        return send(200, { sources: [{ name: "sources/github/acme/shop" }] });
      }
      if (url.pathname === "/v1alpha/sessions" && req.method === "POST") {
        polls = 0;
        return send(200, { name: "sessions/s-42", id: "s-42", state: "QUEUED" });
      }
      if (url.pathname === "/v1alpha/sessions/s-42") {
        polls++;
        if (polls < 2) return send(200, { id: "s-42", state: "IN_PROGRESS" });
        if (scenario === "failed") return send(200, { id: "s-42", state: "FAILED" });
        if (scenario === "feedback") return send(200, { id: "s-42", state: "AWAITING_USER_FEEDBACK" });
        if (scenario === "pr")
          return send(200, {
            id: "s-42",
            state: "COMPLETED",
            outputs: [{ pullRequest: { url: "https://github.com/acme/shop/pull/7", title: "Add notes", headRef: "jules/notes", baseRef: "main" } }],
          });
        return send(200, {
          id: "s-42",
          state: "COMPLETED",
          outputs: [
            { changeSet: { source: "sources/github/acme/shop", gitPatch: { unidiffPatch: PATCH, baseCommitId: "abc", suggestedCommitMessage: "Add notes" } } },
          ],
        });
      }
      if (url.pathname === "/v1alpha/sessions/s-42/activities") {
        const msg = scenario === "feedback" ? "Should NOTES.md be in English or French?" : scenario === "failed" ? "" : "Added NOTES.md.";
        return send(200, {
          activities: [
            { progressUpdated: { title: "Working", description: "Reading the repo" } },
            ...(msg ? [{ agentMessaged: { agentMessage: msg } }] : []),
            ...(scenario === "failed" ? [{ sessionFailed: { reason: "build broke" } }] : []),
          ],
        });
      }
      send(404, { error: { message: "not found" } });
    });
  });
  await new Promise<void>((r) => jules.listen(0, "127.0.0.1", r));
  julesUrl = `http://127.0.0.1:${(jules.address() as AddressInfo).port}/v1alpha`;
});
afterAll(() => new Promise<void>((r) => jules.close(() => r())));

describe("Jules API adapter (loopback fake)", () => {
  it("finds the source across pages, creates the session, polls, and applies the patch", async () => {
    scenario = "ok";
    seen.length = 0;
    const cwd = repo();
    const out = await runJules({
      apiKey: JULES_KEY,
      repo: "acme/shop",
      prompt: "T002 add notes",
      baseUrl: julesUrl,
      pollIntervalMs: 10,
      applyTo: cwd,
      createPr: false,
    });
    expect(out.state).toBe("COMPLETED");
    expect(out.sessionId).toBe("s-42");
    expect(out.applied).toBe(true);
    expect(readFileSync(join(cwd, "NOTES.md"), "utf8")).toBe("written by jules\n");
    expect(out.suggestedCommitMessage).toBe("Add notes");
    expect(out.result.finalMessage).toBe("Added NOTES.md.");
    const create = seen.find((s) => s.method === "POST" && s.path === "/v1alpha/sessions")!;
    expect(create.body).toEqual({
      prompt: "T002 add notes",
      sourceContext: { source: "sources/github/acme/shop", githubRepoContext: { startingBranch: "main" } },
      requirePlanApproval: false,
    });
    expect(seen.every((s) => s.key === JULES_KEY)).toBe(true);
  });

  it("asks for a pull request by default and returns it", async () => {
    scenario = "pr";
    seen.length = 0;
    const out = await runJules({
      apiKey: JULES_KEY,
      repo: "acme/shop",
      prompt: "T002",
      baseUrl: julesUrl,
      pollIntervalMs: 10,
      startingBranch: "devgodzilla/001",
    });
    expect(out.pullRequest).toEqual({ url: "https://github.com/acme/shop/pull/7", title: "Add notes", headRef: "jules/notes", baseRef: "main" });
    expect(out.patch).toBeNull();
    const create = seen.find((s) => s.method === "POST" && s.path === "/v1alpha/sessions")!;
    expect(create.body).toMatchObject({ automationMode: "AUTO_CREATE_PR", sourceContext: { githubRepoContext: { startingBranch: "devgodzilla/001" } } });
  });

  it("a session waiting for user feedback comes back as a clarify block, patch not applied", async () => {
    scenario = "feedback";
    const cwd = repo();
    const out = await runJules({ apiKey: JULES_KEY, repo: "acme/shop", prompt: "x", baseUrl: julesUrl, pollIntervalMs: 10, applyTo: cwd });
    expect(out.result.block).toMatchObject({ kind: "clarify", question: "Should NOTES.md be in English or French?" });
    expect(existsSync(join(cwd, "NOTES.md"))).toBe(false);
  });

  it("a failed session and a bad key are typed errors that never show the key", async () => {
    scenario = "failed";
    await expect(runJules({ apiKey: JULES_KEY, repo: "acme/shop", prompt: "x", baseUrl: julesUrl, pollIntervalMs: 10 })).rejects.toThrow(
      /s-42 failed: build broke/,
    );
    const bad = await runJules({ apiKey: "wrong-key-0000000", repo: "acme/shop", prompt: "x", baseUrl: julesUrl }).catch((e) => e);
    expect(bad).toBeInstanceOf(ExecutionBlockedError);
    expect(bad.reason).toBe("auth");
    expect(bad.message).not.toContain("wrong-key-0000000");
    const unknown = await runJules({ apiKey: JULES_KEY, repo: "acme/nope", prompt: "x", baseUrl: julesUrl }).catch((e) => e);
    expect(unknown.message).toMatch(/acme\/nope is not connected to Jules/);
  });

  it("runAgent runs jules with the key and base URL from the agents resource", async () => {
    scenario = "ok";
    const cwd = repo();
    const res = await runAgent({
      agentId: "jules",
      prompt: "T002",
      cwd,
      github: { repo: "acme/shop" },
      config: { agents: { jules: { api_key: JULES_KEY, base_url: julesUrl } } },
    });
    expect(res.agentId).toBe("jules");
    expect(existsSync(join(cwd, "NOTES.md"))).toBe(true);
  });

  it("owner/name comes from the task's GitHub remote URL; any other remote is not one Jules can work on", () => {
    expect(githubRepoOf("https://github.com/acme/shop.git")).toBe("acme/shop");
    expect(githubRepoOf("https://x-access-token@github.com/acme/shop")).toBe("acme/shop");
    expect(githubRepoOf("git@github.com:acme/shop.git")).toBe("acme/shop");
    expect(githubRepoOf("ssh://git@github.com/acme/my.repo")).toBe("acme/my.repo");
    expect(githubRepoOf("https://gitlab.com/acme/shop.git")).toBeNull();
    expect(githubRepoOf("/srv/git/shop.git")).toBeNull();
  });

  it("without a GitHub repository jules is unavailable, so the next configured agent runs the task", async () => {
    const res = await runAgent({
      agentId: "jules",
      prompt: "T002 [[fake:write x.txt=1]]",
      cwd: repo(),
      config: { fallback: ["qwen"], bin_dir: FAKE_BIN, agents: { jules: { api_key: JULES_KEY, base_url: julesUrl } } },
    });
    expect(res.agentId).toBe("qwen");
  });
});

describe("IDE adapter", () => {
  const task = {
    taskId: "T012",
    title: "Add the export button",
    prompt: "Implement the CSV export button in src/ui/export.ts.",
    branch: "devgodzilla/001-export/T012",
  };

  it.each([
    ["cursor", ".cursor/commands/devgodzilla-t012.md", /^---\ndescription: "DevGodzilla T012: Add the export button"\n---/],
    ["copilot", ".github/prompts/devgodzilla-t012.prompt.md", /^---\nmode: agent\ndescription: /],
    ["windsurf", ".windsurf/workflows/devgodzilla-t012.md", /^---\ndescription: /],
    ["kilocode", ".kilo/commands/devgodzilla-t012.md", /^---\ndescription: /],
    ["roo", ".roo/commands/devgodzilla-t012.md", /^---\ndescription: /],
    ["bob", ".bob/skills/devgodzilla-t012/SKILL.md", /^---\nname: devgodzilla-t012\ndescription: /],
  ] as const)("%s: writes the command file in its folder and format", async (agentId, path, head) => {
    const wt = dir();
    const f = await writeIdeCommand({ agentId, worktree: wt, ...task });
    expect(f.path).toBe(path);
    const content = readFileSync(join(wt, path), "utf8");
    expect(content).toMatch(head);
    expect(content).toContain("Implement the CSV export button");
    expect(content).toContain("devgodzilla/001-export/T012");
    expect(content).toContain("$ARGUMENTS");
  });

  it("covers exactly the six IDE agents and refuses others", () => {
    expect([...IDE_AGENT_IDS].sort()).toEqual(["bob", "copilot", "cursor", "kilocode", "roo", "windsurf"]);
    expect(() => renderIdeCommand({ agentId: "codex", ...task })).toThrow(AgentUnavailableError);
  });

  it("the suspend payload carries resume URLs, a description and the form defaults", async () => {
    const file = renderIdeCommand({ agentId: "cursor", ...task });
    const p = await ideSuspendPayload({ agentId: "cursor", taskId: "T012", title: task.title, branch: task.branch, commandFile: file }, async () => ({
      resume: "http://r",
      cancel: "http://c",
      approvalPage: "http://a",
    }));
    expect(p).toMatchObject({
      resume: "http://r",
      cancel: "http://c",
      approvalPage: "http://a",
      default_args: { done: false, note: "" },
      command_file: file.path,
    });
    expect(p.description).toContain("/devgodzilla-t012");
  });

  it("reads the approval: done, a blocking note, a plain rejection, a bad answer", () => {
    expect(ideOutcome({ done: true, note: "Implemented" }, { agentId: "cursor", taskId: "T012" })).toMatchObject({
      exitCode: 0,
      finalMessage: "Implemented",
      block: null,
    });
    expect(ideOutcome({ done: false, note: "Which delimiter should the CSV use?" }, { agentId: "cursor", taskId: "T012" }).block).toMatchObject({
      kind: "clarify",
    });
    expect(() => ideOutcome({ done: false, note: "no time" }, { agentId: "cursor", taskId: "T012" })).toThrow(ExecutionBlockedError);
    expect(() => ideOutcome({ note: "x" }, { agentId: "cursor", taskId: "T012" })).toThrow(InputError);
  });

  it("picks up the work a human pushed to the task branch", async () => {
    const remote = dir("dg-remote-");
    git(remote, "init", "-q", "--bare", "-b", "main");
    const wt = repo();
    git(wt, "remote", "add", "origin", remote);
    git(wt, "push", "-q", "origin", "main");
    // the human's clone
    const human = dir("dg-human-");
    execFileSync("git", ["clone", "-q", remote, human]);
    writeFileSync(join(human, "export.ts"), "export const csv = true;\n");
    git(human, "add", ".");
    git(human, "commit", "-qm", "T012 done in the IDE");
    git(human, "push", "-q", "origin", "main");
    const out = await pickUpFromBranch(wt, "main");
    expect(out.changed).toEqual(["export.ts"]);
    expect(out.commit).toBe(git(human, "rev-parse", "HEAD"));
  });
});

describe("runAgent", () => {
  it("falls back to the next configured agent when the chosen one is not installed", async () => {
    const cwd = dir();
    const res = await runAgent({
      task: { id: "T1", type: "code" },
      prompt: "do it",
      cwd,
      log: false,
      config: { bin_dir: FAKE_BIN, by_task_type: { code: "windsurf" }, fallback: ["qwen"] },
    });
    expect(res.agentId).toBe("qwen");
    expect(existsSync(join(cwd, "fake-qwen.txt"))).toBe(true);
  });

  it("runs the first agent with the requested model; a fallback agent keeps its own model", async () => {
    const record = join(dir("dg-rec-"), "runs.jsonl");
    const config = {
      bin_dir: FAKE_BIN,
      fallback: ["qwen"],
      agents: { codex: { env: { FAKE_AGENT_RECORD: record } }, qwen: { model: "qwen-own", env: { FAKE_AGENT_RECORD: record } } },
    };
    await runAgent({ agentId: "codex", model: "gpt-5-codex", prompt: "do it", cwd: dir(), log: false, config });
    // windsurf is an IDE agent (unavailable headless): qwen runs instead, without codex's model.
    await runAgent({ agentId: "windsurf", model: "gpt-5-codex", prompt: "do it", cwd: dir(), log: false, config });
    const runs = readFileSync(record, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { flavor: string; argv: string[] });
    expect(runs[0]!.flavor).toBe("codex");
    expect(runs[0]!.argv.join(" ")).toContain("-m gpt-5-codex");
    expect(runs[1]!.flavor).toBe("qwen");
    expect(runs[1]!.argv).toContain("qwen-own");
    expect(runs[1]!.argv).not.toContain("gpt-5-codex");
  });

  it("does not fall back on a real failure", async () => {
    await expect(
      runAgent({ agentId: "codex", prompt: "[[fake:exit 3]]", cwd: dir(), log: false, config: { bin_dir: FAKE_BIN, fallback: ["qwen"] } }),
    ).rejects.toBeInstanceOf(AgentFailedError);
  });

  it("the llm agent needs an LLM resource", async () => {
    await expect(runAgent({ agentId: "llm", prompt: "x", cwd: dir() })).rejects.toThrow(InputError);
  });
});
