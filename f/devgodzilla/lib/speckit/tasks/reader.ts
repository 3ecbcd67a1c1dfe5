// Reading one dependency sentence into relations, from its structure:
//   1. references (ids, ranges, phases, stories, "all user stories"…) and marker words (relation
//      verbs and prepositions, negation, parallelism, hedges, arrows) are found by position;
//   2. references joined only by list words ("T001, T002 and T003", "Fases 3 e 4", "T014、T015")
//      form one group; the sentence is cut into clauses at "because", "but", ";", " - "…;
//   3. in a clause with one relation word, its form says which group is the subject and which the
//      other side (verb between them, preposition before the other side, postposition after it,
//      particles for Japanese/Korean verbs), and its class says which runs first;
//   4. negation turns "depends on" into independence; "can run in parallel" relates the groups it
//      names without ordering them; hedges ("may", "or"), a missing side, two candidate subjects or
//      an overlap make the clause uncertain: it is reported, never guessed.

import {
  AGENT,
  allMatches,
  concat,
  CONJUNCTIONS,
  CUT_WORDS,
  DISJUNCTION,
  HEDGE,
  MODAL,
  NEGATION_AFTER_CJK,
  NEGATION_BEFORE_CJK,
  NEGATION_LATIN,
  NONE,
  OBJECT_PARTICLE,
  PARALLEL,
  PARALLEL_SYMBOLS,
  PROHIBITION_FUSED,
  QUALIFIERS,
  RELATION_WORDS,
  SEQUENCE,
  SUBJECT_PARTICLE,
  THEN,
  alternation,
  type MarkerForm,
  type RelationClass,
} from "./lexicon.ts";
import type { Quantifier, Ref, RefIndex, Unit } from "./refs.ts";

/** One side of a relation: the tasks it stands for and what they were named as. */
export interface Side {
  tasks: number[];
  units: Unit[];
  /** Named one by one (not "all stories" / "later phases"). */
  specific: boolean;
  text: string;
}

export type Reading =
  /** `after` runs after `before`. */
  | { type: "order"; before: Side; after: Side }
  /** The sides run beside each other (pairwise between all of them). */
  | { type: "parallel"; sides: Side[] }
  /** The subject states it has no dependencies ("Dependencies: none", "No dependencies"). */
  | { type: "none"; subject: Side }
  | { type: "uncertain"; why: string };

export interface ReadContext {
  /** Subject for clauses that name none (the task a line belongs to, or a label above the line). */
  implicit?: Side;
  /** Use `implicit` only when the relation word leads its clause ("**Depends on**: Phase 2"); never for "in parallel". */
  implicitWhenLed?: boolean;
  contextPhase: number;
  contextTask: number;
}

// ---------------------------------------------------------------------------------------------
// Markers

type Mark =
  | { t: "rel"; cls: RelationClass; form: MarkerForm; pos: number; end: number }
  | {
      t: "par" | "seq" | "neg" | "negAfter" | "negBefore" | "prohibit" | "modal" | "hedge" | "disj" | "none" | "agent" | "right" | "left" | "cut";
      pos: number;
      end: number;
    };

const rx = (src: string, flags = "gi") => new RegExp(src, flags);
type MarkKind = { t: Mark["t"]; cls?: RelationClass; form?: MarkerForm };
/**
 * Every marker in one regex, one capture group per kind, scanned once per line. At one position
 * the first kind that matches wins, so longer forms come first ("cannot" before "can", "depends:"
 * before "depends on", "依存関係" before "依存", "después de" before "después").
 */
