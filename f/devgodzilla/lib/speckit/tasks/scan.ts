// Stage 1 — scan: tasks.md's lines → tasks, phases and the prose around them.
//
// A task is a list item with a checkbox whose first token is an id in the file's id scheme
// (T001, T001a, T014pre, T-FE-000, TASK-12…: the scheme most checkbox items use). A line that
// looks like a task but cannot be read as one — a checkbox without an id, an id in another
// scheme, an id-led bullet without a checkbox — becomes a warning naming its line. Files without
// any checkbox task are read from id-led bullets or headings instead.

import { allMatches, PHASE_WORDS, KIND_WORDS, RELATION_WORDS, PARALLEL, SEQUENCE, alternation } from "./lexicon.ts";
import type { Phase, PhaseKind, ProseLine, RawTask, Scan, TaskLine } from "./model.ts";

// ---------------------------------------------------------------------------------------------
// Task line grammar

/** An id: letters, optional letter groups, digits, optional lowercase suffix (T001, T001a, T014pre, T-FE-000, TASK-12, T1.2). */
export const ID_SOURCE = "[A-Z][A-Za-z]*(?:[-_][A-Za-z][A-Za-z0-9]*)*[-_.]?\\d+(?:\\.\\d+)*[a-z]*";
const LIST_ITEM = /^(\s*)(?:[-*+•]|\d+[.)])\s*(.*)$/;
const CHECKBOX = /^\[([ xX✓✔~/-]?)\]\s*(.*)$/;
const LEADING_ID = new RegExp(`^(?:\\*\\*|__|\`)?\\[?(${ID_SOURCE})\\]?(?:\\*\\*|__|\`)?(?=[\\s:.,;)\\]\\[—–-]|$)(?:\\s*[:.—–-](?=\\s))?\\s*`);

/** The letters an id starts with: its scheme (T001 and T-FE-000 are both "T"). */
export const schemeOf = (id: string): string => /^[A-Za-z]+/.exec(id)![0];

interface ItemShape {
  indent: number;
  checkbox: string | null;
  id: string | null;
  rest: string;
}

/** A list item's checkbox, leading id and the text after them; null when the line is not a list item. */
function itemShape(line: string): ItemShape | null {
  const li = LIST_ITEM.exec(line);
  if (!li) return null;
  let text = li[2]!;
  let checkbox: string | null = null;
  const cb = CHECKBOX.exec(text);
  if (cb) {
    checkbox = cb[1]!;
    text = cb[2]!;
  } else if (!/^\s/.test(line.slice(li[1]!.length + 1)) && !/^\d/.test(line.trim())) {
    // "-T001" is not a bullet; "1.T001" neither.
    return null;
  }
  const id = LEADING_ID.exec(text);
  return { indent: li[1]!.length, checkbox, id: id ? id[1]! : null, rest: id ? text.slice(id[0].length) : text };
}

/** Splits the labels ([P], [US1], [Core]…) off a task's text. */
export function readLabels(id: string, checkbox: string, text: string): TaskLine {
  let rest = text.trim();
  let parallel = false;
  const stories: string[] = [];
  const labels: string[] = [];
  for (;;) {
    const b = /^\*{0,2}\[([^\]\n]{1,40})\]\*{0,2}\s*/.exec(rest);
    if (!b) break;
    const label = b[1]!.trim();
    const us = storyLabel(label);
    if (/^P$/i.test(label)) parallel = true;
    else if (us.length) stories.push(...us);
    else labels.push(label);
    rest = rest.slice(b[0].length);
  }
  // Older templates put [P] at the end of the line.
  const tail = /\s*\[P\]\s*$/.exec(rest);
  if (tail) {
    parallel = true;
    rest = rest.slice(0, tail.index);
  }
  return { id, done: checkbox !== " " && checkbox !== "", parallel, stories, labels, description: rest.trim() };
}

