import { describe, expect, it } from 'vitest';
import { failureReasons, type RunOutcome } from './verdict.ts';

const clean: RunOutcome = {
  scenario: 'smoke',
  interrupted: false,
  k6Exit: 0,
  summaryMissing: false,
  summaryPath: '/r/summary.json',
  failedThresholds: [],
  ordersPlaced: 107,
  lost: 0,
  doubled: 0,
  stuck: 0,
  stuckFails: true,
  unrecovered: [],
};

describe('load-test verdict', () => {
  it('passes a clean run', () => {
    expect(failureReasons(clean)).toEqual([]);
  });

  it('never passes by default when k6 left nothing to judge by', () => {
    // What a k6 run that crossed thresholds but wrote its summary elsewhere looked like: a PASS.
    expect(failureReasons({ ...clean, k6Exit: 99, summaryMissing: true, ordersPlaced: 0 })).toEqual([
      'k6 wrote no summary (/r/summary.json)',
      'k6 reported crossed thresholds (exit 99)',
      'no order was placed',
    ]);
    expect(
      failureReasons({ ...clean, k6Exit: 99, failedThresholds: ['http_req_failed rate<0.001'] }),
    ).toEqual(['1 threshold(s) failed']);
  });

  it('fails a breakpoint run that reached MAX_RATE unbroken, as documented', () => {
    const breakpoint = { ...clean, scenario: 'breakpoint', stuckFails: false, stuck: 12 };
    expect(failureReasons(breakpoint)).toEqual(['no threshold broke: raise MAX_RATE']);
    expect(failureReasons({ ...breakpoint, k6Exit: 99, failedThresholds: ['p(99)<800'] })).toEqual([]);
  });

  it('does not call orders stuck when the run was interrupted before the drain', () => {
    expect(
      failureReasons({ ...clean, interrupted: true, k6Exit: 105, stuck: 5, summaryMissing: true }),
    ).toEqual(['interrupted', 'k6 ended with 105']);
  });

  it('fails on lost, doubled and stuck orders and on chaos victims that never came back', () => {
    expect(failureReasons({ ...clean, lost: 1, doubled: 2, stuck: 3, unrecovered: ['order-0'] })).toEqual([
      '1 lost order(s)',
      '2 doubled order(s)',
      '3 stuck order(s)',
      'order-0 not ready again after a kill',
    ]);
  });
});
