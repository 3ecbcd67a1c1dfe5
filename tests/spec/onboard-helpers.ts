// Shared set-up of the onboard tests: a cache dir and a work root for the whole file, fixture
// remotes removed after it, and the io arguments every runOnboard call takes.
import { afterAll, beforeAll } from "vitest";
import { createFixtureRemote, tempDir, type FixtureRemote } from "../helpers/git-fixtures.ts";

/** Registers beforeAll/afterAll; `cache.dir` and `work.dir` are set once beforeAll ran. */
export function onboardFixtures(prefix: string) {
  const cache = { dir: "" };
  const work = { dir: "" };
  const cleanups: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    for (const [holder, name] of [
      [cache, "cache-"],
      [work, "work-"],
    ] as const) {
      const t = await tempDir(`${prefix}${name}`);
      holder.dir = t.dir;
      cleanups.push(t.cleanup);
    }
  });
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });
  return {
    cache,
    work,
    /** A fixture remote that is removed after the file. */
    async remote(kind: Parameters<typeof createFixtureRemote>[0], opts?: Parameters<typeof createFixtureRemote>[1]): Promise<FixtureRemote> {
      const f = await createFixtureRemote(kind, opts);
      cleanups.push(() => f.cleanup());
      return f;
    },
    io: () => ({ cacheDir: cache.dir, workRoot: work.dir, date: "2026-01-15" }),
  };
}