/** [US1], [US 2], [US-3], [Story 4], [US1, US2] → ["US1"…]; anything else → []. */
function storyLabel(label: string): string[] {
  const parts = label.split(/\s*[,/&]\s*/);
  const out: string[] = [];
  for (const p of parts) {
    const m = /^(?:US|User\s*Story|Story|HU)\s*-?\s*(\d+)$/i.exec(p.trim());
    if (!m) return [];
    out.push(`US${Number(m[1])}`);
  }
  return out;
}

/** Parses one checkbox task line (null when the line is not one). */
export function parseTaskLine(line: string): TaskLine | null {
  const s = itemShape(line);
  if (!s || s.checkbox === null || !s.id) return null;
  return readLabels(s.id, s.checkbox, s.rest);
}

/** Sets the checkbox of the given task ids, leaving every other byte of tasks.md unchanged. */
export function setTasksDone(markdown: string, ids: Iterable<string>, done = true): string {
  const want = new Set(ids);
  return markdown
    .split("\n")
    .map((line) => {
      const s = itemShape(line);
      if (!s || s.checkbox === null || !s.id || !want.has(s.id)) return line;
      return line.replace(/\[([ xX✓✔~/-]?)\]/, done ? "[X]" : "[ ]");
    })
    .join("\n");
}

// ---------------------------------------------------------------------------------------------
// Headings

const PHASE_HEADING = new RegExp(
  `^(?:${PHASE_WORDS}\\s*(\\d+(?:\\.\\d+)*)|第\\s*(\\d+(?:\\.\\d+)*)\\s*(?:个|個)?\\s*(?:阶段|階段)|(\\d+(?:\\.\\d+)*)\\s*단계)\\s*[:：.\\-–—)]?\\s*(.*)$`,
  "iu",
);
/** Sections whose prose is about order: Dependencies, Execution order, Parallel opportunities… */
const ORDER_SECTION = new RegExp(
  `${RELATION_WORDS.filter((r) => r.form === "noun" || r.form === "sov")
    .map((r) => alternation(r.words))
    .join("|")}|depend|execution\\s+order|order\\s+of\\s+execution|` +
    `orden\\s+de\\s+ejecuci|ordem\\s+de\\s+execu|reihenfolge|ordre\\s+d.ex[ée]cution|порядок|执行顺序|執行順序|実行順|실행\\s*순서|${alternation(PARALLEL)}|${alternation(SEQUENCE)}`,
  "iu",
);
const TITLE_PREFIX = /^(Tasks|Task\s+List|任务(?:列表|清单)?|タスク(?:リスト|一覧)?|Tareas|Tarefas|Aufgaben|Tâches|Задачи|작업(?:\s*목록)?)\s*[:：]\s*/i;

const KIND_PATTERNS: [PhaseKind, RegExp][] = [
  ["setup", new RegExp(`set\\s?up|${[...KIND_WORDS.setup.latin, ...KIND_WORDS.setup.other].join("|")}|initiali[sz]`, "iu")],
  ["foundational", new RegExp(`blocking\\s+prereq|前置|${[...KIND_WORDS.foundational.latin, ...KIND_WORDS.foundational.other].join("|")}`, "iu")],
  ["polish", new RegExp(`cross[- ]cutting|横断|${[...KIND_WORDS.polish.latin, ...KIND_WORDS.polish.other].join("|")}`, "iu")],
  [
    "story",
    /user\s+stor|\bUS\s?\d|ユーザーストーリー|用户故事|使用者故事|사용자\s*스토리|historia\s+de\s+usuario|história\s+de\s+usuário|пользовательск|\bstory\b/iu,
  ],
];

export const STORY_IN_TEXT =
  /(?:\bUS\s?-?|User\s+Story\s*|ユーザーストーリー\s*|用户故事\s*|使用者故事\s*|사용자\s*스토리\s*|Historia\s+de\s+usuario\s*|História\s+de\s+usuário\s*)(\d+)/giu;

// ---------------------------------------------------------------------------------------------
// The scan

interface Candidate {
  line: number;
  shape: ItemShape;
}

