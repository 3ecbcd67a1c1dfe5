// Credentials for an https/http remote: taken out of the URL, sent only as an Authorization header
// through git's environment, never written into the mirror's config, a working copy or an error.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GitError, checkout, commitAll, mirrorPathFor, pushBranch, remoteHasCommit } from "../../f/devgodzilla/lib/git.ts";
import { createFixtureRemote, startGitHttpServer, tempDir, type FixtureRemote, type GitHttpServer } from "../helpers/git-fixtures.ts";

const TOKEN = "ghp_A2httpTokenThatMustNotLeak0123456789";
let fx: FixtureRemote;
let server: GitHttpServer;
let cache: { dir: string; cleanup(): Promise<void> };
let work: { dir: string; cleanup(): Promise<void> };

beforeAll(async () => {
  fx = await createFixtureRemote("node");
  server = await startGitHttpServer(fx.root, TOKEN);
  cache = await tempDir("dg-http-cache-");
  work = await tempDir("dg-http-work-");
});
afterAll(async () => {
  await server.close();
  await fx.cleanup();
  await cache.cleanup();
  await work.cleanup();
});

function grepTree(dir: string, needle: string): string[] {
  try {
    return execFileSync("grep", ["-rl", "--", needle, dir], { encoding: "utf8" }).split("\n").filter(Boolean);
  } catch {
    return []; // grep exits 1 when nothing matches
  }
}

describe("credentials over a real smart-HTTP remote", () => {
  it("clones with a token from the URL without putting it on disk or in a request URL", async () => {
    const repo = `${server.url.replace("http://", `http://x-access-token:${TOKEN}@`)}/remote.git`;
    const wc = await checkout({ repo, ref: "main", branch: "devgodzilla/001-http", cacheDir: cache.dir, workRoot: work.dir });
    try {
      expect(wc.commit).toBe(fx.seed);
      expect(wc.repo.url).toBe(`${server.url}/remote.git`);
      expect(server.requests.length).toBeGreaterThan(0);
      expect(server.requests.every((r) => !r.url.includes(TOKEN))).toBe(true);
      expect(grepTree(cache.dir, TOKEN)).toEqual([]);
      expect(grepTree(wc.dir, TOKEN)).toEqual([]);
      const b64 = Buffer.from(`x-access-token:${TOKEN}`).toString("base64");
      expect(grepTree(cache.dir, b64)).toEqual([]);
      expect(await fs.readFile(path.join(mirrorPathFor(`${server.url}/remote.git`, cache.dir), "config"), "utf8")).toContain(`url = ${server.url}/remote.git`);

      // Pushing needs the token again (it is not stored anywhere): given as an option it works.
      await fs.writeFile(path.join(wc.dir, "h.txt"), "h\n");
      const sha = (await commitAll(wc.dir, "over http"))!;
      const pushed = await pushBranch(wc.dir, "devgodzilla/001-http", "origin", { token: TOKEN });
      expect(pushed).toMatchObject({ status: "created", commit: sha, remote: `${server.url}/remote.git` });
      expect(await fx.head("devgodzilla/001-http")).toBe(sha);
      expect(await remoteHasCommit(`${server.url}/remote.git`, sha, { token: TOKEN, cacheDir: cache.dir })).toBe(true);
    } finally {
      await wc.cleanup();
    }
  });

  it("fails clearly without credentials or with a wrong token, and the error never shows the token", async () => {
    const fresh = await tempDir("dg-http-cache2-");
    try {
      const noAuth = await checkout({ repo: `${server.url}/remote.git`, ref: "main", cacheDir: fresh.dir, workRoot: work.dir }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(noAuth).toBeInstanceOf(GitError);
      expect((noAuth as Error).message).toMatch(/git clone failed/);
      const wrong = "ghp_wrongTokenValue9876543210abcdefghij";
      const bad = await checkout({ repo: `${server.url}/remote.git`, ref: "main", token: wrong, cacheDir: fresh.dir, workRoot: work.dir }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(bad).toBeInstanceOf(GitError);
      expect((bad as Error).message).not.toContain(wrong);
      expect(await fs.readdir(work.dir)).toEqual([]);
      expect((await fs.readdir(path.join(fresh.dir, "mirrors"))).filter((n) => !n.endsWith(".lock"))).toEqual([]);
    } finally {
      await fresh.cleanup();
    }
  });
});
