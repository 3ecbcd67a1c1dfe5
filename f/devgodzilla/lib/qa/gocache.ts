// Go's standard library compiled once per toolchain, copied into each check's private GOCACHE.
// Every QA check runs Go with an empty build cache of its own (a repository's code must not be able
// to poison the builds of another run), so each `go test` used to compile `testing`, `fmt` and the
// runtime from scratch: about 40 s of CPU per run. The warm cache is built by DevGodzilla itself
// from a module that imports only the standard library (no repository code touches it), under the
// runner's own cache directory (mode 0700), and copied (not linked) into the check's cache, so what
// a check writes never reaches it.

import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { cp, mkdir, mkdtemp, rename, rm, stat, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The standard packages tests commonly import; the warm cache holds them and `testing`. */
const STD = [
  "bytes",
  "context",
  "encoding/json",
  "errors",
  "fmt",
  "io",
  "math",
  "os",
  "path/filepath",
  "reflect",
  "regexp",
  "sort",
  "strconv",
  "strings",
  "sync",
  "time",
];

const building = new Map<string, Promise<string | null>>();

async function goVersion(): Promise<string | null> {
  try {
    const { stdout } = await run("go", ["env", "GOVERSION", "GOOS", "GOARCH"], { timeout: 30_000 });
    return (
      stdout
        .trim()
        .split("\n")
        .join("-")
        .replace(/[^\w.-]/g, "_") || null
    );
  } catch {
    return null; // no Go here: nothing to warm
  }
}

async function build(cacheRoot: string): Promise<string | null> {
  const version = await goVersion();
  if (!version) return null;
  const dir = join(cacheRoot, `go-std-${version}`);
  if (existsSync(join(dir, "README"))) return dir;
  await mkdir(cacheRoot, { recursive: true, mode: 0o700 });
  const st = await stat(cacheRoot);
  if ((st.mode & 0o022) !== 0 || (process.getuid && st.uid !== process.getuid())) return null; // someone else could write into it
  const work = await mkdtemp(join(cacheRoot, "warm-"));
  try {
    const mod = join(work, "mod");
    await mkdir(mod);
    await writeFile(join(mod, "go.mod"), "module warm\n\ngo 1.21\n");
    await writeFile(
      join(mod, "warm_test.go"),
      `package warm\n\nimport (\n${STD.map((p) => `\t_ "${p}"\n`).join("")}\t"testing"\n)\n\nfunc TestWarm(t *testing.T) {}\n`,
    );
    const cache = join(work, "cache");
    const env = {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: work,
      GOCACHE: cache,
      GOPATH: join(work, "gopath"),
      GOFLAGS: "-mod=mod",
      GOPROXY: "off",
      GOTOOLCHAIN: "local",
    };
    await run("go", ["test", "-json", "./..."], { cwd: mod, env, timeout: 600_000, maxBuffer: 64 * 1024 * 1024 });
    await writeFile(join(cache, "README"), `The standard library compiled by ${version}, copied into each DevGodzilla check's GOCACHE.\n`);
    await rename(cache, dir).catch(async () => undefined); // another process won the race: keep theirs
    return existsSync(join(dir, "README")) ? dir : null;
  } catch {
    return null; // a slower check, not a failed one
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Fills `goCache` (a check's empty GOCACHE) with the warm standard library; false when there is none. */
export async function seedGoCache(
  goCache: string,
  cacheRoot = join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "devgodzilla", "qa-go"),
): Promise<boolean> {
  if (existsSync(goCache)) return true;
  if (!building.has(cacheRoot)) building.set(cacheRoot, build(cacheRoot));
  const warm = await building.get(cacheRoot)!;
  if (!warm) {
    building.delete(cacheRoot);
    return false;
  }
  await cp(warm, goCache, { recursive: true });
  return true;
}
