// GitHub / GitLab webhooks → spec_to_pr runs.
// verify (HMAC-SHA256 over the RAW body / GitLab token, constant time) → map the event to
// spec_to_pr inputs or to an "ignore" decision with a reason → claim the event in Windmill
// (atomic resource creates, so a redelivery or replay cannot start a second run) → runFlowAsync.
// Replay protection is keyed on the EVENT, not only on the delivery header (which GitHub does not
// sign, and a GitLab sender sets freely): the forge's own identity of the event taken from the
// verified body (comment / note id; issue id + label + change time), the body's sha256, and the
// event's own time, which must lie within REPLAY_WINDOW_HOURS.
// Pure functions up to the claim, so they are unit-testable; Windmill access goes through the
// Windmill gateway (lib/platform/windmill.ts) only (no DevGodzilla database).
//
// Shape: HTTP route triggers (github_webhook / gitlab_webhook
// .http_trigger.yaml, raw_string: true) → the small script f/devgodzilla/webhook, whose V2
// `preprocessor(event)` verifies and maps, and whose main claims + starts spec_to_pr. Not a
// `preprocessor_module` on spec_to_pr itself, because:
//  - most deliveries are unrelated (every issue edit, every comment): with a flow preprocessor
//    each would become a spec_to_pr run that has to fail or be skipped, flooding the run history;
//    here an ignored event is a short successful job whose result says why;
//  - the redelivery claim must happen before a run exists, and a preprocessor has no way to
//    "not start" the flow it belongs to;
//  - spec_to_pr keeps a clean input form for people; webhook concerns stay out of it.
// Route auth is "none" + our own check rather than the route's `signature` auth: GitHub and
// GitLab cannot send a Windmill token, `signature` has no GitLab token mode, and this way the
// secret lives in exactly one Windmill variable per forge and the same check covers the plain
// webhook endpoint (/jobs/run/p/…?raw=true) and the local runner. An admin may additionally switch
// the GitHub route to `signature` (provider Github) to reject forgeries before a job is created.

import { createHmac, timingSafeEqual, createHash } from "node:crypto";
import { createResource, deleteResource, findResource, getVariable, updateResourceValue } from "./windmill.ts";
import { z } from "zod";
import { DevGodzillaError, ConfigError, InputError } from "../errors.ts";
import { startIssueRun, type ListIssueRuns } from "./issues.ts";

// ---------------------------------------------------------------------------------------------
// Exported types

export type WebhookProvider = "github" | "gitlab";

/** Windmill V2 preprocessor event (webhook endpoint or HTTP route trigger). */
export interface WebhookEvent {
  kind: string;
  body?: unknown;
  raw_string?: string | null;
  headers?: Record<string, string | string[] | undefined>;
  query?: Record<string, string>;
}

/** The spec_to_pr inputs a webhook can fill; the rest come from the flow's defaults. */
export interface SpecToPrWebhookInputs {
  /** Git URL (bundle convention: every flow names the repository input `repo`). */
  repo: string;
  base_branch: string;
  feature_description: string;
  forge: WebhookProvider;
  /** owner/repo (GitHub) or group/project (GitLab). */
  repository: string;
  issue_number: number;
  issue_url: string;
  requested_by: string;
}

/** What identifies the event itself (from the verified body), for replay protection. */
export interface EventKeys {
  /** The forge's identity of the event ("github:comment:123"), or null when the body has none. */
  event_key?: string | null;
  /** sha256 of the raw body. */
  body_sha256?: string;
}

export type WebhookDecision =
  | ({ action: "start"; provider: WebhookProvider; event: string; delivery_id: string; inputs: SpecToPrWebhookInputs; reason: string } & EventKeys)
  | { action: "ignore"; provider?: WebhookProvider; event?: string; delivery_id?: string; reason: string };

export interface MapOptions {
  /** Issue label that requests a run. */
  label?: string;
  /** Comment command that requests a run: "/devgodzilla <request>". */
  command?: string;
  /** GitHub comment authors allowed to trigger runs (author_association). */
  allowedAssociations?: string[];
  /**
   * GitLab note hooks carry no access level, and on public/internal projects any signed-in user
   * can comment: there only these usernames may start runs by command (private projects: members).
   */
  gitlabAllowedUsers?: string[];
}

