// Loopback fake of the GitHub REST API (served GitHub-Enterprise style under /api/v3) and the
// GitLab REST API (under /api/v4) for tests and the local demo. Real node:http, stateful PR/MR
// and issue store, Authorization checked on every request, every request recorded (without the
// token). When a repository is registered with a bare git directory, branches are checked against
// it the way the real forges do (unknown head → 422, no commits between → 422). Lists are paged as
// the forges page them: `per_page` (GitHub default 30, GitLab 20, at most 100) and `page`, with a
// Link header (rel="next"/"prev"/"first"/"last") on both and GitLab's X-Page / X-Next-Page /
// X-Total headers.
//
//   const forge = await startForgeServer({ tokens: { github: "ghp_x", gitlab: "glpat_x" },
//     repos: [{ kind: "github", path: "acme/widgets", gitDir: "/tmp/remote.git" }] });
//   forge.githubApiBase  // http://127.0.0.1:PORT/api/v3
//   forge.gitlabApiBase  // http://127.0.0.1:PORT/api/v4
//   await forge.close();

import http from "node:http";
import type { AddressInfo } from "node:net";
import { gitAt } from "../../f/devgodzilla/lib/git.ts";
import { closeServer, readJsonOrText } from "./http.ts";

export type FakeForgeKind = "github" | "gitlab";

export interface FakeRepo {
  kind: FakeForgeKind;
  /** owner/repo (GitHub) or group/project (GitLab). */
  path: string;
  defaultBranch?: string;
  /** Bare git repository backing this repo: enables branch existence checks. */
  gitDir?: string;
  /** Requests to this repo answer 403 (token without access). */
  forbidden?: boolean;
  /** The token may read this repo but not write to it, as the repo's `permissions` report (writes are not refused). */
  readOnly?: boolean;
}

export interface FakePull {
  number: number;
  head: string;
  base: string;
  title: string;
  body: string;
  state: "open" | "closed" | "merged";
  draft: boolean;
}

export interface FakeIssue {
  number: number;
  title: string;
  body: string;
  labels: string[];
  state: "open" | "closed";
  comments: string[];
}

export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: Record<string, string>;
  body: unknown;
  /** "valid" | "invalid" | "missing": the token value itself is never recorded. */
  auth: "valid" | "invalid" | "missing";
  status: number;
}

export interface FakeForgeOptions {
  tokens: { github?: string; gitlab?: string };
  repos?: FakeRepo[];
  /** 0 (default) = any free port. */
  port?: number;
}

export interface FakeForgeServer {
  url: string;
  githubApiBase: string;
  gitlabApiBase: string;
  requests: RecordedRequest[];
  addRepo(repo: FakeRepo): void;
  pulls(kind: FakeForgeKind, repoPath: string): FakePull[];
  addIssue(kind: FakeForgeKind, repoPath: string, issue: Partial<FakeIssue> & { title: string }): FakeIssue;
  issues(kind: FakeForgeKind, repoPath: string): FakeIssue[];
  /** The next matching request answers with this status and message (one shot). */
  failNext(status: number, message: string, match?: { method?: string; pathIncludes?: string }): void;
  close(): Promise<void>;
}

interface RepoState {
  repo: FakeRepo;
  pulls: FakePull[];
  issues: FakeIssue[];
  next: number;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly payload: unknown,
  ) {
    super(String(status));
  }
}

