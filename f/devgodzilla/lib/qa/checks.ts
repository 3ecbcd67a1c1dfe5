// Code analysis: the project's OWN lint, typecheck and test commands (detected at onboarding, in
// the ProjectProfile) run inside the sandbox (execute phase: no network) with a timeout that kills
// the process group, output redacted; parsed into findings with file and line. The test command
// runs with a machine-readable reporter (testrun/) and its results are read, not scraped; it also
// runs at the base commit (a worktree of it beside the checkout) so QA can compare the two.

import { existsSync } from "node:fs";
import { mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { gitAt } from "../git.ts";
import { seedGoCache } from "./gocache.ts";
import { runProcess } from "../process.ts";
import { Redactor } from "../redact.ts";
import { SandboxUnavailableError, wrapInSandbox } from "../sandbox/index.ts";
import type { ProjectProfile, ProjectCommand } from "../project/profile.ts";
import type { QaConfig } from "./config.ts";
import { parseToolOutput } from "./parsers.ts";
import {
  countCases,
  NODE_REPORTER_SOURCE,
  planReporters,
  readResults,
  type ReporterPlan,
  type RunnerId,
  type TestCase,
  type TestRun,
} from "./testrun/index.ts";
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
   * so failing tests it added are the expected "red" step: reported as a warning, not blocking —
   * unless a test that passed at the base commit fails now.
   */
  testsOnlyChange?: boolean;
  /** The base commit: the test command also runs there, for the comparison (null: not compared). */
  base?: string | null;
}

export interface ChecksAndTests {
  runs: CheckRun[];
  /** The test results at head and at the base commit, read from the runner's machine output (null: none). */
  head: TestRun | null;
  base: TestRun | null;
}

const KINDS: CheckKind[] = ["lint", "typecheck", "test"];

function rustupHome(): Record<string, string> {
  const dir = process.env.RUSTUP_HOME ?? join(homedir(), ".rustup");
  return existsSync(dir) ? { RUSTUP_HOME: dir } : {};
}

function tail(s: string, lines = 40): string {
  return s.split("\n").slice(-lines).join("\n").slice(-4000);
}

const FAIL_CODE: Record<RunnerId, string> = {
  "node-test": "NODE_TEST_FAIL",
  vitest: "VITEST_FAIL",
  jest: "JEST_FAIL",
  mocha: "MOCHA_FAIL",
  pytest: "PYTEST_FAILED",
  go: "GO_TEST_FAIL",
  cargo: "CARGO_TEST_FAIL",
};

/** Findings for the failed cases and the files that did not load, from the machine results. */
function resultFindings(run: TestRun): Finding[] {
  const code = FAIL_CODE[run.runners[0]!] ?? "TEST_FAILED";
  const out: Finding[] = run.cases
    .filter((c) => c.status === "failed")
    .slice(0, 50)
    .map((c) => {
      // The failing line when the failure text names one in the test's own file ("tests/x.py:5: AssertionError").
      const esc = (c.file ?? "").replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      const at = c.file && c.message ? new RegExp(`${esc}:(\\d+)`).exec(c.message) : null;
      const line = at ? Number(at[1]) : c.line;
      return {
        code,
        source: "check" as const,
        severity: "blocking" as const,
        message: `${c.fullName}${c.message ? `: ${c.message.split("\n").slice(0, 3).join(" ").slice(0, 300)}` : ""}`,
        ...(c.file ? { file: c.file } : {}),
        ...(line ? { line } : {}),
        fix: "Make the code meet what the test expects (or fix the test if the spec changed).",
      };
    });
  for (const e of run.errors.slice(0, 20))
    out.push({
      code: "TEST_LOAD_ERROR",
      source: "check",
      severity: "blocking",
      message: `${e.file ?? "a test file"} did not load: ${e.message.slice(0, 300)}`,
      ...(e.file ? { file: e.file } : {}),
      fix: "Fix the file so the runner can load it (syntax, imports, module format).",
    });
  return out;
}

