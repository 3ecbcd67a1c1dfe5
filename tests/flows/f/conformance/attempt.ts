import { appendFileSync, readFileSync, existsSync } from "node:fs";

// Appends one line per run to `counter_file`; fails until the run numbered `succeed_on` (0 = never).
export async function main(counter_file: string, succeed_on = 0) {
  appendFileSync(counter_file, `${Date.now()}\n`);
  const runs = existsSync(counter_file) ? readFileSync(counter_file, "utf8").trim().split("\n").length : 1;
  if (succeed_on === 0 || runs < succeed_on) throw new Error(`run ${runs} failed on purpose`);
  return { runs };
}
