import * as fs from "node:fs/promises";
import * as path from "node:path";
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InputError } from "../../f/devgodzilla/lib/errors.ts";
import {
  DEVGODZILLA_AUTHOR,
  PushRejectedError,
  checkout,
  commitAll,
  featureFromRunBranch,
  isDevGodzillaBranch,
  isRunBranch,
  onboardBranchName,
  listRemoteBranches,
  mirrorPathFor,
  pushBranch,
  remoteHasCommit,
  runBranchName,
  validateRepoUrl,
  withLock,
} from "../../f/devgodzilla/lib/git.ts";
import { createFixtureRemote, gitIn, tempDir, type FixtureRemote } from "../helpers/git-fixtures.ts";

let fx: FixtureRemote;
let cache: { dir: string; cleanup(): Promise<void> };
let work: { dir: string; cleanup(): Promise<void> };

beforeAll(async () => {
  fx = await createFixtureRemote("node");
  cache = await tempDir("dg-cache-");
  work = await tempDir("dg-work-");
});
afterAll(async () => {
  await fx.cleanup();
  await cache.cleanup();
  await work.cleanup();
});

async function expectInputError(p: Promise<unknown>, field: string, re: RegExp) {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InputError);
  expect((err as InputError).field).toBe(field);
  expect((err as Error).message).toMatch(re);
}

describe("validateRepoUrl", () => {
  it("accepts https, ssh, scp-like, git and file URLs and local repo paths", async () => {
    expect((await validateRepoUrl("https://github.com/org/repo.git")).kind).toBe("https");
    expect((await validateRepoUrl("ssh://git@github.com/org/repo.git")).kind).toBe("ssh");
    expect((await validateRepoUrl("git@github.com:org/repo.git")).kind).toBe("ssh");
    expect((await validateRepoUrl("git://example.com/repo.git")).kind).toBe("git");
    expect((await validateRepoUrl(fx.url)).kind).toBe("file");
    const local = await validateRepoUrl(fx.remote);
    expect(local.kind).toBe("local");
    expect(local.url).toBe(await fs.realpath(fx.remote));
  });

  it("takes credentials out of an https URL so they never reach disk or argv", async () => {
    const r = await validateRepoUrl("https://x-access-token:ghp_secret123456@github.com/org/repo.git");
    expect(r.url).toBe("https://github.com/org/repo.git");
    expect(r.credentials).toEqual({ username: "x-access-token", password: "ghp_secret123456" });
    const t = await validateRepoUrl("https://tok_abcdef@github.com/org/repo.git");
    expect(t.credentials).toEqual({ username: "x-access-token", password: "tok_abcdef" });
  });

  it("rejects transport helpers, a leading dash, control characters and unknown schemes", async () => {
    await expectInputError(validateRepoUrl("ext::sh -c touch% /tmp/pwned"), "repo", /transport helper 'ext::'/);
    await expectInputError(validateRepoUrl("fd::17"), "repo", /transport helper 'fd::'/);
    await expectInputError(validateRepoUrl("foo::https://x/y"), "repo", /transport helper 'foo::'/);
    await expectInputError(validateRepoUrl("--upload-pack=touch /tmp/x"), "repo", /starts with '-'/);
    await expectInputError(validateRepoUrl("https://github.com/a\nb"), "repo", /control characters/);
    await expectInputError(validateRepoUrl("ftp://example.com/repo"), "repo", /unsupported URL scheme/);
    await expectInputError(validateRepoUrl("ssh://-oProxyCommand=x/repo"), "repo", /starts with '-'/);
    await expectInputError(validateRepoUrl("-oProxyCommand=x:repo"), "repo", /starts with '-'/);
    await expectInputError(validateRepoUrl(""), "repo", /required/);
    await expectInputError(validateRepoUrl("file://otherhost/srv/repo.git"), "repo", /not a local file:\/\/ URL/);
    await expectInputError(validateRepoUrl(" https://github.com/a/b"), "repo", /whitespace/);
  });

  it("rejects a local path that is missing, a file, or a plain directory / a subdirectory of a repo", async () => {
    await expectInputError(validateRepoUrl(path.join(work.dir, "nope")), "repo", /does not exist/);
    const plain = path.join(work.dir, "plain");
    await fs.mkdir(plain, { recursive: true });
    await expectInputError(validateRepoUrl(plain), "repo", /not a git repository/);
    await expectInputError(validateRepoUrl(path.join(fx.remote, "refs")), "repo", /not a git repository/);
    await fs.writeFile(path.join(work.dir, "file.txt"), "x");
    await expectInputError(validateRepoUrl(path.join(work.dir, "file.txt")), "repo", /not a directory/);
  });
});