/** A check that did not run, and why. */
function skippedCheck(kind: CheckKind, note: string): CheckRun {
  return { kind, command: [], status: "skipped", exitCode: null, durationMs: 0, findings: [], outputTail: "", sandboxed: false, note };
}

/** A check's environment: caches and homes in its temp dir, offline package managers, no colour. */
function checkEnv(tmp: string, base: Record<string, string>): Record<string, string> {
  return {
    ...base,
    HOME: tmp,
    XDG_CACHE_HOME: join(tmp, ".cache"),
    npm_config_cache: join(tmp, ".npm"),
    npm_config_update_notifier: "false",
    CI: "true",
    NO_COLOR: "1",
    FORCE_COLOR: "0",
    PYTHONDONTWRITEBYTECODE: "1",
    GOFLAGS: "-mod=mod",
    GOCACHE: join(tmp, "go-cache"),
    GOPATH: join(tmp, "go"),
    GOPROXY: "off",
    CARGO_TARGET_DIR: join(tmp, "cargo-target"),
    CARGO_NET_OFFLINE: "true",
    CARGO_HOME: join(tmp, "cargo-home"),
    // rustup's cargo/rustc proxies find their toolchains under RUSTUP_HOME (by default in the real
    // HOME, which the checks do not get): point them at it, read-only.
    ...rustupHome(),
  };
}