export const DEFAULT_LABEL = "devgodzilla";
export const DEFAULT_COMMAND = "/devgodzilla";
export const DEFAULT_ASSOCIATIONS = ["OWNER", "MEMBER", "COLLABORATOR"];

/** Windmill variables holding the shared secrets (set them in the workspace, marked secret). */
export const GITHUB_SECRET_VARIABLE = "f/devgodzilla/github_webhook_secret";
export const GITLAB_SECRET_VARIABLE = "f/devgodzilla/gitlab_webhook_token";
/** Optional variable: comma-separated GitLab usernames allowed to use the command on public/internal projects. */
export const GITLAB_ALLOWED_USERS_VARIABLE = "f/devgodzilla/gitlab_allowed_users";
/** An event older than this (by its own time in the body) is not acted on: a replay, or far too late. */
export const REPLAY_WINDOW_HOURS = 72;
/** Folder of per-delivery claim resources (type "state"). */
export const DELIVERY_STATE_PREFIX = "f/devgodzilla/webhook_deliveries/";

/** The request is not from the forge we trust: missing or wrong signature / token. */
export class WebhookAuthError extends DevGodzillaError {
  readonly reason: "missing" | "invalid" | "unconfigured" | "no-raw-body";
  constructor(reason: WebhookAuthError["reason"], message: string, hint?: string) {
    super(message, { hint });
    this.reason = reason;
  }
}

// ---------------------------------------------------------------------------------------------
// Headers and provider

export function normalizeHeaders(h: WebhookEvent["headers"]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {})) {
    if (v === undefined) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(",") : String(v);
  }
  return out;
}

export function detectProvider(headers: Record<string, string>): WebhookProvider | undefined {
  if (headers["x-github-event"]) return "github";
  if (headers["x-gitlab-event"]) return "gitlab";
  return undefined;
}

export function deliveryId(provider: WebhookProvider, headers: Record<string, string>): string {
  if (provider === "github") return headers["x-github-delivery"] ?? "";
  // GitLab ≥17.4 sends Idempotency-Key (same on retries); X-Gitlab-Event-UUID identifies the event.
  return headers["idempotency-key"] ?? headers["x-gitlab-event-uuid"] ?? "";
}

/**
 * The event's identity and time as the forge wrote them into the (verified) body: the same event
 * re-sent — by the forge or by someone who captured it — has the same identity whatever its
 * delivery header says. null fields when the body does not carry them.
 */
export function eventIdentity(provider: WebhookProvider, body: Record<string, any>): { key: string | null; at: string | null } {
  const issue = body.issue ?? {};
  if (provider === "github") {
    if (body.comment?.id !== undefined)
      return { key: `github:comment:${body.comment.id}:${body.action}`, at: body.comment.updated_at ?? body.comment.created_at ?? null };
    if ((issue.id ?? issue.number) !== undefined && issue.updated_at) {
      return {
        key: `github:issue:${body.repository?.id ?? body.repository?.full_name}:${issue.id ?? issue.number}:${body.action}:${body.label?.id ?? body.label?.name ?? ""}:${issue.updated_at}`,
        at: issue.updated_at,
      };
    }
    return { key: null, at: null };
  }
  const a = body.object_attributes ?? {};
  if (a.id === undefined) return { key: null, at: null };
  const at = a.updated_at ?? a.created_at ?? null;
  return { key: body.object_kind === "note" ? `gitlab:note:${a.id}` : `gitlab:${body.object_kind}:${a.id}:${a.action ?? ""}:${at ?? ""}`, at };
}

const sha256 = (s: string) => createHash("sha256").update(s, "utf8").digest("hex");

// ---------------------------------------------------------------------------------------------
// Verification

function constantTimeEqual(a: string, b: string): boolean {
  // Hash both sides first so lengths are equal and the comparison time does not leak the length.
  const ha = createHash("sha256").update(a, "utf8").digest();
  const hb = createHash("sha256").update(b, "utf8").digest();
  return timingSafeEqual(ha, hb) && a.length === b.length;
}

