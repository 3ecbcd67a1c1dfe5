// The task graph: tasks are numbered in document order; each edge remembers why it exists.
// Everything here is linear in tasks + edges, apart from the ancestor bit-sets (n²/32 bits),
// which answer "already ordered?" in O(1) for same-file serialisation and transitive reduction.

import { DevGodzillaError } from "../../errors.ts";
import type { EdgeKind } from "./model.ts";
import { Heap } from "../../heap.ts";

export interface EdgeInfo {
  kind: EdgeKind;
  reason: string;
  line?: number;
}

export class BitMatrix {
  readonly words: number;
  readonly data: Uint32Array;
  constructor(rows: number, cols: number) {
    this.words = (cols + 31) >>> 5;
    this.data = new Uint32Array(rows * this.words);
  }
  has(row: number, i: number): boolean {
    return (this.data[row * this.words + (i >>> 5)]! & (1 << (i & 31))) !== 0;
  }
  set(row: number, i: number): void {
    this.data[row * this.words + (i >>> 5)]! |= 1 << (i & 31);
  }
  /** row |= other (a row of the same matrix). */
  or(row: number, other: number): void {
    const d = this.data;
    const a = row * this.words;
    const b = other * this.words;
    for (let w = 0; w < this.words; w++) d[a + w]! |= d[b + w]!;
  }
}

export class TaskGraph {
  /** preds[v]: dependency u → why v depends on u. */
  readonly preds: Map<number, EdgeInfo>[];
  readonly succs: Set<number>[];

  constructor(readonly n: number) {
    this.preds = Array.from({ length: n }, () => new Map());
    this.succs = Array.from({ length: n }, () => new Set());
  }

  has(u: number, v: number): boolean {
    return this.preds[v]!.has(u);
  }

  /** Adds u → v (v runs after u) unless it is a self-loop or already there; true when added. */
  add(u: number, v: number, info: EdgeInfo): boolean {
    if (u === v || this.preds[v]!.has(u)) return false;
    this.preds[v]!.set(u, info);
    this.succs[u]!.add(v);
    return true;
  }

  remove(u: number, v: number): void {
    this.preds[v]!.delete(u);
    this.succs[u]!.delete(v);
  }

  count(): number {
    let n = 0;
    for (const m of this.preds) n += m.size;
    return n;
  }

  /** True when some task of `from` reaches some task of `to` (forward search). */
  reaches(from: Iterable<number>, to: Set<number>): boolean {
    const seen = new Uint8Array(this.n);
    const stack: number[] = [];
    for (const f of from) {
      if (to.has(f)) return true;
      if (!seen[f]) ((seen[f] = 1), stack.push(f));
    }
    while (stack.length) {
      for (const s of this.succs[stack.pop()!]!) {
        if (to.has(s)) return true;
        if (!seen[s]) ((seen[s] = 1), stack.push(s));
      }
    }
    return false;
  }

  /** A cycle as task indexes (first = last), or null. Iterative: chains of 100k tasks do not overflow the stack. */
  findCycle(): number[] | null {
    const state = new Uint8Array(this.n); // 0 new, 1 on stack, 2 done
    const parent = new Int32Array(this.n).fill(-1);
    for (let root = 0; root < this.n; root++) {
      if (state[root]) continue;
      const stack: [number, Iterator<number>][] = [[root, [...this.preds[root]!.keys()].sort((a, b) => a - b)[Symbol.iterator]()]];
      state[root] = 1;
      while (stack.length) {
        const top = stack[stack.length - 1]!;
        const next = top[1].next();
        if (next.done) {
          state[top[0]] = 2;
          stack.pop();
          continue;
        }
        const d = next.value;
        if (state[d] === 1) {
          const cycle = [d];
          for (let x = top[0]; x !== d; x = parent[x]!) cycle.push(x);
          cycle.push(d);
          return cycle.reverse(); // each task depends on the next one
        }
        if (state[d] === 0) {
          state[d] = 1;
          parent[d] = top[0];
          stack.push([d, [...this.preds[d]!.keys()].sort((a, b) => a - b)[Symbol.iterator]()]);
        }
      }
    }
    return null;
  }

  /** Topological order (dependencies first) that keeps document order wherever the edges allow. */
  topoOrder(): number[] {
    const indeg = new Int32Array(this.n);
    for (let v = 0; v < this.n; v++) indeg[v] = this.preds[v]!.size;
    const heap = new Heap<number>((a, b) => a < b); // the earliest task in the document first
    for (let v = 0; v < this.n; v++) if (!indeg[v]) heap.push(v);
    const out: number[] = [];
    while (heap.size) {
      const u = heap.pop()!;
      out.push(u);
      for (const s of this.succs[u]!) if (--indeg[s]! === 0) heap.push(s);
    }
    // The builder reports cycles as TaskCycleError before it orders; reaching this is a reader bug.
    if (out.length !== this.n)
      throw new DevGodzillaError("task graph has a cycle after cycle checking", {
        hint: "report this tasks.md: its dependencies should have been named in a TaskCycleError",
      });
    return out;
  }

  /** Ancestor bit-sets, computed along a topological order. */
  ancestors(order: number[]): BitMatrix {
    const anc = new BitMatrix(this.n, this.n);
    for (const v of order) {
      for (const u of this.preds[v]!.keys()) {
        anc.set(v, u);
        anc.or(v, u);
      }
    }
    return anc;
  }

  /** Transitive reduction: drops a direct dependency that another direct dependency already implies. */
  reduce(ancestors?: BitMatrix): void {
    const anc = ancestors ?? this.ancestors(this.topoOrder());
    for (let v = 0; v < this.n; v++) {
      const direct = [...this.preds[v]!.keys()];
      if (direct.length < 2) continue;
      for (const u of direct) if (direct.some((w) => w !== u && this.preds[v]!.has(w) && anc.has(w, u))) this.remove(u, v);
    }
  }
}
