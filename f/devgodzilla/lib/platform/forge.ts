// The forge gateway: GitHub pull requests and issues, GitLab merge requests and issues, over their
// REST APIs with a small fetch client. One place owns which forge a repository is on
// (chooseForge), the time limit, paging (every list follows the pages the forge announces), typed
// errors and redaction. Why not octokit + gitbeaker: we call five endpoints per forge; two SDKs
// would bring two error models and two paging styles that we would translate back into ours, and
// two more runtime dependencies for every Windmill worker to resolve — paging is the Link header
// both forges send, a few lines here.
// Idempotent by design: the run branch identifies the PR/MR, so a retried or resumed open_pr step
// finds the open one and updates its title/body instead of opening a duplicate.
// The token only ever travels in the Authorization header, only to the API root it was given for;
// every message we surface is redacted.

import { DevGodzillaError, InputError } from "../errors.ts";
import type { GitAuthOptions } from "../git.ts";
import { Redactor } from "../redact.ts";

// ---------------------------------------------------------------------------------------------
// Exported types
// ---------------------------------------------------------------------------------------------

export type ForgeKind = "github" | "gitlab";

export interface ForgeTarget {
  kind: ForgeKind;
  /** REST API root: https://api.github.com, https://ghe.example/api/v3, https://gitlab.example/api/v4 */
  apiBase: string;
  /** "owner/repo" on GitHub, "group/sub/project" on GitLab. */
  repoPath: string;
  token: string;
}

export interface PrSpec {
  /** Run branch (the PR head / MR source branch). */
  head: string;
  /** Target branch. */
  base: string;
  title: string;
  body: string;
  draft?: boolean;
}

export interface PrResult {
  kind: ForgeKind;
  /** GitHub PR number or GitLab MR iid. */
  number: number;
  url: string;
  head: string;
  base: string;
  /** What this call did: a second identical call reports "unchanged". */
  action: "created" | "updated" | "unchanged";
  state: string;
}

export interface PullRequestInfo {
  number: number;
  url: string;
  head: string;
  base: string;
  title: string;
  body: string;
  state: string;
}

/** A forge API call failed. `status` is the HTTP status; the message says what to do. */
export class ForgeError extends DevGodzillaError {
  readonly status: number;
  readonly forge: ForgeKind;
  constructor(forge: ForgeKind, status: number, message: string, hint?: string) {
    super(`${forge} API ${status}: ${message}`, { hint });
    this.status = status;
    this.forge = forge;
  }
}
export class ForgeAuthError extends ForgeError {} // 401
export class ForgePermissionError extends ForgeError {} // 403
export class ForgeNotFoundError extends ForgeError {} // 404
export class ForgeValidationError extends ForgeError {} // 422 (GitHub) / 400, 409 (GitLab)

// ---------------------------------------------------------------------------------------------
// Repository URL → forge target
// ---------------------------------------------------------------------------------------------

/** Parses https://host/owner/repo(.git), ssh://git@host/owner/repo.git and git@host:owner/repo.git. */
export function parseRepoUrl(repoUrl: string): { host: string; repoPath: string } | undefined {
  const scp = /^[\w.-]+@([\w.-]+):(?!\/)(.+?)(?:\.git)?\/?$/.exec(repoUrl);
  if (scp) return { host: scp[1], repoPath: scp[2] };
  try {
    const u = new URL(repoUrl);
    if (!["http:", "https:", "ssh:", "git:"].includes(u.protocol)) return undefined;
    const repoPath = u.pathname
      .replace(/^\/+/, "")
      .replace(/\.git\/?$/, "")
      .replace(/\/+$/, "");
    if (!repoPath.includes("/")) return undefined;
    return { host: u.host, repoPath };
  } catch {
    return undefined;
  }
}

/** Infers github/gitlab from the host name; undefined when it cannot tell. */
export function inferForgeKind(repoUrl: string): ForgeKind | undefined {
  const host = parseRepoUrl(repoUrl)?.host.toLowerCase() ?? "";
  if (host.includes("github")) return "github";
  if (host.includes("gitlab")) return "gitlab";
  return undefined;
}

