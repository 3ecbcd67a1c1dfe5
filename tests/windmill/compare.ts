// Comparing a result from the local runner with the same item's result from a live Windmill:
// ids, times, durations, commit shas, temp paths and loopback ports differ between two honest runs
// of the same thing, so they are replaced by placeholders first; everything else must be equal.
import { isDeepStrictEqual } from "node:util";

export type Outcome =
  | { status: "success"; result: unknown }
  | { status: "failure"; error: { name?: string; message?: string } }
  /** The server could not evaluate an expression: it was built without V8 (deno_core). */
  | { status: "needs-v8"; error: { message?: string } }
  /** The server was built without a feature the item needs (e.g. http_trigger for the HTTP routes). */
  | { status: "needs-feature"; feature: string }
  | { status: "skipped"; reason: string };

/** Windmill's message when a build without deno_core meets an expression it cannot evaluate. */
export const NO_V8 = /Deno core is not enabled|deno_core/i;

const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;
const SHA = /\b[0-9a-f]{40}\b/g;
/** A run page link titled with the job's short id (`[83724173](…/run/<id>…)`): an id, even when its eight characters are all digits. */
const RUN_LINK = /\[[0-9a-f]{8}\]\((?=[^)\s]*\/run\/<id>)/g;
/** An abbreviated commit (7–39 hex digits with at least one digit and one letter). */
const SHORT_SHA = /\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{7,39}\b/g;
const SHORT_SHA_KEYS = /^(short_?sha|sha7|abbrev)$/i;
/** A commit shown as code in markdown (`901814731737`), or in the bundle's 12-character form: all digits is a sha there too. */
const CODE_SHA = /`[0-9a-f]{7,40}`|\b\d{12}\b/g;
const ISO_TIME = /\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?\b/g;
const DATE = /\b\d{4}-\d{2}-\d{2}\b/g;
const LOOPBACK = /\bhttps?:\/\/(?:127\.0\.0\.1|localhost|\[::1\]):\d+/g;
const TMP_PATH = /(?:\/tmp|\/var\/tmp|\/private\/var\/folders\/[^\s"'`]*?)\/[^\s"'`)\]]+/g;
/** Keys whose numbers are timings: `duration_ms`, `durationMs`, `elapsed`, `wall_s`, `started_at`… */
const DURATION_KEY = /(^|_)(ms|s|seconds|duration|elapsed|took|wall|at|time|timestamp)$|[a-z](Ms|Seconds|Duration|At|Time)$/;
const NUMBER_IN_DURATION = /\b\d+(?:\.\d+)?\s?(?:ms|s|min|h)\b/g;

/** Replaces what legitimately differs between two runs with stable placeholders. */
export function normalize(v: unknown, key = ""): unknown {
  if (typeof v === "string") {
    if (SHORT_SHA_KEYS.test(key)) return "<sha>";
    return v
      .replace(UUID, "<id>")
      .replace(RUN_LINK, "[<id>](")
      .replace(CODE_SHA, (m) => (m.startsWith("`") ? "`<sha>`" : "<sha>"))
      .replace(SHA, "<sha>")
      .replace(SHORT_SHA, "<sha>")
      .replace(ISO_TIME, "<time>")
      .replace(DATE, "<date>")
      .replace(LOOPBACK, "http://<loopback>")
      .replace(TMP_PATH, "<tmp>")
      .replace(NUMBER_IN_DURATION, "<duration>");
  }
  if (typeof v === "number" && DURATION_KEY.test(key)) return "<n>";
  if (Array.isArray(v)) return v.map((x) => normalize(x, key));
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    // A key set to null and a key left out read the same in a JSON result.
    for (const k of Object.keys(v as object).sort()) if ((v as Record<string, unknown>)[k] != null) out[k] = normalize((v as Record<string, unknown>)[k], k);
    return out;
  }
  return v;
}

export type Verdict = "same" | "different" | "needs V8" | "needs feature" | "not run";

export function compareOutcomes(local: Outcome, windmill: Outcome): { verdict: Verdict; diff?: string } {
  if (windmill.status === "needs-v8") return { verdict: "needs V8" };
  if (windmill.status === "needs-feature") return { verdict: "needs feature" };
  if (local.status === "skipped" || windmill.status === "skipped") return { verdict: "not run" };
  if (local.status !== windmill.status)
    return { verdict: "different", diff: `local ${describe(local)}${errorText(local)}, windmill ${describe(windmill)}${errorText(windmill)}` };
  const a = normalize(local.status === "success" ? local.result : { name: local.error.name });
  const b = normalize(windmill.status === "success" ? windmill.result : { name: (windmill as { error: { name?: string } }).error.name });
  if (isDeepStrictEqual(a, b)) return { verdict: "same" };
  return { verdict: "different", diff: firstDifference(a, b) };
}

const errorText = (o: Outcome) => (o.status === "failure" && o.error.message ? ` (${o.error.message.replace(/\s+/g, " ").slice(0, 160)})` : "");

/** The path and values of the first place two normalised values differ (strings: around the first differing character). */
export function firstDifference(a: unknown, b: unknown, at = "result"): string {
  if (a && b && typeof a === "object" && typeof b === "object" && Array.isArray(a) === Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a as object), ...Object.keys(b as object)])];
    for (const k of keys) {
      const x = (a as Record<string, unknown>)[k];
      const y = (b as Record<string, unknown>)[k];
      if (!isDeepStrictEqual(x, y)) return firstDifference(x, y, Array.isArray(a) ? `${at}[${k}]` : `${at}.${k}`);
    }
  }
  if (typeof a === "string" && typeof b === "string") {
    let i = 0;
    while (i < a.length && a[i] === b[i]) i++;
    const from = Math.max(0, i - 30);
    const cut = (s: string) => JSON.stringify((from ? "…" : "") + s.slice(from, i + 60));
    return `${at}: local ${cut(a)} ≠ windmill ${cut(b)}`;
  }
  const show = (x: unknown) => (x === undefined ? "absent" : JSON.stringify(x).slice(0, 120));
  return `${at}: local ${show(a)} ≠ windmill ${show(b)}`;
}

