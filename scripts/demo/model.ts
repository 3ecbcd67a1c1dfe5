// The demo's scripted model: a loopback stand-in for a real LLM that answers DevGodzilla's prompts
// for one feature on the sample repository (flows/sample-repo: "textkit"): a `truncate` helper.
// It routes on each step's system prompt, like a real model it answers in JSON or with a diff, and
// the diffs it writes depend on the task in the prompt. Used by `npm start` and the end-to-end tests.
import { byPrompt, promptText, type LlmExchange, type LlmHandler, type LlmReply } from "../fakes/llm-server.ts";

export const DEMO_FEATURE = "Add a truncate(text, max) helper that shortens long text and ends it with an ellipsis";

const json = (v: unknown): LlmReply => ({ text: "```json\n" + JSON.stringify(v, null, 2) + "\n```" });

const LIMIT_MARKER = "does the ellipsis count toward max?";

const spec = {
  shortName: "truncate-helper",
  spec: {
    title: "Truncate helper",
    userStories: [
      {
        title: "Shorten long text",
        priority: "P1",
        narrative: "As a developer using textkit I shorten a long string to a maximum length so it fits a UI label.",
        whyPriority: "It is the whole feature.",
        independentTest: "Call truncate on a long and a short string and compare the results.",
        acceptanceScenarios: [
          {
            given: "the text 'Hello wonderful world' and max 10",
            when: "truncate is called",
            then: "it returns a string of at most 10 characters ending with '…'",
          },
          { given: "a text shorter than max", when: "truncate is called", then: "it returns the text unchanged" },
        ],
      },
    ],
    edgeCases: ["What happens when max is smaller than 1?"],
    functionalRequirements: [
      "truncate(text, max) MUST return text unchanged when it has at most max characters",
      `truncate MUST end a shortened text with an ellipsis, and [NEEDS CLARIFICATION: ${LIMIT_MARKER}]`,
      "truncate MUST be exported from the package entry point",
    ],
    keyEntities: [],
    successCriteria: ["Every shortened text is at most max characters long", "The tests of textkit pass"],
    assumptions: ["Text is a JavaScript string; length counts UTF-16 code units"],
  },
  questions: [
    {
      marker: LIMIT_MARKER,
      topic: "Length limit",
      question: "Does the ellipsis count toward max?",
      options: [
        { key: "A", answer: "Yes: the result including the ellipsis is at most max characters", implications: "Labels never overflow" },
        { key: "B", answer: "No: max characters of text, then the ellipsis", implications: "Results can be max + 1 long" },
      ],
      recommended: "Yes: the result including the ellipsis is at most max characters",
      why: "It decides whether a shortened label can overflow its box.",
    },
  ],
};

/** Rewrites the requirement whose marker was answered, the way a model edits the spec. */
function clarifyEdits(ex: LlmExchange): LlmReply {
  const text = promptText(ex);
  const line = text.match(/^- \*\*(FR-\d{3})\*\*: truncate MUST end a shortened text with an ellipsis, and \[NEEDS CLARIFICATION: [^\]]*\]$/m);
  const edits = line
    ? [
        {
          find: line[0],
          replace: `- **${line[1]}**: truncate MUST end a shortened text with an ellipsis, and the result including the ellipsis MUST be at most max characters`,
        },
      ]
    : [];
  return json({ edits });
}

/** The demo's plan: every principle of the sample's constitution passes. */
export const DEMO_PLAN = {
  summary: "A pure function in its own module, exported from src/index.js, tested with node:test.",
  technicalContext: {
    language: "JavaScript (ES modules) on Node 20",
    primaryDependencies: "none",
    storage: "N/A",
    testing: "node:test (npm test)",
    targetPlatform: "Node.js library",
    projectType: "single",
    performanceGoals: "O(n) in the text length",
    constraints: "no dependencies",
    scaleScope: "library function",
  },
  constitutionCheck: [
    { principle: "Library-First", status: "PASS", evidence: "truncate is a standalone module of the textkit library" },
    { principle: "Test-First", status: "PASS", evidence: "the tests task comes before the implementation task" },
    { principle: "Simplicity", status: "PASS", evidence: "one function, no dependencies" },
  ],
  structure: {
    sourceTree: ["src/", "├── index.js", "└── truncate.js", "test/", "└── integration/", "    └── truncate.test.js"],
    decision: "Single project (Option 1).",
  },
  research: [
    {
      topic: "Ellipsis",
      decision: "Use the single character '…' (U+2026)",
      rationale: "One character keeps the length arithmetic simple",
      alternatives: "Three dots",
    },
  ],
  dataModel: [],
  contracts: [{ name: "truncate", kind: "library", content: "truncate(text: string, max: number): string" }],
  quickstart: [{ step: "truncate('Hello wonderful world', 10)", expected: "'Hello won…'" }],
};

const tasks = {
  setup: [],
  foundational: [],
  stories: [
    {
      storyIndex: 1,
      goal: "Developers can shorten long text",
      independentTest: "npm test passes with the truncate tests",
      tests: [
        {
          key: "us1-tests",
          description: "Write the truncate integration tests in test/integration/truncate.test.js",
          file: "test/integration/truncate.test.js",
          parallel: true,
          dependsOn: [],
          criteria: ["US1-AS1", "US1-AS2", "FR-001", "FR-002"],
        },
      ],
      implementation: [
        {
          key: "us1-impl",
          description: "Implement truncate in src/truncate.js",
          file: "src/truncate.js",
          parallel: false,
          dependsOn: ["us1-tests"],
          criteria: ["US1-AS1", "US1-AS2", "FR-001", "FR-002"],
        },
      ],
      checkpoint: "truncate works and is tested",
    },
  ],
  polish: [{ key: "docs", description: "Document truncate in docs/truncate.md", file: "docs/truncate.md", parallel: true, dependsOn: [] }],
};

