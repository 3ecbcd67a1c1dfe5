// Prints test:agents' summary table after the run: one row per agent from the `conformance` meta
// its tests recorded (conformance.test.ts).
import type { Reporter, TestModule } from "vitest/node";

export interface ConformanceRow {
  agent: string;
  version?: string;
  edit?: string;
  commit?: string;
  usage?: string;
  session?: string;
  authError?: string;
  seconds?: string;
  /** What `agents health` says of it on the same configuration. */
  health?: string;
}

declare module "vitest" {
  interface TaskMeta {
    conformance?: ConformanceRow | ConformanceRow[];
  }
}

const COLUMNS: [keyof ConformanceRow, string][] = [
  ["agent", "agent"],
  ["version", "version"],
  ["edit", "edit"],
  ["commit", "commit"],
  ["usage", "usage"],
  ["session", "session"],
  ["authError", "auth error"],
  ["seconds", "seconds"],
  ["health", "health"],
];

export default class ConformanceTable implements Reporter {
  onTestRunEnd(modules: readonly TestModule[]): void {
    const rows = new Map<string, ConformanceRow>();
    for (const m of modules) {
      for (const t of m.children.allTests()) {
        for (const meta of [t.meta().conformance ?? []].flat()) rows.set(meta.agent, { ...rows.get(meta.agent), ...meta });
      }
    }
    if (!rows.size) return;
    const table = [...rows.values()].sort((a, b) => a.agent.localeCompare(b.agent)).map((r) => COLUMNS.map(([k]) => r[k] ?? "–"));
    const head = COLUMNS.map(([, h]) => h);
    const widths = head.map((h, i) => Math.max(h.length, ...table.map((r) => r[i]!.length)));
    const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
    const out = [line(head), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...table.map(line)];
    process.stdout.write(`\nReal agent CLIs through execute_task in the sandbox:\n${out.join("\n")}\n`);
  }
}
