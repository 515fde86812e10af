import { DELIVERIES_LIST_USAGE, DELIVERIES_SHOW_USAGE, DELIVERIES_USAGE, deliveriesCommand } from '../../../cli/commands/deliveries';
import { CommandError, HelpRequest, UsageError } from '../../../cli/errors';
import type { HistoryFlags } from '../../../cli/history/DeliveryHistory';
import { main } from '../../../cli/main';
import { DECISION_OUTCOMES, type DeliveryRecord } from '../../../lambda/history/DeliveryRecord';
import { fixtureDelivery } from '../../support/deliveries';
import { InMemoryDeliveryHistory } from '../../support/InMemoryDeliveryHistory';

const TAG_DELIVERY = '52786a74-3eb5-40e3-b2d9-7addb6d1bf34';
const { event: TAG_EVENT } = fixtureDelivery('github/push.tag');

/** A tag push that one rule ran and another did not match. */
const TAG: DeliveryRecord = {
  id: `github/${TAG_DELIVERY}`,
  source: 'github',
  provider: 'github',
  deliveryId: TAG_DELIVERY,
  receivedAt: '2026-11-28T12:00:00.000Z',
  status: 202,
  bodyBytes: 33,
  senderIp: '192.0.2.10',
  userAgent: 'GitHub-Hookshot/044aadd',
  eventKind: 'tag',
  summary: 'Codertocat/Hello-World tag simple-tag',
  headers: { 'X-GitHub-Event': 'push', 'X-GitHub-Delivery': TAG_DELIVERY },
  query: {},
  events: [TAG_EVENT],
  body: '{"ref":"refs/tags/simple-tag","n":1}',
  receipts: 2,
  redrives: 1,
  outcomes: ['created', 'no_match'],
  rules: ['release-tags'],
  decisions: [
    {
      rule: 'build-main-lines',
      event: 0,
      outcome: 'no_match',
      reason: 'when.events: the event is a tag, not push',
      at: '2026-11-28T12:00:01.000Z',
    },
    {
      rule: 'release-tags',
      event: 0,
      outcome: 'created',
      pipeline: 'name:demo/release',
      request: { comments: 'tag simple-tag pushed by Codertocat', input: { TAG: 'simple-tag' } },
      status: 202,
      executionId: 'b80254a7-0000-4000-8000-000000000001',
      executionLink: 'https://vra.example.com/codestream/api/executions/b80254a7-0000-4000-8000-000000000001',
      attempts: 1,
      at: '2026-11-28T12:00:02.000Z',
    },
  ],
};

/** A request whose signature did not match: metadata only. */
const REFUSED: DeliveryRecord = {
  id: 'refused:0b5e6f1a-0000-4000-8000-000000000002',
  source: 'github',
  provider: 'github',
  receivedAt: '2026-11-28T12:05:00.000Z',
  status: 401,
  error: 'invalid_signature',
  message: 'the signature does not match the body under any of the source’s secrets',
  bodyBytes: 7000,
  senderIp: '198.51.100.7',
  userAgent: 'curl/8.5.0',
};

/** An image push too large for the log to keep its body and events. */
const LARGE: DeliveryRecord = {
  id: 'harbor/e3d1c0b2-0000-4000-8000-000000000003',
  source: 'harbor',
  provider: 'harbor',
  deliveryId: 'e3d1c0b2-0000-4000-8000-000000000003',
  receivedAt: '2026-11-28T11:00:00.000Z',
  status: 202,
  bodyBytes: 900_000,
  eventKind: 'artifact_push',
  summary: 'library/app:1.4.0',
  headers: {},
  query: { token: '[redacted]' },
  eventsOmitted: 'the events are larger than the log keeps (300 KB)',
  bodyOmitted: 'the body is larger than the log keeps (300 KB)',
  outcomes: ['deferred'],
  rules: ['deploy-images'],
};

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** `relay deliveries …` over the records, as main runs it; the log it opened and the flags it was opened with. */
async function deliveries(records: readonly DeliveryRecord[], ...args: string[]): Promise<Run & { history: InMemoryDeliveryHistory; opened: HistoryFlags[] }> {
  const history = new InMemoryDeliveryHistory(records, "local mode's table relay-deliveries at http://127.0.0.1:8000");
  const opened: HistoryFlags[] = [];
  let stdout = '';
  let stderr = '';
  const io = { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: (text: string) => (stderr += text) } };
  const code = await deliveriesCommand(args, io, (flags) => {
    opened.push(flags);
    return history;
  });
  return { code, stdout, stderr, history, opened };
}