/** Default API root for a forge, from the repository host (GitHub Enterprise / self-hosted GitLab). */
export function defaultApiBase(kind: ForgeKind, host: string | undefined): string {
  if (kind === "github") {
    if (!host || host === "github.com" || host === "www.github.com") return "https://api.github.com";
    return `https://${host}/api/v3`;
  }
  return `https://${host ?? "gitlab.com"}/api/v4`;
}

export interface ResolveTargetInput {
  kind?: ForgeKind;
  repoUrl: string;
  /** Overrides the owner/repo derived from repoUrl (needed when repoUrl is a local or mirror URL). */
  repoPath?: string;
  /** Overrides the API root (GitHub Enterprise, self-hosted GitLab, the loopback fake). */
  apiBase?: string;
  token: string;
}

/** The forge resources a script may be given (Windmill's `github` and `gitlab` resource types). */
export interface ForgeResources {
  github?: { token: string };
  gitlab?: { token: string; baseUrl?: string };
}

export interface ForgeChoice extends ForgeResources {
  /** "auto" or omitted: decided by the rule in chooseForge. */
  forge?: "auto" | ForgeKind;
  repoUrl: string;
  /** owner/repo (group/project) when repoUrl is not a forge URL (a local or mirror remote). */
  repository?: string;
  /** API root override; per forge when one caller serves repositories on both (reconcile). "" = none. */
  apiBase?: string | Partial<Record<ForgeKind, string>>;
}

/**
 * The one rule that decides GitHub or GitLab, for every script: the forge the caller names; else
 * the repository's host (github… / gitlab…); else the only forge resource given. The token is that
 * forge's resource's. The API root is `apiBase`, else the GitLab resource's instance URL, else
 * derived from the repository host.
 */
export function chooseForge(c: ForgeChoice): ForgeTarget {
  const named = c.forge && c.forge !== "auto" ? c.forge : undefined;
  const onlyResource = c.github && !c.gitlab ? "github" : c.gitlab && !c.github ? "gitlab" : undefined;
  const kind = named ?? inferForgeKind(c.repoUrl) ?? onlyResource;
  if (!kind) {
    throw new InputError(
      "forge",
      `cannot tell whether ${safeUrl(c.repoUrl)} is on GitHub or GitLab`,
      'set forge to "github" or "gitlab", or give only the resource of the forge that hosts it',
    );
  }
  const token = c[kind]?.token;
  if (!token)
    throw new InputError(
      kind,
      `a ${kind} resource with a token is required for ${safeUrl(c.repoUrl)}`,
      `pick the ${kind} resource (its token opens the ${kind === "github" ? "pull request" : "merge request"})`,
    );
  const override = typeof c.apiBase === "string" ? c.apiBase : c.apiBase?.[kind];
  const instance = kind === "gitlab" && c.gitlab?.baseUrl ? gitlabApiRoot(c.gitlab.baseUrl) : undefined;
  return resolveTarget({ kind, repoUrl: c.repoUrl, repoPath: c.repository || undefined, apiBase: override || instance, token });
}

/** Windmill's gitlab resource holds either the instance URL or its /api/v4 root. */
function gitlabApiRoot(u: string): string {
  const base = u.replace(/\/+$/, "");
  return /\/api\/v4$/.test(base) ? base : `${base}/api/v4`;
}