const KINDS: [MarkKind, string][] = [
  [{ t: "prohibit" }, alternation(PROHIBITION_FUSED)],
  ...(["noun", "svo", "prep", "post", "sov"] as const).flatMap((form) =>
    RELATION_WORDS.filter((r) => r.form === form).map((r): [MarkKind, string] => [{ t: "rel", cls: r.cls, form }, alternation(r.words)]),
  ),
  [{ t: "par" }, `${alternation(PARALLEL)}|${PARALLEL_SYMBOLS.join("|")}`],
  [{ t: "seq" }, alternation(SEQUENCE)],
  [{ t: "right" }, `${alternation(THEN)}|-{1,2}>|={1,2}>|→|⟶|⇒|⟹|↓|⬇|➜|➔`],
  [{ t: "left" }, "<-{1,2}|←|⟵|⇐"],
  [{ t: "cut" }, `${alternation(CUT_WORDS)}|[;；。！!？?]|\\.(?=\\s|$)|\\s[-–—]\\s`],
  [{ t: "neg" }, alternation(NEGATION_LATIN)],
  [{ t: "negBefore" }, NEGATION_BEFORE_CJK.join("|")],
  [{ t: "negAfter" }, NEGATION_AFTER_CJK.join("|")],
  [{ t: "modal" }, alternation(MODAL)],
  [{ t: "hedge" }, alternation(HEDGE)],
  [{ t: "disj" }, alternation(DISJUNCTION)],
  [{ t: "agent" }, AGENT.join("|")],
];
const MARK_RE = rx(KINDS.map(([, src]) => `(${src})`).join("|"));
/** Only the kinds that can carry a relation, without captures: the cheap test every line gets first. */
const ORDERING_RE = rx(
  KINDS.filter(([k]) => ["rel", "par", "seq", "right", "left"].includes(k.t))
    .map(([, src]) => src)
    .join("|"),
  "i",
);
const NONE_RE = rx(`^\\s*(?:on|of|de|d[aeo]s?|von|от|[:：])?\\s*[(（]?\\s*(?:${alternation(NONE)})\\s*[)）]?\\s*[.。]?\\s*$`, "i");
const JOIN_RE = rx(
  `^(?:[\\s,、，/&+()（）\\[\\]【】「」]|${alternation(CONJUNCTIONS)}|${alternation(["all", "todas?", "todos", "alle", "все", "すべて"])})*$`,
  "i",
);
const QUALIFY_RE = rx(`^\\s*(?:${alternation(QUALIFIERS)})\\s*$`, "i");
const DISJ_IN = rx(`${alternation(DISJUNCTION)}`, "i");
const ORDERING = new Set<Mark["t"]>(["rel", "par", "seq", "right", "left"]);

/** Markers of `text` by position (one scan), none inside a reference. */
function findMarks(text: string): Mark[] {
  const out: Mark[] = [];
  for (const m of allMatches(MARK_RE, text)) {
    if (!m[0].length) continue;
    let k = 1;
    while (m[k] === undefined) k++;
    const kind = KINDS[k - 1]![0];
    out.push({ t: kind.t, cls: kind.cls, form: kind.form, pos: m.index!, end: m.index! + m[0].length } as Mark);
  }
  return out;
}

function outsideRefs(marks: Mark[], refs: Ref[]): Mark[] {
  let refI = 0;
  return marks.filter((m) => {
    while (refI < refs.length && refs[refI]!.end <= m.pos) refI++;
    return !(refI < refs.length && refs[refI]!.pos < m.end);
  });
}

// ---------------------------------------------------------------------------------------------
// Groups

interface Group {
  refs: Ref[];
  pos: number;
  end: number;
  /** Joined by "or": a relation to it is not certain. */
  disjunctive: boolean;
}

const stripParens = (s: string) => s.replace(/[(（][^()（）]*[)）]/g, " ");

function groupRefs(text: string, refs: Ref[], marks: Mark[]): Group[] {
  const groups: Group[] = [];
  let markI = 0;
  for (const r of refs) {
    const g = groups[groups.length - 1];
    if (g) {
      const gap = text.slice(g.end, r.pos);
      while (markI < marks.length && marks[markI]!.end <= g.end) markI++;
      const markBetween = marks.slice(markI).some((m) => m.pos >= g.end && m.end <= r.pos && m.t !== "disj" && m.t !== "modal" && m.t !== "hedge");
      if (!markBetween && QUALIFY_RE.test(gap) && r.tasks.length > 0 && g.refs[g.refs.length - 1]!.units.every((u) => u.type === "task")) {
        // "T014 from US1": US1 only says where T014 is.
        g.end = r.end;
        continue;
      }
      const plain = stripParens(gap).replace(DISJ_IN, " ");
      if (!markBetween && JOIN_RE.test(plain)) {
        g.refs.push(r);
        g.end = r.end;
        if (DISJ_IN.test(stripParens(gap))) g.disjunctive = true;
        continue;
      }
    }
    groups.push({ refs: [r], pos: r.pos, end: r.end, disjunctive: false });
  }
  return groups;
}