export async function startForgeServer(options: FakeForgeOptions): Promise<FakeForgeServer> {
  const repos = new Map<string, RepoState>();
  const key = (kind: FakeForgeKind, path: string) => `${kind}:${path.toLowerCase()}`;
  const addRepo = (repo: FakeRepo) => repos.set(key(repo.kind, repo.path), { repo, pulls: [], issues: [], next: 1 });
  for (const r of options.repos ?? []) addRepo(r);
  const requests: RecordedRequest[] = [];
  const failures: { status: number; message: string; match?: { method?: string; pathIncludes?: string } }[] = [];
  let port = 0;

  const server = http.createServer(async (req, res) => {
    const u = new URL(req.url ?? "/", "http://127.0.0.1");
    const body = await readJsonOrText(req);
    // Inspection endpoint for demos (not part of either API): the PR/MR store, no secrets in it.
    if (u.pathname === "/_fake/state") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify([...repos.values()].map((st) => ({ kind: st.repo.kind, path: st.repo.path, pulls: st.pulls, issues: st.issues }))));
      return;
    }
    const kind: FakeForgeKind | undefined = u.pathname.startsWith("/api/v3/") ? "github" : u.pathname.startsWith("/api/v4/") ? "gitlab" : undefined;
    const expected = kind ? options.tokens[kind] : undefined;
    const authz = req.headers.authorization;
    const privateToken = req.headers["private-token"];
    const presented = typeof authz === "string" ? authz.replace(/^(Bearer|token)\s+/i, "") : typeof privateToken === "string" ? privateToken : undefined;
    const auth: RecordedRequest["auth"] = presented === undefined ? "missing" : presented === expected && expected ? "valid" : "invalid";
    const record: RecordedRequest = { method: req.method ?? "GET", path: u.pathname, query: Object.fromEntries(u.searchParams), body, auth, status: 0 };
    requests.push(record);

    const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      record.status = status;
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(JSON.stringify(payload));
    };
    try {
      if (!kind) throw new HttpError(404, { message: "Not Found" });
      if (auth !== "valid")
        throw new HttpError(
          401,
          kind === "github" ? { message: "Bad credentials", documentation_url: "https://docs.github.com/rest" } : { message: "401 Unauthorized" },
        );
      const fi = failures.findIndex(
        (f) => (!f.match?.method || f.match.method === req.method) && (!f.match?.pathIncludes || u.pathname.includes(f.match.pathIncludes)),
      );
      if (fi >= 0) {
        const [f] = failures.splice(fi, 1);
        throw new HttpError(f.status, { message: f.message });
      }
      const rest = u.pathname.slice("/api/v3".length);
      const out =
        kind === "github" ? await github(req.method ?? "GET", rest, u.searchParams, body) : await gitlab(req.method ?? "GET", rest, u.searchParams, body);
      if (Array.isArray(out.payload)) {
        const page = paged(kind, u, out.payload);
        send(out.status, page.items, page.headers);
      } else send(out.status, out.payload);
    } catch (e) {
      if (e instanceof HttpError) send(e.status, e.payload);
      else send(500, { message: (e as Error).message });
    }
  });

  /** One page of a list, with the headers the real forge sends. */
  function paged(kind: FakeForgeKind, u: URL, all: unknown[]): { items: unknown[]; headers: Record<string, string> } {
    const perPage = Math.min(100, Math.max(1, Number(u.searchParams.get("per_page")) || (kind === "github" ? 30 : 20)));
    const pages = Math.max(1, Math.ceil(all.length / perPage));
    const page = Math.max(1, Number(u.searchParams.get("page")) || 1);
    const at = (n: number) => {
      const v = new URL(`${u.pathname}${u.search}`, `http://127.0.0.1:${port}`);
      v.searchParams.set("page", String(n));
      v.searchParams.set("per_page", String(perPage));
      return v.href;
    };
    const rels: [string, number][] = [];
    if (page < pages) rels.push(["next", page + 1], ["last", pages]);
    if (page > 1) rels.push(["first", 1], ["prev", page - 1]);
    const headers: Record<string, string> = {};
    if (rels.length) headers.link = rels.map(([rel, n]) => `<${at(n)}>; rel="${rel}"`).join(", ");
    if (kind === "gitlab") {
      Object.assign(headers, {
        "x-page": String(page),
        "x-per-page": String(perPage),
        "x-total": String(all.length),
        "x-total-pages": String(pages),
        "x-next-page": page < pages ? String(page + 1) : "",
        "x-prev-page": page > 1 ? String(page - 1) : "",
      });
    }
    return { items: all.slice((page - 1) * perPage, page * perPage), headers };
  }

  const web = (kind: FakeForgeKind, repoPath: string, what: string, n: number) =>
    `http://127.0.0.1:${port}/${kind === "github" ? "gh" : "gl"}/${repoPath}/${kind === "github" ? "pull" : "-/merge_requests"}/${n}`.replace(
      "/pull/",
      what === "issue" ? "/issues/" : "/pull/",
    );

  function repoOr404(kind: FakeForgeKind, path: string): RepoState {
    const st = repos.get(key(kind, path));
    if (!st) throw new HttpError(404, kind === "github" ? { message: "Not Found" } : { message: "404 Project Not Found" });
    if (st.repo.forbidden)
      throw new HttpError(403, kind === "github" ? { message: "Resource not accessible by personal access token" } : { message: "403 Forbidden" });
    return st;
  }

  async function branchProblem(st: RepoState, head: string, base: string): Promise<string | undefined> {
    if (!st.repo.gitDir) return undefined;
    const rev = async (ref: string) => {
      const r = await gitAt(st.repo.gitDir!).exec(["rev-parse", "--verify", "--quiet", `refs/heads/${ref}`], { okExitCodes: [1] });
      return r.exitCode === 0 ? r.stdout.trim() : undefined;
    };
    const h = await rev(head);
    const b = await rev(base);
    if (!b) return `base: branch "${base}" does not exist`;
    if (!h) return `head: branch "${head}" does not exist`;
    if (h === b) return `No commits between ${base} and ${head}`;
    return undefined;
  }

  const ghPull = (st: RepoState, p: FakePull) => ({
    number: p.number,
    html_url: web("github", st.repo.path, "pull", p.number),
    title: p.title,
    body: p.body,
    state: p.state === "open" ? "open" : "closed",
    merged: p.state === "merged",
    draft: p.draft,
    head: { ref: p.head, label: `${st.repo.path.split("/")[0]}:${p.head}` },
    base: { ref: p.base },
  });
  const glMr = (st: RepoState, p: FakePull) => ({
    iid: p.number,
    web_url: web("gitlab", st.repo.path, "mr", p.number),
    title: p.title,
    description: p.body,
    state: p.state === "open" ? "opened" : p.state,
    source_branch: p.head,
    target_branch: p.base,
  });

  async function github(method: string, path: string, q: URLSearchParams, body: any): Promise<{ status: number; payload: unknown }> {
    let m: RegExpExecArray | null;
    if ((m = /^\/repos\/([^/]+)\/([^/]+)$/.exec(path)) && method === "GET") {
      const st = repoOr404("github", `${m[1]}/${m[2]}`);
      return {
        status: 200,
        payload: {
          full_name: st.repo.path,
          default_branch: st.repo.defaultBranch ?? "main",
          permissions: { pull: true, push: !st.repo.readOnly, admin: false },
        },
      };
    }
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/pulls$/.exec(path))) {
      const st = repoOr404("github", `${m[1]}/${m[2]}`);
      if (method === "GET") {
        const state = q.get("state") ?? "open";
        const head = q.get("head");
        const list = st.pulls.filter((p) => (state === "all" || (state === "open") === (p.state === "open")) && (!head || `${m![1]}:${p.head}` === head));
        return { status: 200, payload: list.map((p) => ghPull(st, p)) };
      }
      if (method === "POST") {
        const missing = ["title", "head", "base"].filter((k) => typeof body?.[k] !== "string" || !body[k]);
        if (missing.length)
          throw new HttpError(422, {
            message: "Validation Failed",
            errors: missing.map((f) => ({ resource: "PullRequest", field: f, code: "missing_field" })),
          });
        if (st.pulls.some((p) => p.state === "open" && p.head === body.head)) {
          throw new HttpError(422, {
            message: "Validation Failed",
            errors: [{ resource: "PullRequest", code: "custom", message: `A pull request already exists for ${m[1]}:${body.head}.` }],
          });
        }
        const problem = await branchProblem(st, body.head, body.base);
        if (problem) throw new HttpError(422, { message: "Validation Failed", errors: [{ resource: "PullRequest", code: "custom", message: problem }] });
        const p: FakePull = {
          number: st.next++,
          head: body.head,
          base: body.base,
          title: body.title,
          body: body.body ?? "",
          state: "open",
          draft: !!body.draft,
        };
        st.pulls.push(p);
        return { status: 201, payload: ghPull(st, p) };
      }
    }
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)$/.exec(path))) {
      const st = repoOr404("github", `${m[1]}/${m[2]}`);
      const p = st.pulls.find((x) => x.number === Number(m![3]));
      if (!p) throw new HttpError(404, { message: "Not Found" });
      if (method === "GET") return { status: 200, payload: ghPull(st, p) };
      if (method === "PATCH") {
        if (typeof body?.title === "string") p.title = body.title;
        if (typeof body?.body === "string") p.body = body.body;
        if (body?.state === "closed") p.state = "closed";
        return { status: 200, payload: ghPull(st, p) };
      }
    }
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/issues$/.exec(path)) && method === "GET") {
      const st = repoOr404("github", `${m[1]}/${m[2]}`);
      const labels = (q.get("labels") ?? "").split(",").filter(Boolean);
      const state = q.get("state") ?? "open";
      const list = st.issues.filter((i) => (state === "all" || i.state === state) && labels.every((l) => i.labels.includes(l)));
      return {
        status: 200,
        payload: list.map((i) => ({
          number: i.number,
          title: i.title,
          body: i.body,
          state: i.state,
          html_url: web("github", st.repo.path, "issue", i.number),
          labels: i.labels.map((name) => ({ name })),
        })),
      };
    }
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/.exec(path)) && method === "POST") {
      const st = repoOr404("github", `${m[1]}/${m[2]}`);
      const issue = st.issues.find((i) => i.number === Number(m![3]));
      if (!issue) throw new HttpError(404, { message: "Not Found" });
      issue.comments.push(String(body?.body ?? ""));
      return { status: 201, payload: { id: issue.comments.length, body: body?.body } };
    }
    throw new HttpError(404, { message: "Not Found" });
  }

  async function gitlab(method: string, path: string, q: URLSearchParams, body: any): Promise<{ status: number; payload: unknown }> {
    let m: RegExpExecArray | null;
    // node's URL keeps %2F encoded in pathname, which is how GitLab expects project paths.
    if ((m = /^\/projects\/([^/]+)$/.exec(path)) && method === "GET") {
      const st = repoOr404("gitlab", decodeURIComponent(m[1]));
      // GitLab's access levels: 20 Reporter (read), 30 Developer (push, merge requests).
      const access_level = st.repo.readOnly ? 20 : 30;
      return {
        status: 200,
        payload: {
          path_with_namespace: st.repo.path,
          default_branch: st.repo.defaultBranch ?? "main",
          permissions: { project_access: { access_level }, group_access: null },
        },
      };
    }
    if ((m = /^\/projects\/([^/]+)\/merge_requests$/.exec(path))) {
      const st = repoOr404("gitlab", decodeURIComponent(m[1]));
      if (method === "GET") {
        const state = q.get("state") ?? "all";
        const src = q.get("source_branch");
        const list = st.pulls.filter((p) => (state === "all" || (state === "opened" ? p.state === "open" : p.state === state)) && (!src || p.head === src));
        return { status: 200, payload: list.map((p) => glMr(st, p)) };
      }
      if (method === "POST") {
        const missing = ["source_branch", "target_branch", "title"].filter((k) => typeof body?.[k] !== "string" || !body[k]);
        if (missing.length) throw new HttpError(400, { error: `${missing.join(", ")} is missing` });
        const dup = st.pulls.find((p) => p.state === "open" && p.head === body.source_branch && p.base === body.target_branch);
        if (dup) throw new HttpError(409, { message: [`Another open merge request already exists for this source branch: !${dup.number}`] });
        const problem = await branchProblem(st, body.source_branch, body.target_branch);
        if (problem) throw new HttpError(422, { message: [problem] });
        const p: FakePull = {
          number: st.next++,
          head: body.source_branch,
          base: body.target_branch,
          title: body.title,
          body: body.description ?? "",
          state: "open",
          draft: /^draft:/i.test(body.title),
        };
        st.pulls.push(p);
        return { status: 201, payload: glMr(st, p) };
      }
    }
    if ((m = /^\/projects\/([^/]+)\/merge_requests\/(\d+)$/.exec(path))) {
      const st = repoOr404("gitlab", decodeURIComponent(m[1]));
      const p = st.pulls.find((x) => x.number === Number(m![2]));
      if (!p) throw new HttpError(404, { message: "404 Not found" });
      if (method === "GET") return { status: 200, payload: glMr(st, p) };
      if (method === "PUT") {
        if (typeof body?.title === "string") p.title = body.title;
        if (typeof body?.description === "string") p.body = body.description;
        if (body?.state_event === "close") p.state = "closed";
        return { status: 200, payload: glMr(st, p) };
      }
    }
    if ((m = /^\/projects\/([^/]+)\/issues$/.exec(path)) && method === "GET") {
      const st = repoOr404("gitlab", decodeURIComponent(m[1]));
      const labels = (q.get("labels") ?? "").split(",").filter(Boolean);
      const state = q.get("state") ?? "all";
      const list = st.issues.filter(
        (i) => (state === "all" || (state === "opened" ? i.state === "open" : i.state === state)) && labels.every((l) => i.labels.includes(l)),
      );
      return {
        status: 200,
        payload: list.map((i) => ({
          iid: i.number,
          title: i.title,
          description: i.body,
          state: i.state === "open" ? "opened" : "closed",
          labels: i.labels,
          web_url: web("gitlab", st.repo.path, "issue", i.number),
        })),
      };
    }
    if ((m = /^\/projects\/([^/]+)\/issues\/(\d+)\/notes$/.exec(path)) && method === "POST") {
      const st = repoOr404("gitlab", decodeURIComponent(m[1]));
      const issue = st.issues.find((i) => i.number === Number(m![2]));
      if (!issue) throw new HttpError(404, { message: "404 Not found" });
      issue.comments.push(String(body?.body ?? ""));
      return { status: 201, payload: { id: issue.comments.length, body: body?.body } };
    }
    throw new HttpError(404, { error: "404 Not Found" });
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject); // a taken port: EADDRINUSE, not an unhandled error event
    server.listen(options.port ?? 0, "127.0.0.1", resolve);
  });
  port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    githubApiBase: `${url}/api/v3`,
    gitlabApiBase: `${url}/api/v4`,
    requests,
    addRepo,
    pulls: (kind, p) => repos.get(key(kind, p))?.pulls ?? [],
    issues: (kind, p) => repos.get(key(kind, p))?.issues ?? [],
    addIssue(kind, p, issue) {
      const st = repos.get(key(kind, p));
      if (!st) throw new Error(`unknown repo ${kind}:${p}`);
      const full: FakeIssue = {
        number: issue.number ?? st.next++,
        title: issue.title,
        body: issue.body ?? "",
        labels: issue.labels ?? [],
        state: issue.state ?? "open",
        comments: [],
      };
      st.issues.push(full);
      return full;
    },
    failNext(status, message, match) {
      failures.push({ status, message, match });
    },
    close: () => closeServer(server),
  };
}

