// The git gateway's contract: every git process of the bundle gets a time limit that stops git
// and its helpers, a scrubbed environment, a typed error with redacted fields, and one reader of
// git's -z listings.
import * as fs from "node:fs/promises";
import * as net from "node:net";
import * as path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DevGodzillaError, ERROR_NAMES } from "../../f/devgodzilla/lib/errors.ts";
import { GitError, gitAt, gitEnv, gitOpKind, parseNameStatusZ, parseRawZ, parseStatusZ, runGit, splitZ, type FileChange } from "../../f/devgodzilla/lib/git.ts";
import { Redactor } from "../../f/devgodzilla/lib/redact.ts";
import { gitIn, tempDir, writeFiles } from "../helpers/git-fixtures.ts";

let tmp: { dir: string; cleanup(): Promise<void> };
let repo: string;

async function makeRepo(name: string, files: Record<string, string>): Promise<string> {
  const dir = path.join(tmp.dir, name);
  await fs.mkdir(dir);
  await gitIn(dir, ["init", "-q", "-b", "main"]);
  await writeFiles(dir, files);
  await gitIn(dir, ["add", "-A"]);
  await gitIn(dir, ["-c", "user.name=T", "-c", "user.email=t@example.test", "commit", "-q", "-m", "seed"]);
  return dir;
}

beforeAll(async () => {
  tmp = await tempDir("dg-gateway-");
  repo = await makeRepo("repo", { "README.md": "# r\n" });
});
afterAll(() => tmp.cleanup());

describe("time limits", () => {
  it("classifies operations by what git does: network, work tree or query", () => {
    expect(gitOpKind(["-c", "http.x=y", "fetch", "origin"])).toBe("remote");
    expect(gitOpKind(["ls-remote", "--heads", "x"])).toBe("remote");
    expect(gitOpKind(["--git-dir", "/x", "worktree", "prune"])).toBe("worktree");
    expect(gitOpKind(["diff", "--cached"])).toBe("worktree");
    expect(gitOpKind(["rev-parse", "HEAD"])).toBe("query");
  });

  it("a timeout stops git and its helpers: the remote helper's connection closes and the error says it timed out", async () => {
    // A server that accepts and never answers: git-remote-http waits on it forever.
    const connected: net.Socket[] = [];
    let onConnect: (s: net.Socket) => void = () => {};
    const firstConnection = new Promise<net.Socket>((r) => (onConnect = r));
    const server = net.createServer((s) => {
      connected.push(s);
      s.resume(); // read, so the peer's exit surfaces as 'close'
      onConnect(s);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const run = runGit(["ls-remote", `http://127.0.0.1:${port}/repo.git`], { cwd: tmp.dir, timeoutMs: 1_000 }).then(
        () => null,
        (e: unknown) => e,
      );
      const socket = await firstConnection;
      const closed = new Promise<void>((r) => socket.once("close", () => r()));
      const err = await run;
      expect(err).toBeInstanceOf(GitError);
      expect((err as GitError).timedOut).toBe(true);
      expect((err as GitError).exitCode).toBeNull();
      expect((err as GitError).message).toMatch(/git ls-remote failed: no answer within 1 s/);
      // The helper process (not git itself) held this socket: it closes only if the group was stopped.
      await closed;
    } finally {
      for (const s of connected) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    }
  }, 20_000);
});

describe("environment", () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  });

  it("ignores ambient GIT_* variables and the user's and system's git config", async () => {
    const other = await makeRepo("other", { "OTHER.md": "o\n" });
    const home = path.join(tmp.dir, "home");
    await writeFiles(home, { ".gitconfig": "[user]\n\tname = From User Config\n[commit]\n\tgpgsign = true\n[core]\n\thooksPath = /nonexistent\n" });
    process.env.HOME = home;
    process.env.GIT_DIR = path.join(other, ".git");
    process.env.GIT_WORK_TREE = other;
    process.env.GIT_INDEX_FILE = path.join(other, ".git", "index");
    process.env.GIT_CONFIG_PARAMETERS = "'user.name'='Ambient'";
    const g = gitAt(repo);
    expect(await g.run(["rev-parse", "--show-toplevel"])).toBe(`${await fs.realpath(repo)}\n`);
    expect(splitZ(await g.run(["ls-files", "-z"]))).toEqual(["README.md"]);
    for (const key of ["user.name", "commit.gpgsign", "core.hooksPath"]) {
      expect((await g.exec(["config", "--get", key], { okExitCodes: [1] })).exitCode).toBe(1); // 1: not set anywhere git looked
    }
  });

  it("passes no ambient variable beyond the base, the ssh agent and proxies — secrets stay out", () => {
    process.env.OPENAI_API_KEY = "sk-ambient-secret-value-1234567890";
    process.env.GIT_SSH_COMMAND = "ssh -i /stolen";
    process.env.SSH_AUTH_SOCK = "/tmp/agent.sock";
    const env = gitEnv();
    expect(env.OPENAI_API_KEY).toBeUndefined();
    expect(env.GIT_SSH_COMMAND).toBeUndefined();
    expect(env.SSH_AUTH_SOCK).toBe("/tmp/agent.sock");
    expect(env).toMatchObject({ GIT_TERMINAL_PROMPT: "0", GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null", LC_ALL: "C" });
    expect(
      Object.keys(env)
        .filter((k) => k.startsWith("GIT_"))
        .sort(),
    ).toEqual(["GIT_CONFIG_GLOBAL", "GIT_CONFIG_NOSYSTEM", "GIT_TERMINAL_PROMPT"]);
  });

  it("sends credentials as an http header in the environment, never as an argument", () => {
    const env = gitEnv({
      credentials: { username: "x-access-token", password: "ghp_headerOnlyToken0123456789abcdefghij" },
      authUrl: "https://forge.example/o/r.git",
    });
    expect(env.GIT_CONFIG_KEY_0).toBe("http.https://forge.example/o/r.git.extraHeader");
    expect(env.GIT_CONFIG_VALUE_0).toBe(`Authorization: Basic ${Buffer.from("x-access-token:ghp_headerOnlyToken0123456789abcdefghij").toString("base64")}`);
  });
});

