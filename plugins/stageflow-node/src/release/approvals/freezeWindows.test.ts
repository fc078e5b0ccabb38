import { activeFreezeWindow, assertNotFrozen } from './freezeWindows';

const weekend = {
  name: 'weekend',
  cron: '0 18 * * 5', // Fridays 18:00
  duration: 'PT60H', // until Monday 06:00
  timeZone: 'Europe/Berlin',
};

describe('freeze windows', () => {
  it('is open from the cron time for its duration, in its time zone', () => {
    // Friday 2026-12-04 18:00 in Berlin is 17:00 UTC.
    expect(
      activeFreezeWindow([weekend], new Date('2026-12-04T16:59:59Z')),
    ).toBeUndefined();
    expect(
      activeFreezeWindow([weekend], new Date('2026-12-04T17:00:00Z')),
    ).toMatchObject({
      window: weekend,
      from: new Date('2026-12-04T17:00:00Z'),
      until: new Date('2026-12-07T05:00:00Z'),
    });
    expect(
      activeFreezeWindow([weekend], new Date('2026-12-06T12:00:00Z')),
    ).toBeDefined();
    expect(
      activeFreezeWindow([weekend], new Date('2026-12-07T05:00:00Z')),
    ).toBeUndefined();
  });

  it('refuses a promotion inside a window, naming it and when it closes', () => {
    const stage = {
      name: 'prd',
      image: '{image}:prd',
      expects: { release: true as const },
      freeze: [weekend],
    };
    expect(() =>
      assertNotFrozen(stage, new Date('2026-12-05T10:00:00Z')),
    ).toThrow(
      "Stage prd is frozen: freeze window 'weekend' (0 18 * * 5 Europe/Berlin, for PT60H) is open until 2026-12-07T05:00:00.000Z",
    );
    expect(() =>
      assertNotFrozen(stage, new Date('2026-12-08T10:00:00Z')),
    ).not.toThrow();
  });
});
