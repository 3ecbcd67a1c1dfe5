// Real git remotes for tests: a bare repository in a temp dir seeded with a small project.
// Every test that needs "the user's repository" uses one of these instead of mocks.

import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { simpleGit, type SimpleGit } from "simple-git";

export type FixtureKind = "node" | "python" | "go" | "rust" | "empty";

export interface FixtureRemote {
  /** Temp root holding everything; removed by cleanup(). */
  root: string;
  /** Absolute path of the bare remote (usable as a repo URL / local path). */
  remote: string;
  /** file:// URL of the bare remote. */
  url: string;
  /** Default branch name. */
  branch: string;
  /** Sha of the seed commit on `branch`. */
  seed: string;
  /** Adds a commit with `files` on `branch` (created from `from` or the default branch) and pushes it. */
  commit(files: Record<string, string>, message?: string, branch?: string, from?: string): Promise<string>;
  /** Sha of a branch on the remote, or null. */
  head(branch: string): Promise<string | null>;
  /** File content at `ref` on the remote (null when absent). */
  show(ref: string, file: string): Promise<string | null>;
  /** Lists the remote's branch names. */
  branches(): Promise<string[]>;
  cleanup(): Promise<void>;
}

const IDENTITY = ["-c", "user.name=Fixture", "-c", "user.email=fixture@example.test", "-c", "commit.gpgsign=false"];

export const FIXTURE_FILES: Record<FixtureKind, Record<string, string>> = {
  empty: { "README.md": "# empty\n" },
  node: {
    "README.md": "# demo-node\n\nA tiny TypeScript library.\n",
    "package.json":
      JSON.stringify(
        {
          name: "demo-node",
          version: "1.0.0",
          type: "module",
          scripts: {
            lint: "node scripts/lint.mjs",
            typecheck: "node scripts/typecheck.mjs",
            test: "node --test test/",
            build: "node scripts/build.mjs",
          },
          devDependencies: { typescript: "^5.9.0", vitest: "^3.2.0" },
        },
        null,
        2,
      ) + "\n",
    "package-lock.json": JSON.stringify({ name: "demo-node", version: "1.0.0", lockfileVersion: 3, requires: true, packages: {} }, null, 2) + "\n",
    "tsconfig.json": JSON.stringify({ compilerOptions: { strict: true, module: "ESNext" } }, null, 2) + "\n",
    "src/index.ts": "export function add(a: number, b: number): number {\n  return a + b;\n}\n",
    "test/add.test.mjs": "import { test } from 'node:test';\nimport assert from 'node:assert';\ntest('adds', () => assert.equal(1 + 1, 2));\n",
    "scripts/lint.mjs": "console.log('lint ok');\n",
    "scripts/typecheck.mjs": "console.log('typecheck ok');\n",
    "scripts/build.mjs": "console.log('build ok');\n",
    ".gitignore": "node_modules/\n",
  },
  python: {
    "README.md": "# demo-py\n",
    "pyproject.toml": [
      "[project]",
      'name = "demo-py"',
      'version = "0.1.0"',
      'requires-python = ">=3.11"',
      'dependencies = ["fastapi>=0.110"]',
      "",
      "[dependency-groups]",
      'dev = ["pytest>=8", "ruff>=0.5", "mypy>=1.10"]',
      "",
      "[tool.ruff]",
      "line-length = 100",
      "",
      "[tool.mypy]",
      "strict = true",
      "",
      "[tool.pytest.ini_options]",
      'testpaths = ["tests"]',
      "",
    ].join("\n"),
    "uv.lock": "version = 1\n",
    "src/demo_py/__init__.py": "def add(a: int, b: int) -> int:\n    return a + b\n",
    "tests/test_add.py": "from demo_py import add\n\ndef test_add():\n    assert add(1, 2) == 3\n",
  },
  go: {
    "README.md": "# demo-go\n",
    "go.mod": "module example.com/demo\n\ngo 1.22\n\nrequire github.com/gin-gonic/gin v1.10.0\n",
    "main.go": "package main\n\nfunc main() {}\n",
    "main_test.go": 'package main\n\nimport "testing"\n\nfunc TestX(t *testing.T) {}\n',
    Makefile: "lint:\n\tgolangci-lint run\n\ntest:\n\tgo test ./...\n\n.PHONY: lint test\n",
  },
  rust: {
    "README.md": "# demo-rs\n",
    "Cargo.toml": '[package]\nname = "demo-rs"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\ntokio = { version = "1", features = ["full"] }\n',
    "Cargo.lock": "version = 3\n",
    "src/main.rs": "fn main() {}\n",
  },
};

