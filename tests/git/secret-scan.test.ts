// Class 2 of issue 13: redaction stopped at logs and results; a key written into the work tree was
// committed and pushed. The git gateway now scans every commit and push (real repositories, a real
// bare remote): secrets in scope raw and encoded, well-known key shapes; a hit names file and line,
// never the value, and leaves nothing committed or pushed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { commitAll, findSecrets, gitAt, pushBranch, SecretInChangeError, secretNeedles } from "../../f/devgodzilla/lib/git.ts";
import { Redactor } from "../../f/devgodzilla/lib/redact.ts";
import { createFixtureRemote, gitIn, tempDir, type FixtureRemote } from "../helpers/git-fixtures.ts";

const KEY = "sk-scan-test-3f9a1c77e2b84d0f9a6c5e21b7d4a8c0";
let fx: FixtureRemote;
let work: { dir: string; cleanup(): Promise<void> };

beforeAll(async () => {
  // The job holds KEY (as execute_task's redactor holds the agents resource): it is in scope.
  new Redactor().addFrom({ agents: { codex: { api_key: KEY } } });
  fx = await createFixtureRemote("empty");
  work = await tempDir("dg-scan-");
});
afterAll(async () => {
  await fx?.cleanup();
  await work?.cleanup();
});

async function clone(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(work.dir, "wc-"));
  await gitIn(dir, ["clone", "--quiet", fx.remote, "."]);
  return dir;
}

const b64 = (s: string) => Buffer.from(s).toString("base64");
/** Lines of `width` characters, as `base64` (76), PEM (64) or `xxd -p` (60) print them. */
const wrap = (s: string, width: number) => s.match(new RegExp(`.{1,${width}}`, "g"))!.join("\n");
const encodings: [string, (k: string) => string][] = [
  ["raw in an env dump", (k) => `PATH=/usr/bin\nCODEX_API_KEY=${k}\nHOME=/tmp/x\n`],
  ["base64 of the env dump (key not at a 3-byte boundary)", (k) => `${b64(`X=1\nCODEX_API_KEY=${k}\n`)}\n`],
  ["base64url", (k) => `${b64(`ab${k}`).replace(/\+/g, "-").replace(/\//g, "_")}\n`],
  ["hex", (k) => `const blob = "${Buffer.from(`key:${k}`).toString("hex")}";\n`],
  ["URL-encoded", (k) => `https://evil.example/?q=${encodeURIComponent(`${k}&x=/`)}\n`],
  ["JSON-escaped inside a string", (k) => `${JSON.stringify({ note: `key\t${k}` })}\n`],
  // 50 bytes before the key put its encoding across the first line break.
  ["base64 wrapped at 76 columns as `base64` prints it, split over two lines", (k) => `${wrap(b64(`${"X".repeat(50)}${k}\n`), 76)}\n`],
  ["hex wrapped at 60 columns as `xxd -p` prints it, split over two lines", (k) => `${wrap(Buffer.from(`${"Y".repeat(20)}${k}`).toString("hex"), 60)}\n`],
];

