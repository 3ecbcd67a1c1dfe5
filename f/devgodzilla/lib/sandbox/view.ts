// What a sandboxed process sees of the host: an allow-list, not the host minus known secrets.
//
//   system      /usr and the merged-usr links (/bin, /lib…) read-only: node, python, git, compilers
//   /etc        only the entries programs need to run (users, name service, TLS roots, dynamic
//               linker, time zone, alternatives…) — not /etc/npmrc, /etc/pip.conf, ssh host keys
//   runtime     the installation of the Node that runs us (the sandbox launcher is a Node script)
//   programs    the agent's own installation (its package's node_modules, or its folder)
//   toolchains  per language the project uses, the toolchain folders that live under HOME
//               (rustup/cargo, pyenv, nvm, volta, asdf…) read-only, with the variables that point
//               the toolchain at them — never HOME itself
//   git objects the object stores the worktree borrows from (clone --shared alternates), read-only
//   worktree    read-write (with read-only parts), the task's temp dir read-write (HOME lives there)
// Everything else — the worker's HOME (other agents' logins, shell history, ~/.ssh…), /run and
// its sockets, /var, /tmp, /sys, other runs' state, the resources file wherever it lives — is not
// in the sandbox's mount namespace at all.

import { existsSync, lstatSync, readFileSync, readlinkSync, realpathSync, statSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";

/** Top-level system folders, read-only (merged-usr links are recreated as links). */
const SYSTEM = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"];

/** The /etc entries programs need; nothing that holds credentials. */
export const ETC_ALLOWED = [
  "passwd",
  "group",
  "nsswitch.conf",
  "hosts",
  "host.conf",
  "resolv.conf",
  "gai.conf",
  "hostname",
  "networks",
  "protocols",
  "services",
  "ssl",
  "ca-certificates",
  "ca-certificates.conf",
  "pki",
  "crypto-policies",
  "ld.so.cache",
  "ld.so.conf",
  "ld.so.conf.d",
  "alternatives",
  "localtime",
  "timezone",
  "locale.alias",
  "locale.conf",
  "default/locale",
  "os-release",
  "lsb-release",
  "debian_version",
  "mime.types",
  "magic",
  "inputrc",
  "terminfo",
  "bash.bashrc",
  "gitconfig",
  "python3",
  "java-17-openjdk",
  "java-21-openjdk",
  "maven",
];

/**
 * Toolchains installed under HOME, by language: folders (relative to HOME) exposed read-only and
 * the variables that tell the toolchain where they are (its default would be the fresh HOME).
 */
const HOME_TOOLCHAINS: Record<string, { dirs: string[]; env?: Record<string, string> }> = {
  rust: { dirs: [".cargo/bin", ".rustup"], env: { RUSTUP_HOME: ".rustup" } },
  python: { dirs: [".pyenv", ".local/share/uv/python", ".local/bin"], env: { PYENV_ROOT: ".pyenv" } },
  node: { dirs: [".nvm/versions/node", ".volta", ".bun/bin", ".deno/bin", ".local/share/pnpm"], env: { VOLTA_HOME: ".volta" } },
  go: { dirs: ["go/bin", "sdk"] },
  java: { dirs: [".sdkman/candidates"] },
  ruby: { dirs: [".rbenv", ".rvm"], env: { RBENV_ROOT: ".rbenv" } },
  any: { dirs: [".asdf", ".local/share/mise"], env: { ASDF_DIR: ".asdf", ASDF_DATA_DIR: ".asdf" } },
};

const LANGUAGE_TOOLCHAIN: Record<string, string> = {
  rust: "rust",
  python: "python",
  typescript: "node",
  javascript: "node",
  go: "go",
  java: "java",
  kotlin: "java",
  scala: "java",
  ruby: "ruby",
};
/** A command's program names the toolchain it needs (install commands, project checks). */
const COMMAND_TOOLCHAIN: Record<string, string> = {
  cargo: "rust",
  rustc: "rust",
  rustup: "rust",
  python: "python",
  python3: "python",
  pip: "python",
  pip3: "python",
  uv: "python",
  poetry: "python",
  pdm: "python",
  pipenv: "python",
  node: "node",
  npm: "node",
  npx: "node",
  pnpm: "node",
  yarn: "node",
  bun: "node",
  bunx: "node",
  deno: "node",
  go: "go",
  gofmt: "go",
  mvn: "java",
  gradle: "java",
  java: "java",
  bundle: "ruby",
  ruby: "ruby",
  gem: "ruby",
  rake: "ruby",
};

/** The toolchains a task needs: from the project's languages and the programs it runs. */
export function toolchainsFor(languages: readonly string[], programs: readonly string[]): string[] {
  const out = new Set<string>();
  for (const l of languages) if (LANGUAGE_TOOLCHAIN[l.toLowerCase()]) out.add(LANGUAGE_TOOLCHAIN[l.toLowerCase()]!);
  for (const p of programs) if (COMMAND_TOOLCHAIN[path.basename(p)]) out.add(COMMAND_TOOLCHAIN[path.basename(p)]!);
  if (out.size) out.add("any");
  return [...out];
}

export interface ViewInput {
  worktree: string;
  tmpDir: string;
  /** Executables (and scripts) of the agent whose installation is exposed read-only. */
  programs: readonly string[];
  /** Toolchain names from toolchainsFor. */
  toolchains: readonly string[];
  /** Paths exposed read-only: inside the worktree (kept read-only) or outside it. */
  readOnly: readonly string[];
  /** Paths inside exposed areas that are replaced by empty ones. */
  hide: readonly string[];
  /** Where an empty file lives (to hide files with). */
  emptyFile: string;
  /** Files put at a path read-only, last (e.g. the execute phase's /etc/hosts): [source, target]. */
  files?: readonly [string, string][];
}

export interface View {
  /** bwrap arguments, in order. */
  args: string[];
  /** Variables the toolchains need (RUSTUP_HOME…). */
  env: Record<string, string>;
}

export function real(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

const isDir = (p: string) => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};
const under = (p: string, dir: string) => p === dir || p.startsWith(dir + path.sep);

/** The folder of a program's installation: the top-most node_modules it sits in, else its folder. */
export function installRoot(file: string): string {
  const nm = file.indexOf(`${path.sep}node_modules${path.sep}`);
  return nm >= 0 ? file.slice(0, nm + "/node_modules".length) : path.dirname(file);
}

/** The Node installation running us (/usr → already there; nvm or /opt installs are added). */
function runtimeRoot(): string {
  const exe = real(process.execPath);
  return path.dirname(path.dirname(exe));
}

/** Object stores a worktree borrows from (git clone --shared writes them to objects/info/alternates). */
function gitAlternates(worktree: string): string[] {
  try {
    const file = path.join(worktree, ".git", "objects", "info", "alternates");
    return readFileSync(file, "utf8")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith("#") && path.isAbsolute(l) && isDir(l));
  } catch {
    return [];
  }
}

