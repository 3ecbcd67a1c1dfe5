// Is each CLI agent installed here: resolved path (bin_dir first, then PATH) and `--version`
// (short timeout). The probe under lib/agentops/health.ts, which adds credentials, endpoints,
// command folders and the overall status for the `agents` script and CLI.

import { delimiter } from "node:path";
import { baseEnv } from "../process.ts";
import { agentVersion, installHint, resolveExecutable } from "./cli.ts";
import type { AgentsConfig } from "./config.ts";
import { AGENTS, type AgentId } from "./registry.ts";

export interface InstallStatus {
  agent: AgentId;
  /** Absolute path of the executable, or null when it is not found. */
  path: string | null;
  /** First line of `--version` (null: not found, failed or too slow). */
  version: string | null;
  /** How to install it, when it is missing. */
  install: string | null;
}

/** Install status of the given CLI agents (others are skipped), probed in parallel. */
export async function installStatus(cfg: AgentsConfig, ids: readonly AgentId[], opts: { versionTimeoutMs?: number } = {}): Promise<InstallStatus[]> {
  const path = [cfg.binDir, baseEnv().PATH].filter(Boolean).join(delimiter);
  const cli = ids.filter((id) => AGENTS[id].kind === "cli");
  return Promise.all(
    cli.map(async (id): Promise<InstallStatus> => {
      const spec = AGENTS[id];
      const exe = resolveExecutable(spec, { binDir: cfg.binDir, path });
      const version = exe ? await agentVersion(exe, opts.versionTimeoutMs ?? 5000) : null;
      return { agent: id, path: exe, version, install: exe ? null : installHint(spec) };
    }),
  );
}
