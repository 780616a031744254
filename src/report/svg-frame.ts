import { type Box, px, textWidth } from "./layout.js";
import { escapeXml } from "./units.js";

export interface FrameOptions {
  /** Attributes of the group element, already escaped (`class="numa" data-numa="0"`). */
  attrs: string;
  label: string;
  /** Muted text after the label. */
  sub: string | null;
  /** Full text of the frame's tooltip. */
  title?: string;
  fill: string;
  stroke: string;
  dash?: string;
  pad: number;
  labelFont: number;
  smallFont: number;
  radius: number;
  /** CSS class of the label (`lbl` by default; `sub` for minor boxes). */
  labelClass?: string;
}

/** A labelled, rounded box around `content`, drawn as one `<g>` that contains the content. */
export function frame(content: Box, o: FrameOptions): Box {
  const labelW = textWidth(o.label, o.labelFont, (o.labelClass ?? "lbl") === "lbl") + 2;
  const subW = o.sub ? textWidth(o.sub, o.smallFont) + 8 : 0;
  const headH = Math.round(o.labelFont + 8);
  const w = Math.max(content.w, labelW + subW) + 2 * o.pad;
  const h = headH + content.h + 2 * o.pad - 2;
  return {
    w,
    h,
    draw(x, y, out) {
      const dash = o.dash ? ` stroke-dasharray="${o.dash}"` : "";
      out.push(`<g ${o.attrs}>`);
      if (o.title) out.push(`<title>${escapeXml(o.title)}</title>`);
      out.push(
        `<rect x="${px(x + 0.5)}" y="${px(y + 0.5)}" width="${px(w - 1)}" height="${px(h - 1)}" rx="${o.radius}" fill="${o.fill}" stroke="${o.stroke}"${dash}/>`,
      );
      const ty = y + o.pad + o.labelFont - 1;
      out.push(
        `<text class="${o.labelClass ?? "lbl"}" x="${px(x + o.pad)}" y="${px(ty)}">${escapeXml(o.label)}</text>`,
      );
      if (o.sub)
        out.push(
          `<text class="sub" x="${px(x + o.pad + labelW + 6)}" y="${px(ty)}">${escapeXml(o.sub)}</text>`,
        );
      content.draw(x + o.pad, y + o.pad + headH - 2, out);
      out.push("</g>");
    },
  };
}