/** Git over https authenticates with the forge token (GitLab as user oauth2); other remotes need nothing. */
export function gitAuthFor(target: ForgeTarget | undefined, repoUrl: string): GitAuthOptions {
  if (!target || !/^https?:\/\//i.test(repoUrl)) return {};
  return { token: target.token, username: target.kind === "gitlab" ? "oauth2" : "x-access-token" };
}

export function resolveTarget(input: ResolveTargetInput): ForgeTarget {
  const parsed = parseRepoUrl(input.repoUrl);
  const kind = input.kind ?? inferForgeKind(input.repoUrl);
  if (!kind) {
    throw new InputError("forge", `cannot tell whether ${safeUrl(input.repoUrl)} is on GitHub or GitLab`, 'set forge to "github" or "gitlab"');
  }
  const repoPath = (input.repoPath ?? parsed?.repoPath ?? "").replace(/^\/+|\/+$/g, "");
  if (!/^[\w.-]+(\/[\w.-]+)+$/.test(repoPath) || (kind === "github" && repoPath.split("/").length !== 2)) {
    throw new InputError(
      "repository",
      `"${repoPath}" is not a ${kind === "github" ? "owner/repo" : "group/project"} path`,
      "pass repository explicitly (e.g. acme/widgets) when repo is not a forge URL",
    );
  }
  if (!input.token || typeof input.token !== "string") {
    throw new InputError(kind, "the resource has no token", `fill the ${kind} resource's token field`);
  }
  const apiBase = (input.apiBase?.trim() || defaultApiBase(kind, parsed?.host)).replace(/\/+$/, "");
  if (!/^https?:\/\//.test(apiBase)) throw new InputError("api_base_url", `"${apiBase}" is not an http(s) URL`);
  if (/\/\/[^/]*@/.test(apiBase)) throw new InputError("api_base_url", "must not contain credentials", "put the token in the resource");
  return { kind, apiBase, repoPath, token: input.token };
}

/** A repository URL with any userinfo (user:token@) removed, safe to show. */
export function safeUrl(url: string): string {
  return url.replace(/(\/\/)[^/@]*@/, "$1");
}

// ---------------------------------------------------------------------------------------------
// HTTP
// ---------------------------------------------------------------------------------------------

/** Paging stops here (100 per page: 10,000 items); more is an error, never a silent cut. */
const MAX_PAGES = 100;

export interface ForgeClientOptions {
  fetch?: typeof fetch;
  /** Per-request timeout. */
  timeoutMs?: number;
}

class Http {
  private readonly redactor: Redactor;
  constructor(
    private readonly t: ForgeTarget,
    private readonly opts: ForgeClientOptions,
  ) {
    this.redactor = new Redactor([t.token]);
  }

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    return (await this.request(method, this.t.apiBase + path, body)).json as T;
  }

  /**
   * Every item of a list endpoint: follows the next page the forge announces (the Link header,
   * both forges; GitLab's X-Next-Page when Link is absent), at most MAX_PAGES pages.
   */
  async list<T>(path: string): Promise<T[]> {
    const items: T[] = [];
    let url: string | undefined = this.t.apiBase + path;
    for (let page = 1; url; page++) {
      if (page > MAX_PAGES) {
        throw new ForgeError(this.t.kind, 0, `GET ${path}: more than ${MAX_PAGES} pages of results`, "narrow the query (a label that fewer issues carry)");
      }
      const { json, headers } = await this.request("GET", url);
      if (!Array.isArray(json))
        throw new ForgeError(
          this.t.kind,
          200,
          `GET ${this.shown(url)}: expected a list, got ${typeof json}`,
          `check that ${this.t.apiBase} is a ${this.t.kind} API root`,
        );
      items.push(...(json as T[]));
      url = this.nextPage(url, headers);
    }
    return items;
  }

  private nextPage(current: string, headers: Headers): string | undefined {
    const link = headers.get("link") ?? "";
    let next: string | undefined;
    for (const m of link.matchAll(/<([^>]+)>\s*;\s*rel="?([^";]+)"?/g)) if (m[2]!.split(/\s+/).includes("next")) next = m[1];
    if (!next) {
      const n = headers.get("x-next-page")?.trim();
      if (!n) return undefined;
      const u = new URL(current);
      u.searchParams.set("page", n);
      next = u.href;
    }
    const resolved = new URL(next, current);
    // The token goes with every request: follow only links under the API root it was given for.
    const root = new URL(this.t.apiBase);
    if (resolved.origin !== root.origin || !resolved.pathname.startsWith(root.pathname.replace(/\/?$/, "/"))) {
      throw new ForgeError(
        this.t.kind,
        0,
        `the next page of ${this.shown(current)} points outside ${this.t.apiBase}; not followed`,
        "check api_base_url: the forge must link pages under it",
      );
    }
    return resolved.href;
  }

  /** A URL as shown in messages: the path under the API root. */
  private shown(url: string): string {
    return url.startsWith(this.t.apiBase) ? url.slice(this.t.apiBase.length) : url;
  }

  private async request(method: string, url: string, body?: unknown): Promise<{ json: unknown; headers: Headers }> {
    const f = this.opts.fetch ?? fetch;
    const path = this.shown(url);
    const headers: Record<string, string> = {
      Authorization: `Bearer ${this.t.token}`,
      Accept: this.t.kind === "github" ? "application/vnd.github+json" : "application/json",
      "User-Agent": "devgodzilla",
    };
    if (this.t.kind === "github") headers["X-GitHub-Api-Version"] = "2022-11-28";
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let res: Response;
    try {
      res = await f(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 30_000),
      });
    } catch (e) {
      throw new ForgeError(
        this.t.kind,
        0,
        this.redactor.redact(`${method} ${path} failed: ${(e as Error).message}`),
        `check that ${this.t.apiBase} is reachable from the worker`,
      );
    }
    const text = await res.text();
    let json: unknown = undefined;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (res.ok) return { json, headers: res.headers };
    throw this.errorFor(res.status, method, path, json ?? text, res.headers);
  }

  private errorFor(status: number, method: string, path: string, payload: unknown, headers: Headers): ForgeError {
    const k = this.t.kind;
    const detail = this.redactor.redact(describePayload(payload)).slice(0, 500);
    const what = `${method} ${path}: ${detail}`;
    const tokenName = k === "github" ? "GitHub token" : "GitLab token";
    switch (status) {
      case 401:
        return new ForgeAuthError(k, status, what, `the ${tokenName} in the ${k} resource is invalid or expired — create a new one and update the resource`);
      case 403: {
        const rate = headers.get("x-ratelimit-remaining") === "0" || /rate limit/i.test(detail);
        return new ForgePermissionError(
          k,
          status,
          what,
          rate
            ? "the API rate limit is exhausted — wait for it to reset or use a token with a higher limit"
            : k === "github"
              ? "the token lacks permission: it needs 'pull_requests: write' and 'contents: write' on this repository (fine-grained) or the 'repo' scope (classic)"
              : "the token lacks permission: it needs the 'api' scope and at least Developer role on the project",
        );
      }
      case 404:
        return new ForgeNotFoundError(
          k,
          status,
          what,
          `repository "${this.t.repoPath}" not found at ${this.t.apiBase}, or the token cannot see it — check repository, api_base_url and the token's repository access`,
        );
      case 409:
      case 422:
      case 400:
        return new ForgeValidationError(
          k,
          status,
          what,
          "the forge rejected the request — check that the branch was pushed, differs from the base branch and that the base branch exists",
        );
      default:
        return new ForgeError(k, status, what, status >= 500 ? "the forge had an internal error — retry later" : undefined);
    }
  }
}

