// Process and memory limits for a sandbox (setup and execute phases).
//
// Where the worker may create cgroups (cgroup v1 pids/memory hierarchies, or a cgroup v2 with
// those controllers), each sandbox gets its own: pids.max bounds processes AND threads, the memory
// limit makes the kernel's OOM killer stop the sandbox's biggest process. A watcher stops the
// whole sandbox at the first refused fork, so a fork bomb ends at once instead of spinning at the
// cap until the time limit. Elsewhere rlimits through prlimit (util-linux): RLIMIT_NPROC and
// RLIMIT_DATA per process — weaker (NPROC counts the user's processes, and root ignores it), and
// the result says which mechanism held.
//
// The launching shell writes its own pid into the cgroups before it execs bwrap, so nothing the
// sandbox starts is ever outside them (moving a pid after spawn would race a fork).

import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

export interface SandboxLimits {
  /** Processes + threads inside the sandbox. */
  maxProcesses: number;
  /** Memory of everything inside the sandbox, in MiB. */
  maxMemoryMb: number;
}

/** The limits as resources give them (agents resource `sandbox`, QA resource `checks`); absent = DEFAULT_LIMITS. */
export const SandboxLimitFields = {
  max_processes: z.number().int().min(16).max(1_000_000).optional(),
  max_memory_mb: z
    .number()
    .int()
    .min(64)
    .max(4 * 1024 * 1024)
    .optional(),
};

/** 256 tasks: agents and builds run comfortably; a 400-process fork bomb does not. */
export const DEFAULT_LIMITS: SandboxLimits = { maxProcesses: 256, maxMemoryMb: 4096 };

export interface AppliedLimits {
  /** How the limits are enforced, for the task's result. */
  mechanism: string;
  /** cgroup.procs files the launching shell joins before exec. */
  procsFiles: string[];
  /** A prlimit command prefix when rlimits are used instead. */
  prefix: string[];
  /** Starts watching for a refused fork or an OOM kill (call once the process runs). */
  watch(): void;
  /** What stopped the sandbox, once a limit did. */
  exceeded(): string | null;
  /** Kills what is left, removes the cgroups. */
  dispose(): Promise<void>;
}

interface Group {
  dir: string;
  /** File whose "max N" / "oom_kill N" line counts limit hits. */
  events: string;
  pattern: RegExp;
  what: string;
}

function mountinfo(): { root: string; mount: string; fstype: string; opts: string[] }[] {
  try {
    return readFileSync("/proc/self/mountinfo", "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => {
        const [pre, post] = l.split(" - ");
        const f = pre!.split(" ");
        const g = (post ?? "").split(" ");
        return { root: f[3]!, mount: f[4]!, fstype: g[0]!, opts: (g[2] ?? "").split(",") };
      });
  } catch {
    return [];
  }
}

/** Our cgroup folder for a v1 controller ("pids", "memory") or v2 (""). */
function ownCgroupDir(controller: string): string | null {
  let lines: string[];
  try {
    lines = readFileSync("/proc/self/cgroup", "utf8").split("\n").filter(Boolean);
  } catch {
    return null;
  }
  const mounts = mountinfo();
  for (const l of lines) {
    const [, ctrls, p] = l.split(":");
    const v2 = controller === "" && ctrls === "";
    if (!v2 && !(controller && ctrls!.split(",").includes(controller))) continue;
    const m = mounts.find(
      (x) =>
        (v2 ? x.fstype === "cgroup2" : x.fstype === "cgroup" && x.opts.includes(controller)) &&
        (p === x.root || p!.startsWith(x.root === "/" ? "/" : `${x.root}/`)),
    );
    if (m) return path.join(m.mount, path.relative(m.root, p!));
  }
  return null;
}

function tryWrite(file: string, value: string): boolean {
  try {
    writeFileSync(file, value);
    return true;
  } catch {
    return false;
  }
}

function makeGroup(parent: string | null, name: string): string | null {
  if (!parent) return null;
  const dir = path.join(parent, name);
  try {
    mkdirSync(dir);
    return dir;
  } catch {
    return null;
  }
}

function removeGroup(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    /* still busy or already gone */
  }
}

/** cgroup v1 (pids + memory hierarchies) or v2 (one folder with both controllers); null when not allowed here. */
function cgroupGroups(l: SandboxLimits, name: string): Group[] | null {
  const bytes = String(l.maxMemoryMb * 1024 * 1024);
  const v1pids = makeGroup(ownCgroupDir("pids"), name);
  if (v1pids && tryWrite(path.join(v1pids, "pids.max"), String(l.maxProcesses))) {
    const groups: Group[] = [
      {
        dir: v1pids,
        events: path.join(v1pids, "pids.events"),
        pattern: /^max (\d+)/m,
        what: `the process limit (${l.maxProcesses} processes and threads) was reached`,
      },
    ];
    const mem = makeGroup(ownCgroupDir("memory"), name);
    if (mem && tryWrite(path.join(mem, "memory.limit_in_bytes"), bytes)) {
      tryWrite(path.join(mem, "memory.memsw.limit_in_bytes"), bytes); // no swapping past the limit either
      groups.push({
        dir: mem,
        events: path.join(mem, "memory.oom_control"),
        pattern: /^oom_kill (\d+)/m,
        what: `the memory limit (${l.maxMemoryMb} MiB) was reached`,
      });
    } else if (mem) removeGroup(mem);
    return groups;
  }
  if (v1pids) removeGroup(v1pids);
  const v2 = makeGroup(ownCgroupDir(""), name);
  if (v2 && tryWrite(path.join(v2, "pids.max"), String(l.maxProcesses)) && tryWrite(path.join(v2, "memory.max"), bytes)) {
    return [
      {
        dir: v2,
        events: path.join(v2, "pids.events"),
        pattern: /^max (\d+)/m,
        what: `the process limit (${l.maxProcesses} processes and threads) was reached`,
      },
      { dir: v2, events: path.join(v2, "memory.events"), pattern: /^oom_kill (\d+)/m, what: `the memory limit (${l.maxMemoryMb} MiB) was reached` },
    ];
  }
  if (v2) removeGroup(v2);
  return null;
}

