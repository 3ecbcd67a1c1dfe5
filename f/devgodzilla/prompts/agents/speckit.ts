// The `/speckit.*` commands a person runs in their own agent (IDE or CLI) to continue a feature
// DevGodzilla started — same layout and formats as GitHub Spec Kit 1.0.1's command templates.
// Bodies are agent-neutral markdown: `$ARGUMENTS` is the user's input and
// `__SPECKIT_COMMAND_<NAME>__` a reference to another command; lib/agentops/speckit_commands.ts
// renders both per agent (`{{args}}` for TOML agents, `/speckit-plan` for skills…).
// They need no Spec Kit scripts: DevGodzilla's layout is found from `.specify/feature.json` or specs/.

export const SPECKIT_COMMANDS_VERSION = "devgodzilla-speckit-commands@1 (spec-kit 1.0.1 layout)";

export const SPECKIT_COMMANDS = ["constitution", "specify", "clarify", "plan", "tasks", "analyze", "checklist", "implement"] as const;
export type SpeckitCommand = (typeof SPECKIT_COMMANDS)[number];

const FIND_FEATURE = `Find the current feature directory: \`.specify/feature.json\` → \`feature_directory\` if present, otherwise the
\`specs/NNN-short-name/\` directory with the highest number. Paths below are relative to it (FEATURE_DIR).`;

const USER_INPUT = `## User Input

\`\`\`text
$ARGUMENTS
\`\`\`

You **MUST** consider the user input before proceeding (if not empty).`;