function describePayload(payload: unknown): string {
  if (payload && typeof payload === "object") {
    const p = payload as Record<string, unknown>;
    const parts: string[] = [];
    if (typeof p.message === "string") parts.push(p.message);
    else if (Array.isArray(p.message)) parts.push(p.message.map(String).join("; "));
    else if (p.message && typeof p.message === "object") parts.push(JSON.stringify(p.message));
    if (typeof p.error === "string") parts.push(p.error);
    if (Array.isArray(p.errors)) {
      parts.push(...p.errors.map((e) => (typeof e === "string" ? e : ((e as { message?: string })?.message ?? JSON.stringify(e)))));
    }
    return parts.join(" — ") || JSON.stringify(payload);
  }
  return String(payload ?? "");
}

// ---------------------------------------------------------------------------------------------
// GitHub / GitLab adapters behind one interface
// ---------------------------------------------------------------------------------------------

export interface IssueInfo {
  number: number;
  title: string;
  body: string;
  url: string;
  labels: string[];
}

export interface ForgeClient {
  readonly target: ForgeTarget;
  /** Open issues carrying `label` (pull requests excluded). */
  listOpenIssues(label: string): Promise<IssueInfo[]>;
  findOpen(head: string): Promise<PullRequestInfo | undefined>;
  create(spec: PrSpec): Promise<PullRequestInfo>;
  update(number: number, fields: { title: string; body: string }): Promise<PullRequestInfo>;
  defaultBranch(): Promise<string>;
  /** Whether the token may push the run branch and open the PR/MR (undefined: the forge does not say). */
  canWrite(): Promise<boolean | undefined>;
}

