// Real bubblewrap, real processes, real loopback servers. Each test runs a small Node program
// inside the sandbox and checks what it could and could not do.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { mkdtemp, rm, writeFile, mkdir, readFile, readdir } from "node:fs/promises";
import { existsSync, realpathSync } from "node:fs";
import { wrapInSandbox, probeBwrap, SandboxUnavailableError, parseEndpoint, type SandboxOptions } from "../../f/devgodzilla/lib/sandbox/index.ts";
import { runProcess } from "../../f/devgodzilla/lib/process.ts";
import { startLlmServer, type LlmServer } from "../../scripts/fakes/llm-server.ts";

let root: string;
let worktree: string;
let tmpDir: string;
let model: LlmServer;
let other: http.Server; // a host service on 0.0.0.0 that is NOT allow-listed
let otherPort: number;

async function runIn(code: string, opts: Partial<SandboxOptions> = {}, timeoutMs = 30_000) {
  const w = await wrapInSandbox(
    { file: process.execPath, args: ["-e", code], cwd: worktree, env: { HOME: path.join(tmpDir, "home") } },
    { phase: "execute", worktree, tmpDir, ...opts },
  );
  try {
    const r = await runProcess({ file: w.file, args: w.args, env: w.env, cwd: w.cwd, timeoutMs, log: false });
    return { ...r, wrapped: w };
  } finally {
    await w.dispose();
  }
}

/** Node snippet: try a TCP connection, print "OPEN host:port" or "BLOCKED host:port CODE". */
const tryConnect = (host: string, port: number) =>
  `await new Promise((res) => { const s = require("net").connect({ host: ${JSON.stringify(host)}, port: ${port}, timeout: 3000 });
     s.on("connect", () => { console.log("OPEN ${host}:${port}"); s.destroy(); res(); });
     s.on("timeout", () => { console.log("BLOCKED ${host}:${port} TIMEOUT"); s.destroy(); res(); });
     s.on("error", (e) => { console.log("BLOCKED ${host}:${port} " + e.code); res(); }); });`;
const wrapAsync = (body: string) => `(async () => { ${body} })().catch((e) => { console.error(e); process.exit(3); });`;

function hostAddress(): string {
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (a.family === "IPv4" && !a.internal) return a.address;
  }
  return "192.0.2.1";
}

beforeAll(async () => {
  expect(probeBwrap().ok, "bubblewrap must be installed for these tests (apt-get install bubblewrap)").toBe(true);
  root = await mkdtemp(path.join(os.tmpdir(), "dgz-sbx-test-"));
  worktree = path.join(root, "wt");
  tmpDir = path.join(root, "tmp");
  await mkdir(worktree);
  await mkdir(path.join(tmpDir, "home"), { recursive: true });
  model = await startLlmServer(() => ({ text: "hello from the model", usage: { inputTokens: 3, outputTokens: 4 } }));
  other = http.createServer((_q, r) => r.end("secret service"));
  await new Promise<void>((r) => other.listen(0, "0.0.0.0", r));
  otherPort = (other.address() as net.AddressInfo).port;
});

afterAll(async () => {
  await model?.close();
  await new Promise<void>((r) => (other ? other.close(() => r()) : r()));
  if (root) await rm(root, { recursive: true, force: true });
});

