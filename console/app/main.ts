import { deadLetterPage, deadLettersPage } from './deadLettersPage';
import { deliveriesPage } from './deliveriesPage';
import { deliveryPage } from './deliveryPage';
import { bindKeys } from './keys';

/**
 * The console's page: hash routes, so that Back, a bookmark and a reload keep the place.
 *   #/?source=…&status=…   the deliveries, filtered
 *   #/deliveries/<id>      one delivery (id percent-encoded)
 *   #/dlq                  the dead-letter queue
 *   #/dlq/<messageId>      one dead letter
 */
const main = document.getElementById('main') as HTMLElement;
/** Stops what the page shown runs in the background (the list's polling). */
let stop: (() => void) | undefined;
/** Whether the console itself moved to the page shown: Escape then goes back in the history. */
let moved = false;

function render(): void {
  stop?.();
  stop = undefined;
  const hash = window.location.hash.replace(/^#/, '') || '/';
  const [path = '/', query = ''] = hash.split('?', 2);
  const segment = (prefix: string) => decodeURIComponent(path.slice(prefix.length));
  let section = 'deliveries';
  if (path.startsWith('/deliveries/')) {
    deliveryPage(main, segment('/deliveries/'));
  } else if (path === '/dlq') {
    section = 'dlq';
    deadLettersPage(main);
  } else if (path.startsWith('/dlq/')) {
    section = 'dlq';
    deadLetterPage(main, segment('/dlq/'));
  } else {
    stop = deliveriesPage(main, new URLSearchParams(query));
  }
  for (const link of document.querySelectorAll<HTMLElement>('[data-section]')) {
    if (link.dataset.section === section) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

/** Escape: back where the operator came from, else up to the page's list. */
function back(): void {
  const path = window.location.hash.replace(/^#/, '').split('?')[0] ?? '/';
  if (path === '/' || path === '/dlq' || path === '') return;
  if (moved) window.history.back();
  else window.location.hash = path.startsWith('/dlq/') ? '#/dlq' : '#/';
}

window.addEventListener('hashchange', () => {
  moved = true;
  render();
  main.focus({ preventScroll: true });
});
bindKeys(back);
render();