type GhPull = {
  number: number;
  html_url: string;
  title: string;
  body: string | null;
  state: string;
  head: { ref: string; label?: string };
  base: { ref: string };
};
type GlMr = { iid: number; web_url: string; title: string; description: string | null; state: string; source_branch: string; target_branch: string };

const ghInfo = (p: GhPull): PullRequestInfo => ({
  number: p.number,
  url: p.html_url,
  head: p.head.ref,
  base: p.base.ref,
  title: p.title,
  body: p.body ?? "",
  state: p.state,
});
const glInfo = (m: GlMr): PullRequestInfo => ({
  number: m.iid,
  url: m.web_url,
  head: m.source_branch,
  base: m.target_branch,
  title: m.title,
  body: m.description ?? "",
  state: m.state,
});

/** GitLab's access level that may push branches and open merge requests (Developer). */
const GITLAB_DEVELOPER = 30;

export function forgeClient(target: ForgeTarget, opts: ForgeClientOptions = {}): ForgeClient {
  const http = new Http(target, opts);
  if (target.kind === "github") {
    const repo = target.repoPath.split("/").map(encodeURIComponent).join("/");
    const owner = target.repoPath.split("/")[0];
    return {
      target,
      async listOpenIssues(label) {
        const q = new URLSearchParams({ labels: label, state: "open", per_page: "100" });
        const list = await http.list<any>(`/repos/${repo}/issues?${q}`);
        return list
          .filter((i) => !i.pull_request)
          .map((i) => ({
            number: i.number,
            title: i.title ?? "",
            body: i.body ?? "",
            url: i.html_url ?? "",
            labels: (i.labels ?? []).map((l: any) => (typeof l === "string" ? l : l.name)),
          }));
      },
      async findOpen(head) {
        const q = new URLSearchParams({ head: `${owner}:${head}`, state: "open", per_page: "100" });
        const list = await http.list<GhPull>(`/repos/${repo}/pulls?${q}`);
        return list.filter((p) => p.head.ref === head).map(ghInfo)[0];
      },
      async create(spec) {
        return ghInfo(
          await http.call<GhPull>("POST", `/repos/${repo}/pulls`, {
            title: spec.title,
            head: spec.head,
            base: spec.base,
            body: spec.body,
            draft: spec.draft ?? false,
          }),
        );
      },
      async update(number, fields) {
        return ghInfo(await http.call<GhPull>("PATCH", `/repos/${repo}/pulls/${number}`, fields));
      },
      async defaultBranch() {
        return (await http.call<{ default_branch: string }>("GET", `/repos/${repo}`)).default_branch;
      },
      async canWrite() {
        return (await http.call<{ permissions?: { push?: boolean } }>("GET", `/repos/${repo}`)).permissions?.push;
      },
    };
  }
  const project = encodeURIComponent(target.repoPath);
  return {
    target,
    async listOpenIssues(label) {
      const q = new URLSearchParams({ labels: label, state: "opened", per_page: "100" });
      const list = await http.list<any>(`/projects/${project}/issues?${q}`);
      return list.map((i) => ({ number: i.iid, title: i.title ?? "", body: i.description ?? "", url: i.web_url ?? "", labels: i.labels ?? [] }));
    },
    async findOpen(head) {
      const q = new URLSearchParams({ source_branch: head, state: "opened", per_page: "100" });
      const list = await http.list<GlMr>(`/projects/${project}/merge_requests?${q}`);
      return list.filter((m) => m.source_branch === head).map(glInfo)[0];
    },
    async create(spec) {
      const title = spec.draft ? `Draft: ${spec.title}` : spec.title;
      return glInfo(
        await http.call<GlMr>("POST", `/projects/${project}/merge_requests`, {
          source_branch: spec.head,
          target_branch: spec.base,
          title,
          description: spec.body,
          remove_source_branch: false,
        }),
      );
    },
    async update(number, fields) {
      return glInfo(await http.call<GlMr>("PUT", `/projects/${project}/merge_requests/${number}`, { title: fields.title, description: fields.body }));
    },
    async defaultBranch() {
      return (await http.call<{ default_branch: string }>("GET", `/projects/${project}`)).default_branch;
    },
    async canWrite() {
      type Access = { access_level?: number } | null;
      const p = (await http.call<{ permissions?: { project_access?: Access; group_access?: Access } }>("GET", `/projects/${project}`)).permissions;
      const level = Math.max(p?.project_access?.access_level ?? -1, p?.group_access?.access_level ?? -1);
      return level < 0 ? undefined : level >= GITLAB_DEVELOPER;
    },
  };
}

