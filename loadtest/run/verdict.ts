/**
 * Why a load-test run fails, if it does: every reason, for the report and the summary line. A run
 * passes only with none; in particular, never by default when k6 left nothing to judge by.
 */
export interface RunOutcome {
  readonly scenario: string;
  readonly interrupted: boolean;
  /** k6's exit code: 0, 99 (thresholds crossed), anything else a failure of k6 itself. */
  readonly k6Exit: number | string | undefined;
  /** k6 wrote no end-of-test summary, so no threshold could be read. */
  readonly summaryMissing: boolean;
  readonly summaryPath: string;
  readonly failedThresholds: readonly string[];
  readonly ordersPlaced: number;
  readonly lost: number;
  readonly doubled: number;
  readonly stuck: number;
  /** Whether orders not final after the drain fail this scenario (not for breakpoint). */
  readonly stuckFails: boolean;
  /** Chaos victims that never became ready again. */
  readonly unrecovered: readonly string[];
}

export function failureReasons(o: RunOutcome): string[] {
  const reasons: string[] = [];
  const breakpoint = o.scenario === 'breakpoint';
  if (o.interrupted) reasons.push('interrupted');
  if (o.k6Exit !== 0 && o.k6Exit !== 99) reasons.push(`k6 ended with ${o.k6Exit ?? 'nothing'}`);
  if (o.summaryMissing && !o.interrupted) reasons.push(`k6 wrote no summary (${o.summaryPath})`);
  if (o.failedThresholds.length && !breakpoint)
    reasons.push(`${o.failedThresholds.length} threshold(s) failed`);
  else if (o.k6Exit === 99 && !breakpoint) reasons.push('k6 reported crossed thresholds (exit 99)');
  // A breakpoint run is the search for the broken threshold: none broken means it found nothing.
  if (breakpoint && !o.failedThresholds.length) reasons.push('no threshold broke: raise MAX_RATE');
  if (o.ordersPlaced === 0 && !o.interrupted) reasons.push('no order was placed');
  if (o.lost) reasons.push(`${o.lost} lost order(s)`);
  if (o.doubled) reasons.push(`${o.doubled} doubled order(s)`);
  // An interrupted run skipped the drain: orders still in progress are not stuck.
  if (o.stuck && o.stuckFails && !o.interrupted) reasons.push(`${o.stuck} stuck order(s)`);
  if (o.unrecovered.length) reasons.push(`${o.unrecovered.join(', ')} not ready again after a kill`);
  return reasons;
}
