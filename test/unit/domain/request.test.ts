import { STATES, canTransition, isTerminal, sourcesOf } from '../../../src/domain/request';

describe('request state machine', () => {
  it('allows exactly the documented moves', () => {
    const moves = STATES.flatMap((from) => STATES.filter((to) => canTransition(from, to)).map((to) => `${from}->${to}`));
    expect(moves.sort()).toEqual(
      ['pending->approved', 'pending->denied', 'pending->expired', 'approved->executing', 'executing->done', 'executing->failed'].sort(),
    );
  });

  it('has no way out of a terminal state', () => {
    for (const s of STATES.filter(isTerminal)) expect(STATES.some((to) => canTransition(s, to))).toBe(false);
    expect(STATES.filter(isTerminal).sort()).toEqual(['denied', 'done', 'expired', 'failed']);
  });

  it('names the legal sources of each target (what the Lua compare-and-set checks)', () => {
    expect(sourcesOf('approved')).toEqual(['pending']);
    expect(sourcesOf('executing')).toEqual(['approved']);
    expect(sourcesOf('failed')).toEqual(['executing']);
    expect(sourcesOf('pending')).toEqual([]);
  });
});
