// DevGodzilla's default constitution (written to .specify/memory/constitution.md by onboard when
// the repository has none — at either Spec Kit location) and a parser for ANY Spec Kit
// constitution: its principles in file order (numbered or not, any language), their ids, severity
// (blocking / warning), statements and the version line. QA judges every principle of the parse.

import { z } from "zod";

// ---------------------------------------------------------------------------------------------
// Exported types

export const SeveritySchema = z.enum(["blocking", "warning"]);
export type Severity = z.infer<typeof SeveritySchema>;

export const ConstitutionArticleSchema = z.object({
  /** Roman numeral as written ("III"), or the arabic number, or "" for an unnumbered principle. */
  number: z.string(),
  /** 1-based position among the articles. */
  index: z.number().int().positive(),
  /** Title without the numeral and markers: "Test-First". */
  title: z.string(),
  /** The heading text as written. */
  heading: z.string(),
  severity: SeveritySchema,
  /** Where the severity came from: a `**Severity**:` line, a "(NON-NEGOTIABLE)" marker, or the default. */
  severitySource: z.enum(["explicit", "non-negotiable", "default"]),
  nonNegotiable: z.boolean(),
  /** The `**Gate**:` line: the yes/no question QA asks of a change. */
  gate: z.string().nullable(),
  /** Sentences stating MUST / MUST NOT / SHALL obligations. */
  rules: z.array(z.string()),
  /** Every statement of the body (sentences and list items), without rationale paragraphs. */
  statements: z.array(z.string()),
  body: z.string(),
  /** 1-based line of the heading. */
  line: z.number().int().positive(),
});
export type ConstitutionArticle = z.infer<typeof ConstitutionArticleSchema>;

export const ConstitutionSchema = z.object({
  title: z.string().nullable(),
  version: z.string().nullable(),
  ratified: z.string().nullable(),
  lastAmended: z.string().nullable(),
  articles: z.array(ConstitutionArticleSchema),
  /** Other `##` sections (Governance, Additional Constraints, ...). */
  sections: z.array(z.object({ heading: z.string(), body: z.string() })),
  /** The leading `<!-- Sync Impact Report ... -->` comment, if any. */
  syncImpactReport: z.string().nullable(),
});
export type Constitution = z.infer<typeof ConstitutionSchema>;

// ---------------------------------------------------------------------------------------------
// Where a project keeps it

/** Spec Kit's location, then the older layout's (`memory/` at the root, before `.specify/`). */
export const CONSTITUTION_PATHS = [".specify/memory/constitution.md", "memory/constitution.md"] as const;

/** The project's constitution: the first of CONSTITUTION_PATHS that exists (`read` gives null/undefined when absent). */
export async function findConstitution(read: (rel: string) => Promise<string | null | undefined>): Promise<{ path: string; text: string } | null> {
  for (const p of CONSTITUTION_PATHS) {
    const text = await read(p);
    if (typeof text === "string") return { path: p, text };
  }
  return null;
}

/**
 * How QA and its configuration name a principle: its numeral as written ("III", "5") or, for an
 * unnumbered principle, its title in lower case with dashes ("library-first", "테스트-우선").
 */
export function principleId(a: Pick<ConstitutionArticle, "number" | "title" | "index">): string {
  if (a.number) return a.number;
  const slug = a.title
    .toLowerCase()
    .replace(/[\s_]+/g, "-")
    .replace(/[^\p{L}\p{N}-]/gu, "")
    .replace(/-+/g, "-")
    .replace(/^-|-$/g, "");
  return slug || String(a.index);
}

// ---------------------------------------------------------------------------------------------
// Default constitution

export const DEFAULT_CONSTITUTION_VERSION = "1.0.0";

interface DefaultArticle {
  number: string;
  title: string;
  severity: Severity;
  gate: string;
  body: string;
}