describe("errors", () => {
  it("a failure is a GitError (a DevGodzillaError) carrying the arguments, exit code, stderr, kind and a hint", async () => {
    const err = await gitAt(repo)
      .run(["rev-parse", "--verify", "no-such-branch"])
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(GitError);
    expect(err).toBeInstanceOf(DevGodzillaError);
    const e = err as GitError;
    expect(e.name).toBe(ERROR_NAMES.GitError);
    expect(e.args).toEqual(["rev-parse", "--verify", "no-such-branch"]);
    expect(e.exitCode).toBe(128);
    expect(e.stderr).toMatch(/fatal: Needed a single revision/);
    expect(e.kind).toBe("query");
    expect(e.hint).toBeTruthy();
    expect(e.message).toMatch(/^git rev-parse failed: fatal: Needed a single revision — /);
  });

  it("redacts known secrets and URL credentials from the arguments, stderr and message", async () => {
    const secret = "topsecretvalue123";
    const g = gitAt(repo, { redactor: new Redactor([secret]) });
    const e = (await g.run(["show", `HEAD:${secret}.txt`]).then(
      () => null,
      (x: unknown) => x,
    )) as GitError;
    expect(e).toBeInstanceOf(GitError);
    expect(e.stderr).toMatch(/\[REDACTED\]\.txt/);
    for (const text of [e.message, e.stderr, ...e.args]) expect(text).not.toContain(secret);

    const password = "urlPassw0rdNeverShown";
    const refused = (await runGit(["ls-remote", `http://user:${password}@127.0.0.1:1/r.git`], { cwd: tmp.dir }).then(
      () => null,
      (x: unknown) => x,
    )) as GitError;
    expect(refused).toBeInstanceOf(GitError);
    expect(refused.kind).toBe("remote");
    expect(refused.args[1]).toBe("http://***@127.0.0.1:1/r.git");
    for (const text of [refused.message, refused.stderr, ...refused.args]) expect(text).not.toContain(password);
  });

  it("exit codes that are answers come back instead of failing; test() is yes/no and throws on anything else", async () => {
    const g = gitAt(repo);
    const head = (await g.run(["rev-parse", "HEAD"])).trim();
    expect(await g.test(["merge-base", "--is-ancestor", head, head])).toBe(true);
    expect(await g.test(["diff", "--quiet"])).toBe(true);
    await fs.writeFile(path.join(repo, "README.md"), "# changed\n");
    try {
      expect(await g.test(["diff", "--quiet"])).toBe(false);
    } finally {
      await gitIn(repo, ["checkout", "--", "README.md"]);
    }
    await expect(g.test(["merge-base", "--is-ancestor", "0".repeat(40), head])).rejects.toBeInstanceOf(GitError);
    expect((await g.exec(["show", "HEAD:absent"], { okExitCodes: [128] })).exitCode).toBe(128);
  });

  it("passes input on stdin (git apply -)", async () => {
    const dir = await makeRepo("apply", { "a.txt": "one\n" });
    const patch = "--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-one\n+two\n";
    await gitAt(dir).run(["apply", "-"], { input: patch });
    expect(await fs.readFile(path.join(dir, "a.txt"), "utf8")).toBe("two\n");
  });
});

// Names git writes verbatim with -z: the cases a line-based or quoted parser gets wrong.
const ODD = {
  space: "dir with space/a b.txt",
  tab: "tab\there.txt",
  newline: "new\nline.txt",
  arrow: "x -> y.txt",
  quote: 'say "hi".txt',
  unicode: "naïve/ünï.txt",
  dash: "-leading-dash.txt",
};

