/**
 * The chart canvases stacked into one PNG, painted on the editor background (an opaque image:
 * viewers show transparency as black). Above each chart its title, fitted to the width, and its
 * legend (a colour swatch per series), wrapped onto as many rows as it needs.
 */
import { cssColor, type Chart } from './charts';

/** The PNG as a data: URL, or undefined when there is nothing to draw. */
export function chartsPng(charts: readonly Chart[]): string | undefined {
  const canvases = charts.map((c) => c.u.ctx.canvas);
  if (canvases.length === 0) return undefined;
  const dpr = devicePixelRatio;
  const width = Math.max(...canvases.map((c) => c.width));
  const pad = 8 * dpr;
  const rowH = Math.round(18 * dpr);
  const swatchW = 12 * dpr;
  const font = `${Math.round(13 * dpr)}px sans-serif`;
  const out = document.createElement('canvas');
  const ctx = out.getContext('2d');
  if (!ctx) return undefined;
  ctx.font = font;
  const layouts = charts.map((c) => {
    const items: { label: string; color: string; x: number; row: number }[] = [];
    let x = pad;
    let row = 1;
    for (const s of c.spec.series) {
      const w = swatchW + 4 * dpr + ctx.measureText(s.label).width;
      if (x > pad && x + w > width - pad) {
        x = pad;
        row++;
      }
      items.push({ label: s.label, color: cssColor(s.color), x, row });
      x += w + 14 * dpr;
    }
    return { items, header: (row + 1) * rowH + 6 * dpr };
  });
  out.width = width;
  out.height = canvases.reduce((h, c, i) => h + layouts[i].header + c.height, 0);
  // Setting the size reset the context.
  ctx.fillStyle = cssColor('--vscode-editor-background');
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.font = font;
  ctx.textBaseline = 'middle';
  const fg = cssColor('--vscode-foreground');
  let y = 0;
  charts.forEach((c, i) => {
    const { items, header } = layouts[i];
    const mid = (row: number): number => y + 4 * dpr + row * rowH + rowH / 2;
    ctx.fillStyle = fg;
    ctx.fillText(c.spec.title, pad, mid(0), width - 2 * pad);
    for (const item of items) {
      ctx.fillStyle = item.color;
      ctx.fillRect(item.x, mid(item.row) - 1.5 * dpr, swatchW, 3 * dpr);
      ctx.fillStyle = fg;
      ctx.fillText(item.label, item.x + swatchW + 4 * dpr, mid(item.row));
    }
    y += header;
    ctx.drawImage(canvases[i], 0, y);
    y += canvases[i].height;
  });
  return out.toDataURL('image/png');
}