/** The command line through main, for what it does before the log is opened: usage errors and help. */
async function relay(...argv: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: (text: string) => (stderr += text) } });
  return { code, stdout, stderr };
}

describe('relay deliveries list', () => {
  it('passes every filter to the log, and opens the log the options name', async () => {
    const { history, opened } = await deliveries([], 'list', '--deliveries-table', 'relay-deliveries');
    const list = jest.spyOn(history, 'list');
    const open = () => history;
    const io = { stdout: { write: () => true }, stderr: { write: () => true } };
    await deliveriesCommand(
      ['list', '--source', 'github', '--status', 'refused', '--rule', 'release-tags', '--outcome', 'dead_lettered', '--since', '2026-11-28T10:00:00Z', '--limit', '20', '--cursor', 'abc'],
      io,
      open,
    );
    await deliveriesCommand(['list', '--status', '401'], io, open);
    await deliveriesCommand(['list', '--status', 'accepted', '--since', '2026-11-28'], io, open);
    await deliveriesCommand(['list'], io, open);
    expect(opened).toEqual([expect.objectContaining({ 'deliveries-table': 'relay-deliveries' })]);
    expect(list.mock.calls.map(([query]) => query)).toEqual([
      { source: 'github', status: 'refused', rule: 'release-tags', outcome: 'dead_lettered', since: new Date('2026-11-28T10:00:00Z'), limit: 20, cursor: 'abc' },
      { status: 401 },
      { status: 'accepted', since: new Date('2026-11-28T00:00:00Z') },
      {},
    ]);
  });

  it.each([
    ['15m', 15 * 60_000],
    ['2h', 2 * 3_600_000],
    ['7d', 7 * 86_400_000],
  ])('--since %s is that long before now', async (since, ago) => {
    const history = new InMemoryDeliveryHistory([]);
    const list = jest.spyOn(history, 'list');
    const before = Date.now();
    await deliveriesCommand(['list', '--since', since], { stdout: { write: () => true }, stderr: { write: () => true } }, () => history);
    const after = Date.now();
    const asked = list.mock.calls[0]?.[0].since?.getTime() ?? NaN;
    expect(asked).toBeGreaterThanOrEqual(before - ago);
    expect(asked).toBeLessThanOrEqual(after - ago);
  });

  it('prints one line a delivery, newest first, with a header, and how many; then closes the log', async () => {
    const { code, stdout, stderr, history } = await deliveries([LARGE, TAG, REFUSED], 'list');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout.split('\n')).toEqual([
      'RECEIVED                  STATUS  SOURCE  KIND           SUMMARY                                OUTCOMES          RULES          ID',
      `2026-11-28T12:05:00.000Z  401     github  -              refused: invalid_signature             -                 -              ${REFUSED.id}`,
      `2026-11-28T12:00:00.000Z  202     github  tag            Codertocat/Hello-World tag simple-tag  created,no_match  release-tags   ${TAG.id}`,
      `2026-11-28T11:00:00.000Z  202     harbor  artifact_push  library/app:1.4.0                      deferred          deploy-images  ${LARGE.id}`,
      "3 deliveries from local mode's table relay-deliveries at http://127.0.0.1:8000",
      '',
    ]);
    expect(history.closed).toBe(true);
  });

  it('says how to read the next page: the same log and filters, --since as the time it stood for, and the cursor', async () => {
    const before = Date.now();
    const recent = [LARGE, TAG, REFUSED].map((record) => ({ ...record, receivedAt: new Date(before - 60_000).toISOString() }));
    const { code, stdout } = await deliveries(recent, 'list', '--limit', '1', '--since', '7d', '--source', 'github', '--state-dir', '/tmp/relay state');
    expect(code).toBe(0);
    const next = /^ {2}relay deliveries list (.*)$/m.exec(stdout)?.[1] ?? '';
    expect(stdout).toContain("1 delivery from local mode's table relay-deliveries at http://127.0.0.1:8000; more may follow:\n");
    const since = /--since (\S+)/.exec(next)?.[1] ?? '';
    expect(Date.parse(since)).toBeLessThanOrEqual(Date.now() - 7 * 86_400_000);
    expect(Date.parse(since)).toBeGreaterThanOrEqual(before - 7 * 86_400_000);
    expect(next).toBe(`--source github --since ${since} --limit 1 --state-dir '/tmp/relay state' --cursor 1`);
  });

  it('following the cursor reads the next page, and the last page has none', async () => {
    const first = await deliveries([LARGE, TAG, REFUSED], 'list', '--limit', '2', '--json');
    expect(JSON.parse(first.stdout)).toEqual({ items: [expect.objectContaining({ id: REFUSED.id }), expect.objectContaining({ id: TAG.id })], cursor: '2' });
    const last = await deliveries([LARGE, TAG, REFUSED], 'list', '--limit', '2', '--cursor', '2');
    expect(last.stdout).toContain(LARGE.id);
    expect(last.stdout).not.toContain('more may follow');
  });

  it('--json prints one object {items, cursor}: the summaries, and null when no page follows', async () => {
    const { code, stdout, stderr } = await deliveries([TAG, LARGE], 'list', '--json');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const { headers: _h, query: _q, events: _e, body: _b, decisions: _d, ...tagSummary } = TAG;
    const { headers: _lh, query: _lq, eventsOmitted: _le, bodyOmitted: _lb, ...largeSummary } = LARGE;
    expect(JSON.parse(stdout)).toEqual({ items: [tagSummary, largeSummary], cursor: null });
    expect(stdout.endsWith('}\n')).toBe(true);
    expect(stdout.split('\n')).toHaveLength(2);
  });

  it('an empty page says where it looked, and whether filters left nothing', async () => {
    expect((await deliveries([], 'list')).stdout).toBe("no deliveries in local mode's table relay-deliveries at http://127.0.0.1:8000\n");
    expect((await deliveries([TAG], 'list', '--source', 'gitlab')).stdout).toBe("no deliveries match in local mode's table relay-deliveries at http://127.0.0.1:8000\n");
    expect((await deliveries([TAG], 'list', '--json', '--outcome', 'superseded')).stdout).toBe('{"items":[],"cursor":null}\n');
  });

  it.each([
    [['--outcome', 'failed'], `unknown outcome "failed": use one of ${DECISION_OUTCOMES.join(', ')}`],
    [['--limit', '0'], '--limit takes a number of deliveries from 1 to 500, not "0"'],
    [['--limit', '501'], '--limit takes a number of deliveries from 1 to 500, not "501"'],
    [['--limit', '2.5'], '--limit takes a number of deliveries from 1 to 500, not "2.5"'],
    [['--limit', 'ten'], '--limit takes a number of deliveries from 1 to 500, not "ten"'],
    [['--status', 'ok'], '--status takes accepted, refused or an HTTP status such as 401, not "ok"'],
    [['--status', '42'], '--status takes accepted, refused or an HTTP status such as 401, not "42"'],
    [['--status', '600'], '--status takes accepted, refused or an HTTP status such as 401, not "600"'],
    [['--since', 'yesterday'], '--since takes an ISO 8601 time, e.g. 2026-11-28T12:00:00Z, or a time ago, e.g. 15m, 2h, 7d, not "yesterday"'],
    [['--since', '2h30m'], '--since takes an ISO 8601 time, e.g. 2026-11-28T12:00:00Z, or a time ago, e.g. 15m, 2h, 7d, not "2h30m"'],
    [['--since', 'March 7, 2026'], '--since takes an ISO 8601 time, e.g. 2026-11-28T12:00:00Z, or a time ago, e.g. 15m, 2h, 7d, not "March 7, 2026"'],
    [['--since', '2026-13-01'], '--since takes an ISO 8601 time, e.g. 2026-11-28T12:00:00Z, or a time ago, e.g. 15m, 2h, 7d, not "2026-13-01"'],
  ])('%j is a usage error, before the log is opened', async (options, message) => {
    const open = jest.fn();
    await expect(deliveriesCommand(['list', ...options], { stdout: { write: () => true }, stderr: { write: () => true } }, open)).rejects.toThrow(new UsageError(message));
    expect(open).not.toHaveBeenCalled();

    const { code, stdout, stderr } = await relay('deliveries', 'list', ...options);
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr).toBe(`${message}\n${DELIVERIES_LIST_USAGE}\n`);
    expect(await relay('deliveries', 'list', ...options, '--json')).toEqual({ code: 2, stdout: `${JSON.stringify({ error: 'usage', message })}\n`, stderr: '' });
  });

  it('an unknown option or a positional is a usage error', async () => {
    expect(await relay('deliveries', 'list', '--bogus')).toMatchObject({ code: 2, stderr: expect.stringContaining(`\n${DELIVERIES_LIST_USAGE}\n`) });
    expect((await relay('deliveries', 'list', 'github')).code).toBe(2);
  });
});

