// Is each CLI agent installed here, and does it start: resolved path (bin_dir first, then PATH)
// and `<exe> --version`. The probe under lib/agentops/health.ts, which adds credentials,
// endpoints, command folders and the overall status for the `agents` script and CLI.
//
// Probes run ONE AT A TIME with a timeout that fits real CLIs: alone they answer in 0.1–4 s
// (copilot and gemini unpack or load a large bundle), and probed in parallel on a small machine
// most of them missed a 4 s limit.

import { delimiter } from "node:path";
import { baseEnv, runProcess } from "../process.ts";
import { installHint, resolveExecutable } from "./cli.ts";
import type { AgentsConfig } from "./config.ts";
import { AGENTS, type AgentId } from "./registry.ts";

export const VERSION_TIMEOUT_MS = 20_000;

export interface VersionProbe {
  /** First line of the output when `--version` exited 0. */
  version: string | null;
  /** Why there is no version: the exit code and its last stderr line, or the timeout. */
  error: string | null;
}

export interface InstallStatus {
  agent: AgentId;
  /** Absolute path of the executable, or null when it is not found. */
  path: string | null;
  version: string | null;
  /** Set when the executable was found but `--version` failed or did not answer: it is broken. */
  versionError: string | null;
  /** How to install it, when it is missing. */
  install: string | null;
}

/** `<exe> --version` with a timeout, never passing any key. */
export async function agentVersion(file: string, timeoutMs = VERSION_TIMEOUT_MS): Promise<VersionProbe> {
  try {
    const r = await runProcess({ file, args: ["--version"], cwd: process.cwd(), timeoutMs, log: false, maxOutputBytes: 64 * 1024 });
    if (r.timedOut) return { version: null, error: `--version did not answer within ${Math.round(timeoutMs / 1000)} s` };
    const line = (r.stdout.trim() || r.stderr.trim()).split("\n")[0]?.trim().slice(0, 120) ?? "";
    if (r.exitCode !== 0) {
      const why = r.stderr.trim().split("\n").at(-1)?.slice(0, 200) || `signal ${r.signal}`;
      return { version: null, error: `--version exited ${r.exitCode ?? "by signal"}: ${why}` };
    }
    return line ? { version: line, error: null } : { version: null, error: "--version printed nothing" };
  } catch (e) {
    return { version: null, error: `--version could not start: ${(e as Error).message}` };
  }
}

/** Install status of the given CLI agents (others are skipped), probed one after the other. */
export async function installStatus(cfg: AgentsConfig, ids: readonly AgentId[], opts: { versionTimeoutMs?: number } = {}): Promise<InstallStatus[]> {
  const path = [cfg.binDir, baseEnv().PATH].filter(Boolean).join(delimiter);
  const out: InstallStatus[] = [];
  for (const id of ids.filter((a) => AGENTS[a].kind === "cli")) {
    const spec = AGENTS[id];
    const exe = resolveExecutable(spec, { binDir: cfg.binDir, path });
    const probe = exe ? await agentVersion(exe, opts.versionTimeoutMs) : { version: null, error: null };
    out.push({ agent: id, path: exe, version: probe.version, versionError: probe.error, install: exe ? null : installHint(spec) });
  }
  return out;
}