/** The nine articles, after Spec Kit's spec-driven.md (I, II, III, VII, VIII, IX) plus Security, Observability, Versioning. */
export const DEFAULT_ARTICLES: readonly DefaultArticle[] = [
  {
    number: "I",
    title: "Library-First",
    severity: "warning",
    gate: "Is new functionality placed in a self-contained module with a clear purpose and its own tests?",
    body: "Every feature begins as a self-contained module (library, package or clearly bounded directory) with a single purpose, a public interface and its own tests. Application code composes these modules; it MUST NOT bury reusable logic inside entry points, handlers or UI components. Organisational-only modules without a purpose are not allowed.",
  },
  {
    number: "II",
    title: "Interface Contracts",
    severity: "warning",
    gate: "Are new public functions, endpoints or commands typed and documented with their inputs, outputs and errors?",
    body: "Every module exposes its behaviour through an explicit, typed interface (function signatures, HTTP/CLI contracts, schemas). Inputs are validated at the boundary; errors are returned or raised with a message that says what is wrong and what to do. Text in / text out (CLI, JSON) is preferred where it makes behaviour observable and scriptable.",
  },
  {
    number: "III",
    title: "Test-First (NON-NEGOTIABLE)",
    severity: "blocking",
    gate: "Does every behaviour change come with tests that failed before the change and pass after it, and does the project's own test command pass?",
    body: "Tests MUST be written before or together with the implementation: write the test, see it fail, implement, see it pass (Red-Green-Refactor). Every task that changes behaviour MUST add or update tests that exercise that behaviour. A test that proves an acceptance criterion MUST name the criterion's id (US1-AS1, FR-001) in its title. Tests MUST NOT be deleted, skipped or weakened to make a change pass. The project's own lint, typecheck and test commands MUST pass before a change is proposed.",
  },
  {
    number: "IV",
    title: "Security",
    severity: "blocking",
    gate: "Is the change free of committed secrets, unvalidated external input, injection paths (shell, SQL, path traversal) and new unreviewed dependencies?",
    body: "Secrets MUST NOT appear in source, tests, logs, commits or command lines; they come from the environment or a secret store. All external input MUST be validated at the boundary. Commands MUST be run as argument arrays, never as string-built shell commands; queries MUST be parameterised; file paths from input MUST be confined to their intended directory. New dependencies MUST be well-known, maintained, and justified in the plan.",
  },
  {
    number: "V",
    title: "Observability",
    severity: "warning",
    gate: "Can a person tell from logs and errors what the new code did and why it failed?",
    body: "Behaviour is observable: structured logs at boundaries, errors that name the failing input and the next step, and no silent failures (no empty catch blocks). Logs MUST NOT contain secrets or personal data.",
  },
  {
    number: "VI",
    title: "Versioning & Breaking Changes",
    severity: "warning",
    gate: "Does the change keep existing public interfaces working, or document and version the break?",
    body: "Public interfaces follow semantic versioning. A breaking change to a public API, file format or CLI requires a MAJOR version step, a migration note and, where practical, a deprecation period. Data migrations are reversible or explicitly documented as one-way.",
  },
  {
    number: "VII",
    title: "Simplicity",
    severity: "warning",
    gate: "Is this the simplest design that satisfies the spec (no speculative features, no more than three new top-level modules without justification)?",
    body: "Start simple and apply YAGNI: build only what the specification asks for. A feature uses at most three new top-level projects or modules unless the plan's Complexity Tracking table justifies more. Prefer deleting code to adding configuration.",
  },
  {
    number: "VIII",
    title: "Anti-Abstraction",
    severity: "warning",
    gate: "Does the change use the framework and libraries directly instead of wrapping them in new layers without need?",
    body: "Use frameworks and libraries directly rather than wrapping them. A single representation per concept: no parallel models, no abstraction layer introduced for one implementation. Every new indirection MUST be justified in the plan's Complexity Tracking table.",
  },
  {
    number: "IX",
    title: "Integration Testing",
    severity: "blocking",
    gate: "Are contracts, inter-module communication and external integrations covered by tests against real or realistic dependencies?",
    body: "Prefer realistic environments: real databases, real processes and real HTTP servers on loopback over mocks. Contract tests MUST exist for every new or changed external interface (API, CLI, file format, schema) and MUST be written before the implementation. Integration tests cover inter-service communication and shared schemas.",
  },
];

export interface DefaultConstitutionOptions {
  projectName?: string;
  /** ISO date (YYYY-MM-DD) for Ratified / Last Amended; default today (UTC). */
  date?: string;
}

/** The default constitution as Markdown in Spec Kit's layout (title, Core Principles, Governance, version line). */
export function renderDefaultConstitution(opts: DefaultConstitutionOptions = {}): string {
  const project = (opts.projectName ?? "Project").replace(/[\r\n#]/g, " ").trim() || "Project";
  const date = opts.date ?? new Date().toISOString().slice(0, 10);
  const articles = DEFAULT_ARTICLES.map((a) => `### ${a.number}. ${a.title}\n\n**Severity**: ${a.severity}\n\n${a.body}\n\n**Gate**: ${a.gate}\n`).join("\n");
  return `<!--
Sync Impact Report
- Version change: (none) -> ${DEFAULT_CONSTITUTION_VERSION}
- Added sections: Core Principles I-IX, Quality Gates, Governance
- Source: DevGodzilla default constitution (onboard). Amend with /speckit.constitution.
-->

# ${project} Constitution

## Core Principles

Each article carries a **Severity**: \`blocking\` articles fail the quality gate when violated;
\`warning\` articles are reported but do not block. The **Gate** line is the question a reviewer
(human or DevGodzilla QA) answers for every change.

${articles}
## Quality Gates

- The project's own lint, typecheck and test commands MUST pass on the change.
- Every requirement in spec.md maps to at least one task in tasks.md, and every task to a requirement.
- Violations of warning articles are listed in the QA report; violations of blocking articles fail it
  unless the plan's Complexity Tracking table justifies them and a reviewer accepts the justification.

## Governance

This constitution supersedes other development practices for work planned with Spec Kit. Amendments
are made with /speckit.constitution, recorded in the Sync Impact Report, and versioned semantically:
MAJOR when an article is removed or redefined, MINOR when an article or section is added, PATCH for
wording. Compliance is checked when planning (Constitution Check) and at review.

**Version**: ${DEFAULT_CONSTITUTION_VERSION} | **Ratified**: ${date} | **Last Amended**: ${date}
`;
}

// ---------------------------------------------------------------------------------------------
// Parser

const ROMAN = /^(M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3}))$/;

