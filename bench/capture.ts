// Benchmark: artifacts capture cost must follow the number of CHANGED files, not the repository
// size. Two real git repositories are built in a temp dir — 20,000 files and 200 files — each gets
// the same 10 changes (6 modified, 3 added, 1 deleted), committed as execute_task does, and
// captureArtifacts({ committed: true }) runs on both (median of several runs, interleaved).
// Target: large / small ≤ 2×. For transparency it also measures, side by side, the commit itself
// (`git add --all` + commit: one stat pass over the tree, which grows with the repository) and the
// capture of UNcommitted work (which needs that stat pass too). Last line: JSON figures.

import { mkdtemp, mkdir, writeFile, rm, unlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import { captureArtifacts } from "../f/devgodzilla/lib/workspace/artifacts.ts";
import { commitAll } from "../f/devgodzilla/lib/git.ts";
import { Redactor } from "../f/devgodzilla/lib/redact.ts";

const RUNS = Number(process.env.BENCH_RUNS ?? 9);

async function git(dir: string, args: string[]) {
  await execa("git", args, { cwd: dir });
}

async function makeRepo(root: string, name: string, nFiles: number): Promise<{ dir: string; base: string }> {
  const dir = path.join(root, name);
  await mkdir(dir, { recursive: true });
  await git(dir, ["init", "--quiet", "-b", "main"]);
  // 100 files per directory, nested two levels, like a real source tree.
  const writes: Promise<void>[] = [];
  for (let i = 0; i < nFiles; i++) {
    const d = path.join(dir, "src", `m${Math.floor(i / 1000)}`, `p${Math.floor(i / 100) % 10}`);
    if (i % 100 === 0) await mkdir(d, { recursive: true });
    writes.push(writeFile(path.join(d, `f${i}.ts`), `export const v${i} = ${i};\n// ${"x".repeat(200)}\n`));
    if (writes.length >= 500) await Promise.all(writes.splice(0));
  }
  await Promise.all(writes);
  await git(dir, ["add", "--all"]);
  await git(dir, ["-c", "user.name=b", "-c", "user.email=b@example.test", "commit", "--quiet", "-m", "seed"]);
  const base = (await execa("git", ["rev-parse", "HEAD"], { cwd: dir })).stdout.trim();
  // The same 10 changes in both repos.
  for (let i = 0; i < 6; i++) {
    const f = path.join(dir, "src", "m0", `p${i % 2}`, `f${i * 7 + (i % 2) * 100}.ts`);
    await writeFile(f, `export const changed${i} = ${i};\n`);
  }
  await mkdir(path.join(dir, "src", "new"), { recursive: true });
  for (let i = 0; i < 3; i++) await writeFile(path.join(dir, "src", "new", `added${i}.ts`), `export const added${i} = true;\n`);
  await unlink(path.join(dir, "src", "m0", "p1", "f199.ts"));
  // A warm index (stat info fresh), as after an agent run.
  await git(dir, ["update-index", "--refresh", "-q"]).catch(() => undefined);
  return { dir, base };
}

/** Commits the changes as execute_task does (commitAll: add --all + commit); returns the time. */
async function commitChanges(dir: string): Promise<number> {
  const s = performance.now();
  await commitAll(dir, "T001: bench change");
  return performance.now() - s;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** CPU time (ms) used by this process's finished children (git), from /proc/self/stat. */
async function childCpuMs(): Promise<number> {
  const { readFile } = await import("node:fs/promises");
  const stat = await readFile("/proc/self/stat", "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // Fields 16 and 17 (cutime, cstime) are at index 13 and 14 after the command name.
  return ((Number(f[13]) + Number(f[14])) * 1000) / 100;
}

async function main() {
  const root = await mkdtemp(path.join(tmpdir(), "dgz-bench-capture-"));
  try {
    const t0 = Date.now();
    const large = await makeRepo(root, "large", 20_000);
    const small = await makeRepo(root, "small", 200);
    console.log(`built repos (20,000 and 200 files) in ${Date.now() - t0} ms`);
    const redactor = new Redactor(["not-a-real-secret-value"]);
    const repos = [["large", large], ["small", small]] as const;

    // 1. Uncommitted work (stage: false leaves the index alone, so every run sees the same state).
    const unc: Record<"large" | "small", number[]> = { large: [], small: [] };
    for (const [, repo] of repos) await captureArtifacts({ dir: repo.dir, base: repo.base, redactor, stage: false });
    for (let i = 0; i < RUNS; i++) {
      for (const [k, repo] of repos) {
        const s = performance.now();
        await captureArtifacts({ dir: repo.dir, base: repo.base, redactor, stage: false });
        unc[k].push(performance.now() - s);
      }
    }
    // 2. The commit (once per repo, as in a task).
    const commitMs = { large: await commitChanges(large.dir), small: await commitChanges(small.dir) };

    // 3. The capture execute_task does: from the commit.
    const times: Record<"large" | "small", number[]> = { large: [], small: [] };
    const cpu: Record<"large" | "small", number> = { large: 0, small: 0 };
    let changed = { large: 0, small: 0 };
    for (const [, repo] of repos) await captureArtifacts({ dir: repo.dir, base: repo.base, redactor, committed: true });
    for (let i = 0; i < RUNS; i++) {
      for (const [k, repo] of repos) {
        const c0 = await childCpuMs();
        const s = performance.now();
        const a = await captureArtifacts({ dir: repo.dir, base: repo.base, redactor, logs: { agent: "done" }, committed: true });
        times[k].push(performance.now() - s);
        cpu[k] += (await childCpuMs()) - c0;
        changed = { ...changed, [k]: a.files.length };
      }
    }
    const l = median(times.large);
    const s = median(times.small);
    const ratio = l / s;
    const uncRatio = median(unc.large) / median(unc.small);
    console.log(`changed files reported: large ${changed.large}, small ${changed.small}`);
    console.log(`capture of the task's commit, 20,000-file repo: median ${l.toFixed(1)} ms over ${RUNS} runs`);
    console.log(`capture of the task's commit,    200-file repo: median ${s.toFixed(1)} ms over ${RUNS} runs`);
    console.log(`ratio large/small: ${ratio.toFixed(2)}× (target ≤ 2×) ${ratio <= 2 ? "OK" : "MISSED"}`);
    const cpuL = cpu.large / RUNS;
    const cpuS = cpu.small / RUNS;
    console.log(`git CPU time per capture: large ${cpuL.toFixed(1)} ms, small ${cpuS.toFixed(1)} ms (10 ms clock ticks)`);
    console.log(`(for comparison) capture of UNcommitted work: large ${median(unc.large).toFixed(1)} ms, small ${median(unc.small).toFixed(1)} ms, ratio ${uncRatio.toFixed(2)}× — it needs a stat pass over the tree`);
    console.log(`(for comparison) the commit itself (add --all + commit): large ${commitMs.large.toFixed(1)} ms, small ${commitMs.small.toFixed(1)} ms`);
    const load = (await import("node:os")).loadavg()[0];
    console.log(`load average while measuring: ${load.toFixed(2)} on ${(await import("node:os")).cpus().length} CPUs`);
    console.log(
      JSON.stringify({
        bench: "capture",
        large_files: 20000,
        small_files: 200,
        changed_files: changed.large,
        runs: RUNS,
        large_median_ms: Number(l.toFixed(1)),
        small_median_ms: Number(s.toFixed(1)),
        ratio: Number(ratio.toFixed(3)),
        uncommitted_large_median_ms: Number(median(unc.large).toFixed(1)),
        uncommitted_small_median_ms: Number(median(unc.small).toFixed(1)),
        uncommitted_ratio: Number(uncRatio.toFixed(3)),
        commit_large_ms: Number(commitMs.large.toFixed(1)),
        commit_small_ms: Number(commitMs.small.toFixed(1)),
        git_cpu_ms_large: Number(cpuL.toFixed(1)),
        git_cpu_ms_small: Number(cpuS.toFixed(1)),
        load_average: Number(load.toFixed(2)),
        target_met: ratio <= 2 && changed.large === 10 && changed.small === 10,
      }),
    );
  } finally {
    await rm(root, { recursive: true, force: true, maxRetries: 5 });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