/** GitHub: X-Hub-Signature-256 = "sha256=" + hex(HMAC_SHA256(secret, raw body)). Throws WebhookAuthError. */
export function verifyGithubSignature(rawBody: string, signatureHeader: string | undefined, secret: string): void {
  if (!secret)
    throw new WebhookAuthError(
      "unconfigured",
      "no GitHub webhook secret is configured",
      `set the Windmill variable ${GITHUB_SECRET_VARIABLE} to the webhook's secret`,
    );
  if (!signatureHeader)
    throw new WebhookAuthError("missing", "the X-Hub-Signature-256 header is missing", "set a secret on the GitHub webhook (Settings → Webhooks)");
  const expected = "sha256=" + createHmac("sha256", secret).update(rawBody, "utf8").digest("hex");
  if (!constantTimeEqual(signatureHeader.trim(), expected)) {
    throw new WebhookAuthError(
      "invalid",
      "the X-Hub-Signature-256 signature does not match the body",
      `the webhook's secret must equal the Windmill variable ${GITHUB_SECRET_VARIABLE}, and the trigger must pass the raw body`,
    );
  }
}

/** GitLab: X-Gitlab-Token must equal the configured secret token (compared in constant time). */
export function verifyGitlabToken(tokenHeader: string | undefined, secret: string): void {
  if (!secret)
    throw new WebhookAuthError(
      "unconfigured",
      "no GitLab webhook token is configured",
      `set the Windmill variable ${GITLAB_SECRET_VARIABLE} to the webhook's secret token`,
    );
  if (!tokenHeader) throw new WebhookAuthError("missing", "the X-Gitlab-Token header is missing", "set a secret token on the GitLab webhook");
  if (!constantTimeEqual(tokenHeader, secret))
    throw new WebhookAuthError(
      "invalid",
      "the X-Gitlab-Token header does not match",
      `the webhook's secret token must equal the Windmill variable ${GITLAB_SECRET_VARIABLE}`,
    );
}

export interface VerifyInput {
  headers: Record<string, string>;
  rawBody: string | null | undefined;
  /** Secret for the detected provider. */
  secret: string;
  provider: WebhookProvider;
}

export function verifyWebhook(i: VerifyInput): void {
  if (i.provider === "github") {
    if (typeof i.rawBody !== "string") {
      throw new WebhookAuthError(
        "no-raw-body",
        "the raw request body is not available, so the signature cannot be checked",
        "set raw_string: true on the HTTP route (or add ?raw=true to the webhook URL)",
      );
    }
    verifyGithubSignature(i.rawBody, i.headers["x-hub-signature-256"], i.secret);
  } else {
    verifyGitlabToken(i.headers["x-gitlab-token"], i.secret);
  }
}

// ---------------------------------------------------------------------------------------------
// Body parsing and event mapping

/** The JSON payload: from raw_string when present (also GitHub's form-encoded `payload=`). */
export function parseBody(event: WebhookEvent): Record<string, any> {
  const raw = event.raw_string;
  if (typeof raw === "string" && raw.length) {
    const text = raw.startsWith("payload=") ? (new URLSearchParams(raw).get("payload") ?? "") : raw;
    try {
      const v = JSON.parse(text);
      if (v && typeof v === "object") return v;
    } catch {
      /* fall through to body */
    }
  }
  const b = event.body;
  if (typeof b === "string") {
    try {
      return JSON.parse(b);
    } catch {
      return {};
    }
  }
  return (b && typeof b === "object" ? b : {}) as Record<string, any>;
}

const ignore = (reason: string, provider?: WebhookProvider, event?: string, delivery_id?: string): WebhookDecision => ({
  action: "ignore",
  reason,
  provider,
  event,
  delivery_id,
});

/** "/devgodzilla add dark mode" → "add dark mode"; null when the comment is not a command. */
export function parseCommand(text: string, command = DEFAULT_COMMAND): string | null {
  const t = text.replace(/\r\n/g, "\n").trim();
  const esc = command.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const m = new RegExp(`^${esc}(?=\\s|$)([\\s\\S]*)$`).exec(t);
  return m ? m[1].trim() : null;
}