async function runOne(
  kind: CheckKind | "install",
  cmd: ProjectCommand,
  input: RunChecksInput,
  tmp: string,
  at?: { dir: string; readOnly: string[]; label: string },
): Promise<CheckRun & { run?: TestRun | null }> {
  const root = at?.dir ?? input.dir;
  let plan: ReporterPlan | null = null;
  if (kind === "test") {
    const outDir = await mkdtemp(join(tmp, "results-"));
    const reporter = join(tmp, "dgz-node-reporter.mjs");
    if (!existsSync(reporter)) await writeFile(reporter, NODE_REPORTER_SOURCE);
    plan = planReporters(cmd, root, outDir, reporter, input.env ?? {});
  }
  const cwd = plan?.cwd ?? join(root, cmd.cwd ?? ".");
  const argv = plan?.argv ?? cmd.argv;
  const env = checkEnv(tmp, { ...(input.env ?? {}), ...(plan?.env ?? {}) });
  // Go compiles the standard library into the check's empty cache: start from a warm copy.
  if (/(^|\/)go$/.test(argv[0]!)) await seedGoCache(env.GOCACHE);
  let wrapped;
  try {
    wrapped = await wrapInSandbox(
      { file: argv[0]!, args: argv.slice(1), cwd, env },
      {
        phase: kind === "install" ? "setup" : "execute",
        worktree: root,
        tmpDir: tmp,
        readOnly: at?.readOnly,
        policy: input.config.allow_unsandboxed ? "allow_unsandboxed" : "refuse",
        bwrapPath: input.bwrapPath,
        limits: { maxProcesses: input.config.max_processes, maxMemoryMb: input.config.max_memory_mb },
      },
    );
  } catch (e) {
    if (e instanceof SandboxUnavailableError) {
      return {
        kind,
        command: argv,
        status: "error",
        exitCode: null,
        durationMs: 0,
        findings: [
          {
            code: "SANDBOX_UNAVAILABLE",
            source: "check",
            severity: "blocking",
            message: e.message,
            fix: "Install bubblewrap or allow unsandboxed checks in c_devgodzilla_qa.checks.allow_unsandboxed.",
          },
        ],
        outputTail: "",
        sandboxed: false,
        note: e.reason,
      };
    }
    throw e;
  }
  try {
    const r = await runProcess({
      file: wrapped.file,
      args: wrapped.args,
      env: wrapped.env,
      cwd: wrapped.cwd,
      timeoutMs: input.config.timeout_seconds * 1000,
      redactor: input.redactor,
      log: !input.onLine,
      logPrefix: `[qa ${at?.label ?? ""}${kind}] `,
      onLine: input.onLine ? (l) => input.onLine!(l) : undefined,
    });
    const output = `${r.stdout}\n${r.stderr}`;
    const parsed = parseToolOutput(kind === "install" ? "lint" : kind, output, root);
    const read = plan ? await readResults(plan, r.stdout, root, r.stderr) : null;
    const run = read?.run ?? null;
    const findings: Finding[] = run ? resultFindings(run) : parsed.findings;
    const counts = run ? countCases(run.cases) : undefined;
    let status: CheckRun["status"] = r.timedOut ? "timeout" : r.exitCode === 0 && !(counts && counts.failed > 0) ? "passed" : "failed";
    // A check stopped by its sandbox's limits proves nothing either way: say which limit, not "exit 137".
    const limit = wrapped.limitExceeded();
    if (limit) {
      status = "failed";
      findings.push({
        code: "SANDBOX_LIMIT",
        source: "check",
        severity: "blocking",
        message: `${argv.join(" ")} was stopped: ${limit}`,
        fix: "Find what starts so many processes or takes so much memory; if the project really needs more, raise checks.max_processes / checks.max_memory_mb in the QA resource.",
      });
    }
    // Nothing ran is never a pass: an empty or uncollected suite proves nothing.
    if (kind === "test" && status === "passed" && (counts ? counts.executed === 0 : parsed.counts && parsed.counts.passed + parsed.counts.failed === 0)) {
      status = "failed";
      findings.push({
        code: "TESTS_NONE",
        source: "check",
        severity: "blocking",
        message: `${argv.join(" ")} exited ${r.exitCode} but no test ran`,
        fix: "Check that the test command finds the tests (paths, names, module format) and that they are not all skipped.",
      });
    }
    if (status !== "passed" && !findings.some((f) => f.severity === "blocking")) {
      findings.push({
        code: r.timedOut ? "CHECK_TIMEOUT" : "CHECK_FAILED",
        source: "check",
        severity: "blocking",
        message: r.timedOut
          ? `${argv.join(" ")} timed out after ${input.config.timeout_seconds}s`
          : `${argv.join(" ")} exited ${r.exitCode ?? r.signal}: ${tail(output, 3).trim().slice(0, 300)}`,
        fix: r.timedOut
          ? "Make the command finish (a hanging test?) or raise checks.timeout_seconds."
          : `Run \`${argv.join(" ")}\` locally and fix what it reports.`,
      });
    }
    if (status === "passed") for (const f of findings) f.severity = f.severity === "blocking" ? "warning" : f.severity; // exit 0 wins: reported, not blocking
    const how = run
      ? `results: ${run.runners.join(", ")} (${run.format})`
      : kind === "test"
        ? `results scraped from the console${parsed.tools.length ? ` (${parsed.tools.join(", ")})` : ""}: no machine-readable results${read?.problems.length ? ` — ${read.problems.join("; ")}` : ""}`
        : parsed.tools.length
          ? `parsed: ${parsed.tools.join(", ")}`
          : undefined;
    const note = [wrapped.warning, plan?.note, how].filter(Boolean).join("; ") || undefined;
    return {
      kind,
      command: argv,
      status,
      exitCode: r.exitCode,
      durationMs: r.durationMs,
      counts: counts ? { passed: counts.passed, failed: counts.failed, skipped: counts.skipped + counts.todo } : parsed.counts,
      ...(run && counts
        ? { results: { format: run.format, runners: run.runners, executed: counts.executed, todo: counts.todo, loadErrors: run.errors.slice(0, 20) } }
        : {}),
      findings,
      outputTail: tail(output),
      sandboxed: wrapped.sandboxed,
      note,
      run,
    };
  } finally {
    await wrapped.dispose();
  }
}

