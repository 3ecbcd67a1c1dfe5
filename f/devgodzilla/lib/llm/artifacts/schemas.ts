// What the LLM must return for each spec step (zod, validated by Llm.structured). The model
// produces CONTENT only; ids (FR-001, SC-001, T001, CHK001), numbering, headings and layout are
// added by render.ts, so every artifact parses whatever the model writes.

import { z } from "zod";

const line = z.string().trim().min(1);
export const MARKER_RE = /\[NEEDS CLARIFICATION:\s*([^\]]*)\]/g;

// ---------------------------------------------------------------------------------------------
// specify

export const QuestionOption = z.object({
  key: z
    .string()
    .trim()
    .regex(/^[A-E]$/, "option keys are A..E"),
  answer: line,
  implications: z.string().trim().default(""),
});

/** A clarification question shown in the approval form. */
export const Question = z.object({
  id: z.string().regex(/^Q\d+$/),
  topic: z.string().trim().default(""),
  question: line,
  /** The text inside the `[NEEDS CLARIFICATION: …]` marker this question resolves ("" for taxonomy questions). */
  marker: z.string().default(""),
  options: z.array(QuestionOption).max(5).default([]),
  /** The recommended answer, in words (pre-fills the form). */
  recommended: line,
  why: z.string().trim().default(""),
  /** Spec Kit taxonomy area for follow-up questions. */
  category: z.string().default(""),
});
export type Question = z.infer<typeof Question>;

export const UserStory = z.object({
  title: line,
  priority: z
    .string()
    .trim()
    .regex(/^P[1-9]$/, "priority is P1..P9"),
  narrative: line,
  whyPriority: line,
  independentTest: line,
  acceptanceScenarios: z.array(z.object({ given: line, when: line, then: line })).min(1),
});

export const SpecContent = z.object({
  title: line,
  userStories: z.array(UserStory).min(1).max(8),
  edgeCases: z.array(line).default([]),
  functionalRequirements: z.array(line).min(1),
  keyEntities: z.array(z.object({ name: line, description: line })).default([]),
  successCriteria: z.array(line).min(1),
  assumptions: z.array(line).default([]),
});
export type SpecContent = z.infer<typeof SpecContent>;

const QuestionDraft = Question.omit({ id: true, category: true }).extend({ marker: line });

export const SpecDraft = z
  .object({
    shortName: z.string().trim().min(1),
    spec: SpecContent,
    questions: z.array(QuestionDraft).max(3, "at most 3 clarification questions"),
  })
  .superRefine((d, ctx) => {
    const markers = markersIn(JSON.stringify(d.spec));
    if (markers.length > 3)
      ctx.addIssue({
        code: "custom",
        path: ["spec"],
        message: `the spec has ${markers.length} [NEEDS CLARIFICATION: …] markers; at most 3 are allowed — decide the rest and record them under assumptions`,
      });
    for (const [i, q] of d.questions.entries()) {
      if (!markers.includes(q.marker.trim()))
        ctx.addIssue({
          code: "custom",
          path: ["questions", i, "marker"],
          message: `no "[NEEDS CLARIFICATION: ${q.marker}]" marker with exactly this text is in the spec`,
        });
    }
    for (const m of markers) {
      if (!d.questions.some((q) => q.marker.trim() === m))
        ctx.addIssue({ code: "custom", path: ["questions"], message: `marker "[NEEDS CLARIFICATION: ${m}]" has no question; add one (max 3 in total)` });
    }
  });
export type SpecDraft = z.infer<typeof SpecDraft>;