function describeIssue(title: string, body: string | null | undefined): string {
  return [title?.trim(), (body ?? "").trim()].filter(Boolean).join("\n\n");
}

export function mapEvent(provider: WebhookProvider, headers: Record<string, string>, body: Record<string, any>, opts: MapOptions = {}): WebhookDecision {
  const label = opts.label ?? DEFAULT_LABEL;
  const command = opts.command ?? DEFAULT_COMMAND;
  const id = deliveryId(provider, headers);
  return provider === "github"
    ? mapGithub(headers["x-github-event"] ?? "", id, body, label, command, opts.allowedAssociations ?? DEFAULT_ASSOCIATIONS)
    : mapGitlab(headers["x-gitlab-event"] ?? "", id, body, label, command, opts.gitlabAllowedUsers ?? []);
}

function mapGithub(event: string, id: string, b: Record<string, any>, label: string, command: string, allowed: string[]): WebhookDecision {
  const ig = (reason: string) => ignore(reason, "github", event, id);
  if (event === "ping") return ig("ping: the webhook is configured; nothing to run");
  if (event !== "issues" && event !== "issue_comment")
    return ig(`GitHub event "${event}" is not handled (only issues labelled "${label}" and "${command}" comments)`);
  const repo = b.repository;
  const issue = b.issue;
  if (!repo?.clone_url || !issue?.number) return ig("payload has no repository or issue");
  if (issue.pull_request) return ig("the issue is a pull request; runs start from issues only");
  if (issue.state === "closed") return ig(`issue #${issue.number} is closed`);
  const base = {
    repo: String(repo.clone_url),
    base_branch: String(repo.default_branch ?? ""),
    forge: "github" as const,
    repository: String(repo.full_name ?? ""),
    issue_number: Number(issue.number),
    issue_url: String(issue.html_url ?? ""),
  };
  if (event === "issues") {
    if (b.action !== "labeled") return ig(`issues action "${b.action}" is not handled (only "labeled")`);
    if (b.label?.name !== label) return ig(`label "${b.label?.name}" is not "${label}"`);
    return {
      action: "start",
      provider: "github",
      event,
      delivery_id: id,
      reason: `issue #${issue.number} labelled "${label}" by ${b.sender?.login ?? "?"}`,
      inputs: { ...base, feature_description: describeIssue(issue.title, issue.body), requested_by: String(b.sender?.login ?? "") },
    };
  }
  if (b.action !== "created") return ig(`issue_comment action "${b.action}" is not handled (only "created")`);
  const comment = b.comment ?? {};
  const request = parseCommand(String(comment.body ?? ""), command);
  if (request === null) return ig(`comment does not start with "${command}"`);
  if (comment.user?.type === "Bot" || b.sender?.type === "Bot") return ig("comment is from a bot (avoids loops with our own comments)");
  const assoc = String(comment.author_association ?? "NONE");
  if (!allowed.includes(assoc)) return ig(`comment author ${comment.user?.login ?? "?"} is ${assoc}; only ${allowed.join(", ")} may start runs`);
  return {
    action: "start",
    provider: "github",
    event,
    delivery_id: id,
    reason: `"${command}" comment on issue #${issue.number} by ${comment.user?.login ?? "?"}`,
    inputs: { ...base, feature_description: request || describeIssue(issue.title, issue.body), requested_by: String(comment.user?.login ?? "") },
  };
}

