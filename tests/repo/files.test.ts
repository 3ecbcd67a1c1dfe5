// The repository-files gateway on a real directory tree with every kind of link a checkout can hold.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as fs from "node:fs/promises";
import { execFileSync } from "node:child_process";
import * as os from "node:os";
import * as path from "node:path";
import { repoFiles, RepoPathError } from "../../f/devgodzilla/lib/repo/files.ts";

let root: string;
let repo: string;
let outside: string;

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), "dg-repofiles-"));
  repo = path.join(root, "repo");
  outside = path.join(root, "outside");
  await fs.mkdir(path.join(repo, "src", "deep"), { recursive: true });
  await fs.mkdir(outside);
  await fs.writeFile(path.join(outside, "secret.txt"), "outside secret");
  await fs.writeFile(path.join(repo, "src", "a.ts"), "export const a = 1;\n");
  await fs.writeFile(path.join(repo, "src", "deep", "b.ts"), "export const b = 2;\n");
  await fs.writeFile(path.join(repo, "big.txt"), "x".repeat(2000));
  const link = (target: string, at: string) => fs.symlink(target, path.join(repo, at));
  await link("a.ts", "src/alias.ts"); // inside, relative
  await link("../src/deep", "src/deeplink"); // directory inside (read through, not walked)
  await link(path.join(repo, "src", "a.ts"), "src/abs-inside.ts"); // absolute, even though inside
  await link(path.join(outside, "secret.txt"), "abs-out.txt");
  await link("../outside/secret.txt", "climb.txt");
  await link("/proc/self/cwd/package.json", "cwd.json");
  await link("/proc/self/environ", "environ.txt");
  await link(outside, "outdir");
  await link("loop2", "loop1");
  await link("loop1", "loop2");
  await link("src/../../outside/secret.txt", "dotdot.txt");
  execFileSync("mkfifo", [path.join(repo, "pipe")]);
});
afterAll(async () => fs.rm(root, { recursive: true, force: true }));

describe("repository-files gateway", () => {
  it("reads regular files and links that stay inside the repository", async () => {
    const f = repoFiles(repo);
    expect(await f.readText("src/a.ts")).toBe("export const a = 1;\n");
    expect(await f.readText("./src//a.ts")).toBe("export const a = 1;\n");
    expect(await f.readText("src/alias.ts")).toBe("export const a = 1;\n");
    expect(await f.readText("src/deeplink/b.ts")).toBe("export const b = 2;\n");
    expect(await f.readText("src/deep/../a.ts")).toBe("export const a = 1;\n");
    expect(f.stat("src")).toEqual({ kind: "dir", size: 0 });
    expect(f.refused).toEqual([]);
  });

  it("refuses every way out: absolute links (even to inside), climbs, /proc/self/cwd, /proc/self/environ, linked folders, loops", async () => {
    const f = repoFiles(repo);
    for (const p of [
      "abs-out.txt",
      "src/abs-inside.ts",
      "climb.txt",
      "cwd.json",
      "environ.txt",
      "outdir/secret.txt",
      "loop1",
      "dotdot.txt",
      "../outside/secret.txt",
      path.join(outside, "secret.txt"),
    ]) {
      expect(await f.readText(p), p).toBeNull();
      expect(f.exists(p), p).toBe(false);
    }
    const refused = f.refused.map((r) => r.path);
    expect(refused).toEqual(
      expect.arrayContaining(["abs-out.txt", "src/abs-inside.ts", "climb.txt", "cwd.json", "environ.txt", "outdir/secret.txt", "loop1", "dotdot.txt"]),
    );
    expect(f.refused.find((r) => r.path === "cwd.json")!.reason).toMatch(/link to an absolute path/);
    expect(f.refused.find((r) => r.path === "climb.txt")!.reason).toMatch(/climbs out/);
  });

  it("reads no FIFO (would block) and no file over the size cap", async () => {
    const f = repoFiles(repo);
    expect(await f.readText("pipe")).toBeNull();
    expect(await f.readText("big.txt", { maxBytes: 1000 })).toBeNull();
    expect((await f.readText("big.txt"))?.length).toBe(2000);
  });

  it("lists and walks without entering linked folders and without entries that lead out", async () => {
    const f = repoFiles(repo);
    const top = await f.list(".");
    expect(top.map((e) => e.name)).toEqual(["big.txt", "src"]);
    expect(await f.walk()).toEqual(["big.txt", "src/a.ts", "src/alias.ts", "src/deep/b.ts"]);
    expect(await f.walk({ skipDir: (n) => n === "deep" })).toEqual(["big.txt", "src/a.ts", "src/alias.ts"]);
  });

  it("writes create folders but never go through a link, and leave the link's target untouched", async () => {
    const f = repoFiles(repo);
    f.writeText("new/dir/file.md", "hello");
    expect(await fs.readFile(path.join(repo, "new", "dir", "file.md"), "utf8")).toBe("hello");
    expect(() => f.writeText("abs-out.txt", "overwritten")).toThrow(RepoPathError);
    expect(() => f.writeText("outdir/planted.txt", "x")).toThrow(/outdir is a link/);
    expect(() => f.writeText("../escape.txt", "x")).toThrow(RepoPathError);
    expect(() => f.writeText("src/a.ts", "again", { exclusive: true })).toThrow(/EEXIST/);
    expect(await fs.readFile(path.join(outside, "secret.txt"), "utf8")).toBe("outside secret");
    expect(await fs.readdir(outside)).toEqual(["secret.txt"]);
  });
});
