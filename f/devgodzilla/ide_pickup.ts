// The step after an IDE handoff's approval: picks up what the person pushed to the task branch and
// returns an execute_task result — outcome changed, no_change (marked done, nothing pushed) or
// blocked (not done, with a question) — for QA and feedback to judge like any agent's work; the
// command file DevGodzilla put on the branch is removed again. When execute_task handed nothing off,
// its result passes through unchanged.
import { workAfterHandoff } from "./lib/workspace/ide_handoff.ts";

export async function main(
  execute: { [key: string]: unknown },
  resume: { done?: boolean; note?: string; skipped?: boolean } | null = null,
  github?: RT.Github,
) {
  return await workAfterHandoff({ execute, resume, token: github?.token });
}
