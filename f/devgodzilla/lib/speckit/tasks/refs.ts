// References in prose: task ids and id ranges, phases (by number, range, list or kind), user
// stories (by number, range or list), and words for "all stories", "later phases", "this phase".
// The index is built once per file: every lookup is a map access or a binary search, so reading a
// sentence costs its length, not the number of tasks.

import {
  ALL_STORIES,
  allMatches,
  concat,
  EARLIER_PHASES,
  KIND_WORDS,
  LATER_PHASES,
  LETTER,
  OTHER_STORIES,
  PHASE_WORDS,
  STORY_WORDS,
  THIS_PHASE,
  THIS_TASK,
  alternation,
} from "./lexicon.ts";
import { ID_SOURCE, schemeOf } from "./scan.ts";
import type { Phase, PhaseKind, RawTask } from "./model.ts";

/** Something a reference stands for: a task, a phase, a story — or a word resolved against the subject. */
export type Unit = { type: "task"; index: number } | { type: "phase"; index: number } | { type: "story"; id: string };
export type Quantifier = "allStories" | "otherStories" | "laterPhases" | "earlierPhases" | "thisPhase" | "thisTask";

export interface Ref {
  pos: number;
  end: number;
  text: string;
  /** Task indexes the reference stands for (empty for an unresolved quantifier). */
  tasks: number[];
  units: Unit[];
  quantifier?: Quantifier;
  /** Ids that look like task ids of the file's scheme but are not tasks. */
  unknown: string[];
}

const WORD = (w: string) => `(?<![${LETTER}])(?:${w})(?![${LETTER}])`;
const RANGE = `\\s*(?:-|–|—|~|～|〜|\\.\\.|${WORD("to|through|thru|a|al|até|bis|до")}|至|到)\\s*`;
const LIST = `\\s*(?:,|、|，|/|&|\\+|${WORD("and|y|e|und|et|и")}|和|及|と|및)\\s*`;
/** Ids are Latin; the next character may be a CJK particle ("T007は"). */
const ID_START = "(?<![A-Za-z0-9_-])";
const ID_END = "(?![A-Za-z0-9_])";
const NUM = "\\d+(?:\\.\\d+)*";

const TASK_REF = new RegExp(`${ID_START}(${ID_SOURCE})(?:${RANGE}(${ID_SOURCE}|\\d+[a-z]*))?${ID_END}`, "g");
const PHASE_REF = new RegExp(
  `(?:第\\s*(${NUM})\\s*(?:个|個)?\\s*(?:阶段|階段))|(?:(${NUM})\\s*단계)|(?:${PHASE_WORDS}\\s*(${NUM}(?:(?:${RANGE}|${LIST})(?:${PHASE_WORDS}\\s*)?${NUM})*)(\\+)?)`,
  "gi",
);
const STORY_REF = new RegExp(`(?<![A-Za-z])${STORY_WORDS}(\\d+)((?:(?:${RANGE}|${LIST})(?:${STORY_WORDS})?\\d+)*)(?![\\d])`, "gi");
const SEP_SPLIT = new RegExp(`(${RANGE}|${LIST})`, "i");
const RANGE_ONLY = new RegExp(`^${RANGE}$`, "i");
const PHASE_WORD_RE = new RegExp(PHASE_WORDS, "i");
/** Words for groups of phases or stories, one capture group each, in one regex. */
const QUANTIFIERS: [Quantifier, string][] = [
  ["otherStories", alternation(OTHER_STORIES)],
  ["allStories", `(?:${alternation(ALL_STORIES)})(?!\\s*\\d)`],
  ["laterPhases", alternation(LATER_PHASES)],
  ["earlierPhases", alternation(EARLIER_PHASES)],
  ["thisPhase", alternation(THIS_PHASE)],
  ["thisTask", alternation(THIS_TASK)],
];
const QUANTIFIER_RE = new RegExp(QUANTIFIERS.map(([, src]) => `(${src})`).join("|"), "gi");

interface IdKey {
  prefix: string;
  num: number;
  suffix: string;
}

function idKey(id: string): IdKey | null {
  const m = /^(.*?)(\d+)([a-z]*)$/.exec(id);
  return m ? { prefix: m[1]!, num: Number(m[2]), suffix: m[3]! } : null;
}

/** "03" and "3" name the same phase. */
const normNumber = (n: string) => n.split(".").map(Number).join(".");

