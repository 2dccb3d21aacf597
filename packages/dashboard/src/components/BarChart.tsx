/** One bar of a stacked chart: its label and its parts (drawn bottom up). */
export interface StackedBar {
  label: string;
  parts: { value: number; className: string }[];
}

/** Stacked vertical bars in an SVG that scales to its container's width. */
export function BarChart({ bars, title }: { bars: StackedBar[]; title: string }) {
  const width = 600;
  const height = 160;
  const top = Math.max(1, ...bars.map((bar) => bar.parts.reduce((sum, part) => sum + part.value, 0)));
  const slot = width / Math.max(bars.length, 1);
  return (
    <svg className="chart" viewBox={`0 0 ${width} ${height + 18}`} role="img" aria-label={title} preserveAspectRatio="none">
      {bars.map((bar, index) => {
        let y = height;
        return (
          <g key={bar.label}>
            <title>{`${bar.label}: ${bar.parts.map((part) => part.value).join(' / ')}`}</title>
            {bar.parts.map((part) => {
              const h = (part.value / top) * (height - 4);
              y -= h;
              return <rect key={part.className} className={part.className} x={index * slot + slot * 0.15} y={y} width={slot * 0.7} height={h} />;
            })}
            {index % Math.ceil(bars.length / 8) === 0 && <text x={index * slot + slot / 2} y={height + 14} textAnchor="middle">{bar.label}</text>}
          </g>
        );
      })}
      <line x1="0" x2={width} y1={height} y2={height} className="axis" />
    </svg>
  );
}
