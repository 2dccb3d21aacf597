import { useState } from 'react';
import { useLiveEvents, LIVE_EVENT_TYPES } from '../api/use-live-events';
import { formatTime, shortId } from '../format';
import { href, navigate } from '../router';

/** The engine's events as they happen, and other instances' (PostgreSQL event feed): pause, filter by type and text. */
export function LiveEventsView() {
  const [paused, setPaused] = useState(false);
  const [type, setType] = useState('');
  const [text, setText] = useState('');
  const { events, connected } = useLiveEvents(paused);
  const needle = text.trim().toLowerCase();
  const shown = events.filter((event) =>
    (type === '' || event.type === type) &&
    (needle === '' || `${event.taskName ?? ''} ${event.queue ?? ''} ${event.taskId ?? ''} ${event.instanceId ?? ''}`.toLowerCase().includes(needle)));
  return (
    <section>
      <header className="view-header">
        <h1>Live events <span className={`dot-status ${connected ? 'on' : 'off'}`} aria-label={connected ? 'connected' : 'disconnected'} /></h1>
        <button type="button" onClick={() => setPaused(!paused)} aria-pressed={paused}>{paused ? 'Resume' : 'Pause'}</button>
      </header>
      <form className="filters" onSubmit={(event) => event.preventDefault()}>
        <label>Type
          <select value={type} onChange={(event) => setType(event.target.value)}>
            <option value="">any</option>
            {LIVE_EVENT_TYPES.map((option) => <option key={option} value={option}>{option}</option>)}
          </select>
        </label>
        <label>Task, queue, id or instance<input type="search" value={text} onChange={(event) => setText(event.target.value)} /></label>
      </form>
      {shown.length === 0 ? (
        <div className="state state-empty">{connected ? (paused ? 'Paused.' : 'Waiting for events…') : 'Connecting…'}</div>
      ) : (
        <ol className="events" aria-label="Events">
          {shown.map((event, index) => (
            <li key={`${event.at}-${event.type}-${event.taskId ?? ''}-${index}`} className={`event event-${event.severity}`}>
              <time>{formatTime(event.at)}</time>
              <span className="event-type">{event.type}</span>
              {event.taskId !== undefined ? (
                <a href={href(`/tasks/${event.taskId}`)} onClick={(click) => { click.preventDefault(); navigate(`/tasks/${event.taskId}`); }}>
                  {event.taskName} <span className="muted">{shortId(event.taskId)}</span>
                </a>
              ) : <span>{event.taskName ?? ''}</span>}
              <span className="muted small">{event.queue ?? ''}</span>
              <span className="muted small" title={event.instanceId ?? 'this instance'}>{event.remote ? event.instanceId : 'this instance'}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