// Standalone for manual demos:
//   FAKE_GITHUB_TOKEN=… FAKE_FORGE_REPOS='[{"kind":"github","path":"acme/widgets","gitDir":"/tmp/r.git"}]' \
//   FAKE_FORGE_PORT=8787 npx tsx scripts/fakes/github-server.ts
// prints one JSON line {url, githubApiBase, gitlabApiBase}; GET <url>/_fake/state shows the PRs.
if (import.meta.url === `file://${process.argv[1]}`) {
  const gh = process.env.FAKE_GITHUB_TOKEN ?? "ghp_fake_demo_token_000000000000000000";
  const gl = process.env.FAKE_GITLAB_TOKEN ?? "glpat-fake-demo-token-0000";
  const repos = process.env.FAKE_FORGE_REPOS
    ? (JSON.parse(process.env.FAKE_FORGE_REPOS) as FakeRepo[])
    : [
        { kind: "github" as const, path: "acme/widgets" },
        { kind: "gitlab" as const, path: "acme/widgets" },
      ];
  const s = await startForgeServer({ tokens: { github: gh, gitlab: gl }, repos, port: Number(process.env.FAKE_FORGE_PORT ?? 0) });
  console.log(JSON.stringify({ url: s.url, githubApiBase: s.githubApiBase, gitlabApiBase: s.gitlabApiBase }));
  const stop = () => void s.close().then(() => process.exit(0));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}