describe('relay deliveries show', () => {
  it('prints everything of an accepted delivery: metadata, headers, query, events, decisions and the body', async () => {
    const { code, stdout, stderr, history } = await deliveries([TAG, REFUSED], 'show', TAG.id);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const event = JSON.stringify(TAG_EVENT, null, 2).replaceAll('\n', '\n    ');
    expect(stdout).toBe(
      [
        `delivery     github/${TAG_DELIVERY}`,
        'source       github (provider github)',
        `delivery id  ${TAG_DELIVERY}`,
        'received     2026-11-28T12:00:00.000Z',
        'status       202 accepted',
        'kind         tag',
        'summary      Codertocat/Hello-World tag simple-tag',
        'body size    33 bytes',
        'sender ip    192.0.2.10',
        'user agent   GitHub-Hookshot/044aadd',
        'receipts     2',
        'redrives     1',
        'headers',
        '  X-GitHub-Event     push',
        `  X-GitHub-Delivery  ${TAG_DELIVERY}`,
        'query: none',
        'events (1)',
        '  event 0: tag simple-tag pushed by Codertocat',
        `    ${event}`,
        'decisions (2)',
        '  rule build-main-lines, event 0: no_match',
        '    reason  when.events: the event is a tag, not push',
        '    at      2026-11-28T12:00:01.000Z',
        '  rule release-tags, event 0: created',
        '    pipeline     name:demo/release',
        '    code stream  answered 202',
        '    execution    b80254a7-0000-4000-8000-000000000001',
        '    link         https://vra.example.com/codestream/api/executions/b80254a7-0000-4000-8000-000000000001',
        '    attempts     1',
        '    at           2026-11-28T12:00:02.000Z',
        '    request',
        '      {',
        '        "comments": "tag simple-tag pushed by Codertocat",',
        '        "input": {',
        '          "TAG": "simple-tag"',
        '        }',
        '      }',
        'body',
        '  {',
        '    "ref": "refs/tags/simple-tag",',
        '    "n": 1',
        '  }',
        '',
      ].join('\n'),
    );
    expect(history.closed).toBe(true);
  });

  it('a refused request: its status, error and message, and that nothing else is kept', async () => {
    const { code, stdout } = await deliveries([REFUSED], 'show', REFUSED.id);
    expect(code).toBe(0);
    expect(stdout).toBe(
      [
        `delivery    ${REFUSED.id}`,
        'source      github (provider github)',
        'received    2026-11-28T12:05:00.000Z',
        'status      401 refused: invalid_signature',
        'message     the signature does not match the body under any of the source’s secrets',
        'body size   7000 bytes',
        'sender ip   198.51.100.7',
        'user agent  curl/8.5.0',
        'refused: the log keeps no headers, query, events, decisions or body of a refused request',
        '',
      ].join('\n'),
    );
  });

  it('says why events and body are absent, and that no decision is recorded yet', async () => {
    const { stdout } = await deliveries([LARGE], 'show', LARGE.id);
    expect(stdout).toContain('\nheaders: none\nquery\n  token  [redacted]\n');
    expect(stdout).toContain('\nevents: omitted, the events are larger than the log keeps (300 KB)\ndecisions: none recorded yet\nbody: omitted, the body is larger than the log keeps (300 KB)\n');
  });

  it('a body that is not JSON is printed as it is', async () => {
    const { stdout } = await deliveries([{ ...TAG, body: 'payload=%7B%7D' }], 'show', TAG.id);
    expect(stdout.endsWith('\nbody\n  payload=%7B%7D\n')).toBe(true);
  });

  it('--json prints the record as one JSON object', async () => {
    const { code, stdout } = await deliveries([TAG], 'show', TAG.id, '--json');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual(TAG);
    expect(stdout.split('\n')).toHaveLength(2);
  });

  it('an unknown id fails with exit 1, naming it and relay deliveries list; the log is closed', async () => {
    const history = new InMemoryDeliveryHistory([TAG], 'the table relay-deliveries');
    const io = { stdout: { write: () => true }, stderr: { write: () => true } };
    const shown = deliveriesCommand(['show', 'github/0000'], io, () => history);
    await expect(shown).rejects.toThrow(CommandError);
    await expect(shown).rejects.toMatchObject({
      exit: 1,
      code: 'failed',
      message: 'no delivery github/0000 in the table relay-deliveries: it was never logged or has expired; relay deliveries list shows those the log keeps',
    });
    expect(history.closed).toBe(true);
    // A bare delivery id is no record's id: the message says what one is.
    await expect(deliveriesCommand(['show', TAG_DELIVERY], io, () => history)).rejects.toThrow(
      `no delivery ${TAG_DELIVERY} in the table relay-deliveries (an ID is <source>/<deliveryId>, or refused:<uuid>): it was never logged or has expired`,
    );
  });

  it('needs exactly one ID', async () => {
    for (const ids of [[], ['a/1', 'b/2']]) {
      const { code, stderr } = await relay('deliveries', 'show', ...ids);
      expect(code).toBe(2);
      expect(stderr).toBe(`relay deliveries show needs one ID, as relay deliveries list prints it\n${DELIVERIES_SHOW_USAGE}\n`);
    }
  });
});

