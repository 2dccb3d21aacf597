import { useEffect, useRef } from 'react';

/** A modal question with a confirm and a cancel button; Escape cancels. */
export function ConfirmDialog({ title, message, confirmLabel, busy, onConfirm, onCancel }: {
  title: string;
  message: string;
  confirmLabel: string;
  busy: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const element = dialog.current;
    if (element !== null && !element.open) element.showModal();
  }, []);
  return (
    <dialog ref={dialog} className="dialog" aria-labelledby="confirm-title" onCancel={(event) => { event.preventDefault(); onCancel(); }}>
      <h2 id="confirm-title">{title}</h2>
      <p>{message}</p>
      <div className="dialog-buttons">
        <button type="button" onClick={onCancel} disabled={busy}>Keep it</button>
        <button type="button" className="danger" onClick={onConfirm} disabled={busy}>{busy ? 'Working…' : confirmLabel}</button>
      </div>
    </dialog>
  );
}
