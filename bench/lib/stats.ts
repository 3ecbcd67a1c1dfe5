// Figures every benchmark prints the same way: median, mean and p90 side by side, the fitted growth
// exponent of a ×1/×10/×100 scaling table, and the machine's load (2 shared cores: wall time under
// load measures the scheduler as much as the code, so CPU time is printed beside it).
import { cpus, loadavg } from "node:os";

export interface Stats {
  median: number;
  mean: number;
  p90: number;
  n: number;
}

export function stats(xs: readonly number[]): Stats {
  if (!xs.length) return { median: NaN, mean: NaN, p90: NaN, n: 0 };
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]!;
  return { median: q(0.5), mean: xs.reduce((a, b) => a + b, 0) / xs.length, p90: q(0.9), n: xs.length };
}

/** Least-squares slope of log(cost) on log(size): 1 is linear, 2 quadratic. */
export function growthExponent(points: readonly (readonly [number, number])[]): number {
  const xs = points.map(([x]) => Math.log(x));
  const ys = points.map(([, y]) => Math.log(Math.max(y, 1e-9)));
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let num = 0;
  let den = 0;
  xs.forEach((x, i) => {
    num += (x - mx) * (ys[i]! - my);
    den += (x - mx) ** 2;
  });
  return num / den;
}

export const round = (x: number, digits = 3) => Number(x.toFixed(digits));
export const roundStats = (s: Stats, digits = 3) => ({ median: round(s.median, digits), mean: round(s.mean, digits), p90: round(s.p90, digits) });
export const fmtStats = (s: Stats, digits = 2) => `${s.median.toFixed(digits)} / ${s.mean.toFixed(digits)} / ${s.p90.toFixed(digits)}`;

/** CPU time (ms) this process has used since `since` (from process.cpuUsage()). */
export function cpuMs(since?: NodeJS.CpuUsage): number {
  const c = process.cpuUsage(since);
  return (c.user + c.system) / 1000;
}

export interface Machine {
  loadAverage: number;
  cores: number;
  /** Load average ≥ cores: wall-clock targets are not judged, CPU-time ones are. */
  oversubscribed: boolean;
}

export function machine(): Machine {
  const loadAverage = round(loadavg()[0]!, 2);
  const cores = cpus().length;
  return { loadAverage, cores, oversubscribed: loadAverage >= cores };
}

/** Prints a markdown table. */
export function printTable(header: string[], rows: (string | number)[][]): void {
  console.log(`| ${header.join(" | ")} |`);
  console.log(`|${header.map(() => "---").join("|")}|`);
  for (const r of rows) console.log(`| ${r.join(" | ")} |`);
}