describe("secret scan before commit", () => {
  for (const [how, write] of encodings) {
    it(`refuses a change holding the key ${how}, names file and line, never the value, and commits nothing`, async () => {
      const dir = await clone();
      const head = (await gitIn(dir, ["rev-parse", "HEAD"])).trim();
      await fs.writeFile(path.join(dir, "ok.txt"), "harmless\n");
      await fs.mkdir(path.join(dir, "out"));
      await fs.writeFile(path.join(dir, "out", "dump.txt"), `first line\n${write(KEY)}`);
      const err = await commitAll(dir, "agent work").then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(SecretInChangeError);
      const e = err as SecretInChangeError;
      expect(e.findings[0]).toMatchObject({ file: "out/dump.txt", line: expect.any(Number) });
      expect(e.message).toMatch(/out\/dump\.txt:\d+ \(a secret value in scope/);
      for (const form of [KEY, ...secretNeedles(KEY).map((n) => n.text)]) expect(e.message).not.toContain(form);
      expect((await gitIn(dir, ["rev-parse", "HEAD"])).trim()).toBe(head);
      expect((await gitIn(dir, ["diff", "--cached", "--name-only"])).trim()).toBe(""); // unstaged again
    });
  }

  it("refuses well-known key shapes that are not in scope, but not placeholders", async () => {
    const dir = await clone();
    const ghp = "ghp_" + "aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dE3fG5";
    await fs.writeFile(path.join(dir, "config.js"), `// placeholder: ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\nconst token = "${ghp}";\n`);
    const e = (await commitAll(dir, "config").catch((x: unknown) => x)) as SecretInChangeError;
    expect(e).toBeInstanceOf(SecretInChangeError);
    expect(e.findings).toEqual([{ file: "config.js", line: 2, what: "a GitHub token", commit: undefined }]);
    await fs.writeFile(path.join(dir, "config.js"), "// placeholder: ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n");
    expect(await commitAll(dir, "config")).toMatch(/^[0-9a-f]{40}$/);
  });

  it("refuses a commit message holding the key", async () => {
    const dir = await clone();
    await fs.writeFile(path.join(dir, "a.txt"), "a\n");
    await expect(commitAll(dir, `T001: use ${KEY}`)).rejects.toThrow(/\(commit message\):1 \(a secret value in scope\)/);
  });

  it("commits ordinary changes, and a key removed again before the commit is no finding", async () => {
    const dir = await clone();
    await fs.writeFile(path.join(dir, "b.txt"), `${KEY}\n`);
    await fs.writeFile(path.join(dir, "b.txt"), "clean\n");
    expect(await commitAll(dir, "clean change")).toMatch(/^[0-9a-f]{40}$/);
  });
});

describe("every commit and push through the git gateway, whoever makes it", () => {
  const id = ["-c", "user.name=x", "-c", "user.email=x@example.test", "-c", "commit.gpgsign=false"];

  it("a commit run directly (git add + commit -m, commit -am, commit -- <path>, commit -F) is scanned and refused", async () => {
    for (const form of [
      ["-m", "direct"],
      ["-am", "all tracked"],
      ["-m", "one path", "--", "tracked.txt"],
      ["-F", "msg.txt"],
    ]) {
      const dir = await clone();
      await fs.writeFile(path.join(dir, "tracked.txt"), "clean\n");
      await gitIn(dir, ["add", "tracked.txt"]);
      await gitIn(dir, [...id, "commit", "-q", "-m", "track it"]);
      const head = (await gitIn(dir, ["rev-parse", "HEAD"])).trim();
      await fs.writeFile(path.join(dir, "tracked.txt"), `token=${KEY}\n`);
      if (form[0] === "-m" && form.length === 2) await gitIn(dir, ["add", "tracked.txt"]);
      if (form[0] === "-F") {
        await fs.writeFile(path.join(dir, "msg.txt"), `report for ${b64(`key ${KEY}`)}\n`);
        await gitIn(dir, ["add", "tracked.txt"]);
      }
      const e = (await gitAt(dir)
        .run([...id, "commit", "-q", ...form])
        .catch((x: unknown) => x)) as SecretInChangeError;
      expect(e, form.join(" ")).toBeInstanceOf(SecretInChangeError);
      expect(e.message).toMatch(
        form[0] === "-F" ? /\(commit message\):1 \(a secret value in scope \(base64\)\)/ : /tracked\.txt:1 \(a secret value in scope\)/,
      );
      expect((await gitIn(dir, ["rev-parse", "HEAD"])).trim(), form.join(" ")).toBe(head);
    }
  });

  it("a push run directly (not through pushBranch) of a commit git made on its own is refused", async () => {
    const dir = await clone();
    await fs.writeFile(path.join(dir, "leak.env"), `TOKEN=${b64(KEY)}\n`);
    await gitIn(dir, ["add", "-A"]);
    await gitIn(dir, [...id, "commit", "-q", "-m", "leak"]);
    const e = (await gitAt(dir)
      .run(["push", "-q", "origin", "HEAD:refs/heads/devgodzilla/raw"])
      .catch((x: unknown) => x)) as SecretInChangeError;
    expect(e).toBeInstanceOf(SecretInChangeError);
    expect(e.message).toMatch(/refused to push.*leak\.env:1 \(a secret value in scope \(base64\)/);
    expect(await fx.head("devgodzilla/raw")).toBeNull();
  });
});

describe("secret scan before push", () => {
  it("refuses to push a commit made outside commitAll that holds the key, even when a later commit removed it", async () => {
    const dir = await clone();
    const id = ["-c", "user.name=x", "-c", "user.email=x@example.test", "-c", "commit.gpgsign=false"];
    await fs.writeFile(path.join(dir, "leak.env"), `TOKEN=${KEY}\n`);
    await gitIn(dir, ["add", "-A"]);
    await gitIn(dir, [...id, "commit", "-q", "-m", "leak"]);
    await fs.rm(path.join(dir, "leak.env"));
    await gitIn(dir, ["add", "-A"]);
    await gitIn(dir, [...id, "commit", "-q", "-m", "remove it again"]);
    const e = (await pushBranch(dir, "devgodzilla/leaky", "origin").catch((x: unknown) => x)) as SecretInChangeError;
    expect(e).toBeInstanceOf(SecretInChangeError);
    expect(e.message).toMatch(/refused to push.*leak\.env:1/);
    expect(e.message).not.toContain(KEY);
    expect(await fx.head("devgodzilla/leaky")).toBeNull();
  });

  it("pushes clean commits; commits the remote already has are not scanned again", async () => {
    const dir = await clone();
    await fs.writeFile(path.join(dir, "c.txt"), "clean\n");
    await commitAll(dir, "clean");
    const r = await pushBranch(dir, "devgodzilla/clean", "origin");
    expect(r.status).toBe("created");
  });
});

describe("needles", () => {
  it("find the key inside longer base64 blobs at every byte offset", () => {
    for (let pad = 0; pad < 6; pad++) {
      const blob = b64(`${"x".repeat(pad)}${KEY}${"y".repeat(pad % 3)}`);
      expect(findSecrets([{ file: "f", lines: [{ n: 1, text: blob }] }], [KEY]).length, `offset ${pad}`).toBeGreaterThan(0);
    }
  });
});
