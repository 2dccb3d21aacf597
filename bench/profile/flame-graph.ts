/**
 * Renders a V8 CPU profile (the `Profiler.stop` result, as `node --cpu-prof` writes it) as a
 * self-contained SVG flame graph: one box per call path, its width the share of samples spent in
 * it and below it, callers under callees, a tooltip with the function, file and share.
 */

/** The part of a V8 `.cpuprofile` the renderer reads. */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number; children?: number[] }[];
}

interface Frame {
  label: string;
  file: string;
  total: number;
  children: Frame[];
}

const WIDTH = 1200;
const ROW = 17;
const MIN_SHARE = 0.002;

function fileOf(url: string): string {
  return url.split('/').slice(-2).join('/');
}

function frameTree(profile: CpuProfile): Frame {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const build = (id: number): Frame => {
    const node = byId.get(id);
    if (node === undefined) throw new Error(`profile node ${id} is missing`);
    const children = (node.children ?? []).map(build);
    const self = node.hitCount ?? 0;
    const { functionName, url } = node.callFrame;
    return { label: functionName || '(anonymous)', file: fileOf(url), total: self + children.reduce((sum, c) => sum + c.total, 0), children };
  };
  const root = profile.nodes[0];
  if (root === undefined) throw new Error('the profile has no nodes');
  const tree = build(root.id);
  // idle time is not the program's: leave it out of the picture
  tree.children = tree.children.filter((c) => c.label !== '(idle)');
  tree.total = tree.children.reduce((sum, c) => sum + c.total, 0);
  tree.label = 'all';
  return tree;
}

/** A stable warm colour per file, so that one module's frames share a hue. */
function colourOf(frame: Frame): string {
  if (frame.label === '(garbage collector)') return 'hsl(0, 0%, 62%)';
  let hash = 0;
  for (const ch of frame.file) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return `hsl(${hash % 60}, ${65 + (hash % 25)}%, ${55 + ((hash >> 8) % 15)}%)`;
}

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The SVG text of the flame graph of `profile`, titled `title`. */
export function renderFlameGraph(profile: CpuProfile, title: string): string {
  const tree = frameTree(profile);
  const boxes: string[] = [];
  let depth = 0;
  const place = (frame: Frame, x: number, level: number) => {
    const share = frame.total / tree.total;
    if (share < MIN_SHARE) return;
    depth = Math.max(depth, level);
    const width = share * WIDTH;
    const tip = `${frame.label} ${frame.file} — ${(share * 100).toFixed(1)} %`;
    const text = width > 40 ? `<text x="${(x + 3).toFixed(1)}" y="${level}" font-size="11">${escapeXml(frame.label.slice(0, Math.floor(width / 7)))}</text>` : '';
    boxes.push(`<g><title>${escapeXml(tip)}</title><rect x="${x.toFixed(1)}" y="${level}" width="${width.toFixed(1)}" height="${ROW - 1}" fill="${colourOf(frame)}"/>${text}</g>`);
    let childX = x;
    for (const child of [...frame.children].sort((a, b) => a.label.localeCompare(b.label))) {
      place(child, childX, level + 1);
      childX += (child.total / tree.total) * WIDTH;
    }
  };
  place(tree, 0, 0);
  const height = (depth + 1) * ROW + 30;
  // levels were counted from the root; a flame graph draws the root at the bottom
  const body = boxes
    .join('\n')
    .replace(/ y="(\d+)"( width| font-size)/g, (_, level: string, rest: string) => {
      const top = height - (Number(level) + 1) * ROW - 4;
      return ` y="${rest === ' font-size' ? top + 12 : top}"${rest}`;
    });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="monospace">
<rect width="100%" height="100%" fill="#fdfdf6"/>
<text x="4" y="16" font-size="13">${escapeXml(title)}</text>
${body}
</svg>
`;
}
