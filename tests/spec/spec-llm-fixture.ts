// A scripted "model" for the spec steps: routes by each step's system prompt and answers with
// content the way a real model would (JSON, sometimes fenced, edits computed from the prompt).
// Tests check the files our code renders from it by PARSING them, never by comparing to this text.
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { byPrompt, promptText, startLlmServer, type LlmExchange, type LlmHandler, type LlmReply, type LlmServer } from "../../scripts/fakes/llm-server.ts";
import { createFixtureRemote, type FixtureRemote } from "../helpers/git-fixtures.ts";
import type { LocalStore } from "../../scripts/runner/index.ts";

export const AUTH_MARKER = "auth method not specified - email/password, SSO, OAuth?";
export const RETENTION_MARKER = "how long are shared links valid?";

export function specDraft(opts: { markers?: 0 | 1 | 2 | 4 } = {}) {
  const markers = opts.markers ?? 2;
  const frs = [
    "System MUST let users create a photo album with a title",
    "Users MUST be able to share an album with another user by email",
    markers >= 1 ? `System MUST authenticate users via [NEEDS CLARIFICATION: ${AUTH_MARKER}]` : "System MUST authenticate users with email and password",
    markers >= 2 ? `System MUST expire shared links after [NEEDS CLARIFICATION: ${RETENTION_MARKER}]` : "System MUST expire shared links after 30 days",
    ...(markers >= 4 ? ["System MUST store [NEEDS CLARIFICATION: which formats?]", "System MUST notify [NEEDS CLARIFICATION: by which channel?]"] : []),
  ];
  const questions = [
    {
      marker: AUTH_MARKER,
      topic: "Authentication",
      question: "How should users sign in?",
      options: [
        { key: "A", answer: "Email and password", implications: "Simplest" },
        { key: "B", answer: "Single sign-on through the company identity provider", implications: "Needs IdP integration" },
      ],
      recommended: "Email and password",
      why: "Changes onboarding and security scope",
    },
    {
      marker: RETENTION_MARKER,
      topic: "Link expiry",
      question: "How long do shared links stay valid?",
      options: [
        { key: "A", answer: "7 days", implications: "" },
        { key: "B", answer: "30 days", implications: "" },
      ],
      recommended: "30 days",
      why: "Privacy of shared photos",
    },
  ].slice(0, Math.min(markers, 2));
  return {
    shortName: "photo-album-sharing",
    spec: {
      title: "Photo Album Sharing",
      // P2 first on purpose: the rendered spec must order stories by priority.
      userStories: [
        {
          title: "Share an album",
          priority: "P2",
          narrative: "As an album owner I share an album so friends can see it.",
          whyPriority: "Sharing needs albums first.",
          independentTest: "Share an album and open it as the recipient.",
          acceptanceScenarios: [{ given: "an album", when: "the owner shares it by email", then: "the recipient can view it" }],
        },
        {
          title: "Create an album",
          priority: "P1",
          narrative: "As a user I create an album to group photos.",
          whyPriority: "Core value.",
          independentTest: "Create an album and see it listed.",
          acceptanceScenarios: [
            { given: "a signed-in user", when: "they create an album named Trip", then: "Trip appears in their albums" },
            { given: "an album", when: "the user adds 3 photos", then: "the album shows 3 photos" },
          ],
        },
      ],
      edgeCases: ["What happens when the recipient has no account?"],
      functionalRequirements: frs,
      keyEntities: [
        { name: "Album", description: "A titled group of photos owned by one user" },
        { name: "Share", description: "Access grant from an album to a recipient" },
      ],
      successCriteria: ["Users create an album in under 1 minute", "95% of recipients open a shared album on the first try"],
      assumptions: ["Photos are already uploaded by an existing feature"],
    },
    questions,
  };
}

/** Edits for clarify: rewrite each FR line whose marker is answered in the prompt. */
export function clarifyEdits(ex: LlmExchange): LlmReply {
  const text = promptText(ex);
  const edits: { find: string; replace: string }[] = [];
  const auth = text.match(/^- \*\*(FR-\d{3})\*\*: System MUST authenticate users via \[NEEDS CLARIFICATION: [^\]]*\]$/m);
  const answer = text.match(/Q: How should users sign in\?[^\n]*\n\s*A: (.+)/)?.[1];
  if (auth && answer) edits.push({ find: auth[0], replace: `- **${auth[1]}**: System MUST authenticate users with ${answer.toLowerCase()}` });
  edits.push({ find: "this text is not in the spec", replace: "ignored" });
  return { text: "```json\n" + JSON.stringify({ edits }) + "\n```" };
}

