// Why: every bench section prints its figures twice, as aligned text on the console and as
// Markdown in docs/benchmarks.md.
/** A table printed both as aligned text (console) and as Markdown (docs). */
export class Table {
  constructor(readonly head: string[], readonly rows: string[][] = []) {}
  add(row: string[]) {
    this.rows.push(row);
  }
  text(): string {
    const w = this.head.map((h, i) => Math.max(h.length, ...this.rows.map((r) => r[i].length)));
    const line = (r: string[]) => r.map((c, i) => (i < 2 ? c.padEnd(w[i]) : c.padStart(w[i]))).join("  ");
    return [line(this.head), w.map((n) => "-".repeat(n)).join("  "), ...this.rows.map(line)].join("\n");
  }
  markdown(): string {
    const line = (r: string[]) => `| ${r.join(" | ")} |`;
    return [line(this.head), line(this.head.map((_, i) => (i < 2 ? "---" : "---:"))), ...this.rows.map(line)].join("\n");
  }
}