describe("execute phase", () => {
  it("reaches the allow-listed model server on the host's loopback with an unchanged base URL", async () => {
    const url = `${model.openaiBaseUrl}/chat/completions`;
    const r = await runIn(
      wrapAsync(`const res = await fetch(${JSON.stringify(url)}, { method: "POST", headers: { "content-type": "application/json", authorization: "Bearer sk-test-000000" },
        body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }] }) });
        const j = await res.json(); console.log("ANSWER " + j.choices[0].message.content);`),
      { allowHosts: [model.openaiBaseUrl] },
    );
    expect(r.wrapped.sandboxed).toBe(true);
    expect(r.stdout).toContain("ANSWER hello from the model");
    expect(r.exitCode).toBe(0);
  });

  it("cannot open a connection to a host service that is not allow-listed, nor to outside addresses", async () => {
    const ext = hostAddress();
    const r = await runIn(
      wrapAsync([tryConnect("127.0.0.1", otherPort), tryConnect(ext, otherPort), tryConnect("1.1.1.1", 443), tryConnect("10.0.0.1", 80)].join("\n")),
      { allowHosts: [model.openaiBaseUrl] },
    );
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`BLOCKED 127\\.0\\.0\\.1:${otherPort} ECONNREFUSED`));
    expect(r.stdout).toContain(`BLOCKED ${ext}:${otherPort}`);
    expect(r.stdout).toContain("BLOCKED 1.1.1.1:443");
    expect(r.stdout).toContain("BLOCKED 10.0.0.1:80");
    expect(r.stdout).not.toContain("OPEN");
    // The same service IS reachable from outside the sandbox (so the block is the sandbox's doing).
    const direct = await fetch(`http://127.0.0.1:${otherPort}/`).then((x) => x.text());
    expect(direct).toBe("secret service");
  });

  it("reaches an allow-listed host NAME through a private loopback alias, and nothing else", async () => {
    // os.hostname() resolves on the host; inside, /etc/hosts maps it to a bridge listener.
    const name = os.hostname();
    const r = await runIn(
      wrapAsync(`const t = await fetch("http://${name}:${otherPort}/").then((x) => x.text()); console.log("NAMED " + t);
        ${tryConnect(name, otherPort + 1 === 65536 ? 1 : otherPort + 1)}`),
      { allowHosts: [`${name}:${otherPort}`] },
    );
    expect(r.stdout).toContain("NAMED secret service");
    expect(r.stdout).toMatch(/BLOCKED \S+ ECONNREFUSED/);
  });

  it("writes only inside the worktree and its temp dir; everything else is read-only", async () => {
    const outside = path.join(root, "outside.txt");
    const r = await runIn(`const fs = require("fs");
      for (const p of [${JSON.stringify(path.join(worktree, "in.txt"))}, ${JSON.stringify(path.join(tmpDir, "t.txt"))},
                       ${JSON.stringify(outside)}, "/tmp/dgz-escape.txt", ${JSON.stringify(path.join(process.cwd(), "escape.txt"))}, "/etc/escape"]) {
        try { fs.writeFileSync(p, "x"); console.log("WROTE " + p); } catch (e) { console.log("DENIED " + p + " " + e.code); }
      }`);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain(`WROTE ${path.join(worktree, "in.txt")}`);
    expect(r.stdout).toContain(`WROTE ${path.join(tmpDir, "t.txt")}`);
    expect(r.stdout).toMatch(new RegExp(`DENIED ${outside.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} (EROFS|ENOENT)`));
    expect(r.stdout).toContain("DENIED /tmp/dgz-escape.txt");
    expect(r.stdout).toContain("DENIED /etc/escape");
    expect(existsSync(outside)).toBe(false);
    expect(existsSync("/tmp/dgz-escape.txt")).toBe(false);
    expect(existsSync(path.join(process.cwd(), "escape.txt"))).toBe(false);
    expect(await readFile(path.join(worktree, "in.txt"), "utf8")).toBe("x");
  });

  it("hides other files of the temp dir (other jobs' worktrees) from the sandbox", async () => {
    const neighbour = path.join(root, "other-job");
    await mkdir(neighbour, { recursive: true });
    await writeFile(path.join(neighbour, "secret.txt"), "other job's data");
    const r = await runIn(`const fs = require("fs");
      try { console.log("READ " + fs.readFileSync(${JSON.stringify(path.join(neighbour, "secret.txt"))}, "utf8")); } catch (e) { console.log("HIDDEN " + e.code); }
      console.log("TMP " + JSON.stringify(fs.readdirSync(${JSON.stringify(root)}).sort()));`);
    expect(r.stdout).toContain("HIDDEN ENOENT");
    expect(r.stdout).toContain(`TMP ${JSON.stringify(["tmp", "wt"])}`);
  });

  it("a program installed under the hidden temp dir (node_modules and all) still runs, and its neighbours stay hidden", async () => {
    // e.g. an agent CLI in the node_modules of a checkout that lives in /tmp
    const pkg = path.join(root, "install", "node_modules", "tool");
    await mkdir(path.join(pkg, "node_modules", "dep"), { recursive: true });
    await writeFile(path.join(pkg, "node_modules", "dep", "index.js"), "module.exports = 'dep loaded';\n");
    await writeFile(path.join(pkg, "cli.js"), "console.log('TOOL ' + require('./node_modules/dep'));\n");
    await mkdir(path.join(root, "install", "secrets"), { recursive: true });
    await writeFile(path.join(root, "install", "secrets", "key.txt"), "not for the tool");
    const w = await wrapInSandbox(
      { file: process.execPath, args: [path.join(pkg, "cli.js")], cwd: worktree, env: { HOME: path.join(tmpDir, "home") } },
      { phase: "execute", worktree, tmpDir, programs: [path.join(pkg, "cli.js")] },
    );
    try {
      const r = await runProcess({ file: w.file, args: w.args, env: w.env, cwd: w.cwd, timeoutMs: 30_000, log: false });
      expect(r.stdout, r.stderr).toContain("TOOL dep loaded");
    } finally {
      await w.dispose();
    }
    const peek = await runIn(
      `try { require("fs").readFileSync(${JSON.stringify(path.join(root, "install", "secrets", "key.txt"))}); console.log("READ"); } catch (e) { console.log("HIDDEN " + e.code); }`,
    );
    expect(peek.stdout).toContain("HIDDEN ENOENT");
  });

  it("hides the local runner's secrets file and anything in DEVGODZILLA_SANDBOX_HIDE by default", async () => {
    const secretFile = path.join(os.homedir(), `.dgz-test-secret-${process.pid}`);
    await writeFile(secretFile, "sk-local-secret-0000000000000000");
    process.env.DEVGODZILLA_SANDBOX_HIDE = secretFile;
    try {
      const r = await runIn(`const fs = require("fs");
        try { console.log("CONTENT[" + fs.readFileSync(${JSON.stringify(secretFile)}, "utf8") + "]"); } catch (e) { console.log("ERR " + e.code); }`);
      expect(r.stdout, r.stderr).toContain("CONTENT[]");
    } finally {
      delete process.env.DEVGODZILLA_SANDBOX_HIDE;
      await rm(secretFile, { force: true });
    }
  });

  it("a hidden path inside another hidden one (the runner's own temp dir in the system one) is hidden with it, and the worktree under both works", async () => {
    // the CLI points TMPDIR at its own directory and still hides the system temp dir
    const inner = path.join(root, "runner-own");
    const wt = path.join(inner, "wc");
    await mkdir(path.join(wt), { recursive: true });
    await mkdir(path.join(inner, "t"));
    await writeFile(path.join(inner, "neighbour.txt"), "another copy's data");
    const w = await wrapInSandbox(
      {
        file: process.execPath,
        args: [
          "-e",
          `const fs = require("fs"); fs.writeFileSync("out.txt", "ok"); try { fs.readFileSync(${JSON.stringify(path.join(inner, "neighbour.txt"))}); console.log("READ"); } catch (e) { console.log("HIDDEN " + e.code); }`,
        ],
        cwd: wt,
        env: {},
      },
      { phase: "execute", worktree: wt, tmpDir: path.join(inner, "t"), hide: [inner, root] },
    );
    try {
      const r = await runProcess({ file: w.file, args: w.args, env: w.env, cwd: w.cwd, timeoutMs: 30_000, log: false });
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout).toContain("HIDDEN ENOENT");
      expect(await readFile(path.join(wt, "out.txt"), "utf8")).toBe("ok");
    } finally {
      await w.dispose();
    }
  });

  it("hiding the whole system temp dir (as the CLI runner does) keeps the sandbox's own launcher there runnable", async () => {
    const w = await wrapInSandbox(
      { file: process.execPath, args: ["-e", "console.log('launched')"], cwd: worktree, env: {} },
      { phase: "execute", worktree, tmpDir: path.join(root, "t-hide-tmp"), hide: [realpathSync(os.tmpdir())] },
    );
    try {
      const r = await runProcess({ file: w.file, args: w.args, env: w.env, cwd: w.cwd, timeoutMs: 30_000, log: false });
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout).toContain("launched");
    } finally {
      await w.dispose();
    }
  });

  it("keeps readOnly paths inside the worktree read-only and hides hidden paths", async () => {
    await mkdir(path.join(worktree, "ctx"), { recursive: true });
    await writeFile(path.join(worktree, "ctx", "spec.md"), "the spec");
    const secretDir = path.join(root, "secret-home");
    await mkdir(secretDir);
    await writeFile(path.join(secretDir, "token"), "ghp_notreal");
    const r = await runIn(
      `const fs = require("fs");
      try { fs.writeFileSync(${JSON.stringify(path.join(worktree, "ctx", "spec.md"))}, "changed"); console.log("WROTE ctx"); } catch (e) { console.log("DENIED ctx " + e.code); }
      console.log("READ " + fs.readFileSync(${JSON.stringify(path.join(worktree, "ctx", "spec.md"))}, "utf8"));
      console.log("HIDDEN " + JSON.stringify(fs.readdirSync(${JSON.stringify(secretDir)})));`,
      { readOnly: ["ctx"], hide: [secretDir] },
    );
    expect(r.stdout).toContain("DENIED ctx EROFS");
    expect(r.stdout).toContain("READ the spec");
    expect(r.stdout).toContain("HIDDEN []");
  });

  it("a timeout kills every process inside the sandbox", async () => {
    const marker = `dgz-sleeper-${process.pid}-${Date.now()}`;
    const r = await runIn(
      `require("child_process").spawn(process.execPath, ["-e", "setTimeout(()=>{}, 600000)", ${JSON.stringify(marker)}], { stdio: "ignore", detached: true }).unref();
       console.log("spawned"); setTimeout(() => {}, 600000);`,
      {},
      1500,
    );
    expect(r.timedOut).toBe(true);
    await new Promise((res) => setTimeout(res, 500));
    const alive: string[] = [];
    for (const pid of await readdir("/proc")) {
      if (!/^\d+$/.test(pid)) continue;
      const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
      if (cmdline.includes(marker)) alive.push(pid);
    }
    expect(alive).toEqual([]);
  });
});

