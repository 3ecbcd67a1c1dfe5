// A task's setup phase: the project's own install commands, in the sandbox with the network on,
// before the agent runs. What they changed in the work tree (a lock file the install wrote, say) is
// remembered, so the task's commit can leave out what only the install step touched.
import { createHash } from "node:crypto";
import { lstat, readFile, readlink } from "node:fs/promises";
import path from "node:path";
import { DevGodzillaError } from "../errors.ts";
import { gitAt, parseStatusZ } from "../git.ts";
import { runProcess } from "../process.ts";
import type { Redactor } from "../redact.ts";
import type { TaskSandbox } from "./task_sandbox.ts";

export interface InstallCommand {
  argv: string[];
  /** Relative to the working copy. */
  cwd: string;
}

/** The project's install step failed in the setup phase. */
export class SetupFailedError extends DevGodzillaError {
  constructor(argv: string[], detail: string) {
    super(`setup phase: ${argv.join(" ")} failed: ${detail}`, { hint: "fix the project's install command (onboard profile) or pass install: [] to skip it" });
  }
}

export interface SetupOutcome {
  commands: InstallCommand[];
  durationMs: number;
  /** Work-tree paths that differ from HEAD after the install step, with a hash of their content (empty without one). */
  changes: Map<string, string>;
}

/** The install commands to run: the ones given, else the profile's first install command per directory. */
export function installCommands(given: InstallCommand[] | undefined, profile: { argv: string[]; cwd?: string }[]): InstallCommand[] {
  if (given) return given;
  const seen = new Set<string>();
  const out: InstallCommand[] = [];
  for (const c of profile) {
    const cwd = c.cwd ?? ".";
    if (seen.has(cwd)) continue;
    seen.add(cwd);
    out.push({ argv: c.argv, cwd });
  }
  return out;
}

/**
 * Runs each install command in the setup phase; its output goes into `logs`. HUSKY=0: git-hook
 * installers would try to write the read-only .git/config. A sandbox limit or a failing command
 * fails the task.
 */
export async function runSetup(opts: {
  commands: InstallCommand[];
  dir: string;
  home: string;
  tmpDir: string;
  timeoutSeconds: number;
  sandbox: TaskSandbox;
  redactor: Redactor;
  logs: Record<string, string>;
}): Promise<SetupOutcome> {
  const started = Date.now();
  const env = { HOME: opts.home, CI: "true", npm_config_cache: path.join(opts.tmpDir, "npm-cache"), HUSKY: "0" };
  for (const c of opts.commands) {
    const w = await opts.sandbox.wrap({ file: c.argv[0]!, args: c.argv.slice(1), cwd: path.join(opts.dir, c.cwd), env }, "setup");
    const r = await runProcess({
      file: w.file,
      args: w.args,
      env: w.env,
      cwd: w.cwd,
      timeoutMs: opts.timeoutSeconds * 1000,
      redactor: opts.redactor,
      logPrefix: "[setup] ",
    });
    opts.logs[`setup: ${c.argv.join(" ")}`] = `${r.stdout}\n${r.stderr}`;
    const stopped = opts.sandbox.limitError("setup");
    if (stopped) throw stopped;
    if (r.exitCode !== 0) {
      const detail = r.timedOut
        ? `timed out after ${opts.timeoutSeconds} s`
        : opts.redactor.redact(r.stderr.trim().split("\n").slice(-5).join(" | ") || `exit ${r.exitCode}`);
      throw new SetupFailedError(c.argv, detail);
    }
  }
  // Without an install step there is nothing to tell apart, and no scan.
  const changes = opts.commands.length ? await workTreeChanges(opts.dir) : new Map<string, string>();
  return { commands: opts.commands, durationMs: Date.now() - started, changes };
}

/** The paths the install step changed that still have the same content: only the install step touched them. */
export async function changedBySetupOnly(dir: string, setup: SetupOutcome): Promise<string[]> {
  const same: string[] = [];
  for (const [file, hash] of setup.changes) if ((await contentHash(dir, file)) === hash) same.push(file);
  return same;
}

/**
 * Paths that differ from HEAD in the work tree (modified or new, not ignored), with a hash of their
 * content — a link's target, never what it points at (the agent may have linked /dev/zero or a host file).
 */
async function workTreeChanges(dir: string): Promise<Map<string, string>> {
  const out = await gitAt(dir).run(["status", "--porcelain=v1", "-z", "--untracked-files=all"]);
  const changes = new Map<string, string>();
  for (const { path: file } of parseStatusZ(out)) changes.set(file, await contentHash(dir, file));
  return changes;
}

async function contentHash(dir: string, file: string): Promise<string> {
  const abs = path.join(dir, file);
  const st = await lstat(abs).catch(() => null);
  // A link is its target text; only regular files are read (not /dev/zero or a FIFO the agent linked or made).
  const content = st?.isSymbolicLink() ? `link:${await readlink(abs)}` : st?.isFile() ? await readFile(abs).catch(() => null) : null;
  return content !== null ? createHash("sha256").update(content).digest("hex") : "deleted";
}
