/**
 * Limits checked on a machine file's text before the YAML parser sees it (docs/machine-format.md,
 * "Limits"): the parser recurses once per nesting level, and a few thousand levels can make V8
 * abort the whole process (out of memory compiling a regular expression near the stack limit),
 * which no `catch` can stop. The scan is one pass and deliberately rough: it over-counts rather
 * than under-counts, and real machine files nest fewer than ten levels.
 */
export const MAX_MACHINE_FILE_BYTES = 16 * 1024 * 1024;
export const MAX_MACHINE_FILE_NESTING = 100;

/** Why `text` is refused before parsing, with the 1-based line, or null. */
export function machineTextProblem(text: string): { line: number; message: string } | null {
  if (text.length > MAX_MACHINE_FILE_BYTES) {
    return {
      line: 0,
      message: `file too large (${text.length} characters; at most ${MAX_MACHINE_FILE_BYTES}, 16 MiB)`,
    };
  }
  const tooDeep = (line: number) => ({
    line,
    message: `nesting deeper than ${MAX_MACHINE_FILE_NESTING} levels`,
  });
  let line = 1;
  let flow = 0;
  let quote: string | null = null;
  const indents: number[] = [];
  let atLineStart = true;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "\n") {
      line++;
      atLineStart = true;
      continue;
    }
    if (quote !== null) {
      if (c === "\\" && quote === '"') i++;
      else if (c === quote) quote = null;
      continue;
    }
    if (atLineStart && flow === 0) {
      // Block structure: indentation plus leading "- " / "? " / ": " indicators.
      let col = 0;
      let j = i;
      while (
        j < text.length &&
        (text[j] === " " || ((text[j] === "-" || text[j] === "?" || text[j] === ":") && text[j + 1] === " "))
      ) {
        col += text[j] === " " ? 1 : 2;
        j += text[j] === " " ? 1 : 2;
      }
      atLineStart = false;
      if (j < text.length && text[j] !== "\n" && text[j] !== "#" && text[j] !== "\r") {
        while (indents.length > 0 && indents[indents.length - 1] >= col) indents.pop();
        indents.push(col);
        // Each indicator in a row opens a level of its own.
        let k = i;
        let extra = 0;
        while (k < j) {
          if (text[k] !== " ") extra++;
          k += text[k] === " " ? 1 : 2;
        }
        if (indents.length + extra > MAX_MACHINE_FILE_NESTING) return tooDeep(line);
      }
      i = j - 1;
      continue;
    }
    atLineStart = false;
    if (c === "#" && (i === 0 || text[i - 1] === " " || text[i - 1] === "\t")) {
      while (i + 1 < text.length && text[i + 1] !== "\n") i++;
    } else if (c === '"' || (c === "'" && (i === 0 || /[\s[{,:]/.test(text[i - 1])))) quote = c;
    else if (c === "[" || c === "{") {
      flow++;
      if (flow + indents.length > MAX_MACHINE_FILE_NESTING) return tooDeep(line);
    } else if ((c === "]" || c === "}") && flow > 0) flow--;
  }
  return null;
}