export const scan = {
  coverage: [
    { category: "Non-Functional Quality Attributes", status: "Missing" },
    { category: "Domain & Data Model", status: "Clear" },
  ],
  questions: [
    {
      topic: "Album size",
      question: "What is the maximum number of photos per album?",
      options: [
        { key: "A", answer: "500", implications: "" },
        { key: "B", answer: "Unlimited", implications: "" },
      ],
      recommended: "500",
      why: "Sizing and performance",
      category: "Constraints & Tradeoffs",
    },
    {
      topic: "Availability",
      question: "What availability target applies?",
      options: [],
      recommended: "99.9%",
      why: "Operations",
      category: "Non-Functional Quality Attributes",
    },
  ],
};

export function planDraft(opts: { violation?: "justified" | "unjustified" } = {}) {
  return {
    summary: "Albums and sharing as a small module with a REST endpoint.",
    technicalContext: {
      language: "TypeScript 5 / Node 20",
      primaryDependencies: "none",
      storage: "SQLite",
      testing: "vitest",
      targetPlatform: "Linux server",
      projectType: "single",
      performanceGoals: "p95 < 200 ms",
      constraints: "none",
      scaleScope: "10k users",
    },
    constitutionCheck: [
      { principle: "Library-First", status: "PASS", evidence: "albums is a library in src/albums" },
      ...(opts.violation
        ? [
            {
              principle: "Simplicity",
              status: "VIOLATION",
              evidence: "adds a second storage engine",
              justification: opts.violation === "justified" ? "Photos need blob storage that SQLite cannot serve efficiently" : "",
              simplerAlternativeRejectedBecause: opts.violation === "justified" ? "SQLite blobs are too slow for 10 MB photos" : "",
            },
          ]
        : []),
    ],
    structure: {
      sourceTree: ["src/", "├── albums/", "│   ├── album.ts", "│   └── share.ts", "tests/", "└── albums.test.ts"],
      decision: "Single project (Option 1).",
    },
    research: [{ topic: "Link expiry", decision: "Signed tokens with expiry", rationale: "Stateless", alternatives: "DB table of links" }],
    dataModel: [
      {
        name: "Album",
        description: "Group of photos",
        fields: [
          { name: "id", type: "uuid", notes: "" },
          { name: "title", type: "string", notes: "1-100 chars" },
        ],
        relationships: ["Album has many Share"],
        states: [],
      },
    ],
    contracts: [{ name: "albums-api", kind: "openapi", content: "openapi: 3.1.0\ninfo: {title: Albums, version: 1.0.0}\npaths: {}\n" }],
    quickstart: [{ step: "Create an album named Trip", expected: "It is listed" }],
  };
}

export function tasksDraft(opts: { cycle?: boolean; badStory?: boolean } = {}) {
  return {
    setup: [{ key: "s1", description: "Create the albums module skeleton", file: "src/albums/index.ts", parallel: false, dependsOn: [] }],
    foundational: [
      { key: "f1", description: "Add the Album storage table", file: "src/albums/db.ts", parallel: false, dependsOn: opts.cycle ? ["us1-model"] : ["s1"] },
    ],
    stories: [
      {
        storyIndex: opts.badStory ? 7 : 2,
        goal: "Owners share albums",
        independentTest: "Share and open as recipient",
        tests: [],
        implementation: [
          { key: "us2-share", description: "Implement sharing by email", file: "src/albums/share.ts", parallel: false, dependsOn: ["us1-model"] },
        ],
        checkpoint: "",
      },
      {
        storyIndex: 1,
        goal: "Users create albums",
        independentTest: "Create and list",
        tests: [{ key: "us1-test", description: "Write album creation tests", file: "tests/albums.test.ts", parallel: true, dependsOn: [] }],
        implementation: [
          { key: "us1-model", description: "Create the Album model", file: "src/albums/album.ts", parallel: true, dependsOn: ["f1"] },
          {
            key: "us1-svc",
            description: "Create album service in src/albums/service.ts",
            file: "src/albums/service.ts",
            parallel: false,
            dependsOn: ["us1-model", "us1-test"],
          },
        ],
        checkpoint: "Albums can be created",
      },
    ],
    polish: [{ key: "p1", description: "Document the albums API", file: "docs/albums.md", parallel: true, dependsOn: [] }],
  };
}