// ---------------------------------------------------------------------------------------------
// Reading

export class StatementReader {
  /** Mermaid node labels (`A[Phase 1: Setup]`), remembered across the lines of one file. */
  private readonly mermaidNodes = new Map<string, string>();

  constructor(private readonly index: RefIndex) {}

  read(rawText: string, ctx: ReadContext): Reading[] {
    if (!ORDERING_RE.test(rawText)) return [];
    const text = this.clean(rawText);
    // Words first (one scan), references only when some word can carry a relation.
    const found = findMarks(text);
    if (!found.some((m) => ORDERING.has(m.t))) return [];
    const refs = this.index.refs(text);
    if (!refs.length) return this.statesNone(text, found, ctx);
    const marks = outsideRefs(found, refs);
    // A leading group followed by ":" / " - " / "→" is the line's subject ("**US2 (P2)**: Depends on US1").
    const label = this.leadingLabel(text, refs, marks);
    const clauseCtx: ReadContext = label ? { ...ctx, implicit: label.side, implicitWhenLed: false } : ctx;
    const out: Reading[] = [];
    // Words inside a parenthesis that names nothing ("(needs blocking first)", "(不同文件,无依赖)") are an aside.
    const asides = allMatches(/[(（][^()（）]*[)）]/g, text)
      .map((m) => ({ pos: m.index!, end: m.index! + m[0].length }))
      .filter((a) => !refs.some((r) => r.pos >= a.pos && r.end <= a.end));
    const visible = marks.filter((m) => m.t === "cut" || !asides.some((a) => m.pos >= a.pos && m.end <= a.end));
    for (const clause of clauses(text, label ? label.end : 0, marks)) {
      const cRefs = refs.filter((r) => r.pos >= clause.pos && r.end <= clause.end);
      const cMarks = visible.filter((m) => m.pos >= clause.pos && m.end <= clause.end && m.t !== "cut");
      if (!cMarks.some((m) => m.t === "rel" || m.t === "par" || m.t === "seq" || m.t === "right" || m.t === "left")) continue;
      out.push(...this.readClause(text, clause, cRefs, cMarks, clauseCtx));
    }
    return out;
  }

  /** "Dependencies: none", "No dependencies", "依存なし": the line's subject states it has none. */
  private statesNone(text: string, marks: Mark[], ctx: ReadContext): Reading[] {
    if (!ctx.implicit) return [];
    const rel = marks.find((m) => m.t === "rel" && m.cls === "dep");
    if (!rel) return [];
    return negated(text, marks, rel) || NONE_RE.test(text.slice(rel.end, nextBreak(text, rel.end))) ? [{ type: "none", subject: ctx.implicit }] : [];
  }

