// One task's workspace: a fresh working copy of the exact commit on a task branch (git.ts: mirror
// cache + clone --shared), the agent's context files under `specs/<feature>/_runtime/<task>/`
// (git-ignored through .git/info/exclude, so they are never committed whatever the target repo's
// .gitignore says), and the note every task prompt adds to point at them.

import { mkdir, appendFile, readFile } from "node:fs/promises";
import path from "node:path";
import { checkout, runBranchName, assertValidBranchName, type WorkingCopy, type GitAuthOptions } from "../git.ts";
import { InputError } from "../errors.ts";
import { repoFiles } from "../repo/files.ts";

// ---------------------------------------------------------------------------------------------
// Exported types

export interface TaskSpec {
  /** Task id as in tasks.md, e.g. "T012". */
  id: string;
  description: string;
  /** Files the task names (from tasks.md), if any. */
  files?: string[];
  phase?: string;
  story?: string | null;
  parallel?: boolean;
}

export interface DependencySummary {
  id: string;
  description?: string;
  /** What the dependency's agent said it did (redacted). */
  summary?: string;
  changedFiles?: string[];
  commit?: string;
}

export interface TaskContextInput {
  feature: string;
  task: TaskSpec;
  spec?: string;
  plan?: string;
  /** Full constitution; only an excerpt (principles) goes to the agent. */
  constitution?: string;
  dependencies?: DependencySummary[];
  /** Extra note, e.g. a merge conflict the agent must resolve. */
  note?: string;
}

export interface TaskContext {
  /** Relative to the working copy, e.g. "specs/003-x/_runtime/T012". */
  dir: string;
  files: string[];
  /**
   * What every task prompt adds to the agent's prompt template (lib/agentops): the context files
   * to read first, the runtime dir not to touch, the executor's note.
   */
  contextNote: string;
}

export interface TaskWorkspace {
  copy: WorkingCopy;
  dir: string;
  branch: string;
  base: string;
  cleanup(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------

const TASK_ID_RE = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

export function validateTaskId(id: unknown, field = "task.id"): string {
  if (typeof id !== "string" || !TASK_ID_RE.test(id) || id.includes("..")) {
    throw new InputError(field, `${JSON.stringify(id)} is not a task id`, "use the id from tasks.md, e.g. T012");
  }
  return id;
}

/**
 * Task branch for a task of a run: `devgodzilla/<feature>-tasks/<id>`. (Not under
 * `devgodzilla/<feature>/…`: git cannot hold both a ref and a ref "directory" of the same name.)
 */
export function taskBranchName(feature: string, taskId: string): string {
  const name = `${runBranchName(feature)}-tasks/${validateTaskId(taskId)}`;
  assertValidBranchName(name, "task.id");
  return name;
}

export function runtimeDir(feature: string, taskId: string): string {
  return `specs/${feature}/_runtime/${taskId}`;
}

/** Fresh working copy of `commit` with the task branch created there. */
export async function prepareTaskWorkspace(
  opts: {
    repo: string;
    commit: string;
    feature: string;
    taskId: string;
    cacheDir?: string;
    workRoot?: string;
  } & GitAuthOptions,
): Promise<TaskWorkspace> {
  const branch = taskBranchName(opts.feature, opts.taskId);
  const copy = await checkout({
    repo: opts.repo,
    commit: opts.commit,
    branch,
    cacheDir: opts.cacheDir,
    workRoot: opts.workRoot,
    token: opts.token,
    username: opts.username,
  });
  // _runtime never gets committed, even when the target repo does not ignore it.
  const exclude = path.join(copy.dir, ".git", "info", "exclude");
  await mkdir(path.dirname(exclude), { recursive: true });
  const current = await readFile(exclude, "utf8").catch(() => "");
  if (!current.includes("/specs/*/_runtime/")) await appendFile(exclude, `${current.endsWith("\n") || !current ? "" : "\n"}/specs/*/_runtime/\n`);
  return { copy, dir: copy.dir, branch, base: copy.commit, cleanup: copy.cleanup };
}

/** First lines of each principle of a constitution: enough to steer, small enough for a prompt. */
export function constitutionExcerpt(text: string, maxChars = 4000): string {
  const lines = text.split("\n");
  const out: string[] = [];
  let keep = 0;
  for (const l of lines) {
    if (/^#{1,3}\s/.test(l)) {
      out.push(l);
      keep = 3;
    } else if (keep > 0 && l.trim()) {
      out.push(l);
      keep--;
    }
    if (out.join("\n").length > maxChars) break;
  }
  const s = out.join("\n");
  return s.length > maxChars ? `${s.slice(0, maxChars)}\n…` : s;
}

/** Writes the agent's context files and returns the prompt that names them. */
export async function writeTaskContext(workDir: string, input: TaskContextInput): Promise<TaskContext> {
  const rel = runtimeDir(input.feature, validateTaskId(input.task.id));
  // Through the repository-files gateway: a _runtime folder the checkout made a link is refused.
  const repo = repoFiles(workDir);
  const files: string[] = [];
  const put = async (name: string, content: string | undefined) => {
    if (content === undefined || content === "") return;
    repo.writeText(`${rel}/${name}`, content);
    files.push(`${rel}/${name}`);
  };
  const t = input.task;
  await put(
    "task.md",
    [
      `# Task ${t.id}`,
      "",
      t.description,
      "",
      t.files?.length ? `Files: ${t.files.map((f) => `\`${f}\``).join(", ")}` : "",
      t.phase ? `Phase: ${t.phase}` : "",
      t.story ? `User story: ${t.story}` : "",
    ]
      .filter((l, i, a) => l !== "" || a[i - 1] !== "")
      .join("\n") + "\n",
  );
  // The spec and plan live in the repo already (specs/<feature>/); copies here are for agents that
  // are told to read only their context dir.
  await put("spec.md", input.spec);
  await put("plan.md", input.plan);
  await put("constitution-excerpt.md", input.constitution ? constitutionExcerpt(input.constitution) : undefined);
  if (input.dependencies?.length) {
    await put(
      "dependencies.md",
      [
        "# Finished dependencies",
        "",
        ...input.dependencies.flatMap((d) => [
          `## ${d.id}${d.description ? ` — ${d.description}` : ""}`,
          d.summary ? d.summary.trim() : "(no summary)",
          d.changedFiles?.length ? `Changed: ${d.changedFiles.map((f) => `\`${f}\``).join(", ")}` : "",
          "",
        ]),
      ].join("\n"),
    );
  }
  await put("note.md", input.note);

  const contextNote = [
    `Context for this task (read these first): ${files.map((f) => `\`${f}\``).join(", ")}.`,
    `Do not edit anything under \`${rel}\`.`,
    input.note ? `\nImportant: ${input.note}` : "",
  ]
    .join("\n")
    .trim();
  return { dir: rel, files, contextNote };
}