/** Which id scheme the file's tasks use, and whether they have checkboxes. */
function chooseScheme(lines: string[], fenced: boolean[]): { scheme: string | null; bare: boolean } {
  const counts = new Map<string, number>();
  const bareCounts = new Map<string, number>();
  for (let i = 0; i < lines.length; i++) {
    if (fenced[i]) continue;
    const s = itemShape(lines[i]!);
    const h = /^#{2,6}\s+(.*)$/.exec(lines[i]!);
    const id = s?.id ?? (h ? LEADING_ID.exec(h[1]!.trim())?.[1] : undefined);
    if (!id) continue;
    const map = s?.checkbox !== null && s?.checkbox !== undefined ? counts : bareCounts;
    map.set(schemeOf(id), (map.get(schemeOf(id)) ?? 0) + 1);
  }
  const best = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
  if (counts.size) return { scheme: best(counts), bare: false };
  return { scheme: best(bareCounts), bare: bareCounts.size > 0 };
}

/** Marks lines inside fenced code blocks (the fence lines themselves count as inside). */
function fencedLines(lines: string[]): boolean[] {
  const out: boolean[] = [];
  let fence: string | null = null;
  for (const l of lines) {
    const m = /^\s*(```+|~~~+)/.exec(l);
    if (m && (fence === null || m[1]!.startsWith(fence))) {
      out.push(true);
      fence = fence === null ? m[1]! : null;
      continue;
    }
    out.push(fence !== null);
  }
  return out;
}

export function scanDocument(markdown: string): Scan {
  const lines = markdown.replace(/\r\n?/g, "\n").split("\n");
  // YAML front matter is not part of the document.
  let start = 0;
  if (lines[0]?.trim() === "---") {
    const end = lines.findIndex((l, i) => i > 0 && l.trim() === "---");
    if (end > 0) start = end + 1;
  }
  const fenced = fencedLines(lines);
  for (let i = 0; i < start; i++) fenced[i] = true;
  const { scheme, bare } = chooseScheme(
    lines.map((l, i) => (i < start ? "" : l)),
    fenced,
  );
  const scan = new Scanner(lines, fenced, start, scheme, bare).run();
  if (bare && scan.tasks.length) scan.warnings.unshift("no checkbox task lines (`- [ ] T001 …`); read `- T001 …` lines as open tasks");
  return scan;
}

class Scanner {
  private readonly phases: Phase[] = [];
  private readonly tasks: RawTask[] = [];
  private readonly prose: ProseLine[] = [];
  private readonly warnings: string[] = [];
  /** Lines that looked like tasks but were not read as one: checked against the final ids. */
  private readonly notRead: { line: number; text: string; why: string; id: string | null }[] = [];
  private title: string | null = null;
  private currentPhase = -1;
  private phaseLevel = 0;
  private orderSectionLevel = 0;
  private current: RawTask | null = null;
  private subjectHint = "";
  private tableHeader: string[] | null = null;
  private readonly usePhaseWords: boolean;

  constructor(
    private readonly lines: string[],
    private readonly fenced: boolean[],
    private readonly start: number,
    private readonly scheme: string | null,
    private readonly bare: boolean,
  ) {
    this.usePhaseWords = lines.some((l, i) => {
      const h = !fenced[i] && /^#{2,4}\s+(.+?)\s*$/.exec(l);
      return h ? PHASE_HEADING.test(h[1]!.replace(/[*_]/g, "").trim()) : false;
    });
  }

  run(): Scan {
    for (let i = this.start; i < this.lines.length; i++) this.line(this.lines[i]!, i + 1, this.fenced[i]!);
    this.reportNotRead();
    this.classifyPhases();
    return { title: this.title, phases: this.phases, tasks: this.tasks, prose: this.prose, warnings: this.warnings };
  }

  private line(raw: string, lineNo: number, inFence: boolean): void {
    if (inFence) {
      // Code inside a task belongs to the task; elsewhere it may be a diagram of the order.
      if (this.current && (raw.trim() === "" || /^\s/.test(raw) || this.current.indent < 0)) {
        this.current.body.push(raw);
        this.current.bodyLines.push(lineNo);
      } else this.addProse(raw, lineNo);
      return;
    }
    const h = /^(#{1,6})\s+(.+?)\s*#*\s*$/.exec(raw);
    if (h) return this.heading(h[1]!.length, h[2]!.replace(/\*\*|__/g, "").trim(), lineNo);
    const shape = itemShape(raw);
    if (shape && this.isTask(shape)) return this.task(shape, lineNo, raw);
    if (this.current) {
      const indent = /^\s*/.exec(raw)![0].length;
      if (raw.trim() === "" || indent > this.current.indent) {
        this.current.body.push(raw);
        this.current.bodyLines.push(lineNo);
        return;
      }
      this.current = null;
    }
    if (shape && (shape.checkbox !== null || (shape.id && this.scheme && schemeOf(shape.id) === this.scheme))) this.taskLike(shape, lineNo, raw);
    if (raw.trim() === "") {
      this.tableHeader = null;
      if (!this.orderSectionLevel) this.subjectHint = "";
      return;
    }
    if (/^\s*<!--.*-->\s*$/.test(raw)) return;
    this.addProse(raw, lineNo);
  }

  private isTask(s: ItemShape): boolean {
    if (!s.id || !this.scheme || schemeOf(s.id) !== this.scheme) return false;
    if (this.orderSectionLevel) return false;
    if (!this.bare) return s.checkbox !== null;
    // Without checkboxes, "- T001, T002 and T003 …" or "- T016 blocks T017" is prose about tasks.
    return (s.indent === 0 || this.current === null) && !/^(?:(?:and|or|to|und|y|e|et|и|和|与|と|및)\s|[,、，～~])/u.test(s.rest) && !/^[,、]/.test(s.rest);
  }

  private heading(level: number, text: string, lineNo: number): void {
    this.current = null;
    this.tableHeader = null;
    if (level === 1) {
      this.title ??= text.replace(TITLE_PREFIX, "").trim();
      return;
    }
    if (this.orderSectionLevel && level <= this.orderSectionLevel) this.orderSectionLevel = 0;
    const pm = PHASE_HEADING.exec(text);
    const isOrderSection = ORDER_SECTION.test(text);
    if (this.bare && this.scheme) {
      const id = LEADING_ID.exec(text);
      if (id && schemeOf(id[1]!) === this.scheme && !this.orderSectionLevel) {
        this.task({ indent: -1, checkbox: " ", id: id[1]!, rest: text.slice(id[0].length) }, lineNo, text);
        return;
      }
    }
    const isPhase = this.usePhaseWords ? !!pm && level <= 4 : level === 2 && !isOrderSection;
    if (isPhase) {
      this.phaseLevel = level;
      this.orderSectionLevel = 0;
      const number = pm ? (pm[1] ?? pm[2] ?? pm[3])! : null;
      const title = pm ? pm[4]!.trim() : text;
      this.phases.push({ index: this.phases.length, number, title, heading: text, kind: "other", stories: [], tasks: [], line: lineNo });
      this.currentPhase = this.phases.length - 1;
      this.subjectHint = "";
      return;
    }
    // A "dependencies" heading nested inside a phase ("### 配置和依赖" = configuration & Maven
    // dependencies) is part of that phase, not an order section.
    if (level <= this.phaseLevel) this.phaseLevel = 0;
    if (!this.orderSectionLevel && isOrderSection && this.phaseLevel === 0) this.orderSectionLevel = level;
    this.subjectHint = this.orderSectionLevel ? text : "";
  }

  private task(s: ItemShape, lineNo: number, raw: string): void {
    if (this.currentPhase === -1) {
      this.phases.push({ index: 0, number: null, title: "(no phase)", heading: "", kind: "other", stories: [], tasks: [], line: 0 });
      this.currentPhase = 0;
    }
    const t = readLabels(s.id!, s.checkbox ?? " ", s.rest);
    // A heading task (indent -1) owns every line up to the next heading.
    this.current = {
      id: t.id,
      done: t.done,
      parallel: t.parallel,
      stories: t.stories,
      labels: t.labels,
      description: t.description,
      index: this.tasks.length,
      line: lineNo,
      phase: this.currentPhase,
      body: [],
      bodyLines: [],
      indent: s.indent,
    };
    this.tasks.push(this.current);
    this.phases[this.currentPhase]!.tasks.push(t.id);
  }

  private taskLike(s: ItemShape, lineNo: number, raw: string): void {
    const text = raw.trim().slice(0, 100);
    if (s.checkbox !== null && !s.id) {
      if (!this.orderSectionLevel) this.notRead.push({ line: lineNo, text, why: "checkbox item without a task id", id: null });
    } else if (s.checkbox !== null && s.id) {
      this.notRead.push({
        line: lineNo,
        text,
        why: this.orderSectionLevel ? "checkbox item in a dependencies section" : `id ${s.id} is not in the file's ${this.scheme ?? "task"}… id scheme`,
        id: s.id,
      });
    } else if (s.id && !this.orderSectionLevel) {
      this.notRead.push({ line: lineNo, text, why: "bullet without a checkbox", id: s.id });
    }
  }

  private addProse(text: string, lineNo: number): void {
    if (!text.trim()) return;
    const row = /^\s*\|(.*)\|\s*$/.exec(text);
    let table: ProseLine["table"];
    if (row) {
      const cells = row[1]!.split("|").map((c) => c.trim());
      if (cells.every((c) => /^:?-{2,}:?$/.test(c))) return;
      if (!this.tableHeader) {
        this.tableHeader = cells;
        return;
      }
      table = { header: this.tableHeader, cells };
    } else this.tableHeader = null;
    // A bold label on its own line ("**Phase 1 (Setup)**:") names the subject of the lines under it.
    if (/^\s*(?:[-*+]\s+)?\*\*[^*]{1,80}\*\*\s*[:：]?\s*$/.test(text) || /^\s*[^\s:：][^:：]{0,60}[:：]\s*$/.test(text)) this.subjectHint = text;
    this.prose.push({
      text,
      line: lineNo,
      inDependencySection: this.orderSectionLevel > 0,
      phase: this.orderSectionLevel ? -1 : this.currentPhase,
      subjectHint: this.subjectHint === text ? "" : this.subjectHint,
      table,
    });
  }

  private reportNotRead(): void {
    const ids = new Set(this.tasks.map((t) => t.id));
    // An id that is a task elsewhere makes the line a statement about that task, not a lost task.
    const kept = this.notRead.filter((n) => !(n.id && ids.has(n.id)));
    // Runs of consecutive lines with the same reason become one warning.
    for (let i = 0; i < kept.length;) {
      let j = i;
      while (j + 1 < kept.length && kept[j + 1]!.why === kept[i]!.why && kept[j + 1]!.line - kept[j]!.line <= 2) j++;
      const a = kept[i]!;
      const b = kept[j]!;
      const example = `"${a.text}"${j > i ? ` and ${j - i} more` : ""}`;
      this.warnings.push(`line${j > i ? `s ${a.line}–${b.line}` : ` ${a.line}`}: not read as a task (${a.why}): ${example}`);
      i = j + 1;
    }
  }

  /** Phase kinds: title keywords first; otherwise a story phase when most tasks carry story labels. */
  private classifyPhases(): void {
    const byId = new Map(this.tasks.map((t) => [t.id, t]));
    for (const p of this.phases) {
      const kind = KIND_PATTERNS.find(([, re]) => re.test(p.title))?.[0];
      const labelled = p.tasks.filter((id) => byId.get(id)!.stories.length > 0).length;
      p.kind = kind ?? (p.tasks.length > 0 && labelled * 2 > p.tasks.length ? "story" : "other");
      const stories = new Set<string>();
      for (const id of p.tasks) for (const s of byId.get(id)!.stories) stories.add(s);
      for (const m of allMatches(STORY_IN_TEXT, p.title)) stories.add(`US${Number(m[1])}`);
      p.stories = [...stories].sort((a, b) => Number(a.slice(2)) - Number(b.slice(2)));
    }
  }
}
