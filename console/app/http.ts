import type { ApiError } from '../../cli/console/api';

/** An answer of the console's API other than 200, with its `{"error", "message"}`. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** GETs the API's JSON. @throws ApiFailure */
export function getJson<T>(path: string): Promise<T> {
  return call<T>(path, { method: 'GET' });
}

/** POSTs to the API, without a body; the browser sends the page's Origin, which the console requires. @throws ApiFailure */
export function postJson<T>(path: string): Promise<T> {
  return call<T>(path, { method: 'POST' });
}

async function call<T>(path: string, init: RequestInit): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, { ...init, headers: { Accept: 'application/json' }, credentials: 'same-origin' });
  } catch (error) {
    throw new ApiFailure(0, 'unreachable', `the console does not answer (is relay console still running?): ${(error as Error).message}`);
  }
  const body = (await response.json().catch(() => undefined)) as T | ApiError | undefined;
  if (!response.ok) {
    const failure = body as ApiError | undefined;
    throw new ApiFailure(response.status, failure?.error ?? 'failed', failure?.message ?? `the console answered ${response.status}`);
  }
  return body as T;
}
