import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { SERIES_COLOURS, useDarkMode } from '../theme';

export interface ChartSeries {
  label: string;
  values: (number | null)[];
}

export interface ChartProps {
  title: string;
  /** Bucket starts, epoch seconds. */
  times: number[];
  series: ChartSeries[];
  /** Formats the y values on the axis and in the legend. */
  format?: (value: number) => string;
  height?: number;
}

/** One time-series chart (uPlot, canvas) that follows the OS theme and its container's width. */
export function Chart({ title, times, series, format, height = 200 }: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const dark = useDarkMode();
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const ink = dark ? '#c9d1d9' : '#24292f';
    const grid = dark ? '#30363d' : '#d0d7de';
    const value = (n: number | null) => (n === null ? '—' : format ? format(n) : String(n));
    const plot = new uPlot(
      {
        width: Math.max(element.clientWidth, 200),
        height,
        legend: { show: true },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: true } },
        axes: [
          { stroke: ink, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid } },
          {
            stroke: ink,
            grid: { stroke: grid, width: 1 },
            ticks: { stroke: grid },
            size: 84,
            values: (_u, splits) => splits.map((n) => value(n)),
          },
        ],
        series: [
          {},
          ...series.map((s, i) => ({
            label: s.label,
            stroke: SERIES_COLOURS[i % SERIES_COLOURS.length],
            width: 2,
            spanGaps: false,
            // Isolated buckets (traffic now and then) would draw nothing as a line alone.
            points: { show: s.values.filter((n) => n !== null && n !== 0).length < 60, size: 5 },
            value: (_u: uPlot, n: number | null) => value(n),
          })),
        ],
      },
      [times, ...series.map((s) => s.values)] as uPlot.AlignedData,
      element,
    );
    const resize = new ResizeObserver(() =>
      plot.setSize({ width: Math.max(element.clientWidth, 200), height }),
    );
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [times, series, dark, height, format]);
  const empty = times.length === 0;
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      {empty ? (
        <p class="empty">No traffic in this range.</p>
      ) : (
        <div ref={box} role="img" aria-label={`${title}: ${summary(series, format)}`} />
      )}
    </figure>
  );
}

/** What a screen reader hears instead of the canvas: each series' latest and peak value. */
function summary(series: ChartSeries[], format?: (value: number) => string): string {
  const show = (n: number) => (format ? format(n) : String(n));
  return series
    .map((s) => {
      const values = s.values.filter((n): n is number => n !== null);
      if (values.length === 0) return `${s.label}: no data`;
      return `${s.label}: latest ${show(values[values.length - 1])}, peak ${show(Math.max(...values))}`;
    })
    .join('; ');
}
