// References in prose: task ids and id ranges, phases (by number, range, list or kind), user
// stories (by number, range or list), and words for "all stories", "later phases", "this phase".
// The index is built once per file: every lookup is a map access or a binary search, so reading a
// sentence costs its length, not the number of tasks.

import {
  ALL_STORIES, EARLIER_PHASES, KIND_WORDS, LATER_PHASES, OTHER_STORIES, PHASE_WORDS, STORY_WORDS, THIS_PHASE, THIS_TASK, alternation,
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

const WORD = (w: string) => `(?<![\\p{L}])(?:${w})(?![\\p{L}])`;
const RANGE = `\\s*(?:-|–|—|~|～|〜|\\.\\.|${WORD("to|through|thru|a|al|até|bis|до")}|至|到)\\s*`;
const LIST = `\\s*(?:,|、|，|/|&|\\+|${WORD("and|y|e|und|et|и")}|和|及|と|및)\\s*`;
/** Ids are Latin; the next character may be a CJK particle ("T007は"). */
const ID_START = "(?<![A-Za-z0-9_-])";
const ID_END = "(?![A-Za-z0-9_])";
const NUM = "\\d+(?:\\.\\d+)*";

const TASK_REF = new RegExp(`${ID_START}(${ID_SOURCE})(?:${RANGE}(${ID_SOURCE}|\\d+[a-z]*))?${ID_END}`, "gu");
const PHASE_REF = new RegExp(
  `(?:第\\s*(${NUM})\\s*(?:个|個)?\\s*(?:阶段|階段))|(?:(${NUM})\\s*단계)|(?:${PHASE_WORDS}\\s*(${NUM}(?:(?:${RANGE}|${LIST})(?:${PHASE_WORDS}\\s*)?${NUM})*)(\\+)?)`,
  "giu",
);
const STORY_REF = new RegExp(`(?<![A-Za-z])${STORY_WORDS}(\\d+)((?:(?:${RANGE}|${LIST})(?:${STORY_WORDS})?\\d+)*)(?![\\d])`, "giu");
const QUANTIFIERS: [Quantifier, RegExp][] = [
  ["otherStories", new RegExp(alternation(OTHER_STORIES), "giu")],
  ["allStories", new RegExp(`(?:${alternation(ALL_STORIES)})(?!\\s*\\d)`, "giu")],
  ["laterPhases", new RegExp(alternation(LATER_PHASES), "giu")],
  ["earlierPhases", new RegExp(alternation(EARLIER_PHASES), "giu")],
  ["thisPhase", new RegExp(alternation(THIS_PHASE), "giu")],
  ["thisTask", new RegExp(alternation(THIS_TASK), "giu")],
];

interface IdKey {
  prefix: string;
  num: number;
  suffix: string;
}

function idKey(id: string): IdKey | null {
  const m = /^(.*?)(\d+)([a-z]*)$/.exec(id);
  return m ? { prefix: m[1]!, num: Number(m[2]), suffix: m[3]! } : null;
}

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

export class RefIndex {
  readonly idIndex = new Map<string, number>();
  private readonly byPrefix = new Map<string, { key: IdKey; index: number }[]>();
  private readonly schemes: Set<string>;
  private readonly storyCache = new Map<string, number[]>();
  private readonly kindRefs: { kind: PhaseKind; re: RegExp }[] = [];

  constructor(readonly tasks: RawTask[], readonly phases: Phase[]) {
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
    for (const kind of ["setup", "foundational", "polish"] as const) {
      if (!phases.some((p) => p.kind === kind && p.tasks.length)) continue;
      const w = KIND_WORDS[kind];
      const phaseWord = `(?:\\s*(?:${PHASE_WORDS}|phase)(?!\\s*\\d))`;
      // English-like words count when capitalised or followed by "phase"; CJK ones only beside a phase word.
      this.kindRefs.push(
        { kind, re: new RegExp(`(?<![\\p{L}])(?:${w.latin.join("|")})(?![\\p{L}])${phaseWord}?`, "gu") },
        { kind, re: new RegExp(`(?<![\\p{L}])(?:${w.latin.join("|")})${phaseWord}`, "giu") },
        { kind, re: new RegExp(`(?:${w.other.join("|")})(?=\\s*(?:${PHASE_WORDS}|\\(|（))${phaseWord}?`, "gu") },
      );
    }
  }

  position(id: string): number {
    return this.idIndex.get(id) ?? -1;
  }

  /** Tasks of the phases numbered `num` (or its sub-phases 3.1, 3.2 when there is no phase 3). */
  phaseIndexes(num: string): number[] {
    // A heading repeated later without tasks (a checklist "Phase 8" section) is not the phase.
    const withTasks = (ps: Phase[]) => (ps.some((p) => p.tasks.length) ? ps.filter((p) => p.tasks.length) : ps);
    const exact = withTasks(this.phases.filter((p) => p.number !== null && cmpNumber(p.number, num) === 0));
    if (exact.length) return exact.map((p) => p.index);
    return withTasks(this.phases.filter((p) => p.number !== null && p.number.startsWith(`${num}.`))).map((p) => p.index);
  }

  phaseRange(a: string, b: string | null): number[] {
    return this.phases.filter((p) => p.tasks.length && p.number !== null && cmpNumber(p.number, a) >= 0 && (b === null || cmpNumber(p.number, b) <= 0 || p.number.startsWith(`${b}.`))).map((p) => p.index);
  }

  phaseTasks(index: number): number[] {
    return this.phases[index]!.tasks.map((id) => this.idIndex.get(id)!);
  }

  /** Tasks labelled USn, plus unlabelled tasks of a phase whose heading names USn. */
  storyTasks(story: string): number[] {
    let out = this.storyCache.get(story);
    if (!out) {
      const phases = new Set(this.phases.filter((p) => p.stories.includes(story)).map((p) => p.index));
      out = this.tasks.filter((t) => t.stories.includes(story) || (t.stories.length === 0 && phases.has(t.phase))).map((t) => t.index);
      this.storyCache.set(story, out);
    }
    return out;
  }

  storyIds(): string[] {
    const all = new Set<string>();
    for (const t of this.tasks) for (const s of t.stories) all.add(s);
    for (const p of this.phases) for (const s of p.stories) all.add(s);
    return [...all];
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
    for (const m of text.matchAll(PHASE_REF)) {
      let indexes: number[];
      if (m[1] ?? m[2]) indexes = this.phaseIndexes((m[1] ?? m[2])!);
      else {
        const list = m[3]!;
        indexes = [];
        // "3-5", "3, 4 and 5", "3–4 e 6": ranges and lists of numbers after one phase word.
        const parts = list.split(new RegExp(`(${RANGE}|${LIST})`, "iu"));
        for (let i = 0; i < parts.length; i += 2) {
          const num = parts[i]!.replace(new RegExp(PHASE_WORDS, "iu"), "").trim();
          const sep = parts[i + 1];
          if (sep !== undefined && new RegExp(`^${RANGE}$`, "iu").test(sep)) {
            const to = parts[i + 2]!.replace(new RegExp(PHASE_WORDS, "iu"), "").trim();
            indexes.push(...this.phaseRange(num, to));
            i += 2;
          } else indexes.push(...this.phaseIndexes(num));
        }
        if (m[4]) indexes.push(...this.phaseRange(/\d+(?:\.\d+)*/.exec(list)![0], null));
      }
      const uniq = [...new Set(indexes)];
      push(m, { tasks: uniq.flatMap((i) => this.phaseTasks(i)), units: uniq.map((index) => ({ type: "phase", index })), unknown: [] });
    }
    for (const m of text.matchAll(STORY_REF)) {
      const nums = [Number(m[1])];
      const rest = m[2] ?? "";
      const parts = rest.split(new RegExp(`(${RANGE}|${LIST})`, "iu")).filter((p) => p !== "");
      for (let i = 0; i < parts.length; i += 2) {
        const n = Number(parts[i + 1]?.replace(/\D+/g, "") ?? NaN);
        if (!Number.isFinite(n)) continue;
        if (new RegExp(`^${RANGE}$`, "iu").test(parts[i]!)) for (let k = nums[nums.length - 1]! + 1; k <= n; k++) nums.push(k);
        else nums.push(n);
      }
      const stories = [...new Set(nums)].map((n) => `US${n}`);
      push(m, { tasks: [...new Set(stories.flatMap((s) => this.storyTasks(s)))], units: stories.map((id) => ({ type: "story", id })), unknown: [] });
    }
    for (const [quantifier, re] of QUANTIFIERS) for (const m of text.matchAll(re)) push(m, { tasks: [], units: [], quantifier, unknown: [] });
    for (const { kind, re } of this.kindRefs) {
      const phases = this.phases.filter((p) => p.kind === kind && p.tasks.length);
      for (const m of text.matchAll(re)) push(m, { tasks: phases.flatMap((p) => this.phaseTasks(p.index)), units: phases.map((p) => ({ type: "phase", index: p.index })), unknown: [] });
    }
    for (const m of text.matchAll(TASK_REF)) {
      const { tasks, unknown } = this.taskRange(m[1]!, m[2] ?? null);
      if (!tasks.length && !unknown.length) continue;
      push(m, { tasks, units: tasks.map((index) => ({ type: "task", index })), unknown });
    }
    return out.sort((x, y) => x.pos - y.pos);
  }

  /** Resolves a quantifier against the statement's subject (its phases and stories). */
  resolveQuantifier(q: Quantifier, subject: Unit[], contextPhase: number, contextTask: number): { tasks: number[]; units: Unit[] } {
    const storyPhases = this.phases.filter((p) => p.kind === "story" && p.tasks.length);
    const subjectPhases = new Set(subject.flatMap((u) => (u.type === "phase" ? [u.index] : u.type === "task" ? [this.tasks[u.index]!.phase] : this.phases.filter((p) => p.stories.includes(u.id)).map((p) => p.index))));
    const subjectStories = new Set(subject.flatMap((u) => (u.type === "story" ? [u.id] : u.type === "phase" ? this.phases[u.index]!.stories : [])));
    const phasesOf = (ps: Phase[]) => ({ tasks: ps.flatMap((p) => this.phaseTasks(p.index)), units: ps.map((p) => ({ type: "phase" as const, index: p.index })) });
    switch (q) {
      case "allStories":
      case "otherStories": {
        const stories = this.storyIds().filter((s) => q === "allStories" || !subjectStories.has(s));
        if (storyPhases.length) return phasesOf(storyPhases.filter((p) => q === "allStories" || (!subjectPhases.has(p.index) && !p.stories.some((s) => subjectStories.has(s)))));
        return { tasks: [...new Set(stories.flatMap((s) => this.storyTasks(s)))], units: stories.map((id) => ({ type: "story" as const, id })) };
      }
      case "laterPhases":
      case "earlierPhases": {
        if (!subjectPhases.size) return { tasks: [], units: [] };
        const lo = Math.min(...subjectPhases);
        const hi = Math.max(...subjectPhases);
        return phasesOf(this.phases.filter((p) => p.tasks.length && (q === "laterPhases" ? p.index > hi : p.index < lo)));
      }
      case "thisPhase":
        return contextPhase >= 0 ? phasesOf([this.phases[contextPhase]!]) : { tasks: [], units: [] };
      case "thisTask":
        return contextTask >= 0 ? { tasks: [contextTask], units: [{ type: "task", index: contextTask }] } : { tasks: [], units: [] };
    }
  }
}
