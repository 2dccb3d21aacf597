import { useState } from 'react';
import type { TaskDetail } from '@evertask/monitor';
import { api } from '../api/client';
import { ConfirmDialog } from '../components/ConfirmDialog';

const FINISHED = new Set(['completed', 'failed', 'cancelled']);

/** Cancels the task after a confirmation; hidden once the task has finished. */
export function CancelButton({ task, onCancelled }: { task: TaskDetail; onCancelled: () => void }) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  if (FINISHED.has(task.status)) return null;
  const confirm = async () => {
    setBusy(true);
    try {
      await api.cancel(task.id);
      setError(undefined);
      onCancelled();
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
      setAsking(false);
    }
  };
  return (
    <div className="actions">
      <button type="button" className="danger" onClick={() => setAsking(true)}>Cancel task</button>
      {error !== undefined && <p className="form-error" role="alert">{error}</p>}
      {asking && (
        <ConfirmDialog
          title="Cancel this task?"
          message={`${task.name} (${task.status}) will not run${task.status === 'in-progress' ? ' further: its run is aborted' : ''}. This cannot be undone.`}
          confirmLabel="Cancel task"
          busy={busy}
          onConfirm={() => void confirm()}
          onCancel={() => setAsking(false)}
        />
      )}
    </div>
  );
}