describe('relay deliveries', () => {
  it('needs list or show', async () => {
    expect(await relay('deliveries')).toEqual({ code: 2, stdout: '', stderr: `relay deliveries needs list or show\n${DELIVERIES_USAGE}\n` });
    expect((await relay('deliveries', 'tail', '--json')).stdout).toBe(`${JSON.stringify({ error: 'usage', message: 'unknown deliveries command "tail": use list or show' })}\n`);
  });

  it('--help prints the usage, exit 0, and the top-level usage lists both commands', async () => {
    await expect(deliveriesCommand(['--help'], { stdout: { write: () => true }, stderr: { write: () => true } })).rejects.toThrow(HelpRequest);
    expect(await relay('deliveries', '--help')).toEqual({ code: 0, stdout: `${DELIVERIES_USAGE}\n`, stderr: '' });
    expect(await relay('deliveries', 'list', '-h')).toEqual({ code: 0, stdout: `${DELIVERIES_LIST_USAGE}\n`, stderr: '' });
    expect(await relay('deliveries', 'show', '--bogus', '--help')).toEqual({ code: 0, stdout: `${DELIVERIES_SHOW_USAGE}\n`, stderr: '' });
    const { stdout } = await relay('--help');
    expect(stdout).toContain('\n  deliveries list [--source S]');
    expect(stdout).toContain('\n  deliveries show ID [--json] [HISTORY]\n      one delivery in full');
  });
});