export const SPECKIT_COMMAND_TEXT: Record<SpeckitCommand, { description: string; body: string }> = {
  constitution: {
    description: "Create or update the project constitution (.specify/memory/constitution.md) and keep dependent templates in sync.",
    body: `${USER_INPUT}

## Outline

1. Load \`.specify/memory/constitution.md\` (create it from \`.specify/templates/constitution-template.md\` if missing).
2. Fill every \`[ALL_CAPS]\` placeholder from the user input and the repository; keep existing values unless the user changes them.
   Unknown values become \`TODO(<FIELD>): …\`. Dates are ISO (YYYY-MM-DD).
3. Version it with semver: MAJOR when a principle is removed or redefined, MINOR when a principle or section is added, PATCH for wording.
   \`RATIFICATION_DATE\` is the original adoption date; \`LAST_AMENDED_DATE\` is today when anything changed.
4. Prepend a Sync Impact Report as an HTML comment: old → new version, changed/added/removed sections, follow-up TODOs.
5. Write only \`.specify/memory/constitution.md\`. The last line stays
   \`**Version**: X.Y.Z | **Ratified**: YYYY-MM-DD | **Last Amended**: YYYY-MM-DD\`.

## Done When

The constitution has no unexplained placeholders and its version line is updated. Suggest __SPECKIT_COMMAND_SPECIFY__ next.`,
  },
  specify: {
    description: "Create a feature specification (specs/NNN-short-name/spec.md) from a natural-language feature description.",
    body: `${USER_INPUT}

## Outline

1. Pick a 2–4 word action-noun short name (e.g. "Add OAuth2 login for the API" → \`oauth2-api-login\`).
2. Create \`specs/NNN-short-name/\`: NNN is the highest existing \`specs/[0-9]{3,}-*\` number + 1, zero-padded to 3 digits.
   Write \`.specify/feature.json\` as \`{"feature_directory": "specs/NNN-short-name"}\`.
3. Write \`spec.md\` from \`.specify/templates/spec-template.md\`: user stories with priorities (P1, P2…), each independently
   testable, with **Given/When/Then** acceptance scenarios; functional requirements \`- **FR-001**: System MUST …\`;
   key entities; measurable, technology-agnostic success criteria \`- **SC-001**: …\`; assumptions.
   WHAT and WHY only — no tech stack, no code.
4. Guess sensibly and record guesses under Assumptions. Mark at most **3** real ambiguities inline as
   \`[NEEDS CLARIFICATION: question]\`, prioritised scope > security/privacy > UX > technical.
5. Write \`checklists/requirements.md\` (Content Quality, Requirement Completeness, Feature Readiness) and re-check the spec
   against it, up to 3 rounds.
6. If markers remain, present them together as \`## Question [N]: [Topic]\` with **Context**, **What we need to know** and a
   \`| Option | Answer | Implications |\` table (A, B, C, Custom); replace each marker with the answer given.

## Done When

spec.md and checklists/requirements.md exist; report the directory and suggest __SPECKIT_COMMAND_CLARIFY__ or __SPECKIT_COMMAND_PLAN__.`,
  },
  clarify: {
    description: "Ask up to 5 targeted questions about the current spec and write the answers back into it.",
    body: `${USER_INPUT}

## Outline

${FIND_FEATURE}

1. Read \`spec.md\`. Rate each area Clear / Partial / Missing: scope, data model, UX flow, non-functional qualities,
   integrations, edge cases, constraints, terminology, completion signals, placeholders.
2. Queue at most **5** questions, ranked by impact × uncertainty. Each is multiple choice (2–5 options) or a short answer (≤ 5 words).
3. Ask **one at a time**: \`**Question:** …?\`, why it matters, \`**Recommended:** Option X - reasoning\`, then a
   \`| Option | Description |\` table. Accept a letter, "yes"/"recommended", or a custom answer.
4. After **each** answer: ensure \`## Clarifications\` with \`### Session YYYY-MM-DD\` exists, append
   \`- Q: <question> → A: <answer>\`, update the affected section (requirements, stories, entities, success criteria, edge cases),
   replacing contradicted text, and save. Add no other headings.
5. Re-check \`checklists/requirements.md\`, flipping only items whose state changed.

## Done When

Report a coverage table (Resolved, Deferred, Clear, Outstanding) and suggest __SPECKIT_COMMAND_PLAN__.`,
  },
  plan: {
    description: "Write the implementation plan (plan.md, research.md, data-model.md, contracts/, quickstart.md) for the current spec.",
    body: `${USER_INPUT}

## Outline

${FIND_FEATURE}

1. Read \`spec.md\` and \`.specify/memory/constitution.md\`. Copy \`.specify/templates/plan-template.md\` to \`plan.md\` if missing.
2. Fill **Technical Context** (language/version, primary dependencies, storage, testing, target platform, project type,
   performance goals, constraints, scale); unknowns become \`NEEDS CLARIFICATION\`.
3. Fill the **Constitution Check**: every violated article is an ERROR unless justified in **Complexity Tracking**.
4. Phase 0 → \`research.md\`: one entry per unknown with Decision / Rationale / Alternatives considered.
5. Phase 1 → \`data-model.md\` (entities, fields, relations, states), \`contracts/\` (external interfaces only),
   \`quickstart.md\` (runnable validation steps, no code). Re-check the constitution after the design.
6. Choose the project structure option and delete the unused ones; write the **Structure Decision**.

## Done When

plan.md has no unresolved NEEDS CLARIFICATION and the gates pass; suggest __SPECKIT_COMMAND_TASKS__.`,
  },
  tasks: {
    description: "Generate an ordered, dependency-aware tasks.md from the plan and spec.",
    body: `${USER_INPUT}

## Outline

${FIND_FEATURE}

1. Read \`plan.md\` and \`spec.md\` (required) and \`research.md\`, \`data-model.md\`, \`contracts/\`, \`quickstart.md\` when present.
2. Write \`tasks.md\` from \`.specify/templates/tasks-template.md\`. Phases: \`## Phase 1: Setup\`, \`## Phase 2: Foundational\`,
   one phase per user story in priority order (\`## Phase 3: User Story 1 - Title (Priority: P1) 🎯 MVP\`…), then Polish.
3. Every task line is exactly \`- [ ] T001 [P] [US1] Description with exact file path\`: IDs sequential in execution order,
   \`[P]\` only when it touches different files and has no unfinished dependency, \`[USn]\` in story phases only.
   State dependencies inline as \`(depends on T012, T013)\` where order is not obvious.
4. Test tasks only if tests were requested or the constitution requires test-first; they come before the code they test.
5. Tasks touching the same file run sequentially. An entity shared by several stories goes to the earliest story or Setup.

## Done When

tasks.md covers every requirement; report the task count per story and suggest __SPECKIT_COMMAND_ANALYZE__ or __SPECKIT_COMMAND_IMPLEMENT__.`,
  },
  analyze: {
    description: "Read-only consistency analysis across spec.md, plan.md and tasks.md (at most 50 findings).",
    body: `${USER_INPUT}

## Outline

${FIND_FEATURE}

This command is **READ-ONLY**: do not modify any file.

1. Load \`spec.md\`, \`plan.md\`, \`tasks.md\` and \`.specify/memory/constitution.md\`.
2. Detect, at most 50 findings: A duplication; B ambiguity (vague adjectives, TODO, ???); C underspecification;
   D constitution alignment; E coverage gaps (requirements with no task, tasks with no requirement);
   F inconsistency (terminology, entities, ordering, conflicts).
3. Severity: CRITICAL (constitution MUST violated, missing core artifact, uncovered blocking requirement), HIGH, MEDIUM, LOW.
4. Output \`## Specification Analysis Report\` with a \`| ID | Category | Severity | Location(s) | Summary | Recommendation |\`
   table, a coverage table, metrics and next actions. Offer remediation; never apply it.

## Done When

The report is printed. If there are CRITICAL findings, recommend fixing them before __SPECKIT_COMMAND_IMPLEMENT__.`,
  },
  checklist: {
    description: 'Generate a requirements-quality checklist ("unit tests for English") for the current feature.',
    body: `${USER_INPUT}

## Outline

${FIND_FEATURE}

1. Ask at most 3 short intent questions (\`| Option | Candidate | Why It Matters |\`) unless the input already says the domain,
   audience and depth.
2. Write \`checklists/<domain>.md\` from \`.specify/templates/checklist-template.md\` — new from CHK001, or appended continuing
   the existing CHK numbers. Items always start unchecked: \`- [ ] CHK001 …\`.
3. Items test how the requirements are WRITTEN, not the code: "Is 'fast loading' quantified with specific timing thresholds?
   [Clarity, Spec §NFR-2]". Never "Verify/Test/Confirm that the system…".
4. At least 80% of items carry a reference: \`[Spec §X]\`, \`[Gap]\`, \`[Ambiguity]\`, \`[Conflict]\` or \`[Assumption]\`.

## Done When

Report the file path and item count.`,
  },
  implement: {
    description: "Execute tasks.md phase by phase, marking each finished task [X].",
    body: `${USER_INPUT}

## Outline

${FIND_FEATURE}

1. Checklist gate: for each \`checklists/*.md\` count \`- [ ]\` vs \`- [x]\`, print
   \`| Checklist | Total | Checked | Unchecked | Status |\`. If anything is unchecked, STOP and ask whether to continue.
2. Load \`tasks.md\`, \`plan.md\`, \`.specify/memory/constitution.md\` and the optional design docs.
3. Create or verify ignore files for the stack.
4. Run phase by phase: sequential tasks in order, \`[P]\` tasks may go together, tasks on the same file sequentially,
   tests before the code they test. A failed non-[P] task halts the run; for [P] tasks keep the successes and report failures.
   Mark each finished task \`[X]\` in tasks.md.
5. Validate the result against the spec's acceptance scenarios and run the project's tests.

## Done When

All tasks are \`[X]\` or the failures are reported with their cause.`,
  },
};
