// Code analysis: the project's OWN lint, typecheck and test commands (detected at onboarding, in
// the ProjectProfile) run inside the sandbox (execute phase: no network) with a timeout that kills
// the process group, output redacted; parsed into findings with file and line.

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runProcess } from "../process.ts";
import { Redactor } from "../redact.ts";
import { SandboxUnavailableError, wrapInSandbox } from "../sandbox/index.ts";
import type { ProjectProfile, ProjectCommand } from "../project/profile.ts";
import type { QaConfig } from "./config.ts";
import { parseToolOutput } from "./parsers.ts";
import type { CheckKind, CheckRun, Finding } from "./types.ts";

export interface RunChecksInput {
  /** Checkout of the commit under test (absolute path). */
  dir: string;
  commands: Pick<ProjectProfile["commands"], CheckKind> & { install?: ProjectCommand[] };
  config: QaConfig["checks"];
  redactor?: Redactor;
  /** Extra env for the commands (never secrets: checks get no credentials). */
  env?: Record<string, string>;
  onLine?: (line: string) => void;
  /** bwrap executable (default "bwrap" on PATH); a test seam for "the sandbox is unavailable". */
  bwrapPath?: string;
  /**
   * The change adds or edits tests only (test-first: tests are written before the code they test),
   * so a failing test run is the expected "red" step: reported as a warning, not blocking.
   */
  testsOnlyChange?: boolean;
}

const KINDS: CheckKind[] = ["lint", "typecheck", "test"];

function tail(s: string, lines = 40): string {
  return s.split("\n").slice(-lines).join("\n").slice(-4000);
}

async function runOne(kind: CheckKind | "install", cmd: ProjectCommand, input: RunChecksInput, tmp: string): Promise<CheckRun> {
  const cwd = join(input.dir, cmd.cwd ?? ".");
  const argv = cmd.argv;
  const env = {
    ...(input.env ?? {}),
    HOME: tmp, XDG_CACHE_HOME: join(tmp, ".cache"), npm_config_cache: join(tmp, ".npm"), npm_config_update_notifier: "false",
    CI: "true", NO_COLOR: "1", FORCE_COLOR: "0", PYTHONDONTWRITEBYTECODE: "1", GOFLAGS: "-mod=mod", GOCACHE: join(tmp, "go-cache"),
    GOPATH: join(tmp, "go"), GOPROXY: "off", CARGO_TARGET_DIR: join(tmp, "cargo-target"), CARGO_NET_OFFLINE: "true",
  };
  let wrapped;
  try {
    wrapped = await wrapInSandbox({ file: argv[0], args: argv.slice(1), cwd, env }, { phase: kind === "install" ? "setup" : "execute", worktree: input.dir, tmpDir: tmp, policy: input.config.allow_unsandboxed ? "allow_unsandboxed" : "refuse", bwrapPath: input.bwrapPath });
  } catch (e) {
    if (e instanceof SandboxUnavailableError) {
      return { kind, command: argv, status: "error", exitCode: null, durationMs: 0, findings: [{ code: "SANDBOX_UNAVAILABLE", source: "check", severity: "blocking", message: e.message, fix: "Install bubblewrap or allow unsandboxed checks in c_devgodzilla_qa.checks.allow_unsandboxed." }], outputTail: "", sandboxed: false, note: e.reason };
    }
    throw e;
  }
  try {
    const r = await runProcess({
      file: wrapped.file, args: wrapped.args, env: wrapped.env, cwd: wrapped.cwd,
      timeoutMs: input.config.timeout_seconds * 1000, redactor: input.redactor, log: !input.onLine,
      logPrefix: `[qa ${kind}] `, onLine: input.onLine ? (l) => input.onLine!(l) : undefined,
    });
    const output = `${r.stdout}\n${r.stderr}`;
    const parsed = parseToolOutput(kind === "install" ? "lint" : kind, output, input.dir);
    const findings: Finding[] = parsed.findings;
    let status: CheckRun["status"] = r.timedOut ? "timeout" : r.exitCode === 0 ? "passed" : "failed";
    if (status !== "passed" && !findings.some((f) => f.severity === "blocking")) {
      findings.push({
        code: r.timedOut ? "CHECK_TIMEOUT" : "CHECK_FAILED", source: "check", severity: "blocking",
        message: r.timedOut ? `${argv.join(" ")} timed out after ${input.config.timeout_seconds}s` : `${argv.join(" ")} exited ${r.exitCode ?? r.signal}: ${tail(output, 3).trim().slice(0, 300)}`,
        fix: r.timedOut ? "Make the command finish (a hanging test?) or raise checks.timeout_seconds." : `Run \`${argv.join(" ")}\` locally and fix what it reports.`,
      });
    }
    if (status === "passed") for (const f of findings) f.severity = f.severity === "blocking" ? "warning" : f.severity; // exit 0 wins: reported, not blocking
    const red = kind === "test" && status === "failed" && input.testsOnlyChange;
    if (red) for (const f of findings) f.severity = f.severity === "blocking" ? "warning" : f.severity;
    const note = [wrapped.warning, red ? "test-first: this change adds tests only, so failing tests are expected until the code lands" : undefined, parsed.tools.length ? `parsed: ${parsed.tools.join(", ")}` : undefined].filter(Boolean).join("; ") || undefined;
    return { kind, command: argv, status, exitCode: r.exitCode, durationMs: r.durationMs, counts: parsed.counts, findings, outputTail: tail(output), sandboxed: wrapped.sandboxed, note, ...(red ? { expected_red: true } : {}) };
  } finally {
    await wrapped.dispose();
  }
}

export async function runChecks(input: RunChecksInput): Promise<CheckRun[]> {
  const tmp = await mkdtemp(join(tmpdir(), "dgz-qa-checks-"));
  try {
    const out: CheckRun[] = [];
    // Dependencies first (setup phase: network on), as execute_task does; a failed install is
    // reported with the checks and the checks still run (they will say what is missing).
    const install = input.config.install ? input.commands.install?.[0] : undefined;
    if (install) out.push(await runOne("install", install, input, tmp));
    for (const kind of KINDS) {
      const cmd = input.commands[kind]?.[0];
      if (!input.config[kind]) {
        out.push({ kind, command: [], status: "skipped", exitCode: null, durationMs: 0, findings: [], outputTail: "", sandboxed: false, note: "disabled in c_devgodzilla_qa" });
      } else if (!cmd) {
        out.push({ kind, command: [], status: "skipped", exitCode: null, durationMs: 0, findings: [], outputTail: "", sandboxed: false, note: "the project has no such command" });
      } else {
        out.push(await runOne(kind, cmd, input, tmp));
      }
    }
    return out;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
