// tasks.md → typed task DAG. Parses ANY Spec Kit tasks.md (ours or written by people, in any
// language) and derives dependencies from, strongest first:
//   explicit — inline `(depends on T012)`, `依赖 T013-T015`, sub-bullets `Dependencies: T001`,
//              task-to-task statements in a Dependencies section (`T016 blocks T017–T018`, `T001 → T002`);
//   prose    — phase/story statements in a Dependencies section (`Phase 4 depends on T014`, `US1 → Phase 2 に依存`);
//   phase    — Spec Kit's phase order (Setup → Foundational → stories in parallel → Polish);
//   order    — within a phase, sequential tasks run in order and a run of [P] tasks runs together;
//   file     — tasks touching the same file (or a file inside a directory another task touches) are serialised.
// When most tasks state their own dependencies (even "none"), those statements replace the
// phase/order edges for them; otherwise explicit edges add to Spec Kit's ordering.
// Only explicit edges can make a cycle an error (named: T003 → T007 → T003); weaker edges that
// would close a cycle are dropped with a warning. The final edge set is transitively reduced.

import { z } from "zod";
import { DevGodzillaError, InputError } from "../errors.ts";
import { mdCell } from "../markdown.ts";

// ---------------------------------------------------------------------------------------------
// Exported types

export const EdgeKindSchema = z.enum(["explicit", "prose", "phase", "order", "file"]);
export type EdgeKind = z.infer<typeof EdgeKindSchema>;

export const PhaseKindSchema = z.enum(["setup", "foundational", "story", "polish", "other"]);
export type PhaseKind = z.infer<typeof PhaseKindSchema>;

export const TaskSchema = z.object({
  id: z.string(),
  description: z.string(),
  done: z.boolean(),
  parallel: z.boolean(),
  /** First story label (US1), or null. */
  story: z.string().nullable(),
  /** All story labels ([US2][US3] → ["US2", "US3"]). */
  stories: z.array(z.string()),
  /** Other bracket labels: [Setup], [Core], [Architect], [conditional]… */
  labels: z.array(z.string()),
  /** Index into `phases`. */
  phase: z.number().int().nonnegative(),
  /** File and directory paths the task names (directories end with "/"). */
  files: z.array(z.string()),
  /** Direct dependencies after transitive reduction. */
  dependsOn: z.array(z.string()),
  /** Estimated weight for the critical path (default 1). */
  weight: z.number().nonnegative(),
  /** True when the task states its own dependencies (authoritative when most tasks do). */
  explicitDeps: z.boolean(),
  /** 1-based line of the task. */
  line: z.number().int().positive(),
  /** Indented continuation lines (sub-bullets, wrapped text, code). */
  body: z.string(),
});
export type Task = z.infer<typeof TaskSchema>;

export const PhaseSchema = z.object({
  index: z.number().int().nonnegative(),
  /** "3", "3.1", or null for a heading without a number. */
  number: z.string().nullable(),
  title: z.string(),
  heading: z.string(),
  kind: PhaseKindSchema,
  stories: z.array(z.string()),
  tasks: z.array(z.string()),
  line: z.number().int().nonnegative(),
});
export type Phase = z.infer<typeof PhaseSchema>;

export const EdgeSchema = z.object({
  /** The dependency (runs first). */
  from: z.string(),
  /** The dependent (runs after `from`). */
  to: z.string(),
  kind: EdgeKindSchema,
  reason: z.string(),
});
export type Edge = z.infer<typeof EdgeSchema>;

export const TaskDagSchema = z.object({
  title: z.string().nullable(),
  tasks: z.array(TaskSchema),
  phases: z.array(PhaseSchema),
  edges: z.array(EdgeSchema),
  /** Topological levels: every task's dependencies are in earlier levels. */
  levels: z.array(z.array(z.string())),
  criticalPath: z.object({ tasks: z.array(z.string()), weight: z.number() }),
  warnings: z.array(z.string()),
  stats: z.object({
    tasks: z.number(),
    done: z.number(),
    parallel: z.number(),
    phases: z.number(),
    edges: z.number(),
    edgesBeforeReduction: z.number(),
    maxWidth: z.number(),
  }),
});
export type TaskDag = z.infer<typeof TaskDagSchema>;

export interface ParseOptions {
  /** Estimated weights by task id (default 1; `(est: 3h)` / `[~2h]` in a task line also counts). */
  weights?: Record<string, number>;
  /** Serialise tasks touching the same file (default true). */
  sameFileSerialization?: boolean;
  /**
   * How user-story phases relate: "auto" (default) runs them in parallel after a Foundational
   * phase as Spec Kit describes, and in document order when there is no Foundational phase;
   * "parallel" / "sequential" force one or the other.
   */
  storyOrder?: "auto" | "parallel" | "sequential";
}

/** A dependency cycle among explicit dependencies. `cycle` starts and ends with the same id. */
export class TaskCycleError extends DevGodzillaError {
  readonly cycle: string[];
  constructor(cycle: string[], reasons: string[]) {
    super(`tasks.md has a dependency cycle: ${cycle.join(" → ")} (→ means "depends on"; ${reasons.join("; ")})`, {
      hint: "remove one of these dependencies or reorder the tasks",
    });
    this.cycle = cycle;
  }
}

// ---------------------------------------------------------------------------------------------
// Task line format (parse + write)

/** One task line's fields, as written by formatTaskLine and read by parseTaskLine. */
export interface TaskLine {
  id: string;
  done: boolean;
  parallel: boolean;
  stories: string[];
  labels: string[];
  description: string;
}

const TASK_LINE = /^(\s*)(?:[-*+]|\d+[.)])\s+\[([ xX✓✔])\]\s+(?:\*\*)?(T-?\d+[a-z]?)(?:\*\*)?(?=[\s:.\]\[)]|$)[:.]?\s*(.*)$/;
/** Files without any checkbox (`- T001 [P] …`): only used when no checkbox task exists at all. */
const BARE_TASK_LINE = /^(\s*)[-*+]\s+(?:\*\*)?(T\d+[a-z]?)(?:\*\*)?(?![\w,–\-～~])[:.]?\s+(?!(?:and|or|to|和|と)\s)(.*)$/;
const TASK_ID_RE = /^T\d+[a-z]?$/;

