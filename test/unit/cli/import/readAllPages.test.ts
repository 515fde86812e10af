import { readAllPages } from '../../../../cli/import/readAllPages';
import type { CodeStreamClient } from '../../../../lambda/codestream/CodeStreamClient';

type Read = CodeStreamClient['read'];

/** A list endpoint over `items`, in the swagger's envelope, recording each query. */
function listing(items: { id: string }[], options: { totalCount?: boolean } = {}) {
  const queries: Record<string, string>[] = [];
  const read: Read = async (_path, query = {}) => {
    queries.push(query);
    const skip = Number(query.$skip);
    const page = items.slice(skip, skip + Number(query.$top));
    const links = page.map((item) => `/codestream/api/git-webhooks/${item.id}`);
    return {
      kind: 'read',
      value: {
        count: page.length,
        ...(options.totalCount === false ? {} : { totalCount: items.length }),
        links,
        documents: Object.fromEntries(page.map((item, index) => [links[index], item])),
      },
    };
  };
  return { read, queries };
}

const items = (count: number) => Array.from({ length: count }, (_, index) => ({ id: `w${index}` }));

describe('readAllPages', () => {
  it('reads page after page with $top and $skip until totalCount', async () => {
    const client = listing(items(7));
    const result = await readAllPages(client, '/codestream/api/git-webhooks', 'listing Git webhooks', 3);
    expect(result).toEqual({ documents: items(7) });
    expect(client.queries).toEqual([
      { $top: '3', $skip: '0' },
      { $top: '3', $skip: '3' },
      { $top: '3', $skip: '6' },
    ]);
  });

  it('without totalCount, stops at a short page; an empty list is one read', async () => {
    const client = listing(items(6), { totalCount: false });
    expect(await readAllPages(client, '/p', 'listing', 3)).toEqual({ documents: items(6) });
    expect(client.queries.map((query) => query.$skip)).toEqual(['0', '3', '6']);
    const empty = listing([]);
    expect(await readAllPages(empty, '/p', 'listing')).toEqual({ documents: [] });
    expect(empty.queries).toEqual([{ $top: '25', $skip: '0' }]);
  });

  it('stops at a page of documents already read, rather than looping', async () => {
    const page = { kind: 'read' as const, value: { totalCount: 10, links: ['/a'], documents: { '/a': { id: 'a' } } } };
    let reads = 0;
    const read: Read = async () => {
      reads += 1;
      return page;
    };
    expect(await readAllPages({ read }, '/p', 'listing', 1)).toEqual({ documents: [{ id: 'a' }] });
    expect(reads).toBe(2);
  });

  it('gives back the failure of a read, and refuses an answer that is not a list', async () => {
    const failure = { kind: 'unauthorized' as const, stage: 'login' as const, reason: 'refused', snippet: '' };
    expect(await readAllPages({ read: async () => failure }, '/p', 'listing Git webhooks')).toBe(failure);
    expect(await readAllPages({ read: async () => ({ kind: 'read', value: [] }) }, '/p', 'listing Git webhooks')).toEqual({
      kind: 'rejected',
      stage: 'execute',
      status: 200,
      reason: "Code Stream's answer to listing Git webhooks is not a list of the swagger's form (no documents)",
      snippet: '',
    });
  });
});
