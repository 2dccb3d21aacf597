/** A JSON value, pretty-printed, with a copy button. */
export function JsonView({ value, label }: { value: unknown; label: string }) {
  const text = value === undefined ? 'undefined' : JSON.stringify(value, null, 2);
  return (
    <div className="code-block">
      <button type="button" className="copy" onClick={() => void navigator.clipboard?.writeText(text)} aria-label={`Copy ${label}`}>Copy</button>
      <pre aria-label={label}>{text}</pre>
    </div>
  );
}
