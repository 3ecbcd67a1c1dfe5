// Hostile fixtures for the sandbox and secret tests: a repository whose committed symlinks lead out
// of the checkout (absolute paths, /proc/self/…, relative climbs, linked directories), built as a
// real git repository in a temp dir, and the host files it aims at, each holding a canary string a
// test can look for in whatever a step produced.
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { gitIn, writeFiles } from "../helpers/git-fixtures.ts";

export interface HostileRepo {
  /** The working tree (a git repository with one commit). */
  dir: string;
  /** A bare remote holding the same commit (for steps that clone). */
  remote: string;
  seed: string;
  /** Host files outside the repository the links point at; each holds `canary`. */
  hostDir: string;
  /** Appears in every host file the links aim at: it must never show up in a step's output. */
  canary: string;
  /** An entry of this process's initial environment (what a link to /proc/self/environ would show). */
  envCanary: string;
  cleanup(): Promise<void>;
}

const IDENTITY = ["-c", "user.name=Hostile", "-c", "user.email=hostile@example.test", "-c", "commit.gpgsign=false"];

/**
 * Links (path in the repository → target), each a different way out:
 *   absolute host path, /proc/self/cwd/… (the reading process's own directory), /proc/self/environ
 *   (its environment), a relative climb, a chain of relative links ending absolute, a linked directory.
 */
export function hostileLinks(hostDir: string, depth: number): Record<string, string> {
  const up = "../".repeat(depth + 2);
  return {
    "package.json": path.join(hostDir, "package.json"),
    "README.md": "/proc/self/cwd/package.json",
    "Cargo.toml": "/proc/self/environ",
    "docs/guide.md": `${up}${path.relative("/", path.join(hostDir, "notes.md"))}`,
    "src/chain.ts": "../docs/hop.ts",
    "docs/hop.ts": path.join(hostDir, "notes.md"),
    vendor: hostDir,
    ".specify/memory/constitution.md": path.join(hostDir, "notes.md"),
    "requirements.txt": path.join(hostDir, "notes.md"),
    "specs/001-hostile/spec.md": path.join(hostDir, "spec.md"),
  };
}

export async function createHostileRepo(): Promise<HostileRepo> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), "dg-hostile-"));
  const hostDir = path.join(root, "host-secrets");
  const dir = path.join(root, "repo");
  const remote = path.join(root, "remote.git");
  const canary = `HOST-CANARY-${process.pid}-${Date.now()}`;
  // /proc/self/environ shows the environment the process started with (not later changes).
  const environ = (await fs.readFile("/proc/self/environ", "utf8")).split("\0");
  const envCanary = environ.find((e) => e.startsWith("PATH=")) ?? environ.find((e) => e.length > 20) ?? "PATH=";
  await writeFiles(hostDir, {
    "package.json": JSON.stringify({ name: canary, scripts: { test: `echo ${canary}` } }),
    "notes.md": `# notes\n\nsecret notes ${canary} dark mode feature\n`,
    "package-lock.json": "{}",
    "secrets.yaml": `token: ${canary}\n`,
    // Host files shaped like what a step parses, so a reader that followed a link would report them verbatim.
    "spec.md": `# Spec\n\n### User Story 1 - Leak (Priority: P1)\n\n1. **Given** ${canary} **When** read **Then** leaked\n`,
    "report.xml": `<testsuite name="host"><testcase classname="host" name="${canary}"><failure message="${canary}">${canary}</failure></testcase></testsuite>\n`,
  });
  await fs.mkdir(dir, { recursive: true });
  // Ordinary files beside the links: a real project the readers should still see.
  await writeFiles(dir, {
    "src/index.ts": "export const darkMode = true; // dark mode feature\n",
    "docs/real.md": "# Real docs\n\nThe dark mode feature toggles themes.\n",
    "pyproject.toml": '[project]\nname = "honest-py"\n',
    // The project's "test command": replaces the result file the QA reporter plan names by a link
    // to a host file (the sandbox lets it create links; it cannot read their targets itself).
    "steal-results.mjs": [
      'import { rmSync, symlinkSync } from "node:fs";',
      'const out = /--junitxml=(\\S+)/.exec(process.env.PYTEST_ADDOPTS ?? "")?.[1];',
      "if (out) { rmSync(out, { force: true }); symlinkSync(process.argv[2], out); }",
      'console.log("all good");',
      "",
    ].join("\n"),
  });
  const depth = path.relative("/", dir).split(path.sep).length;
  for (const [link, target] of Object.entries(hostileLinks(hostDir, depth))) {
    const abs = path.join(dir, link);
    await fs.mkdir(path.dirname(abs), { recursive: true });
    await fs.symlink(target, abs);
  }
  // A link that stays inside is fine and must still be read.
  await fs.symlink("real.md", path.join(dir, "docs", "alias.md"));
  await gitIn(dir, ["init", "--quiet", "-b", "main"]);
  await gitIn(dir, ["add", "--all"]);
  await gitIn(dir, [...IDENTITY, "commit", "--quiet", "-m", "a repository with links out of itself"]);
  await gitIn(root, ["clone", "--quiet", "--bare", dir, remote]);
  const seed = (await gitIn(dir, ["rev-parse", "HEAD"])).trim();
  return {
    dir,
    remote,
    seed,
    hostDir,
    canary,
    envCanary,
    cleanup: async () => {
      await fs.rm(root, { recursive: true, force: true });
    },
  };
}

/** What a reader must never have produced: any host canary, the env canary or this repository's own package.json. */
export function leaked(output: unknown, repo: HostileRepo): string[] {
  const text = typeof output === "string" ? output : JSON.stringify(output);
  const found: string[] = [];
  if (text.includes(repo.canary)) found.push("a host file's content");
  if (text.includes(repo.envCanary)) found.push("the reading process's environment (/proc/self/environ)");
  // /proc/self/cwd/package.json is DevGodzilla's own package.json when tests run from the checkout.
  if (text.includes("AI software-development pipeline native to Windmill")) found.push("the runner's own directory (/proc/self/cwd)");
  return found;
}
