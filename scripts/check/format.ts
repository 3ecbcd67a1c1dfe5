// The formatter's verdict: every file it owns (FORMATTED, minus .prettierignore) as prettier would
// write it. `npm run format` rewrites them.
import { execa } from "execa";
import path from "node:path";
import { REPO_ROOT } from "../runner/bundle.ts";

/** What the formatter owns; .prettierignore leaves out what Windmill's tooling writes and byte-exact fixtures. */
export const FORMATTED = ["f/**/*.ts", "scripts/**/*.{ts,mjs}", "tests/**/*.ts", "bench/**/*.ts", "*.ts"];

/** Files under `root` that prettier would change, or why it could not tell. */
export async function formatProblems(root: string): Promise<string[]> {
  const prettier = path.join(REPO_ROOT, "node_modules", ".bin", "prettier");
  const r = await execa(prettier, ["--list-different", "--no-error-on-unmatched-pattern", ...FORMATTED], { reject: false, cwd: root });
  if (r.exitCode === 0) return [];
  const files = r.stdout.split("\n").filter(Boolean);
  return files.length ? files.map((f) => `${f}: not formatted (npm run format)`) : [`prettier exited ${r.exitCode}: ${r.stderr.trim().slice(0, 300)}`];
}