const checklist = {
  title: "Requirements",
  purpose: "Check the truncate requirements are complete and testable",
  sections: [
    { category: "Requirement Clarity", items: [{ text: "Is the maximum length defined including or excluding the ellipsis?", refs: ["Spec §FR-002"] }] },
  ],
};

const analysis = {
  findings: [
    {
      category: "Underspecification",
      severity: "LOW",
      locations: ["spec.md"],
      summary: "Behaviour for max < 1 is listed as an edge case but not required",
      recommendation: "Decide whether truncate throws or returns '' for max < 1",
    },
  ],
  coverage: [
    { requirement: "FR-001", taskIds: ["T001", "T002"] },
    { requirement: "FR-002", taskIds: ["T001", "T002"] },
    { requirement: "FR-003", taskIds: ["T002"] },
  ],
  nextActions: ["Proceed to implementation"],
};

/** New files per task, written as a `git diff` of file creations (they apply on any base). */
const FILES: Record<string, string> = {
  "test/integration/truncate.test.js": `import { test } from "node:test";
import assert from "node:assert/strict";
import { truncate } from "../../src/truncate.js";

test("US1-AS2 FR-001 truncate leaves short text unchanged", () => {
  assert.equal(truncate("short", 10), "short");
});

test("US1-AS1 FR-002 truncate shortens long text to max characters, ellipsis included", () => {
  const out = truncate("Hello wonderful world", 10);
  assert.equal(out, "Hello won…");
  assert.ok(out.length <= 10);
});
`,
  "src/truncate.js": `/** Shortens text to at most max characters, the ellipsis included: truncate("Hello world", 8) → "Hello w…". */
export function truncate(text, max) {
  if (text.length <= max) return text;
  return text.slice(0, Math.max(0, max - 1)) + "…";
}
`,
  "docs/truncate.md": `# truncate(text, max)

Shortens \`text\` to at most \`max\` characters, the ellipsis (\`…\`) included. Text that already fits is
returned unchanged.

\`\`\`js
import { truncate } from "./src/truncate.js";
truncate("Hello wonderful world", 10); // "Hello won…"
\`\`\`
`,
};

function creationDiff(file: string, content: string): string {
  const lines = content.replace(/\n$/, "").split("\n");
  return [
    `diff --git a/${file} b/${file}`,
    "new file mode 100644",
    "--- /dev/null",
    `+++ b/${file}`,
    `@@ -0,0 +1,${lines.length} @@`,
    ...lines.map((l) => `+${l}`),
  ].join("\n");
}

function agentDiff(ex: LlmExchange): LlmReply {
  const text = promptText(ex);
  // The task's own lines (its description and its files, in the llm agent's short prompt or the
  // default one), not the dependencies' files also shown.
  const task = [...(text.match(/# Task T\d+[^\n]*\n+[^\n]+/)?.[0].split("\n") ?? []), ...(text.match(/^(Files|Files named by the task): .*$/m) ?? [])].join(
    "\n",
  );
  const file = Object.keys(FILES).find((f) => task.includes(f));
  if (!file) return { text: "BLOCKED(clarify): the task names no file I know how to change. Which file should I edit?" };
  return { text: `I created ${file}.\n\n\`\`\`diff\n${creationDiff(file, FILES[file])}\n\`\`\`\n` };
}

/** Judges a checklist item PASSED when the evidence holds code or tests of truncate. */
function judge(ex: LlmExchange): LlmReply {
  const text = promptText(ex);
  const ids = [...text.matchAll(/^--- ([^\n]+:\d+-\d+)/gm)].map((m) => m[1]);
  const seen = /truncate/.test(text.split("Evidence:")[1] ?? "");
  return json({
    status: seen ? "PASSED" : "UNCLEAR",
    explanation: seen ? "The change implements and tests truncate as the item asks." : "No code about truncate was in the evidence.",
    evidence: ids.slice(0, 2),
  });
}

/** Sizes each task of task_dag's estimate prompt: a docs-only task small, any other one medium. */
function estimates(ex: LlmExchange): LlmReply {
  const tasks = [...promptText(ex).matchAll(/^- (\S+) \(.*\n((?: {2}.*\n?)*)/gm)];
  return json({ estimates: tasks.map(([, id, body]) => ({ id, size: /files: docs\/[^,\n]*$/m.test(body!) ? "S" : "M" })) });
}

export function demoModel(): LlmHandler {
  return byPrompt([
    [/Task: turn a feature description/, json(spec)],
    [/Task: integrate clarification answers/, clarifyEdits],
    [/Task: scan a feature specification/, json({ coverage: [{ category: "Functional Scope & Behavior", status: "Clear" }], questions: [] })],
    [/Task: write the implementation plan/, json(DEMO_PLAN)],
    [/Task: break the plan into/, json(tasks)],
    [/Task: write a requirements-quality checklist/, json(checklist)],
    [/Task: a READ-ONLY cross-artifact/, json(analysis)],
    [/You estimate how much work each task of a Spec Kit tasks\.md is/, estimates],
    [/You are a careful software engineer working in a git repository/, agentDiff],
    [/You are a strict QA reviewer for a code change/, judge],
    [/You are a strict reviewer checking ONE principle/, judge],
    [
      /You route a failed step of an AI coding pipeline/,
      json({ action: "retry", reason: "the work is doable as specified", question: "", options: [], recommended: "" }),
    ],
  ]);
}
