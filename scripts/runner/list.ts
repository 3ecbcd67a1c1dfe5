// `devgodzilla runs`: the recorded runs as a table — a header, each task job under the run that
// started it, a run whose runner died shown as interrupted, and the command that continues every
// run that can go on.
import { existsSync } from "node:fs";
import path from "node:path";
import { formatDuration } from "./progress.ts";
import { isInterrupted, resumeCommand, type RunRecord, type RunStore } from "./runs.ts";

/** The status a person reads: a dead runner's "running" is "interrupted", a suspended run "waiting". */
export function shownStatus(r: RunRecord): string {
  if (isInterrupted(r)) return "interrupted";
  if (r.status === "suspended") return "waiting";
  return r.status;
}

/** `withOptions` adds the options the listing was given (e.g. --state-dir) to each resume command. */
export function formatRunList(runs: RunStore, withOptions: (command: string) => string = (c) => c): string {
  const all = runs.list().sort((a, b) => a.created_at.localeCompare(b.created_at));
  if (!all.length) return `No runs recorded in ${runs.dir} — start one with npx devgodzilla run <path> (or npm start for the demo)\n`;
  const ids = new Set(all.map((r) => r.id));
  // A task job's parent is the step job that started it; the run it belongs to is its root.
  const parentOf = (r: RunRecord) => [r.parent_job, r.root_job].find((id) => id && id !== r.id && ids.has(id));
  const children = new Map<string, RunRecord[]>();
  for (const r of all) {
    const p = parentOf(r);
    if (p) children.set(p, [...(children.get(p) ?? []), r]);
  }
  const rows: string[][] = [["RUN ID", "STATUS", "STARTED", "TOOK", "FLOW OR SCRIPT"]];
  const notes = new Map<number, string>();
  const add = (r: RunRecord, depth: number) => {
    const task = (r.args?.task as { id?: unknown } | undefined)?.id;
    const demo = existsSync(path.join(runs.runDir(r.id), "demo.json")) ? " (demo)" : "";
    const at =
      r.status === "suspended" && r.pending
        ? ` (at step ${r.pending.step_id})`
        : r.error?.step_id && r.status === "failure"
          ? ` (failed at ${r.error.step_id})`
          : "";
    rows.push([
      `${"  ".repeat(depth)}${depth ? "└ " : ""}${r.id}`,
      shownStatus(r),
      r.created_at.replace("T", " ").slice(0, 19),
      r.duration_ms !== undefined ? formatDuration(r.duration_ms) : "",
      `${r.path}${typeof task === "string" ? ` ${task}` : ""}${demo}${at}`,
    ]);
    if (!depth && (isInterrupted(r) || r.status === "suspended"))
      notes.set(rows.length - 1, `${"  ".repeat(depth + 1)}continue: ${withOptions(resumeCommand(r))}`);
    for (const c of children.get(r.id) ?? []) add(c, depth + 1);
  };
  for (const r of all) if (!parentOf(r)) add(r, 0);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return (
    rows
      .map(
        (row, i) =>
          row
            .map((c, j) => (j === row.length - 1 ? c : c.padEnd(widths[j]!)))
            .join("  ")
            .trimEnd() + (notes.has(i) ? `\n${notes.get(i)}` : ""),
      )
      .join("\n") + "\n"
  );
}
