import { h } from './dom';
import { ApiFailure } from './http';

/** Puts the error in the container, as an alert that a screen reader announces. */
export function showError(container: HTMLElement, error: unknown): void {
  const message = error instanceof ApiFailure ? `${error.message} (${error.code})` : error instanceof Error ? error.message : String(error);
  container.replaceChildren(h('p', { class: 'error', attrs: { role: 'alert' } }, message));
}
