// What the CLI's exit code says about a run (documented in the README and `devgodzilla --help`).
export const EXIT = {
  /** The run finished and everything in it succeeded. */
  success: 0,
  /** The run failed: a step's error stopped it (the failure module's report is printed). */
  failed: 1,
  /** The command or its input is wrong (bad JSON, unknown path, missing resource, an answer that does not fit, a step's InputError or ConfigError); nothing was changed. */
  usage: 2,
  /** The run finished, but with failures: QA failed, or some tasks failed. */
  finishedWithFailures: 3,
  /** The run waits for an answer at an approval step (the resume command is printed). */
  waiting: 4,
  /** Interrupted (Ctrl-C); the run is resumable (the resume command is printed). */
  interrupted: 130,
} as const;

/**
 * What a run that ended without error says went wrong: its `failures` list (spec_to_pr's summary),
 * `passed: false` (a QA result), or `status: "failed"` (a task's QA loop).
 */
export function failuresOf(result: unknown): string[] {
  if (!result || typeof result !== "object" || Array.isArray(result)) return [];
  const r = result as { failures?: unknown; passed?: unknown; status?: unknown; reason?: unknown };
  if (Array.isArray(r.failures)) return r.failures.map(String);
  if (r.passed === false) return ["QA failed"];
  if (r.status === "failed") return [`failed${typeof r.reason === "string" && r.reason ? `: ${r.reason}` : ""}`];
  return [];
}

/** The markdown a result carries for a person (Windmill renders it on the run page). */
export function markdownOf(result: unknown): string | undefined {
  const r = (result ?? {}) as { markdown?: unknown; render_all?: { markdown?: unknown }[] };
  const md = Array.isArray(r.render_all) ? r.render_all.find((x) => typeof x?.markdown === "string")?.markdown : r.markdown;
  return typeof md === "string" ? md : undefined;
}