describe("setup phase", () => {
  it("installs a local file: dependency into the worktree with the network on", async () => {
    const lib = path.join(root, "locallib");
    await mkdir(lib);
    await writeFile(path.join(lib, "package.json"), JSON.stringify({ name: "locallib", version: "1.0.0", main: "index.js" }));
    await writeFile(path.join(lib, "index.js"), "module.exports = 'local lib works';");
    const proj = path.join(worktree, "proj");
    await mkdir(proj);
    await writeFile(path.join(proj, "package.json"), JSON.stringify({ name: "proj", version: "1.0.0", dependencies: { locallib: `file:${lib}` } }));
    const npmCli = path.join(path.dirname(process.execPath), "..", "lib", "node_modules", "npm", "bin", "npm-cli.js");
    const w = await wrapInSandbox(
      {
        file: process.execPath,
        args: [npmCli, "install", "--no-audit", "--no-fund", "--install-links"],
        cwd: proj,
        env: { HOME: path.join(tmpDir, "home"), npm_config_cache: path.join(tmpDir, "npm-cache") },
      },
      // The dependency lives outside the worktree, in the (hidden) temp dir: exposed read-only.
      { phase: "setup", worktree, tmpDir, readOnly: [lib] },
    );
    const r = await runProcess({ file: w.file, args: w.args, env: w.env, cwd: w.cwd, timeoutMs: 50_000, log: false });
    await w.dispose();
    expect(r.exitCode, r.stderr).toBe(0);
    expect(await readFile(path.join(proj, "node_modules", "locallib", "index.js"), "utf8")).toContain("local lib works");

    // Network is on in setup: a host service that execute would block is reachable.
    const r2 = await runIn(wrapAsync(tryConnect("127.0.0.1", otherPort)), { phase: "setup" });
    expect(r2.stdout).toContain(`OPEN 127.0.0.1:${otherPort}`);
  });
});