describe("run branch naming", () => {
  it("puts run branches under devgodzilla/ and rejects invalid names", () => {
    expect(runBranchName("003-user-auth")).toBe("devgodzilla/003-user-auth");
    expect(featureFromRunBranch("devgodzilla/003-user-auth")).toBe("003-user-auth");
    expect(featureFromRunBranch("main")).toBeNull();
    expect(isRunBranch("devgodzilla/onboard-main")).toBe(false);
    expect(isRunBranch("devgodzilla/003-user-auth-tasks/T001")).toBe(false);
    expect(isDevGodzillaBranch("devgodzilla/onboard-main")).toBe(true);
    expect(onboardBranchName("main")).toBe("devgodzilla/onboard-main");
    expect(() => runBranchName("../x")).toThrow(InputError);
    expect(() => runBranchName("a b")).toThrow(/not a valid branch name/);
  });
});

describe("checkout / commit / push against a real bare remote", () => {
  it("checks out the exact commit into a fresh directory that cleanup removes", async () => {
    const wc = await checkout({ repo: fx.remote, ref: "main", cacheDir: cache.dir, workRoot: work.dir });
    try {
      expect(wc.commit).toBe(fx.seed);
      expect(JSON.parse(await fs.readFile(path.join(wc.dir, "package.json"), "utf8")).name).toBe("demo-node");
      expect((await wc.git.run(["remote", "get-url", "origin"])).trim()).toBe(await fs.realpath(fx.remote));
      await fs.access(mirrorPathFor(await fs.realpath(fx.remote), cache.dir));
    } finally {
      await wc.cleanup();
    }
    await expect(fs.access(wc.dir)).rejects.toThrow();
  });

  it("sees commits pushed after the mirror was made, and can check out an older commit by sha", async () => {
    const newer = await fx.commit({ "NEW.md": "new\n" }, "add NEW.md");
    const wc = await checkout({ repo: fx.url, ref: "main", cacheDir: cache.dir, workRoot: work.dir });
    const old = await checkout({ repo: fx.url, commit: fx.seed, branch: "devgodzilla/x", cacheDir: cache.dir, workRoot: work.dir });
    try {
      expect(wc.commit).toBe(newer);
      await fs.access(path.join(wc.dir, "NEW.md"));
      expect(old.commit).toBe(fx.seed);
      await expect(fs.access(path.join(old.dir, "NEW.md"))).rejects.toThrow();
      expect((await old.git.run(["rev-parse", "--abbrev-ref", "HEAD"])).trim()).toBe("devgodzilla/x");
    } finally {
      await wc.cleanup();
      await old.cleanup();
    }
  });

  it("names the missing ref or commit and leaves no working copy behind", async () => {
    const before = await fs.readdir(work.dir);
    await expectInputError(checkout({ repo: fx.remote, ref: "nope", cacheDir: cache.dir, workRoot: work.dir }), "ref", /'nope' was not found.*main/);
    await expectInputError(
      checkout({ repo: fx.remote, commit: "0123456789abcdef0123456789abcdef01234567", cacheDir: cache.dir, workRoot: work.dir }),
      "commit",
      /was not found/,
    );
    await expectInputError(checkout({ repo: fx.remote, ref: "--help", cacheDir: cache.dir, workRoot: work.dir }), "ref", /not a valid ref/);
    expect(await fs.readdir(work.dir)).toEqual(before);
  });

  it("commitAll commits as DevGodzilla and returns null when nothing changed", async () => {
    const wc = await checkout({ repo: fx.remote, ref: "main", branch: "devgodzilla/commit-test", cacheDir: cache.dir, workRoot: work.dir });
    try {
      expect(await commitAll(wc.dir, "nothing")).toBeNull();
      await fs.writeFile(path.join(wc.dir, "a.txt"), "a\n");
      const sha = await commitAll(wc.dir, "add a");
      expect(sha).toMatch(/^[0-9a-f]{40}$/);
      const author = (await wc.git.run(["log", "-1", "--format=%an <%ae>|%cn"])).trim();
      expect(author).toBe(`${DEVGODZILLA_AUTHOR.name} <${DEVGODZILLA_AUTHOR.email}>|${DEVGODZILLA_AUTHOR.name}`);
    } finally {
      await wc.cleanup();
    }
  });

  it("pushBranch creates, is idempotent, fast-forwards, and refuses a non-fast-forward unless forced", async () => {
    const branch = "devgodzilla/push-test";
    const a = await checkout({ repo: fx.remote, ref: "main", branch, cacheDir: cache.dir, workRoot: work.dir });
    const b = await checkout({ repo: fx.remote, ref: "main", branch, cacheDir: cache.dir, workRoot: work.dir });
    try {
      await fs.writeFile(path.join(a.dir, "a.txt"), "a\n");
      const s1 = (await commitAll(a.dir, "a1"))!;
      expect((await pushBranch(a.dir, branch)).status).toBe("created");
      expect(await fx.head(branch)).toBe(s1);
      const again = await pushBranch(a.dir, branch);
      expect(again.status).toBe("up-to-date");
      await fs.writeFile(path.join(a.dir, "a.txt"), "a2\n");
      const s2 = (await commitAll(a.dir, "a2"))!;
      const ff = await pushBranch(a.dir, branch);
      expect(ff).toMatchObject({ status: "updated", previous: s1, commit: s2 });

      await fs.writeFile(path.join(b.dir, "b.txt"), "b\n");
      const sb = (await commitAll(b.dir, "b"))!;
      await expect(pushBranch(b.dir, branch)).rejects.toBeInstanceOf(PushRejectedError);
      expect(await fx.head(branch)).toBe(s2);
      const forced = await pushBranch(b.dir, branch, "origin", { force: true });
      expect(forced).toMatchObject({ status: "forced", previous: s2, commit: sb });
      expect(await fx.head(branch)).toBe(sb);

      expect(await listRemoteBranches(fx.remote, "devgodzilla/")).toEqual({ [branch]: sb });
      expect(await remoteHasCommit(fx.remote, sb)).toBe(true);
      expect(await remoteHasCommit(fx.remote, fx.seed, { cacheDir: cache.dir })).toBe(true);
      expect(await remoteHasCommit(fx.remote, s2, { cacheDir: cache.dir })).toBe(false); // overwritten by the force push
    } finally {
      await a.cleanup();
      await b.cleanup();
    }
  });
});

