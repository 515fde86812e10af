import type { EventDecisions, QuietDecision } from '../../../../cli/printDecisions';
import type { RuleDecision } from '../../../../lambda/history/DeliveryRecord';
import { compareDecisions } from '../../../../console/app/compare';

const request = { comments: 'push to main', input: { GIT_REF: 'refs/heads/main' } };
const now = (decisions: QuietDecision[]): EventDecisions[] => [{ deliveryId: 'd-1', event: {} as EventDecisions['event'], decisions }];
const matched = (rule: string, pipeline: QuietDecision['pipeline'], sent = request): QuietDecision => ({ rule, matched: true, reason: null, pipeline, request: sent });
const missed = (rule: string): QuietDecision => ({ rule, matched: false, reason: 'branch is not main', pipeline: null, request: null });
const then = (rule: string, fields: Partial<RuleDecision>): RuleDecision => ({ rule, event: 0, outcome: 'created', at: '2026-11-28T12:00:00Z', ...fields });

describe('compareDecisions', () => {
  it('agrees where the rule decides as it did, whatever the order of the request’s keys', () => {
    const rows = compareDecisions(now([matched('build', { project: 'demo', name: 'build' }), missed('deploy')]), [
      then('build', { pipeline: 'name:demo/build', request: { input: { GIT_REF: 'refs/heads/main' }, comments: 'push to main' } }),
      then('deploy', { outcome: 'no_match' }),
    ]);
    expect(rows.map((row) => [row.rule, row.difference])).toEqual([
      ['build', undefined],
      ['deploy', undefined],
    ]);
  });

  it('says how each differing rule differs', () => {
    const rows = compareDecisions(now([matched('build', { id: 'new' }), missed('deploy'), matched('verify', { id: 'v' }, { ...request, comments: 'other' }), matched('fresh', { id: 'f' })]), [
      then('build', { outcome: 'dead_lettered', pipeline: 'id:old' }),
      then('deploy', { outcome: 'created', pipeline: 'id:d' }),
      then('verify', { pipeline: 'id:v', request }),
      then('gone', { outcome: 'no_match' }),
    ]);
    expect(rows.map((row) => [row.rule, row.difference])).toEqual([
      ['build', 'runs id:new now, id:old then'],
      ['deploy', 'does not match now, matched then'],
      ['verify', 'sends another request now'],
      ['fresh', 'the log recorded no decision of this rule'],
      ['gone', 'the current config has no such rule or event'],
    ]);
  });

  it('without a record in the log, marks nothing', () => {
    expect(compareDecisions(now([matched('build', { id: 'x' })]), null)).toEqual([{ rule: 'build', event: 0, current: expect.any(Object), recorded: undefined, difference: undefined }]);
  });
});
