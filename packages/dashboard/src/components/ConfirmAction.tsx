import { useState } from 'react';
import { ConfirmDialog } from './ConfirmDialog';

/**
 * A button that asks for confirmation, then runs an action; shows the action's error, if any,
 * under the button. `onDone` receives what the action resolved with.
 */
export function ConfirmAction<T>({ label, title, message, confirmLabel, danger = false, run, onDone }: {
  label: string;
  title: string;
  message: string;
  confirmLabel?: string;
  danger?: boolean;
  run: () => Promise<T>;
  onDone: (result: T) => void;
}) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const confirm = async () => {
    setBusy(true);
    try {
      const result = await run();
      setError(undefined);
      onDone(result);
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
      setAsking(false);
    }
  };
  return (
    <span className="action">
      <button type="button" className={danger ? 'danger' : undefined} onClick={() => setAsking(true)}>{label}</button>
      {error !== undefined && <span className="form-error" role="alert">{error}</span>}
      {asking && (
        <ConfirmDialog
          title={title}
          message={message}
          confirmLabel={confirmLabel ?? label}
          busy={busy}
          onConfirm={() => void confirm()}
          onCancel={() => setAsking(false)}
        />
      )}
    </span>
  );
}