  private leadingLabel(text: string, refs: Ref[], marks: Mark[]): { side: Side; end: number } | undefined {
    const lead = /^\s*(?:[-*+•>]|\d+[.)])?\s*/.exec(text)![0].length;
    if (!refs.length || refs[0]!.pos > lead + 1) return undefined;
    const groups = groupRefs(text, refs, marks);
    const g = groups[0]!;
    // A group that ends inside a parenthesis ("Phase 8 (Polish & Integration)") continues after it.
    let end = g.end;
    const head = text.slice(0, end);
    if ((head.match(/[(（]/g) ?? []).length > (head.match(/[)）]/g) ?? []).length) {
      const close = text.slice(end).search(/[)）]/);
      if (close >= 0) end += close + 1;
    }
    const after = /^[\s)）\]」』]*(?:[(（][^()（）]*[)）]\s*)*(?::|：|\s[-–—]\s|→|->|←|<-|⇒)/u.exec(text.slice(end));
    if (!after) return undefined;
    // "A → B" with nothing else is a chain, not a label.
    if (/[→←]|->|<-|⇒/.test(after[0]) && !marks.some((m) => m.pos >= g.end && (m.t === "rel" || m.t === "par" || m.t === "neg" || m.t === "negAfter")))
      return undefined;
    const side = this.side(g.refs, [], ctx0);
    return side.tasks.length ? { side, end: end + after[0].length } : undefined;
  }

  private readClause(text: string, clause: Span, refs: Ref[], marks: Mark[], ctx: ReadContext): Reading[] {
    const groups = groupRefs(text, refs, marks);
    let rels = marks.filter((m): m is Extract<Mark, { t: "rel" }> => m.t === "rel");
    if (rels.length > 1) {
      // "测试依赖 … (依赖 T080-T084)", "Needs the base (T001 完了後)": each group belongs to the nearest
      // relation word that takes a group on that side; a relation word left without one is just a word.
      const takes = new Set<Mark>();
      for (const g of groups) {
        let best: Mark | undefined;
        let dist = Infinity;
        for (const r of rels) {
          const d = r.form === "post" || r.form === "sov" ? (g.end <= r.pos ? r.pos - g.end : Infinity) : g.pos >= r.end ? g.pos - r.end : Infinity;
          if (d < dist) ((dist = d), (best = r));
        }
        if (best) takes.add(best);
      }
      const named = rels.filter((r) => takes.has(r));
      if (named.length) rels = named;
    }
    const has = (t: Mark["t"]) => marks.some((m) => m.t === t);
    const hedged = has("hedge") || DISJ_AT_START.test(text.slice(clause.pos, clause.end)) || /[?？]/.test(text.slice(clause.pos, clause.end + 1));
    if (rels.length === 0) {
      if (has("right") || has("left")) return this.chain(text, groups, marks, hedged, ctx);
      if (has("seq")) return this.sequence(groups, hedged, ctx);
      if (has("par")) return this.parallel(text, groups, marks, ctx);
      return [];
    }
    if (rels.length > 1) return this.coordinated(text, clause, refs, marks, rels, ctx, hedged);
    return this.relation(text, groups, marks, rels[0]!, ctx, hedged);
  }

  /** Several relation words: "Depends on Phase 1 and blocks all user stories" — one clause per word. */
  private coordinated(
    text: string,
    clause: Span,
    refs: Ref[],
    marks: Mark[],
    rels: Extract<Mark, { t: "rel" }>[],
    ctx: ReadContext,
    hedged: boolean,
  ): Reading[] {
    const out: Reading[] = [];
    let start = clause.pos;
    let subject: Side | undefined;
    for (let k = 0; k < rels.length; k++) {
      let end = clause.end;
      if (k + 1 < rels.length) {
        const between = text.slice(rels[k]!.end, rels[k + 1]!.pos);
        const joins = allMatches(SPLIT_RE, between);
        const split = joins.length ? rels[k]!.end + joins[joins.length - 1]!.index! : -1;
        if (split < 0 || !refs.some((r) => r.pos >= rels[k]!.end && r.end <= split))
          return [{ type: "uncertain", why: "several relation words and no way to tell which names what" }];
        end = split;
      }
      const sub = { pos: start, end };
      const subGroups = groupRefs(
        text,
        refs.filter((r) => r.pos >= sub.pos && r.end <= sub.end),
        marks,
      );
      const subMarks = marks.filter((m) => m.pos >= sub.pos && m.end <= sub.end);
      const readings = this.relation(text, subGroups, subMarks, rels[k]!, { ...ctx, implicit: subject ?? ctx.implicit }, hedged);
      if (k === 0) {
        const first = readings.find((r) => r.type === "order" || r.type === "parallel");
        subject = first?.type === "order" ? (rels[0]!.cls === "blk" && !negated(text, subMarks, rels[0]!) ? first.before : first.after) : undefined;
      }
      out.push(...readings);
      start = end;
    }
    return out;
  }

  private relation(text: string, groups: Group[], marks: Mark[], rel: Extract<Mark, { t: "rel" }>, ctx: ReadContext, hedged: boolean): Reading[] {
    const before = groups.filter((g) => g.end <= rel.pos);
    const after = groups.filter((g) => g.pos >= rel.end);
    const afterMain = after.filter((g, i) => i === 0 || !inParens(text, after[0]!.end, g.pos));
    let subjectG: Group | undefined;
    let otherG: Group | undefined;
    let why = "";
    switch (rel.form) {
      case "svo":
      case "noun": {
        const agentG = before.find((g) => marks.some((m) => m.t === "agent" && m.end <= g.pos && text.slice(m.end, g.pos).trim() === ""));
        if (agentG && before.length === 2) {
          // "A 被 B 阻塞": B does the blocking, as if "B 阻塞 A".
          subjectG = agentG;
          otherG = before.find((g) => g !== agentG);
          break;
        }
        if (before.length > 1) why = "two groups before the relation word";
        subjectG = before[before.length - 1];
        otherG = afterMain[0];
        if (afterMain.length > 1) why = "more than one group after the relation word";
        break;
      }
      case "prep":
        otherG = after[0];
        subjectG = before[before.length - 1] ?? after[1];
        if (!before.length && after.length === 1 && !ctx.implicit) {
          // "After T004, T006 can start": a fronted phrase ends at its comma.
          const split = splitAtComma(text, after[0]!);
          if (split) [otherG, subjectG] = split;
        }
        if (before.length && after.length > 1 && !inParens(text, after[0]!.end, after[1]!.pos)) why = "groups on both sides of the marked one";
        break;
      case "post":
        otherG = before[before.length - 1];
        subjectG = before.length > 1 ? before[before.length - 2] : after[0];
        if (before.length > 1 && after.length) why = "groups on both sides";
        break;
      case "sov": {
        const roles = this.sovRoles(text, before, marks);
        if ("why" in roles) why = roles.why;
        else ({ subjectG, otherG } = roles);
        break;
      }
    }
    if (why) return [{ type: "uncertain", why: hedged ? HEDGED : why }];
    const neg = negated(text, marks, rel);
    // "No story can start before X" / "在X之前, 不能开始 Y": a prohibition anywhere around a preposition.
    const around = (m: Mark) => rel.form === "prep" || rel.form === "post" || m.end <= rel.pos;
    const prohibition =
      marks.some((m) => m.t === "prohibit" && around(m)) || (marks.some((m) => m.t === "neg" && around(m)) && marks.some((m) => m.t === "modal" && around(m)));
    const negAround = neg || (prohibition && (rel.form === "prep" || rel.form === "post"));
    const led = !/[\p{L}\p{N}]/u.test(text.slice(0, rel.pos).replace(/^\s*(?:[-*+•>]|\d+[.)])?/, ""));
    const subject = subjectG ? this.side(subjectG.refs, [], ctx) : ctx.implicitWhenLed && !led ? undefined : ctx.implicit;
    if (!subject || !subject.tasks.length) return otherG ? [{ type: "uncertain", why: "names what is depended on but not what depends on it" }] : [];
    const out: Reading[] = [];
    if (marks.some((m) => m.t === "par") && subject.units.length > 1) out.push({ type: "parallel", sides: splitSide(subject, this.unitName) });
    if (!otherG) {
      if (rel.cls === "dep" && (negAround || NONE_RE.test(text.slice(rel.end, nextBreak(text, rel.end))))) out.push({ type: "none", subject });
      return out;
    }
    const other = this.side(otherG.refs, subject.units, ctx);
    if (!other.tasks.length) return [...out, { type: "uncertain", why: `"${other.text}" names no task` }];
    if (overlaps(other.tasks, subject.tasks)) return [...out, { type: "uncertain", why: "both sides name the same tasks" }];
    let cls = rel.cls;
    if (negAround) {
      if (cls === "until" || (cls === "blk" && rel.form !== "svo" && prohibition)) cls = "dep";
      else if (cls === "dep" || (cls === "blk" && rel.form === "svo")) return [...out, { type: "parallel", sides: [subject, other] }];
      else return [...out, { type: "uncertain", why: "a negated ordering whose direction is not certain" }];
    } else if (cls === "until") return [...out, { type: "uncertain", why: '"until" without a negation' }];
    if (hedged) return [...out, { type: "uncertain", why: HEDGED }];
    if (subjectG?.disjunctive || otherG.disjunctive) return [...out, { type: "uncertain", why: 'a list joined by "or"' }];
    out.push(cls === "dep" ? { type: "order", before: other, after: subject } : { type: "order", before: subject, after: other });
    return out;
  }

  /** Japanese/Korean verb after both groups: particles say which is the subject. */
  private sovRoles(text: string, before: Group[], marks: Mark[]): { subjectG?: Group; otherG?: Group } | { why: string } {
    const role = (g: Group) => {
      const next = text.slice(g.end, g.end + 40);
      if (marks.some((m) => m.t === "agent" && m.pos >= g.end && m.pos <= g.end + 2)) return "subject";
      if (OBJECT_PARTICLE.test(next)) return "object";
      if (SUBJECT_PARTICLE.test(next)) return "subject";
      return "none";
    };
    const near = before.slice(-2);
    if (near.length === 2) {
      const [a, b] = near.map(role);
      if (a === "object" && b !== "object") return { subjectG: near[1], otherG: near[0] };
      if (b === "object" && a !== "object") return { subjectG: near[0], otherG: near[1] };
      if (a === "subject" && b !== "subject") return { subjectG: near[0], otherG: near[1] };
      if (b === "subject" && a !== "subject") return { subjectG: near[1], otherG: near[0] };
      return { why: "no particle says which group is which" };
    }
    if (near.length === 1) return role(near[0]!) === "subject" ? { subjectG: near[0] } : { otherG: near[0] };
    return {};
  }

  /** "A → B → C", "B ← A", "A, then B": each arrow orders the groups next to it. */
  private chain(text: string, groups: Group[], marks: Mark[], hedged: boolean, ctx: ReadContext): Reading[] {
    const arrows = marks.filter((m) => m.t === "right" || m.t === "left");
    const out: Reading[] = [];
    // Parallel inside a segment ("T010 ║ T015 → T016").
    const segments: Group[][] = [];
    let seg: Group[] = [];
    let ai = 0;
    for (const g of groups) {
      while (ai < arrows.length && arrows[ai]!.end <= g.pos) {
        segments.push(seg);
        seg = [];
        ai++;
      }
      seg.push(g);
    }
    segments.push(seg);
    while (ai++ < arrows.length) segments.push([]);
    for (const s of segments)
      if (s.length > 1 && marks.some((m) => m.t === "par" && m.pos > s[0]!.pos && m.end < s[s.length - 1]!.end))
        out.push({ type: "parallel", sides: s.map((g) => this.side(g.refs, [], ctx)) });
    for (let i = 0; i + 1 < segments.length; i++) {
      const left = segments[i]![segments[i]!.length - 1];
      const right = segments[i + 1]![0];
      if (!left || !right) continue;
      const l = this.side(left.refs, [], ctx);
      const r = this.side(right.refs, [], ctx);
      if (!l.tasks.length || !r.tasks.length) continue;
      const [before, after] = arrows[i]!.t === "right" ? [l, r] : [r, l];
      if (hedged) {
        if (!out.some((o) => o.type === "uncertain")) out.push({ type: "uncertain", why: HEDGED });
      } else if (minOf(before.tasks) >= minOf(after.tasks))
        out.push({ type: "uncertain", why: `the arrow ${before.text} → ${after.text} points backwards in the file; its direction is not certain` });
      else out.push({ type: "order", before, after });
    }
    return out;
  }

  /** "T008, T009 and T010 run sequentially": one listed group, in the listed order. */
  private sequence(groups: Group[], hedged: boolean, ctx: ReadContext): Reading[] {
    if (groups.length !== 1 || groups[0]!.refs.length < 2) return [];
    const sides = groups[0]!.refs.map((r) => this.side([r], [], ctx));
    if (hedged) return [{ type: "uncertain", why: HEDGED }];
    for (let i = 0; i + 1 < sides.length; i++)
      if (minOf(sides[i]!.tasks) >= minOf(sides[i + 1]!.tasks)) return [{ type: "uncertain", why: "a sequence listed out of document order" }];
    return sides.slice(1).map((s, i) => ({ type: "order" as const, before: sides[i]!, after: s }));
  }

  /** "Phase 7 and Phase 8 can run in parallel", "T010 can run in parallel with T014". */
  private parallel(text: string, groups: Group[], marks: Mark[], ctx: ReadContext): Reading[] {
    const pars = marks.filter((m) => m.t === "par");
    // "cannot run in parallel", "不能并行", "並行不可": a negation right next to the parallel word.
    const near = (p: Mark) =>
      marks.some(
        (m) =>
          (m.t === "neg" || m.t === "prohibit" || m.t === "negBefore") && m.end <= p.pos && p.pos - m.end <= 12 && !/[,，、]/.test(text.slice(m.end, p.pos)),
      ) || marks.some((m) => (m.t === "negAfter" || m.t === "neg") && m.pos >= p.end && m.pos - p.end <= 3);
    if (pars.some(near)) return [{ type: "uncertain", why: "says some things may not run in parallel, without saying which runs first" }];
    // "T089-T093 可以并行, T094-T096 可以并行": each parallel word takes the groups since the previous one.
    const out: Reading[] = [];
    for (let k = 0; k < pars.length; k++) {
      const lo = k === 0 ? -1 : pars[k - 1]!.end;
      const mine = pars.length === 1 ? groups : groups.filter((g) => g.pos >= lo && (g.end <= pars[k]!.pos || k === pars.length - 1));
      const sides = dedupe(mine.flatMap((g) => splitSide(this.side(g.refs, ctx.implicit?.units ?? [], ctx), this.unitName)));
      if (sides.length === 1 && ctx.implicit && !ctx.implicitWhenLed && !sameUnits(ctx.implicit, sides[0]!)) sides.unshift(ctx.implicit);
      if (sides.length > 1) out.push({ type: "parallel", sides });
    }
    return out;
  }

  /** Markdown out of the way: emphasis, code spans (ids inside them stay), mermaid node ids → labels. */
  clean(text: string): string {
    let t = text.replace(/`([^`]*)`/g, (_, c: string) => (/^\s*[A-Z][\w.-]*\d[\w.-]*\s*$/.test(c) ? c : " ".repeat(c.length + 2)));
    t = t.replace(/\*\*|__/g, "").replace(/<\/?[a-z][^>]*>/gi, " ");
    if (/-->|==>|-\.->/.test(t)) t = this.mermaidLabels(t);
    return t;
  }

  /** `A[Phase 1: Setup] --> B[...]`: node ids take their labels. */
  private mermaidLabels(text: string): string {
    const node = /\b([A-Za-z]\w*)\s*[[({]+([^\])}]+)[\])}]+/g;
    for (const m of allMatches(node, text)) this.mermaidNodes.set(m[1]!, m[2]!);
    return text
      .replace(node, (_, _id: string, label: string) => ` ${label} `)
      .replace(/(^|-->|---|==>|-\.->|;|\s)\s*([A-Za-z]\w*)(?=\s*(?:-->|---|==>|-\.->|;|$))/g, (all, pre: string, id: string) =>
        this.mermaidNodes.has(id) ? `${pre} ${this.mermaidNodes.get(id)} ` : all,
      );
  }

  private readonly unitName = (u: Unit): string => {
    if (u.type === "task") return this.index.tasks[u.index]!.id;
    if (u.type === "story") return u.id;
    const p = this.index.phases[u.index]!;
    return p.number ? `Phase ${p.number}` : p.title;
  };

  /** Resolves a group's references (quantifiers against the subject's units). */
  side(refs: Ref[], subjectUnits: Unit[], ctx: ReadContext): Side {
    const lists: number[][] = [];
    const units: Unit[] = [];
    let specific = true;
    for (const r of refs) {
      if (r.quantifier) {
        const q = this.index.resolveQuantifier(r.quantifier, subjectUnits, ctx.contextPhase, ctx.contextTask);
        if (!QUANTIFIER_SPECIFIC.has(r.quantifier)) specific = false;
        lists.push(q.tasks);
        units.push(...q.units);
      } else {
        lists.push(r.tasks);
        units.push(...r.units);
      }
    }
    const tasks = lists.length === 1 ? lists[0]! : [...new Set(concat(lists))];
    return { tasks, units, specific, text: refs.map((r) => r.text).join(", ") };
  }
}

const HEDGED = "hedged (may, if, or, optional…)";
const QUANTIFIER_SPECIFIC = new Set<Quantifier>(["thisPhase", "thisTask"]);
const ctx0: ReadContext = { contextPhase: -1, contextTask: -1 };
const DISJ_AT_START = rx(`^\\s*(?:[-*+•]\\s*)?(?:${alternation(DISJUNCTION)})\\s`, "iu");
const SPLIT_RE = rx(`,|、|，|\\s(?:and|y|e|und|et|и)\\s|和|并且|而且|且|そして|및|그리고`);

/** Each unit of a side as its own side (for pairwise parallel statements). */
function splitSide(s: Side, name: (u: Unit) => string): Side[] {
  if (s.units.length <= 1) return [s];
  return s.units.map((u) => ({ tasks: [], units: [u], specific: s.specific, text: name(u) }));
}

const unitKey = (u: Unit) => (u.type === "story" ? `s${u.id}` : `${u.type[0]}${u.index}`);
const sameUnits = (a: Side, b: Side) => a.units.length === b.units.length && a.units.every((u, i) => unitKey(u) === unitKey(b.units[i]!));
function dedupe(sides: Side[]): Side[] {
  const seen = new Set<string>();
  return sides.filter((s) => {
    const k = s.units.map(unitKey).join(",");
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

const NEG_INSIDE = rx(alternation(NEGATION_LATIN), "i");
function negated(text: string, marks: Mark[], rel: Mark): boolean {
  if (rel.t === "rel" && NEG_INSIDE.test(text.slice(rel.pos, rel.end))) return true;
  for (const m of marks) {
    if ((m.t === "neg" || m.t === "prohibit") && m.end <= rel.pos) return true;
    if (m.t === "negBefore" && m.end <= rel.pos && rel.pos - m.end <= 2) return true;
    if (m.t === "negAfter" && m.pos >= rel.end && m.pos - rel.end <= 4) return true;
  }
  return false;
}

function inParens(text: string, from: number, to: number): boolean {
  const between = text.slice(from, to);
  const open = (between.match(/[(（]/g) ?? []).length;
  const close = (between.match(/[)）]/g) ?? []).length;
  return open > close;
}

function nextBreak(text: string, from: number): number {
  const m = /[;；。]|\s[-–—]\s/.exec(text.slice(from));
  return m ? from + m.index : text.length;
}

interface Span {
  pos: number;
  end: number;
}

function clauses(text: string, from: number, marks: Mark[]): Span[] {
  const out: Span[] = [];
  let pos = from;
  for (const m of marks) {
    if (m.t !== "cut" || m.pos < from) continue;
    if (m.pos > pos) out.push({ pos, end: m.pos });
    pos = m.end;
  }
  if (pos < text.length) out.push({ pos, end: text.length });
  return out;
}

/** A group "T004, T006" whose first comma ends a fronted phrase: the refs before it, and after it. */
function splitAtComma(text: string, g: Group): [Group, Group] | undefined {
  for (let i = 1; i < g.refs.length; i++) {
    const gap = text.slice(g.refs[i - 1]!.end, g.refs[i]!.pos);
    if (/^\s*[,，、]\s*$/.test(gap)) {
      const a = g.refs.slice(0, i);
      const b = g.refs.slice(i);
      return [
        { refs: a, pos: a[0]!.pos, end: a[a.length - 1]!.end, disjunctive: g.disjunctive },
        { refs: b, pos: b[0]!.pos, end: b[b.length - 1]!.end, disjunctive: g.disjunctive },
      ];
    }
  }
  return undefined;
}

function overlaps(a: number[], b: number[]): boolean {
  const [small, large] = a.length < b.length ? [a, b] : [b, a];
  if (small.length <= 4) return small.some((x) => large.includes(x));
  const set = new Set(small);
  return large.some((x) => set.has(x));
}

function minOf(xs: number[]): number {
  let m = Infinity;
  for (const x of xs) if (x < m) m = x;
  return m;
}