/** Tests-first: the failures are the change's own new tests (or were failing already), nothing regressed. */
function onlyOwnFailures(head: TestRun | null, base: TestRun | null): boolean {
  if (!head) return true;
  if (head.errors.length && base && head.errors.some((e) => !base.errors.some((b) => b.file === e.file))) {
    // A new test file that does not load yet (its module is missing) is red too.
    if (!head.errors.every((e) => e.file && !base.cases.some((c) => c.file === e.file))) return false;
  }
  if (!base) return true;
  const before = new Map<string, TestCase>(base.cases.map((c) => [`${c.file}::${c.fullName}`, c]));
  return head.cases
    .filter((c) => c.status === "failed")
    .every((c) => {
      const b = before.get(`${c.file}::${c.fullName}`);
      return !b || b.status !== "passed";
    });
}

/**
 * The base commit's test run: a detached worktree of `base` in the temp dir, with the checkout's
 * installed dependencies (node_modules, .venv) linked in, the same test command and reporters.
 */
async function runTestsAtBase(cmd: ProjectCommand, input: RunChecksInput, tmp: string): Promise<TestRun | null> {
  const baseDir = join(tmp, "base");
  const git = gitAt(input.dir);
  await git.run(["worktree", "add", "--detach", "--force", "--quiet", baseDir, input.base!]);
  try {
    if (!existsSync(join(baseDir, cmd.cwd ?? "."))) return null;
    for (const dep of ["node_modules", ".venv", "venv"]) {
      for (const rel of new Set([".", cmd.cwd ?? "."])) {
        const from = join(input.dir, rel, dep);
        const to = join(baseDir, rel, dep);
        if (existsSync(from) && !existsSync(to)) await symlink(from, to).catch(() => undefined);
      }
    }
    const r = await runOne("test", cmd, input, tmp, { dir: baseDir, readOnly: [input.dir], label: "base " });
    return r.run ?? null;
  } finally {
    await git.run(["worktree", "remove", "--force", baseDir], { okExitCodes: [128] }).catch(() => undefined);
    await git.run(["worktree", "prune"]).catch(() => undefined);
  }
}

export async function runChecksAndTests(input: RunChecksInput): Promise<ChecksAndTests> {
  const tmp = await mkdtemp(join(tmpdir(), "dgz-qa-checks-"));
  try {
    const out: CheckRun[] = [];
    let head: TestRun | null = null;
    let base: TestRun | null = null;
    // Dependencies first (setup phase: network on), as execute_task does; a failed install is
    // reported with the checks and the checks still run (they will say what is missing).
    const install = input.config.install ? input.commands.install?.[0] : undefined;
    if (install) out.push(strip(await runOne("install", install, input, tmp)));
    for (const kind of KINDS) {
      const cmd = input.commands[kind]?.[0];
      if (!input.config[kind]) {
        out.push(skippedCheck(kind, "disabled in c_devgodzilla_qa"));
      } else if (!cmd) {
        out.push(skippedCheck(kind, "the project has no such command"));
      } else {
        const r = await runOne(kind, cmd, input, tmp);
        if (kind === "test") {
          head = r.run ?? null;
          if (input.base && r.status !== "error" && input.config.compare_base) base = await runTestsAtBase(cmd, input, tmp);
          if (base && r.results) r.results.base = (({ executed, passed, failed, skipped }) => ({ executed, passed, failed, skipped }))(countCases(base.cases));
          const red = r.status === "failed" && input.testsOnlyChange && !r.findings.some((f) => f.code === "TESTS_NONE") && onlyOwnFailures(head, base);
          if (red) {
            r.expected_red = true;
            for (const f of r.findings) f.severity = f.severity === "blocking" ? "warning" : f.severity;
            r.note = ["test-first: this change adds tests only, so its failing tests are expected until the code lands", r.note].filter(Boolean).join("; ");
          }
        }
        out.push(strip(r));
      }
    }
    return { runs: out, head, base };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

const strip = ({ run: _run, ...r }: CheckRun & { run?: TestRun | null }): CheckRun => r;

export async function runChecks(input: RunChecksInput): Promise<CheckRun[]> {
  return (await runChecksAndTests(input)).runs;
}
