// Sample arguments for any script or flow of the bundle, built from its input schema — not from a
// per-item list, so new scripts and changed flows get arguments without touching this file.
// A parameter gets a value when its name is one the fixture knows (repo, branch, commit, feature,
// dag, task, …) or when it takes a resource of a type the harness created (the loopback model, the
// loopback forge). Optional parameters nobody knows keep their defaults; a required one nobody
// knows makes the item a flow step: it is compared inside the flow that runs it (steps.ts).

export interface JsonSchemaProp {
  type?: string;
  format?: string;
  [k: string]: unknown;
}

export interface InputSchema {
  properties?: Record<string, JsonSchemaProp>;
  required?: string[];
}

/** What one side (local runner or Windmill) of a comparison runs against. */
export interface SideFixture {
  /** The side's own copy of the fixture remote (identical refs and shas on both sides). */
  repo: string;
  /** The side's loopback GitHub API. */
  githubApiBase: string;
  /** Resource paths by resource type, e.g. c_devgodzilla_llm → u/admin/devgodzilla_test/llm. */
  resources: Record<string, string>;
  /** A finished flow job of this side (for run_status-like scripts). */
  lastJobId?: string;
  /** When this comparison started: scripts that read the job history look at this window only. */
  since?: string;
}

/** The feature state both sides start from: made once, by the local runner, before the comparison. */
export interface FeatureFixture {
  baseBranch: string;
  baseCommit: string;
  branch: string;
  commit: string;
  feature: string;
  featureDescription: string;
  tasksMd: string;
  dag: { tasks: { id: string; [k: string]: unknown }[] };
  repository: string;
  sandboxPolicy: "refuse" | "allow_unsandboxed";
}

type Source = (f: FeatureFixture, s: SideFixture) => unknown;

/** Values by parameter name. Resource-typed parameters are filled from `SideFixture.resources` instead. */
const BY_NAME: Record<string, Source> = {
  repo: (_, s) => s.repo,
  base_branch: (f) => f.baseBranch,
  branch: (f) => f.branch,
  commit: (f) => f.commit,
  base_commit: (f) => f.baseCommit,
  feature: (f) => f.feature,
  feature_description: (f) => f.featureDescription,
  tasks_md: (f) => f.tasksMd,
  dag: (f) => f.dag,
  task: (f) => f.dag.tasks[0],
  domain: () => "requirements",
  agent: () => "llm",
  concurrency: () => 2,
  sandbox_policy: (f) => f.sandboxPolicy,
  max_followup_questions: () => 0,
  forge: () => "github",
  repository: (f) => f.repository,
  api_base_url: (_, s) => s.githubApiBase,
  github_api_base_url: (_, s) => s.githubApiBase,
  job_id: (_, s) => s.lastJobId,
  dry_run: () => true,
  since: (_, s) => s.since,
  // Resource *paths* (string parameters named after a resource).
  llm_resource: (_, s) => s.resources.c_devgodzilla_llm,
  github_resource: (_, s) => s.resources.github,
  // A webhook decision that starts nothing: the harness must not start flows behind its back.
  decision: () => ({ action: "ignore", reason: "test:windmill sample" }),
};

export type SampleArgs = { args: Record<string, unknown> } | { missing: string[] };

export function sampleArgs(schema: InputSchema, f: FeatureFixture, s: SideFixture): SampleArgs {
  const args: Record<string, unknown> = {};
  const missing: string[] = [];
  const required = new Set(schema.required ?? []);
  for (const [name, prop] of Object.entries(schema.properties ?? {})) {
    const rt = typeof prop.format === "string" && prop.format.startsWith("resource-") ? prop.format.slice("resource-".length) : undefined;
    let value: unknown;
    if (rt) value = s.resources[rt] ? `$res:${s.resources[rt]}` : undefined;
    else value = BY_NAME[name]?.(f, s);
    if (value !== undefined) args[name] = value;
    else if (required.has(name)) missing.push(name);
  }
  return missing.length ? { missing } : { args };
}