/** `- [ ] T012 [P] [US1] Create User model in src/models/user.py` (Spec Kit's exact format). */
export function formatTaskLine(t: TaskLine): string {
  if (!TASK_ID_RE.test(t.id)) throw new InputError("id", `'${t.id}' is not a task id like T001`);
  if (/[\r\n]/.test(t.description)) throw new InputError("description", `task ${t.id} description must be one line`);
  const parts = [`- [${t.done ? "X" : " "}]`, t.id];
  if (t.parallel) parts.push("[P]");
  for (const l of t.labels) parts.push(`[${l}]`);
  for (const s of t.stories) parts.push(`[${s}]`);
  parts.push(t.description.trim());
  return parts.join(" ");
}

/** Parses one task line (null when the line is not a task). */
export function parseTaskLine(line: string, bare = false): TaskLine | null {
  const b = bare ? BARE_TASK_LINE.exec(line) : null;
  const m = bare ? (b ? [b[0], b[1], " ", b[2], b[3]] : null) : TASK_LINE.exec(line);
  if (!m) return null;
  let rest = m[4]!.trim();
  let parallel = false;
  const stories: string[] = [];
  const labels: string[] = [];
  // Leading bracket labels, possibly adjacent ([US2][US3]) or bold-wrapped.
  for (;;) {
    const b = /^\*{0,2}\[([^\]\n]{1,40})\]\*{0,2}\s*/.exec(rest);
    if (!b) break;
    const label = b[1]!.trim();
    if (/^P$/i.test(label)) parallel = true;
    else if (/^US\s?\d+$/i.test(label)) stories.push(label.replace(/\s/g, "").toUpperCase());
    else if (/^(?:US\d+\s*[,/&]\s*)+US\d+$/i.test(label)) stories.push(...label.split(/[\s,/&]+/).map((s) => s.toUpperCase()));
    else labels.push(label);
    rest = rest.slice(b[0].length);
  }
  // Older templates put [P] at the end of the line.
  const tail = /\s*\[P\]\s*$/.exec(rest);
  if (tail) {
    parallel = true;
    rest = rest.slice(0, tail.index);
  }
  return { id: m[3]!.replace("-", ""), done: m[2] !== " ", parallel, stories, labels, description: rest.trim() };
}

/** Sets the checkbox of the given task ids, leaving every other byte of tasks.md unchanged. */
export function setTasksDone(markdown: string, ids: Iterable<string>, done = true): string {
  const want = new Set(ids);
  return markdown
    .split("\n")
    .map((line) => {
      const m = TASK_LINE.exec(line);
      if (!m || !want.has(m[3]!.replace("-", ""))) return line;
      return line.replace(/\[([ xX✓✔])\]/, done ? "[X]" : "[ ]");
    })
    .join("\n");
}

export interface TasksDocument {
  title: string;
  phases: { heading: string; purpose?: string; tasks: TaskLine[] }[];
  /** Extra markdown appended after the phases (e.g. a Dependencies section). */
  footer?: string;
}

/** Renders a complete tasks.md in Spec Kit's layout; parseTasksMd(renderTasksMd(doc)) round-trips. */
export function renderTasksMd(doc: TasksDocument): string {
  const out = [`# Tasks: ${doc.title}`, "", "## Format: `[ID] [P?] [Story] Description`", "",
    "- **[P]**: Can run in parallel (different files, no dependencies)",
    "- **[Story]**: Which user story this task belongs to (e.g., US1, US2, US3)",
    "- Include exact file paths in descriptions", ""];
  for (const p of doc.phases) {
    out.push(`## ${p.heading}`, "");
    if (p.purpose) out.push(`**Purpose**: ${p.purpose}`, "");
    for (const t of p.tasks) out.push(formatTaskLine(t));
    out.push("", "---", "");
  }
  if (doc.footer) out.push(doc.footer.trim(), "");
  return out.join("\n");
}

// ---------------------------------------------------------------------------------------------
// Document scan

const PHASE_WORD = "(?:Phase|Fase|Etapa|Stage|Этап|Фаза|阶段|階段|フェーズ|단계|Phase\\s+de)";
const PHASE_HEADING = new RegExp(`^${PHASE_WORD}\\s*([0-9]+(?:\\.[0-9]+)*)\\s*[:：.\\-–—)]?\\s*(.*)$`, "i");
const DEP_SECTION = /depend|依赖|依存|의존|зависим|execution order|実行順|orden de ejecuci|ordem de execu/i;

const KIND_PATTERNS: [PhaseKind, RegExp][] = [
  ["setup", /set\s?up|セットアップ|设置|設置|初始化|설정|configuraci|preparaci|настройк|подготовк|initiali[sz]/i],
  ["foundational", /foundation|基盤|基础|基礎|기반|기초|fundament|основ|blocking prereq|前置/i],
  ["polish", /polish|cross[- ]cutting|仕上げ|横断|ポーランド|润色|完善|打磨|마무리|pulido|финал|полиров/i],
  ["story", /user stor|\bUS\s?\d|ユーザーストーリー|用户故事|사용자 스토리|historia de usuario|пользовательск|\bstory\b/i],
];

interface RawTask extends TaskLine {
  line: number;
  phase: number;
  body: string[];
  indent: number;
}

interface Statement {
  text: string;
  line: number;
}

interface Scan {
  title: string | null;
  phases: Phase[];
  tasks: RawTask[];
  /** Lines from Dependencies sections (and dependency-looking lines before the first phase). */
  prose: Statement[];
  warnings: string[];
}

