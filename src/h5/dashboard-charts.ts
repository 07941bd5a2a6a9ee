/**
 * One dashboard chart on uPlot: a bilingual title, its lines, and the journal's events drawn
 * over it as markers (a dashed red line per fault, grey for a node dying or coming back, each
 * labelled), so a node's death and the sessions coming back read on every chart at once.
 */
import uPlot from 'uplot';
import type { DevEvent } from '../dev-server/journal';

export interface Line {
  label: string;
  color: string;
  dash?: number[];
}

export const PALETTE = ['#1a73e8', '#07c160', '#fa9d3b', '#9c27b0', '#00acc1', '#795548', '#e91e63', '#607d8b'];

const FONT = '"PingFang SC", "Noto Sans CJK SC", "WenQuanYi Zen Hei", sans-serif';

export class Chart {
  private plot: uPlot | undefined;
  private shape = '';
  /** Markers drawn the last time the chart was drawn. */
  markersDrawn = 0;
  /** Points drawn per line the last time. */
  points = 0;

  constructor(private readonly box: HTMLElement, private readonly title: string, private readonly events: () => DevEvent[]) {}

  /** Draws `lines` over times `t` (seconds); a new set of lines rebuilds the chart. */
  update(t: number[], lines: Line[], ys: Array<Array<number | null>>): void {
    const shape = lines.map((l) => l.label).join('|');
    const data = [t, ...ys] as uPlot.AlignedData;
    this.points = t.length;
    if (this.plot && shape === this.shape) {
      this.plot.setData(data);
      return;
    }
    this.plot?.destroy();
    this.shape = shape;
    this.plot = new uPlot(this.options(lines), data, this.box);
  }

  resize(): void {
    this.plot?.setSize(this.size());
  }

  private size(): { width: number; height: number } {
    return { width: Math.max(280, this.box.clientWidth), height: 190 };
  }

  private options(lines: Line[]): uPlot.Options {
    return {
      ...this.size(),
      title: this.title,
      scales: { x: { time: true }, y: { range: (_u, min, max) => [Math.min(0, min ?? 0), Math.max(1, (max ?? 1) * 1.1)] } },
      series: [{}, ...lines.map((l) => ({ label: l.label, stroke: l.color, width: 2, dash: l.dash, spanGaps: false, points: { show: false } }))],
      axes: [{ font: `11px ${FONT}` }, { font: `11px ${FONT}`, size: 50 }],
      legend: { live: false },
      cursor: { show: false },
      hooks: { draw: [(u) => this.drawMarkers(u)] },
    };
  }

  private drawMarkers(u: uPlot): void {
    const { ctx, bbox } = u;
    const px = uPlot.pxRatio;
    const [from, to] = [u.scales.x!.min ?? 0, u.scales.x!.max ?? 0];
    let drawn = 0;
    ctx.save();
    ctx.font = `${11 * px}px ${FONT}`;
    ctx.textAlign = 'left';
    ctx.textBaseline = 'alphabetic';
    for (const e of this.events()) {
      const at = e.t / 1000;
      if (at < from || at > to) continue;
      const x = Math.round(u.valToPos(at, 'x', true));
      const color = e.kind === 'fault' ? '#e64340' : '#888';
      ctx.strokeStyle = color;
      ctx.fillStyle = color;
      ctx.lineWidth = px;
      ctx.setLineDash([4 * px, 3 * px]);
      ctx.beginPath();
      ctx.moveTo(x, bbox.top);
      ctx.lineTo(x, bbox.top + bbox.height);
      ctx.stroke();
      ctx.fillText(e.text, x + 3 * px, bbox.top + (10 + 12 * (drawn % 3)) * px);
      drawn++;
    }
    ctx.restore();
    this.markersDrawn = drawn;
  }
}
