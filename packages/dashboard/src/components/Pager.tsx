/** Previous / next page buttons with the position. */
export function Pager({ page, totalPages, totalCount, onPage }: { page: number; totalPages: number; totalCount: number; onPage: (page: number) => void }) {
  return (
    <nav className="pager" aria-label="Pages">
      <button type="button" disabled={page <= 1} onClick={() => onPage(page - 1)}>‹ Previous</button>
      <span>Page {page} of {Math.max(totalPages, 1)} · {totalCount} in all</span>
      <button type="button" disabled={page >= totalPages} onClick={() => onPage(page + 1)}>Next ›</button>
    </nav>
  );
}