describe("the -z reader", () => {
  let dir: string;
  let base: string;
  beforeAll(async () => {
    const body = (n: number) => Array.from({ length: 20 }, (_, i) => `line ${i} of file ${n}, long enough for rename detection\n`).join("");
    dir = await makeRepo("odd", {
      [ODD.space]: body(1),
      [ODD.tab]: body(2),
      [ODD.newline]: body(3),
      [ODD.arrow]: body(4),
      "gone.txt": body(5),
      "kept.txt": body(6),
      "typechange.txt": "plain\n",
      "source.txt": body(7),
    });
    base = (await gitIn(dir, ["rev-parse", "HEAD"])).trim();
    await fs.mkdir(path.join(dir, path.dirname(ODD.unicode)));
    await gitIn(dir, ["mv", ODD.space, ODD.unicode]);
    await gitIn(dir, ["mv", ODD.tab, ODD.quote]);
    await gitIn(dir, ["rm", "-q", "gone.txt"]);
    await fs.appendFile(path.join(dir, "kept.txt"), "more\n");
    await fs.rm(path.join(dir, "typechange.txt"));
    await fs.symlink("kept.txt", path.join(dir, "typechange.txt"));
    await fs.copyFile(path.join(dir, "source.txt"), path.join(dir, "copy of source.txt"));
    await fs.writeFile(path.join(dir, ODD.dash), "new file\n");
    await gitIn(dir, ["add", "-A"]);
    await fs.writeFile(path.join(dir, "untracked\nfile.txt"), "u\n");
  });

  const byPath = (changes: FileChange[]) => Object.fromEntries(changes.map((c) => [c.path, c]));

  it("reads name-status: renames and copies with their source, deletes, type changes, adds, odd names", async () => {
    const changes = byPath(parseNameStatusZ(await gitIn(dir, ["diff", "--cached", "-M", "-C", "-C", "--name-status", "-z", base])));
    expect(changes[ODD.unicode]).toEqual({ path: ODD.unicode, from: ODD.space, status: "renamed" });
    expect(changes[ODD.quote]).toEqual({ path: ODD.quote, from: ODD.tab, status: "renamed" });
    expect(changes["copy of source.txt"]).toEqual({ path: "copy of source.txt", from: "source.txt", status: "copied" });
    expect(changes["gone.txt"]).toEqual({ path: "gone.txt", status: "deleted" });
    expect(changes["kept.txt"]).toEqual({ path: "kept.txt", status: "modified" });
    expect(changes["typechange.txt"]).toEqual({ path: "typechange.txt", status: "type_changed" });
    expect(changes[ODD.dash]).toEqual({ path: ODD.dash, status: "added" });
    expect(changes[ODD.newline]).toBeUndefined(); // unchanged
  });

  it("reads --raw with the same words as name-status, plus each new content's object id and mode", async () => {
    const raw = await gitIn(dir, ["diff", "--cached", "-M", "-C", "-C", "--raw", "-z", "--no-abbrev", base]);
    const named = parseNameStatusZ(await gitIn(dir, ["diff", "--cached", "-M", "-C", "-C", "--name-status", "-z", base]));
    const changes = parseRawZ(raw);
    expect(changes.map(({ path, from, status }) => ({ path, ...(from ? { from } : {}), status }))).toEqual(named);
    const blobOf = async (p: string) => (await gitIn(dir, ["rev-parse", `:${p}`])).trim();
    const byName = Object.fromEntries(changes.map((c) => [c.path, c]));
    expect(byName[ODD.unicode]).toMatchObject({ from: ODD.space, status: "renamed", blob: await blobOf(ODD.unicode), mode: "100644" });
    expect(byName["typechange.txt"]).toMatchObject({ status: "type_changed", blob: await blobOf("typechange.txt"), mode: "120000" });
    expect(byName["gone.txt"]).toMatchObject({ status: "deleted", blob: null });
  });

  it("reads porcelain status with the same words (destination first for renames) and untracked files", async () => {
    const changes = byPath(parseStatusZ(await gitIn(dir, ["status", "--porcelain=v1", "-z", "--untracked-files=all"])));
    expect(changes[ODD.unicode]).toEqual({ path: ODD.unicode, from: ODD.space, status: "renamed" });
    expect(changes[ODD.quote]).toEqual({ path: ODD.quote, from: ODD.tab, status: "renamed" });
    expect(changes["gone.txt"]?.status).toBe("deleted");
    expect(changes["kept.txt"]?.status).toBe("modified");
    expect(changes["typechange.txt"]?.status).toBe("type_changed");
    expect(changes[ODD.dash]?.status).toBe("added");
    expect(changes["untracked\nfile.txt"]?.status).toBe("untracked");
  });

  it("reads porcelain deletes and conflicts in the work tree", () => {
    expect(parseStatusZ(" D a\0UU b\0AA c\0DU d\0")).toEqual([
      { path: "a", status: "deleted" },
      { path: "b", status: "unmerged" },
      { path: "c", status: "unmerged" },
      { path: "d", status: "unmerged" },
    ]);
  });

  it("splits a name list without losing names that hold newlines or spaces", async () => {
    const names = splitZ(await gitIn(dir, ["ls-files", "-z"]));
    expect(names).toContain(ODD.newline);
    expect(names).toContain(ODD.arrow);
    expect(names).toContain(ODD.unicode);
  });
});