export function describe(o: Outcome): string {
  switch (o.status) {
    case "success": {
      const json = JSON.stringify(o.result) ?? "null";
      return `ok (${json.length > 1024 ? `${(json.length / 1024).toFixed(1)} KB` : `${json.length} B`})`;
    }
    case "failure":
      return `failed: ${o.error.name ?? "Error"}`;
    case "needs-v8":
      return "needs V8";
    case "needs-feature":
      return `needs ${o.feature} (not in this server's build)`;
    case "skipped":
      return `not run: ${o.reason}`;
  }
}

export interface Row {
  item: string;
  local: Outcome;
  windmill: Outcome;
  verdict: Verdict;
  diff?: string;
}

/** The printed table: item, local, windmill, same? — with the first difference under each failing row. */
export function renderTable(rows: Row[]): string {
  const cells = rows.map((r) => [r.item, describe(r.local), describe(r.windmill), r.verdict === "same" ? "yes" : r.verdict === "different" ? "NO" : r.verdict]);
  const head = ["item", "local", "windmill", "same?"];
  const width = head.map((h, i) => Math.min(60, Math.max(h.length, ...cells.map((c) => c[i]!.length))));
  const line = (c: string[]) => c.map((x, i) => (x.length > width[i]! ? x.slice(0, width[i]! - 1) + "…" : x.padEnd(width[i]!))).join("  ");
  const out = [line(head), width.map((w) => "-".repeat(w)).join("  ")];
  rows.forEach((r, i) => {
    out.push(line(cells[i]!));
    if (r.diff) out.push(`    ↳ ${r.diff}`);
  });
  return out.join("\n");
}

export function summarize(rows: Row[]): {
  items: number;
  same: number;
  different: number;
  needs_v8: number;
  needs_feature: number;
  not_run: number;
  ok: boolean;
} {
  const count = (v: Verdict) => rows.filter((r) => r.verdict === v).length;
  const s = {
    items: rows.length,
    same: count("same"),
    different: count("different"),
    needs_v8: count("needs V8"),
    needs_feature: count("needs feature"),
    not_run: count("not run"),
  };
  return { ...s, ok: s.different === 0 };
}