describe("when bubblewrap is unavailable", () => {
  it("refuses by default with a clear error", async () => {
    await expect(
      wrapInSandbox({ file: "true", args: [], cwd: worktree }, { phase: "execute", worktree, tmpDir, bwrapPath: "/nonexistent/bwrap" }),
    ).rejects.toThrowError(SandboxUnavailableError);
    await expect(
      wrapInSandbox({ file: "true", args: [], cwd: worktree }, { phase: "execute", worktree, tmpDir, bwrapPath: "/nonexistent/bwrap" }),
    ).rejects.toThrow(/not found.*allow_unsandboxed/);
  });

  it("treats a bwrap that cannot create namespaces as unavailable (and says why)", async () => {
    // A stand-in for bwrap on a host that forbids unprivileged user namespaces.
    const fake = path.join(root, "fake-bwrap");
    await writeFile(fake, "#!/bin/sh\necho 'bwrap: No permissions to create new namespace' >&2\nexit 1\n", { mode: 0o755 });
    await expect(wrapInSandbox({ file: "true", args: [], cwd: worktree }, { phase: "setup", worktree, tmpDir, bwrapPath: fake })).rejects.toThrow(
      /cannot create namespaces here: bwrap: No permissions/,
    );
    const w = await wrapInSandbox(
      { file: "true", args: [], cwd: worktree },
      { phase: "setup", worktree, tmpDir, bwrapPath: fake, policy: "allow_unsandboxed" },
    );
    expect(w).toMatchObject({ sandboxed: false, file: "true" });
    expect(w.warning).toMatch(/No permissions to create new namespace/);
  });

  it("runs unsandboxed with a warning when the policy allows it", async () => {
    const w = await wrapInSandbox(
      { file: process.execPath, args: ["-e", "console.log('ran')"], cwd: worktree },
      { phase: "execute", worktree, tmpDir, bwrapPath: "/nonexistent/bwrap", policy: "allow_unsandboxed" },
    );
    expect(w.sandboxed).toBe(false);
    expect(w.warning).toMatch(/WITHOUT a sandbox/);
    const r = await runProcess({ file: w.file, args: w.args, env: w.env, cwd: w.cwd, log: false });
    expect(r.stdout.trim()).toBe("ran");
  });
});

describe("allow-list entries", () => {
  it("parses URLs and host:port, rejects junk", () => {
    expect(parseEndpoint("https://api.openai.com/v1")).toEqual({ host: "api.openai.com", port: 443, loopback: false });
    expect(parseEndpoint("http://127.0.0.1:8080/v1")).toEqual({ host: "127.0.0.1", port: 8080, loopback: true });
    expect(parseEndpoint("localhost:11434")).toEqual({ host: "localhost", port: 11434, loopback: true });
    expect(() => parseEndpoint("api.openai.com")).toThrow(/allowHosts/);
    expect(() => parseEndpoint("a b:80")).toThrow(/allowHosts/);
  });
});
