import { request } from 'node:http';

export interface ConsoleAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The body parsed, for a JSON answer. */
  json: unknown;
}

/**
 * One request to a console at `url`, over loopback, with exactly the headers given besides Host
 * (the console's own unless `headers.host` replaces it); a POST gets the console's Origin unless
 * `headers.origin` says otherwise (undefined: none).
 */
export function consoleRequest(url: string, method: string, path: string, headers: Record<string, string | undefined> = {}): Promise<ConsoleAnswer> {
  const { host, origin } = new URL(url);
  const chosen: Record<string, string | undefined> = { host, ...(method === 'GET' ? {} : { origin }), ...headers };
  const sent = Object.fromEntries(Object.entries(chosen).filter((entry): entry is [string, string] => entry[1] !== undefined));
  return new Promise((resolve, reject) => {
    const call = request(new URL(path, url), { method, headers: sent }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => {
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: response.statusCode ?? 0, headers: response.headers, text, json });
      });
    });
    call.on('error', reject);
    call.end();
  });
}
