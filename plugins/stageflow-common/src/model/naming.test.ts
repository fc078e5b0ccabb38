import {
  dnsLabelProblems,
  formatStageInstanceName,
  parseStageInstanceName,
} from './naming';

describe('parseStageInstanceName', () => {
  it.each([
    ['ap-phippy-prd', { appType: 'ap', appId: 'phippy', stage: 'prd' }],
    [
      'ps-goldie-eu1-dev',
      { appType: 'ps', appId: 'goldie', instance: 'eu1', stage: 'dev' },
    ],
    ['cs-3000-int', { appType: 'cs', appId: '3000', stage: 'int' }],
  ])('reads %s', (name, value) => {
    expect(parseStageInstanceName(name)).toEqual({ ok: true, value });
  });

  it.each([
    ['', 'must not be empty'],
    [
      'AP-phippy-prd',
      'may only contain lowercase letters a-z, digits 0-9 and "-"',
    ],
    ['3000-phippy-prd', 'must not start with a digit'],
    ['ap-phippy-prd-', 'must not end with "-"'],
    ['xx-phippy-prd', 'app type must be one of cs, ap, ps, got "xx"'],
    ['ap-phippy-prod', 'stage must be one of dev, int, prd, got "prod"'],
    ['ap--prd', 'appId must not be empty'],
    [
      'ap-phippy',
      'must follow (cs|ap|ps)-<appId>[-<instance>]-(dev|int|prd), got 2 part(s)',
    ],
    ['ap-my-big-app-prd', 'got 5 part(s)'],
    [`ap-${'a'.repeat(60)}-prd`, 'must be at most 63 characters, got 67'],
    [
      'ap-ph_ippy-prd',
      'appId may only contain lowercase letters a-z and digits 0-9 (no "-"), got "ph_ippy"',
    ],
  ])('refuses %j: %s', (name, reason) => {
    const result = parseStageInstanceName(name);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reasons.join('\n')).toContain(reason);
  });
});

describe('formatStageInstanceName', () => {
  it('drops the instance of single-instance apps', () => {
    expect(
      formatStageInstanceName({ appType: 'ap', appId: 'phippy', stage: 'prd' }),
    ).toBe('ap-phippy-prd');
    expect(
      formatStageInstanceName({
        appType: 'ps',
        appId: 'goldie',
        instance: 'c1',
        stage: 'int',
      }),
    ).toBe('ps-goldie-c1-int');
  });

  it('round-trips with parse', () => {
    const parts = {
      appType: 'cs',
      appId: 'x1',
      instance: 'a',
      stage: 'dev',
    } as const;
    const parsed = parseStageInstanceName(formatStageInstanceName(parts));
    expect(parsed).toEqual({ ok: true, value: parts });
  });

  it('throws naming each bad part', () => {
    expect(() =>
      formatStageInstanceName({
        appType: 'zz' as any,
        appId: 'Phippy',
        stage: 'prod' as any,
      }),
    ).toThrow(
      /appType must be one of cs, ap, ps.*stage must be one of.*appId may only contain/,
    );
    expect(() =>
      formatStageInstanceName({
        appType: 'ap',
        appId: 'a'.repeat(60),
        stage: 'prd',
      }),
    ).toThrow(/name must be at most 63 characters/);
  });
});

describe('dnsLabelProblems', () => {
  it('accepts a namespace name', () => {
    expect(dnsLabelProblems('ap-phippy-prd')).toEqual([]);
  });
});