function findOnPath(name: string): string | null {
  for (const d of (process.env.PATH ?? "/usr/bin:/bin").split(":")) {
    const p = path.join(d, name);
    if (d && existsSync(p)) return p;
  }
  return null;
}

function killAll(dirs: string[]): void {
  for (let round = 0; round < 50; round++) {
    let left = 0;
    for (const d of dirs) {
      let pids: string[] = [];
      try {
        pids = readFileSync(path.join(d, "cgroup.procs"), "utf8").split("\n").filter(Boolean);
      } catch {
        continue;
      }
      for (const pid of pids) {
        left++;
        try {
          process.kill(Number(pid), "SIGKILL");
        } catch {
          /* gone */
        }
      }
    }
    if (!left) return;
  }
}

const count = (g: Group) => {
  try {
    return Number(g.pattern.exec(readFileSync(g.events, "utf8"))?.[1] ?? 0);
  } catch {
    return 0;
  }
};

export function applyLimits(limits: SandboxLimits, name: string): AppliedLimits {
  const groups = cgroupGroups(limits, name);
  if (groups) {
    const dirs = [...new Set(groups.map((g) => g.dir))];
    let exceeded: string | null = null;
    let timer: NodeJS.Timeout | undefined;
    const check = () => {
      if (exceeded) return;
      const hit = groups.find((g) => count(g) > 0);
      if (!hit) return;
      exceeded = hit.what;
      killAll(dirs);
    };
    return {
      mechanism: groups.some((g) => g.what.includes("memory"))
        ? `cgroup (${limits.maxProcesses} processes and threads, ${limits.maxMemoryMb} MiB)`
        : `cgroup (${limits.maxProcesses} processes and threads; memory not limited: no memory controller here)`,
      procsFiles: dirs.map((d) => path.join(d, "cgroup.procs")),
      prefix: [],
      watch() {
        timer ??= setInterval(check, 100);
        timer.unref();
      },
      exceeded: () => (check(), exceeded),
      async dispose() {
        if (timer) clearInterval(timer);
        check();
        killAll(dirs);
        for (let i = 0; i < 40 && dirs.some((d) => existsSync(d)); i++) {
          for (const d of dirs) removeGroup(d);
          if (dirs.some((d) => existsSync(d))) await new Promise((r) => setTimeout(r, 50));
        }
      },
    };
  }
  const prlimit = findOnPath("prlimit");
  const none = { procsFiles: [], watch() {}, exceeded: () => null, dispose: async () => {} };
  if (!prlimit) return { ...none, mechanism: "none (no cgroup access and no prlimit on PATH)", prefix: [] };
  return {
    ...none,
    mechanism: `rlimit per process (prlimit: ${limits.maxProcesses} processes of this user, ${limits.maxMemoryMb} MiB data)`,
    prefix: [prlimit, `--nproc=${limits.maxProcesses}`, `--data=${limits.maxMemoryMb * 1024 * 1024}`, "--"],
  };
}

// ---------------------------------------------------------------------------------------------
// Setup phase: no unix sockets

const AUDIT_ARCH_X86_64 = 0xc000003e;
const AUDIT_ARCH_AARCH64 = 0xc00000b7;
const SECCOMP_RET_ALLOW = 0x7fff0000;
const SECCOMP_RET_ERRNO_EACCES = 0x00050000 | 13;

/**
 * A seccomp program (for bwrap --seccomp) refusing socket(AF_UNIX, …). The setup phase shares the
 * host's network namespace, where abstract unix sockets (@name) of host services are reachable
 * without any file; with this filter no unix socket can be created at all (socketpair, which
 * runtimes use for child pipes, stays allowed). Other architectures get no filter rules.
 */
export function noUnixSocketsFilter(): Buffer {
  const LD = 0x20;
  const JEQ = 0x15;
  const RET = 0x06;
  const prog: [number, number, number, number][] = [
    [LD, 0, 0, 4], // arch
    [JEQ, 2, 0, AUDIT_ARCH_X86_64],
    [JEQ, 5, 0, AUDIT_ARCH_AARCH64],
    [RET, 0, 0, SECCOMP_RET_ALLOW],
    [LD, 0, 0, 0], // x86_64: syscall nr
    [JEQ, 4, 0, 41], // socket
    [JEQ, 3, 0, 0x40000000 | 41], // socket, x32 ABI
    [RET, 0, 0, SECCOMP_RET_ALLOW],
    [LD, 0, 0, 0], // aarch64: syscall nr
    [JEQ, 0, 3, 198], // socket
    [LD, 0, 0, 16], // args[0]: the domain
    [JEQ, 0, 1, 1], // AF_UNIX
    [RET, 0, 0, SECCOMP_RET_ERRNO_EACCES],
    [RET, 0, 0, SECCOMP_RET_ALLOW],
  ];
  const buf = Buffer.alloc(prog.length * 8);
  prog.forEach(([code, jt, jf, k], i) => {
    buf.writeUInt16LE(code, i * 8);
    buf.writeUInt8(jt, i * 8 + 2);
    buf.writeUInt8(jf, i * 8 + 3);
    buf.writeUInt32LE(k >>> 0, i * 8 + 4);
  });
  return buf;
}