/** Phase numbers compare as tuples: 3 < 3.1 < 3.2 < 4. */
function cmpNumber(a: string, b: string): number {
  const x = a.split(".").map(Number);
  const y = b.split(".").map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? -1) - (y[i] ?? -1);
    if (d) return d;
  }
  return 0;
}

const KIND_RE_CACHE = new Map<string, RegExp>();

export class RefIndex {
  readonly idIndex = new Map<string, number>();
  private readonly byPrefix = new Map<string, { key: IdKey; index: number }[]>();
  private readonly schemes: Set<string>;
  /** Phases named by what they are ("Setup", "基础阶段"), one capture group per kind, or null. */
  private readonly kindRe: RegExp | null = null;
  private readonly kindPhases: Phase[][] = [];
  /** Per phase: its tasks' indexes; phase number → phases (those with tasks first). */
  private readonly tasksOfPhase: number[][];
  private readonly phasesByNumber = new Map<string, number[]>();
  private readonly phasesByMajor = new Map<string, number[]>();
  private readonly numbered: { index: number; number: string }[];
  /** Story → its tasks: labelled USn, plus unlabelled tasks of a phase whose heading names USn. */
  private readonly tasksOfStory = new Map<string, number[]>();
  readonly stories: string[];
  /** Story → the phases devoted to it alone. */
  readonly phasesOfStory = new Map<string, number[]>();
  readonly storyPhases: number[];

  constructor(
    readonly tasks: RawTask[],
    readonly phases: Phase[],
  ) {
    tasks.forEach((t, i) => {
      this.idIndex.set(t.id, i);
      const k = idKey(t.id);
      if (!k) return;
      const list = this.byPrefix.get(k.prefix) ?? [];
      list.push({ key: k, index: i });
      this.byPrefix.set(k.prefix, list);
    });
    for (const list of this.byPrefix.values()) list.sort((a, b) => a.key.num - b.key.num || a.key.suffix.localeCompare(b.key.suffix));
    this.schemes = new Set(tasks.map((t) => schemeOf(t.id)));
    this.tasksOfPhase = phases.map((p) => p.tasks.map((id) => this.idIndex.get(id)!));
    // A heading repeated later without tasks (a checklist "Phase 8" section) is not the phase.
    const add = (m: Map<string, number[]>, k: string, i: number) => {
      const list = m.get(k);
      if (list) list.push(i);
      else m.set(k, [i]);
    };
    for (const p of phases) {
      if (p.number === null) continue;
      add(this.phasesByNumber, normNumber(p.number), p.index);
      if (p.number.includes(".")) add(this.phasesByMajor, normNumber(p.number.split(".")[0]!), p.index);
    }
    for (const m of [this.phasesByNumber, this.phasesByMajor])
      for (const [k, v] of m)
        if (v.some((i) => phases[i]!.tasks.length))
          m.set(
            k,
            v.filter((i) => phases[i]!.tasks.length),
          );
    this.numbered = phases.filter((p) => p.number !== null && p.tasks.length).map((p) => ({ index: p.index, number: p.number! }));
    for (const t of tasks) for (const s of t.stories.length ? t.stories : phases[t.phase]!.stories) add(this.tasksOfStory, s, t.index);
    for (const p of phases) for (const s of p.stories) if (!this.tasksOfStory.has(s)) this.tasksOfStory.set(s, []);
    this.stories = [...this.tasksOfStory.keys()];
    for (const p of phases) if (p.stories.length === 1 && p.tasks.length) add(this.phasesOfStory, p.stories[0]!, p.index);
    this.storyPhases = phases.filter((p) => p.kind === "story" && p.tasks.length).map((p) => p.index);
    const sources: string[] = [];
    for (const kind of ["setup", "foundational", "polish"] as const) {
      if (!phases.some((p) => p.kind === kind && p.tasks.length)) continue;
      const w = KIND_WORDS[kind];
      const phaseWord = `(?:\\s*(?:${PHASE_WORDS}|[Pp]hase)(?!\\s*\\d))`;
      const latin = w.latin.join("|");
      // English-like words count when capitalised or followed by "phase"; CJK ones only beside a phase word.
      sources.push(
        `(?<![${LETTER}])(?:${latin})(?![${LETTER}])${phaseWord}?|(?<![${LETTER}])(?:${latin.toLowerCase()})${phaseWord}|(?:${w.other.join("|")})(?=\\s*(?:${PHASE_WORDS}|\\(|（))${phaseWord}?`,
      );
      this.kindPhases.push(phases.filter((p) => p.kind === kind && p.tasks.length));
    }
    if (sources.length) {
      // PERF: compiled once per set of kinds, not once per file.
      const key = sources.join("\u0000");
      this.kindRe = KIND_RE_CACHE.get(key) ?? new RegExp(sources.map((x) => `(${x})`).join("|"), "g");
      KIND_RE_CACHE.set(key, this.kindRe);
    }
  }

