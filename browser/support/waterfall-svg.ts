import type { PageLoad } from './page-load.js';

export interface Panel {
  readonly title: string;
  readonly subtitle: string;
  readonly load: PageLoad;
}

const LABEL_W = 150;
const PANEL_W = 330;
const GAP = 24;
const ROW_H = 26;
const TOP = 92;
const COLORS = {
  html: '#4c6ef5',
  style: '#d8442f',
  font: '#7048e8',
  script: '#e8a010',
  image: '#2f9e44',
  other: '#868e96',
};

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function kind(path: string): keyof typeof COLORS {
  if (/\.css(\?|$)/.test(path)) return 'style';
  if (/\.woff2?(\?|$)/.test(path)) return 'font';
  if (/\.m?js(\?|$)/.test(path)) return 'script';
  if (/\.(svg|png|jpe?g|webp|avif|gif)(\?|$)/.test(path)) return 'image';
  return 'other';
}

function label(path: string): string {
  return path.replace(/\?.*$/, '').split('/').pop() ?? path;
}

/**
 * One row per resource, one panel per mode, on a shared time axis: a light bar while the
 * request waits, a solid one while the response arrives; a line where the HTML is complete
 * and one at first contentful paint.
 */
export function renderWaterfall(heading: string, panels: readonly Panel[]): string {
  const rows = [
    { path: 'HTML page', color: COLORS.html },
    ...panels[0].load.resources
      .filter((r) => !r.path.endsWith('/favicon.ico'))
      .map((r) => ({ path: r.path, color: COLORS[kind(r.path)] })),
  ];
  const end = Math.max(
    ...panels.flatMap((p) => [
      p.load.navigation.responseEnd,
      p.load.firstContentfulPaint ?? 0,
      ...p.load.resources.map((r) => r.responseEnd),
    ]),
  );
  const axisMs = Math.ceil(end / 200) * 200;
  const height = TOP + rows.length * ROW_H + 64;
  const width = LABEL_W + panels.length * (PANEL_W + GAP);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="12" y="22" font-size="15" font-weight="600" fill="#1d2433">${escape(heading)}</text>`,
  ];
  rows.forEach((row, i) => {
    const y = TOP + i * ROW_H;
    out.push(`<text x="12" y="${y + 16}" fill="#1d2433">${escape(label(row.path))}</text>`);
  });
  panels.forEach((panel, p) => {
    const x0 = LABEL_W + p * (PANEL_W + GAP);
    const sx = (ms: number) => x0 + (ms / axisMs) * PANEL_W;
    const { navigation, resources, firstContentfulPaint } = panel.load;
    out.push(`<text x="${x0}" y="48" font-size="14" font-weight="600" fill="#1d2433">${escape(panel.title)}</text>`);
    out.push(`<text x="${x0}" y="66" fill="#495057">${escape(panel.subtitle)}</text>`);
    for (let ms = 0; ms <= axisMs; ms += 200) {
      out.push(
        `<line x1="${sx(ms)}" y1="${TOP - 6}" x2="${sx(ms)}" y2="${TOP + rows.length * ROW_H}" stroke="#e9ecef"/>`,
      );
      out.push(
        `<text x="${sx(ms)}" y="${TOP + rows.length * ROW_H + 16}" text-anchor="middle" fill="#868e96" font-size="11">${ms}</text>`,
      );
    }
    rows.forEach((row, i) => {
      const y = TOP + i * ROW_H + 5;
      const t =
        i === 0
          ? { startTime: 0, responseStart: navigation.responseStart, responseEnd: navigation.responseEnd }
          : resources.find((r) => r.path === row.path);
      if (!t) return;
      out.push(
        `<rect x="${sx(t.startTime)}" y="${y}" width="${Math.max(1, sx(t.responseStart) - sx(t.startTime))}" height="16" fill="${row.color}" opacity="0.3"/>`,
      );
      out.push(
        `<rect x="${sx(t.responseStart)}" y="${y}" width="${Math.max(2, sx(t.responseEnd) - sx(t.responseStart))}" height="16" fill="${row.color}"/>`,
      );
    });
    const bottom = TOP + rows.length * ROW_H;
    out.push(
      `<line x1="${sx(navigation.responseEnd)}" y1="${TOP - 8}" x2="${sx(navigation.responseEnd)}" y2="${bottom}" stroke="${COLORS.html}" stroke-width="2" stroke-dasharray="4 3"/>`,
    );
    if (firstContentfulPaint !== undefined) {
      out.push(
        `<line x1="${sx(firstContentfulPaint)}" y1="${TOP - 8}" x2="${sx(firstContentfulPaint)}" y2="${bottom}" stroke="#1d2433" stroke-width="2"/>`,
      );
      out.push(
        `<text x="${x0 + PANEL_W}" y="66" text-anchor="end" font-weight="600" fill="#1d2433">FCP ${Math.round(firstContentfulPaint)} ms</text>`,
      );
    }
  });
  const ly = height - 22;
  out.push(
    `<text x="12" y="${ly}" fill="#495057">ms since the navigation started. Light: waiting; solid: arriving.</text>`,
    `<line x1="470" y1="${ly - 12}" x2="470" y2="${ly + 2}" stroke="${COLORS.html}" stroke-width="2" stroke-dasharray="4 3"/>`,
    `<text x="478" y="${ly}" fill="#495057">HTML complete</text>`,
    `<line x1="590" y1="${ly - 12}" x2="590" y2="${ly + 2}" stroke="#1d2433" stroke-width="2"/>`,
    `<text x="598" y="${ly}" fill="#495057">first contentful paint</text>`,
    '</svg>',
  );
  return out.join('\n') + '\n';
}
