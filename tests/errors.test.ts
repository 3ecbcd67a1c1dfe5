// Errors are typed, say what to do, and are matched by exported name: a failure module reads only
// `error.name` from the job's JSON, so a name that no class has (or a renamed class) would make it
// silently fall through to its generic advice.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, DevGodzillaError, ERROR_NAMES, InputError, type ErrorName } from "../f/devgodzilla/lib/errors.ts";
import { GitError, LockTimeoutError, PushRejectedError, SecretInChangeError } from "../f/devgodzilla/lib/git.ts";
import { RepoPathError } from "../f/devgodzilla/lib/repo/files.ts";
import { ProcessSpawnError } from "../f/devgodzilla/lib/process.ts";
import { DagError, topoOrder } from "../f/devgodzilla/lib/dag/graph.ts";
import { TaskAttemptsError } from "../f/devgodzilla/lib/dag/task_attempts.ts";
import { RunDeadlineError } from "../f/devgodzilla/lib/dag/watch.ts";
import { WindmillError } from "../f/devgodzilla/lib/platform/windmill.ts";
import { TaskCycleError } from "../f/devgodzilla/lib/speckit/tasks.ts";
import { SetupFailedError } from "../f/devgodzilla/lib/workspace/execute_task.ts";
import { SandboxLimitError, SandboxUnavailableError } from "../f/devgodzilla/lib/sandbox/index.ts";
import {
  ConstitutionViolationError,
  ContextOverflowError,
  LlmError,
  LlmRequestError,
  StructuredOutputError,
  TransientLlmError,
} from "../f/devgodzilla/lib/llm/errors.ts";
import {
  AgentError,
  AgentFailedError,
  AgentTimeoutError,
  AgentUnavailableError,
  ExecutionBlockedError,
  TransientAgentError,
} from "../f/devgodzilla/lib/agents/types.ts";
import { DiffApplyError } from "../f/devgodzilla/lib/agents/llm_agent.ts";
import { ReviewOutputError, parseReviewOutput } from "../f/devgodzilla/lib/qa/review.ts";
import { ResultFormatError } from "../f/devgodzilla/lib/qa/testrun/model.ts";
import { ForgeAuthError, ForgeError, ForgeNotFoundError, ForgePermissionError, ForgeValidationError } from "../f/devgodzilla/lib/platform/forge.ts";
import { WebhookAuthError } from "../f/devgodzilla/lib/platform/webhook.ts";

const CLASSES: Record<ErrorName, abstract new (...args: never[]) => Error> = {
  DevGodzillaError,
  InputError,
  ConfigError,
  GitError,
  PushRejectedError,
  LockTimeoutError,
  ProcessSpawnError,
  SecretInChangeError,
  RepoPathError,
  DagError,
  TaskCycleError,
  TaskAttemptsError,
  RunDeadlineError,
  SetupFailedError,
  SandboxUnavailableError,
  SandboxLimitError,
  LlmError,
  TransientLlmError,
  ContextOverflowError,
  LlmRequestError,
  StructuredOutputError,
  ConstitutionViolationError,
  AgentError,
  AgentUnavailableError,
  ExecutionBlockedError,
  AgentTimeoutError,
  TransientAgentError,
  AgentFailedError,
  DiffApplyError,
  ReviewOutputError,
  ResultFormatError,
  ForgeError,
  ForgeAuthError,
  ForgePermissionError,
  ForgeNotFoundError,
  ForgeValidationError,
  WebhookAuthError,
  WindmillError,
};

const BUNDLE = path.resolve(__dirname, "../f/devgodzilla");
function bundleFiles(dir = BUNDLE): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? bundleFiles(path.join(dir, d.name)) : d.name.endsWith(".ts") ? [path.join(dir, d.name)] : [],
  );
}

describe("error names", () => {
  it("every exported error name is the name of a DevGodzillaError class, and every such class is named", () => {
    for (const [name, cls] of Object.entries(CLASSES)) {
      expect(ERROR_NAMES[name as ErrorName]).toBe(name);
      expect(cls.name).toBe(name);
      expect(cls === DevGodzillaError || cls.prototype instanceof DevGodzillaError, name).toBe(true);
    }
    const declared = bundleFiles().flatMap((f) => [...readFileSync(f, "utf8").matchAll(/^export class (\w+Error) extends/gm)].map((m) => m[1]!));
    expect(declared.sort()).toEqual(Object.keys(ERROR_NAMES).sort());
  });

  it("an error's name at runtime is its exported name (what a failure module reads from the job's JSON)", () => {
    expect(() =>
      topoOrder([
        { id: "A", dependsOn: ["B"] },
        { id: "B", dependsOn: ["A"] },
      ]),
    ).toThrow(expect.objectContaining({ name: ERROR_NAMES.DagError, hint: expect.stringMatching(/fix the task dependencies/) }));
    expect(() => parseReviewOutput("LGTM")).toThrow(expect.objectContaining({ name: ERROR_NAMES.ReviewOutputError, hint: expect.any(String) }));
  });

  it("failure modules and callers match on the exported names, never on a name typed again", () => {
    const typedAgain = bundleFiles()
      .filter((f) => !f.endsWith(path.join("lib", "errors.ts")))
      .flatMap((f) =>
        [...readFileSync(f, "utf8").matchAll(/["'`](\w+Error)["'`]/g)].filter((m) => m[1]! in ERROR_NAMES).map((m) => `${path.relative(BUNDLE, f)}: ${m[1]}`),
      );
    expect(typedAgain).toEqual([]);
  });
});

describe("typed errors", () => {
  it("the bundle throws no plain Error and defines no error outside DevGodzillaError", () => {
    const plain = bundleFiles()
      .flatMap((f) =>
        readFileSync(f, "utf8")
          .split("\n")
          .map((line, i) => ({ line, at: `${path.relative(BUNDLE, f)}:${i + 1}` }))
          .filter(({ line }) => /\bnew (Type|Range)?Error\(|extends Error\b/.test(line) && !/^\s*(\/\/|\*)/.test(line))
          .map(({ at, line }) => `${at}: ${line.trim()}`),
      )
      .filter((l) => !l.startsWith("lib/errors.ts:"));
    expect(plain).toEqual([]);
  });
});