  /** The phases numbered `num` (or its sub-phases 3.1, 3.2 when there is no phase 3). */
  phaseIndexes(num: string): number[] {
    const n = normNumber(num);
    return this.phasesByNumber.get(n) ?? this.phasesByMajor.get(n) ?? [];
  }

  phaseRange(a: string, b: string | null): number[] {
    return this.numbered
      .filter((p) => cmpNumber(p.number, a) >= 0 && (b === null || cmpNumber(p.number, b) <= 0 || p.number.startsWith(`${b}.`)))
      .map((p) => p.index);
  }

  phaseTasks(index: number): number[] {
    return this.tasksOfPhase[index]!;
  }

  storyTasks(story: string): number[] {
    return this.tasksOfStory.get(story) ?? [];
  }

  private taskRange(a: string, b: string | null): { tasks: number[]; unknown: string[] } {
    const ka = idKey(a);
    const single = this.idIndex.get(a);
    if (b === null || !ka) return single !== undefined ? { tasks: [single], unknown: [] } : { tasks: [], unknown: this.schemes.has(schemeOf(a)) ? [a] : [] };
    const kb = /^\d+[a-z]*$/.test(b) ? { ...idKey(`x${b}`)!, prefix: ka.prefix } : idKey(b);
    if (!kb || kb.prefix !== ka.prefix) return { tasks: [], unknown: [] };
    const list = this.byPrefix.get(ka.prefix) ?? [];
    const lo = Math.min(ka.num, kb.num);
    const hi = Math.max(ka.num, kb.num);
    // Binary search for the first id at or above lo.
    let l = 0;
    let r = list.length;
    while (l < r) {
      const m = (l + r) >> 1;
      if (list[m]!.key.num < lo) l = m + 1;
      else r = m;
    }
    const out: number[] = [];
    for (let i = l; i < list.length && list[i]!.key.num <= hi; i++) {
      const k = list[i]!.key;
      // T005–T006 includes T005b but not T006a (a suffix after the upper end runs after it).
      if (k.num === hi && k.suffix && k.suffix !== kb.suffix && hi !== lo) continue;
      out.push(list[i]!.index);
    }
    return { tasks: out, unknown: [] };
  }

