/**
 * The keyboard: `/` focuses the first filter, `j` and `k` move to the next and previous row of the
 * list (Enter follows the focused row's link, as any link), Escape leaves a field, else goes back.
 */
export function bindKeys(back: () => void): void {
  document.addEventListener('keydown', (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target as HTMLElement;
    const typing = target.matches('input, select, textarea, [contenteditable]');
    if (event.key === 'Escape') {
      if (typing) target.blur();
      else back();
      return;
    }
    if (typing) return;
    if (event.key === '/') {
      const filter = document.querySelector<HTMLElement>('form.filters input, form.filters select');
      if (filter === null) return;
      event.preventDefault();
      filter.focus();
    } else if (event.key === 'j' || event.key === 'k') {
      const rows = [...document.querySelectorAll<HTMLElement>('[data-row]')];
      if (rows.length === 0) return;
      event.preventDefault();
      const at = rows.findIndex((row) => row === document.activeElement);
      const next = at === -1 ? 0 : Math.min(rows.length - 1, Math.max(0, at + (event.key === 'j' ? 1 : -1)));
      rows[next]?.focus();
      rows[next]?.scrollIntoView({ block: 'nearest' });
    }
  });
}
