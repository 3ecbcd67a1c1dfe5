// What every tool-output parser shares: the cleaned output, the repository root, and where
// findings and test counts go. Each parser (one per output family, in this folder) reads the
// output and adds what it recognises; lib/qa/parsers.ts runs them in order.
import type { CheckKind, Finding } from "../types.ts";

export interface Parsed {
  findings: Finding[];
  counts?: { passed: number; failed: number; skipped: number };
  /** Which parsers recognised something. */
  tools: string[];
}

export interface Collector {
  kind: CheckKind;
  text: string;
  lines: string[];
  root: string;
  findings: Finding[];
  tools: Set<string>;
  counts: Parsed["counts"];
  add(f: Omit<Finding, "source">, tool: string): void;
  setCounts(passed: number, failed: number, skipped?: number): void;
}

/** A parser for one family of tool output. */
export type OutputParser = (c: Collector) => void;

export const sev = (isError: boolean): Finding["severity"] => (isError ? "blocking" : "warning");

export function relPath(p: string, root: string): string {
  let out = p.trim().replace(/^file:\/\//, "");
  const r = root.endsWith("/") ? root : root + "/";
  if (out.startsWith(r)) out = out.slice(r.length);
  return out.replace(/^\.\//, "");
}

export function collector(kind: CheckKind, text: string, root: string): Collector {
  const c: Collector = {
    kind,
    text,
    lines: text.split("\n"),
    root,
    findings: [],
    tools: new Set(),
    counts: undefined,
    add(f, tool) {
      c.tools.add(tool);
      if (c.findings.length < 200) c.findings.push({ source: "check", ...f });
    },
    setCounts(passed, failed, skipped = 0) {
      c.counts = { passed, failed, skipped };
    },
  };
  return c;
}