  /** Every reference in `text`, in order, without overlaps (phases and stories before ids). */
  refs(text: string): Ref[] {
    const out: Ref[] = [];
    const taken: [number, number][] = [];
    const free = (s: number, e: number) => !taken.some(([a, b]) => s < b && e > a);
    const push = (m: RegExpMatchArray, r: Omit<Ref, "pos" | "end" | "text">) => {
      const pos = m.index!;
      const end = pos + m[0].length;
      if (!free(pos, end)) return;
      taken.push([pos, end]);
      out.push({ pos, end, text: m[0], ...r });
    };
    for (const m of allMatches(PHASE_REF, text)) {
      let indexes: number[];
      if (m[1] ?? m[2]) indexes = this.phaseIndexes((m[1] ?? m[2])!);
      else {
        const list = m[3]!;
        indexes = [];
        // "3-5", "3, 4 and 5", "3–4 e 6": ranges and lists of numbers after one phase word.
        const parts = list.split(SEP_SPLIT);
        for (let i = 0; i < parts.length; i += 2) {
          const num = parts[i]!.replace(PHASE_WORD_RE, "").trim();
          const sep = parts[i + 1];
          if (sep !== undefined && RANGE_ONLY.test(sep)) {
            const to = parts[i + 2]!.replace(PHASE_WORD_RE, "").trim();
            indexes.push(...this.phaseRange(num, to));
            i += 2;
          } else indexes.push(...this.phaseIndexes(num));
        }
        if (m[4]) indexes.push(...this.phaseRange(/\d+(?:\.\d+)*/.exec(list)![0], null));
      }
      const uniq = [...new Set(indexes)];
      push(m, { tasks: concat(uniq.map((i) => this.tasksOfPhase[i]!)), units: uniq.map((index) => ({ type: "phase", index })), unknown: [] });
    }
    for (const m of allMatches(STORY_REF, text)) {
      const nums = [Number(m[1])];
      const rest = m[2] ?? "";
      const parts = rest.split(SEP_SPLIT).filter((p) => p !== "");
      for (let i = 0; i < parts.length; i += 2) {
        const n = Number(parts[i + 1]?.replace(/\D+/g, "") ?? NaN);
        if (!Number.isFinite(n)) continue;
        if (RANGE_ONLY.test(parts[i]!)) for (let k = nums[nums.length - 1]! + 1; k <= n; k++) nums.push(k);
        else nums.push(n);
      }
      const stories = [...new Set(nums)].map((n) => `US${n}`);
      push(m, {
        tasks: stories.length === 1 ? this.storyTasks(stories[0]!).slice() : [...new Set(concat(stories.map((s) => this.storyTasks(s))))],
        units: stories.map((id) => ({ type: "story", id })),
        unknown: [],
      });
    }
    for (const m of allMatches(QUANTIFIER_RE, text)) {
      let k = 1;
      while (m[k] === undefined) k++;
      push(m, { tasks: [], units: [], quantifier: QUANTIFIERS[k - 1]![0], unknown: [] });
    }
    if (this.kindRe) {
      for (const m of allMatches(this.kindRe, text)) {
        let k = 1;
        while (m[k] === undefined) k++;
        const phases = this.kindPhases[k - 1]!;
        push(m, { tasks: concat(phases.map((p) => this.tasksOfPhase[p.index]!)), units: phases.map((p) => ({ type: "phase", index: p.index })), unknown: [] });
      }
    }
    for (const m of allMatches(TASK_REF, text)) {
      const { tasks, unknown } = this.taskRange(m[1]!, m[2] ?? null);
      if (!tasks.length && !unknown.length) continue;
      push(m, { tasks, units: tasks.map((index) => ({ type: "task", index })), unknown });
    }
    return out.sort((x, y) => x.pos - y.pos);
  }

  /** Resolves a quantifier against the statement's subject (its phases and stories). */
  resolveQuantifier(q: Quantifier, subject: Unit[], contextPhase: number, contextTask: number): { tasks: number[]; units: Unit[] } {
    const subjectPhases = new Set<number>();
    const subjectStories = new Set<string>();
    for (const u of subject) {
      if (u.type === "phase") {
        subjectPhases.add(u.index);
        for (const s of this.phases[u.index]!.stories) subjectStories.add(s);
      } else if (u.type === "task") subjectPhases.add(this.tasks[u.index]!.phase);
      else {
        subjectStories.add(u.id);
        for (const p of this.phasesOfStory.get(u.id) ?? []) subjectPhases.add(p);
      }
    }
    const phasesOf = (ps: number[]) => ({ tasks: concat(ps.map((p) => this.tasksOfPhase[p]!)), units: ps.map((index) => ({ type: "phase" as const, index })) });
    switch (q) {
      case "allStories":
      case "otherStories": {
        if (this.storyPhases.length)
          return phasesOf(
            this.storyPhases.filter((p) => q === "allStories" || (!subjectPhases.has(p) && !this.phases[p]!.stories.some((s) => subjectStories.has(s)))),
          );
        const stories = this.stories.filter((s) => q === "allStories" || !subjectStories.has(s));
        return { tasks: [...new Set(concat(stories.map((s) => this.storyTasks(s))))], units: stories.map((id) => ({ type: "story" as const, id })) };
      }
      case "laterPhases":
      case "earlierPhases": {
        if (!subjectPhases.size) return { tasks: [], units: [] };
        let lo = Infinity;
        let hi = -Infinity;
        for (const p of subjectPhases) ((lo = Math.min(lo, p)), (hi = Math.max(hi, p)));
        return phasesOf(this.phases.filter((p) => p.tasks.length && (q === "laterPhases" ? p.index > hi : p.index < lo)).map((p) => p.index));
      }
      case "thisPhase":
        return contextPhase >= 0 ? phasesOf([contextPhase]) : { tasks: [], units: [] };
      case "thisTask":
        return contextTask >= 0 ? { tasks: [contextTask], units: [{ type: "task", index: contextTask }] } : { tasks: [], units: [] };
    }
  }
}