/** Writes `files` (relative path → content) under `dir`, creating folders. */
export async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  for (const [rel, content] of Object.entries(files)) {
    const p = path.join(dir, rel);
    await fs.mkdir(path.dirname(p), { recursive: true });
    await fs.writeFile(p, content);
  }
}

/**
 * Fixtures are built and inspected with simple-git, a different git client than the gateway under
 * test (lib/git/run.ts), so a bug in the gateway cannot hide in the fixture too.
 */
function plainGit(dir: string): SimpleGit {
  // commit.gpgsign is set (false) on purpose: a developer's signing setup must not reach fixtures.
  return simpleGit({ baseDir: dir, allowConfig: ["commit.gpgsign"] });
}

/** Plain git for building and inspecting fixtures (independent of the gateway under test): stdout. */
export async function gitIn(dir: string, args: string[]): Promise<string> {
  return plainGit(dir).raw(args);
}

/**
 * Makes the bare `remote` refuse the first `times` pushes of a commit whose subject starts with
 * `subject` (a pre-receive hook, counting in the repository): a step that pushes such a commit
 * fails, and its retry (or a later forced push) goes through.
 */
export async function refuseFirstPushes(remote: string, subject: string, times = 2): Promise<void> {
  const hook = path.join(remote, "hooks", "pre-receive");
  await fs.writeFile(
    hook,
    `#!/bin/sh
count="$GIT_DIR/refused-pushes"
while read old new ref; do
  if git log -1 --format=%s "$new" | grep -q '^${subject}'; then
    n=$(cat "$count" 2>/dev/null || echo 0)
    if [ "$n" -lt ${times} ]; then echo $((n + 1)) > "$count"; echo "${subject} refused" >&2; exit 1; fi
  fi
done
exit 0
`,
  );
  await fs.chmod(hook, 0o755);
}

/** A bare remote seeded with a project of `kind` on `branch` (default "main"). */
export async function createFixtureRemote(
  kind: FixtureKind = "node",
  opts: { branch?: string; extraFiles?: Record<string, string>; tmpRoot?: string } = {},
): Promise<FixtureRemote> {
  const branch = opts.branch ?? "main";
  const root = await fs.mkdtemp(path.join(opts.tmpRoot ?? os.tmpdir(), "dg-fixture-"));
  const remote = path.join(root, "remote.git");
  const seedDir = path.join(root, "seed");
  await fs.mkdir(seedDir);
  await plainGit(root).raw(["init", "--quiet", "--bare", "-b", branch, remote]);
  const sg = plainGit(seedDir);
  await sg.raw(["init", "--quiet", "-b", branch]);
  await writeFiles(seedDir, { ...FIXTURE_FILES[kind], ...(opts.extraFiles ?? {}) });
  await sg.raw(["add", "--all"]);
  await sg.raw([...IDENTITY, "commit", "--quiet", "-m", `seed ${kind} project`]);
  await sg.raw(["push", "--quiet", remote, `${branch}:refs/heads/${branch}`]);
  const seed = (await sg.raw(["rev-parse", "HEAD"])).trim();
  const bare = plainGit(remote);

  const fixture: FixtureRemote = {
    root,
    remote,
    url: `file://${remote}`,
    branch,
    seed,
    async commit(files, message = "fixture change", onBranch = branch, from = branch) {
      const wc = await fs.mkdtemp(path.join(root, "wc-"));
      const g = plainGit(wc);
      await g.raw(["clone", "--quiet", remote, "."]);
      const exists = (await g.raw(["ls-remote", "--heads", "origin", onBranch])).trim().length > 0;
      await g.raw(["checkout", "--quiet", "-B", onBranch, `origin/${exists ? onBranch : from}`]);
      await writeFiles(wc, files);
      await g.raw(["add", "--all"]);
      await g.raw([...IDENTITY, "commit", "--quiet", "--allow-empty", "-m", message]);
      await g.raw(["push", "--quiet", "origin", `${onBranch}:refs/heads/${onBranch}`]);
      const sha = (await g.raw(["rev-parse", "HEAD"])).trim();
      await fs.rm(wc, { recursive: true, force: true });
      return sha;
    },
    async head(b) {
      try {
        return (await bare.raw(["rev-parse", "--verify", "--quiet", `refs/heads/${b}`])).trim() || null;
      } catch {
        return null;
      }
    },
    async show(ref, file) {
      try {
        return await bare.raw(["show", `${ref}:${file}`]);
      } catch {
        return null;
      }
    },
    async branches() {
      const out = await bare.raw(["for-each-ref", "--format=%(refname:short)", "refs/heads/"]);
      return out.split("\n").filter(Boolean);
    },
    async cleanup() {
      await fs.rm(root, { recursive: true, force: true });
    },
  };
  return fixture;
}

