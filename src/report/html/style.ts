/** The page's only stylesheet (inline): no fonts, images or anything else fetched. */
export const PAGE_CSS = `
:root { --ink: #1b1f24; --muted: #57606a; --lane: #f6f8fa; --reader: #fff8e1; --rule: #d0d7de;
  --arrow: #0969da; --hot: #cf222e; --hot-bg: #ffd8d3; --ok: #1a7f37; }
body { font: 14px/1.45 system-ui, sans-serif; color: var(--ink); margin: 24px; }
h1 { font-size: 18px; margin: 0 0 4px; }
h2 { font-size: 15px; margin: 24px 0 6px; }
p { margin: 2px 0; }
.notes, .legend { color: var(--muted); }
.verdict { font-weight: 600; }
.verdict .bad { color: var(--hot); }
code, pre { font-family: ui-monospace, 'DejaVu Sans Mono', Menlo, Consolas, monospace; }
pre.summary { background: var(--lane); border: 1px solid var(--rule); padding: 10px; overflow-x: auto; }
.scroll { overflow-x: auto; border: 1px solid var(--rule); margin-top: 10px; }
svg.timeline { display: block; font: 12px ui-monospace, 'DejaVu Sans Mono', Menlo, Consolas, monospace; }
.timeline text { fill: var(--ink); white-space: pre; }
.timeline .lane-bg { fill: var(--lane); stroke: var(--rule); }
.timeline .lane.reader .lane-bg { fill: var(--reader); }
.timeline .lane-name { font-weight: 700; }
.timeline .steps text { fill: var(--muted); text-anchor: end; }
.timeline .op { fill: var(--muted); }
.timeline .op.rejected { fill: var(--hot); font-weight: 700; }
.timeline .hl { fill: transparent; }
.timeline .load .hl { fill: #ddf4ff; }
.timeline .load:hover .hl, .timeline .rf-source:hover .hl { fill: var(--hot-bg); }
.timeline .rf-source .hl { fill: #dafbe1; }
.timeline .initial rect { fill: #dafbe1; stroke: var(--ok); }
.timeline .retry line { stroke: var(--hot); stroke-dasharray: 4 3; }
.timeline .retry text { fill: var(--hot); }
.timeline .rf-arrow { fill: none; stroke: var(--arrow); stroke-width: 1.5px; opacity: 0.85; }
.timeline #rf-head path { fill: var(--arrow); }
`;