export const checklistDraft = {
  title: "Security",
  purpose: "Check that security requirements are complete and clear",
  sections: [
    {
      category: "Requirement Completeness",
      items: [
        { text: "Are authentication requirements defined for every album operation?", refs: ["Spec §FR-003"] },
        { text: "Is the expiry of shared links specified?", refs: ["Gap"] },
      ],
    },
    { category: "Requirement Clarity", items: [{ text: "Is 'share' defined in terms of which permissions a recipient gets?", refs: ["Ambiguity"] }] },
  ],
};

export function analysisDraft(opts: { many?: number } = {}) {
  const extra = Array.from({ length: opts.many ?? 0 }, (_, i) => ({
    category: "Ambiguity",
    severity: "LOW",
    locations: [`spec.md:L${i}`],
    summary: `Style nit number ${i}`,
    recommendation: "Reword",
  }));
  return {
    findings: [
      {
        category: "Inconsistency",
        severity: "MEDIUM",
        locations: ["plan.md", "spec.md"],
        summary: "The plan says 'gallery' where the spec says 'album'",
        recommendation: "Use 'album' everywhere",
      },
      ...extra,
    ],
    coverage: [
      { requirement: "FR-001", taskIds: ["T003", "T005"] },
      { requirement: "FR-002", taskIds: ["T006"] },
    ],
    nextActions: ["Add a task for FR-004"],
  };
}

const json = (v: unknown): LlmReply => ({ text: JSON.stringify(v) });

export interface FakeSpecModel {
  specify?: () => LlmReply;
  plan?: () => LlmReply;
  tasks?: () => LlmReply;
  analyze?: () => LlmReply;
}

/** The routing every spec test uses; override a step's answer through `o`. */
export function specModel(o: FakeSpecModel = {}) {
  return byPrompt([
    [/Task: turn a feature description/, () => (o.specify ? o.specify() : json(specDraft()))],
    [/Task: integrate clarification answers/, clarifyEdits],
    [/Task: scan a feature specification/, json(scan)],
    [/Task: write the implementation plan/, () => (o.plan ? o.plan() : json(planDraft()))],
    [/Task: break the plan into/, () => (o.tasks ? o.tasks() : json(tasksDraft()))],
    [/Task: write a requirements-quality checklist/, json(checklistDraft)],
    [/Task: a READ-ONLY cross-artifact/, () => (o.analyze ? o.analyze() : json(analysisDraft()))],
  ]);
}

/** The store spec flow tests run with: `f/devgodzilla/llm_local`, the loopback `server` spoken to as OpenAI with `apiKey`, and `more` resources. */
export function llmLocalStore(server: LlmServer, apiKey: string, more: LocalStore["resources"] = {}): LocalStore {
  return {
    resources: {
      "f/devgodzilla/llm_local": {
        resource_type: "c_devgodzilla_llm",
        value: { provider: "openai", api_key: apiKey, base_url: server.openaiBaseUrl, model: "gpt-4.1-mini" },
      },
      ...more,
    },
    variables: {},
  };
}

/** What a spec test runs against; `close` stops the model, restores TMPDIR and the cache dir, and removes `root`. */
export interface SpecRun {
  root: string;
  remote: FixtureRemote;
  server: LlmServer;
  close(): Promise<void>;
}

/**
 * A temp root holding TMPDIR (working copies go there, so a test sees what a step leaves behind)
 * and the mirror cache, a node fixture remote under it, and the loopback model answering `model`.
 */
export async function startSpecRun(prefix: string, model: LlmHandler, extraFiles?: Record<string, string>): Promise<SpecRun> {
  const envBefore = { TMPDIR: process.env.TMPDIR, DEVGODZILLA_CACHE_DIR: process.env.DEVGODZILLA_CACHE_DIR };
  const root = await mkdtemp(join(tmpdir(), prefix));
  process.env.TMPDIR = join(root, "tmp");
  await mkdir(process.env.TMPDIR, { recursive: true });
  process.env.DEVGODZILLA_CACHE_DIR = join(root, "cache");
  const remote = await createFixtureRemote("node", { tmpRoot: root, extraFiles });
  const server = await startLlmServer(model);
  return {
    root,
    remote,
    server,
    async close() {
      await server.close();
      for (const [k, v] of Object.entries(envBefore))
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      await rm(root, { recursive: true, force: true });
    },
  };
}