/** A fresh temp dir (for cache/work roots) plus its cleanup. */
export async function tempDir(prefix = "dg-test-"): Promise<{ dir: string; cleanup(): Promise<void> }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => fs.rm(dir, { recursive: true, force: true }) };
}

/** A fresh temp dir holding `files` (relative path → content), plus its cleanup. */
export async function tempProject(files: Record<string, string>, prefix = "dg-project-"): Promise<{ dir: string; cleanup(): Promise<void> }> {
  const t = await tempDir(prefix);
  await writeFiles(t.dir, files);
  return t;
}

/** Names of entries in `dir` that start with `prefix` (to assert nothing was left behind). */
export async function leftovers(dir: string, prefix: string): Promise<string[]> {
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  return names.filter((n) => n.startsWith(prefix));
}

// ---------------------------------------------------------------------------------------------
// A real smart-HTTP git server on 127.0.0.1 (git http-backend as CGI) that requires a token,
// to prove credentials travel in a header and never land in a URL, a config file or a log.

import { spawn } from "node:child_process";
import * as http from "node:http";

export interface GitHttpServer {
  /** Base URL, e.g. http://127.0.0.1:PORT — repositories are `${url}/<name>.git` under `root`. */
  url: string;
  /** Every request's path+query and Authorization header, in order. */
  requests: { url: string; authorization?: string }[];
  close(): Promise<void>;
}

export async function startGitHttpServer(root: string, token: string, username = "x-access-token"): Promise<GitHttpServer> {
  const expected = `Basic ${Buffer.from(`${username}:${token}`).toString("base64")}`;
  const requests: GitHttpServer["requests"] = [];
  const server = http.createServer((req, res) => {
    requests.push({ url: req.url ?? "", authorization: req.headers.authorization });
    if (req.headers.authorization !== expected) {
      res.writeHead(401, { "WWW-Authenticate": 'Basic realm="git"' });
      res.end("unauthorized");
      return;
    }
    const u = new URL(req.url ?? "/", "http://localhost");
    const child = spawn("git", ["http-backend"], {
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        GIT_PROJECT_ROOT: root,
        GIT_HTTP_EXPORT_ALL: "1",
        PATH_INFO: decodeURIComponent(u.pathname),
        QUERY_STRING: u.search.slice(1),
        REQUEST_METHOD: req.method ?? "GET",
        CONTENT_TYPE: req.headers["content-type"] ?? "",
        HTTP_CONTENT_ENCODING: String(req.headers["content-encoding"] ?? ""),
        GIT_PROTOCOL: String(req.headers["git-protocol"] ?? ""),
        REMOTE_USER: username,
        REMOTE_ADDR: "127.0.0.1",
      },
    });
    req.pipe(child.stdin);
    const out: Buffer[] = [];
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.on("close", () => {
      const buf = Buffer.concat(out);
      const sep = buf.indexOf("\r\n\r\n");
      const head = buf.subarray(0, sep).toString("latin1");
      const headers: Record<string, string> = {};
      let status = 200;
      for (const line of head.split("\r\n")) {
        const i = line.indexOf(":");
        if (i < 0) continue;
        const k = line.slice(0, i).trim();
        const v = line.slice(i + 1).trim();
        if (k.toLowerCase() === "status") status = Number.parseInt(v, 10);
        else headers[k] = v;
      }
      res.writeHead(status, headers);
      res.end(buf.subarray(sep + 4));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
