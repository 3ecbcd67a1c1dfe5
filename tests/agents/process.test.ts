import { describe, expect, it } from "vitest";
import { join, resolve } from "node:path";
import { spawn } from "node:child_process";
import { runProcess, ProcessSpawnError } from "../../f/devgodzilla/lib/process.ts";
import { Redactor } from "../../f/devgodzilla/lib/redact.ts";
import { FAKE_BIN, isAlive, tempDirsPerTest, waitUntil } from "./helpers.ts";

const FAKE = join(FAKE_BIN, "codex");
const dir = tempDirsPerTest();
const pidFrom = (out: string, key: string) => Number(new RegExp(`${key}=(\\d+)`).exec(out)?.[1]);

describe("runProcess", () => {
  it("a wall-clock timeout kills the whole process group, grandchild included", async () => {
    const res = await runProcess({ file: FAKE, args: ["[[fake:grandchild]]"], cwd: dir(), timeoutMs: 800, killGraceMs: 300, log: false });
    expect(res.timedOut).toBe(true);
    const gc = pidFrom(res.stdout, "GRANDCHILD_PID");
    expect(gc).toBeGreaterThan(0);
    expect(await waitUntil(() => !isAlive(gc))).toBe(true);
    expect(isAlive(res.pid!)).toBe(false);
  });

  it("the idle watchdog kills a silent process and its group", async () => {
    const res = await runProcess({
      file: FAKE,
      args: ["[[fake:grandchild]]"],
      cwd: dir(),
      idleTimeoutMs: 400,
      timeoutMs: 20_000,
      killGraceMs: 300,
      log: false,
    });
    expect(res.idleKilled).toBe(true);
    expect(res.timedOut).toBe(false);
    expect(res.durationMs).toBeLessThan(5000);
    expect(await waitUntil(() => !isAlive(pidFrom(res.stdout, "GRANDCHILD_PID")))).toBe(true);
  });

  it("a chatty process is not idle-killed but the wall clock still stops it", async () => {
    const res = await runProcess({ file: FAKE, args: ["[[fake:chatty]]"], cwd: dir(), idleTimeoutMs: 400, timeoutMs: 1200, killGraceMs: 200, log: false });
    expect(res.timedOut).toBe(true);
    expect(res.idleKilled).toBe(false);
    expect(res.stdout.split("\n").length).toBeGreaterThan(5);
  });

  it("a grandchild left behind by a process that exited is stopped too", async () => {
    const res = await runProcess({
      file: FAKE,
      args: ["[[fake:grandchild]] [[fake:exit-early]]"],
      cwd: dir(),
      timeoutMs: 10_000,
      killGraceMs: 300,
      log: false,
    });
    expect(res.exitCode).toBe(0);
    expect(res.timedOut).toBe(false);
    expect(await waitUntil(() => !isAlive(pidFrom(res.stdout, "GRANDCHILD_PID")))).toBe(true);
  });

  it("when the job's own process is cancelled (SIGTERM), the agent's group dies with it", async () => {
    // Plain node with tsx's loader only: no signal handling of tsx's CLI in between.
    const runner = spawn(process.execPath, ["--import", "tsx", resolve(import.meta.dirname, "../fixtures/agents/run-and-wait.ts"), FAKE], {
      cwd: resolve(import.meta.dirname, "../.."),
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    runner.stdout!.on("data", (c) => (out += c));
    expect(await waitUntil(() => /GRANDCHILD_PID=\d+/.test(out), 15_000)).toBe(true);
    const gc = pidFrom(out, "GRANDCHILD_PID");
    expect(isAlive(gc)).toBe(true);
    const exited = new Promise<string | null>((r) => runner.once("exit", (_c, sig) => r(sig)));
    runner.kill("SIGTERM");
    await exited;
    expect(await waitUntil(() => !isAlive(gc))).toBe(true);
  });

  it("the child gets only the minimal env plus what the caller passes", async () => {
    process.env.DG_TEST_PARENT_SECRET = "parent-secret-value";
    try {
      const res = await runProcess({ file: "node", args: ["-e", "console.log(JSON.stringify(process.env))"], cwd: dir(), env: { MY_VAR: "1" }, log: false });
      const env = JSON.parse(res.stdout);
      expect(env.MY_VAR).toBe("1");
      expect(env.PATH).toBeTruthy();
      expect(env.DG_TEST_PARENT_SECRET).toBeUndefined();
    } finally {
      delete process.env.DG_TEST_PARENT_SECRET;
    }
  });

  it("stdin is closed unless input is given, and input reaches the child", async () => {
    const closed = await runProcess({ file: "cat", args: [], cwd: dir(), timeoutMs: 5000, log: false });
    expect(closed.timedOut).toBe(false);
    expect(closed.stdout).toBe("");
    const fed = await runProcess({ file: "cat", args: [], cwd: dir(), input: "hello\nworld", log: false });
    expect(fed.stdout).toBe("hello\nworld");
  });

  it("captured and logged output is redacted and capped, keeping head and tail", async () => {
    const lines: string[] = [];
    const script = "console.log('key=supersecret-123456'); for (let i = 0; i < 5000; i++) console.log('line ' + i); console.log('LAST')";
    const res = await runProcess({
      file: "node",
      args: ["-e", script],
      cwd: dir(),
      maxOutputBytes: 4000,
      log: false,
      redactor: new Redactor(["supersecret-123456"]),
      onLine: (l) => lines.push(l),
    });
    expect(res.stdout).toContain("key=[REDACTED]");
    expect(res.stdout).not.toContain("supersecret");
    expect(lines[0]).toBe("key=[REDACTED]");
    expect(res.truncated).toBe(true);
    expect(Buffer.byteLength(res.stdout)).toBeLessThan(4200);
    expect(res.stdout.trim().endsWith("LAST")).toBe(true);
  });

  it("the job log is capped separately and says so", async () => {
    const logged: string[] = [];
    const orig = console.log;
    console.log = (...a: unknown[]) => {
      logged.push(a.join(" "));
    };
    try {
      await runProcess({
        file: "node",
        args: ["-e", "for (let i = 0; i < 2000; i++) console.log('row ' + i)"],
        cwd: dir(),
        maxLogBytes: 500,
        logPrefix: "[t] ",
      });
    } finally {
      console.log = orig;
    }
    expect(logged[0]).toBe("[t] row 0");
    expect(logged.at(-1)).toMatch(/log output capped at 500 bytes/);
    expect(logged.length).toBeLessThan(80);
  });

  it("reports the exit code and a missing executable as ProcessSpawnError", async () => {
    const res = await runProcess({ file: "node", args: ["-e", "process.exit(7)"], cwd: dir(), log: false });
    expect(res.exitCode).toBe(7);
    await expect(runProcess({ file: "no-such-agent-xyz", args: [], cwd: dir(), log: false })).rejects.toBeInstanceOf(ProcessSpawnError);
  });
});