export function romanToInt(s: string): number | null {
  if (!s || !ROMAN.test(s)) return null;
  const v: Record<string, number> = { I: 1, V: 5, X: 10, L: 50, C: 100, D: 500, M: 1000 };
  let total = 0;
  for (let i = 0; i < s.length; i++) {
    const cur = v[s[i]!]!;
    const next = v[s[i + 1] ?? ""] ?? 0;
    total += cur < next ? -cur : cur;
  }
  return total;
}

const NUMBERED_HEADING =
  /^(?:(?:Article|Principle|Art\.|Artikel|Artículo|Artigo|Principio|Princípio|Principe|Prinzip|Grundsatz|Принцип|Статья)\s+)?([IVXLCDM]+|\d+|[一二三四五六七八九十百]+)\s*[.:)\-–—、．：]\s*(.+)$/i;
/** "Principle 3: …", "Article V — …": a heading that calls itself a principle, at any level or numbering. */
const SELF_NAMED = /^(?:Article|Principle|Art\.|Artikel|Artículo|Artigo|Principio|Princípio|Principe|Prinzip|Grundsatz|Принцип|Статья)\s+\S+\s*[.:)\-–—]/i;
const PRINCIPLES_SECTION = /principles|articles|原則|原则|准则|원칙|principios|princípios|principes|principi|prinzipien|grundsätze|принцип/i;
/** A paragraph that explains a principle rather than states it ("**Rationale**: …"). */
const RATIONALE =
  /^\s*(?:[-*]\s+)?(?:\*\*|__)?\s*(?:rationale|why|reason|because|justification|根拠|理由|原因|이유|근거|justificación|razón|justificativa|begründung|justification|обоснование)\s*(?:\*\*|__)?\s*[:：]/i;
const NON_NEGOTIABLE = /NON[-\s]?NEGOTIABLE|不可协商|交渉不可|타협\s*불가|innegociable|обязательн/i;

function field(text: string, name: string): string | null {
  // `**Version**: 2.1.0 | **Ratified**: …` or one per line; falls back to a plain `Version: x` line.
  const bold = new RegExp(`\\*\\*${name}\\*\\*\\s*:\\s*([^|\\n*]+)`, "i").exec(text);
  const plain = bold ?? new RegExp(`^\\s*${name}\\s*:\\s*([^|\\n*]+)`, "im").exec(text);
  return plain ? plain[1]!.trim() || null : null;
}

function stripComments(md: string): string {
  return md.replace(/<!--[\s\S]*?-->/g, (c) => c.replace(/[^\n]/g, ""));
}