describe("pushBranch fast-forward check", () => {
  it("refuses a push that would drop a commit this copy has seen (diverged history), and force replaces it only on request", async () => {
    // The remote's tip IS in this copy (it pushed it), so the decision rests on
    // `merge-base --is-ancestor`, whose "no" is exit 1 with no output.
    const branch = "devgodzilla/push-diverged";
    const a = await checkout({ repo: fx.remote, ref: "main", branch, cacheDir: cache.dir, workRoot: work.dir });
    try {
      await fs.writeFile(path.join(a.dir, "d.txt"), "1\n");
      const s1 = (await commitAll(a.dir, "d1"))!;
      expect((await pushBranch(a.dir, branch)).status).toBe("created");
      await fs.writeFile(path.join(a.dir, "d.txt"), "2\n");
      const s2 = (await commitAll(a.dir, "d2"))!;
      expect(await pushBranch(a.dir, branch)).toMatchObject({ status: "updated", previous: s1, commit: s2 });

      // Rewrite: back to s1, a different commit on top. s2 stays in the object store.
      await a.git.run(["reset", "--quiet", "--hard", s1]);
      await fs.writeFile(path.join(a.dir, "d.txt"), "3\n");
      const s3 = (await commitAll(a.dir, "d3"))!;
      expect((await a.git.run(["cat-file", "-t", s2])).trim()).toBe("commit");

      await expect(pushBranch(a.dir, branch)).rejects.toBeInstanceOf(PushRejectedError);
      expect(await fx.head(branch)).toBe(s2);
      const forced = await pushBranch(a.dir, branch, "origin", { force: true });
      expect(forced).toMatchObject({ status: "forced", previous: s2, commit: s3 });
      expect(await fx.head(branch)).toBe(s3);
    } finally {
      await a.cleanup();
    }
  });
});

