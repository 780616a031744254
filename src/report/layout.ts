/**
 * A very small box layout for the SVG picture: boxes know their size and draw themselves at a
 * position. Grids pick their column count to approach a target aspect ratio, which keeps the
 * picture compact from a 8-CPU fixture to a 4096-CPU machine.
 */
export interface Box {
  readonly w: number;
  readonly h: number;
  draw(x: number, y: number, out: string[]): void;
}

export function fixedBox(w: number, h: number, draw: (x: number, y: number, out: string[]) => void): Box {
  return { w, h, draw };
}

interface GridMetrics {
  colW: number[];
  rowH: number[];
  w: number;
  h: number;
}

function measure(children: readonly Box[], cols: number, gap: number): GridMetrics {
  const rows = Math.ceil(children.length / cols);
  const colW = new Array<number>(cols).fill(0);
  const rowH = new Array<number>(rows).fill(0);
  children.forEach((c, i) => {
    const col = i % cols;
    const row = Math.floor(i / cols);
    if (c.w > colW[col]) colW[col] = c.w;
    if (c.h > rowH[row]) rowH[row] = c.h;
  });
  const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
  return {
    colW,
    rowH,
    w: sum(colW) + gap * Math.max(0, cols - 1),
    h: sum(rowH) + gap * Math.max(0, rows - 1),
  };
}

/**
 * The column count whose grid comes closest to `aspect` (width / height). Only counts that fill
 * the rows evenly are tried (a last row no shorter than the others need be), so equal children
 * form a tidy rectangle.
 */
export function bestColumns(
  children: readonly Box[],
  gap: number,
  aspect: number,
  maxCols = Infinity,
): number {
  const n = children.length;
  if (n <= 1) return 1;
  let best = 1;
  let bestScore = Infinity;
  const tried = new Set<number>();
  for (let rows = 1; rows <= n; rows++) {
    const cols = Math.ceil(n / rows);
    if (cols > maxCols || tried.has(cols)) continue;
    tried.add(cols);
    const m = measure(children, cols, gap);
    const score = Math.abs(Math.log(m.w / m.h / aspect));
    if (score < bestScore - 1e-9) {
      bestScore = score;
      best = cols;
    }
  }
  return best;
}

export function grid(children: readonly Box[], cols: number, gap: number): Box {
  if (children.length === 0) return fixedBox(0, 0, () => {});
  const m = measure(children, cols, gap);
  return {
    w: m.w,
    h: m.h,
    draw(x, y, out) {
      let cy = y;
      for (let row = 0; row < m.rowH.length; row++) {
        let cx = x;
        for (let col = 0; col < cols; col++) {
          const c = children[row * cols + col];
          if (!c) break;
          c.draw(cx, cy, out);
          cx += m.colW[col] + gap;
        }
        cy += m.rowH[row] + gap;
      }
    },
  };
}

/** Places boxes left to right, wrapping to a new line before `maxWidth` would be exceeded. */
export function flow(children: readonly Box[], maxWidth: number, gapX: number, gapY: number): Box {
  const lines: Box[][] = [];
  let line: Box[] = [];
  let lineW = 0;
  for (const c of children) {
    const needed = line.length === 0 ? c.w : lineW + gapX + c.w;
    if (line.length > 0 && needed > maxWidth) {
      lines.push(line);
      line = [];
      lineW = 0;
    }
    lineW = line.length === 0 ? c.w : lineW + gapX + c.w;
    line.push(c);
  }
  if (line.length > 0) lines.push(line);
  const rows = lines.map((l) => {
    const w = l.reduce((s, c) => s + c.w, 0) + gapX * (l.length - 1);
    const h = Math.max(...l.map((c) => c.h));
    return fixedBox(w, h, (x, y, out) => {
      let cx = x;
      for (const c of l) {
        c.draw(cx, y, out);
        cx += c.w + gapX;
      }
    });
  });
  return column(rows, gapY);
}

/** Stacks boxes top to bottom, left-aligned. */
export function column(children: readonly Box[], gap: number): Box {
  return grid(children, 1, gap);
}

/** Rounds to 0.5 px so that coordinates print short and stay crisp. */
export function px(n: number): string {
  const r = Math.round(n * 2) / 2;
  return Number.isInteger(r) ? String(r) : r.toFixed(1);
}

/**
 * Approximate width of a line of text in the picture's sans-serif font. Generous on purpose (sized for
 * DejaVu Sans, the widest common fallback): a box a little too
 * wide looks fine, a label running over its box does not.
 */
export function textWidth(text: string, fontSize: number, bold = false): number {
  let em = 0;
  for (const ch of text) {
    if (ch >= "A" && ch <= "Z") em += 0.72;
    else if (ch >= "0" && ch <= "9") em += 0.64;
    else if (ch === " " || ch === "." || ch === "," || ch === "·" || ch === "i" || ch === "l") em += 0.34;
    else em += 0.6;
  }
  return em * fontSize * (bold ? 1.1 : 1);
}
