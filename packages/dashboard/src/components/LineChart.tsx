/** A line over labelled points scaled 0–100 (a percentage); gaps where a value is null. */
export function LineChart({ points, title }: { points: { label: string; value: number | null }[]; title: string }) {
  const width = 600;
  const height = 160;
  const step = points.length > 1 ? width / (points.length - 1) : width;
  const y = (value: number) => height - (value / 100) * (height - 8) - 4;
  const segments: string[] = [];
  let current = '';
  points.forEach((point, index) => {
    if (point.value === null) {
      if (current !== '') segments.push(current);
      current = '';
      return;
    }
    current += `${current === '' ? 'M' : 'L'}${(index * step).toFixed(1)},${y(point.value).toFixed(1)} `;
  });
  if (current !== '') segments.push(current);
  return (
    <svg className="chart" viewBox={`-4 0 ${width + 8} ${height + 18}`} role="img" aria-label={title} preserveAspectRatio="none">
      {[0, 50, 100].map((mark) => <line key={mark} x1="0" x2={width} y1={y(mark)} y2={y(mark)} className="grid" />)}
      {segments.map((path) => <path key={path} d={path} className="line" />)}
      {points.map((point, index) => point.value !== null && (
        <circle key={point.label} cx={index * step} cy={y(point.value)} r="3.5" className="dot"><title>{`${point.label}: ${point.value} %`}</title></circle>
      ))}
      {points.map((point, index) => index % Math.ceil(points.length / 7) === 0 && <text key={`t${point.label}`} x={index * step} y={height + 14} textAnchor="middle">{point.label}</text>)}
    </svg>
  );
}
