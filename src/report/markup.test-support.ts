/**
 * A small well-formedness check for the markup the renderers produce (balanced tags, quoted
 * attributes, escaped ampersands), so structural mistakes show up without a browser.
 */
export function checkWellFormed(markup: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  const voids = new Set(["meta", "br", "wbr", "hr", "img", "input", "link"]);
  // Text inside <style>/<script> is not markup.
  const text = markup.replace(/<(style|script)>[\s\S]*?<\/\1>/g, "");
  const tag = /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"]*")*)\s*(\/?)>|<!DOCTYPE html>|<(?!\/?[a-zA-Z!])/g;
  let m: RegExpExecArray | null;
  let last = 0;
  while ((m = tag.exec(text)) !== null) {
    const between = text.slice(last, m.index);
    if (/<|>/.test(between))
      problems.push(`stray angle bracket near ${JSON.stringify(between.slice(0, 60))}`);
    if (/&(?!(amp|lt|gt|quot|#39);)/.test(between))
      problems.push(`unescaped & in ${JSON.stringify(between.slice(0, 60))}`);
    last = tag.lastIndex;
    if (m[0].startsWith("<!")) continue;
    if (m[2] === undefined) {
      problems.push(`bare < at ${m.index}`);
      continue;
    }
    const [, closing, name, attrs, selfClosing] = m;
    if (/&(?!(amp|lt|gt|quot|#39);)/.test(attrs)) problems.push(`unescaped & in attributes of <${name}>`);
    if (closing) {
      const open = stack.pop();
      if (open !== name) problems.push(`</${name}> closes <${open ?? "nothing"}>`);
    } else if (!selfClosing && !voids.has(name.toLowerCase())) {
      stack.push(name);
    }
  }
  if (/<|>/.test(text.slice(last))) problems.push("stray angle bracket at the end");
  if (stack.length > 0) problems.push(`unclosed: ${stack.join(" > ")}`);
  return problems;
}
