/** Plain-text tables for the CLI's `-o table` outputs, laid out the way kubectl prints them. */

export type Align = "left" | "right";

export interface Column {
  header: string;
  align?: Align;
}

export interface TableOptions {
  /** Spaces between columns (default 3). */
  gap?: number;
}

function normalise(c: string | Column): Required<Column> {
  return typeof c === "string"
    ? { header: c, align: "left" }
    : { header: c.header, align: c.align ?? "left" };
}

function pad(text: string, width: number, align: Align): string {
  const fill = " ".repeat(Math.max(0, width - [...text].length));
  return align === "right" ? fill + text : text + fill;
}

/**
 * Aligned columns under upper-case headers, separated by three spaces, without trailing blanks.
 * Rows shorter than the header are padded with empty cells; newlines inside cells become spaces.
 */
export function renderTable(
  columns: readonly (string | Column)[],
  rows: readonly (readonly string[])[],
  options: TableOptions = {},
): string {
  const gap = " ".repeat(options.gap ?? 3);
  const cols = columns.map(normalise);
  const cells = rows.map((r) => cols.map((_, i) => (r[i] ?? "").replace(/\s*\n\s*/g, " ")));
  const widths = cols.map((c, i) => Math.max([...c.header].length, ...cells.map((r) => [...r[i]].length)));
  const line = (values: string[]): string =>
    values
      .map((v, i) => pad(v, widths[i], cols[i].align))
      .join(gap)
      .trimEnd();
  return [line(cols.map((c) => c.header.toUpperCase())), ...cells.map(line)].join("\n");
}

/** `Key:   value` lines with the values aligned, as `kubectl describe` prints them. */
export function renderKeyValues(pairs: readonly (readonly [string, string])[]): string {
  const width = Math.max(0, ...pairs.map(([k]) => [...k].length + 1));
  return pairs.map(([k, v]) => `${pad(`${k}:`, width, "left")}  ${v}`.trimEnd()).join("\n");
}