function scan(markdown: string, bare = false): Scan {
  const lines = markdown.replace(/\r\n?/g, "\n").split("\n");
  const usePhaseWords = lines.some((l) => {
    const h = /^#{2,4}\s+(.+?)\s*$/.exec(l);
    return h ? PHASE_HEADING.test(h[1]!.replace(/[*_]/g, "").trim()) : false;
  });
  const phases: Phase[] = [];
  const tasks: RawTask[] = [];
  const prose: Statement[] = [];
  const warnings: string[] = [];
  let title: string | null = null;
  let currentPhase = -1;
  let depSectionLevel = 0; // >0 while inside a Dependencies section of that heading level
  let inFence = false;
  let current: RawTask | null = null;
  let seenPhase = false;
  let phaseLevel = 0; // heading level of the open phase (0 = none open)

  const ensurePreamblePhase = () => {
    if (currentPhase === -1) {
      phases.push({ index: 0, number: null, title: "(no phase)", heading: "", kind: "other", stories: [], tasks: [], line: 0 });
      currentPhase = 0;
    }
  };

  lines.forEach((raw, i) => {
    const lineNo = i + 1;
    if (/^\s*(```|~~~)/.test(raw)) {
      inFence = !inFence;
      if (current && /^\s+/.test(raw)) current.body.push(raw);
      return;
    }
    if (inFence) {
      if (current && (raw.trim() === "" || /^\s/.test(raw))) current.body.push(raw);
      else if (depSectionLevel) prose.push({ text: raw, line: lineNo });
      return;
    }
    const h = /^(#{1,6})\s+(.+?)\s*#*\s*$/.exec(raw);
    if (h) {
      current = null;
      const level = h[1]!.length;
      const text = h[2]!.replace(/\*\*/g, "").trim();
      if (level === 1) {
        title ??= text.replace(/^(Tasks|任务|タスク(リスト)?|Tareas|Задачи|작업)\s*[:：]\s*/i, "").trim();
        return;
      }
      if (depSectionLevel && level <= depSectionLevel) depSectionLevel = 0;
      const pm = PHASE_HEADING.exec(text);
      const isPhase = usePhaseWords ? !!pm && level <= 4 : level === 2 && !DEP_SECTION.test(text);
      if (isPhase) {
        seenPhase = true;
        phaseLevel = level;
        const titleText = pm ? pm[2]!.trim() : text;
        phases.push({ index: phases.length, number: pm ? pm[1]! : null, title: titleText, heading: text, kind: "other", stories: [], tasks: [], line: lineNo });
        currentPhase = phases.length - 1;
        return;
      }
      // A "dependencies" heading nested inside a phase ("### 配置和依赖" = config & Maven
      // dependencies) is part of that phase, not a Dependencies section.
      if (level <= phaseLevel) phaseLevel = 0;
      if (!depSectionLevel && DEP_SECTION.test(text) && !pm && phaseLevel === 0) depSectionLevel = level;
      return;
    }
    const t = parseTaskLine(raw, bare);
    if (t && !depSectionLevel) {
      ensurePreamblePhase();
      const indent = /^\s*/.exec(raw)![0].length;
      current = { ...t, line: lineNo, phase: currentPhase, body: [], indent };
      tasks.push(current);
      phases[currentPhase]!.tasks.push(t.id);
      return;
    }
    if (/^\s*[-*+]\s+\[[ xX]\]\s+TX+\b/.test(raw)) {
      warnings.push(`line ${lineNo}: placeholder task id TXXX ignored`);
      return;
    }
    if (current) {
      const indent = /^\s*/.exec(raw)![0].length;
      if (raw.trim() === "" || indent > current.indent) {
        current.body.push(raw);
        return;
      }
      current = null;
    }
    if (depSectionLevel) prose.push({ text: raw, line: lineNo });
    else if (!seenPhase && (DEP_KEYWORD_ANY.test(raw) || /→|->|←/.test(raw))) prose.push({ text: raw, line: lineNo });
  });

  // Phase kinds: title keywords first; otherwise a story phase when most tasks carry story labels.
  const byId = new Map(tasks.map((t) => [t.id, t]));
  for (const p of phases) {
    const kind = KIND_PATTERNS.find(([, re]) => re.test(p.title))?.[0];
    const labelled = p.tasks.filter((id) => byId.get(id)!.stories.length > 0).length;
    p.kind = kind ?? (p.tasks.length > 0 && labelled * 2 > p.tasks.length ? "story" : "other");
    const stories = new Set<string>();
    for (const id of p.tasks) for (const s of byId.get(id)!.stories) stories.add(s);
    for (const m of p.title.matchAll(/\bUS\s?(\d+)/gi)) stories.add(`US${m[1]}`);
    const us = /(?:User Story|ユーザーストーリー|用户故事|사용자 스토리|Historia de usuario)\s*(\d+)/i.exec(p.title);
    if (us) stories.add(`US${us[1]}`);
    p.stories = [...stories].sort((a, b) => Number(a.slice(2)) - Number(b.slice(2)));
  }
  return { title, phases, tasks, prose, warnings };
}

// ---------------------------------------------------------------------------------------------
// File paths named by a task

const FILE_EXT =
  "ts|tsx|js|jsx|mjs|cjs|py|pyi|rs|go|java|kt|kts|cs|csproj|sln|props|razor|cshtml|svelte|vue|md|mdx|json|jsonc|ya?ml|toml|" +
  "css|scss|sass|less|html?|sql|sh|bash|ps1|rb|php|swift|c|h|cc|cpp|hpp|m|mm|gradle|xml|lock|txt|cfg|ini|env|proto|graphql|gql|" +
  "ex|exs|dart|lua|r|jl|scala|tf|hcl|ipynb|uss|uxml|asmdef|asset|prefab|unity|shader|hlsl|mod|sum|dockerfile|conf|pem|csv|svg|png";
const BARE_FILE = new RegExp(`^[\\w@.\\-]+\\.(?:${FILE_EXT})$`, "i");
const SPECIAL_FILES = /^(Dockerfile|Makefile|Justfile|Procfile|Gemfile|Rakefile|Jenkinsfile|LICENSE|NOTICE|CODEOWNERS)$/;
const PATH_TOKEN = /(?:^|[\s(（「『"'])((?:\.{0,2}\/)?(?:[\w@.\-$*{}]+\/)+[\w@.\-$*{}]*)/g;

function normPath(p: string): string | null {
  let s = p.trim().replace(/^["'(]+|["'),.;:!?。、，；：）」』]+$/g, "");
  s = s.replace(/^\.\//, "");
  if (!s || /^[a-z]+:\/\//i.test(s) || s.startsWith("//") || /\s/.test(s)) return null;
  if (s.includes("..")) return null;
  s = s.replace(/\/\*+(\.\w+)?$/, "/").replace(/^\//, "");
  if (!s || s === "/") return null;
  return s;
}

function isPathLike(s: string): boolean {
  if (/^@[\w.-]+\/[\w.-]+$/.test(s) && !BARE_FILE.test(s.split("/")[1]!)) return false; // an npm scope, not a path
  if (s.includes("/")) return /[A-Za-z0-9]/.test(s) && !/^\d+(\/\d+)+$/.test(s) && !/[<>=|&;(){}`$]/.test(s.replace(/\$lib|\{[\w-]+\}/g, ""));
  return BARE_FILE.test(s) || SPECIAL_FILES.test(s);
}

/** Paths in a task's text: backticked path-like tokens (bare file names allowed) and slash paths in prose. */
export function extractFiles(text: string): string[] {
  const out = new Set<string>();
  const prose = text.replace(/`([^`\n]+)`/g, (_, code: string) => {
    const c = code.trim();
    // `/auth/callback` is an HTTP route, not a file; an absolute file path keeps its extension.
    const route = c.startsWith("/") && !BARE_FILE.test(c.split("/").pop() ?? "");
    if (!route && !/\s/.test(c) && isPathLike(c)) {
      const n = normPath(c);
      if (n) out.add(n);
    }
    return " ";
  });
  // Outside backticks only unmistakable paths count: a file with an extension, or a directory
  // ending in "/" ("CI/AppHost" or "mobile/touch" are prose).
  for (const m of prose.matchAll(PATH_TOKEN)) {
    const n = normPath(m[1]!);
    if (!n || !isPathLike(n) || n.split("/").filter(Boolean).length < 2) continue;
    const last = n.split("/").filter(Boolean).pop()!;
    if (n.endsWith("/") || BARE_FILE.test(last) || SPECIAL_FILES.test(last)) out.add(n);
  }
  // `commands/agents.rs` next to `crates/x/src/commands/agents.rs` names the same file once.
  const all = [...out];
  return all.filter((p) => !all.some((q) => q !== p && q.endsWith(`/${p}`)));
}

function pathsConflict(a: string, b: string): boolean {
  if (a === b) return true;
  // A partial path (`commands/report.rs`) names the same file as `crates/x/commands/report.rs`.
  if ((a.includes("/") && b.endsWith(`/${a}`)) || (b.includes("/") && a.endsWith(`/${b}`))) return true;
  if (a.endsWith("/") && b.startsWith(a)) return true;
  if (b.endsWith("/") && a.startsWith(b)) return true;
  return false;
}

// ---------------------------------------------------------------------------------------------
// References (task ids, ranges, phases, stories) and dependency phrases

type Ref = { kind: "task" | "phase" | "story"; ids: string[]; pos: number; end: number };

const RANGE_SEP = "\\s*(?:-|–|—|～|~|〜|\\.\\.|to|a|до|至|到)\\s*";
const TASK_REF = new RegExp(`\\bT(\\d+)([a-z]?)(?:${RANGE_SEP}T?(\\d+)([a-z]?))?(?![\\w])`, "g");
const PHASE_REF = new RegExp(`${PHASE_WORD}\\s*(\\d+(?:\\.\\d+)*)(?:${RANGE_SEP}(\\d+(?:\\.\\d+)*))?(\\+)?`, "gi");
const STORY_REF = /\b(?:US|User Story\s*|ユーザーストーリー\s*|用户故事\s*|사용자 스토리\s*)(\d+)(?:\s*(?:-|–|～|~|〜)\s*(?:US)?(\d+))?/gi;

// Word boundaries that also work for Cyrillic/Latin-accented words (\b is ASCII-only).
const WB = "(?<![\\p{L}\\p{N}_])";
const WE = "(?![\\p{L}\\p{N}_])";
/** "depends on"-style keywords: subject KEYWORD objects. */
const PREFIX_KW = new RegExp(
  `${WB}(?:depends?\\s+(?:up)?on|dependent\\s+on|requires|needs|blocked\\s+by|waits?\\s+for|after|following|` +
    `depende(?:n)?\\s+de|despu[eé]s\\s+de|requiere|зависит\\s+от|зависят\\s+от|после|требует)${WE}` +
    `|${WB}(?:dependenc(?:y|ies)|deps|prerequisites?|depende\\s+de)\\s*[:：]|依赖于?|取决于|依存\\s*[:：]`,
  "iu",
);
/** Keywords written after their objects: objects KEYWORD (subject first). */
const POSTFIX_KW = /に依存|完了後|の後|完成后|之后|以后|에\s*의존|이후|완료\s*후/u;
/** Keywords where the subject runs FIRST: subject blocks objects. */
const REVERSE_KW = new RegExp(`${WB}(?:blocks|before|precedes|unblocks)${WE}|阻塞`, "iu");
const DEP_KEYWORD_ANY = new RegExp(`${PREFIX_KW.source}|${POSTFIX_KW.source}|${REVERSE_KW.source}`, "iu");
const CUT = new RegExp(`${WB}(?:because|since|so that|but|however|once|when|and blocks|then|porque|потому|но)${WE}|[.;。；]|，但|但|因为|ため|から|때문`, "iu");
const NONE_DEPS = /(?:dependenc(?:y|ies)|depends\s+on|deps|依赖|依存)\s*[:：]?\s*(?:none|n\/a|nothing|-|—|无|なし|없음|ninguna|нет)\b/i;

function mermaidLabels(text: string, labels: Map<string, string>): string {
  // `A[Phase 1: Setup] --> B[...]`: remember node labels, then replace bare node ids by their labels.
  for (const m of text.matchAll(/\b([A-Za-z]\w*)\s*[\[({]+([^\])}]+)[\])}]+/g)) labels.set(m[1]!, m[2]!);
  return text.replace(/(^|-->|---|==>|-\.->|;|\s)\s*([A-Za-z]\w*)(?=\s*(?:-->|---|==>|-\.->|;|$))/g, (all, pre: string, id: string) =>
    labels.has(id) ? `${pre} ${labels.get(id)}` : all,
  );
}

class RefResolver {
  private readonly ids: string[];
  private readonly index: Map<string, number>;
  constructor(private readonly tasks: RawTask[], private readonly phases: Phase[]) {
    this.ids = tasks.map((t) => t.id);
    this.index = new Map(this.ids.map((id, i) => [id, i]));
  }
  position(id: string): number {
    return this.index.get(id) ?? -1;
  }
  private taskRange(a: number, as: string, b: number | null, bs: string): string[] {
    if (b === null) {
      const id = this.find(a, as);
      return id ? [id] : [];
    }
    const lo = Math.min(a, b);
    const hi = Math.max(a, b);
    return this.tasks.filter((t) => {
      const m = /^T(\d+)([a-z]?)$/.exec(t.id);
      if (!m) return false;
      const n = Number(m[1]);
      return n >= lo && n <= hi && !(n === hi && m[2] && !bs && n !== lo);
    }).map((t) => t.id);
  }
  private find(n: number, suffix: string): string | null {
    return this.tasks.find((t) => {
      const m = /^T(\d+)([a-z]?)$/.exec(t.id);
      return m && Number(m[1]) === n && m[2] === suffix;
    })?.id ?? null;
  }
  phaseTasks(num: string): string[] {
    const cands = this.phases.filter((p) => p.number === num || (p.number && Number(p.number) === Number(num)));
    return (cands.find((p) => p.tasks.length > 0) ?? cands[0])?.tasks.slice() ?? [];
  }
  /** Tasks labelled USn, plus unlabelled tasks of a phase whose heading names USn. */
  storyTasks(n: string): string[] {
    const us = `US${Number(n)}`;
    const phases = new Set(this.phases.filter((p) => p.stories.includes(us)).map((p) => p.index));
    return this.tasks.filter((t) => t.stories.includes(us) || (t.stories.length === 0 && phases.has(t.phase))).map((t) => t.id);
  }
  refs(text: string): Ref[] {
    const out: Ref[] = [];
    const taken: [number, number][] = [];
    const free = (s: number, e: number) => !taken.some(([a, b]) => s < b && e > a);
    for (const m of text.matchAll(PHASE_REF)) {
      const a = Number(m[1]);
      const b = m[2] ? Number(m[2]) : m[3] ? Infinity : a;
      const ids: string[] = [];
      if (m[2] || m[3]) {
        for (const p of this.phases) if (p.number && Number(p.number) >= a && Number(p.number) <= b) ids.push(...p.tasks);
      } else ids.push(...this.phaseTasks(m[1]!));
      out.push({ kind: "phase", ids, pos: m.index!, end: m.index! + m[0].length });
      taken.push([m.index!, m.index! + m[0].length]);
    }
    for (const m of text.matchAll(STORY_REF)) {
      if (!free(m.index!, m.index! + m[0].length)) continue;
      const a = Number(m[1]);
      const b = m[2] ? Number(m[2]) : a;
      const ids: string[] = [];
      for (let n = Math.min(a, b); n <= Math.max(a, b); n++) ids.push(...this.storyTasks(String(n)));
      out.push({ kind: "story", ids, pos: m.index!, end: m.index! + m[0].length });
      taken.push([m.index!, m.index! + m[0].length]);
    }
    for (const m of text.matchAll(TASK_REF)) {
      if (!free(m.index!, m.index! + m[0].length)) continue;
      const ids = this.taskRange(Number(m[1]), m[2] ?? "", m[3] ? Number(m[3]) : null, m[4] ?? "");
      if (ids.length) out.push({ kind: "task", ids, pos: m.index!, end: m.index! + m[0].length });
    }
    return out.sort((x, y) => x.pos - y.pos);
  }
}

interface Relation {
  /** Dependents. */
  subjects: Ref[];
  /** Dependencies. */
  objects: Ref[];
}

function firstMatch(re: RegExp, text: string): { index: number; end: number } | null {
  const m = re.exec(text);
  return m ? { index: m.index, end: m.index + m[0].length } : null;
}

/** Leading refs joined only by list separators ("T014、T015", "T004, T005 and T007"). */
function leadingGroup(refs: Ref[], text: string): Ref[] {
  if (!refs.length) return [];
  const group = [refs[0]!];
  for (let i = 1; i < refs.length; i++) {
    const between = text.slice(refs[i - 1]!.end, refs[i]!.pos);
    if (/^[\s,、，/&+]*(?:and|und|y|et|и|と|和|及|,)?[\s,、，/&+]*$/i.test(between)) group.push(refs[i]!);
    else break;
  }
  return group;
}

/** Interprets one prose statement (or task-body line with an implicit subject). */
function relationOf(text: string, resolver: RefResolver, implicitSubject?: Ref): Relation | null {
  const refs = resolver.refs(text);
  const prefix = firstMatch(PREFIX_KW, text);
  const postfix = firstMatch(POSTFIX_KW, text);
  const reverse = firstMatch(REVERSE_KW, text);
  const cutAfter = (from: number) => {
    const c = firstMatch(CUT, text.slice(from));
    return c ? from + c.index : text.length;
  };
  const kw = [prefix && { ...prefix, t: "prefix" as const }, postfix && { ...postfix, t: "postfix" as const }, reverse && { ...reverse, t: "reverse" as const }]
    .filter((x): x is NonNullable<typeof x> => !!x)
    .sort((a, b) => a.index - b.index)[0];

  if (kw) {
    if (kw.t === "postfix") {
      const before = refs.filter((r) => r.end <= kw.index);
      if (implicitSubject) return { subjects: [implicitSubject], objects: before };
      const subj = leadingGroup(before, text);
      return { subjects: subj, objects: before.filter((r) => !subj.includes(r)) };
    }
    const end = cutAfter(kw.end);
    const after = refs.filter((r) => r.pos >= kw.end && r.end <= end);
    const before = implicitSubject ? [implicitSubject] : refs.filter((r) => r.end <= kw.index);
    if (kw.t === "reverse") return { subjects: after, objects: before };
    return { subjects: before, objects: after };
  }
  if (implicitSubject) return null;
  // Arrow chains: "A → B → C" (B after A) or "A ← B" (A after B).
  if (/←|<-/.test(text)) {
    const segs = text.split(/←|<-+/);
    const segRefs = segs.map((s) => resolver.refs(s));
    if (segRefs.length >= 2 && segRefs[0]!.length && segRefs[1]!.length) return { subjects: segRefs[0]!, objects: segRefs.slice(1).flat() };
    return null;
  }
  return null;
}

function arrowChain(text: string, resolver: RefResolver): Relation[] {
  const segs = text.split(/\s*(?:→|⟶|->|-->|==>|⇒|=>)\s*/);
  if (segs.length < 2) return [];
  const refsPer = segs.map((s) => resolver.refs(s)).filter((r) => r.length > 0);
  if (refsPer.length < 2) return [];
  const minPos = (rs: Ref[]) => Math.min(...rs.flatMap((r) => r.ids.map((id) => resolver.position(id))).filter((p) => p >= 0));
  // Orientation by document order: usually "A → B" means B after A; "US1 → Phase 2" (an earlier
  // phase) means US1 depends on Phase 2.
  const forward = minPos(refsPer[0]!) <= minPos(refsPer[refsPer.length - 1]!);
  const rels: Relation[] = [];
  for (let i = 0; i + 1 < refsPer.length; i++) {
    rels.push(forward ? { subjects: refsPer[i + 1]!, objects: refsPer[i]! } : { subjects: refsPer[i]!, objects: refsPer[i + 1]! });
  }
  return rels;
}

// ---------------------------------------------------------------------------------------------
// Graph

class Graph {
  /** dependent → dependency → edge */
  readonly deps = new Map<string, Map<string, Edge>>();
  constructor(ids: string[]) {
    for (const id of ids) this.deps.set(id, new Map());
  }
  /** True when `a` transitively depends on `b`. */
  dependsOn(a: string, b: string): boolean {
    if (a === b) return true;
    const seen = new Set<string>([a]);
    const stack = [a];
    while (stack.length) {
      const x = stack.pop()!;
      for (const d of this.deps.get(x)!.keys()) {
        if (d === b) return true;
        if (!seen.has(d)) {
          seen.add(d);
          stack.push(d);
        }
      }
    }
    return false;
  }
  add(e: Edge): void {
    if (e.from === e.to) return;
    const m = this.deps.get(e.to)!;
    if (!m.has(e.from)) m.set(e.from, e);
  }
  /** Adds unless it would close a cycle or is already implied; returns whether it was added. */
  addWeak(e: Edge, warnings?: string[]): boolean {
    if (e.from === e.to || this.deps.get(e.to)!.has(e.from)) return false;
    if (this.dependsOn(e.from, e.to)) {
      warnings?.push(`ignored ${e.kind} dependency ${e.to} after ${e.from} (${e.reason}): it contradicts stronger dependencies`);
      return false;
    }
    this.add(e);
    return true;
  }
  count(): number {
    let n = 0;
    for (const m of this.deps.values()) n += m.size;
    return n;
  }
  findCycle(order: string[]): string[] | null {
    const state = new Map<string, 0 | 1 | 2>();
    const stack: string[] = [];
    let found: string[] | null = null;
    const visit = (v: string): boolean => {
      state.set(v, 1);
      stack.push(v);
      for (const d of [...this.deps.get(v)!.keys()].sort((a, b) => order.indexOf(a) - order.indexOf(b))) {
        const s = state.get(d) ?? 0;
        if (s === 1) {
          found = [...stack.slice(stack.indexOf(d)), d];
          return true;
        }
        if (s === 0 && visit(d)) return true;
      }
      stack.pop();
      state.set(v, 2);
      return false;
    };
    for (const v of order) if ((state.get(v) ?? 0) === 0 && visit(v)) return found;
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Main entry

const WEIGHT_RE = /\((?:est(?:imate)?|weight|size)\s*[:=]?\s*(\d+(?:\.\d+)?)\s*(?:h|hours?|pts?|points?|d|days?)?\)|\[~\s*(\d+(?:\.\d+)?)\s*h\]/i;

/** Parses tasks.md into a TaskDag. Throws InputError (no tasks / duplicate ids) or TaskCycleError. */
export function parseTasksMd(markdown: string, opts: ParseOptions = {}): TaskDag {
  if (typeof markdown !== "string" || !markdown.trim()) throw new InputError("tasks_md", "tasks.md is empty");
  let sc = scan(markdown);
  if (sc.tasks.length === 0) {
    sc = scan(markdown, true);
    if (sc.tasks.length) sc.warnings.unshift("no checkbox task lines (`- [ ] T001 …`); read `- T001 …` lines as open tasks");
  }
  const warnings = [...sc.warnings];
  if (sc.tasks.length === 0) {
    throw new InputError("tasks_md", "no task lines found", "tasks look like `- [ ] T001 [P] [US1] Description with file path`");
  }
  const seen = new Map<string, number>();
  for (const t of sc.tasks) {
    if (seen.has(t.id)) throw new InputError("tasks_md", `task id ${t.id} appears twice (lines ${seen.get(t.id)} and ${t.line})`);
    seen.set(t.id, t.line);
  }
  const ids = sc.tasks.map((t) => t.id);
  const byId = new Map(sc.tasks.map((t) => [t.id, t]));
  const resolver = new RefResolver(sc.tasks, sc.phases);
  const g = new Graph(ids);
  const explicit = new Set<string>();

  const addRelation = (rel: Relation, kind: EdgeKind, reason: string, strong: boolean) => {
    let objects = rel.objects;
    if (objects.some((r) => r.kind === "task")) objects = objects.filter((r) => r.kind === "task"); // "T014 from US1"
    const subj = new Set(rel.subjects.flatMap((r) => r.ids));
    const obj = new Set(objects.flatMap((r) => r.ids));
    for (const s of subj) {
      for (const o of obj) {
        if (s === o || (subj.has(o) && obj.has(s))) continue;
        // Phase/story statements order phases; inside one phase the order rules decide.
        if (!strong && byId.get(s)!.phase === byId.get(o)!.phase) continue;
        const e: Edge = { from: o, to: s, kind, reason };
        if (strong) g.add(e);
        else g.addWeak(e, warnings);
      }
    }
  };

  // 1. Explicit per-task statements: the description and the task's own sub-lines.
  for (const t of sc.tasks) {
    const self: Ref = { kind: "task", ids: [t.id], pos: -1, end: -1 };
    const texts = [t.description, ...t.body.filter((l) => !/^\s*(```|~~~)/.test(l))];
    let inCode = false;
    for (const raw of texts) {
      if (/^\s*(```|~~~)/.test(raw)) inCode = !inCode;
      if (inCode) continue;
      if (NONE_DEPS.test(raw)) {
        explicit.add(t.id);
        continue;
      }
      // Only "depends on"-style phrases count inside a task; a bare mention of another id does not.
      const text = raw.replace(/`[^`]*`/g, " ");
      const rel = relationOf(text, resolver, self);
      if (!rel || rel.objects.length === 0) continue;
      const objs = rel.objects.filter((r) => r.kind === "task");
      if (!objs.length) continue;
      explicit.add(t.id);
      addRelation({ subjects: [self], objects: objs }, "explicit", `line ${t.line}: ${t.id} states it`, true);
    }
  }

  // 2. Dependencies-section prose. Task-to-task statements are explicit; phase/story ones are weaker.
  const mermaid = new Map<string, string>();
  const weakRelations: { rel: Relation; reason: string }[] = [];
  for (const st of sc.prose) {
    const text = mermaidLabels(st.text.replace(/`[^`]*`/g, (c) => (/T\d/.test(c) ? c.slice(1, -1) : " ")), mermaid);
    if (!/T\d|US\s?\d|\d/.test(text)) continue;
    const rels: Relation[] = [];
    const kwRel = DEP_KEYWORD_ANY.test(text) || /←|<-/.test(text) ? relationOf(text, resolver) : null;
    if (kwRel) rels.push(kwRel);
    else rels.push(...arrowChain(text, resolver));
    for (const rel of rels) {
      if (!rel.subjects.length || !rel.objects.length) continue;
      const reason = `line ${st.line}: ${st.text.trim().slice(0, 120)}`;
      const taskOnly = rel.subjects.every((r) => r.kind === "task") && rel.objects.every((r) => r.kind === "task");
      if (taskOnly) {
        for (const s of rel.subjects.flatMap((r) => r.ids)) explicit.add(s);
        addRelation(rel, "explicit", reason, true);
      } else weakRelations.push({ rel, reason });
    }
  }

  // Explicit edges decide cycles.
  const cycle = g.findCycle(ids);
  if (cycle) {
    const reasons: string[] = [];
    for (let i = 0; i + 1 < cycle.length; i++) reasons.push(g.deps.get(cycle[i]!)!.get(cycle[i + 1]!)!.reason);
    throw new TaskCycleError(cycle, [...new Set(reasons)]);
  }

  // When most tasks state their own dependencies (a `Dependencies:` line under every task, even
  // "none"), those lists are the author's whole intent: such tasks get no phase/order edges. When
  // only some do (an inline "(depends on T012)"), explicit edges add to Spec Kit's ordering.
  const authoritative = explicit.size >= 0.6 * ids.length;
  const optedOut = (id: string) => authoritative && explicit.has(id);

  // 3. Prose about phases and stories.
  for (const { rel, reason } of weakRelations) {
    const subjects = rel.subjects.map((r) => ({ ...r, ids: r.ids.filter((id) => !optedOut(id)) }));
    addRelation({ subjects, objects: rel.objects }, "prose", reason, false);
  }

  // 4. Order within each phase: sequential tasks in order; a run of [P] tasks goes together.
  for (const p of sc.phases) {
    let lastSeq: string | null = null;
    let group: string[] = [];
    for (const id of p.tasks) {
      const t = byId.get(id)!;
      if (t.parallel) {
        if (lastSeq && !optedOut(id)) g.addWeak({ from: lastSeq, to: id, kind: "order", reason: `[P] task after ${lastSeq} in its phase` }, warnings);
        group.push(id);
      } else {
        if (!optedOut(id)) {
          const prev = group.length ? group : lastSeq ? [lastSeq] : [];
          for (const d of prev) g.addWeak({ from: d, to: id, kind: "order", reason: `sequential task after ${d} in its phase` }, warnings);
        }
        lastSeq = id;
        group = [];
      }
    }
  }

  // 5. Phase order. Story phases run in parallel after Foundational (Spec Kit), otherwise in order.
  const hasFoundational = sc.phases.some((p) => p.kind === "foundational" && p.tasks.length);
  const storyParallel = opts.storyOrder === "parallel" || ((opts.storyOrder ?? "auto") === "auto" && hasFoundational);
  const active = sc.phases.filter((p) => p.tasks.length > 0);
  const sinks = (set: string[]) => set.filter((id) => !set.some((o) => o !== id && g.deps.get(o)!.has(id)));
  const entries = (set: string[]) => set.filter((id) => !set.some((o) => g.deps.get(id)!.has(o)));
  for (let i = 1; i < active.length; i++) {
    const p = active[i]!;
    let preds: Phase[];
    const isStory = p.kind === "story" && storyParallel;
    if (isStory) {
      // The nearest earlier non-story phase.
      let j = i - 1;
      while (j >= 0 && active[j]!.kind === "story") j--;
      preds = j >= 0 ? [active[j]!] : [];
    } else {
      // Everything since (and including) the nearest earlier non-story phase.
      preds = [];
      let j = i - 1;
      while (j >= 0) {
        preds.push(active[j]!);
        if (active[j]!.kind !== "story" || !storyParallel) break;
        j--;
      }
    }
    const targets = entries(p.tasks).filter((id) => !optedOut(id));
    for (const q of preds) {
      const label = q.number ? `Phase ${q.number}` : q.title;
      for (const d of sinks(q.tasks)) {
        for (const id of targets) g.addWeak({ from: d, to: id, kind: "phase", reason: `${p.number ? `Phase ${p.number}` : p.title} comes after ${label}` }, warnings);
      }
    }
  }

  // 6. Same-file serialisation (document order), unless already ordered either way.
  if (opts.sameFileSerialization !== false) {
    const files = new Map(sc.tasks.map((t) => [t.id, extractFiles([t.description, ...t.body.filter((l) => !/^\s{6,}|^\s*(```|~~~)/.test(l))].join("\n"))]));
    // When every edge so far points forward in document order (the usual case), ancestor bitsets
    // computed in document order answer "already ordered?" in O(1); otherwise fall back to a search.
    const pos = new Map(ids.map((id, i) => [id, i]));
    const forwardOnly = ids.every((id) => [...g.deps.get(id)!.keys()].every((d) => pos.get(d)! < pos.get(id)!));
    const words = Math.ceil(ids.length / 32);
    const anc: Uint32Array[] = [];
    const has = (bits: Uint32Array, i: number) => (bits[i >> 5]! & (1 << (i & 31))) !== 0;
    // For each task, look back from the nearest earlier task so one edge orders a whole chain.
    for (let j = 0; j < sc.tasks.length; j++) {
      const b = sc.tasks[j]!;
      if (forwardOnly) {
        const bits = new Uint32Array(words);
        for (const d of g.deps.get(b.id)!.keys()) {
          const di = pos.get(d)!;
          bits[di >> 5]! |= 1 << (di & 31);
          for (let w = 0; w < words; w++) bits[w]! |= anc[di]![w]!;
        }
        anc[j] = bits;
      }
      const bFiles = files.get(b.id)!;
      if (!bFiles.length) continue;
      for (let i = j - 1; i >= 0; i--) {
        const a = sc.tasks[i]!;
        const shared = files.get(a.id)!.find((fa) => bFiles.some((fb) => pathsConflict(fa, fb)));
        if (!shared) continue;
        if (forwardOnly ? has(anc[j]!, i) : g.dependsOn(b.id, a.id) || g.dependsOn(a.id, b.id)) continue;
        if (a.parallel && b.parallel && a.phase === b.phase) warnings.push(`${a.id} and ${b.id} are both [P] but touch ${shared}; serialised`);
        g.add({ from: a.id, to: b.id, kind: "file", reason: `both touch ${shared}` });
        if (forwardOnly) {
          const bits = anc[j]!;
          bits[i >> 5]! |= 1 << (i & 31);
          for (let w = 0; w < words; w++) bits[w]! |= anc[i]![w]!;
        }
      }
    }
    for (const t of sc.tasks) (t as RawTask & { files?: string[] }).files = files.get(t.id)!;
  }

  const before = g.count();
  reduce(g, ids);

  // Levels and critical path.
  const level = new Map<string, number>();
  const dist = new Map<string, number>();
  const prev = new Map<string, string | null>();
  const weights = new Map<string, number>();
  for (const t of sc.tasks) {
    const w = opts.weights?.[t.id];
    const m = WEIGHT_RE.exec(t.description);
    weights.set(t.id, w !== undefined && w >= 0 ? w : m ? Number(m[1] ?? m[2]) : 1);
  }
  for (const id of topoOrder(g, ids)) {
    let lv = 0;
    let best = 0;
    let bestPrev: string | null = null;
    for (const d of g.deps.get(id)!.keys()) {
      lv = Math.max(lv, level.get(d)! + 1);
      if (dist.get(d)! > best || bestPrev === null) {
        if (dist.get(d)! >= best) {
          best = dist.get(d)!;
          bestPrev = d;
        }
      }
    }
    level.set(id, lv);
    dist.set(id, best + weights.get(id)!);
    prev.set(id, bestPrev);
  }
  const levels: string[][] = [];
  for (const id of ids) (levels[level.get(id)!] ??= []).push(id);
  let end = ids[0]!;
  for (const id of ids) if (dist.get(id)! > dist.get(end)!) end = id;
  const path: string[] = [];
  for (let c: string | null = end; c; c = prev.get(c) ?? null) path.unshift(c);

  const edges: Edge[] = [];
  for (const id of ids) for (const e of g.deps.get(id)!.values()) edges.push(e);
  const tasks: Task[] = sc.tasks.map((t) => ({
    id: t.id,
    description: t.description,
    done: t.done,
    parallel: t.parallel,
    story: t.stories[0] ?? null,
    stories: t.stories,
    labels: t.labels,
    phase: t.phase,
    files: (t as RawTask & { files?: string[] }).files ?? extractFiles(t.description),
    dependsOn: [...g.deps.get(t.id)!.keys()].sort((a, b) => resolver.position(a) - resolver.position(b)),
    weight: weights.get(t.id)!,
    explicitDeps: explicit.has(t.id),
    line: t.line,
    body: t.body.join("\n").replace(/\s+$/, ""),
  }));
  return {
    title: sc.title,
    tasks,
    phases: sc.phases,
    edges,
    levels,
    criticalPath: { tasks: path, weight: dist.get(end)! },
    warnings,
    stats: {
      tasks: tasks.length,
      done: tasks.filter((t) => t.done).length,
      parallel: tasks.filter((t) => t.parallel).length,
      phases: sc.phases.filter((p) => p.tasks.length).length,
      edges: edges.length,
      edgesBeforeReduction: before,
      maxWidth: Math.max(...levels.map((l) => l.length)),
    },
  };
}

