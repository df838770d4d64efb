/** The report's only style sheet, inline: the file is read from disk and loads nothing. */
export const reportStyle = `
:root { color-scheme: light; --ink: #1d2330; --muted: #5b6475; --line: #d9dde5; --accent: #b3261e; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1080px; padding: 24px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: #fff; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 14px; margin: 14px 0 4px; }
h3 small { color: var(--muted); font-weight: normal; }
table { border-collapse: collapse; margin: 6px 0; }
th, td { text-align: left; padding: 3px 12px 3px 0; border-bottom: 1px solid var(--line); vertical-align: top; }
td { font-variant-numeric: tabular-nums; }
thead th { color: var(--muted); font-weight: 600; }
figure { margin: 4px 0; }
figcaption, .note, .source { color: var(--muted); }
.drift { font-weight: 600; margin: 2px 0 6px; }
.drift.called-out { color: var(--accent); }
#moved li { margin: 2px 0; }
.properties-grid, #properties { display: block; }
article.property { display: inline-block; vertical-align: top; width: 480px; margin: 0 24px 18px 0; }
.key i { display: inline-block; width: 10px; height: 10px; margin: 0 4px 0 10px; border-radius: 2px; }
.key i.c0 { background: #4e79a7; } .key i.c1 { background: #f28e2b; } .key i.c2 { background: #e15759; }
`