/** Bodies above this are cut: GitHub rejects PR bodies over 65,536 characters, GitLab ~1M. */
export const MAX_BODY_CHARS = 60_000;

/**
 * Opens the PR/MR for `spec.head`, or updates the open one. Safe to call any number of times:
 * a lost race (another call created it between our lookup and create) is resolved by re-reading.
 */
export async function openOrUpdatePr(target: ForgeTarget, spec: PrSpec, opts: ForgeClientOptions = {}): Promise<PrResult> {
  if (!spec.head) throw new InputError("branch", "is empty");
  if (!spec.base) throw new InputError("base_branch", "is empty");
  if (spec.head === spec.base) throw new InputError("branch", `is the base branch "${spec.base}"`, "open_pr needs the run branch, not the base branch");
  const client = forgeClient(target, opts);
  const body = capBody(spec.body);
  const title = spec.title.trim().slice(0, 250) || spec.head;
  const result = (p: PullRequestInfo, action: PrResult["action"]): PrResult => ({
    kind: target.kind,
    number: p.number,
    url: p.url,
    head: p.head,
    base: p.base,
    action,
    state: p.state,
  });

  const reconcile = async (existing: PullRequestInfo): Promise<PrResult> => {
    // GitLab marks drafts by the title prefix (as create does); GitHub's draft flag is separate.
    const wantTitle = target.kind === "gitlab" && spec.draft ? `Draft: ${title}` : title;
    if (existing.title === wantTitle && existing.body === body) return result(existing, "unchanged");
    return result(await client.update(existing.number, { title: wantTitle, body }), "updated");
  };

  const existing = await client.findOpen(spec.head);
  if (existing) return reconcile(existing);
  try {
    return result(await client.create({ ...spec, title, body }), "created");
  } catch (e) {
    if (e instanceof ForgeValidationError && /already exists/i.test(e.message)) {
      const again = await client.findOpen(spec.head);
      if (again) return reconcile(again);
    }
    throw e;
  }
}

function capBody(body: string): string {
  if (body.length <= MAX_BODY_CHARS) return body;
  return body.slice(0, MAX_BODY_CHARS) + "\n\n_…truncated: the full reports are in the run branch and the Windmill run page._\n";
}

// ---------------------------------------------------------------------------------------------
// PR body from spec, tasks and QA report
// ---------------------------------------------------------------------------------------------

