import { useState } from 'react';
import { api } from '../api/client';
import { useResource } from '../api/use-resource';
import { LoadState } from '../components/LoadState';
import { formatTime } from '../format';

const LEVELS = ['trace', 'debug', 'information', 'warning', 'error', 'critical'] as const;
const TAKE = 50;

/** A task's execution logs: minimum level, paging, copy of the page shown. */
export function LogViewer({ taskId, total }: { taskId: string; total: number }) {
  const [level, setLevel] = useState<string>('');
  const [skip, setSkip] = useState(0);
  const logs = useResource(() => api.logs(taskId, skip, TAKE, level === '' ? undefined : level), `${taskId}|${skip}|${level}|${total}`);
  return (
    <div className="card">
      <header className="view-header">
        <h2>Logs</h2>
        <label className="inline">Level
          <select value={level} onChange={(event) => { setLevel(event.target.value); setSkip(0); }}>
            <option value="">all</option>
            {LEVELS.map((option) => <option key={option} value={option}>{option} and above</option>)}
          </select>
        </label>
      </header>
      <LoadState resource={logs} isEmpty={(page) => page.totalCount === 0} empty="No log lines.">
        {(page) => (
          <>
            <div className="code-block">
              <button type="button" className="copy" onClick={() => void navigator.clipboard?.writeText(page.logs.map((line) => `${line.at} ${line.level} ${line.message}`).join('\n'))}>Copy</button>
              <ol className="logs" aria-label="Log lines">
                {page.logs.map((line) => (
                  <li key={line.id} className={`log log-${line.level}`}>
                    <time>{formatTime(line.at)}</time> <span className="log-level">{line.level}</span> <span className="log-message">{line.message}</span>
                    {line.exception !== null && <pre className="error-text small">{line.exception}</pre>}
                  </li>
                ))}
              </ol>
            </div>
            <nav className="pager" aria-label="Log pages">
              <button type="button" disabled={skip === 0} onClick={() => setSkip(Math.max(0, skip - TAKE))}>‹ Earlier</button>
              <span>{page.totalCount === 0 ? 0 : skip + 1}–{skip + page.logs.length} of {page.totalCount}</span>
              <button type="button" disabled={skip + TAKE >= page.totalCount} onClick={() => setSkip(skip + TAKE)}>Later ›</button>
            </nav>
          </>
        )}
      </LoadState>
    </div>
  );
}
