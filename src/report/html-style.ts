/**
 * The report page's CSS. The picture takes the width the window gives it (never more than its
 * natural size), the tables sit beside it on wide windows and below it on narrow ones, and
 * wide tables scroll inside their panel, so the page itself never scrolls sideways.
 */
export const PAGE_CSS = `
:root{--ink:#1e293b;--muted:#64748b;--line:#e2e8f0;--bg:#f8fafc;--ok:#15803d;--bad:#b91c1c;--focus:#2563eb}
*{box-sizing:border-box}
body{margin:0;padding:16px 20px;background:var(--bg);color:var(--ink);font:13px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}
header{overflow-wrap:anywhere}
h1{font-size:20px;margin:0 0 4px}
h2{font-size:15px;margin:0}
.summary{color:var(--muted);margin:0 0 2px}
.notes{margin:6px 0 0;padding-left:18px;color:#92400e}
.layout{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start;margin-top:14px}
.panel{background:#fff;border:1px solid var(--line);border-radius:10px;padding:12px 14px;box-shadow:0 1px 2px rgba(15,23,42,.04);min-width:0}
.panel-head{display:flex;flex-wrap:wrap;align-items:center;gap:8px 12px;margin-bottom:8px}
.picture{flex:0 1 calc(var(--natural) + 30px);min-width:0}
.side{flex:1 1 460px;min-width:min(460px,100%);display:grid;grid-template-columns:repeat(auto-fit,minmax(min(560px,100%),1fr));gap:16px;align-items:start}
.wide{flex:1 1 100%;min-width:0}
.scroll{overflow-x:auto;max-width:100%}
.pods .scroll{max-height:70vh;overflow-y:auto}
.toolbar{display:flex;flex-wrap:wrap;align-items:center;gap:6px;margin-bottom:8px}
.toolbar button{font:inherit;min-width:30px;height:28px;padding:0 9px;border:1px solid #cbd5e1;border-radius:6px;background:#fff;color:var(--ink);cursor:pointer}
.toolbar button:hover{background:#f1f5f9}
.toolbar button:focus-visible,.viewport:focus-visible,input:focus-visible{outline:2px solid var(--focus);outline-offset:1px}
.zoom{min-width:48px;text-align:center;font-variant-numeric:tabular-nums;color:var(--muted)}
.hint{color:var(--muted);font-size:11.5px;margin-left:6px}
.viewport{position:relative;overflow:hidden;border-radius:6px;touch-action:none;cursor:grab;user-select:none}
.viewport.zoomed{box-shadow:inset 0 0 0 1px var(--line)}
.viewport.dragging{cursor:grabbing}
.viewport svg{display:block;width:100%;height:auto;max-width:var(--natural)}
.wheel-hint{position:absolute;inset:auto 0 10px 0;margin:auto;width:max-content;max-width:90%;padding:4px 10px;border-radius:6px;background:rgba(15,23,42,.82);color:#fff;font-size:12px;opacity:0;transition:opacity .2s;pointer-events:none}
.wheel-hint.on{opacity:1}
.tip{position:fixed;z-index:10;max-width:min(420px,90vw);padding:6px 9px;border-radius:6px;background:rgba(15,23,42,.94);color:#fff;font-size:12px;line-height:1.4;white-space:pre-line;pointer-events:none;display:none}
.legend{display:flex;flex-wrap:wrap;gap:4px 16px;margin:10px 0 0;padding:0;list-style:none;font-size:12px}
.legend li{display:flex;align-items:center;gap:6px}
svg.sw{flex:none;display:inline-block;vertical-align:-2px;margin-right:6px}
.legend svg.sw{margin-right:0}
.nw{white-space:nowrap}
.pool{color:var(--muted);font-style:italic;white-space:nowrap}
.kind{color:var(--muted);font-size:11px}
.vh{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
.find input{font:inherit;width:min(230px,60vw);height:28px;padding:0 8px;border:1px solid #cbd5e1;border-radius:6px}
.found{color:var(--muted);font-size:12px}
table{border-collapse:collapse;width:100%;font-size:12px}
th,td{text-align:left;padding:4px 7px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-weight:600;color:var(--muted);font-size:11px;text-transform:uppercase;letter-spacing:.03em;position:sticky;top:0;background:#fff}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono",monospace;font-size:11.5px}
tr.pod td{background:#f8fafc;border-top:2px solid var(--line);font-weight:600}
tr.pod-level td{color:var(--muted);font-size:11.5px}
tr.container td:first-child{padding-left:24px}
tr.hidden{display:none}
tr.more td{color:var(--muted);font-style:italic}
.badge{display:inline-block;padding:0 7px;border-radius:9px;font-size:11px;font-weight:600}
.badge.ok{background:#dcfce7;color:var(--ok)}
.badge.bad{background:#fee2e2;color:var(--bad)}
.msg{font-weight:400;color:var(--bad);white-space:normal}
.at{display:inline-block;padding:0 6px;border-radius:4px;font-size:11px;background:#eef2f6;white-space:nowrap}
.at.node_exclusive,.at.pod_exclusive{background:#dbeafe;color:#1e40af}
.at.pod_shared{background:#ede9fe;color:#5b21b6}
tr[data-pod]:hover td{background:#fefce8}
svg .cpu.hl rect,svg .device.hl rect{stroke:#facc15;stroke-width:3;vector-effect:non-scaling-stroke}
svg.finding .cpu:not(.found),svg.finding .device:not(.found),svg.finding .mem-seg:not(.found){opacity:.18}
svg .cpu.found rect{stroke:#0f172a;stroke-width:2;vector-effect:non-scaling-stroke}
.warn{font-weight:400;color:#92400e;white-space:normal}
footer{margin-top:18px;color:var(--muted);font-size:11px}
`;