function topoOrder(g: Graph, ids: string[]): string[] {
  const out: string[] = [];
  const state = new Map<string, number>();
  const visit = (v: string) => {
    if (state.get(v) === 2) return;
    state.set(v, 1);
    for (const d of g.deps.get(v)!.keys()) if (state.get(d) !== 2) visit(d);
    state.set(v, 2);
    out.push(v);
  };
  for (const id of ids) visit(id);
  return out;
}

/** Transitive reduction: drop a direct dependency that is implied through another one. */
function reduce(g: Graph, ids: string[]): void {
  const order = topoOrder(g, ids);
  const idx = new Map(ids.map((id, i) => [id, i]));
  const words = Math.ceil(ids.length / 32);
  const anc = new Map<string, Uint32Array>();
  for (const v of order) {
    const bits = new Uint32Array(words);
    for (const d of g.deps.get(v)!.keys()) {
      const i = idx.get(d)!;
      bits[i >> 5]! |= 1 << (i & 31);
      const a = anc.get(d)!;
      for (let w = 0; w < words; w++) bits[w]! |= a[w]!;
    }
    anc.set(v, bits);
  }
  for (const v of ids) {
    const direct = [...g.deps.get(v)!.keys()];
    for (const u of direct) {
      const ui = idx.get(u)!;
      if (direct.some((w) => w !== u && (anc.get(w)![ui >> 5]! & (1 << (ui & 31))) !== 0)) g.deps.get(v)!.delete(u);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Rendering for a person (Windmill shows { markdown } results rendered)

export function renderDagMarkdown(dag: TaskDag, maxRows = 400): string {
  const phaseName = (i: number) => {
    const p = dag.phases[i]!;
    return p.number ? `Phase ${p.number}` : p.title;
  };
  const lines = [
    `## Task DAG${dag.title ? `: ${dag.title}` : ""}`,
    "",
    `**${dag.stats.tasks} tasks** (${dag.stats.done} done, ${dag.stats.parallel} marked [P]) in ${dag.stats.phases} phases · ` +
      `${dag.stats.edges} dependencies · ${dag.levels.length} levels (widest ${dag.stats.maxWidth}) · ` +
      `critical path ${dag.criticalPath.tasks.length} tasks, weight ${dag.criticalPath.weight}`,
    "",
    `**Critical path**: ${dag.criticalPath.tasks.join(" → ")}`,
    "",
    "| Phase | Kind | Tasks |",
    "|---|---|---|",
    ...dag.phases.filter((p) => p.tasks.length).map((p) => `| ${mdCell(p.heading || p.title)} | ${p.kind} | ${p.tasks.length} |`),
    "",
    "| Level | Task | Phase | Story | P | Done | Depends on | Files |",
    "|---|---|---|---|---|---|---|---|",
  ];
  const levelOf = new Map<string, number>();
  dag.levels.forEach((l, i) => l.forEach((id) => levelOf.set(id, i)));
  const kinds = new Map(dag.edges.map((e) => [`${e.from}>${e.to}`, e.kind]));
  for (const t of dag.tasks.slice(0, maxRows)) {
    const deps = t.dependsOn.map((d) => `${d}${kinds.get(`${d}>${t.id}`) === "explicit" ? "" : `·${kinds.get(`${d}>${t.id}`)}`}`).join(", ");
    lines.push(`| ${levelOf.get(t.id)} | **${t.id}** ${mdCell(t.description.slice(0, 90))}${t.description.length > 90 ? "…" : ""} | ${mdCell(phaseName(t.phase))} | ${t.stories.join(" ")} | ${t.parallel ? "P" : ""} | ${t.done ? "✓" : ""} | ${deps} | ${mdCell(t.files.slice(0, 3).join(", "))} |`);
  }
  if (dag.tasks.length > maxRows) lines.push(`| … | ${dag.tasks.length - maxRows} more | | | | | | |`);
  if (dag.warnings.length) lines.push("", "**Warnings**", "", ...dag.warnings.slice(0, 30).map((w) => `- ${mdCell(w)}`));
  lines.push("", "_Dependency kinds: explicit (unmarked), ·prose, ·phase, ·order (sequential in phase), ·file (same file)._");
  return lines.join("\n");
}