function mapGitlab(event: string, id: string, b: Record<string, any>, label: string, command: string, allowedUsers: string[]): WebhookDecision {
  const ig = (reason: string) => ignore(reason, "gitlab", event, id);
  const project = b.project;
  const kind = b.object_kind;
  if (kind !== "issue" && kind !== "note")
    return ig(`GitLab event "${event || kind}" is not handled (only Issue Hook with label "${label}" and Note Hook "${command}")`);
  if (!project?.git_http_url) return ig("payload has no project");
  const base = {
    repo: String(project.git_http_url),
    base_branch: String(project.default_branch ?? ""),
    forge: "gitlab" as const,
    repository: String(project.path_with_namespace ?? ""),
  };
  if (kind === "issue") {
    const a = b.object_attributes ?? {};
    if (a.state === "closed") return ig(`issue #${a.iid} is closed`);
    const titles = (xs: unknown) => (Array.isArray(xs) ? xs.map((l: any) => String(l?.title ?? l?.name ?? l)) : []);
    const now = titles(b.labels ?? a.labels);
    const change = b.changes?.labels;
    const added = change ? titles(change.current).includes(label) && !titles(change.previous).includes(label) : false;
    const openedWithLabel = a.action === "open" && now.includes(label);
    if (!added && !openedWithLabel) return ig(`issue #${a.iid} event "${a.action}" did not add the label "${label}"`);
    return {
      action: "start",
      provider: "gitlab",
      event,
      delivery_id: id,
      reason: `issue #${a.iid} labelled "${label}" by ${b.user?.username ?? "?"}`,
      inputs: {
        ...base,
        feature_description: describeIssue(a.title, a.description),
        issue_number: Number(a.iid),
        issue_url: String(a.url ?? ""),
        requested_by: String(b.user?.username ?? ""),
      },
    };
  }
  const a = b.object_attributes ?? {};
  if (a.noteable_type !== "Issue") return ig(`note on a ${a.noteable_type ?? "?"}; runs start from issues only`);
  if (a.system) return ig("system note");
  if (b.user?.bot || /bot$/i.test(String(b.user?.username ?? ""))) return ig("note is from a bot (avoids loops with our own comments)");
  const request = parseCommand(String(a.note ?? ""), command);
  if (request === null) return ig(`note does not start with "${command}"`);
  const issue = b.issue ?? {};
  if (issue.state === "closed") return ig(`issue #${issue.iid} is closed`);
  const user = String(b.user?.username ?? "");
  const visibility = Number(project.visibility_level ?? 0); // 0 private, 10 internal, 20 public
  if (visibility > 0 && !allowedUsers.includes(user)) {
    return ig(
      `${user || "?"} may not start runs by command on a ${visibility >= 20 ? "public" : "internal"} project — add the username to the Windmill variable ${GITLAB_ALLOWED_USERS_VARIABLE}`,
    );
  }
  return {
    action: "start",
    provider: "gitlab",
    event,
    delivery_id: id,
    reason: `"${command}" note on issue #${issue.iid} by ${b.user?.username ?? "?"}`,
    inputs: {
      ...base,
      feature_description: request || describeIssue(issue.title, issue.description),
      issue_number: Number(issue.iid),
      issue_url: String(issue.url ?? ""),
      requested_by: String(b.user?.username ?? ""),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Preprocessor core: verify then map. Secrets are fetched lazily for the detected provider.

export interface PreprocessOptions extends MapOptions {
  /** The current time in ms (default Date.now()), for the replay window. */
  now?: number;
  getSecret?: (provider: WebhookProvider) => Promise<string>;
  getGitlabAllowedUsers?: () => Promise<string[]>;
}

/** The optional allow-list variable; missing → nobody beyond project members of private projects. */
export async function windmillGitlabAllowedUsers(): Promise<string[]> {
  const v = await getVariable(GITLAB_ALLOWED_USERS_VARIABLE).catch(() => "");
  return String(v ?? "")
    .split(/[,\s]+/)
    .map((x) => x.trim())
    .filter(Boolean);
}

export async function windmillSecret(provider: WebhookProvider): Promise<string> {
  const path = provider === "github" ? GITHUB_SECRET_VARIABLE : GITLAB_SECRET_VARIABLE;
  try {
    return String(await getVariable(path));
  } catch {
    throw new ConfigError(
      `$var:${path}`,
      undefined,
      "the webhook secret variable is missing or not visible to this script",
      `create the secret variable ${path} with the value configured on the ${provider} webhook`,
    );
  }
}

export async function preprocessWebhook(event: WebhookEvent, opts: PreprocessOptions = {}): Promise<WebhookDecision> {
  const headers = normalizeHeaders(event.headers);
  const provider = detectProvider(headers);
  if (!provider) {
    throw new WebhookAuthError(
      "missing",
      "not a GitHub or GitLab webhook (no X-GitHub-Event / X-Gitlab-Event header)",
      "point only GitHub/GitLab webhooks at this route",
    );
  }
  // Verify BEFORE looking at the payload: unauthenticated bodies are never interpreted.
  const secret = await (opts.getSecret ?? windmillSecret)(provider);
  verifyWebhook({ provider, headers, rawBody: event.raw_string, secret });
  const id = deliveryId(provider, headers);
  const body = parseBody(event);
  const mapOpts: MapOptions = { ...opts };
  if (provider === "gitlab" && body.object_kind === "note" && !opts.gitlabAllowedUsers) {
    mapOpts.gitlabAllowedUsers = await (opts.getGitlabAllowedUsers ?? windmillGitlabAllowedUsers)();
  }
  const decision = mapEvent(provider, headers, body, mapOpts);
  if (decision.action === "start" && !id) {
    return ignore(`the ${provider} delivery has no delivery id header, so a redelivery could not be recognised`, provider, decision.event, id);
  }
  if (decision.action === "start" && !decision.inputs.feature_description.trim()) {
    return ignore(`issue #${decision.inputs.issue_number} has no title, body or request to build a feature from`, provider, decision.event, id);
  }
  if (decision.action !== "start") return decision;
  const identity = eventIdentity(provider, body);
  const at = identity.at ? Date.parse(identity.at) : NaN;
  const now = opts.now ?? Date.now();
  if (Number.isFinite(at) && now - at > REPLAY_WINDOW_HOURS * 3_600_000) {
    return ignore(
      `the event happened at ${new Date(at).toISOString()}, more than ${REPLAY_WINDOW_HOURS} h ago: a replay, or a redelivery too late to act on — label the issue again or comment again to start a run`,
      provider,
      decision.event,
      id,
    );
  }
  return { ...decision, event_key: identity.key, body_sha256: sha256(typeof event.raw_string === "string" ? event.raw_string : JSON.stringify(body)) };
}

// ---------------------------------------------------------------------------------------------
// Delivery de-duplication, stored in Windmill: one "state" resource per delivery that started a
// run. Creating a resource at an existing path fails, so the claim is atomic across concurrent
// redeliveries (a read-modify-write of one shared state object would not be).

export interface DeliveryRecord {
  provider: WebhookProvider;
  delivery_id: string;
  job_id?: string;
  at: string;
  reason?: string;
}

export interface DeliveryLedger {
  /** true if this call claimed the id; false if another delivery had already claimed it. */
  claim(rec: DeliveryRecord): Promise<boolean>;
  get(provider: WebhookProvider, id: string): Promise<DeliveryRecord | undefined>;
  complete(rec: DeliveryRecord): Promise<void>;
  release(provider: WebhookProvider, id: string): Promise<void>;
}

export function deliveryStatePath(provider: WebhookProvider, id: string): string {
  const safe = id.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 120);
  return `${DELIVERY_STATE_PREFIX}${provider === "github" ? "gh" : "gl"}_${safe}`;
}

export function windmillDeliveryLedger(): DeliveryLedger {
  return {
    claim: (rec) => createResource(deliveryStatePath(rec.provider, rec.delivery_id), "state", rec, `webhook delivery ${rec.delivery_id}`),
    get: (provider, id) => findResource<DeliveryRecord>(deliveryStatePath(provider, id)),
    complete: (rec) => updateResourceValue(deliveryStatePath(rec.provider, rec.delivery_id), rec),
    async release(provider, id) {
      await deleteResource(deliveryStatePath(provider, id)).catch(() => undefined);
    },
  };
}

export interface StartOptions {
  ledger?: DeliveryLedger;
  flowPath?: string;
  /** Extra spec_to_pr args (agent, provider resources as "$res:…" paths, budgets). */
  defaults?: Record<string, unknown>;
  runFlow?: (path: string, args: Record<string, unknown>) => Promise<string>;
  /** Earlier runs of the flow for the same repo + issue (default: asked of Windmill). */
  listRuns?: ListIssueRuns;
}

export type StartResult =
  | { status: "started"; job_id: string; delivery_id: string; reason: string; flow: string; inputs: SpecToPrWebhookInputs }
  | { status: "duplicate"; job_id?: string; delivery_id: string; reason: string }
  | { status: "already-running"; job_id: string; delivery_id: string; reason: string }
  | { status: "ignored"; reason: string; delivery_id?: string; event?: string };

const InputsSchema = z.object({
  repo: z.string().min(1),
  base_branch: z.string(),
  feature_description: z.string().min(1),
  forge: z.enum(["github", "gitlab"]),
  repository: z.string(),
  issue_number: z.number().int().nonnegative(),
  issue_url: z.string(),
  requested_by: z.string(),
});
const DecisionSchema = z.discriminatedUnion("action", [
  z.object({
    action: z.literal("start"),
    provider: z.enum(["github", "gitlab"]),
    event: z.string(),
    delivery_id: z.string().min(1),
    inputs: InputsSchema,
    reason: z.string(),
    event_key: z.string().nullable().optional(),
    body_sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .optional(),
  }),
  z.object({
    action: z.literal("ignore"),
    provider: z.enum(["github", "gitlab"]).optional(),
    event: z.string().optional(),
    delivery_id: z.string().optional(),
    reason: z.string(),
  }),
]);

/** Validates a decision handed to main (it may come from a person, not only the preprocessor). */
export function parseDecision(v: unknown): WebhookDecision {
  const r = DecisionSchema.safeParse(v);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new InputError(["decision", ...i.path.map(String)].join("."), i.message, "main expects the preprocessor's output");
  }
  return r.data as WebhookDecision;
}

export async function startFromDecision(input: WebhookDecision, opts: StartOptions = {}): Promise<StartResult> {
  const d = parseDecision(input);
  if (d.action !== "start") return { status: "ignored", reason: d.reason, delivery_id: d.delivery_id, event: d.event };
  const ledger = opts.ledger ?? windmillDeliveryLedger();
  const flow = opts.flowPath ?? "f/devgodzilla/spec_to_pr";
  const rec: DeliveryRecord = { provider: d.provider, delivery_id: d.delivery_id, at: new Date().toISOString(), reason: d.reason };
  // The delivery header, the event's identity and its body: any one already claimed means this
  // event was handled (a redelivery, or a captured body re-sent under a new delivery id).
  const keys = [
    d.delivery_id,
    ...(d.event_key ? [`event-${sha256(d.event_key).slice(0, 40)}`] : []),
    ...(d.body_sha256 ? [`body-${d.body_sha256.slice(0, 40)}`] : []),
  ];
  const claimed: string[] = [];
  const releaseAll = async () => {
    for (const k of claimed) await ledger.release(d.provider, k);
  };
  for (const key of keys) {
    if (await ledger.claim({ ...rec, delivery_id: key })) {
      claimed.push(key);
      continue;
    }
    await releaseAll();
    const prior = await ledger.get(d.provider, key).catch(() => undefined);
    const what =
      key === d.delivery_id ? `delivery ${d.delivery_id}` : `this ${key.startsWith("event-") ? "event" : "exact body"} (re-sent as delivery ${d.delivery_id})`;
    return {
      status: "duplicate",
      job_id: prior?.job_id,
      delivery_id: d.delivery_id,
      reason: `${what} was already handled${prior?.job_id ? ` by run ${prior.job_id}` : ""}`,
    };
  }
  const completeAll = async (job_id: string) => {
    for (const k of claimed) await ledger.complete({ ...rec, delivery_id: k, job_id });
  };
  // One live run per issue: a re-label or a second command while a run is in flight would make
  // two runs race on the same issue. Windmill's queue is the authority (jobs whose args match).
  let outcome;
  try {
    outcome = await startIssueRun({ flow, args: { ...(opts.defaults ?? {}), ...d.inputs }, blockedBy: "live", listRuns: opts.listRuns, runFlow: opts.runFlow });
  } catch (e) {
    // Let a redelivery try again.
    await releaseAll();
    throw e;
  }
  if (outcome.status === "blocked") {
    await completeAll(outcome.id);
    return { status: "already-running", job_id: outcome.id, delivery_id: d.delivery_id, reason: outcome.reason };
  }
  await completeAll(outcome.job_id);
  return { status: "started", job_id: outcome.job_id, delivery_id: d.delivery_id, reason: d.reason, flow, inputs: d.inputs };
}
