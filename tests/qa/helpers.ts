// Real git repositories for QA tests: a temp repo whose commits we script file by file.
import { mkdtemp, mkdir, writeFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { execa } from "execa";

export interface TempRepo {
  dir: string;
  git: (...args: string[]) => Promise<string>;
  commit: (message: string, files: Record<string, string>) => Promise<string>;
  head: () => Promise<string>;
  cleanup: () => Promise<void>;
}

export async function tempRepo(prefix = "dg-qa-"): Promise<TempRepo> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const env = { GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com" };
  const git = async (...args: string[]) => (await execa("git", args, { cwd: dir, env })).stdout;
  await git("init", "-q", "-b", "main");
  await git("config", "commit.gpgsign", "false");
  const commit = async (message: string, files: Record<string, string>) => {
    for (const [p, content] of Object.entries(files)) {
      await mkdir(dirname(join(dir, p)), { recursive: true });
      await writeFile(join(dir, p), content);
      await git("add", "--", p);
    }
    await git("commit", "-q", "--allow-empty", "-m", message);
    return git("rev-parse", "HEAD");
  };
  return { dir, git, commit, head: () => git("rev-parse", "HEAD"), cleanup: () => rm(dir, { recursive: true, force: true }) };
}
