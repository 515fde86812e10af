import type { CodeStreamClient } from '../../lambda/codestream/CodeStreamClient';
import type { Failure } from '../../lambda/codestream/Outcome';
import { integer, record, strings } from '../../lambda/providers/json';

/** The swagger's default `$top` of the list endpoints. */
export const PAGE_SIZE = 25;

/**
 * Every document of one of Code Stream's lists (the swagger's envelope: `documents` keyed by link,
 * `links` in order, `totalCount`), reading `$top` at a time with `$skip` until `totalCount` are
 * read or a page brings nothing new.
 * @returns the documents in the server's order, or why they could not be read.
 */
export async function readAllPages(
  client: Pick<CodeStreamClient, 'read'>,
  path: string,
  what: string,
  pageSize = PAGE_SIZE,
): Promise<{ documents: Record<string, unknown>[] } | Failure> {
  const documents = new Map<string, Record<string, unknown>>();
  let skip = 0;
  for (;;) {
    const answer = await client.read(path, { $top: String(pageSize), $skip: String(skip) }, what);
    if (answer.kind !== 'read') return answer;
    const page = record(answer.value, 'documents');
    if (!page) {
      return { kind: 'rejected', stage: 'execute', status: 200, reason: `Code Stream's answer to ${what} is not a list of the swagger's form (no documents)`, snippet: '' };
    }
    const listed = strings(answer.value, 'links');
    const links = listed.length > 0 ? listed : Object.keys(page);
    const known = documents.size;
    for (const link of links) {
      const document = record(page, link);
      if (document && !documents.has(link)) documents.set(link, document);
    }
    skip += links.length;
    const total = integer(answer.value, 'totalCount');
    const more = total === undefined ? links.length >= pageSize : skip < total;
    // A page of only known documents (the list changed while it was read) ends the reading rather than looping.
    if (!more || documents.size === known) return { documents: [...documents.values()] };
  }
}
