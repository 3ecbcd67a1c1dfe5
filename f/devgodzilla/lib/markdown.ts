// Helpers for the markdown tables steps return for people to read (Windmill renders `{ markdown }`).

/** Text safe inside one table cell: a `|` would start a new cell, a newline would end the row. */
export function mdCell(s: string): string {
  return s.replace(/\|/g, "\\|").replace(/\n/g, " ");
}
