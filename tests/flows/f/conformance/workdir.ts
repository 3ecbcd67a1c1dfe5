import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

// Works in a temporary working copy (as execute_task and qa do) until `release_file` exists, then
// removes it. A runner stopped meanwhile must not leave the copy behind.
export async function main(release_file: string) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "conformance-wc-"));
  writeFileSync(path.join(dir, "work.txt"), "in progress\n");
  console.log(`working copy at ${dir}`);
  try {
    while (!existsSync(release_file)) await new Promise((r) => setTimeout(r, 50));
    return { released: true };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