describe("mirror lock", () => {
  it("serialises two holders in one process", async () => {
    const lock = path.join(cache.dir, "t1.lock");
    const order: string[] = [];
    const slow = (name: string) =>
      withLock(lock, async () => {
        order.push(`${name}+`);
        await new Promise((r) => setTimeout(r, 80));
        order.push(`${name}-`);
      });
    await Promise.all([slow("a"), slow("b")]);
    expect(order.join(" ")).toMatch(/^(a\+ a- b\+ b-|b\+ b- a\+ a-)$/);
    await expect(fs.access(lock)).rejects.toThrow();
  });

  it("takes over a lock whose PID is dead", async () => {
    const dead = spawn(process.execPath, ["-e", "0"]);
    await new Promise((r) => dead.on("exit", r));
    const lock = path.join(cache.dir, "t2.lock");
    await fs.writeFile(lock, JSON.stringify({ pid: dead.pid, host: (await import("node:os")).hostname(), token: "old", at: "x" }));
    const t0 = Date.now();
    expect(await withLock(lock, async () => "ran", 5_000)).toBe("ran");
    expect(Date.now() - t0).toBeLessThan(3_000);
  });

  it("waits for a live holder and times out naming it", async () => {
    const lock = path.join(cache.dir, "t3.lock");
    await fs.writeFile(lock, JSON.stringify({ pid: process.pid, host: (await import("node:os")).hostname(), token: "live", at: "x" }));
    await expect(withLock(lock, async () => "never", 300)).rejects.toThrow(/timed out waiting.*pid/);
    await fs.rm(lock);
  });

  it("two concurrent checkouts of a new repo share one mirror without racing", async () => {
    const other = await createFixtureRemote("python");
    const c2 = await tempDir("dg-cache2-");
    try {
      const [x, y] = await Promise.all([
        checkout({ repo: other.remote, ref: "main", cacheDir: c2.dir, workRoot: work.dir }),
        checkout({ repo: other.remote, ref: "main", cacheDir: c2.dir, workRoot: work.dir }),
      ]);
      expect(x.commit).toBe(other.seed);
      expect(y.commit).toBe(other.seed);
      expect(x.dir).not.toBe(y.dir);
      await x.cleanup();
      await y.cleanup();
      const mirrors = await fs.readdir(path.join(c2.dir, "mirrors"));
      expect(mirrors.filter((m) => m.endsWith(".git"))).toHaveLength(1);
      expect(mirrors.filter((m) => m.includes(".tmp-") || m.endsWith(".lock"))).toEqual([]);
    } finally {
      await other.cleanup();
      await c2.cleanup();
    }
  });
});