export interface PrBodyInput {
  featureTitle?: string;
  /** spec.md content (markdown). */
  spec?: string;
  /** tasks.md content (markdown, Spec Kit task lines). */
  tasks?: string;
  /** QA report (markdown) as produced by the qa step. */
  qaReport?: string;
  qaVerdict?: string;
  qaScore?: number;
  specDir?: string;
  commit?: string;
  issueNumber?: number;
  forge: ForgeKind;
  /** Link to the Windmill run (root job) page. */
  runUrl?: string;
  runId?: string;
}

/** Marker the reconcile script and humans use to recognise DevGodzilla PRs. */
export const PR_MARKER = "<!-- devgodzilla -->";

export function renderPrBody(i: PrBodyInput): string {
  const out: string[] = [PR_MARKER];
  const summary = extractSummary(i.spec);
  out.push(`## ${i.featureTitle?.trim() || "DevGodzilla change"}`, "");
  if (summary) out.push(summary, "");
  const meta: string[] = [];
  if (i.issueNumber) meta.push(`Closes #${i.issueNumber}`);
  if (i.specDir) meta.push(`Spec: \`${i.specDir}/spec.md\``);
  if (i.commit) meta.push(`Commit: \`${i.commit.slice(0, 12)}\``);
  if (i.runUrl) meta.push(`Windmill run: [${i.runId ?? "open"}](${i.runUrl})`);
  else if (i.runId) meta.push(`Windmill run: \`${i.runId}\``);
  if (meta.length) out.push(meta.map((m) => `- ${m}`).join("\n"), "");

  if (i.tasks) {
    const tasks = parseTaskLines(i.tasks);
    if (tasks.length) {
      const done = tasks.filter((t) => t.done).length;
      out.push(`### Tasks (${done}/${tasks.length} done)`, "");
      out.push(...tasks.slice(0, 200).map((t) => `- [${t.done ? "x" : " "}] ${t.text}`));
      if (tasks.length > 200) out.push(`- … ${tasks.length - 200} more in tasks.md`);
      out.push("");
    }
  }
  if (i.qaReport || i.qaVerdict) {
    const head = [i.qaVerdict ? `verdict **${i.qaVerdict}**` : "", typeof i.qaScore === "number" ? `score ${i.qaScore}` : ""].filter(Boolean).join(", ");
    out.push(`### QA${head ? ` — ${head}` : ""}`, "");
    if (i.qaReport) out.push("<details><summary>QA report</summary>", "", demoteHeadings(i.qaReport.trim()), "", "</details>", "");
  }
  if (i.spec) out.push("<details><summary>Specification</summary>", "", demoteHeadings(i.spec.trim()), "", "</details>", "");
  out.push(`_Opened by DevGodzilla from a Windmill flow. Review before merging._`);
  return out.join("\n");
}

function extractSummary(spec?: string): string | undefined {
  if (!spec) return undefined;
  // Spec Kit's spec.md opens with a title, metadata lines and "## User Scenarios"; the first prose
  // paragraph after the title (or the **Input** line) is the best one-line description.
  const input = /\*\*Input\*\*:\s*(.+)/.exec(spec);
  if (input)
    return input[1]
      .replace(/^User description:\s*/i, "")
      .replace(/^"|"$/g, "")
      .trim();
  const para = spec
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .find((p) => p && !p.startsWith("#") && !p.startsWith("**") && !p.startsWith("<!--"));
  return para?.slice(0, 600);
}

function parseTaskLines(tasks: string): { done: boolean; text: string }[] {
  const out: { done: boolean; text: string }[] = [];
  for (const line of tasks.split("\n")) {
    const m = /^\s*[-*]\s+\[([ xX])\]\s+(.+)$/.exec(line);
    if (m) out.push({ done: m[1] !== " ", text: m[2].trim() });
  }
  return out;
}

function demoteHeadings(md: string): string {
  return md.replace(/^(#{1,4}) /gm, "#### ");
}