/**
 * The bwrap mount arguments for the allow-list. Order matters: read-only system parts first, then
 * hidden parts, then the writable worktree and temp dir, then read-only parts inside them.
 */
export function buildView(v: ViewInput): View {
  const a: string[] = [];
  const home = real(homedir());
  const worktree = real(v.worktree);
  const tmp = real(v.tmpDir);
  // Read-only areas are collected first and mounted after the hidden folders that hold them (the
  // runner hides the whole system temp dir, where its own temp dir and the sandbox's control files
  // live) and before the hidden paths inside them (a resources file next to an agent's program).
  const exposedRo: string[] = [];
  const env: Record<string, string> = {};
  const ro = (p: string) => {
    if (!existsSync(p) || exposedRo.includes(p)) return;
    // Never the worker's HOME (or a folder holding it), whatever asked for it.
    if (under(home, p)) return;
    exposedRo.push(p);
  };

  for (const s of SYSTEM) {
    if (!existsSync(s)) continue;
    const st = lstatSync(s);
    if (st.isSymbolicLink()) a.push("--symlink", readlinkSync(s), s);
    else if (st.isDirectory()) a.push("--ro-bind", s, s);
  }
  for (const e of ETC_ALLOWED) {
    const p = path.join("/etc", e);
    if (existsSync(p)) a.push("--ro-bind", p, p);
  }
  a.push("--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp", "--tmpfs", "/dev/shm");

  const runtime = runtimeRoot();
  if (!SYSTEM.some((s) => under(runtime, s))) ro(runtime);
  for (const p of v.programs) {
    if (!path.isAbsolute(p) || !existsSync(p)) continue;
    for (const f of new Set([path.resolve(p), real(p)])) {
      const root = installRoot(f);
      // A program lying directly in HOME (or /) gets itself, not its folder.
      if (under(home, root) || root === "/") ro(f);
      else ro(root);
    }
  }
  for (const t of v.toolchains) {
    const tc = HOME_TOOLCHAINS[t];
    if (!tc) continue;
    for (const d of tc.dirs) ro(real(path.join(home, d)));
    for (const [k, rel] of Object.entries(tc.env ?? {})) if (existsSync(path.join(home, rel))) env[k] = path.join(home, rel);
  }
  for (const alt of gitAlternates(worktree)) ro(real(alt));
  const outsideRo = v.readOnly.map((p) => real(path.isAbsolute(p) ? p : path.join(worktree, p)));
  for (const p of outsideRo) if (!under(p, worktree) && !under(p, tmp)) ro(p);

  // Parents first; a path inside one already hidden is hidden with it (unless a read-only area
  // mounted on top shows it again).
  const hidden: string[] = [];
  const [holding, inside]: string[][] = [[], []];
  for (const h of v.hide
    .filter((x) => existsSync(x))
    .map(real)
    .sort((x, y) => x.length - y.length)) {
    const inArea = exposedRo.some((p) => under(h, p));
    // (never the runtime's own folder: the launcher runs on it)
    if ((hidden.some((d) => under(h, d)) && !inArea) || h === "/" || under(real(process.execPath), h)) continue;
    const mount = isDir(h) ? ["--tmpfs", h] : ["--ro-bind", v.emptyFile, h];
    (exposedRo.some((p) => under(p, h)) ? holding : inside).push(...mount);
    if (isDir(h)) hidden.push(h);
  }
  a.push(...holding);
  for (const p of exposedRo) a.push("--ro-bind", p, p);
  a.push(...inside);

  a.push("--bind", worktree, worktree, "--bind", tmp, tmp);
  for (const p of outsideRo) if (under(p, worktree) || under(p, tmp)) a.push("--ro-bind", p, p);
  for (const [src, dst] of v.files ?? []) a.push("--ro-bind", src, dst);
  for (const h of hidden) a.push("--remount-ro", h);
  // /tmp stays an empty read-only folder (the temp dir is mounted inside it when it lives there),
  // and so does the sandbox's own root: nothing is written anywhere but the worktree and temp dir.
  a.push("--remount-ro", "/tmp", "--remount-ro", "/");
  return { args: a, env };
}
