import { InputError } from "./input-error.js";

/**
 * Where a node keeps the kubelet's command line, read back into arguments:
 * - a kubeadm `/var/lib/kubelet/kubeadm-flags.env` or `/etc/default/kubelet` (`NAME="--flags"`),
 * - a systemd unit or drop-in (`Environment="KUBELET_EXTRA_ARGS=..."`, `ExecStart=/usr/bin/kubelet
 *   $KUBELET_KUBEADM_ARGS ...`),
 * - or a plain flag line (`--max-pods=250 --cpu-manager-policy static`, optionally after the binary).
 * Quoting is shell-like: `'...'`, `"..."` with backslash escapes, and backslashes outside quotes.
 * Variable values are split into words the same way (systemd would not remove quotes inside a
 * value, but people write them as if a shell read the file; podpin is forgiving here).
 */

export interface KubeletArg {
  text: string;
  /** The file (or option) the argument came from. */
  file: string;
  /** 1-based line in that file, when it came from a file. */
  line?: number;
}

interface Word {
  text: string;
  line: number;
}

/** Splits shell-like words; `line` is the 1-based line of `text`'s first character. */
function shellWords(text: string, file: string, line: number): Word[] {
  const words: Word[] = [];
  let current = "";
  let inWord = false;
  let startLine = line;
  let quote: "'" | '"' | null = null;
  const push = () => {
    if (inWord) words.push({ text: current, line: startLine });
    current = "";
    inWord = false;
  };
  const begin = () => {
    if (!inWord) {
      inWord = true;
      startLine = line;
    }
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "\n") line++;
    if (quote === "'") {
      if (c === "'") quote = null;
      else current += c;
      continue;
    }
    if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === "\\" && i + 1 < text.length && '"\\$`\n'.includes(text[i + 1])) {
        i++;
        if (text[i] === "\n") line++;
        else current += text[i];
      } else current += c;
      continue;
    }
    if (c === "\\") {
      if (i + 1 < text.length) {
        i++;
        if (text[i] === "\n") {
          line++;
          continue;
        }
        begin();
        current += text[i];
      }
      continue;
    }
    if (/\s/.test(c)) {
      push();
      continue;
    }
    begin();
    if (c === "'" || c === '"') quote = c;
    else current += c;
  }
  if (quote) throw new InputError({ file, line: startLine }, "", `unterminated ${quote} quote`);
  push();
  return words;
}

/** Logical lines: backslash-newline continuations joined, each with its first line number. */
function logicalLines(text: string): { text: string; line: number }[] {
  const out: { text: string; line: number }[] = [];
  const raw = text.split(/\r?\n/);
  for (let i = 0; i < raw.length; i++) {
    const line = i + 1;
    let joined = raw[i];
    while (joined.endsWith("\\") && i + 1 < raw.length) joined = `${joined.slice(0, -1)} ${raw[++i]}`;
    out.push({ text: joined, line });
  }
  return out;
}

const ASSIGNMENT = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s;
const SYSTEMD_LINE = /^\s*(?:\[[A-Za-z]+\]|(?:Environment|EnvironmentFile|ExecStart|ExecStartPre)\s*=)/;
/** Variables that hold kubelet flags in kubeadm's files and the distributions' units. */
const ARGS_VARIABLE = /(?:ARGS|OPTS|FLAGS|OPTIONS)$/;

/** One variable's value as flag words. */
function valueWords(value: string, file: string, line: number): Word[] {
  const unquoted = shellWords(value, file, line)
    .map((w) => w.text)
    .join(" ");
  return shellWords(unquoted, file, line);
}

function fromEnvFile(text: string, file: string): Word[] {
  const words: Word[] = [];
  for (const { text: lineText, line } of logicalLines(text)) {
    const trimmed = lineText.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const m = ASSIGNMENT.exec(lineText);
    if (!m) {
      throw new InputError({ file, line }, "", "expected NAME=value lines (a kubeadm-flags.env file)");
    }
    if (ARGS_VARIABLE.test(m[1])) words.push(...valueWords(m[2], file, line));
  }
  return words;
}

/** `$NAME` (split into words) and `${NAME}` (one word), as systemd expands `ExecStart`. */
function expandExecStart(words: Word[], env: Map<string, Word[]>): Word[] {
  const out: Word[] = [];
  for (const w of words) {
    const whole = /^\$([A-Za-z_][A-Za-z0-9_]*)$/.exec(w.text);
    if (whole) {
      out.push(...(env.get(whole[1]) ?? []));
      continue;
    }
    out.push({
      text: w.text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, n: string) =>
        (env.get(n) ?? []).map((x) => x.text).join(" "),
      ),
      line: w.line,
    });
  }
  return out;
}

function fromSystemd(text: string, file: string): Word[] {
  const env = new Map<string, Word[]>();
  const order: string[] = [];
  let exec: Word[] | null = null;
  for (const { text: lineText, line } of logicalLines(text)) {
    const m = /^\s*([A-Za-z]+)\s*=(.*)$/s.exec(lineText);
    if (!m) continue;
    if (m[1] === "Environment") {
      for (const assignment of shellWords(m[2], file, line)) {
        const eq = assignment.text.indexOf("=");
        if (eq <= 0) continue;
        const name = assignment.text.slice(0, eq);
        env.set(name, valueWords(assignment.text.slice(eq + 1), file, line));
        if (!order.includes(name)) order.push(name);
      }
    } else if (m[1] === "ExecStart") {
      const words = shellWords(m[2], file, line);
      // An empty ExecStart= resets the list (drop-ins override the unit's command this way).
      if (words.length === 0) exec = null;
      else if (/kubelet$/.test(words[0].text.replace(/^[-@+!:]+/, ""))) exec = words.slice(1);
    }
  }
  if (exec) return expandExecStart(exec, env);
  return order.filter((n) => ARGS_VARIABLE.test(n)).flatMap((n) => env.get(n) ?? []);
}

function looksLikeEnvFile(text: string): boolean {
  const lines = logicalLines(text)
    .map((l) => l.text.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
  return lines.length > 0 && lines.every((l) => ASSIGNMENT.test(l) && !l.startsWith("-"));
}

/**
 * The kubelet arguments in a file's text (or an option's value): env file, systemd unit/drop-in,
 * or a flag line. `file` names the source in errors and on every argument.
 */
export function kubeletArgsFromText(text: string, file: string): KubeletArg[] {
  let words: Word[];
  if (text.split(/\r?\n/).some((l) => SYSTEMD_LINE.test(l))) words = fromSystemd(text, file);
  else if (looksLikeEnvFile(text)) words = fromEnvFile(text, file);
  else {
    words = shellWords(text, file, 1);
    // A copied command line may start with the binary itself.
    if (words.length > 0 && !words[0].text.startsWith("-") && /kubelet$/.test(words[0].text))
      words = words.slice(1);
  }
  return words.map((w) => ({ text: w.text, file, line: w.line }));
}
