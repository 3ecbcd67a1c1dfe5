// The harness's one gateway to a live Windmill server's HTTP API (deploy preflight and
// `npm run test:windmill`): timeouts, typed errors that say what to do, and the token kept out of
// every message. Plain fetch on purpose: windmill-client is process-global, and the local runner in
// the same process points it at its own loopback API.

export interface WindmillTarget {
  url: string;
  token: string;
  workspace: string;
}

/** A problem with the server, token or workspace the user must fix; `message` says how. */
export class WindmillSetupError extends Error {
  override name = "WindmillSetupError";
}

export class WindmillApiError extends Error {
  override name = "WindmillApiError";
  constructor(
    readonly status: number,
    readonly endpoint: string,
    message: string,
  ) {
    super(message);
  }
}

const TIMEOUT_MS = 30_000;

export class WindmillServer {
  readonly base: string;
  constructor(readonly target: WindmillTarget) {
    this.base = target.url.replace(/\/+$/, "");
  }

  /** `GET|POST /api/<path>`; `w/` paths are relative to the workspace. Returns parsed JSON (or text). */
  async call<T = unknown>(method: "GET" | "POST" | "DELETE", path: string, body?: unknown, opts: { auth?: boolean; timeoutMs?: number } = {}): Promise<T> {
    const rel = path.startsWith("w/") ? `w/${this.target.workspace}/${path.slice(2)}` : path;
    const endpoint = `${this.base}/api/${rel}`;
    let res: Response;
    try {
      res = await fetch(endpoint, {
        method,
        headers: {
          ...(opts.auth === false ? {} : { authorization: `Bearer ${this.target.token}` }),
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(opts.timeoutMs ?? TIMEOUT_MS),
      });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; errors?: { code?: string }[] } }).cause;
      const why =
        (e as Error).name === "TimeoutError"
          ? `no answer within ${(opts.timeoutMs ?? TIMEOUT_MS) / 1000} s`
          : (cause?.code ?? cause?.errors?.[0]?.code ?? (e as Error).message);
      throw new WindmillSetupError(`cannot reach Windmill at ${this.base} (${why}) — check WINDMILL_URL and that the server is running`);
    }
    const text = await res.text();
    if (!res.ok)
      throw new WindmillApiError(
        res.status,
        `${method} /api/${rel}`,
        `${method} /api/${rel}: HTTP ${res.status} ${text.replaceAll(this.target.token, "***").slice(0, 300)}`,
      );
    try {
      return JSON.parse(text) as T;
    } catch {
      return text as T;
    }
  }

  /**
   * Server reachable, token valid, workspace present and the token's user an admin there (a sync
   * push writes folders, resources and schedules). Returns the server version.
   */
  async preflight(): Promise<string> {
    const version = String(await this.call("GET", "version", undefined, { auth: false }));
    try {
      await this.call("GET", "users/whoami");
    } catch (e) {
      if (e instanceof WindmillApiError && (e.status === 401 || e.status === 403)) {
        throw new WindmillSetupError(
          `Windmill at ${this.base} rejected the token — create one in the Windmill UI (user settings → tokens) and set WINDMILL_TOKEN`,
        );
      }
      throw e;
    }
    const exists = await this.call<boolean>("POST", "workspaces/exists", { id: this.target.workspace });
    if (exists !== true)
      throw new WindmillSetupError(
        `workspace "${this.target.workspace}" does not exist on ${this.base} — create it (Windmill UI → workspaces) or fix WINDMILL_WORKSPACE`,
      );
    let me: { is_admin?: boolean };
    try {
      me = await this.call<{ is_admin?: boolean }>("GET", "w/users/whoami");
    } catch (e) {
      if (e instanceof WindmillApiError && [401, 403, 404].includes(e.status)) {
        throw new WindmillSetupError(
          `workspace "${this.target.workspace}" does not exist on ${this.base} or the token's user is not a member — create it (Windmill UI → workspaces) or fix WINDMILL_WORKSPACE`,
        );
      }
      throw e;
    }
    if (!me.is_admin)
      throw new WindmillSetupError(
        `the token's user is not an admin of workspace "${this.target.workspace}" — deploying needs an admin (or use an admin's token)`,
      );
    return version;
  }

  /**
   * The lock Windmill generates for a Bun script whose dependencies are `deps` (a workspace
   * dependencies package.json): what `wmill generate-metadata` asks the server for.
   */
  async generateBunLock(deps: string): Promise<string> {
    const body = {
      raw_scripts: [{ raw_code: "export async function main() {}\n", language: "bun", script_path: "f/devgodzilla/lock_probe" }],
      raw_workspace_dependencies: { "dependencies/package.json": deps },
      entrypoint: "f/devgodzilla/lock_probe",
    };
    const r = await this.call<{ lock?: string; error?: { message?: string } }>("POST", "w/jobs/run/dependencies", body, { timeoutMs: 300_000 });
    if (typeof r?.lock !== "string")
      throw new WindmillApiError(0, "jobs/run/dependencies", `Windmill did not return a lock: ${JSON.stringify(r).slice(0, 300)}`);
    return r.lock;
  }

  async resourceTypeExists(name: string): Promise<boolean> {
    return Boolean(await this.call("GET", `w/resources/type/exists/${encodeURIComponent(name)}`));
  }
}

/** The target from WINDMILL_URL / WINDMILL_TOKEN / WINDMILL_WORKSPACE, or the names that are missing. */
export function targetFromEnv(env: NodeJS.ProcessEnv = process.env): WindmillTarget | { missing: string[] } {
  const names = ["WINDMILL_URL", "WINDMILL_TOKEN", "WINDMILL_WORKSPACE"] as const;
  const missing = names.filter((n) => !env[n]?.trim());
  if (missing.length) return { missing };
  return { url: env.WINDMILL_URL!.trim(), token: env.WINDMILL_TOKEN!.trim(), workspace: env.WINDMILL_WORKSPACE!.trim() };
}