/** Sentences and list items of a principle's body; rationale paragraphs and the Severity/Gate lines are left out. */
function statementsOf(body: string): string[] {
  const kept = body
    .split(/\n{2,}/)
    .filter((para) => !RATIONALE.test(para))
    .join("\n\n")
    .split("\n")
    .filter((l) => !RATIONALE.test(l) && !/\*\*(Severity|Gate)\*\*\s*:/i.test(l))
    .join("\n");
  return kept
    .split(/(?<=[.!?。！？])\s+|\n\s*(?:[-*+]|\d+[.)])\s+|\n{2,}|\n(?=\s*(?:[-*+]|\d+[.)])\s)/)
    .map((s) =>
      s
        .replace(/\s+/g, " ")
        .replace(/^(?:[-*+]|\d+[.)])\s+/, "")
        .replace(/\*\*/g, "")
        .trim(),
    )
    .filter((s) => s.length > 2 && !/^[-=*_#]+$/.test(s));
}

/**
 * A constitution whose principles are neither numbered nor under a heading the parser knows
 * ("## Grundwerte", "## 我们的约定"): the `###` headings of the first `##` section that has any,
 * as Spec Kit's template puts its principles first.
 */
function firstSectionPrinciples(lines: string[]): ConstitutionArticle[] {
  const h2 = lines.map((l, i) => (/^##\s+\S/.test(l) ? i : -1)).filter((i) => i >= 0);
  for (const start of h2) {
    const end = h2.find((i) => i > start) ?? lines.length;
    const heads = lines
      .slice(start + 1, end)
      .map((l, k) => ({ l, i: start + 1 + k }))
      .filter((x) => /^###\s+\S/.test(x.l));
    if (!heads.length) continue;
    const title = lines[start]!.replace(/^##\s+/, "");
    if (/governance|amendment|version/i.test(title)) continue;
    const sub = parseConstitution(`## Core Principles\n${lines.slice(start + 1, end).join("\n")}`).articles;
    return sub.map((a) => ({ ...a, line: a.line + start }));
  }
  return [];
}

/** Parses a Spec Kit constitution (ours or anyone's). Never throws on odd input; returns what it finds. */
export function parseConstitution(markdown: string): Constitution {
  const sync = /^\s*<!--([\s\S]*?)-->/.exec(markdown);
  const syncImpactReport = sync && /sync impact report/i.test(sync[1]!) ? sync[1]!.trim() : null;
  const text = stripComments(markdown.replace(/\r\n?/g, "\n"));
  const lines = text.split("\n");

  let title: string | null = null;
  const articles: ConstitutionArticle[] = [];
  const sections: { heading: string; body: string }[] = [];
  let currentH2: string | null = null;
  let h2Body: string[] = [];
  let art: { heading: string; number: string; title: string; line: number; level: number; body: string[] } | null = null;

  const flushArticle = () => {
    if (!art) return;
    const body = art.body.join("\n").trim();
    const explicit = /\*\*Severity\*\*\s*:\s*(blocking|warning)/i.exec(body)?.[1]?.toLowerCase() as Severity | undefined;
    const nonNegotiable = NON_NEGOTIABLE.test(art.heading) || NON_NEGOTIABLE.test(body.split("\n")[0] ?? "");
    const severity: Severity = explicit ?? (nonNegotiable ? "blocking" : "warning");
    const gate = /\*\*Gate\*\*\s*:\s*(.+)/i.exec(body)?.[1]?.trim() ?? null;
    const statements = statementsOf(body);
    const rules = statements.filter((s) => /\b(MUST|SHALL|REQUIRED)\b|必须|必須|해야|반드시|DEBE|ДОЛЖ/.test(s));
    articles.push({
      number: art.number,
      index: articles.length + 1,
      title: art.title.replace(/\s*[(（]\s*NON[-\s]?NEGOTIABLE\s*[)）]/i, "").trim(),
      heading: art.heading,
      severity,
      severitySource: explicit ? "explicit" : nonNegotiable ? "non-negotiable" : "default",
      nonNegotiable,
      gate,
      rules,
      statements,
      body,
      line: art.line,
    });
    art = null;
  };
  let h2IsArticle = false;
  const flushSection = () => {
    if (currentH2 !== null && !h2IsArticle && !PRINCIPLES_SECTION.test(currentH2)) sections.push({ heading: currentH2, body: h2Body.join("\n").trim() });
    h2Body = [];
  };

  lines.forEach((raw, i) => {
    const h = /^(#{1,6})\s+(.+?)\s*#*\s*$/.exec(raw);
    if (h) {
      const level = h[1]!.length;
      const heading = h[2]!;
      if (level === 1) {
        title ??= heading;
        return;
      }
      if (art && level <= art.level) flushArticle();
      if (level === 2) {
        flushSection();
        currentH2 = heading;
        h2IsArticle = false;
      }
      const numbered = NUMBERED_HEADING.exec(heading.replace(/\*\*/g, ""));
      const isRoman = numbered && romanToInt(numbered[1]!.toUpperCase()) !== null && numbered[1] === numbered[1]!.toUpperCase();
      const inPrinciples = currentH2 !== null && PRINCIPLES_SECTION.test(currentH2);
      if (level >= 2 && level <= 3 && numbered && (isRoman || (inPrinciples && level === 3) || SELF_NAMED.test(heading.replace(/\*\*/g, "")))) {
        art = { heading, number: numbered[1]!, title: numbered[2]!.trim(), line: i + 1, level, body: [] };
        if (level === 2) h2IsArticle = true;
        return;
      }
      if (level === 3 && inPrinciples && !art) {
        art = { heading, number: "", title: heading, line: i + 1, level, body: [] };
        return;
      }
    }
    if (art) art.body.push(raw);
    else h2Body.push(raw);
  });
  flushArticle();
  flushSection();
  if (!articles.length) articles.push(...firstSectionPrinciples(lines));

  const version = field(text, "Version");
  return {
    title,
    version: version && /\d/.test(version) ? version : null,
    ratified: field(text, "Ratified"),
    lastAmended: field(text, "Last Amended"),
    articles,
    sections,
    syncImpactReport,
  };
}