/** Marker texts (inside the brackets), in order, JSON-escaped quotes undone. */
export function markersIn(text: string): string[] {
  return [...text.matchAll(MARKER_RE)].map((m) => m[1]!.replace(/\\"/g, '"').trim());
}

// ---------------------------------------------------------------------------------------------
// clarify

export const ClarifyEdits = z.object({
  /** Replace `find` (exact text now in the spec, found once) by `replace`. */
  edits: z
    .array(z.object({ find: z.string().min(1), replace: z.string() }))
    .max(40)
    .default([]),
});

export const CoverageScan = z.object({
  coverage: z.array(z.object({ category: z.string(), status: z.enum(["Clear", "Partial", "Missing"]) })).default([]),
  questions: z.array(QuestionDraft.extend({ marker: z.string().default(""), category: z.string().default("") })).max(5),
});

// ---------------------------------------------------------------------------------------------
// plan

export const ConstitutionGate = z.object({
  principle: line,
  status: z.enum(["PASS", "VIOLATION", "N/A"]),
  evidence: z.string().default(""),
  /** Why the violation is needed; an unjustified VIOLATION fails the plan step. */
  justification: z.string().default(""),
  simplerAlternativeRejectedBecause: z.string().default(""),
});

export const PlanDraft = z.object({
  summary: line,
  technicalContext: z.object({
    language: line,
    primaryDependencies: line,
    storage: line,
    testing: line,
    targetPlatform: line,
    projectType: line,
    performanceGoals: line,
    constraints: line,
    scaleScope: line,
  }),
  constitutionCheck: z.array(ConstitutionGate).min(1),
  structure: z.object({ sourceTree: z.array(line).min(1), decision: line }),
  research: z.array(z.object({ topic: line, decision: line, rationale: line, alternatives: z.string().default("") })).default([]),
  dataModel: z
    .array(
      z.object({
        name: line,
        description: z.string().default(""),
        fields: z.array(z.object({ name: line, type: line, notes: z.string().default("") })).default([]),
        relationships: z.array(line).default([]),
        states: z.array(line).default([]),
      }),
    )
    .default([]),
  contracts: z
    .array(
      z.object({
        name: z
          .string()
          .trim()
          .regex(/^[a-z0-9][a-z0-9._-]*$/i, "contract names are file-name safe"),
        kind: z.enum(["openapi", "graphql", "cli", "event", "library", "other"]),
        content: line,
      }),
    )
    .default([]),
  quickstart: z.array(z.object({ step: line, expected: line })).min(1),
});
export type PlanDraft = z.infer<typeof PlanDraft>;

// ---------------------------------------------------------------------------------------------
// tasks

const TaskDraft = z.object({
  /** Local key the model uses for dependencies ("setup-1"); never shown. */
  key: z.string().trim().min(1),
  description: line,
  /** Main file the task creates or edits (repo-relative). */
  file: z.string().trim().default(""),
  parallel: z.boolean().default(false),
  dependsOn: z.array(z.string()).default([]),
  /** Ids of the acceptance criteria (criteria.md) the task implements or whose tests it writes. */
  criteria: z.array(z.string().trim().min(1)).default([]),
});

export const TasksDraft = z
  .object({
    setup: z.array(TaskDraft).default([]),
    foundational: z.array(TaskDraft).default([]),
    stories: z
      .array(
        z.object({
          storyIndex: z.number().int().min(1),
          goal: line,
          independentTest: line,
          tests: z.array(TaskDraft).default([]),
          implementation: z.array(TaskDraft).min(1),
          checkpoint: z.string().default(""),
        }),
      )
      .min(1),
    polish: z.array(TaskDraft).default([]),
  })
  .superRefine((d, ctx) => {
    const all = [...d.setup, ...d.foundational, ...d.stories.flatMap((s) => [...s.tests, ...s.implementation]), ...d.polish];
    const keys = new Set<string>();
    for (const t of all) {
      if (keys.has(t.key)) ctx.addIssue({ code: "custom", path: ["key"], message: `duplicate task key "${t.key}"` });
      keys.add(t.key);
    }
    for (const t of all)
      for (const dep of t.dependsOn)
        if (!keys.has(dep)) ctx.addIssue({ code: "custom", path: ["dependsOn"], message: `task "${t.key}" depends on unknown key "${dep}"` });
  });
export type TasksDraft = z.infer<typeof TasksDraft>;

// ---------------------------------------------------------------------------------------------
// checklist

export const ChecklistDraft = z.object({
  title: line,
  purpose: line,
  sections: z
    .array(
      z.object({
        category: line,
        items: z
          .array(
            z.object({
              /** A question about the requirements' quality ("Is … quantified …?"), never "Verify …". */
              text: line.refine(
                (t) => !/^(verify|test|confirm|check)\b/i.test(t),
                "checklist items test the writing of requirements; do not start with Verify/Test/Confirm/Check",
              ),
              /** [Spec §FR-001], [Gap], [Ambiguity], [Conflict], [Assumption] … */
              refs: z.array(z.string()).default([]),
            }),
          )
          .min(1),
      }),
    )
    .min(1),
});
export type ChecklistDraft = z.infer<typeof ChecklistDraft>;

// ---------------------------------------------------------------------------------------------
// analyze

export const FINDING_CATEGORIES = ["Duplication", "Ambiguity", "Underspecification", "Constitution Alignment", "Coverage Gap", "Inconsistency"] as const;
export const SEVERITIES = ["CRITICAL", "HIGH", "MEDIUM", "LOW"] as const;

export const AnalysisDraft = z.object({
  findings: z
    .array(
      z.object({
        category: z.enum(FINDING_CATEGORIES),
        severity: z.enum(SEVERITIES),
        locations: z.array(z.string()).default([]),
        summary: line,
        recommendation: z.string().default(""),
      }),
    )
    .default([]),
  /** Which tasks cover each requirement (FR-/SC- ids); drives the coverage table and gap findings. */
  coverage: z.array(z.object({ requirement: z.string(), taskIds: z.array(z.string()).default([]) })).default([]),
  nextActions: z.array(z.string()).default([]),
});
export type AnalysisDraft = z.infer<typeof AnalysisDraft>;