describe("exit codes", () => {
  it("treats a silent non-zero git exit as failure (tags resolve, unknown commits are fetched for)", async () => {
    const fx2 = await createFixtureRemote("empty");
    try {
      await gitIn(fx2.remote, ["tag", "v1.0", fx2.seed]);
      const wc = await checkout({ repo: fx2.remote, ref: "v1.0", cacheDir: cache.dir, workRoot: work.dir });
      expect(wc.commit).toBe(fx2.seed);
      await wc.cleanup();
      // A commit pushed after the mirror exists is not in it yet: checkout by sha must fetch.
      const later = await fx2.commit({ "b.txt": "b\n" }, "later");
      const wc2 = await checkout({ repo: fx2.remote, commit: later, cacheDir: cache.dir, workRoot: work.dir });
      expect(wc2.commit).toBe(later);
      await wc2.cleanup();
    } finally {
      await fx2.cleanup();
    }
  });
});

describe("mirror lock across processes", () => {
  it("two worker processes checking out the same new repository share one mirror", async () => {
    const { execFile } = await import("node:child_process");
    const other = await createFixtureRemote("go");
    const shared = await tempDir("dg-xproc-");
    try {
      const script = path.join(shared.dir, "child.mts");
      const gitTs = path.resolve(__dirname, "../../f/devgodzilla/lib/git.ts");
      await fs.writeFile(
        script,
        `import { checkout } from ${JSON.stringify(gitTs)};
const wc = await checkout({ repo: process.argv[2]!, ref: "main", cacheDir: process.argv[3]!, workRoot: process.argv[4]! });
console.log(JSON.stringify({ commit: wc.commit, dir: wc.dir }));
await wc.cleanup();
`,
      );
      const tsx = path.resolve(__dirname, "../../node_modules/.bin/tsx");
      const run = () =>
        new Promise<{ commit: string; dir: string }>((resolve, reject) =>
          execFile(tsx, [script, other.remote, path.join(shared.dir, "cache"), path.join(shared.dir, "work")], { timeout: 50_000 }, (err, stdout, stderr) =>
            err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(JSON.parse(stdout.trim().split("\n").pop()!)),
          ),
        );
      const [x, y] = await Promise.all([run(), run()]);
      expect(x.commit).toBe(other.seed);
      expect(y.commit).toBe(other.seed);
      expect(x.dir).not.toBe(y.dir);
      const mirrors = await fs.readdir(path.join(shared.dir, "cache", "mirrors"));
      expect(mirrors).toEqual([path.basename(mirrorPathFor(await fs.realpath(other.remote), path.join(shared.dir, "cache")))]);
      expect(await fs.readdir(path.join(shared.dir, "work"))).toEqual([]);
    } finally {
      await other.cleanup();
      await shared.cleanup();
    }
  });
});

describe("pushBranch remote argument", () => {
  it("pushes to a repository path directly, and rejects an unknown remote name or helper URL with InputError", async () => {
    const wc = await checkout({ repo: fx.remote, ref: "main", cacheDir: cache.dir, workRoot: work.dir });
    try {
      await fs.writeFile(path.join(wc.dir, "direct.txt"), "d\n");
      const sha = (await commitAll(wc.dir, "direct"))!;
      expect(await pushBranch(wc.dir, "devgodzilla/002-direct", fx.remote)).toMatchObject({
        status: "created",
        commit: sha,
        remote: await fs.realpath(fx.remote),
      });
      await expectInputError(pushBranch(wc.dir, "devgodzilla/002-direct", "upstream"), "remote", /'upstream' does not exist/);
      await expectInputError(pushBranch(wc.dir, "devgodzilla/002-direct", "ext::sh -c x"), "remote", /transport helper/);
      await expectInputError(pushBranch(wc.dir, "bad name", "origin"), "branch", /not a valid branch name/);
    } finally {
      await wc.cleanup();
    }
  });
});
